# shellcheck shell=bash
# ./deploy.sh --help. Sourced by deploy.sh, after read_shared: the text names the default concurrency, THREADS,
# so its backquotes are escaped.

usage() {
  cat <<EOF
Usage: ./deploy.sh --project PROJECT --region REGION [options]
       ./deploy.sh publish|promote VERSION|rollback|versions --project PROJECT [--bucket NAME] [--dry-run]
       ./deploy.sh check --project PROJECT --region REGION [--function NAME]
       ./deploy.sh delete --project PROJECT --region REGION [--function NAME] [--yes] [--with-corrections]
                   [--dry-run] [--bucket NAME] [--site-bucket NAME] [--corrections-bucket NAME]

Without a command, deploys Digit to Google Cloud: the weights to a bucket as a model version, pointed live,
function/ as a gen2 HTTP Cloud Function, and the page (site/, with a config.js naming the function) to a
public bucket that serves it and holds nothing else. Before it changes anything it reads the organisation
policies that could refuse a public page (storage.publicAccessPrevention, iam.allowedPolicyMemberDomains),
and it makes the page's bucket public before the function is built. The function runs as a service account
of its own, NAME-function, and is built as another, NAME-build, which gets the build's roles on the project.
On a new project, where an API just enabled or an account just created is not ready yet, it waits and tries
again, saying so, for about three minutes at most. Prints the page's and the function's URLs, then checks
the function as \`check\` does.

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

delete removes what a deploy made: the function, the page's bucket, the weights' bucket with every model
version in it, and the two service accounts with the roles they were given. It keeps the corrections bucket
(people's drawings) unless --with-corrections. It lists what it will remove and asks; without a terminal
to ask on it refuses unless --yes. What is gone already is skipped: run twice, the second finds nothing.
Name the buckets and the function as you did to deploy.

  --project PROJECT     the Google Cloud project id (required)
  --region REGION       where the function and the buckets live, e.g. europe-west1 (required to deploy, to
                        check and to delete)
  --bucket NAME         the weights bucket (default: PROJECT-digit-weights)
  --site-bucket NAME    the page's public bucket (default: PROJECT-digit-site); a deploy deletes there
                        whatever the page does not have
  --function NAME       the function's name (default: digit); it runs as the service account
                        NAME-function and is built as NAME-build, created if missing
  --runtime RUNTIME     the Python runtime: python312 (default) or python313
  --memory SIZE         the function's memory, in Mi or Gi (or M or G) (default: 512Mi)
  --cpu N               the function's vCPUs: 1, 2, 4, 6 or 8, or a fraction from 0.08 with --concurrency 1
                        (default: 1); Cloud Run's table of what memory each takes is in docs/deploying.md
  --concurrency N       requests one instance serves at once, each in a thread of its own, 1 to 1000
                        (default: $THREADS)
  --min-instances N     instances kept warm, billed while idle; 0 means cold starts (default: 0)
  --max-instances N     the most instances a flood of requests can start, at least --min-instances
                        (default: 3)
  --corrections         lets the page send corrections ("Wrong? It was: 7"), which the function stores in a
                        private bucket that deletes them after 90 days
  --corrections-bucket NAME
                        that bucket (default: PROJECT-digit-corrections; implies --corrections)
  --no-check            do not check the function once deployed
  --dry-run             print the commands that would change something, and run none of them
                        (the read-only checks of the project still run; the function is never called)
  --yes                 delete without asking
  --with-corrections    delete the corrections bucket too
  -h, --help            show this text

DIGIT_DEPLOY_WAIT_SECONDS sets the first of the waits for what a new project is still propagating (5 by
default; the later waits are 2, 4, 6, 9 and 12 times as long).
EOF
}
