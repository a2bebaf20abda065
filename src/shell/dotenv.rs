//! `.env` lines, as docker compose (compose-go's dotenv parser) and
//! python-dotenv read them.
//!
//! The two readers share no quoting that holds every value:
//! - in single quotes, python-dotenv reads `\\` as one backslash and compose
//!   as two, so a backslash can only go in double quotes;
//! - in double quotes, compose expands `$` unless it is written `\$`, which
//!   python-dotenv keeps as two characters;
//! - a raw line break is read differently (python-dotenv turns a lone CR into
//!   LF).
//!
//! So a value goes in single quotes unless it holds a backslash or a line
//! break, and then in double quotes, with escapes that both readers decode
//! alike. Either way the value stays on one line, so a reader that loses its
//! place starts again at the next line, never inside a value.
//!
//! Compose reads every value back exactly. python-dotenv does too but for
//! three cases that no quoting avoids: it expands `${…}` even in single
//! quotes; it keeps `\$` (a `$` in a value with a backslash or line break) as
//! two characters; and when a value ends in a backslash, it takes the escaped
//! backslash and the closing quote for an escaped quote and runs on into the
//! lines that follow, up to the next quote.

use super::checked_name;

/// One KEY=value line for a .env file (docker compose / python-dotenv semantics), value quoted so it reads back exactly.
pub fn dotenv_line(name: &str, value: &str) -> String {
    format!("{}={}", checked_name(name), quote(value))
}

fn quote(value: &str) -> String {
    if !value.contains(['\\', '\n', '\r']) {
        // In single quotes both readers take every character as is, except
        // that both read `\'` as `'`.
        return format!("'{}'", value.replace('\'', r"\'"));
    }
    // Escapes that both readers decode in double quotes (compose: Go's
    // strconv.UnquoteChar, and `\$`; python-dotenv: `\\ \' \" \a \b \f \n \r
    // \t \v`, so `\$` stays two characters there).
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars() {
        match c {
            '\\' => quoted.push_str(r"\\"),
            '"' => quoted.push_str(r#"\""#),
            '$' => quoted.push_str(r"\$"),
            '\n' => quoted.push_str(r"\n"),
            '\r' => quoted.push_str(r"\r"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::super::testutil::adversarial_values;
    use super::*;

    #[test]
    fn plain_values_are_single_quoted() {
        assert_eq!(
            dotenv_line("AWS_REGION", "eu-west-1"),
            "AWS_REGION='eu-west-1'"
        );
        assert_eq!(dotenv_line("A", ""), "A=''");
        assert_eq!(dotenv_line("A", "   "), "A='   '");
        assert_eq!(dotenv_line("A", "#x"), "A='#x'");
    }

    #[test]
    fn single_quotes_keep_dollars_and_double_quotes() {
        assert_eq!(dotenv_line("A", "${HOME} $X \"q\""), "A='${HOME} $X \"q\"'");
        assert_eq!(dotenv_line("A", "it's"), r"A='it\'s'");
        assert_eq!(dotenv_line("A", "''"), r"A='\'\''");
    }

    #[test]
    fn backslashes_and_line_breaks_go_in_double_quotes() {
        assert_eq!(dotenv_line("A", "x\\"), r#"A="x\\""#);
        assert_eq!(dotenv_line("A", "a\nb\r\n"), r#"A="a\nb\r\n""#);
        assert_eq!(dotenv_line("A", "\\n $X \"'"), r#"A="\\n \$X \"'""#);
    }

    #[test]
    fn every_value_stays_on_one_line() {
        for value in adversarial_values() {
            let line = dotenv_line("A", &value);
            assert!(!line.contains(['\n', '\r']), "{line:?}");
        }
    }
}
