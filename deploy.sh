#!/usr/bin/env bash
# Deploys Digit to a Google Cloud project: the weights to a private bucket as a model version that the function
# serves, function/ as a gen2 HTTP Cloud Function that reads them as a service account of its own, and site/ to
# a public bucket that serves the page. Safe to run again: what exists is kept, the function and the files are
# brought up to date, and the function is checked. Its commands publish, promote and roll back model versions
# without a redeploy, and check the deployed function.
# ./deploy.sh --help lists the commands and flags; docs/deploying.md says what it needs, what it creates, what that
# costs, and how to remove it.
set -Eeuo pipefail
((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) || { echo "deploy.sh needs bash 4.4 or newer" >&2; exit 2; }
here=$(dirname -- "${BASH_SOURCE[0]}")
# shellcheck source=deploy/common.sh
source "$here/deploy/common.sh"
# shellcheck source=deploy/versions.sh
source "$here/deploy/versions.sh"
# shellcheck source=deploy/check.sh
source "$here/deploy/check.sh"

CORRECTIONS_DAYS=90  # how long the corrections bucket keeps an object
SITE_ORIGIN="https://storage.googleapis.com"  # the origin of a page served from a public bucket
APIS=(cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com
      artifactregistry.googleapis.com logging.googleapis.com storage.googleapis.com iam.googleapis.com)

command="deploy" version_asked="" version="" project="" region="" bucket="" site_bucket="" function_name="digit"
runtime="python312" memory="512Mi" cpu=1 concurrency=8 min_instances=0 max_instances=3 dry_run=false
corrections=false corrections_bucket="" checking=true
given=()  # the flags given, in order

usage() {
  cat <<'EOF'
Usage: ./deploy.sh --project PROJECT --region REGION [options]
       ./deploy.sh publish|promote VERSION|rollback|versions --project PROJECT [--bucket NAME] [--dry-run]
       ./deploy.sh check --project PROJECT --region REGION [--function NAME]

Without a command, deploys Digit to Google Cloud: the weights to a bucket as a model version, pointed live,
function/ as a gen2 HTTP Cloud Function, and the page (site/, with a config.js naming the function) to a
public bucket that serves it and holds nothing else. Prints the page's and the function's URLs, then checks
the function as `check` does.

The commands change which model version the deployed function serves, without a redeploy (it reads the
pointer every minute):
  publish               uploads weights/ as a new version, without switching to it
  promote VERSION       points live at VERSION, once its folder holds both files and the weights match the
                        sha256 in its model.json
  rollback              points live back at the version live before
  versions              lists the versions, with their accuracy and training date, and which one is live

check asks the deployed function what the page and its users ask, one line each: its health names a loaded
model; a POST of the README's 1 reads a 1; a malformed POST gets a 400 with a JSON message; a CORS preflight
from the page's origin may POST; and where corrections are collected, a malformed one gets a 400. A function
that answers 503, or has no model loaded yet, is asked again as its Retry-After says (10 s without one), for
up to two minutes in all.
It exits 0 only when every check passes, its last line naming the model served.

  --project PROJECT     the Google Cloud project id (required)
  --region REGION       where the function and the buckets live, e.g. europe-west1 (required to deploy and to check)
  --bucket NAME         the weights bucket (default: PROJECT-digit-weights)
  --site-bucket NAME    the page's public bucket (default: PROJECT-digit-site); a deploy deletes there
                        whatever the page does not have
  --function NAME       the function's name (default: digit); it runs as the service account
                        NAME-function, created if missing
  --runtime RUNTIME     the Python runtime (default: python312)
  --memory SIZE         the function's memory (default: 512Mi)
  --cpu N               the function's vCPUs, 1 or more for a --concurrency above 1 (default: 1)
  --concurrency N       requests one instance serves at once, each in a thread of its own (default: 8)
  --min-instances N     instances kept warm, billed while idle; 0 means cold starts (default: 0)
  --max-instances N     the most instances a flood of requests can start (default: 3)
  --corrections         lets the page send corrections ("Wrong? It was: 7"), which the function stores in a
                        private bucket that deletes them after 90 days
  --corrections-bucket NAME
                        that bucket (default: PROJECT-digit-corrections; implies --corrections)
  --no-check            do not check the function once deployed
  --dry-run             print the commands that would change something, and run none of them
                        (the read-only checks of the project still run; the function is never called)
  -h, --help            show this text
EOF
}

usage_error() {
  printf 'deploy.sh: %s\nRun ./deploy.sh --help for the options.\n' "$1" >&2
  exit 2
}

parse_arguments() {
  case ${1:-} in
    publish | rollback | versions | check) command=$1; shift ;;
    promote)
      command=promote
      [[ $# -ge 2 && $2 != -* ]] || usage_error "promote needs the VERSION to point live at"
      version_asked=$2
      [[ $version_asked =~ $VERSION_NAME ]] || usage_error "'$version_asked' is not a version's name"
      shift 2 ;;
    -* | "") ;;
    *) usage_error "unknown command: $1" ;;
  esac
  while (($# > 0)); do
    given+=("$1")
    case $1 in
      -h | --help) usage; exit 0 ;;
      --dry-run) dry_run=true; shift; continue ;;
      --no-check) checking=false; shift; continue ;;
      --corrections) corrections=true; shift; continue ;;
      --project | --region | --bucket | --site-bucket | --function | --runtime | --memory | --cpu | --concurrency | \
        --min-instances | --max-instances | --corrections-bucket)
        [[ $# -ge 2 && $2 != -* ]] || usage_error "$1 needs a value" ;;
      *) usage_error "unknown option: $1" ;;
    esac
    case $1 in
      --project) project=$2 ;;
      --bucket) bucket=$2 ;;
      --region) region=$2 ;;
      --site-bucket) site_bucket=$2 ;;
      --function) function_name=$2 ;;
      --runtime) runtime=$2 ;;
      --memory) memory=$2 ;;
      --cpu) cpu=$2 ;;
      --concurrency) concurrency=$2 ;;
      --min-instances) min_instances=$2 ;;
      --max-instances) max_instances=$2 ;;
      --corrections-bucket) corrections_bucket=$2 corrections=true ;;
    esac
    shift 2
  done
  [[ -n $project ]] || usage_error "--project is required"
  bucket=${bucket:-$project-digit-weights}
  case $command in
    deploy) check_deploy_flags ;;
    check)
      only_flags "--project, --region and --function" --project --region --function
      [[ -n $region ]] || usage_error "--region is required" ;;
    *) only_flags "--project, --bucket and --dry-run" --project --bucket --dry-run ;;
  esac
}

