//! `set NAME=value` lines for Windows cmd, the shape of `aws configure
//! export-credentials --format windows-cmd`.
//!
//! cmd has no quoting that holds every value: `%` expands even inside
//! `set "NAME=value"`, `!` does under delayed expansion, `^ & | < > ( )` are
//! operators outside quotes, and a line break ends the command. So values
//! are written as they are, and only those made of characters cmd reads
//! literally in any of those places can be written at all: AWS credentials,
//! regions and timestamps always are.

use super::checked_name;

/// Why a value cannot be written.
pub const CANNOT_CARRY: &str = "its value holds a character cmd would not read literally (only letters, digits and + / = - _ . : , @ ~ are written)";

/// Characters `set NAME=value` keeps as they are, in a batch file or typed.
fn literal(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+/=-_.:,@~".contains(c)
}

/// `set NAME=value`, or [`CANNOT_CARRY`].
pub fn set_line(name: &str, value: &str) -> Result<String, &'static str> {
    match value.chars().all(literal) {
        true => Ok(format!("set {}={value}", checked_name(name))),
        false => Err(CANNOT_CARRY),
    }
}

/// `set NAME=`: removes NAME, and succeeds when it is not set.
pub fn unset_line(name: &str) -> String {
    format!("set {}=", checked_name(name))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::adversarial_values;
    use super::*;

    #[test]
    fn credentials_are_written_as_they_are() {
        assert_eq!(
            set_line("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE").unwrap(),
            "set AWS_ACCESS_KEY_ID=ASIAEXAMPLE"
        );
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+/=";
        assert_eq!(
            set_line("AWS_SECRET_ACCESS_KEY", secret).unwrap(),
            format!("set AWS_SECRET_ACCESS_KEY={secret}")
        );
        assert_eq!(
            set_line("AWS_CREDENTIAL_EXPIRATION", "2026-01-01T12:00:00Z").unwrap(),
            "set AWS_CREDENTIAL_EXPIRATION=2026-01-01T12:00:00Z"
        );
        assert_eq!(unset_line("AWS_SECURITY_TOKEN"), "set AWS_SECURITY_TOKEN=");
    }

    #[test]
    fn what_cmd_would_interpret_is_refused() {
        for value in [
            "%PATH%", "a&b", "a|b", "^", "!x!", "a b", "a\nb", "é", "\"", "(x)",
        ] {
            assert_eq!(set_line("A", value), Err(CANNOT_CARRY), "{value:?}");
        }
        for value in adversarial_values() {
            if let Ok(line) = set_line("A", &value) {
                assert!(
                    !line.contains(['\n', '\r', '%', '!', '^', '&', '"']),
                    "{line:?}"
                );
            }
        }
    }
}
