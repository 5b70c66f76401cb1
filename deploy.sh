#!/usr/bin/env bash
# Deploys Digit to a Google Cloud project: the weights to a private bucket, function/ as a gen2 HTTP Cloud
# Function that reads them as a service account of its own, and site/ to a public bucket that serves the
# page. Safe to run again: what exists is kept, the function and the files are brought up to date.
# ./deploy.sh --help lists the flags; the README says what it needs, what it creates, what that costs, and
# how to remove it.
set -Eeuo pipefail

# Where the function looks in its bucket: its default, DEFAULT_PREFIX in function/digit/artefact.py.
WEIGHTS_PREFIX="model/"
SITE_ORIGIN="https://storage.googleapis.com"  # the origin of a page served from a public bucket
APIS=(cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com
      artifactregistry.googleapis.com logging.googleapis.com storage.googleapis.com iam.googleapis.com)

project="" region="" bucket="" site_bucket="" function_name="digit" runtime="python312" memory="1Gi" cpu=1
concurrency=8 min_instances=0 max_instances=3 dry_run=false

usage() {
  cat <<'EOF'
Usage: ./deploy.sh --project PROJECT --region REGION [options]

Deploys Digit to Google Cloud: the weights to a bucket, function/ as a gen2 HTTP Cloud Function,
and site/ to a public bucket serving the page. Prints the page's and the function's URLs.

  --project PROJECT     the Google Cloud project id (required)
  --region REGION       where the function and the buckets live, e.g. europe-west1 (required)
  --bucket NAME         the weights bucket (default: PROJECT-digit-weights)
  --site-bucket NAME    the page's public bucket (default: PROJECT-digit-site)
  --function NAME       the function's name (default: digit); it runs as the service account
                        NAME-function, created if missing
  --runtime RUNTIME     the Python runtime (default: python312)
  --memory SIZE         the function's memory (default: 1Gi)
  --cpu N               the function's vCPUs, 1 or more for a --concurrency above 1 (default: 1)
  --concurrency N       requests one instance serves at once, each in a thread of its own (default: 8)
  --min-instances N     instances kept warm, billed while idle; 0 means cold starts (default: 0)
  --max-instances N     the most instances a flood of requests can start (default: 3)
  --dry-run             print the commands that would change something, and run none of them
                        (the read-only checks still run)
  -h, --help            show this text
EOF
}

usage_error() {
  printf 'deploy.sh: %s\nRun ./deploy.sh --help for the options.\n' "$1" >&2
  exit 2
}

parse_flags() {
  while (($# > 0)); do
    case $1 in
      -h | --help) usage; exit 0 ;;
      --dry-run) dry_run=true; shift; continue ;;
      --project | --region | --bucket | --site-bucket | --function | --runtime | --memory | --cpu | --concurrency | \
        --min-instances | --max-instances)
        [[ $# -ge 2 && $2 != -* ]] || usage_error "$1 needs a value" ;;
      *) usage_error "unknown option: $1" ;;
    esac
    case $1 in
      --project) project=$2 ;;
      --region) region=$2 ;;
      --bucket) bucket=$2 ;;
      --site-bucket) site_bucket=$2 ;;
      --function) function_name=$2 ;;
      --runtime) runtime=$2 ;;
      --memory) memory=$2 ;;
      --cpu) cpu=$2 ;;
      --concurrency) concurrency=$2 ;;
      --min-instances) min_instances=$2 ;;
      --max-instances) max_instances=$2 ;;
    esac
    shift 2
  done
  [[ -n $project ]] || usage_error "--project is required"
  [[ -n $region ]] || usage_error "--region is required"
  [[ $min_instances =~ ^[0-9]+$ ]] || usage_error "--min-instances must be a whole number, not '$min_instances'"
  [[ $max_instances =~ ^[1-9][0-9]*$ ]] || usage_error "--max-instances must be 1 or more, not '$max_instances'"
  [[ $concurrency =~ ^[1-9][0-9]*$ ]] || usage_error "--concurrency must be 1 or more, not '$concurrency'"
  [[ $cpu =~ ^([1-9][0-9]*|0?\.[0-9]+)$ ]] || usage_error "--cpu must be a number of vCPUs such as 1 or 0.5, not '$cpu'"
  # Cloud Functions serves more than one request at a time only with a whole vCPU or more.
  [[ $concurrency == 1 || $cpu =~ ^[1-9] ]] || usage_error "--concurrency above 1 needs --cpu 1 or more"
  bucket=${bucket:-$project-digit-weights}
  site_bucket=${site_bucket:-$project-digit-site}
  # The function's own identity, named after it: IAM wants 6 to 30 lowercase letters, digits and hyphens.
  service_account_id="$function_name-function"
  [[ $service_account_id =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] ||
    usage_error "--function $function_name would name its service account '$service_account_id': use at most 21 lowercase letters, digits and hyphens"
  service_account="$service_account_id@$project.iam.gserviceaccount.com"
}

# Each step names itself and what to do if it fails; a failing command then ends the script with both.
step() {
  current_step=$1
  remedy=$2
  printf '\n==> %s\n' "$current_step"
}

