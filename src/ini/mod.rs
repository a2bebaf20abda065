//! The AWS config and credentials files, read the way botocore reads them —
//! both with one `configparser.RawConfigParser` (botocore/configloader.py,
//! `raw_config_parse`) — and edited without disturbing a byte that is not
//! being changed.
//!
//! A [`Document`] is the file's lines, each with its line ending and what
//! configparser makes of it (see `lex.rs` for the rules). Reading goes
//! through [`Section`] and [`Entry`] views; `edit.rs` changes sections in
//! place. Nothing here knows what a profile is: `config` gives the sections
//! of `~/.aws/config` their meaning, `credentials_file` decides what ssoenv
//! may change in `~/.aws/credentials`.
//!
//! One deliberate leniency: a UTF-8 byte order mark at the start is
//! skipped (and kept). Python reads it as a character and then finds no
//! section header; Windows editors write it.

mod edit;
mod lex;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

pub use edit::check_section_name;
use lex::{Invalid, Kind, Lexer};

/// configparser's `default_section`: its keys are every other section's
/// defaults, and it is not a section of its own.
pub const DEFAULT_SECTION: &str = "DEFAULT";

const BOM: &[u8] = b"\xef\xbb\xbf";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Eol {
    Lf,
    CrLf,
    /// A lone `\r`: Python's universal newlines end a line there too.
    Cr,
    /// The last line of a file without a final newline.
    None,
}

impl Eol {
    fn bytes(self) -> &'static [u8] {
        match self {
            Eol::Lf => b"\n",
            Eol::CrLf => b"\r\n",
            Eol::Cr => b"\r",
            Eol::None => b"",
        }
    }
}

#[derive(Clone)]
struct Line {
    /// Stable across edits, so a [`SectionId`] stays valid while other
    /// sections change.
    id: u32,
    text: Vec<u8>,
    eol: Eol,
    kind: Kind,
}

/// A file's lines and what each is. Deliberately not `Debug`: a credentials
/// file holds secrets.
pub struct Document {
    bom: bool,
    lines: Vec<Line>,
    /// The line ending for new lines: the file's own.
    eol: Eol,
    next_id: u32,
}

/// A section header, valid until that section is removed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SectionId(u32);

/// A `[name]` section: its header line and the lines up to its last key.
/// Blank lines and comments after the last key are not part of it: they
/// usually introduce whatever follows.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    doc: &'a Document,
    header: usize,
    end: usize,
}

/// A `key = value` line with its continuation lines.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    doc: &'a Document,
    line: usize,
    end: usize,
}

/// What configparser would refuse, and where (line numbers from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    what: What,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum What {
    Line {
        text: String,
        why: Invalid,
    },
    DuplicateSection {
        name: String,
        first: usize,
    },
    DuplicateKey {
        key: String,
        section: String,
        first: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            What::Line { text, .. } if text.starts_with('[') => {
                write!(f, "malformed section header `{text}`")
            }
            What::Line {
                why: Invalid::OutsideSection,
                ..
            } => f.write_str("setting outside of any [section]"),
            What::Line {
                why: Invalid::EmptyKey,
                ..
            } => f.write_str("setting without a name"),
            What::Line {
                text,
                why: Invalid::NoDelimiter,
            } => {
                write!(f, "expected `key = value`, found `{text}`")
            }
            What::DuplicateSection { name, first } => {
                write!(f, "duplicate section [{name}] (first at line {first})")
            }
            What::DuplicateKey {
                key,
                section,
                first,
            } => {
                write!(
                    f,
                    "duplicate setting `{key}` in [{section}] (first at line {first})"
                )
            }
        }
    }
}

