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
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod properties;

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
    text: Text,
    eol: Eol,
    kind: Kind,
}

/// A line's text: where it is in the file as read, or the bytes an edit
/// made. Read lines point into the file so that reading allocates nothing
/// per line.
#[derive(Clone)]
enum Text {
    Read(Range<usize>),
    Edited(Vec<u8>),
}

/// A file's lines and what each is. Deliberately not `Debug`: a credentials
/// file holds secrets.
pub struct Document {
    /// The file as read.
    source: Vec<u8>,
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
        let mut at = if bom { BOM.len() } else { 0 };
        let mut lines = Vec::with_capacity(bytes.iter().filter(|&&b| b == b'\n').count() + 1);
        let mut lexer = Lexer::default();
        while at < bytes.len() {
            let rest = &bytes[at..];
            let (len, eol, next) = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                None => (rest.len(), Eol::None, rest.len()),
                Some(n) if rest[n..].starts_with(b"\r\n") => (n, Eol::CrLf, n + 2),
                Some(n) if rest[n] == b'\r' => (n, Eol::Cr, n + 1),
                Some(n) => (n, Eol::Lf, n + 1),
            };
            lines.push(Line {
                id: lines.len() as u32,
                text: Text::Read(at..at + len),
                eol,
                kind: lexer.line(&rest[..len]),
            });
            at += next;
        }
        let eol = lines
            .iter()
            .map(|l| l.eol)
            .find(|&e| e != Eol::None)
            .unwrap_or(Eol::Lf);
        let next_id = lines.len() as u32;
        Document {
            source: bytes.to_vec(),
            bom,
            lines,
            eol,
            next_id,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let size = self
            .lines
            .iter()
            .map(|l| self.text_of(l).len() + 2)
            .sum::<usize>();
        let mut out = Vec::with_capacity(size + BOM.len());
        if self.bom {
            out.extend_from_slice(BOM);
        }
        for line in &self.lines {
            out.extend_from_slice(self.text_of(line));
            out.extend_from_slice(line.eol.bytes());
        }
        out
    }

    /// The text of line `i` (from 0), without its line ending.
    fn text(&self, i: usize) -> &[u8] {
        self.text_of(&self.lines[i])
    }

    fn text_of<'s>(&'s self, line: &'s Line) -> &'s [u8] {
        match &line.text {
            Text::Read(range) => &self.source[range.clone()],
            Text::Edited(bytes) => bytes,
        }
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
        // Lines keep their place until an edit before them, so look there first.
        let header = match self.lines.get(id.0 as usize) {
            Some(line) if line.id == id.0 => id.0 as usize,
            _ => self.lines.iter().position(|l| l.id == id.0)?,
        };
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
        let headers = self
            .lines
            .iter()
            .filter(|l| matches!(l.kind, Kind::Header { .. }))
            .count();
        let before_any = self
            .sections()
            .next()
            .map_or(self.lines.len(), |s| s.header);
        if let Some(i) = (0..before_any).find(|&i| matches!(self.lines[i].kind, Kind::Invalid(_))) {
            return Err(self.bad_line(i));
        }
        let mut names: HashMap<&[u8], usize> = HashMap::with_capacity(headers);
        // Keys by section, as configparser's `elements_added`: [DEFAULT]
        // may appear more than once, its keys may not.
        let mut default_keys = Vec::new();
        let mut section_keys = Vec::new();
        for section in self.sections() {
            let name = section.raw_name();
            let is_default = name == DEFAULT_SECTION.as_bytes();
            if !is_default && let Some(first) = names.insert(name, section.line()) {
                return Err(Problem {
                    line: section.line(),
                    what: What::DuplicateSection {
                        name: lossy(name).into_owned(),
                        first,
                    },
                });
            }
            let keys = match is_default {
                true => &mut default_keys,
                false => {
                    section_keys.clear();
                    &mut section_keys
                }
            };
            let mut bad_line = None;
            for i in section.header + 1..section.end {
                let line = &self.lines[i];
                match &line.kind {
                    Kind::Entry { key, .. } => {
                        keys.push((lower(&self.text(i)[key.clone()]), i + 1))
                    }
                    Kind::Invalid(_) => {
                        bad_line.get_or_insert(i);
                    }
                    _ => {}
                }
            }
            let duplicate = first_duplicate(keys).map(|(key, first, line)| Problem {
                line,
                what: What::DuplicateKey {
                    key,
                    section: lossy(name).into_owned(),
                    first,
                },
            });
            let bad_line = bad_line.map(|i| self.bad_line(i));
            if let Some(problem) = [duplicate, bad_line]
                .into_iter()
                .flatten()
                .min_by_key(|p| p.line)
            {
                return Err(problem);
            }
        }
        Ok(())
    }

    fn bad_line(&self, i: usize) -> Problem {
        let Kind::Invalid(why) = self.lines[i].kind else {
            unreachable!("only invalid lines are bad")
        };
        let text = self.text(i);
        Problem {
            line: i + 1,
            what: What::Line {
                text: lossy(&text[lex::trim(text)]).into_owned(),
                why,
            },
        }
    }
}

