# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# ./deploy.sh delete: removes what a deploy made (the function, the page's bucket, the weights' bucket with every
# model version in it, the two service accounts and the roles given to them) after listing it and asking; the
# corrections bucket, which holds people's drawings, only with --with-corrections. What is already gone is
# skipped, so a second run finds nothing and succeeds. Sourced by deploy.sh, after deploy/common.sh and
# deploy/accounts.sh; deploy.sh sets the names, yes, with_corrections and dry_run.

# Whether the function exists: describe answers NOT_FOUND when it does not; any other failure stops the step.
function_exists() {
  gcloud functions describe "$function_name" --gen2 --project="$project" --region="$region" \
    --format='value(name)' >/dev/null 2>"$scratch/said" && return 0
  absent_or_stop
}

# The model versions in the weights bucket, on one line.
model_versions() {
  local url versions=()
  while read -r url; do
    [[ $url != */ ]] || versions+=("$(basename "$url")")
  done < <(gcloud storage ls "$(models_url)" --project="$project" 2>/dev/null || true)
  echo "${versions[*]:-none}"
}

# Adds a removal, in the order they run: a line for the list, then the command (its length in arguments, and
# its arguments, each kept as given).
removal() {
  removals+=("$1")
  shift
  lengths+=("$#")
  words+=("$@")
}

# Finds what a deploy made that is still there, and adds its removal.
find_what_is_left() {
  removals=() lengths=() words=() kept=()
  if function_exists; then
    removal "the function $function_name in $region, and everyone's right to call it" \
      gcloud functions delete "$function_name" --gen2 --project="$project" --region="$region" --quiet
  fi
  find_bucket "$site_bucket" "the page's bucket, and the page in it"
  find_bucket "$bucket" "the weights' bucket, and every model version in it" model_versions
  find_corrections
  find_account "$service_account" "the function's service account"
  find_account "$build_account" "the build's service account"
}

# The bucket NAME, described as WHAT, with every object in it (and every object's every version); DETAIL, when
# given, is a command that adds what it holds to the description.
find_bucket() {
  bucket_exists "$1" || return 0
  local what=$2
  [[ -z ${3:-} ]] || what+=": $($3)"
  removal "gs://$1, $what" gcloud storage rm --recursive --all-versions "gs://$1" --project="$project"
}

# The corrections bucket goes with --with-corrections; kept, it loses the function's right to write there.
find_corrections() {
  bucket_exists "$corrections_bucket" || return 0
  local corrections="the corrections bucket, and the corrections in it"
  if [[ $with_corrections == true ]]; then
    find_bucket "$corrections_bucket" "$corrections"
    return 0
  fi
  kept+=("gs://$corrections_bucket, $corrections (--with-corrections removes it)")
  local roles role
  roles=$(gcloud storage buckets get-iam-policy "gs://$corrections_bucket" --project="$project" --format=json |
    roles_of "serviceAccount:$service_account")
  for role in $roles; do
    removal "$role on gs://$corrections_bucket, held by $service_account" \
      gcloud storage buckets remove-iam-policy-binding "gs://$corrections_bucket" --project="$project" \
      --member="serviceAccount:$service_account" --role="$role"
  done
}

# A service account, after the roles it holds on the project.
find_account() {
  local email=$1 roles role
  account_exists "$email" || return 0
  roles=$(gcloud projects get-iam-policy "$project" --format=json | roles_of "serviceAccount:$email")
  for role in $roles; do
    removal "$role on the project, held by $email" gcloud projects remove-iam-policy-binding "$project" \
      --member="serviceAccount:$email" --role="$role" --condition=None --format=none
  done
  removal "$email, $2" gcloud iam service-accounts delete "$email" --project="$project" --quiet
}

list_what_is_left() {
  local line
  printf '\nTo remove:\n'
  for line in "${removals[@]}"; do printf '  %s\n' "$line"; done
  ((${#kept[@]} == 0)) || printf 'Kept:\n'
  for line in "${kept[@]}"; do printf '  %s\n' "$line"; done
}

# Asks on the terminal, unless --yes or --dry-run (deploy.sh refuses earlier when there is no terminal to ask).
confirm_removal() {
  [[ $yes == false && $dry_run == false ]] || return 0
  local answer
  read -r -p "Remove all of this from $project? Type yes to go on: " answer
  [[ $answer == yes ]] || fail "you did not type yes: nothing was removed."
}

remove_what_is_left() {
  local at=0 index
  for index in "${!removals[@]}"; do
    step "Removing ${removals[$index]}" \
      "Check that you may remove it (docs/deploying.md lists the roles), then run delete again: what is gone is skipped."
    run "${words[@]:at:lengths[index]}"
    at=$((at + lengths[index]))
  done
}

delete() {
  step "Finding what deploy.sh made in $project" "Check that you may read the project (Viewer) and its buckets."
  find_what_is_left
  if ((${#removals[@]} == 0)); then
    printf '\nNothing that deploy.sh makes is left to remove in %s.\n' "$project"
    ((${#kept[@]} == 0)) || printf 'Kept: %s\n' "${kept[@]}"
    return 0
  fi
  list_what_is_left
  confirm_removal
  remove_what_is_left
  [[ $dry_run == true ]] || printf '\nRemoved from %s what deploy.sh made.\n' "$project"
}
