#!/usr/bin/env bash
# `ssoenv export` with a warm cache: the emulator's sample config and one of
# over 2,000 profiles, beside a bare process start (baseline) and botocore
# reading the same cached credentials (peer: what the AWS CLI v2 and boto3 do).
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
# The emulator's sample config, and the same with 2,000 copies of its dev profile.
"$bin" emulator --print-config >"$work/small"
dev=$(sed -n '/^\[profile dev\]$/,/^$/p' "$work/small")
{
    cat "$work/small"
    for i in $(seq 1 2000); do
        printf -v name 'team-%04d' "$i"
        printf '\n%s\n' "${dev/\[profile dev\]/[profile $name]}"
    done
} >"$work/large"
profiles() { grep -c '^\[profile ' "$1"; }

"$bin" emulator --port 0 >"$work/endpoints" 2>/dev/null &
emulator_pid=$!
for _ in $(seq 50); do [ -s "$work/endpoints" ] && break; sleep 0.1; done
set -a; . "$work/endpoints"; set +a
export AWS_CONFIG_FILE=$work/small
"$bin" login dev --no-browser 2>/dev/null
"$bin" export dev --format json >/dev/null
AWS_CONFIG_FILE=$work/large "$bin" export team-2000 --format json >/dev/null

echo "config sizes: small $(profiles "$work/small") profiles, $(wc -l <"$work/small") lines;" \
    "large $(profiles "$work/large") profiles, $(wc -l <"$work/large") lines"
hyperfine --warmup 20 --runs 300 -N --export-markdown "$work/small.md" \
    -n "true (process baseline)" "true" \
    -n "ssoenv export ($(profiles "$work/small") profiles)" "$bin export dev --format json" \
    -n "botocore, same cache (peer)" "$python $here/tests/interop/botocore_sso.py credentials dev --cli-cache" \
    >/dev/null
AWS_CONFIG_FILE=$work/large hyperfine --warmup 20 --runs 300 -N --export-markdown "$work/large.md" \
    -n "ssoenv export ($(profiles "$work/large") profiles)" "$bin export team-2000 --format json" \
    >/dev/null
cat "$work/small.md"
tail -n 1 "$work/large.md"
