# ssoenv shell integration for bash (4.0 and later; 3.2 works too).
# Load it from ~/.bashrc, after other prompt tools:  eval "$(ssoenv init bash)"
#
# `ssoenv init` fills in the binary's path, the wrapper's name, the hook
# mode (prompt, cd or none) and the sentinel line where the placeholders stand.

__ssoenv_bin=__SSOENV_BIN__
__ssoenv_hook_mode='__SSOENV_HOOK__'
__ssoenv_sentinel=__SSOENV_SENTINEL__
export SSOENV_SHELL="bash $$ __SSOENV_VERSION__ $__ssoenv_hook_mode $__ssoenv_bin" # for `ssoenv doctor`

\unalias __SSOENV_CMD__ 2>/dev/null || true

# An upgrade may have moved the binary since this shell started: find it on
# PATH again. Costs a stat, and only where the binary is about to run anyway.
__ssoenv_locate() {
    [[ -x $__ssoenv_bin ]] || __ssoenv_bin=$(type -P ssoenv)
}

# Evaluate $1, what the binary printed, only when it is ssoenv's own code:
# it starts with the sentinel line and the binary succeeded ($2, default 0).
# Anything else (help, a version, a usage message) is shown as it is.
__ssoenv_eval() {
    case $1 in
    "$__ssoenv_sentinel" | "$__ssoenv_sentinel"$'\n'*)
        [[ ${2-0} != 0 ]] || eval "${1#"$__ssoenv_sentinel"}"
        ;;
    ?*)
        printf '%s\n' "$1"
        ;;
    esac
}

# The wrapper: only the verbs that change this shell have their output
# evaluated; everything else runs as is.
__SSOENV_CMD__() {
    __ssoenv_locate || return 127
    case "${1-}" in
    use | off)
        local __ssoenv_out __ssoenv_status=0
        __ssoenv_out="$("$__ssoenv_bin" "$1" --shell bash "${@:2}")" || __ssoenv_status=$?
        __ssoenv_eval "$__ssoenv_out" "$__ssoenv_status"
        return "$__ssoenv_status"
        ;;
    allow | deny | login)
        # These change what the directory profile resolves to: look again at
        # the next prompt.
        "$__ssoenv_bin" "$@" || return
        __ssoenv_pwd=
        ;;
    doctor)
        # Only the shell sees its prompt hooks: doctor gets them, for this run.
        local IFS=';'
        SSOENV_HOOKS="${PROMPT_COMMAND[*]-}" "$__ssoenv_bin" "$@"
        ;;
    *)
        "$__ssoenv_bin" "$@"
        ;;
    esac
}

# The clock, without starting a process where bash allows it.
if [[ -n "${EPOCHSECONDS-}" ]]; then
    __ssoenv_clock() { __ssoenv_now=$EPOCHSECONDS; }
elif printf -v __ssoenv_now '%(%s)T' -1 2>/dev/null; then
    __ssoenv_clock() { printf -v __ssoenv_now '%(%s)T' -1; }
else
    __ssoenv_clock() { __ssoenv_now=$(date +%s); }
fi

# Runs before every prompt. Decides inside the shell, with no process
# started, unless the directory changed or the credentials are due for renewal.
__ssoenv_hook() {
    local __ssoenv_status=$? __ssoenv_now
    if [[ "${__ssoenv_pwd-}" != "$PWD" ]]; then
        __ssoenv_pwd=$PWD
        __ssoenv_apply
    fi
    # Checked after a directory change too: leaving a tree may have brought
    # back credentials that are due by now.
    if [[ $__ssoenv_hook_mode == prompt && -n "${SSOENV_RENEW_AT-}" && $SSOENV_RENEW_AT != *[!0-9]* ]]; then
        __ssoenv_clock
        if ((__ssoenv_now >= SSOENV_RENEW_AT)); then
            __ssoenv_apply
        fi
    fi
    return "$__ssoenv_status"
}

__ssoenv_apply() {
    __ssoenv_locate || return 0
    local __ssoenv_code
    __ssoenv_code="$("$__ssoenv_bin" hook bash)" || return 0
    [[ -n $__ssoenv_code ]] || return 0
    # Ctrl-C may stop the binary, but not the evaluation halfway; the
    # user's own INT trap is put back afterwards.
    local __ssoenv_trap
    __ssoenv_trap=$(trap -p INT)
    trap -- '' INT
    __ssoenv_eval "$__ssoenv_code"
    if [[ -n $__ssoenv_trap ]]; then eval "$__ssoenv_trap"; else trap - INT; fi
}

# Put the hook first in PROMPT_COMMAND, once, so prompt renderers that run
# after it already see the new account. Handles the array form (bash 5.1+)
# and a string with a trailing `;`; never exports PROMPT_COMMAND.
__ssoenv_install_hook() {
    local __ssoenv_e
    if [[ "$(declare -p PROMPT_COMMAND 2>/dev/null)" == "declare -a"* ]]; then
        for __ssoenv_e in ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"}; do
            [[ $__ssoenv_e == __ssoenv_hook ]] && return 0
        done
        PROMPT_COMMAND=(__ssoenv_hook ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"})
    else
        # shellcheck disable=SC2128,SC2178 # here PROMPT_COMMAND is a string
        case ";${PROMPT_COMMAND-};" in
        *";__ssoenv_hook;"*) ;;
        *) PROMPT_COMMAND="__ssoenv_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
        esac
    fi
}

if [[ $__ssoenv_hook_mode != none ]]; then
    __ssoenv_install_hook
fi

# Completion for the wrapper: clap_complete's registration, as `ssoenv
# completions bash` prints it, asking the wrapper for the candidates.
# shellcheck disable=SC2207,SC2181 # generated code
__SSOENV_COMPLETION__
