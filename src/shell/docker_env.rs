//! `NAME=value` lines for `docker run --env-file`, which takes everything
//! after the first `=` literally, quotes included, up to the end of the line
//! (docker's opts/envfile.go). So values are written as they are, and one
//! holding a line break, which no such line can carry, is refused.

use super::checked_name;

/// Why a value cannot be written.
pub const CANNOT_CARRY: &str =
    "its value holds a line break, which docker's --env-file cannot carry";

/// `NAME=value`, or [`CANNOT_CARRY`]. A carriage return counts as a line
/// break: docker drops one at the end of a line, and other readers of such
/// files split lines at a lone one.
pub fn docker_env_line(name: &str, value: &str) -> Result<String, &'static str> {
    match value.contains(['\n', '\r']) {
        true => Err(CANNOT_CARRY),
        false => Ok(format!("{}={value}", checked_name(name))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::adversarial_values;
    use super::*;

    #[test]
    fn values_are_written_literally() {
        assert_eq!(
            docker_env_line("A", r#"'quoted' "too" $HOME \ # not a comment "#).unwrap(),
            r#"A='quoted' "too" $HOME \ # not a comment "#
        );
        assert_eq!(docker_env_line("A", "").unwrap(), "A=");
    }

    #[test]
    fn a_line_break_is_refused() {
        for value in ["a\nb", "\n", "a\r", "a\r\nb"] {
            assert_eq!(docker_env_line("A", value), Err(CANNOT_CARRY), "{value:?}");
        }
        for value in adversarial_values() {
            match docker_env_line("A", &value) {
                Ok(line) => assert_eq!(line, format!("A={value}")),
                Err(_) => assert!(value.contains(['\n', '\r']), "{value:?}"),
            }
        }
    }
}
