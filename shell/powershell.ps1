# ssoenv shell integration for Windows PowerShell 5.1 and PowerShell 7 (on
# Windows, Linux and macOS). Load it from $PROFILE, which is a different file
# in each edition:  ssoenv init powershell | Out-String | Invoke-Expression
#
# `ssoenv init` fills in the binary's path, the wrapper's name, the hook
# mode (prompt, cd or none) and the sentinel line where the placeholders
# stand. Everything here works in 5.1: no LocationChangedAction (PowerShell
# 6.1 and later), the hook runs from the prompt in every mode.

$global:__ssoenv_bin = __SSOENV_BIN__
$global:__ssoenv_hook_mode = '__SSOENV_HOOK__'
$global:__ssoenv_sentinel = __SSOENV_SENTINEL__
$env:SSOENV_SHELL = "powershell $PID __SSOENV_VERSION__ $global:__ssoenv_hook_mode $global:__ssoenv_bin" # for `ssoenv doctor`
if (-not (Test-Path -LiteralPath Variable:global:__ssoenv_pwd)) { $global:__ssoenv_pwd = '' }

# An upgrade may have moved the binary since this shell started: find it on
# PATH again. Only where the binary is about to run anyway.
function global:__ssoenv_locate {
    if (-not (Test-Path -LiteralPath $global:__ssoenv_bin)) {
        $found = Get-Command -Name ssoenv -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if ($found) { $global:__ssoenv_bin = $found.Source }
    }
}

# Run the binary and join its lines into one string before anyone evaluates
# it. Both editions decode a program's output with [Console]::OutputEncoding,
# on Windows the console's code page (not UTF-8, in 7 too): it is UTF-8 for
# the call, so non-ASCII values arrive intact. A host without a console (the
# ISE) refuses the change and keeps its own decoding.
function global:__ssoenv_native {
    __ssoenv_locate
    $encoding = $null
    try {
        $encoding = [Console]::OutputEncoding
        [Console]::OutputEncoding = [Text.UTF8Encoding]::new()
    } catch { }
    try {
        (& $global:__ssoenv_bin @args) -join "`n"
    } finally {
        if ($null -ne $encoding) {
            try { [Console]::OutputEncoding = $encoding } catch { }
        }
    }
}

# Evaluate what the binary printed only when it is ssoenv's own code: it
# starts with the sentinel line. Anything else (help, a version, a usage
# message) is shown as it is. Compared case-sensitively and ordinally.
function global:__ssoenv_eval([string]$printed) {
    $sentinel = $global:__ssoenv_sentinel
    if ($printed -ceq $sentinel -or $printed.StartsWith("$sentinel`n", [StringComparison]::Ordinal)) {
        Invoke-Expression $printed.Substring($sentinel.Length)
    } elseif ($printed) {
        $printed
    }
}

# The wrapper: only the verbs that change this shell have their output
# evaluated; everything else runs as is.
function global:__SSOENV_CMD__ {
    __ssoenv_locate
    $verb = if ($args.Count -gt 0) { [string]$args[0] } else { '' }
    $rest = if ($args.Count -gt 1) { $args[1..($args.Count - 1)] } else { @() }
    if ($verb -in 'use', 'off') {
        $printed = __ssoenv_native $verb --shell powershell @rest
        if ($LASTEXITCODE -eq 0) { __ssoenv_eval $printed } elseif ($printed) { $printed }
    } elseif ($verb -in 'allow', 'deny', 'login') {
        & $global:__ssoenv_bin @args
        $global:__ssoenv_pwd = ''
    } elseif ($verb -eq 'doctor') {
        # Only the shell sees its prompt: doctor gets its code, for this run.
        $env:SSOENV_HOOKS = "$function:prompt"
        try { & $global:__ssoenv_bin @args } finally { Remove-Item Env:SSOENV_HOOKS -ErrorAction SilentlyContinue }
    } else {
        & $global:__ssoenv_bin @args
    }
}

# Runs before every prompt. Decides in-process, with no process started,
# unless the location changed or the credentials are due for renewal.
function global:__ssoenv_hook {
    $location = $ExecutionContext.SessionState.Path.CurrentLocation
    if ($location.Provider.Name -ne 'FileSystem') { return }
    if ($global:__ssoenv_pwd -ne $location.ProviderPath) {
        $global:__ssoenv_pwd = $location.ProviderPath
        __ssoenv_apply
    }
    # Checked after a location change too: leaving a tree may have brought
    # back credentials that are due by now.
    if ($global:__ssoenv_hook_mode -eq 'prompt' -and "$env:SSOENV_RENEW_AT" -match '^\d+$' -and
        [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() -ge [long]$env:SSOENV_RENEW_AT) {
        __ssoenv_apply
    }
}

# Out-Host: whatever is not code goes to the screen, never into the prompt
# string.
function global:__ssoenv_apply {
    __ssoenv_eval (__ssoenv_native hook powershell) | Out-Host
}

# Wrap the prompt once: the hook runs before the existing prompt renders, so
# it already shows the new account; $? and $LASTEXITCODE are kept for it.
if ($global:__ssoenv_hook_mode -ne 'none' -and -not (Test-Path -LiteralPath Variable:global:__ssoenv_prompt_old)) {
    $global:__ssoenv_prompt_old = $function:prompt
    function global:prompt {
        $lastSuccess = $?
        $lastExit = if (Test-Path -LiteralPath Variable:global:LASTEXITCODE) { $global:LASTEXITCODE } else { $null }
        try { __ssoenv_hook } catch { Write-Warning "ssoenv: $_" }
        if ($null -ne $lastExit) { $global:LASTEXITCODE = $lastExit }
        if (-not $lastSuccess) { Write-Error '' -ErrorAction Ignore }
        & $global:__ssoenv_prompt_old
    }
}

# Completion for the wrapper: clap_complete's registration, as `ssoenv
# completions powershell` prints it, asking the wrapper for the candidates.
__SSOENV_COMPLETION__