impl Document {
    /// Every byte is kept: `parse(b).to_bytes() == b` for any `b`.
    pub fn parse(bytes: &[u8]) -> Document {
        let bom = bytes.starts_with(BOM);
        let mut rest = &bytes[if bom { BOM.len() } else { 0 }..];
        let mut lines = Vec::new();
        let mut lexer = Lexer::default();
        while !rest.is_empty() {
            let (text, eol, next) = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                None => (rest, Eol::None, rest.len()),
                Some(n) if rest[n..].starts_with(b"\r\n") => (&rest[..n], Eol::CrLf, n + 2),
                Some(n) if rest[n] == b'\r' => (&rest[..n], Eol::Cr, n + 1),
                Some(n) => (&rest[..n], Eol::Lf, n + 1),
            };
            lines.push(Line {
                id: lines.len() as u32,
                text: text.to_vec(),
                eol,
                kind: lexer.line(text),
            });
            rest = &rest[next..];
        }
        let eol = lines
            .iter()
            .map(|l| l.eol)
            .find(|&e| e != Eol::None)
            .unwrap_or(Eol::Lf);
        let next_id = lines.len() as u32;
        Document {
            bom,
            lines,
            eol,
            next_id,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let size = self.lines.iter().map(|l| l.text.len() + 2).sum::<usize>() + BOM.len();
        let mut out = Vec::with_capacity(size);
        if self.bom {
            out.extend_from_slice(BOM);
        }
        for line in &self.lines {
            out.extend_from_slice(&line.text);
            out.extend_from_slice(line.eol.bytes());
        }
        out
    }

    /// Every section in file order, `[DEFAULT]` included.
    pub fn sections(&self) -> impl Iterator<Item = Section<'_>> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l.kind, Kind::Header { .. }))
            .map(|(i, _)| self.section_at(i))
    }

    pub fn section(&self, id: SectionId) -> Option<Section<'_>> {
        let header = self.lines.iter().position(|l| l.id == id.0)?;
        Some(self.section_at(header))
    }

    fn section_at(&self, header: usize) -> Section<'_> {
        let mut end = header + 1;
        for (i, line) in self.lines.iter().enumerate().skip(header + 1) {
            match line.kind {
                Kind::Header { .. } => break,
                Kind::Entry { .. } | Kind::Continuation { .. } | Kind::Invalid(_) => end = i + 1,
                Kind::Blank | Kind::Comment => {}
            }
        }
        Section {
            doc: self,
            header,
            end,
        }
    }

    /// The first thing configparser (strict, as botocore uses it) would
    /// refuse: a line it cannot read, a section or a key given twice.
    pub fn check(&self) -> Result<(), Problem> {
        let mut sections: HashMap<&[u8], usize> = HashMap::new();
        // Keys by section, as configparser's `elements_added`: [DEFAULT]
        // may appear more than once, its keys may not.
        let mut keys: HashMap<(&[u8], String), usize> = HashMap::new();
        let mut section: &[u8] = b"";
        for (i, line) in self.lines.iter().enumerate() {
            let line_no = i + 1;
            match &line.kind {
                Kind::Header { name } => {
                    section = &line.text[name.clone()];
                    if section != DEFAULT_SECTION.as_bytes()
                        && let Some(first) = sections.insert(section, line_no)
                    {
                        return Err(Problem {
                            line: line_no,
                            what: What::DuplicateSection {
                                name: lossy(section).into_owned(),
                                first,
                            },
                        });
                    }
                }
                Kind::Entry { key, .. } => {
                    let key = lower(&line.text[key.clone()]);
                    if let Some(first) = keys.insert((section, key.clone()), line_no) {
                        return Err(Problem {
                            line: line_no,
                            what: What::DuplicateKey {
                                key,
                                section: lossy(section).into_owned(),
                                first,
                            },
                        });
                    }
                }
                Kind::Invalid(why) => {
                    return Err(Problem {
                        line: line_no,
                        what: What::Line {
                            text: lossy(&line.text[lex::trim(&line.text)]).into_owned(),
                            why: *why,
                        },
                    });
                }
                Kind::Blank | Kind::Comment | Kind::Continuation { .. } => {}
            }
        }
        Ok(())
    }
}

impl<'a> Section<'a> {
    pub fn id(&self) -> SectionId {
        SectionId(self.doc.lines[self.header].id)
    }

