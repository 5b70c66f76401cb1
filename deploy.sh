#!/usr/bin/env bash
# Deploys Digit to a Google Cloud project: the weights to a private bucket as a model version that the function
# serves, function/ as a gen2 HTTP Cloud Function that reads them as a service account of its own (and is built
# as another), and site/ to a public bucket that serves the page. Safe to run again: what exists is kept, the
# function and the files are brought up to date, and the function is checked. Its commands publish, promote and
# roll back model versions without a redeploy, check the deployed function, and delete what a deploy made.
# ./deploy.sh --help lists the commands and flags; docs/deploying.md says what it needs, what it creates, what that
# costs, and how to remove it.
set -Eeuo pipefail
((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) || { echo "deploy.sh needs bash 4.4 or newer" >&2; exit 2; }
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=deploy/common.sh
source "$here/deploy/common.sh"
# shellcheck source=deploy/help.sh
source "$here/deploy/help.sh"
# shellcheck source=deploy/retry.sh
source "$here/deploy/retry.sh"
# shellcheck source=deploy/sizes.sh
source "$here/deploy/sizes.sh"
# shellcheck source=deploy/accounts.sh
source "$here/deploy/accounts.sh"
# shellcheck source=deploy/public.sh
source "$here/deploy/public.sh"
# shellcheck source=deploy/versions.sh
source "$here/deploy/versions.sh"
# shellcheck source=deploy/check.sh
source "$here/deploy/check.sh"
# shellcheck source=deploy/delete.sh
source "$here/deploy/delete.sh"
read_shared

CORRECTIONS_DAYS=90  # how long the corrections bucket keeps an object
SITE_ORIGIN="https://storage.googleapis.com"  # the origin of a page served from a public bucket
APIS=(cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com
      artifactregistry.googleapis.com logging.googleapis.com storage.googleapis.com iam.googleapis.com)

command="deploy" version_asked="" version="" project="" region="" bucket="" site_bucket="" function_name="digit"
runtime="python312" memory="512Mi" cpu=1 concurrency=$THREADS min_instances=0 max_instances=3 dry_run=false
corrections=false corrections_bucket="" checking=true yes=false with_corrections=false
given=()  # the flags given, in order

usage_error() {
  printf 'deploy.sh: %s\nRun ./deploy.sh --help for the options.\n' "$1" >&2
  exit 2
}

parse_arguments() {
  case ${1:-} in
    publish | rollback | versions | check | delete) command=$1; shift ;;
    promote)
      command=promote
      [[ $# -ge 2 && $2 != -* ]] || usage_error "promote needs the VERSION to point live at"
      version_asked=$2
      deployment name "$version_asked" || usage_error "'$version_asked' is not a version's name"
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
      --yes) yes=true; shift; continue ;;
      --with-corrections) with_corrections=true; shift; continue ;;
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
    delete) check_delete_flags ;;
    *) only_flags "--project, --bucket and --dry-run" --project --bucket --dry-run ;;
  esac
  read_wait_setting
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
  [[ $yes == false && $with_corrections == false ]] || usage_error "--yes and --with-corrections are delete's only"
  check_sizes
  site_bucket=${site_bucket:-$project-digit-site}
  [[ $corrections == false ]] || corrections_bucket=${corrections_bucket:-$project-digit-corrections}
  name_accounts
}

check_delete_flags() {
  only_flags "--project, --region, --function, the buckets' names, --yes, --with-corrections and --dry-run" \
    --project --region --function --bucket --site-bucket --corrections-bucket --yes --with-corrections --dry-run
  [[ -n $region ]] || usage_error "--region is required"
  [[ $yes == true || $dry_run == true || -t 0 ]] ||
    usage_error "delete asks before it removes anything, and there is no terminal to ask on: pass --yes (--dry-run lists what it would remove). Nothing was removed."
  site_bucket=${site_bucket:-$project-digit-site}
  corrections_bucket=${corrections_bucket:-$project-digit-corrections}
  name_accounts
}

check_prerequisites() {
  step "Checking gcloud, your account and project $project" \
    "Check the project id (gcloud projects list shows yours) and that your account may use it."
  command -v gcloud >/dev/null ||
    fail "gcloud is not installed: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)."
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
  run_noted gcloud functions deploy "$function_name" --gen2 --project="$project" --region="$region" \
    --runtime="$runtime" --source=function --entry-point=predict --trigger-http --allow-unauthenticated \
    --service-account="$service_account" --build-service-account="projects/$project/serviceAccounts/$build_account" \
    --memory="$memory" --cpu="$cpu" --concurrency="$concurrency" --min-instances="$min_instances" \
    --max-instances="$max_instances" --set-env-vars="$settings" ||
    refused "The function $function_name is deployed, but private until then: run deploy.sh again once it may be public."
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

# The page as published, staged outside the checkout by local/page.py, as the local stack stages it: site/'s files
# but Node's package.json (the tests'), and config.js, its one line of configuration, pointing it at the function.
stage_site() {
  step "Staging the page with a config.js that points it at the function" "Check that $scratch is writable."
  staged="$scratch/site"
  python3 -B -m local.page "$staged" "$function_url"
  echo "config.js says: $(<"$staged/config.js")"
}

# The page's bucket is made public before the function is built: where an organisation policy refuses that,
# the deploy stops before a build of several minutes.
make_site_public() {
  step "Creating the page's bucket gs://$site_bucket, readable by everyone" \
    "Bucket names are global: if gs://$site_bucket is someone else's, choose another with --site-bucket."
  ensure_bucket "$site_bucket"
  run gcloud storage buckets update "gs://$site_bucket" --project="$project" --web-main-page-suffix=index.html
  run_noted gcloud storage buckets add-iam-policy-binding "gs://$site_bucket" --project="$project" \
    --member=allUsers --role=roles/storage.objectViewer || refused "The function has not been built."
}

publish_site() {
  step "Publishing the page in the public bucket gs://$site_bucket" "Check that you may write to gs://$site_bucket."
  # The bucket holds the page and nothing else: a file the page no longer has stops being public. no-cache:
  # browsers check for a newer page on every visit, so a redeploy shows at once.
  run gcloud storage rsync "$staged" "gs://$site_bucket" --recursive --delete-unmatched-destination-objects \
    --cache-control=no-cache --project="$project"
}

deploy() {
  check_public_access
  enable_apis
  upload_weights
  ensure_service_accounts
  grant_weights_access
  grant_build_roles
  [[ $corrections == false ]] || collect_corrections
  make_site_public
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
