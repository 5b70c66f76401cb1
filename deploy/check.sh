# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# deploy.sh check: asks the deployed function what the page and its users ask of it, one line a check, and ends
# naming the model that serves. Sourced by deploy.sh, after deploy/common.sh; deploy.sh sets function_url,
# scratch (a folder of its own) and SITE_ORIGIN. curl sends the requests.

CHECK_SECONDS=120  # how long, in all, the check waits for a function that is not ready yet
KNOWN_DIGIT=1  # what examples/one.py draws, as its name says

# The README's example digit, a 1, as 784 comma-separated pixels, from the one module that draws it.
known_pixels() { python3 -B -m examples.one; }

# Sends one request: METHOD, a PATH below the function's URL, then curl's options. Sets status and body, and
# keeps the answer's headers for `header`; returns 1, with curl's reason in `reason`, when no answer came.
ask() {
  local method=$1 path=$2
  shift 2
  if ! status=$(curl --silent --show-error --max-time 60 --request "$method" --output "$scratch/body" \
    --dump-header "$scratch/headers" --write-out '%{http_code}' "$@" "$function_url$path" 2>"$scratch/error"); then
    reason="no answer: $(<"$scratch/error")"
    return 1
  fi
  body=$(<"$scratch/body")
}

# The last value of the answer's header NAME (any case), empty when there is none.
header() {
  local line value=""
  while IFS= read -r line; do
    line=${line%$'\r'}
    [[ ${line,,} != "${1,,}:"* ]] || value=${line#*:}
  done <"$scratch/headers"
  echo "${value#"${value%%[! ]*}"}"
}

# A field of the answer's JSON body (see json_field); fails when the body is not a JSON object.
field() { json_field "$1" <<<"$body" 2>/dev/null; }

# What the answer says went wrong: its JSON message, else the start of its body.
message() { field error || echo "${body:0:120}"; }

# As ask, but asks again while the function is not ready: while it answers 503, or its health has no model
# loaded yet. It waits as Retry-After says (without one, RETRY_SECONDS: the function's own default wait), saying
# so, until CHECK_SECONDS have passed since the check began.
ask_when_ready() {
  local pause why loaded
  while ask "$@"; do
    if [[ $status == 503 ]]; then
      why="it answers 503: $(message)"
    elif [[ $1 == GET && $status == 200 ]] && loaded=$(field loaded) && [[ $loaded != True ]]; then
      why=$(field error) || true
      why=${why:+"it could not load its model: $why"}
      why=${why:-"it is loading its model"}
    else
      return 0
    fi
    pause=$(header Retry-After)
    [[ $pause =~ ^[0-9]+$ ]] || pause=$RETRY_SECONDS
    if ((SECONDS + pause > check_deadline)); then
      reason="$why (after waiting for up to $CHECK_SECONDS s in all)"
      return 1
    fi
    echo "waiting: $why; asking again in $pause s"
    sleep "$pause"
  done
  return 1
}

# The checks, in order. Each sets `said`, what it found, and fails with `reason`, why.

check_health() {
  ask_when_ready GET "" || return 1
  model=$(field model) || { reason="it answers $status, not JSON: $(message)"; return 1; }
  [[ $status == 200 && -n $model ]] || { reason="it answers $status: ${body:0:120}"; return 1; }
  collects_corrections=$(field corrections)
  said="the model $model"
}

check_reading() {
  ask_when_ready POST "" --header "Content-Type: application/json" --data "{\"image\": \"$(known_pixels)\"}" ||
    return 1
  [[ $status == 200 ]] || { reason="it answers $status: $(message)"; return 1; }
  local read
  read=$(field prediction) || { reason="it answers 200, not JSON: $(message)"; return 1; }
  [[ $read == "$KNOWN_DIGIT" ]] || { reason="it reads a ${read:-nothing}, with the model $(field model)"; return 1; }
  said="by $(field model)"
}

# A body that is not JSON, sent to PATH (the reading, or the corrections), must get a 400 with a message.
refuses_malformed() {
  ask_when_ready POST "$1" --data "not JSON" || return 1
  local error
  error=$(field error) || true
  [[ $status == 400 && -n $error ]] || { reason="it answers $status: ${body:0:120}"; return 1; }
  said="\"$error\""
}

check_malformed_reading() { refuses_malformed ""; }
check_malformed_correction() { refuses_malformed /corrections; }

# What a browser asks before the page's first POST, and what it needs in the answer to send it.
check_preflight() {
  ask_when_ready OPTIONS "" --header "Origin: $SITE_ORIGIN" --header "Access-Control-Request-Method: POST" \
    --header "Access-Control-Request-Headers: content-type" || return 1
  local origin methods headers
  origin=$(header Access-Control-Allow-Origin)
  methods=$(header Access-Control-Allow-Methods)
  headers=$(header Access-Control-Allow-Headers)
  if [[ $status != 2?? ]]; then
    reason="it answers $status"
  elif [[ $origin != "$SITE_ORIGIN" && $origin != "*" ]]; then
    reason="its Access-Control-Allow-Origin is '${origin:-absent}': browsers would refuse the page's requests"
  elif [[ ! ${methods^^} =~ (^|[ ,])POST([ ,]|$) ]]; then
    reason="its Access-Control-Allow-Methods is '$methods', without POST"
  elif [[ ! ${headers,,} =~ (^|[ ,])content-type([ ,]|$) ]]; then
    reason="its Access-Control-Allow-Headers is '$headers', without Content-Type"
  else
    said="Access-Control-Allow-Origin: $origin"
    return 0
  fi
  return 1
}

# Runs one check: prints "ok" or "FAILED" and what it checked, with what it found or why it failed.
run_check() {
  local check=$1 what=$2 said="" reason=""
  if "$check"; then
    printf 'ok      %s%s\n' "$what" "${said:+ ($said)}"
  else
    printf 'FAILED  %s: %s\n' "$what" "$reason"
    failed+=("$what")
  fi
}

check_function() {
  step "Checking the function at $function_url as the page and its users ask it" \
    "The function's logs say more: gcloud functions logs read $function_name --gen2 --region=$region --project=$project"
  check_deadline=$((SECONDS + CHECK_SECONDS))
  failed=()
  run_check check_health "GET answers its health with a model loaded"
  if ((${#failed[@]} == 0)); then  # without a model, the other checks would only say so again
    run_check check_reading "a POST of the README's $KNOWN_DIGIT reads a $KNOWN_DIGIT"
    run_check check_malformed_reading "a malformed POST gets a 400 with a JSON message"
    run_check check_preflight "a CORS preflight from $SITE_ORIGIN may POST"
    if [[ $collects_corrections == True ]]; then
      run_check check_malformed_correction "a malformed correction gets a 400, not a 404"
    else
      echo "-       corrections are not collected here, so there is no correction to check"
    fi
  fi
  if ((${#failed[@]} > 0)); then
    local joined
    joined=$(printf '%s; ' "${failed[@]}")
    printf '\ndeploy.sh: the function at %s failed %d check(s): %s.\n%s\n' "$function_url" "${#failed[@]}" \
      "${joined%; }" "$remedy" >&2
    exit 1
  fi
  printf '\nThe function at %s works, serving the model %s.\n' "$function_url" "$model"
}
