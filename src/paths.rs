//! Where the files live. Every path honours the same variables as the AWS
//! CLI v2 and botocore (HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE),
//! so pointing HOME at a temporary directory isolates everything.

use std::path::PathBuf;

use crate::error::{Error, Result};

pub fn home() -> Result<PathBuf> {
    match std::env::var_os("HOME") {
        Some(h) if !h.is_empty() => Ok(PathBuf::from(h)),
        _ => Err(Error::failed("HOME is not set; cannot find ~/.aws")),
    }
}

/// Expand a leading `~/` as botocore does for AWS_CONFIG_FILE.
fn expand_tilde(p: &str) -> Result<PathBuf> {
    match p.strip_prefix("~/") {
        Some(rest) => Ok(home()?.join(rest)),
        None => Ok(PathBuf::from(p)),
    }
}

fn from_env_or_home(var: &str, default: &str) -> Result<PathBuf> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => expand_tilde(&p),
        _ => Ok(home()?.join(default)),
    }
}

pub fn config_file() -> Result<PathBuf> {
    from_env_or_home("AWS_CONFIG_FILE", ".aws/config")
}

pub fn credentials_file() -> Result<PathBuf> {
    from_env_or_home("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
}

/// `~/.aws/sso/cache`: SSO tokens and client registrations (no env override
/// exists in any AWS tool).
pub fn sso_cache_dir() -> Result<PathBuf> {
    Ok(home()?.join(".aws/sso/cache"))
}

/// `~/.aws/cli/cache`: the AWS CLI v2's cache of role credentials.
pub fn cli_cache_dir() -> Result<PathBuf> {
    Ok(home()?.join(".aws/cli/cache"))
}

/// ssoenv's own lock files. They only coordinate ssoenv processes, so they
/// stay out of the directories other tools scan, and in one place for every
/// process of the user (not per login session, as XDG_RUNTIME_DIR would be:
/// cron jobs, sudo and IDEs must meet the shells at the same locks).
pub fn lock_dir() -> Result<PathBuf> {
    Ok(cache_home()?.join("ssoenv/locks"))
}

/// The accounts and roles each sign-in reaches, as `ssoenv list` found
/// them: beside the locks, since only ssoenv reads them.
pub fn list_cache_dir() -> Result<PathBuf> {
    Ok(cache_home()?.join("ssoenv/lists"))
}

fn cache_home() -> Result<PathBuf> {
    match std::env::var_os("XDG_CACHE_HOME") {
        Some(d) if !d.is_empty() => Ok(PathBuf::from(d)),
        _ => Ok(home()?.join(".cache")),
    }
}

/// ssoenv's own state that is worth keeping but not worth backing up (the
/// picker's usage history): `$XDG_STATE_HOME/ssoenv`, else
/// `~/.local/state/ssoenv`. A relative XDG_STATE_HOME is ignored, as the XDG
/// base directory spec asks.
pub fn state_dir() -> Result<PathBuf> {
    let state = match std::env::var_os("XDG_STATE_HOME") {
        Some(d) if std::path::Path::new(&d).is_absolute() => PathBuf::from(d),
        _ => home()?.join(".local/state"),
    };
    Ok(state.join("ssoenv"))
}

/// The first executable file named `program` in the directories of PATH,
/// as a shell would find it; relative entries (`.`) are skipped, so what
/// is found does not depend on the current directory.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}
