# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# The two service accounts a deploy makes, named after the function: NAME-function, which the function runs as
# and which may read the weights (and store corrections) only, rather than the default compute account that
# often holds Editor; and NAME-build, which builds it. New projects' Cloud Build no longer has a default
# account with the roles a build needs, and organisations that turn off automatic grants leave the default
# compute account with none (functions/docs/securing/build-custom-sa). Sourced by deploy.sh, after
# deploy/common.sh and deploy/retry.sh; deploy.sh sets project, function_name and dry_run.

# What a function's build needs on the project, as Google lists it for a build account of one's own: write its
# logs and its image, read its source. Narrower than Cloud Build's builder role, which may also delete objects.
BUILD_ROLES=(roles/logging.logWriter roles/artifactregistry.writer roles/storage.objectViewer)

# Sets the accounts' emails. IAM wants ids of 6 to 30 lowercase letters, digits and hyphens: the build's id, the
# shorter, is valid wherever the function's is.
name_accounts() {
  local id="$function_name-function"
  [[ $id =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] ||
    usage_error "--function $function_name would name its service account '$id': use at most 21 lowercase letters, digits and hyphens"
  service_account="$id@$project.iam.gserviceaccount.com"
  build_account="$function_name-build@$project.iam.gserviceaccount.com"
}

# Whether the service account EMAIL exists: describe answers NOT_FOUND when it does not. An IAM API enabled a
# moment ago is waited for, but not in a dry run, which enabled none: there an API not enabled holds no account.
# Any other failure stops the step.
account_exists() {
  local describe=(gcloud iam service-accounts describe "$1" --project="$project" --format=none)
  if [[ $dry_run == true ]]; then
    "${describe[@]}" 2>"$scratch/said" && return 0
    absent_or_stop "NOT_FOUND|$API_NOT_READY"
  else
    until_propagated "$API_NOT_READY" "${describe[@]}" && return 0
    absent_or_stop
  fi
}

# Creates the service account EMAIL, described as DESCRIPTION, unless it exists; then waits until IAM knows it,
# so that the bindings naming it are not refused.
ensure_account() {
  local email=$1 description=$2
  if account_exists "$email"; then
    echo "$email exists."
    return 0
  fi
  run_propagated gcloud iam service-accounts create "${email%%@*}" --project="$project" \
    --display-name="$description" || created_meanwhile "$email"
  [[ $dry_run == true ]] || wait_until_known "$email"
}

# ALREADY_EXISTS from create is success: the account was made a moment before, its describe not answering yet.
created_meanwhile() {
  grep -q "already exists within project" "$scratch/said" || return 1
  echo "$1 exists after all: it was created a moment ago."
}

wait_until_known() {
  until_propagated "$NOT_READY" gcloud iam service-accounts describe "$1" --project="$project" --format=none ||
    { cat "$scratch/said" >&2; return 1; }
  echo "$1 is known to IAM."
}

ensure_service_accounts() {
  step "Giving the function a service account of its own, $service_account" \
    "You need the Service Account Admin role in $project to create it."
  ensure_account "$service_account" "Digit function: reads gs://$bucket"
  step "Giving the function's build a service account of its own, $build_account" \
    "You need the Service Account Admin role in $project to create it."
  ensure_account "$build_account" "Digit build: builds the function $function_name"
}

grant_weights_access() {
  step "Letting the function's service account read gs://$bucket" \
    "You need permission to change the bucket's IAM policy (Storage Admin)."
  grant_to_function "$bucket" roles/storage.objectViewer
}

# Grants the function's service account ROLE on BUCKET, and nothing more.
grant_to_function() {
  run_propagated gcloud storage buckets add-iam-policy-binding "gs://$1" --project="$project" \
    --member="serviceAccount:$service_account" --role="$2"
}

# Grants the build's service account the build's roles on the project (the policy gcloud prints is left out).
grant_build_roles() {
  step "Letting the build's service account write the build's logs and image and read its source in $project" \
    "You need permission to change the project's IAM policy (Project IAM Admin)."
  local role
  for role in "${BUILD_ROLES[@]}"; do
    run_propagated gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:$build_account" \
      --role="$role" --condition=None --format=none
  done
}

# Reads an IAM policy (get-iam-policy --format=json) and prints the roles it gives MEMBER, one a line.
read -r -d '' ROLES_OF <<'PYTHON' || true
import json, sys
bindings = json.load(sys.stdin).get("bindings", [])
print(*sorted({binding["role"] for binding in bindings if sys.argv[1] in binding.get("members", [])}), sep="\n")
PYTHON
roles_of() { python3 -c "$ROLES_OF" "$1"; }
