# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# Public access: the page's bucket and the function are public (allUsers), which two organisation policies can
# refuse. deploy.sh reads them before it changes anything, and makes the page's bucket public before the function
# is built, so that a refusal stops it before a build of several minutes. Sourced by deploy.sh, after
# deploy/common.sh; deploy.sh sets project, region, function_name, site_bucket and scratch.

PUBLIC_ACCESS_PREVENTION=storage.publicAccessPrevention  # no bucket may be public
DOMAIN_RESTRICTION=iam.allowedPolicyMemberDomains  # no role for members outside the listed customers: allUsers

# Reads an effective policy (gcloud org-policies describe --effective --format=json, the v2 Policy) and prints
# "refuses" when it refuses allUsers everywhere in the project: a rule without a condition that enforces the
# boolean constraint, denies all values, or allows listed customers only (allUsers is none of them); else
# "allows". A rule with a condition holds for some resources only: making the bucket public then tells.
read -r -d '' POLICY_VERDICT <<'PYTHON' || true
import json, sys
rules = json.load(sys.stdin).get("spec", {}).get("rules", [])
refusing = [
    rule for rule in rules
    if "condition" not in rule
    and (rule.get("enforce") or rule.get("denyAll") or rule.get("values", {}).get("allowedValues"))
]
print("refuses" if refusing else "allows")
PYTHON

# Why CONSTRAINT stops the deploy, and the ways out.
public_refusal() {
  local what
  case $1 in
    "$PUBLIC_ACCESS_PREVENTION") what="no bucket of $project may be public, so the page cannot be served from gs://$site_bucket" ;;
    *) what="allUsers may hold no role in $project, so neither the page's bucket nor the function can be public" ;;
  esac
  printf '%s' "the organisation policy $1 refuses public access in $project: $what. Ways out: deploy to a" \
    " project outside the policy, or ask an Organization Policy Administrator for an exception for $project" \
    " (docs/deploying.md, \"Organisation policies that stop it\")."
}

# When what the failed command said ($scratch/said) is a refusal deploy.sh knows, the remedy says why and the
# ways out, then AFTERMATH.
explain_refusal() {
  local said
  said=$(<"$scratch/said")
  # shellcheck disable=SC2034  # on_error, in deploy/common.sh, prints the remedy
  case $said in
    *"public access prevention is enforced"*) remedy="$(public_refusal "$PUBLIC_ACCESS_PREVENTION") $1" ;;
    *"do not belong to a permitted customer"*) remedy="$(public_refusal "$DOMAIN_RESTRICTION") $1" ;;
    *"run.services.setIamPolicy"*)
      remedy="you may deploy the function but not let everyone call it: that needs the Cloud Run Admin or the Cloud Functions Admin role in $project. $1" ;;
  esac
}

# Reads CONSTRAINT's effective policy for the project; stops when it refuses public access. A policy that cannot
# be read (no permission to, say) is not guessed at: making the page's bucket public, before the build, tells.
check_policy() {
  local policy
  if ! policy=$(gcloud org-policies describe "$1" --effective --project="$project" --format=json 2>"$scratch/said"); then
    echo "$1 could not be read ($(grep -m1 . "$scratch/said")); the page's bucket is made public before the function is built, which tells."
    return 0
  fi
  [[ $(python3 -c "$POLICY_VERDICT" <<<"$policy") == allows ]] ||
    fail "$(public_refusal "$1") Nothing was changed."
  echo "$1 lets the page and the function be public."
}

check_public_access() {
  step "Reading the organisation policies that could refuse a public page and function" \
    "Check that python3 works: deploy.sh reads the policies' JSON with it."
  check_policy "$PUBLIC_ACCESS_PREVENTION"
  check_policy "$DOMAIN_RESTRICTION"
}
