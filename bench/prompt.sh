#!/usr/bin/env bash
# Per-prompt cost of the shell hook when nothing changed, and `ssoenv use`
# with a warm cache — each beside a baseline and a peer, in one run.
#
#   cargo build --release && bench/prompt.sh [path/to/ssoenv]
#
# Needs bash, zsh, direnv and hyperfine (Debian packages). Prompts are timed
# inside the shell with EPOCHREALTIME: 1,000 calls of the prompt hook with
# the directory unchanged and no renewal due, against an empty hook
# (baseline) and direnv's hook (peer) in the same shell.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$here/target/release/ssoenv}")
prompts=1000

work=$(mktemp -d)
trap 'kill "${emulator_pid-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export HOME=$work/home XDG_DATA_HOME=$work/home/.local/share XDG_RUNTIME_DIR=$work/run
mkdir -p "$HOME/.aws" "$work/project"
"$bin" emulator --print-config >"$HOME/.aws/config" # the sample profiles, dev among them

"$bin" emulator --port 0 >"$work/endpoints" 2>/dev/null &
emulator_pid=$!
for _ in $(seq 50); do [ -s "$work/endpoints" ] && break; sleep 0.1; done
set -a; . "$work/endpoints"; set +a
"$bin" login dev --no-browser 2>/dev/null
"$bin" export dev --format json >/dev/null # warm the credential cache
cd "$work/project"

echo "== per-prompt cost, nothing changed ($prompts prompts)"
# shellcheck disable=SC2016 # the scripts are for the inner shells
bash_bench='
eval "$("$BIN" init bash)"
eval "$(direnv hook bash)"
__ssoenv () { :; }
ssoenv use dev >/dev/null
__ssoenv_hook; _direnv_hook   # first prompt: settle both
time_it() { local s=$EPOCHREALTIME i; for ((i = 0; i < N; i++)); do "$1"; done; echo "$1 $s $EPOCHREALTIME"; }
time_it __ssoenv
time_it __ssoenv_hook
time_it _direnv_hook
'
# shellcheck disable=SC2016
zsh_bench='
zmodload zsh/datetime
eval "$("$BIN" init zsh)"
eval "$(direnv hook zsh)"
__ssoenv () { :; }
ssoenv use dev >/dev/null
__ssoenv_hook; _direnv_hook
time_it() { local s=$EPOCHREALTIME i; for ((i = 0; i < N; i++)); do "$1"; done; echo "$1 $s $EPOCHREALTIME"; }
time_it __ssoenv
time_it __ssoenv_hook
time_it _direnv_hook
'
report() {
    awk -v shell="$1" -v n="$prompts" '{
        name = ($1 == "__ssoenv") ? "empty hook (baseline)" : ($1 == "__ssoenv_hook") ? "ssoenv hook" : "direnv hook (peer)"
        printf "%-5s %-22s %9.1f us/prompt\n", shell, name, ($3 - $2) * 1e6 / n
    }'
}
BIN=$bin N=$prompts bash --norc --noprofile -c "$bash_bench" 2>/dev/null | report bash
BIN=$bin N=$prompts zsh -f -c "$zsh_bench" 2>/dev/null | report zsh

echo
echo "== ssoenv use with a warm cache"
hyperfine --warmup 20 --runs 200 -N --export-markdown "$work/use.md" \
    -n "true (process baseline)" "true" \
    -n "ssoenv use dev" "$bin use dev --shell bash" \
    -n "ssoenv export dev" "$bin export dev --format bash" 2>/dev/null | grep -E "Time|±|^  [a-z]" || true
cat "$work/use.md"
