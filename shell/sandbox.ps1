# The sandbox's PowerShell: a prompt that says it is the sandbox (and which
# profile is in use), then the integration, which wraps that prompt.
function global:prompt {
    $active = ssoenv prompt --format ' {profile} {ttl}'
    "(sandbox$active) $($executionContext.SessionState.Path.CurrentLocation)> "
}
ssoenv init powershell | Out-String | Invoke-Expression
