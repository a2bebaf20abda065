# ssoenv shell integration for fish (3.1 and later).
# Load it from ~/.config/fish/config.fish:  ssoenv init fish | source
#
# `ssoenv init` fills in the binary's path, the wrapper's name, the hook
# mode (prompt, cd or none) and the sentinel line where the placeholders stand.

set -g __ssoenv_bin __SSOENV_BIN__
set -g __ssoenv_hook_mode __SSOENV_HOOK__
set -g __ssoenv_sentinel __SSOENV_SENTINEL__
set -gx SSOENV_SHELL "fish $fish_pid __SSOENV_VERSION__ $__ssoenv_hook_mode $__ssoenv_bin" # for `ssoenv doctor`
set -q __ssoenv_pwd; or set -g __ssoenv_pwd ''

# An upgrade may have moved the binary since this shell started: find it on
# PATH again. Costs a stat, and only where the binary is about to run anyway.
function __ssoenv_locate
    test -x "$__ssoenv_bin"; or set -g __ssoenv_bin (command -s ssoenv)
end

# Evaluate what the binary printed (one argument a line) only when it is
# ssoenv's own code: it starts with the sentinel line. Anything else (help,
# a version, a usage message) is shown as it is. Command substitution split
# the lines; joining them back with newlines restores the code exactly
# (values keep their newlines).
function __ssoenv_eval
    if test "$argv[1]" = "$__ssoenv_sentinel"
        set -e argv[1]
        string join \n -- $argv | source
    else if set -q argv[1]
        string join \n -- $argv
    end
end

# The wrapper: only the verbs that change this shell have their output
# evaluated; everything else runs as is.
function __SSOENV_CMD__ --description 'IAM Identity Center credentials for this shell'
    __ssoenv_locate; or return 127
    switch "$argv[1]"
        case use off
            # The rest of the arguments, without a slice: how fish treats a
            # slice past the end has changed between versions.
            set -l rest $argv
            set -e rest[1]
            set -l out ($__ssoenv_bin $argv[1] --shell fish $rest)
            set -l code $status
            if test $code -eq 0
                __ssoenv_eval $out
            else if set -q out[1]
                string join \n -- $out
            end
            return $code
        case allow deny login
            # These change what the directory profile resolves to: look again
            # at the next prompt.
            $__ssoenv_bin $argv
            or return
            set -g __ssoenv_pwd ''
        case doctor
            # Only the shell sees its prompt hooks: doctor gets the handlers
            # of fish_prompt, for this run.
            set -lx SSOENV_HOOKS (functions --handlers-type generic | string replace -rf '^fish_prompt\s+' '' | string join ';')
            $__ssoenv_bin $argv
        case '*'
            $__ssoenv_bin $argv
    end
end

# Runs before every prompt. The directory check is in the shell; the renewal
# check needs the clock, which fish has no builtin for, so it costs one
# `date` only while a profile is active.
function __ssoenv_hook --on-event fish_prompt
    if test "$__ssoenv_hook_mode" = none
        return
    end
    if test "$__ssoenv_pwd" != "$PWD"
        set -g __ssoenv_pwd $PWD
        __ssoenv_apply
    end
    # Checked after a directory change too: leaving a tree may have brought
    # back credentials that are due by now.
    if test "$__ssoenv_hook_mode" = prompt
        and set -q SSOENV_RENEW_AT
        and string match -qr '^[0-9]+$' -- $SSOENV_RENEW_AT
        and test (date +%s) -ge $SSOENV_RENEW_AT
        __ssoenv_apply
    end
end

function __ssoenv_apply
    __ssoenv_locate; or return 0
    set -l code ($__ssoenv_bin hook fish)
    or return 0
    __ssoenv_eval $code
end

# Completion for the wrapper: clap_complete's registration, as `ssoenv
# completions fish` prints it, asking the wrapper for the candidates. Erased
# first, so loading the integration twice does not add it twice.
complete --erase --command __SSOENV_CMD__
__SSOENV_COMPLETION__
