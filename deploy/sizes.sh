# shellcheck shell=bash disable=SC2154  # the globals it reads are set by deploy.sh, which sources it
# The function's runtime and sizes, checked before any gcloud call against what Cloud Run takes
# (run/docs/configuring/services/cpu and memory-limits), so that a size it refuses stops deploy.sh at once
# rather than on the server after a build. Sourced by deploy.sh, which sets the flags' values and usage_error.

MAX_CONCURRENCY=1000
MIN_FRACTION=80  # the least vCPU Cloud Run gives, in thousandths
MIN_MEMORY=128   # MiB
# Below 1 vCPU: more than 512 MiB needs 0.5 vCPU, more than 1 GiB needs 1 vCPU.
HALF_VCPU_ABOVE=512 WHOLE_VCPU_ABOVE=1024  # MiB
# The memory each whole number of vCPUs takes, from and to, in MiB.
declare -A MEMORY_RANGE=([1]="128 4096" [2]="128 8192" [4]="2048 16384" [6]="4096 24576" [8]="4096 32768")

check_sizes() {
  # Their builds install function/requirements.txt from wheels; python314 would build h5py from source.
  case $runtime in
    python312 | python313) ;;
    *) usage_error "--runtime must be python312 or python313 (their builds install function/requirements.txt from wheels), not '$runtime'" ;;
  esac
  check_instances
  [[ $concurrency =~ ^[1-9][0-9]{0,3}$ ]] || usage_error "--concurrency must be from 1 to $MAX_CONCURRENCY, not '$concurrency'"
  ((concurrency <= MAX_CONCURRENCY)) || usage_error "--concurrency must be from 1 to $MAX_CONCURRENCY, not '$concurrency'"
  read_memory
  if [[ $cpu =~ ^[1-9][0-9]?$ && -n ${MEMORY_RANGE[$cpu]:-} ]]; then
    check_whole_vcpus
  elif [[ $cpu =~ ^0?\.([0-9]{1,3})$ ]]; then
    check_fraction_of_a_vcpu "${BASH_REMATCH[1]}"
  else
    usage_error "--cpu must be 1, 2, 4, 6 or 8, or a fraction of one vCPU from 0.08 such as 0.5, not '$cpu'"
  fi
}

check_instances() {
  [[ $min_instances =~ ^[0-9]+$ ]] || usage_error "--min-instances must be a whole number, not '$min_instances'"
  [[ $max_instances =~ ^[1-9][0-9]*$ ]] || usage_error "--max-instances must be 1 or more, not '$max_instances'"
  ((10#$min_instances <= 10#$max_instances)) ||
    usage_error "--min-instances $min_instances is more than --max-instances $max_instances: keep at most $max_instances warm"
}

# Sets memory_mib from --memory, in the forms gcloud reads for gen2: a whole number of Mi or Gi, or of M or G
# (decimal), a B after the unit allowed. gcloud reads a bare number as M, which is easily mistaken: refused.
read_memory() {
  [[ $memory =~ ^([1-9][0-9]{0,5})(Mi|Gi|M|G)B?$ ]] ||
    usage_error "--memory must be a whole number of Mi or Gi (such as 512Mi or 2Gi), or of M or G, not '$memory'"
  local amount=${BASH_REMATCH[1]} bytes
  case ${BASH_REMATCH[2]} in
    Mi) bytes=$((amount << 20)) ;;
    Gi) bytes=$((amount << 30)) ;;
    M) bytes=$((amount * 1000 ** 2)) ;;
    G) bytes=$((amount * 1000 ** 3)) ;;
  esac
  memory_mib=$(((bytes + (1 << 20) - 1) >> 20))  # rounded up: 1G is more than 953 MiB
}

# A size in MiB as Cloud Run's table writes it.
mib() { if (($1 % 1024 == 0)); then echo "$(($1 / 1024))Gi"; else echo "$1Mi"; fi; }

check_whole_vcpus() {
  local low high
  read -r low high <<<"${MEMORY_RANGE[$cpu]}"
  ((memory_mib >= low && memory_mib <= high)) ||
    usage_error "--cpu $cpu takes --memory from $(mib "$low") to $(mib "$high"), not $memory"
}

# Cloud Run's table below 1 vCPU, for a fraction given in THOUSANDTHS (its digits after the point).
check_fraction_of_a_vcpu() {
  local thousandths=$((10#$1 * 10 ** (3 - ${#1})))
  ((thousandths >= MIN_FRACTION)) ||
    usage_error "--cpu must be 1, 2, 4, 6 or 8, or a fraction of one vCPU from 0.08 such as 0.5, not '$cpu'"
  # Cloud Functions serves more than one request at a time only with a whole vCPU or more.
  [[ $concurrency == 1 ]] || usage_error "--concurrency above 1 needs --cpu 1 or more"
  ((memory_mib >= MIN_MEMORY)) || usage_error "--memory must be at least $(mib $MIN_MEMORY), not $memory"
  ((memory_mib <= WHOLE_VCPU_ABOVE)) ||
    usage_error "--cpu $cpu takes --memory up to $(mib $WHOLE_VCPU_ABOVE), not $memory: more needs --cpu 1 or more"
  ((memory_mib <= HALF_VCPU_ABOVE || thousandths >= 500)) ||
    usage_error "--cpu $cpu takes --memory up to $(mib $HALF_VCPU_ABOVE), not $memory: more needs --cpu 0.5 or more"
}