    /// The name as configparser reads it: everything between `[` and the
    /// last `]`, spaces included (`[ dev ]` is " dev ").
    pub fn name(&self) -> Cow<'a, str> {
        let line = &self.doc.lines[self.header];
        let Kind::Header { name } = &line.kind else {
            unreachable!("a section starts at a header")
        };
        lossy(&line.text[name.clone()])
    }

    /// The header's line number, from 1.
    pub fn line(&self) -> usize {
        self.header + 1
    }

    /// The section's keys in file order, duplicates included.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        let doc = self.doc;
        let body = self.header + 1..self.end;
        let mut entries: Vec<Entry<'a>> = Vec::new();
        for i in body {
            match doc.lines[i].kind {
                Kind::Entry { .. } => entries.push(Entry {
                    doc,
                    line: i,
                    end: i + 1,
                }),
                Kind::Continuation { .. } => {
                    if let Some(e) = entries.last_mut() {
                        e.end = i + 1;
                    }
                }
                _ => {}
            }
        }
        entries.into_iter()
    }

    /// The last `key` (configparser refuses duplicates; other readers take
    /// the last), compared as configparser does, case-insensitively.
    pub fn get(&self, key: &str) -> Option<Entry<'a>> {
        self.entries().filter(|e| e.is(key)).last()
    }

    /// Whether every line of the section is blank or part of one of `keys`.
    pub fn holds_only(&self, keys: &[&str]) -> bool {
        let mut covered = vec![false; self.end - self.header];
        for e in self.entries().filter(|e| keys.iter().any(|k| e.is(k))) {
            covered[e.line - self.header..e.end - self.header].fill(true);
        }
        (self.header + 1..self.end)
            .all(|i| covered[i - self.header] || self.doc.lines[i].kind == Kind::Blank)
    }
}

impl<'a> Entry<'a> {
    fn parts(&self) -> (&'a [u8], &'a Range<usize>, &'a Range<usize>) {
        let line = &self.doc.lines[self.line];
        let Kind::Entry { key, value } = &line.kind else {
            unreachable!("an entry starts at a key line")
        };
        (&line.text, key, value)
    }

    /// The key as configparser stores it: lowercased (`optionxform`).
    pub fn key(&self) -> String {
        let (text, key, _) = self.parts();
        lower(&text[key.clone()])
    }

    pub fn is(&self, key: &str) -> bool {
        self.key() == key.to_lowercase()
    }

    /// The key line's number, from 1.
    pub fn line(&self) -> usize {
        self.line + 1
    }

    /// The value as configparser gives it: the first line's value and each
    /// continuation line, stripped, joined by `\n` with the blank lines
    /// among them, white space at the end removed. A value that starts with
    /// `\n` is what botocore parses as a nested block (`s3 =` …).
    pub fn value(&self) -> String {
        let (text, _, value) = self.parts();
        let mut out = lossy(&text[value.clone()]).into_owned();
        for line in &self.doc.lines[self.line + 1..self.end] {
            match &line.kind {
                Kind::Continuation { value } => {
                    out.push('\n');
                    out.push_str(&lossy(&line.text[value.clone()]));
                }
                Kind::Blank => out.push('\n'),
                _ => {}
            }
        }
        let kept = out.trim_end_matches(lex::is_space).len();
        out.truncate(kept);
        out
    }

    /// The continuation lines: line number and stripped text.
    pub fn continuations(&self) -> impl Iterator<Item = (usize, Cow<'a, str>)> + 'a {
        let doc = self.doc;
        (self.line + 1..self.end).filter_map(move |i| match &doc.lines[i].kind {
            Kind::Continuation { value } => Some((i + 1, lossy(&doc.lines[i].text[value.clone()]))),
            _ => None,
        })
    }
}

fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// configparser's `optionxform`: Python's `str.lower`.
fn lower(key: &[u8]) -> String {
    lossy(key).to_lowercase()
}

#[cfg(test)]
pub(crate) mod tests;