on_error() {
  ((BASH_SUBSHELL == 0)) || return 0  # a failure inside $(...) is reported once, by the command around it
  printf '\ndeploy.sh: this step failed: %s.\n%s\n' "$current_step" "$remedy" >&2
}

fail() {
  printf 'deploy.sh: %s\n' "$1" >&2
  exit 1
}

# Runs a command that changes something in the project, after printing it; a dry run only prints it.
run() {
  printf '+ %s\n' "$*"
  [[ $dry_run == true ]] || "$@"
}

check_prerequisites() {
  step "Checking gcloud, your account and project $project" \
    "Check the project id (gcloud projects list shows yours) and that your account may use it."
  command -v gcloud >/dev/null ||
    fail "gcloud is not installed: install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)."
  local account
  account=$(gcloud auth list --filter=status:ACTIVE --format='value(account)')
  [[ -n $account ]] || fail "no account is logged in to gcloud: run gcloud auth login, then deploy.sh again."
  gcloud projects describe "$project" --format='value(projectId)' >/dev/null
  local file
  for file in function/main.py weights/model.weights.h5 weights/model.json site/index.html; do
    [[ -f $file ]] || fail "$file is missing: run deploy.sh from a complete checkout of Digit."
  done
  echo "gcloud is logged in as $account; project $project exists."
}

enable_apis() {
  step "Enabling the APIs that Cloud Functions needs" \
    "Billing must be enabled for $project (https://console.cloud.google.com/billing/linkedaccount?project=$project), and you need the Service Usage Admin role."
  run gcloud services enable "${APIS[@]}" --project="$project"
}

# Creates a bucket unless it exists; settings are applied by the caller, so that a rerun repairs them.
ensure_bucket() {
  if gcloud storage buckets describe "gs://$1" --project="$project" --format='value(name)' >/dev/null 2>&1; then
    echo "gs://$1 exists."
  else
    run gcloud storage buckets create "gs://$1" --project="$project" --location="$region" \
      --uniform-bucket-level-access
  fi
}

upload_weights() {
  step "Uploading the weights to gs://$bucket/$WEIGHTS_PREFIX" \
    "Bucket names are global: if gs://$bucket is someone else's, choose another with --bucket."
  ensure_bucket "$bucket"
  run gcloud storage cp weights/model.weights.h5 weights/model.json "gs://$bucket/$WEIGHTS_PREFIX" \
    --project="$project"
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
  run gcloud storage buckets add-iam-policy-binding "gs://$bucket" --project="$project" \
    --member="serviceAccount:$service_account" --role=roles/storage.objectViewer
}

deploy_function() {
  step "Deploying function/ as the function $function_name, which takes a few minutes" \
    "The messages above say why (the build log's link shows the rest); fix that and run deploy.sh again."
  run gcloud functions deploy "$function_name" --gen2 --project="$project" --region="$region" \
    --runtime="$runtime" --source=function --entry-point=predict --trigger-http --allow-unauthenticated \
    --service-account="$service_account" --memory="$memory" --cpu="$cpu" --concurrency="$concurrency" \
    --min-instances="$min_instances" --max-instances="$max_instances" \
    --set-env-vars="WEIGHTS_BUCKET=$bucket,WEIGHTS_PREFIX=$WEIGHTS_PREFIX,ALLOWED_ORIGINS=$SITE_ORIGIN,THREADS=$concurrency"
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

# The page's one line of configuration; local/services.py writes the same line for `make demo`.
write_site_config() {
  step "Pointing the page at the function in site/config.js" "Check that site/ is writable."
  if [[ $dry_run == true ]]; then
    echo "site/config.js would say: export const API_URL = \"$function_url\";"
  else
    printf 'export const API_URL = "%s";\n' "$function_url" >site/config.js
  fi
}

publish_site() {
  step "Publishing site/ in the public bucket gs://$site_bucket" \
    "Bucket names are global: choose another with --site-bucket if needed. If your organisation enforces public access prevention, the page cannot be public in this project."
  ensure_bucket "$site_bucket"
  run gcloud storage buckets update "gs://$site_bucket" --project="$project" --web-main-page-suffix=index.html
  run gcloud storage buckets add-iam-policy-binding "gs://$site_bucket" --project="$project" \
    --member=allUsers --role=roles/storage.objectViewer
  # no-cache: browsers check for a newer page on every visit, so a redeploy shows at once.
  run gcloud storage rsync site "gs://$site_bucket" --recursive --cache-control=no-cache --project="$project"
}

main() {
  parse_flags "$@"
  cd "$(dirname -- "${BASH_SOURCE[0]}")"
  trap on_error ERR
  check_prerequisites
  enable_apis
  upload_weights
  ensure_service_account
  grant_weights_access
  deploy_function
  read_function_url
  write_site_config
  publish_site
  if [[ $dry_run == true ]]; then
    printf '\nDry run: nothing was changed.\n'
  else
    printf '\nDigit is deployed.\n  page      %s/%s/index.html\n  function  %s\n' \
      "$SITE_ORIGIN" "$site_bucket" "$function_url"
  fi
}

main "$@"
