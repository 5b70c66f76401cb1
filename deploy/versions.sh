# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# deploy.sh's model versions: publishing weights/ as a version, pointing live.json at one, rolling it back,
# and listing them (docs/model-versions.md). Sourced by deploy.sh, after deploy/common.sh.

# The bucket's layout is the function's (digit/artefact.py, through read_shared): MODELS_PREFIX<version>/ holds
# a version's two files, MODELS_PREFIX POINTER_FILE names the version served.
models_url() { echo "gs://$bucket/$MODELS_PREFIX"; }

# Sets version to the one weights/ holds, once its weights are known to be those its model.json describes.
read_local_version() {
  version=$(deployment check weights 2>&1) ||
    fail "weights/ holds no version to publish ($version): retrain the model (make train)."
}

publish_version() {
  read_local_version
  step "Publishing weights/ as the model version $version, in $(models_url)$version/" \
    "Check that you may write to gs://$bucket (Storage Admin or Storage Object Admin)."
  run gcloud storage cp "weights/$WEIGHTS_FILE" "weights/$METADATA_FILE" "$(models_url)$version/" --project="$project"
}

# Sets live_version and history (the versions live before it, the latest last) from the bucket's live.json;
# both empty when there is none, or when it is not valid JSON (pointing live at a version then rewrites it).
read_pointer() {
  live_version="" history=()
  local pointer listed
  object_exists "$(models_url)$POINTER_FILE" || return 0
  pointer=$(gcloud storage cat "$(models_url)$POINTER_FILE" --project="$project")
  if ! listed=$(deployment live <<<"$pointer" 2>/dev/null); then
    echo "$(models_url)$POINTER_FILE is not valid JSON: it names no version, and no earlier ones."
    return 0
  fi
  mapfile -t history <<<"$listed"
  live_version=${history[0]}
  history=("${history[@]:1}")
}

# Fails unless the version's folder holds both files, and they pass the check the function makes at load
# (digit/deployment.py): its model.json names it, and its weights match the sha256 there. Here before anything
# points at it.
verify_version() {
  local version=$1 folder file copy="$scratch/checked" why
  folder="$(models_url)$version/"
  for file in "$WEIGHTS_FILE" "$METADATA_FILE"; do
    object_exists "$folder$file" || fail "$folder$file does not exist: publish that version first (./deploy.sh publish)."
  done
  mkdir -p "$copy"
  for file in "$WEIGHTS_FILE" "$METADATA_FILE"; do
    gcloud storage cat "$folder$file" --project="$project" >"$copy/$file"
  done
  why=$(deployment check "$copy" "$version" 2>&1) || fail "$folder: $why: publish the version again."
  echo "$folder holds $version, its weights matching their sha256."
}

# Points live.json at a version, keeping the versions live before it (the latest last), as the function's
# Python writes the pointer (digit/artefact.py).
write_pointer() {
  local pointer
  pointer=$(deployment pointer "$@")
  run_with_input "$pointer" gcloud storage cp - "$(models_url)$POINTER_FILE" --project="$project"
}

# Points live at a version unless it is already live; the one it replaces joins the history.
point_live_at() {
  local version=$1
  step "Pointing $(models_url)$POINTER_FILE at $version" \
    "Check that you may write to gs://$bucket (Storage Admin or Storage Object Admin)."
  read_pointer
  if [[ $live_version == "$version" ]]; then
    echo "$version is live already."
  elif [[ -n $live_version ]]; then
    write_pointer "$version" "${history[@]}" "$live_version"
  else
    write_pointer "$version"
  fi
}

require_bucket() {
  step "Checking the weights bucket gs://$bucket" "Run ./deploy.sh --project $project --region REGION first."
  bucket_exists "$bucket" || fail "gs://$bucket does not exist: deploy first (./deploy.sh --project $project --region REGION), or name it with --bucket."
  echo "gs://$bucket exists."
}

publish() {
  require_bucket
  publish_version
  [[ $dry_run == true ]] ||
    printf '\n%s is published; ./deploy.sh promote %s --project %s makes it live.\n' "$version" "$version" "$project"
}

promote() {
  require_bucket
  step "Checking the model version $version_asked" "Publish it first: ./deploy.sh publish, from its weights/."
  verify_version "$version_asked"
  point_live_at "$version_asked"
  announce_switch "$version_asked"
}

rollback() {
  require_bucket
  step "Reading which version was live before" "Check that you may read gs://$bucket."
  read_pointer
  ((${#history[@]} > 0)) || fail "$(models_url)$POINTER_FILE holds no earlier version to roll back to."
  local previous=${history[${#history[@]} - 1]}
  echo "$live_version is live; $previous was live before it."
  step "Checking the model version $previous" "Publish it again from its weights/, then promote it."
  verify_version "$previous"
  step "Pointing $(models_url)$POINTER_FILE back at $previous" \
    "Check that you may write to gs://$bucket (Storage Admin or Storage Object Admin)."
  write_pointer "$previous" "${history[@]:0:${#history[@]}-1}"
  announce_switch "$previous"
}

announce_switch() {
  [[ $dry_run == true ]] ||
    printf '\n%s is live: every instance of the function switches to it within a minute.\n' "$1"
}

versions() {
  require_bucket
  step "Listing the model versions in $(models_url)" "Check that you may read gs://$bucket."
  read_pointer
  local url version metadata accuracy trained marker
  printf '%-24s %-9s %-12s %s\n' VERSION ACCURACY TRAINED LIVE
  while read -r url; do
    [[ $url == */ ]] || continue  # live.json
    version=${url%/}
    version=${version##*/}
    metadata=$(gcloud storage cat "$url$METADATA_FILE" --project="$project" 2>/dev/null) || metadata="{}"
    accuracy=$(json_field accuracy <<<"$metadata" 2>/dev/null) || accuracy=""
    trained=$(json_field trained_at <<<"$metadata" 2>/dev/null) || trained=""
    [[ -z $accuracy ]] || accuracy=$(awk -v share="$accuracy" 'BEGIN { printf "%.1f %%", 100 * share }')
    marker=""
    [[ $version != "$live_version" ]] || marker=live
    trained=${trained:0:10}
    printf '%-24s %-9s %-12s %s\n' "$version" "${accuracy:--}" "${trained:--}" "$marker"
  done < <(gcloud storage ls "$(models_url)" --project="$project")
}
