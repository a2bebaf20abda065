//! fish.

use super::{Shell, checked_name};

pub(super) struct Fish;

impl Shell for Fish {
    /// Inside fish single quotes the only escapes are `\'` and `\\`; every
    /// other character, line breaks included, is literal (fish manual,
    /// "Quotes"). So those two characters are escaped and nothing else.
    fn quote(&self, value: &str) -> String {
        let mut quoted = String::with_capacity(value.len() + 2);
        quoted.push('\'');
        for c in value.chars() {
            if matches!(c, '\'' | '\\') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('\'');
        quoted
    }

    /// `-g` so that the variable outlives a function that sources the output,
    /// `-x` to export it. `set` stops reading options at the name, so a value
    /// such as `-e` is a value.
    fn set(&self, name: &str, value: &str) -> String {
        format!("set -gx {} {}", checked_name(name), self.quote(value))
    }

    /// `set -e` fails with status 4 when there is nothing to erase, hence the
    /// `if`, which ends with status 0 when its condition is false. Only the
    /// global scope, where `set` above and the inherited environment put
    /// variables: a universal variable is the user's own, persisted and
    /// shared with every other fish session, and is left alone.
    fn unset(&self, name: &str) -> String {
        let name = checked_name(name);
        format!("if set -q -g {name}; set -e -g {name}; end")
    }

    /// `-g` without `-x`: a global that child processes do not see.
    fn set_local(&self, name: &str, value: &str) -> String {
        format!("set -g {} {}", checked_name(name), self.quote(value))
    }

    fn set_local_once(&self, name: &str, value: &str) -> String {
        let name = checked_name(name);
        format!("set -q -g {name}; or {}", self.set_local(name, value))
    }

    /// `source` runs builtins in this shell even at the end of a pipe, and
    /// reads the multi-line value whole (`eval` would join lines first).
    fn run_saved(&self, name: &str, otherwise: &str) -> String {
        let name = checked_name(name);
        format!(
            "if set -q -g {name}; printf '%s\\n' ${name} | source; set -e -g {name}; else\n{otherwise}\nend"
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
    const FISH: RealShell = RealShell {
        command: &["fish", "--no-config", "-c"],
        // fish has no strict mode; check_set and check_unset require an empty
        // stderr, which catches the errors that fish reports and goes past.
        strict: "",
        // "$VAR" joins a list with spaces, so first make sure `set` made
        // exactly one element rather than a list that happens to join right.
        print: "test (count $SSOENV_TEST_VAR) -eq 1; or exit 3\n\
                printf '%s' \"$SSOENV_TEST_VAR\"; printenv SSOENV_TEST_VAR",
        check_gone: "test $status -eq 0; or exit 4\n\
                     if set -q SSOENV_TEST_VAR; or printenv SSOENV_TEST_VAR >/dev/null; exit 3; end\n\
                     printf gone",
    };

    #[test]
    fn emitted_form() {
        assert_eq!(Fish.quote(""), "''");
        assert_eq!(Fish.quote(r"it's C:\dir\"), r"'it\'s C:\\dir\\'");
        assert_eq!(Fish.quote("$HOME (id) *"), "'$HOME (id) *'");
        assert_eq!(Fish.set("AWS_PROFILE", "dev"), "set -gx AWS_PROFILE 'dev'");
        assert_eq!(
            Fish.unset("AWS_PROFILE"),
            "if set -q -g AWS_PROFILE; set -e -g AWS_PROFILE; end"
        );
    }

    #[cfg(unix)]
    #[test]
    fn fish_reads_every_value_back() {
        FISH.check_set(&Fish);
    }

    #[cfg(unix)]
    #[test]
    fn fish_unsets() {
        FISH.check_unset(&Fish);
    }
}
