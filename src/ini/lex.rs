//! What each line is, by the rules of CPython's `configparser.RawConfigParser`
//! with the defaults botocore uses (`RawConfigParser._read` in
//! Lib/configparser.py):
//!
//! - a line whose first non-blank character is `#` or `;` is a comment;
//!   there are no inline comments (`inline_comment_prefixes=None`), so
//!   `region = x # y` has the value `x # y`;
//! - a line of white space only is blank, and inside a value it adds an
//!   empty line to it (`empty_lines_in_values=True`);
//! - a line indented deeper than the key line above it continues that key's
//!   value (configparser's `indent_level`), whatever it looks like;
//! - `[` … `]` is a section header, named by everything up to the *last*
//!   `]` (`\[(?P<header>.+)\]` matched, not fully matched: text after it is
//!   ignored);
//! - otherwise the first `=` or `:` splits key from value, both stripped;
//!   an empty key, a line with neither, or anything before the first header
//!   is an error.
//!
//! "White space" and "indented" are Python's: `str.isspace()` characters,
//! counted as characters, not bytes. Bytes that are not UTF-8 count as
//! ordinary characters (Python would refuse such a file; ssoenv still
//! preserves it byte for byte).

use std::ops::Range;

/// What a line is. Ranges are byte offsets into the line's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Blank,
    Comment,
    Header {
        name: Range<usize>,
    },
    Entry {
        key: Range<usize>,
        value: Range<usize>,
    },
    Continuation {
        value: Range<usize>,
    },
    Invalid(Invalid),
}

/// Why configparser rejects a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Invalid {
    /// Not blank, not a comment, before the first section header.
    OutsideSection,
    /// Neither a header nor `key = value`.
    NoDelimiter,
    /// `= value`.
    EmptyKey,
}

/// configparser's state between lines: whether there is a section, whether
/// a key's value is open for continuation lines, and the indentation a
/// continuation line has to exceed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Lexer {
    in_section: bool,
    open_entry: bool,
    indent_level: usize,
}

impl Lexer {
    /// The state right after a section header indented `indent` characters.
    pub(super) fn after_header(indent: usize) -> Lexer {
        Lexer {
            in_section: true,
            open_entry: false,
            indent_level: indent,
        }
    }

    pub(super) fn line(&mut self, text: &[u8]) -> Kind {
        let trimmed = trim(text);
        let Some(&first) = text.get(trimmed.start).filter(|_| !trimmed.is_empty()) else {
            return Kind::Blank;
        };
        if first == b'#' || first == b';' {
            return Kind::Comment;
        }
        let indent = indent(text);
        if self.in_section && self.open_entry && indent > self.indent_level {
            return Kind::Continuation { value: trimmed };
        }
        self.indent_level = indent;
        if let Some(name) = header(text, &trimmed) {
            self.in_section = true;
            self.open_entry = false;
            return Kind::Header { name };
        }
        if !self.in_section {
            return Kind::Invalid(Invalid::OutsideSection);
        }
        let Some(delimiter) = text[trimmed.clone()]
            .iter()
            .position(|&b| b == b'=' || b == b':')
            .map(|i| trimmed.start + i)
        else {
            // configparser keeps the previous key open: a deeper line still
            // continues it.
            return Kind::Invalid(Invalid::NoDelimiter);
        };
        let key = trimmed.start..trim_end(text, trimmed.start..delimiter);
        if key.is_empty() {
            self.open_entry = false;
            return Kind::Invalid(Invalid::EmptyKey);
        }
        self.open_entry = true;
        // From after the spaces that follow the delimiter, even when they
        // end the line, so a new value keeps the line's spacing.
        let value_start = trim(&text[delimiter + 1..]).start + delimiter + 1;
        Kind::Entry {
            key,
            value: value_start..trimmed.end.max(value_start),
        }
    }
}

/// `[name]`, named up to the last `]`, at least one character long.
fn header(text: &[u8], trimmed: &Range<usize>) -> Option<Range<usize>> {
    let body = &text[trimmed.clone()];
    if body.first() != Some(&b'[') {
        return None;
    }
    let close = body.iter().rposition(|&b| b == b']')?;
    (close >= 2).then(|| trimmed.start + 1..trimmed.start + close)
}

/// The characters of `text`: byte offset, byte length, and whether Python
/// counts it as white space.
fn chars(text: &[u8]) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let mut at = 0;
    text.utf8_chunks().flat_map(move |chunk| {
        let start = at;
        let valid = chunk.valid();
        at += valid.len() + chunk.invalid().len();
        let valid_chars = valid
            .char_indices()
            .map(move |(i, c)| (start + i, c.len_utf8(), is_space(c)));
        let invalid_bytes =
            (0..chunk.invalid().len()).map(move |i| (start + valid.len() + i, 1, false));
        valid_chars.chain(invalid_bytes)
    })
}

/// Python's `str.isspace()`: Unicode White_Space, as Rust has it, plus the
/// four ASCII separators U+001C..U+001F.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's white space among ASCII characters.
fn is_ascii_space(b: &u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b'\x1c'..=b'\x1f' | b' ')
}

/// The range of `text` without white space at either end (Python's `strip`).
pub(super) fn trim(text: &[u8]) -> Range<usize> {
    if text.is_ascii() {
        let start = text
            .iter()
            .position(|b| !is_ascii_space(b))
            .unwrap_or(text.len());
        let end = text
            .iter()
            .rposition(|b| !is_ascii_space(b))
            .map_or(start, |i| i + 1);
        return start..end;
    }
    let start = chars(text)
        .find(|&(_, _, space)| !space)
        .map_or(text.len(), |(i, _, _)| i);
    start..trim_end(text, start..text.len())
}

