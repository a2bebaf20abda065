#!/usr/bin/env bash
# `write-credentials --all` against writing the same profiles one at a time,
# one process per profile, as the seed's script and yawsso do: 100 SSO
# profiles (distinct accounts, so every profile is a real fetch) behind a
# local Identity Center that takes 100 ms per answer.
#
#   cargo build --release && bench/write-credentials.sh [path/to/ssoenv]
#
# PROFILES, LATENCY_MS and RUNS change the set-up. Everything happens in a
# temporary HOME; the real ~/.aws is never read or written.
set -euo pipefail
cd "$(dirname "$0")/.."
ssoenv=$(realpath "${1:-target/release/ssoenv}")
profiles=${PROFILES:-100}
latency_ms=${LATENCY_MS:-100}
runs=${RUNS:-5}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

work=$(mktemp -d)
emulator_pid=
trap '[ -n "$emulator_pid" ] && kill "$emulator_pid"; rm -rf "$work"' EXIT
for var in $(compgen -e); do
  case $var in AWS_* | SSOENV_*) unset "$var" ;; esac
done
export HOME=$work/home XDG_RUNTIME_DIR=$work/run SSOENV=$ssoenv

"$ssoenv" emulator --latency-ms "$latency_ms" --extra-accounts "$profiles" >"$work/endpoints" 2>/dev/null &
emulator_pid=$!
until [ "$(wc -l <"$work/endpoints")" -ge 2 ]; do sleep 0.05; done
set -a
# shellcheck source=/dev/null # the emulator's two variables
. "$work/endpoints"
set +a

mkdir -p "$HOME/.aws"
# The sso-session corp of the emulator's sample config (its first paragraph),
# and a profile for each extra account.
{
  "$ssoenv" emulator --print-config | sed -n '/^$/q;p'
  for i in $(seq "$profiles"); do
    printf '\n[profile p%d]\nsso_session = corp\nsso_account_id = %d\nsso_role_name = Admin\n' \
      "$i" $((900000000000 + i))
  done
} >"$HOME/.aws/config"
"$ssoenv" login --sso-session corp --no-browser 2>/dev/null

# Every run starts cold: no cached role credentials, no credentials file.
cold="rm -rf '$HOME/.aws/cli/cache' '$HOME/.aws/credentials'"
eval "$cold"
"$ssoenv" write-credentials --all 2>/dev/null
written=$(grep -c '^ssoenv_managed = true$' "$HOME/.aws/credentials")
echo "check: --all wrote $written sections for $profiles profiles, ${latency_ms} ms per answer"
[ "$written" -eq "$profiles" ]
if command -v curl >/dev/null; then
  echo "check: emulator calls $(curl -fsS "$AWS_ENDPOINT_URL_SSO/__emulator/calls")"
fi

# shellcheck disable=SC2016 # $SSOENV is expanded by hyperfine's shell
hyperfine --runs "$runs" --prepare "$cold" \
  --command-name "write-credentials --all" \
  '"$SSOENV" write-credentials --all 2>/dev/null' \
  --command-name "write-credentials NAME, one process per profile" \
  "for i in \$(seq $profiles); do \"\$SSOENV\" write-credentials p\$i 2>/dev/null || exit 1; done"
