//! Where the files live. Every path honours the same variables as the AWS
//! CLI v2 and botocore (the home directory, AWS_CONFIG_FILE,
//! AWS_SHARED_CREDENTIALS_FILE), so pointing the home at a temporary
//! directory isolates everything.
//!
//! The home is HOME on Unix and USERPROFILE on Windows, where botocore
//! ignores HOME ([`platform::home_dir`]); ssoenv follows the CLI, whose
//! caches it shares, and says so under `--verbose` when HOME points
//! elsewhere (the Rust SDK, for one, would read HOME).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Once;

use crate::error::{Error, Result};
use crate::platform::{self, BaseDir};

pub fn home() -> Result<PathBuf> {
    let home = platform::home_dir(|name| std::env::var_os(name)).ok_or_else(|| {
        Error::failed(format!(
            "{} is not set; cannot find ~/.aws",
            platform::HOME_VARIABLES
        ))
    })?;
    if let Some(other) = other_home(&home, std::env::var_os("HOME")) {
        static NOTED: Once = Once::new();
        NOTED.call_once(|| {
            crate::trace!(
                "HOME is {}, but the AWS CLI uses {} here; so does ssoenv",
                other.display(),
                home.display()
            )
        });
    }
    Ok(home)
}

/// HOME, when it is set and names another directory than `home`.
fn other_home(home: &Path, var: Option<OsString>) -> Option<PathBuf> {
    let other = PathBuf::from(var.filter(|h| !h.is_empty())?);
    (other != home).then_some(other)
}

/// `parts` joined under the home directory.
fn in_home(parts: &[&str]) -> Result<PathBuf> {
    Ok(parts.iter().fold(home()?, |dir, part| dir.join(part)))
}

/// Expand a leading `~` as botocore does for AWS_CONFIG_FILE (`~/`, and on
/// Windows `~\` too).
fn expand_tilde(p: &str) -> Result<PathBuf> {
    match p.strip_prefix('~') {
        Some("") => home(),
        Some(rest) if rest.starts_with(std::path::is_separator) => Ok(home()?.join(&rest[1..])),
        _ => Ok(PathBuf::from(p)),
    }
}

fn from_env_or_home(var: &str, default: &[&str]) -> Result<PathBuf> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => expand_tilde(&p),
        _ => in_home(default),
    }
}

pub fn config_file() -> Result<PathBuf> {
    from_env_or_home("AWS_CONFIG_FILE", &[".aws", "config"])
}

pub fn credentials_file() -> Result<PathBuf> {
    from_env_or_home("AWS_SHARED_CREDENTIALS_FILE", &[".aws", "credentials"])
}

/// `~/.aws/sso/cache`: SSO tokens and client registrations (no env override
/// exists in any AWS tool).
pub fn sso_cache_dir() -> Result<PathBuf> {
    in_home(&[".aws", "sso", "cache"])
}

/// `~/.aws/cli/cache`: the AWS CLI v2's cache of role credentials.
pub fn cli_cache_dir() -> Result<PathBuf> {
    in_home(&[".aws", "cli", "cache"])
}

/// ssoenv's own lock files, in the platform's cache directory
/// ([`platform::CACHE_DIR`]). They only coordinate ssoenv processes, so they
/// stay out of the directories other tools scan, and in one place for every
/// process of the user (not per login session, as XDG_RUNTIME_DIR would be:
/// cron jobs, sudo and IDEs must meet the shells at the same locks).
pub fn lock_dir() -> Result<PathBuf> {
    Ok(ssoenv_dir(platform::CACHE_DIR)?.join("locks"))
}

/// The accounts and roles each sign-in reaches, as `ssoenv list` found
/// them: beside the locks, since only ssoenv reads them.
pub fn list_cache_dir() -> Result<PathBuf> {
    Ok(ssoenv_dir(platform::CACHE_DIR)?.join("lists"))
}

/// ssoenv's own state that is worth keeping but not worth backing up (the
/// picker's usage history), in the platform's state directory
/// ([`platform::STATE_DIR`]).
pub fn state_dir() -> Result<PathBuf> {
    ssoenv_dir(platform::STATE_DIR)
}

/// The records of `ssoenv allow` and `ssoenv deny`, in the platform's data
/// directory ([`platform::DATA_DIR`]).
pub fn trust_dir() -> Result<PathBuf> {
    ssoenv_dir(platform::DATA_DIR)
}

/// The `ssoenv` directory in `base`. A relative path in its variable is
/// ignored, as the XDG base directory spec asks.
fn ssoenv_dir(base: BaseDir) -> Result<PathBuf> {
    let dir = match std::env::var_os(base.variable).map(PathBuf::from) {
        Some(d) if d.is_absolute() => d,
        _ => in_home(base.under_home)?,
    };
    Ok(dir.join("ssoenv"))
}

/// The first executable file named `program` in the directories of PATH,
/// as a shell would find it (on Windows through PATHEXT: `ssoenv` is
/// `ssoenv.exe`); relative entries (`.`) are skipped, so what is found does
/// not depend on the current directory.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    platform::find_on_path(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_noted_only_when_it_differs() {
        let home = Path::new("/h");
        assert_eq!(other_home(home, None), None);
        assert_eq!(other_home(home, Some("".into())), None);
        assert_eq!(other_home(home, Some("/h".into())), None);
        assert_eq!(other_home(home, Some("/g".into())), Some("/g".into()));
    }
}
