# ssoenv shell integration for fish (3.1 and later).
# Load it from ~/.config/fish/config.fish:  ssoenv init fish | source
#
# `ssoenv init` fills in the binary's path, the wrapper's name and the hook
# mode (prompt, cd or none) where the placeholders stand.

set -g __ssoenv_bin __SSOENV_BIN__
set -g __ssoenv_hook_mode __SSOENV_HOOK__
set -gx SSOENV_SHELL "fish $fish_pid __SSOENV_VERSION__ $__ssoenv_hook_mode $__ssoenv_bin" # for `ssoenv doctor`
set -q __ssoenv_pwd; or set -g __ssoenv_pwd ''

# An upgrade may have moved the binary since this shell started: find it on
# PATH again. Costs a stat, and only where the binary is about to run anyway.
function __ssoenv_locate
    test -x "$__ssoenv_bin"; or set -g __ssoenv_bin (command -s ssoenv)
end

# The wrapper: only the verbs that change this shell have their output
# evaluated; everything else runs as is.
function __SSOENV_CMD__ --description 'IAM Identity Center credentials for this shell'
    __ssoenv_locate; or return 127
    switch "$argv[1]"
        case use off
            # Command substitution splits lines; joining them back with
            # newlines restores the code exactly (values keep their newlines).
            # The rest of the arguments, without a slice: how fish treats a
            # slice past the end has changed between versions.
            set -l rest $argv
            set -e rest[1]
            set -l code ($__ssoenv_bin $argv[1] --shell fish $rest)
            or return
            string join \n -- $code | source
        case allow deny login
            # These change what the directory profile resolves to: look again
            # at the next prompt.
            $__ssoenv_bin $argv
            or return
            set -g __ssoenv_pwd ''
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
    string join \n -- $code | source
end