/// The end of `range` without the white space at its end.
fn trim_end(text: &[u8], range: Range<usize>) -> usize {
    let part = &text[range.clone()];
    if part.is_ascii() {
        return part
            .iter()
            .rposition(|b| !is_ascii_space(b))
            .map_or(range.start, |i| range.start + i + 1);
    }
    chars(part)
        .filter(|&(_, _, space)| !space)
        .last()
        .map_or(range.start, |(i, len, _)| range.start + i + len)
}

/// Leading white space, in characters (configparser's `NONSPACECRE`).
pub(super) fn indent(text: &[u8]) -> usize {
    let ascii = text.iter().take_while(|b| is_ascii_space(b)).count();
    if text.get(ascii).is_none_or(u8::is_ascii) {
        return ascii;
    }
    chars(text).take_while(|&(_, _, space)| space).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_section(text: &str) -> Kind {
        Lexer::after_header(0).line(text.as_bytes())
    }

    #[test]
    fn lines_are_what_configparser_makes_of_them() {
        assert_eq!(in_section("  "), Kind::Blank);
        assert_eq!(in_section("\u{1c}\u{a0}"), Kind::Blank);
        assert_eq!(in_section("  ; x = [y]"), Kind::Comment);
        assert_eq!(in_section("[a] x ]"), Kind::Header { name: 1..6 });
        assert_eq!(in_section("[a] trailing"), Kind::Header { name: 1..2 });
        assert_eq!(in_section("[]"), Kind::Invalid(Invalid::NoDelimiter));
        // configparser's header pattern does not match, so this is a key.
        assert_eq!(
            in_section("[]=x"),
            Kind::Entry {
                key: 0..2,
                value: 3..4
            }
        );
        assert_eq!(
            in_section(" Key : v"),
            Kind::Entry {
                key: 1..4,
                value: 7..8
            }
        );
        assert_eq!(
            in_section("k = v # not a comment"),
            Kind::Entry {
                key: 0..1,
                value: 4..21
            }
        );
        assert_eq!(
            in_section("k =  "),
            Kind::Entry {
                key: 0..1,
                value: 5..5
            }
        );
        assert_eq!(
            in_section("url = https://x"),
            Kind::Entry {
                key: 0..3,
                value: 6..15
            }
        );
        assert_eq!(in_section("=v"), Kind::Invalid(Invalid::EmptyKey));
        assert_eq!(
            in_section("just words"),
            Kind::Invalid(Invalid::NoDelimiter)
        );
        assert_eq!(
            Lexer::default().line(b"k = v"),
            Kind::Invalid(Invalid::OutsideSection)
        );
        // Non-breaking spaces are white space to Python.
        assert_eq!(
            in_section("k\u{a0}=\u{a0}v\u{a0}"),
            Kind::Entry {
                key: 0..1,
                value: 6..7
            }
        );
    }

    #[test]
    fn only_deeper_lines_continue_a_value() {
        let mut lexer = Lexer::after_header(0);
        assert_eq!(
            lexer.line(b"  k = v"),
            Kind::Entry {
                key: 2..3,
                value: 6..7
            }
        );
        assert_eq!(
            lexer.line(b"  j = w"),
            Kind::Entry {
                key: 2..3,
                value: 6..7
            }
        );
        assert_eq!(lexer.line(b"   [x]"), Kind::Continuation { value: 3..6 });
        assert_eq!(lexer.line(b""), Kind::Blank);
        assert_eq!(lexer.line(b"   # c"), Kind::Comment);
        assert_eq!(lexer.line(b"    more"), Kind::Continuation { value: 4..8 });
        // A line configparser rejects keeps the key open, `= v` closes it.
        assert_eq!(lexer.line(b"  junk"), Kind::Invalid(Invalid::NoDelimiter));
        assert_eq!(lexer.line(b"   more"), Kind::Continuation { value: 3..7 });
        assert_eq!(lexer.line(b"  = v"), Kind::Invalid(Invalid::EmptyKey));
        assert_eq!(lexer.line(b"   [x]"), Kind::Header { name: 4..5 });
        // The rules the credentials editor followed before, unchanged.
        let mut lexer = Lexer::after_header(0);
        lexer.line(b"k = v");
        assert_eq!(lexer.line(b" more"), Kind::Continuation { value: 1..5 });
        let mut lexer = Lexer::after_header(0);
        lexer.line(b" k = v");
        assert_eq!(
            lexer.line(b" same = v"),
            Kind::Entry {
                key: 1..5,
                value: 8..9
            }
        );
        // Indentation is counted in characters: one ideographic space.
        let mut lexer = Lexer::after_header(0);
        lexer.line(b"k = v");
        assert_eq!(
            lexer.line("\u{3000}x".as_bytes()),
            Kind::Continuation { value: 3..4 }
        );
        assert_eq!(indent("\u{3000}\tx".as_bytes()), 2);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_ordinary_characters() {
        assert_eq!(
            in_section("k\u{ff} = v").clone(),
            Kind::Entry {
                key: 0..3,
                value: 6..7
            }
        );
        assert_eq!(
            in_section_bytes(b"\xff\xfe = \x80"),
            Kind::Entry {
                key: 0..2,
                value: 5..6
            }
        );
        assert_eq!(trim(b" \xc3 "), 1..2);
        assert_eq!(
            indent(b"\xa0x"),
            0,
            "a lone continuation byte is not U+00A0"
        );
    }

    fn in_section_bytes(text: &[u8]) -> Kind {
        Lexer::after_header(0).line(text)
    }
}
