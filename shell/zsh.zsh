# ssoenv shell integration for zsh.
# Load it from ~/.zshrc:  eval "$(ssoenv init zsh)"
#
# `ssoenv init` fills in the binary's path, the wrapper's name, the hook
# mode (prompt, cd or none) and the sentinel line where the placeholders stand.

typeset -g __ssoenv_bin=__SSOENV_BIN__
typeset -g __ssoenv_hook_mode='__SSOENV_HOOK__'
typeset -g __ssoenv_sentinel=__SSOENV_SENTINEL__
export SSOENV_SHELL="zsh $$ __SSOENV_VERSION__ $__ssoenv_hook_mode $__ssoenv_bin" # for `ssoenv doctor`

zmodload zsh/datetime 2>/dev/null   # EPOCHSECONDS: the clock without a process
\unalias __SSOENV_CMD__ 2>/dev/null || true

# An upgrade may have moved the binary since this shell started: find it on
# PATH again. Costs a stat, and only where the binary is about to run anyway.
__ssoenv_locate() {
    [[ -x $__ssoenv_bin ]] || __ssoenv_bin=$(whence -p ssoenv)
}

# Evaluate $1, what the binary printed, only when it is ssoenv's own code:
# it starts with the sentinel line and the binary succeeded ($2, default 0).
# Anything else (help, a version, a usage message) is shown as it is.
__ssoenv_eval() {
    emulate -L zsh
    case $1 in
    ("$__ssoenv_sentinel"|"$__ssoenv_sentinel"$'\n'*)
        [[ ${2-0} != 0 ]] || eval "${1#"$__ssoenv_sentinel"}"
        ;;
    (?*)
        print -r -- "$1"
        ;;
    esac
}

# The wrapper: only the verbs that change this shell have their output
# evaluated; everything else runs as is.
__SSOENV_CMD__() {
    emulate -L zsh
    __ssoenv_locate || return 127
    case "${1-}" in
    (use|off)
        local __ssoenv_out __ssoenv_status=0
        __ssoenv_out="$("$__ssoenv_bin" "$1" --shell zsh "${@[2,-1]}")" || __ssoenv_status=$?
        __ssoenv_eval "$__ssoenv_out" $__ssoenv_status
        return $__ssoenv_status
        ;;
    (allow|deny|login)
        # These change what the directory profile resolves to: look again at
        # the next prompt.
        "$__ssoenv_bin" "$@" || return
        __ssoenv_pwd=
        ;;
    (doctor)
        # Only the shell sees its prompt hooks: doctor gets them, for this run.
        SSOENV_HOOKS="${(j:;:)precmd_functions}" "$__ssoenv_bin" "$@"
        ;;
    (*)
        "$__ssoenv_bin" "$@"
        ;;
    esac
}

# Runs before every prompt (precmd). Decides inside the shell, with no
# process started, unless the directory changed or renewal is due. Never in
# subshells: completion runs `$(cd …)`.
__ssoenv_hook() {
    local __ssoenv_status=$?
    emulate -L zsh
    if (( ZSH_SUBSHELL )); then
        return $__ssoenv_status
    fi
    if [[ "${__ssoenv_pwd-}" != "$PWD" ]]; then
        __ssoenv_pwd=$PWD
        __ssoenv_apply
    fi
    # Checked after a directory change too: leaving a tree may have brought
    # back credentials that are due by now.
    if [[ $__ssoenv_hook_mode == prompt && "${SSOENV_RENEW_AT-}" == <-> ]] && (( ${EPOCHSECONDS:-0} >= SSOENV_RENEW_AT )); then
        __ssoenv_apply
    fi
    return $__ssoenv_status
}

__ssoenv_apply() {
    __ssoenv_locate || return 0
    local __ssoenv_code
    __ssoenv_code="$("$__ssoenv_bin" hook zsh)" || return 0
    __ssoenv_eval "$__ssoenv_code"
}

typeset -g __ssoenv_pwd
# First among the precmd hooks, once, so themes computed in precmd see the
# new account. Option-independent (ksh_arrays and all) inside the function.
() {
    emulate -L zsh
    typeset -ag precmd_functions
    if [[ $__ssoenv_hook_mode != none ]] && (( ! ${precmd_functions[(I)__ssoenv_hook]} )); then
        precmd_functions=(__ssoenv_hook $precmd_functions)
    fi
}

# Completion for the wrapper: clap_complete's registration, as `ssoenv
# completions zsh` prints it, asking the wrapper for the candidates. It needs
# compinit's `compdef`: registered now when compinit has run, else at the
# first prompt, after the rest of .zshrc; without compinit, not at all.
__ssoenv_complete() {
__SSOENV_COMPLETION__
}
__ssoenv_complete_later() {
    emulate -L zsh
    precmd_functions=(${precmd_functions:#__ssoenv_complete_later})
    if (( $+functions[compdef] )); then
        __ssoenv_complete
    fi
}
() {
    emulate -L zsh
    if (( $+functions[compdef] )); then
        __ssoenv_complete
    elif (( ! ${precmd_functions[(I)__ssoenv_complete_later]} )); then
        precmd_functions+=(__ssoenv_complete_later)
    fi
}
