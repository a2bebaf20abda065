#!/usr/bin/env bash
# `ssoenv list --refresh` over 300 accounts with 3 roles each, behind a local
# Identity Center that answers every call after 150 ms and allows 20 portal
# requests a second (answering 429 beyond that, like the real service),
# beside aws-sso-util (peer: it lists one call at a time), and a warm
# `ssoenv list` from the cache.
#
#   cargo build --release && bench/list.sh [path/to/ssoenv]
#
# Targets: no failed or throttled call, a listing within 1.25x of the rate
# limit's floor (calls / 20 per second), a warm list under 10 ms; the run
# ends saying which were met and fails when one was missed.
# ACCOUNTS, ROLES, LATENCY_MS, RATE and RUNS change the set-up. Needs
# hyperfine, curl and python3; aws-sso-util goes, pinned by
# bench/requirements-list.txt, into a venv of its own (target/venv-list, or
# LIST_BENCH_VENV), never the test venv. Everything happens in a temporary
# HOME; the real ~/.aws is never read or written.
set -euo pipefail
cd "$(dirname "$0")/.."
ssoenv=$(realpath "${1:-target/release/ssoenv}")
accounts=${ACCOUNTS:-300}
roles=${ROLES:-3}
latency_ms=${LATENCY_MS:-150}
rate=${RATE:-20}
runs=${RUNS:-3}
venv=${LIST_BENCH_VENV:-$PWD/target/venv-list}
for tool in hyperfine curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
if [ ! -x "$venv/bin/aws-sso-util" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements-list.txt
fi
peer=$venv/bin/aws-sso-util

work=$(mktemp -d)
emulator_pid=
trap '[ -n "$emulator_pid" ] && kill "$emulator_pid"; rm -rf "$work"' EXIT
for var in $(compgen -e); do
  case $var in AWS_* | SSOENV_* | XDG_*) unset "$var" ;; esac
done
export HOME=$work/home XDG_RUNTIME_DIR=$work/run

# The emulator always has its 3 sample accounts (5 roles); the rest are
# generated with $roles roles each.
"$ssoenv" emulator --latency-ms "$latency_ms" --rate-limit "$rate" \
  --extra-accounts $((accounts - 3)) --roles-per-account "$roles" >"$work/endpoints" 2>/dev/null &
emulator_pid=$!
until [ "$(wc -l <"$work/endpoints")" -ge 2 ]; do sleep 0.05; done
set -a
# shellcheck source=/dev/null # the emulator's two variables
. "$work/endpoints"
set +a

start_url=https://d-0000000000.awsapps.com/start
mkdir -p "$HOME/.aws"
# ssoenv lists the sso-session; aws-sso-util finds its token under the start
# URL, where a legacy profile's sign-in keeps it.
cat >"$HOME/.aws/config" <<EOF
[sso-session bench]
sso_start_url = $start_url
sso_region = us-east-1

[profile legacy]
sso_start_url = $start_url
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin
EOF
"$ssoenv" login --sso-session bench --no-browser 2>/dev/null
"$ssoenv" login legacy --no-browser 2>/dev/null

ours=("$ssoenv" list --sso-session bench --refresh)
theirs=("$peer" roles --sso-start-url "$start_url" --sso-region us-east-1 --no-header)

# Listing calls and 429s so far, from the emulator's counters.
counters() {
  python3 -c '
import json, sys, urllib.request
def get(route):
    with urllib.request.urlopen(sys.argv[1] + "/__emulator/" + route) as r:
        c = json.load(r)
    return c["ListAccounts"] + c["ListAccountRoles"]
print(get("calls"), get("throttled"))' "$AWS_ENDPOINT_URL_SSO"
}

# One checked run of each: every assignment listed, calls and 429s counted.
check() {
  local name=$1
  shift
  read -r calls_before throttled_before < <(counters)
  local started ended
  started=$(date +%s.%N)
  "$@" >"$work/out" 2>"$work/err" || { echo "$name failed:" >&2; cat "$work/err" >&2; exit 1; }
  ended=$(date +%s.%N)
  read -r calls_after throttled_after < <(counters)
  local calls=$((calls_after - calls_before)) throttled=$((throttled_after - throttled_before))
  checked_throttled=$throttled
  checked_ratio=$(python3 -c "print(f'{($ended - $started) / ($calls / $rate):.2f}')")
  echo "check: $name listed $(grep -c . "$work/out") lines with $calls calls," \
    "$throttled answered 429, in $(python3 -c "print(f'{$ended - $started:.2f}')") s;" \
    "floor $calls / $rate per s = $(python3 -c "print(f'{$calls / $rate:.2f}')") s"
}
expected=$(((accounts - 3) * roles + 5))
"${ours[@]}" --json >"$work/json"
listed=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/json")
echo "check: ssoenv list --json has $listed assignments; the emulator holds $expected"
[ "$listed" -eq "$expected" ]
check "ssoenv list --refresh (table)" "${ours[@]}"
ours_throttled=$checked_throttled ours_ratio=$checked_ratio
check "aws-sso-util roles" "${theirs[@]}"
[ "$(grep -c . "$work/out")" -eq "$expected" ]

hyperfine -N --runs "$runs" --export-markdown "$work/cold.md" \
  --command-name "ssoenv list --refresh" "${ours[*]}" \
  --command-name "aws-sso-util roles (peer)" "${theirs[*]}" >/dev/null
hyperfine -N --warmup 20 --runs 300 --export-markdown "$work/warm.md" --export-json "$work/warm.json" \
  --command-name "ssoenv list (warm, from the cache)" "$ssoenv list --sso-session bench" >/dev/null
cat "$work/cold.md"
tail -n 1 "$work/warm.md"
read -r calls throttled < <(counters)
echo "emulator totals: $calls listing calls, $throttled answered 429"

# The targets above, each met or missed; a missed one fails the benchmark.
warm_ms=$(python3 -c 'import json, sys; print(f"{json.load(open(sys.argv[1]))["results"][0]["mean"] * 1000:.1f}")' "$work/warm.json")
missed=0
target() {
  if python3 -c "import sys; sys.exit(0 if $2 else 1)"; then
    echo "target met: $1"
  else
    echo "target missed: $1" >&2
    missed=1
  fi
}
target "no 429 while ssoenv lists ($ours_throttled)" "$ours_throttled == 0"
target "listing within 1.25x of the rate floor (${ours_ratio}x)" "$ours_ratio <= 1.25"
target "warm list under 10 ms (${warm_ms} ms)" "$warm_ms < 10"
exit "$missed"
