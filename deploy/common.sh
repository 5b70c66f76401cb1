# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# deploy.sh's helpers: announced steps that say what to do when they fail, commands printed before they run
# (and only printed in a dry run, what they say kept where a refusal needs explaining), what deploy.sh shares
# with the function asked of the function's Python, JSON read with Python, and buckets, objects and what a
# describe did not find looked up. Sourced by deploy.sh, which sets here (the checkout, an absolute path),
# project, region, dry_run and scratch; step sets current_step and remedy.

# Each step names itself and what to do if it fails; a failing command then ends the script with both.
step() {
  current_step=$1
  remedy=$2
  printf '\n==> %s\n' "$current_step"
}

on_error() {
  ((BASH_SUBSHELL == 0)) || return 0  # a failure inside $(...) is reported once, by the command around it
  say_step_failed
}

say_step_failed() {
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

# As run, with TEXT on the command's standard input.
run_with_input() {
  local text=$1
  shift
  printf '+ %s <<< %s\n' "$*" "$text"
  [[ $dry_run == true ]] || "$@" <<<"$text"
}

# As run, what the command says on stderr shown as it comes and kept in $scratch/said, for explain_refusal.
run_noted() {
  printf '+ %s\n' "$*"
  [[ $dry_run == false ]] || return 0
  { "$@" 2>&1 1>&3 3>&- | tee "$scratch/said" >&2; } 3>&1
}

# Ends a step whose command run_noted saw refused; when deploy.sh knows the refusal, the remedy says why and
# the ways out, then AFTERMATH: what the refusal leaves as it is.
refused() {
  explain_refusal "$1"
  return 1
}

# Runs function/digit/deployment.py's COMMAND: what deploy.sh shares with the function, from the function's own
# Python (standard library only). -B: no bytecode left in function/, which is deployed as it is.
deployment() {
  PYTHONPATH="$here/function" python3 -B -m digit.deployment "$@"
}

# Sets MODELS_PREFIX, POINTER_FILE, WEIGHTS_FILE, METADATA_FILE, THREADS and RETRY_SECONDS as the function names them.
read_shared() {
  command -v python3 >/dev/null ||
    fail "python3 is not installed: deploy.sh asks the function's Python what it shares with it, and reads JSON with it."
  local shared name value
  shared=$(deployment shared)
  while IFS='=' read -r name value; do printf -v "$name" '%s' "$value"; done <<<"$shared"
}

# Prints one field of the JSON object on standard input (a list one item a line, nothing when absent); fails
# when the input is not a JSON object. Python, which the rest of Digit runs on, reads the JSON.
read -r -d '' JSON_FIELD <<'PYTHON' || true
import json, sys
try:
    value = json.load(sys.stdin).get(sys.argv[1])
except (ValueError, AttributeError):
    sys.exit("deploy.sh: not a JSON object")
if value is not None:
    print(*(value if isinstance(value, list) else [value]), sep="\n")
PYTHON
json_field() { python3 -c "$JSON_FIELD" "$1"; }

# After a describe failed: returns 1, absent, when what it said ($scratch/said) matches PATTERN (NOT_FOUND by
# default); any other failure is shown and stops the step.
absent_or_stop() {
  grep -Eq "${1:-NOT_FOUND}" "$scratch/said" && return 1
  cat "$scratch/said" >&2
  say_step_failed
  exit 1
}

bucket_exists() {
  gcloud storage buckets describe "gs://$1" --project="$project" --format='value(name)' >/dev/null 2>&1
}

object_exists() {
  gcloud storage objects describe "$1" --project="$project" --format='value(name)' >/dev/null 2>&1
}

# Creates a bucket unless it exists; settings are applied by the caller, so that a rerun repairs them.
ensure_bucket() {
  if bucket_exists "$1"; then
    echo "gs://$1 exists."
  else
    run gcloud storage buckets create "gs://$1" --project="$project" --location="$region" \
      --uniform-bucket-level-access
  fi
}
