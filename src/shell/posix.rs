//! bash and zsh, which quote alike: POSIX single quotes.

use super::{Shell, checked_name};

pub(super) struct Posix;

/// `NAME='value'`: a shell variable, not exported (`env-no-export`).
pub fn assignment(name: &str, value: &str) -> String {
    format!("{}={}", checked_name(name), Posix.quote(value))
}

impl Shell for Posix {
    /// POSIX (XCU 2.2.2) single quotes keep every character literal and cannot
    /// hold a `'`, so each `'` closes the quote, adds an escaped `\'` and opens
    /// a new one. bash history expansion never looks inside single quotes, and
    /// a closing quote is never followed by another `'`, so zsh's RC_QUOTES
    /// (`''` inside quotes) cannot pair them up either.
    fn quote(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', r"'\''"))
    }

    fn set(&self, name: &str, value: &str) -> String {
        format!("export {}={}", checked_name(name), self.quote(value))
    }

    /// `-v`: without it bash falls back to removing a function of that name
    /// when no variable has it. Unsetting an unset variable is not an error.
    fn unset(&self, name: &str) -> String {
        format!("unset -v {}", checked_name(name))
    }

    /// A plain assignment is global even inside the wrapper function, and
    /// not exported unless the name already was.
    fn set_local(&self, name: &str, value: &str) -> String {
        // Under `set -a` (allexport) an assignment exports: take that back.
        // zsh's `export` has no -n (and may get one meaning something else).
        let name = checked_name(name);
        format!(
            "{name}={}; if [ -n \"${{ZSH_VERSION-}}\" ]; then typeset -g +x {name}; else export -n {name}; fi",
            self.quote(value)
        )
    }

    fn set_local_once(&self, name: &str, value: &str) -> String {
        let name = checked_name(name);
        format!(
            "if [ -z \"${{{name}+set}}\" ]; then {}; fi",
            self.set_local(name, value)
        )
    }

    fn run_saved(&self, name: &str, otherwise: &str) -> String {
        let name = checked_name(name);
        format!(
            "if [ -n \"${{{name}+set}}\" ]; then eval \"${name}\"; unset -v {name}; else :\n{otherwise}\nfi"
        )
    }

    fn drop_saved(&self, name: &str) -> String {
        self.unset(name)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    use super::super::testutil::RealShell;
    use super::*;

    #[cfg(unix)]
    const PRINT: &str = "printf '%s' \"$SSOENV_TEST_VAR\"; printenv SSOENV_TEST_VAR";
    #[cfg(unix)]
    const CHECK_GONE: &str = "if [ -n \"${SSOENV_TEST_VAR+set}\" ] || printenv SSOENV_TEST_VAR >/dev/null; then exit 3; fi; printf gone";

    #[cfg(unix)]
    const BASH: RealShell = RealShell {
        command: &["bash", "--norc", "--noprofile", "-c"],
        strict: "set -euo pipefail",
        print: PRINT,
        check_gone: CHECK_GONE,
    };

    #[cfg(unix)]
    const ZSH: RealShell = RealShell {
        command: &["zsh", "-f", "-c"],
        strict: "setopt errexit nounset pipefail",
        print: PRINT,
        check_gone: CHECK_GONE,
    };

    /// RC_QUOTES reads `''` inside single quotes as `'`; users may set it.
    #[cfg(unix)]
    const ZSH_RC_QUOTES: RealShell = RealShell {
        strict: "setopt errexit nounset pipefail rc_quotes",
        ..ZSH
    };

    #[test]
    fn emitted_form() {
        assert_eq!(Posix.quote(""), "''");
        assert_eq!(Posix.quote("it's"), r"'it'\''s'");
        assert_eq!(Posix.quote("$(id) `id` \\"), r"'$(id) `id` \'");
        assert_eq!(Posix.set("AWS_PROFILE", "dev"), "export AWS_PROFILE='dev'");
        assert_eq!(Posix.unset("AWS_PROFILE"), "unset -v AWS_PROFILE");
        assert_eq!(assignment("AWS_PROFILE", "it's"), r"AWS_PROFILE='it'\''s'");
    }

    #[cfg(unix)]
    #[test]
    fn bash_reads_every_value_back() {
        BASH.check_set(&Posix);
    }

    #[cfg(unix)]
    #[test]
    fn bash_unsets() {
        BASH.check_unset(&Posix);
    }

    #[cfg(unix)]
    #[test]
    fn zsh_reads_every_value_back() {
        ZSH.check_set(&Posix);
    }

    #[cfg(unix)]
    #[test]
    fn zsh_unsets() {
        ZSH.check_unset(&Posix);
    }

    #[cfg(unix)]
    #[test]
    fn zsh_with_rc_quotes_reads_every_value_back() {
        ZSH_RC_QUOTES.check_set(&Posix);
    }
}
