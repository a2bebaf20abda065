//! Every environment variable ssoenv sets, unsets, strips or saves, and the
//! shell variables where saved environments are kept. Nothing else in the
//! crate spells these names.

// What AWS tools read.
pub const AWS_ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
pub const AWS_SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
pub const AWS_SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
/// Older name of the session token. botocore prefers a stale one to
/// AWS_SESSION_TOKEN, so it goes wherever new credentials are set.
pub const AWS_SECURITY_TOKEN: &str = "AWS_SECURITY_TOKEN";
/// When the keys expire (`YYYY-MM-DDTHH:MM:SSZ`), for SDKs that refresh.
pub const AWS_CREDENTIAL_EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";
pub const AWS_PROFILE: &str = "AWS_PROFILE";
/// Wins over AWS_PROFILE in botocore.
pub const AWS_DEFAULT_PROFILE: &str = "AWS_DEFAULT_PROFILE";
pub const AWS_REGION: &str = "AWS_REGION";
/// The only region variable upstream botocore reads.
pub const AWS_DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
/// The credential endpoint (`exec --server`, `serve`).
pub const AWS_CONTAINER_CREDENTIALS_FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const AWS_CONTAINER_AUTHORIZATION_TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// botocore prefers these two to the full URI and the token.
pub const AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
pub const AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

// ssoenv's own state: small ASCII values that prompts and the hook read.
pub const PROFILE: &str = "SSOENV_PROFILE";
pub const ACCOUNT: &str = "SSOENV_ACCOUNT";
pub const ROLE: &str = "SSOENV_ROLE";
/// The account's name, when known (from the account list).
pub const ACCOUNT_NAME: &str = "SSOENV_ACCOUNT_NAME";
/// The sign-in of an account/role target (its session name, or a legacy
/// start URL), so that renewal finds the same account and role again. Unset
/// for a profile, which names its own.
pub const SSO_SESSION: &str = "SSOENV_SSO_SESSION";
/// Credential expiry, epoch seconds.
pub const EXPIRES: &str = "SSOENV_EXPIRES";
/// When the prompt hook should renew, epoch seconds.
pub const RENEW_AT: &str = "SSOENV_RENEW_AT";
/// The region `use` set from the profile, so switching to a profile without
/// one does not leave it behind.
pub const REGION: &str = "SSOENV_REGION";
/// Root of the directory profile tree applied, if any.
pub const DIR: &str = "SSOENV_DIR";
/// Which file (path and content) the applied tree's profile came from.
pub const DIR_KEY: &str = "SSOENV_DIR_KEY";
/// Keys of the last notices shown, so they are not repeated at every prompt.
pub const NOTICE: &str = "SSOENV_NOTICE";
/// Set by the shell integration when it loads (`bash PID VERSION HOOK BIN`),
/// so that `ssoenv doctor`, a child process, can tell it is loaded.
pub const SHELL_MARKER: &str = "SSOENV_SHELL";
/// Set by the shell integration's wrapper for one run of `ssoenv doctor`
/// only: the shell's prompt hooks, which it never exports (bash's
/// PROMPT_COMMAND and zsh's precmd_functions joined by `;`, fish's
/// fish_prompt handlers, PowerShell's prompt function).
pub const HOOKS: &str = "SSOENV_HOOKS";
/// A setting, not state: seconds before expiry to renew.
pub const RENEW_BEFORE: &str = "SSOENV_RENEW_BEFORE";
/// A setting, not state: when set (and not `0`), the hook does not say which
/// profile a directory selected, or that the shell left it.
pub const QUIET: &str = "SSOENV_QUIET";

/// Shell variable (never exported) holding the environment from before the
/// first `use`.
pub const RESTORE: &str = "__ssoenv_restore";
/// Shell variable (never exported) holding the environment from before
/// entering a directory tree.
pub const DIR_RESTORE: &str = "__ssoenv_dir_restore";

/// Everything switching profiles may change: saved before, restored after.
pub const MANAGED: &[&str] = &[
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN,
    AWS_CREDENTIAL_EXPIRATION,
    AWS_PROFILE,
    AWS_REGION,
    AWS_DEFAULT_REGION,
    AWS_SECURITY_TOKEN,
    AWS_DEFAULT_PROFILE,
    PROFILE,
    ACCOUNT,
    ROLE,
    ACCOUNT_NAME,
    SSO_SESSION,
    EXPIRES,
    RENEW_AT,
    REGION,
];

/// What the transitions read besides the managed variables.
pub(super) const READ: &[&str] = &[DIR, DIR_KEY, NOTICE, RENEW_BEFORE, QUIET];

/// Variables that would shadow credentials just set.
pub const STALE: &[&str] = &[AWS_SECURITY_TOKEN];

/// Variables that would point tools at another profile than the
/// credentials handed to them.
pub const OTHER_PROFILE: &[&str] = &[AWS_PROFILE, AWS_DEFAULT_PROFILE];

/// Variables that an SDK's credential chain would use before the
/// credential endpoint, or that would point it at another profile: a
/// command given the endpoint must not have them.
pub const SHADOWING_ENDPOINT: &[&str] = &[
    AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN,
    AWS_SECURITY_TOKEN,
    AWS_CREDENTIAL_EXPIRATION,
    AWS_PROFILE,
    AWS_DEFAULT_PROFILE,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
];

/// Values never printed in Debug output. (The access key id is no secret:
/// it names the key, as the AWS CLI's own logs do.)
pub(super) fn is_secret(name: &str) -> bool {
    matches!(
        name,
        AWS_SECRET_ACCESS_KEY
            | AWS_SESSION_TOKEN
            | AWS_SECURITY_TOKEN
            | AWS_CONTAINER_AUTHORIZATION_TOKEN
    )
}