# Refuses every flag given but the FLAGS after NAMES (which names them for the message).
only_flags() {
  local names=$1 flag
  shift
  for flag in "${given[@]}"; do
    [[ " $* " == *" $flag "* ]] || usage_error "$command takes $names only"
  done
}

check_deploy_flags() {
  [[ -n $region ]] || usage_error "--region is required"
  [[ $min_instances =~ ^[0-9]+$ ]] || usage_error "--min-instances must be a whole number, not '$min_instances'"
  [[ $max_instances =~ ^[1-9][0-9]*$ ]] || usage_error "--max-instances must be 1 or more, not '$max_instances'"
  [[ $concurrency =~ ^[1-9][0-9]*$ ]] || usage_error "--concurrency must be 1 or more, not '$concurrency'"
  [[ $cpu =~ ^([1-9][0-9]*|0?\.[0-9]+)$ ]] || usage_error "--cpu must be a number of vCPUs such as 1 or 0.5, not '$cpu'"
  # Cloud Functions serves more than one request at a time only with a whole vCPU or more.
  [[ $concurrency == 1 || $cpu =~ ^[1-9] ]] || usage_error "--concurrency above 1 needs --cpu 1 or more"
  site_bucket=${site_bucket:-$project-digit-site}
  [[ $corrections == false ]] || corrections_bucket=${corrections_bucket:-$project-digit-corrections}
  # The function's own identity, named after it: IAM wants 6 to 30 lowercase letters, digits and hyphens.
  service_account_id="$function_name-function"
  [[ $service_account_id =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] ||
    usage_error "--function $function_name would name its service account '$service_account_id': use at most 21 lowercase letters, digits and hyphens"
  service_account="$service_account_id@$project.iam.gserviceaccount.com"
}

check_prerequisites() {
  step "Checking gcloud, your account and project $project" \
    "Check the project id (gcloud projects list shows yours) and that your account may use it."
  command -v gcloud >/dev/null ||
    fail "gcloud is not installed: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)."
  command -v python3 >/dev/null || fail "python3 is not installed: deploy.sh reads the models' JSON with it."
  [[ $command != check && ($command != deploy || $checking == false || $dry_run == true) ]] ||
    command -v curl >/dev/null ||
    fail "curl is not installed: deploy.sh checks the function with it (a deploy with --no-check does not)."
  local account
  account=$(gcloud auth list --filter=status:ACTIVE --format='value(account)')
  [[ -n $account ]] || fail "no account is logged in to gcloud: run gcloud auth login, then deploy.sh again."
  gcloud projects describe "$project" --format='value(projectId)' >/dev/null
  local file files=()
  case $command in
    deploy) files=(function/main.py "weights/$WEIGHTS_FILE" "weights/$METADATA_FILE" site/index.html) ;;
    publish) files=("weights/$WEIGHTS_FILE" "weights/$METADATA_FILE") ;;
  esac
  for file in "${files[@]}"; do
    [[ -f $file ]] || fail "$file is missing: run deploy.sh from a complete checkout of Digit."
  done
  echo "gcloud is logged in as $account; project $project exists."
}

