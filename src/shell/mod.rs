//! Shell code that sets and removes environment variables, one statement at a
//! time, for each shell `ssoenv` supports, plus the line formats of `export`:
//! `.env` lines, POSIX assignments without export, Windows cmd `set` lines
//! and docker's --env-file lines.
//!
//! The output is `eval`ed and the values are live credentials, so every value
//! goes in the shell's single quotes, where nothing is special but the quote
//! (and, in fish, the backslash): nothing is expanded, substituted or globbed,
//! whatever the value holds. A value can be any string without NUL (no
//! environment can hold one).

mod docker_env;
mod dotenv;
mod fish;
mod posix;
mod powershell;
#[cfg(test)]
mod testutil;
mod windows_cmd;

pub use docker_env::docker_env_line;
pub use dotenv::dotenv_line;
pub use posix::assignment as posix_assignment;
pub use windows_cmd::{set_line as windows_cmd_set, unset_line as windows_cmd_unset};

pub trait Shell {
    /// Quote `value` so this shell reads it back byte for byte.
    fn quote(&self, value: &str) -> String;
    /// One statement (no trailing newline) that sets NAME=value in the environment (exported).
    fn set(&self, name: &str, value: &str) -> String;
    /// One statement (no trailing newline) that removes NAME from the environment; silent and successful when NAME is not set.
    fn unset(&self, name: &str) -> String;
    /// One statement that sets a global shell variable that is NOT exported:
    /// state that must stay in this shell (saved environments hold secrets).
    fn set_local(&self, name: &str, value: &str) -> String;
    /// Like `set_local`, but only when NAME is not set already: keeps the
    /// first of several saves.
    fn set_local_once(&self, name: &str, value: &str) -> String;
    /// One statement that evaluates the code held in the shell variable NAME
    /// (set by `set_local`) and removes the variable; when NAME is unset, it
    /// runs `otherwise` (code of this shell, possibly empty) instead.
    fn run_saved(&self, name: &str, otherwise: &str) -> String;
    /// One statement that removes the shell variable NAME (set by
    /// `set_local`) without evaluating it; a no-op when unset.
    fn drop_saved(&self, name: &str) -> String;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellKind {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// The user's login shell: SHELL (unset when empty), else the platform's
/// (PowerShell on Windows; none on Unix). The one reader of SHELL.
pub fn login_shell() -> Option<std::path::PathBuf> {
    std::env::var_os("SHELL")
        .filter(|s| !s.is_empty())
        .map(Into::into)
        .or_else(|| {
            let default = crate::platform::DEFAULT_SHELL;
            (!default.is_empty()).then(|| default.into())
        })
}

impl ShellKind {
    /// How this shell quotes, sets and unsets.
    pub fn shell(self) -> &'static dyn Shell {
        match self {
            ShellKind::Bash | ShellKind::Zsh => &posix::Posix,
            ShellKind::Fish => &fish::Fish,
            ShellKind::Powershell => &powershell::PowerShell,
        }
    }

    /// The user's [`login_shell`], when it is one of ours.
    pub fn from_login_shell() -> Option<ShellKind> {
        let shell = login_shell()?;
        let shell = shell.to_string_lossy();
        let name = shell.rsplit(['/', '\\']).next().unwrap_or_default();
        match name.strip_suffix(".exe").unwrap_or(name) {
            "bash" => Some(ShellKind::Bash),
            "zsh" => Some(ShellKind::Zsh),
            "fish" => Some(ShellKind::Fish),
            "pwsh" | "powershell" => Some(ShellKind::Powershell),
            _ => None,
        }
    }

    /// The name, as spelled on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ShellKind::Bash => "bash",
            ShellKind::Zsh => "zsh",
            ShellKind::Fish => "fish",
            ShellKind::Powershell => "powershell",
        }
    }
}

/// Returns `name` after checking that it is `[A-Za-z_][A-Za-z0-9_]*`, the one
/// form that every shell here (and every `.env` reader) takes as a plain
/// variable name. Names are never quoted, so this check is what keeps them
/// from being code: it panics, in release builds too, rather than emit one.
fn checked_name(name: &str) -> &str {
    let mut bytes = name.bytes();
    let valid = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_');
    assert!(valid, "not a valid environment variable name: {name:?}");
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    fn panics<R>(f: impl FnOnce() -> R) -> bool {
        catch_unwind(AssertUnwindSafe(f)).is_err()
    }

    #[test]
    fn name_is_the_command_line_spelling() {
        for kind in ShellKind::value_variants() {
            let value = kind.to_possible_value().unwrap();
            assert_eq!(kind.name(), value.get_name());
        }
    }

    #[test]
    fn valid_names_pass() {
        for name in ["AWS_PROFILE", "_", "a1", "A_B_9"] {
            assert_eq!(checked_name(name), name);
        }
    }

    #[test]
    fn invalid_names_panic() {
        for name in ["", "1A", "A-B", "A B", "A;B", "$A", "A=B", "É", "A\n"] {
            assert!(panics(|| checked_name(name).len()), "{name:?} was accepted");
        }
    }

    #[test]
    fn every_kind_checks_names() {
        for kind in ShellKind::value_variants() {
            let shell = kind.shell();
            assert!(panics(|| shell.set("A;B", "v")), "{kind:?} set");
            assert!(panics(|| shell.unset("A B")), "{kind:?} unset");
        }
        assert!(panics(|| dotenv_line("A=B", "v")));
    }
}
