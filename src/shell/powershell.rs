//! PowerShell: Windows PowerShell 5.1 and PowerShell 7 and later, whose
//! tokenizers read quotes the same way.
//!
//! Every value here is one single-quoted literal, which may span lines. The
//! output must therefore reach PowerShell whole, for instance
//! `ssoenv … | Out-String | Invoke-Expression`: piped straight into
//! `Invoke-Expression`, a native command's output arrives one line at a time,
//! and the lines of a value that holds a line break would be run as code.

use super::{Shell, checked_name};

pub(super) struct PowerShell;

/// The characters that PowerShell's tokenizer takes for a single quote
/// (`CharExtensions.IsSingleQuote`): `'` and U+2018 to U+201B.
fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}'..='\u{201B}')
}

impl Shell for PowerShell {
    /// In a single-quoted string nothing is special but the quotes: a quote
    /// followed by another quote stands for that second one, and a lone quote
    /// ends the string (about_Quoting_Rules; the tokenizer's
    /// `ScanStringLiteral`). Any of the five quote characters counts, so each
    /// of them is doubled, not just `'`.
    fn quote(&self, value: &str) -> String {
        let mut quoted = String::with_capacity(value.len() + 2);
        quoted.push('\'');
        for c in value.chars() {
            if is_single_quote(c) {
                quoted.push(c);
            }
            quoted.push(c);
        }
        quoted.push('\'');
        quoted
    }

    /// An empty value removes the variable before PowerShell 7.5 (.NET
    /// deleted a variable set to ""); from 7.5 on it is kept, empty.
    fn set(&self, name: &str, value: &str) -> String {
        format!("$Env:{} = {}", checked_name(name), self.quote(value))
    }

    /// Assigning `$null` removes the variable and, unlike `Remove-Item`, also
    /// succeeds (`$?` stays true, nothing goes to `$Error`) when it is absent.
    fn unset(&self, name: &str) -> String {
        format!("$Env:{} = $null", checked_name(name))
    }

    fn set_local(&self, name: &str, value: &str) -> String {
        format!("$global:{} = {}", checked_name(name), self.quote(value))
    }

    fn set_local_once(&self, name: &str, value: &str) -> String {
        let name = checked_name(name);
        format!(
            "if (-not (Test-Path -LiteralPath Variable:global:{name})) {{ {} }}",
            self.set_local(name, value)
        )
    }

    /// Test-Path first: reading an unset variable fails under StrictMode.
    fn run_saved(&self, name: &str, otherwise: &str) -> String {
        let name = checked_name(name);
        format!(
            "if (Test-Path -LiteralPath Variable:global:{name}) {{ Invoke-Expression $global:{name}; Remove-Variable -Name {name} -Scope Global }} else {{\n{otherwise}\n}}"
        )
    }

    fn drop_saved(&self, name: &str) -> String {
        format!(
            "Remove-Variable -Name {} -Scope Global -ErrorAction Ignore",
            checked_name(name)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{VAR, adversarial_values};
    use super::*;
    use tree_sitter::{Node, Parser, Tree};

    fn parse(code: &str) -> Tree {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_powershell::LANGUAGE.into())
            .unwrap();
        parser.parse(code, None).unwrap()
    }

    fn all_nodes<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
        out.push(node);
        for child in node.children(&mut node.walk()) {
            all_nodes(child, out);
        }
    }

    /// Parses `code` and returns its string literals, failing the test on any
    /// syntax error.
    fn string_literals(code: &str) -> Vec<(usize, usize, Vec<&'static str>)> {
        let tree = parse(code);
        let mut nodes = Vec::new();
        all_nodes(tree.root_node(), &mut nodes);
        for node in &nodes {
            assert!(
                !node.is_error() && !node.is_missing(),
                "{} at byte {} of {code:?}",
                node.kind(),
                node.start_byte(),
            );
        }
        assert!(!tree.root_node().has_error(), "{code:?}");
        nodes
            .iter()
            .filter(|node| node.kind() == "string_literal")
            .map(|node| {
                let kinds = node.children(&mut node.walk()).map(|c| c.kind()).collect();
                (node.start_byte(), node.end_byte(), kinds)
            })
            .collect()
    }

    /// PowerShell's single quotes, spelled out apart from `is_single_quote`
    /// so that a mistake there cannot hide here.
    const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

    /// Reads the single-quoted string at the start of `code` by PowerShell's
    /// own rule, which the tree-sitter grammar does not follow (it only knows
    /// `'`): a quote character followed by another is that second character,
    /// and a lone one ends the string. Returns the string and the length of
    /// the literal, or None if it does not end.
    fn read_single_quoted(code: &str) -> Option<(String, usize)> {
        let mut chars = code.char_indices().peekable();
        assert!(chars.next().is_some_and(|(_, c)| QUOTES.contains(&c)));
        let mut read = String::new();
        while let Some((at, c)) = chars.next() {
            if !QUOTES.contains(&c) {
                read.push(c);
            } else if let Some((_, next)) = chars.next_if(|(_, next)| QUOTES.contains(next)) {
                read.push(next);
            } else {
                return Some((read, at + c.len_utf8()));
            }
        }
        None
    }

    #[test]
    fn emitted_form() {
        assert_eq!(PowerShell.quote(""), "''");
        assert_eq!(PowerShell.quote("it's"), "'it''s'");
        assert_eq!(
            PowerShell.quote("\u{2018}x\u{201B}"),
            "'\u{2018}\u{2018}x\u{201B}\u{201B}'"
        );
        assert_eq!(
            PowerShell.quote("$(id) `n \"\u{201C}"),
            "'$(id) `n \"\u{201C}'"
        );
        assert_eq!(
            PowerShell.set("AWS_PROFILE", "dev"),
            "$Env:AWS_PROFILE = 'dev'"
        );
        assert_eq!(PowerShell.unset("AWS_PROFILE"), "$Env:AWS_PROFILE = $null");
    }

    #[test]
    fn every_value_is_one_literal_that_powershell_reads_back() {
        let prefix = format!("$Env:{VAR} = ");
        for value in adversarial_values() {
            let code = PowerShell.set(VAR, &value);
            let literals = string_literals(&code);
            assert_eq!(
                literals,
                [(prefix.len(), code.len(), vec!["verbatim_string_characters"])],
                "{code:?}",
            );
            assert!(code.starts_with(&prefix));
            let (read, len) = read_single_quoted(&code[prefix.len()..]).unwrap();
            assert_eq!(read, value);
            assert_eq!(prefix.len() + len, code.len(), "ends early: {code:?}");
        }
    }

    #[test]
    fn unset_parses() {
        assert!(string_literals(&PowerShell.unset(VAR)).is_empty());
    }

    /// The grammar is blind to U+2019 as a quote: it accepts `'a’b'` as one
    /// literal, while PowerShell ends the string after `a` and runs `b'` as
    /// code. Only the doubling, checked by PowerShell's rule, keeps it whole.
    #[test]
    fn a_lone_right_single_quote_is_doubled() {
        let naive = "'a\u{2019}b'";
        assert_eq!(
            string_literals(naive),
            [(0, naive.len(), vec!["verbatim_string_characters"])]
        );
        assert_eq!(
            read_single_quoted(naive),
            Some(("a".into(), "'a\u{2019}".len()))
        );

        let quoted = PowerShell.quote("a\u{2019}b");
        assert_eq!(quoted, "'a\u{2019}\u{2019}b'");
        assert_eq!(
            read_single_quoted(&quoted),
            Some(("a\u{2019}b".into(), quoted.len()))
        );
    }
}
