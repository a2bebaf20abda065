//! The shell state that `use`, `off` and the prompt hook change, as code for
//! the shell to evaluate.
//!
//! Exported state is a few small ASCII variables (profile, account, role,
//! expiry) that prompts and the hook read. What the environment held before
//! ssoenv touched it — possibly the user's own keys — is saved as restore
//! code in a shell variable that is never exported, so no child process and
//! no ssoenv invocation ever sees it.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::SsoProfile;
use crate::shell::{Shell, ShellKind};
use crate::sso::RoleCredentials;

pub const PROFILE: &str = "SSOENV_PROFILE";
pub const ACCOUNT: &str = "SSOENV_ACCOUNT";
pub const ROLE: &str = "SSOENV_ROLE";
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
/// Key of the last notice shown, so it is not repeated at every prompt.
pub const NOTICE: &str = "SSOENV_NOTICE";

/// Shell variable holding the environment from before the first `use`.
pub const RESTORE: &str = "__ssoenv_restore";
/// Shell variable holding the environment from before entering a directory tree.
pub const DIR_RESTORE: &str = "__ssoenv_dir_restore";

/// Everything activation may change; saved before, restored after.
const MANAGED: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_SECURITY_TOKEN",
    "AWS_DEFAULT_PROFILE",
    PROFILE,
    ACCOUNT,
    ROLE,
    EXPIRES,
    RENEW_AT,
    REGION,
];

/// Default lead time for renewal; SSOENV_RENEW_BEFORE overrides it (seconds).
const RENEW_BEFORE: i64 = 600;

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A state variable of the current environment, when set and non-empty.
pub fn get(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn is_active() -> bool {
    get(PROFILE).is_some()
}

/// When to renew credentials that expire at `expires`: the configured lead
/// time before expiry, but never before half their remaining life, so
/// short-lived credentials do not make every prompt renew.
pub fn renew_at(expires: i64, now: i64) -> i64 {
    let before = get("SSOENV_RENEW_BEFORE")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(RENEW_BEFORE);
    (expires - before).max(now + (expires - now) / 2)
}

/// ssoenv's state variables for `profile`: what prompts show and the hook
/// reads. Without `creds` (the credential endpoint hands them out), there is
/// no expiry to show or renewal to schedule.
pub fn state(profile: &SsoProfile, creds: Option<&RoleCredentials>) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        (PROFILE, profile.name.clone()),
        (ACCOUNT, profile.account_id.clone()),
        (ROLE, profile.role_name.clone()),
    ];
    if let Some(creds) = creds {
        let expires = creds.expiration.unix_seconds();
        vars.push((EXPIRES, expires.to_string()));
        vars.push((RENEW_AT, renew_at(expires, now()).to_string()));
    }
    vars
}

/// Shell code, built statement by statement.
pub struct Script {
    shell: &'static dyn Shell,
    code: String,
}

impl Script {
    pub fn new(kind: ShellKind) -> Script {
        Script {
            shell: kind.shell(),
            code: String::new(),
        }
    }

    fn push(&mut self, statement: String) {
        self.code.push_str(&statement);
        self.code.push('\n');
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.push(self.shell.set(name, value));
    }

    pub fn unset(&mut self, name: &str) {
        self.push(self.shell.unset(name));
    }

    /// Save the managed variables as they are now into the shell variable
    /// `into`, as code that sets back the ones that were set and unsets the
    /// ones that were not.
    pub fn save(&mut self, into: &str) {
        let code = self.restore_code();
        self.push(self.shell.set_local(into, &code));
    }

    /// `save`, unless `into` holds a saved environment already (the shell
    /// knows; the binary cannot see unexported variables).
    pub fn save_once(&mut self, into: &str) {
        let code = self.restore_code();
        self.push(self.shell.set_local_once(into, &code));
    }

    fn restore_code(&self) -> String {
        let restore: Vec<String> = MANAGED
            .iter()
            .map(|name| match std::env::var(name) {
                Ok(v) => self.shell.set(name, &v),
                Err(_) => self.shell.unset(name),
            })
            .collect();
        restore.join("\n")
    }

    /// Go back to what `from` saved; with nothing saved, change nothing.
    pub fn restore(&mut self, from: &str) {
        self.push(self.shell.run_saved(from, ""));
    }

    /// `off`: back to the environment from before the first `use`. With
    /// nothing saved (a child shell that inherited the variables), to no
    /// profile at all. Leaving a tree afterwards restores nothing more.
    pub fn off(&mut self) {
        let unset_all: Vec<String> = MANAGED.iter().map(|name| self.shell.unset(name)).collect();
        self.push(self.shell.run_saved(RESTORE, &unset_all.join("\n")));
        self.push(self.shell.drop_saved(DIR_RESTORE));
    }

    /// Switch to `profile` with `creds`.
    pub fn activate(&mut self, profile: &SsoProfile, creds: &RoleCredentials) {
        for (name, value) in crate::cmd::export::variables(profile, creds) {
            self.set(name, &value);
        }
        match &profile.region {
            Some(region) => self.set(REGION, region),
            None if get(REGION).is_some() => {
                for name in [REGION, "AWS_REGION", "AWS_DEFAULT_REGION"] {
                    self.unset(name);
                }
            }
            None => {}
        }
        self.set("AWS_PROFILE", &profile.name);
        for (name, value) in state(profile, Some(creds)) {
            self.set(name, &value);
        }
        // Both would shadow the credentials just set (AWS_DEFAULT_PROFILE
        // wins over AWS_PROFILE in botocore).
        self.unset("AWS_SECURITY_TOKEN");
        self.unset("AWS_DEFAULT_PROFILE");
    }

    pub fn finish(self) -> String {
        self.code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_leads_expiry_but_not_by_more_than_half_the_life() {
        let now = 1_000_000;
        assert_eq!(renew_at(now + 3600, now), now + 3000);
        assert_eq!(renew_at(now + 60, now), now + 30);
        assert_eq!(renew_at(now - 10, now), now - 5, "already expired: due now");
    }
}
