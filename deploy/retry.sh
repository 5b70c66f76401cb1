# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# Waiting for what Google Cloud is still propagating on a new project: an API enabled a moment ago answers
# PERMISSION_DENIED for a while, and a service account created a moment ago is unknown to IAM bindings, and
# to describe, for a minute or more (iam/docs/service-accounts-create). Sourced by deploy.sh, after
# deploy/common.sh; deploy.sh sets scratch, and calls read_wait_setting once at start.

# What Google Cloud answers while it propagates such a change; any other failure is not waited for.
API_NOT_READY="If you enabled this API recently"
ACCOUNT_NOT_READY="Service account [^ ]+ does not exist|NOT_FOUND: Unknown service account"
NOT_READY="$API_NOT_READY|$ACCOUNT_NOT_READY"
# The waits, as multiples of the first: growing, about three minutes in all with the default first wait.
WAIT_MULTIPLES=(1 2 4 6 9 12)
DEFAULT_FIRST_WAIT=5  # seconds

# The first wait, from DIGIT_DEPLOY_WAIT_SECONDS (the tests make it a fraction of a second).
read_wait_setting() {
  first_wait=${DIGIT_DEPLOY_WAIT_SECONDS:-$DEFAULT_FIRST_WAIT}
  [[ $first_wait =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
    usage_error "DIGIT_DEPLOY_WAIT_SECONDS must be a number of seconds such as 5 or 0.5, not '$first_wait'"
}

# Why deploy.sh waits, from what the last attempt said.
propagation_reason() {
  if grep -Eq "$API_NOT_READY" "$scratch/said"; then
    echo "an API enabled a moment ago is not ready yet"
  else
    echo "a service account created a moment ago is not known everywhere yet"
  fi
}

# Runs COMMAND, and again after each wait while it fails saying ANSWERS (a pattern such as NOT_READY), until
# the waits run out; each wait is printed on a line of its own, with its reason. What the last attempt said
# on stderr is kept in $scratch/said, not shown.
until_propagated() {
  local answers=$1 multiple pause waited=0
  shift
  for multiple in "${WAIT_MULTIPLES[@]}" ""; do
    "$@" 2>"$scratch/said" && return 0
    grep -Eq "$answers" "$scratch/said" || return 1
    if [[ -z $multiple ]]; then
      # shellcheck disable=SC2034  # on_error, in deploy/common.sh, prints it
      remedy="Google Cloud still answers that $(propagation_reason), after ${waited} s of waiting: wait a few minutes, then run deploy.sh again."
      return 1
    fi
    pause=$(awk -v first="$first_wait" -v times="$multiple" 'BEGIN { printf "%g", first * times }')
    printf 'waiting %s s before trying again: %s\n' "$pause" "$(propagation_reason)"
    sleep "$pause"
    waited=$(awk -v sum="$waited" -v more="$pause" 'BEGIN { printf "%g", sum + more }')
  done
}

# As run, for a command that Google Cloud may not be ready for yet on a new project: it is tried again while
# it answers so. What it says on stderr is shown once it is done; a refusal deploy.sh knows is explained.
run_propagated() {
  printf '+ %s\n' "$*"
  [[ $dry_run == false ]] || return 0
  local status=0
  until_propagated "$NOT_READY" "$@" || status=$?
  cat "$scratch/said" >&2
  ((status == 0)) || explain_refusal ""
  return "$status"
}
