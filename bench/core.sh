#!/usr/bin/env bash
# `ssoenv export` with a warm cache: a small config and one of 2,000
# profiles, beside a bare process start (baseline) and botocore reading the
# same cached credentials (peer: what the AWS CLI v2 and boto3 do).
#
#   cargo build --release && bench/core.sh [path/to/ssoenv]
#
# Needs hyperfine (Debian package) and a Python with botocore (.venv, made by
# .ci/run, or SSOENV_TEST_PYTHON).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$here/target/release/ssoenv}")
python=${SSOENV_TEST_PYTHON:-$here/.venv/bin/python}
[ -x "$python" ] || python=python3

work=$(mktemp -d)
trap 'kill "${emulator_pid-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME=$work/home XDG_RUNTIME_DIR=$work/run
mkdir -p "$HOME/.aws"
{
    printf '[sso-session corp]\nsso_start_url = https://d-0000000000.awsapps.com/start\nsso_region = us-east-1\n\n'
    printf '[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n'
} >"$work/small"
{
    cat "$work/small"
    for i in $(seq 1 2000); do
        printf '\n[profile team-%04d]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n' "$i"
    done
} >"$work/large"

"$bin" emulator --port 0 >"$work/endpoints" 2>/dev/null &
emulator_pid=$!
for _ in $(seq 50); do [ -s "$work/endpoints" ] && break; sleep 0.1; done
set -a; . "$work/endpoints"; set +a
export AWS_CONFIG_FILE=$work/small
"$bin" login dev --no-browser 2>/dev/null
"$bin" export dev --format json >/dev/null
AWS_CONFIG_FILE=$work/large "$bin" export team-2000 --format json >/dev/null

echo "config sizes: small $(wc -l <"$work/small") lines, large $(wc -l <"$work/large") lines"
hyperfine --warmup 20 --runs 300 -N --export-markdown "$work/small.md" \
    -n "true (process baseline)" "true" \
    -n "ssoenv export (1 profile)" "$bin export dev --format json" \
    -n "botocore, same cache (peer)" "$python $here/tests/interop/botocore_sso.py credentials dev --cli-cache" \
    >/dev/null
AWS_CONFIG_FILE=$work/large hyperfine --warmup 20 --runs 300 -N --export-markdown "$work/large.md" \
    -n "ssoenv export (2,001 profiles)" "$bin export team-2000 --format json" \
    >/dev/null
cat "$work/small.md"
tail -n 1 "$work/large.md"