enable_apis() {
  step "Enabling the APIs that Cloud Functions needs" \
    "Billing must be enabled for $project (https://console.cloud.google.com/billing/linkedaccount?project=$project), and you need the Service Usage Admin role."
  run gcloud services enable "${APIS[@]}" --project="$project"
}

upload_weights() {
  step "Creating the weights bucket gs://$bucket" \
    "Bucket names are global: if gs://$bucket is someone else's, choose another with --bucket."
  ensure_bucket "$bucket"
  publish_version
  point_live_at "$version"
}

# The function runs as a service account of its own that may read the weights bucket and nothing else,
# rather than as the project's default compute account (which often holds Editor on the whole project).
ensure_service_account() {
  step "Giving the function a service account of its own, $service_account" \
    "You need the Service Account Admin role in $project to create it."
  if gcloud iam service-accounts describe "$service_account" --project="$project" --format='value(email)' \
    >/dev/null 2>&1; then
    echo "$service_account exists."
  else
    run gcloud iam service-accounts create "$service_account_id" --project="$project" \
      --display-name="Digit function: reads gs://$bucket"
  fi
}

grant_weights_access() {
  step "Letting the function's service account read gs://$bucket" \
    "You need permission to change the bucket's IAM policy (Storage Admin). A service account created a moment ago may not be known everywhere yet: wait a minute and run deploy.sh again."
  grant_to_function "$bucket" roles/storage.objectViewer
}

# The corrections bucket: private, its objects deleted after CORRECTIONS_DAYS, and the function's account may
# create objects there, not read or delete them. (A rerun applies the settings again.)
collect_corrections() {
  step "Creating the private corrections bucket gs://$corrections_bucket, which deletes what it holds after $CORRECTIONS_DAYS days" \
    "Bucket names are global: if gs://$corrections_bucket is someone else's, choose another with --corrections-bucket."
  ensure_bucket "$corrections_bucket"
  local rule="{\"rule\": [{\"action\": {\"type\": \"Delete\"}, \"condition\": {\"age\": $CORRECTIONS_DAYS}}]}"
  local lifecycle="$scratch/lifecycle.json"
  printf '%s\n' "$rule" >"$lifecycle"
  [[ $dry_run == false ]] || echo "the lifecycle file says: $rule"
  run gcloud storage buckets update "gs://$corrections_bucket" --project="$project" --lifecycle-file="$lifecycle" \
    --public-access-prevention
  step "Letting the function's service account store corrections in gs://$corrections_bucket, and nothing else" \
    "You need permission to change the bucket's IAM policy (Storage Admin)."
  grant_to_function "$corrections_bucket" roles/storage.objectCreator
}