/// The key given twice whose second line comes first: key, first line,
/// second line. Sorting instead of hashing: sections are small.
fn first_duplicate(keys: &mut [(Cow<str>, usize)]) -> Option<(String, usize, usize)> {
    keys.sort_unstable();
    keys.windows(2)
        .filter(|pair| pair[0].0 == pair[1].0)
        .min_by_key(|pair| pair[1].1)
        .map(|pair| (pair[0].0.clone().into_owned(), pair[0].1, pair[1].1))
}

impl<'a> Section<'a> {
    pub fn id(&self) -> SectionId {
        SectionId(self.doc.lines[self.header].id)
    }

    /// The name as configparser reads it: everything between `[` and the
    /// last `]`, spaces included (`[ dev ]` is " dev ").
    pub fn name(&self) -> Cow<'a, str> {
        lossy(self.raw_name())
    }

    fn raw_name(&self) -> &'a [u8] {
        let Kind::Header { name } = &self.doc.lines[self.header].kind else {
            unreachable!("a section starts at a header")
        };
        &self.doc.text(self.header)[name.clone()]
    }

    /// The header's line number, from 1.
    pub fn line(&self) -> usize {
        self.header + 1
    }

    /// The section's keys in file order, duplicates included.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'a>> + 'a {
        let (doc, end) = (self.doc, self.end);
        let lines = &doc.lines;
        (self.header + 1..end)
            .filter(|&i| matches!(lines[i].kind, Kind::Entry { .. }))
            .map(move |line| {
                // Continuation lines run on past comments and bad lines, up
                // to the next key.
                let last = (line + 1..end)
                    .take_while(|&i| !matches!(lines[i].kind, Kind::Entry { .. }))
                    .filter(|&i| matches!(lines[i].kind, Kind::Continuation { .. }))
                    .last()
                    .unwrap_or(line);
                Entry {
                    doc,
                    line,
                    end: last + 1,
                }
            })
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
        let Kind::Entry { key, value } = &self.doc.lines[self.line].kind else {
            unreachable!("an entry starts at a key line")
        };
        (self.doc.text(self.line), key, value)
    }

    /// The key as configparser stores it: lowercased (`optionxform`).
    pub fn key(&self) -> Cow<'a, str> {
        let (text, key, _) = self.parts();
        lower(&text[key.clone()])
    }

    /// Whether this is `key`, compared as configparser compares keys.
    pub fn is(&self, key: &str) -> bool {
        let (text, own, _) = self.parts();
        let own = &text[own.clone()];
        match own.is_ascii() && key.is_ascii() {
            true => own.eq_ignore_ascii_case(key.as_bytes()),
            false => lower(own) == key.to_lowercase(),
        }
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
                    out.push_str(&lossy(&self.doc.text_of(line)[value.clone()]));
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
            Kind::Continuation { value } => Some((i + 1, lossy(&doc.text(i)[value.clone()]))),
            _ => None,
        })
    }
}

fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// configparser's `optionxform`: Python's `str.lower`.
fn lower(key: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(key) {
        Ok(ascii) if key.is_ascii() && !key.iter().any(u8::is_ascii_uppercase) => {
            Cow::Borrowed(ascii)
        }
        _ => Cow::Owned(lossy(key).to_lowercase()),
    }
}

#[cfg(test)]
pub(crate) mod tests;