deploy_function() {
  step "Deploying function/ as the function $function_name, which takes a few minutes" \
    "The messages above say why (the build log's link shows the rest); fix that and run deploy.sh again."
  local settings="WEIGHTS_BUCKET=$bucket,WEIGHTS_PREFIX=$MODELS_PREFIX,ALLOWED_ORIGINS=$SITE_ORIGIN,THREADS=$concurrency"
  [[ $corrections == false ]] || settings+=",CORRECTIONS_BUCKET=$corrections_bucket"
  run gcloud functions deploy "$function_name" --gen2 --project="$project" --region="$region" \
    --runtime="$runtime" --source=function --entry-point=predict --trigger-http --allow-unauthenticated \
    --service-account="$service_account" --memory="$memory" --cpu="$cpu" --concurrency="$concurrency" \
    --min-instances="$min_instances" --max-instances="$max_instances" --set-env-vars="$settings"
}

# The deployed function's URL; a dry run deployed nothing, so it shows a placeholder instead.
read_function_url() {
  step "Reading the function's URL" "Check that the function exists: gcloud functions list --project=$project"
  if [[ $dry_run == true ]]; then
    function_url="<the function's URL>"
  else
    function_url=$(gcloud functions describe "$function_name" --gen2 --project="$project" --region="$region" \
      --format="value(serviceConfig.uri)")
  fi
}

# The page as published, staged outside the checkout: site/'s files but Node's package.json (the tests'), and
# config.js, its one line of configuration, pointing it at the function. local/services.py stages the demo's
# page alike (tests/deploy/test_deploy.py checks that the two agree).
stage_site() {
  step "Staging the page with a config.js that points it at the function" "Check that $scratch is writable."
  staged="$scratch/site"
  cp -R site "$staged"
  rm -f "$staged/package.json"
  printf 'export const API_URL = "%s";\n' "$function_url" >"$staged/config.js"
  echo "config.js says: $(<"$staged/config.js")"
}

publish_site() {
  step "Publishing the page in the public bucket gs://$site_bucket" \
    "Bucket names are global: choose another with --site-bucket if needed. If your organisation enforces public access prevention, the page cannot be public in this project."
  ensure_bucket "$site_bucket"
  run gcloud storage buckets update "gs://$site_bucket" --project="$project" --web-main-page-suffix=index.html
  run gcloud storage buckets add-iam-policy-binding "gs://$site_bucket" --project="$project" \
    --member=allUsers --role=roles/storage.objectViewer
  # The bucket holds the page and nothing else: a file the page no longer has stops being public. no-cache:
  # browsers check for a newer page on every visit, so a redeploy shows at once.
  run gcloud storage rsync "$staged" "gs://$site_bucket" --recursive --delete-unmatched-destination-objects \
    --cache-control=no-cache --project="$project"
}

deploy() {
  enable_apis
  upload_weights
  ensure_service_account
  grant_weights_access
  [[ $corrections == false ]] || collect_corrections
  deploy_function
  read_function_url
  stage_site
  publish_site
  [[ $dry_run == true ]] || printf '\nDigit is deployed.\n  page      %s/%s/index.html\n  function  %s\n' \
    "$SITE_ORIGIN" "$site_bucket" "$function_url"
  [[ $dry_run == true || $checking == false ]] || check_function  # a dry run deployed no function to ask
}

check() {
  read_function_url
  check_function
}

main() {
  parse_arguments "$@"
  cd "$here"
  trap on_error ERR
  check_prerequisites
  # What deploy.sh writes (the lifecycle rule, the staged page, the check's answers), removed at exit.
  scratch=$(mktemp -d)
  trap 'rm -rf -- "$scratch"' EXIT
  "$command"
  [[ $dry_run == false ]] || printf '\nDry run: nothing was changed.\n'
}

main "$@"
