//! Editing a [`Document`] in place: sections appended, keys set or
//! removed, sections removed, and every other byte left as it was.
//!
//! An edit replaces a run of lines; the lines around it keep their text,
//! line endings, and — checked after every edit — their meaning: if a
//! change would make configparser read an untouched line differently (a
//! key line turned into the continuation of a new one, say), the edit is
//! undone and refused. A file without a final newline keeps lacking one.

use std::ops::Range;

use super::lex::{self, Kind, Lexer};
use super::{DEFAULT_SECTION, Document, Eol, Line, SectionId, Text};
use crate::error::{Error, Result};

impl Document {
    /// A new `[name]` section with `entries`, at the end of the file. No
    /// blank line before it: one would stay behind when the section is
    /// removed again, or take someone else's with it.
    pub fn append_section(&mut self, name: &str, entries: &[(&str, &str)]) -> Result<SectionId> {
        check_section_name(name)?;
        check_entries(name, entries)?;
        let mut lines = vec![self.new_line(format!("[{name}]").into_bytes())];
        for (key, value) in entries {
            lines.push(self.new_line(format!("{key} = {value}").into_bytes()));
        }
        let id = SectionId(lines[0].id);
        let end = self.lines.len();
        self.splice(end..end, lines, name)?;
        Ok(id)
    }

    /// Set each key of `entries` in the section: the first line of that key
    /// keeps its spelling and spacing and gets the new value; its
    /// continuation lines and any later lines of the same key go. Keys the
    /// section lacks are added after its last key, indented like it. A key
    /// that already has the value is not touched.
    pub fn set(&mut self, id: SectionId, entries: &[(&str, &str)]) -> Result<()> {
        let (name, header, end) = self.span(id)?;
        check_entries(&name, entries)?;
        let section = self.section_at(header);
        let existing: Vec<_> = section.entries().collect();
        let mut body = Body::new(header + 1..end);
        let mut added = Vec::new();
        for (key, value) in entries {
            let mut same_key = existing.iter().filter(|e| e.is(key));
            let Some(first) = same_key.next() else {
                added.push((*key, *value));
                continue;
            };
            let rest: Vec<_> = same_key.collect();
            if rest.is_empty() && first.end == first.line + 1 && first.value() == *value {
                continue;
            }
            let (text, _, old) = first.parts();
            let mut line = text[..old.start].to_vec();
            line.extend_from_slice(value.as_bytes());
            body.replace(first.line, line);
            body.delete(first.line + 1..first.end);
            for e in rest {
                body.delete(e.line..e.end);
            }
        }
        let indent: Vec<u8> = existing.last().map_or(Vec::new(), |e| {
            let (text, key, _) = e.parts();
            text[..key.start].to_vec()
        });
        if body.is_unchanged() && added.is_empty() {
            return Ok(());
        }
        let mut lines = body.into_lines(self);
        for (key, value) in added {
            let mut text = indent.clone();
            text.extend_from_slice(format!("{key} = {value}").as_bytes());
            lines.push(self.new_line(text));
        }
        self.splice(header + 1..end, lines, &name)
    }

    /// Remove every line of these keys (and their continuation lines).
    pub fn remove_keys(&mut self, id: SectionId, keys: &[&str]) -> Result<()> {
        let (name, header, end) = self.span(id)?;
        let mut body = Body::new(header + 1..end);
        for e in self
            .section_at(header)
            .entries()
            .filter(|e| keys.iter().any(|k| e.is(k)))
        {
            body.delete(e.line..e.end);
        }
        if body.is_unchanged() {
            return Ok(());
        }
        let lines = body.into_lines(self);
        self.splice(header + 1..end, lines, &name)
    }

    /// Remove the section: its header and everything up to its last key.
    pub fn remove_section(&mut self, id: SectionId) -> Result<()> {
        let (name, header, end) = self.span(id)?;
        self.splice(header..end, Vec::new(), &name)
    }

    fn span(&self, id: SectionId) -> Result<(String, usize, usize)> {
        let section = self
            .section(id)
            .ok_or_else(|| Error::failed("the section to change is gone"))?;
        Ok((section.name().into_owned(), section.header, section.end))
    }

    fn new_line(&mut self, text: Vec<u8>) -> Line {
        let id = self.next_id;
        self.next_id += 1;
        // What the line is on its own, in a section; `splice` checks that
        // it is still that where it lands.
        let kind = Lexer::after_header(0).line(&text);
        Line {
            id,
            text: Text::Edited(text),
            eol: self.eol,
            kind,
        }
    }

    /// Replace `range` with `new`, or change nothing and fail when that
    /// would change how any other line reads.
    fn splice(&mut self, range: Range<usize>, mut new: Vec<Line>, section: &str) -> Result<()> {
        // Every line gets a newline while lines may be added after the last
        // one; the file's last line gets back its lack of one after.
        let open_end = self.lines.last().is_some_and(|l| l.eol == Eol::None);
        let close_end = |doc: &mut Document| {
            if open_end && let Some(last) = doc.lines.last_mut() {
                last.eol = Eol::None;
            }
        };
        if open_end && let Some(last) = self.lines.last_mut() {
            last.eol = self.eol;
        }
        for line in &mut new {
            if line.eol == Eol::None {
                line.eol = self.eol;
            }
        }
        let end = range.start + new.len();
        let removed: Vec<Line> = self.lines.splice(range.clone(), new).collect();
        close_end(self);
        let checked = self
            .check_joins(range.start, end)
            .and_then(|()| self.check_kinds(range.start, end));
        let Err(at) = checked else {
            // A blank last line that lost its newline is no line at all.
            if self
                .lines
                .last()
                .is_some_and(|l| self.text_of(l).is_empty() && l.eol == Eol::None)
            {
                self.lines.pop();
            }
            return Ok(());
        };
        if let Some(last) = self.lines.last_mut().filter(|_| open_end) {
            last.eol = self.eol;
        }
        self.lines.splice(range.start..end, removed);
        close_end(self);
        let line = match at < end {
            true => range.start + 1,
            false => at - end + range.end + 1,
        };
        Err(Error::failed(format!(
            "cannot change [{section}] without changing how line {line} reads; \
             edit the file by hand"
        )))
    }

    /// A lone `\r` ending a line next to a blank line ending in `\n` would
    /// read back as one `\r\n` (only possible in a file mixing the two).
    fn check_joins(&self, from: usize, to: usize) -> std::result::Result<(), usize> {
        let last = to.min(self.lines.len().saturating_sub(1));
        for i in from.saturating_sub(1)..last {
            let (this, next) = (&self.lines[i], &self.lines[i + 1]);
            if this.eol == Eol::Cr && self.text_of(next).is_empty() && next.eol == Eol::Lf {
                return Err(i + 1);
            }
        }
        Ok(())
    }

    /// Lex again from the section before `from` and compare with what each
    /// line is taken to be, up to the first unchanged header at or after
    /// `to` (after a header, the lexer's state no longer depends on what
    /// came before). The index of the first line that reads differently.
    fn check_kinds(&self, from: usize, to: usize) -> std::result::Result<(), usize> {
        let start = self.lines[..from]
            .iter()
            .rposition(|l| matches!(l.kind, Kind::Header { .. }));
        let (mut lexer, first) = match start {
            Some(h) => (Lexer::after_header(lex::indent(self.text(h))), h + 1),
            None => (Lexer::default(), 0),
        };
        for (i, line) in self.lines.iter().enumerate().skip(first) {
            let kind = lexer.line(self.text_of(line));
            if kind != line.kind {
                return Err(i);
            }
            if i >= to && matches!(kind, Kind::Header { .. }) {
                break;
            }
        }
        Ok(())
    }
}

/// The lines of a section's body, with some replaced and some deleted.
struct Body {
    range: Range<usize>,
    replaced: Vec<Option<Vec<u8>>>,
    deleted: Vec<bool>,
}

impl Body {
    fn new(range: Range<usize>) -> Body {
        Body {
            replaced: vec![None; range.len()],
            deleted: vec![false; range.len()],
            range,
        }
    }

    fn replace(&mut self, line: usize, text: Vec<u8>) {
        self.replaced[line - self.range.start] = Some(text);
    }

    fn delete(&mut self, lines: Range<usize>) {
        self.deleted[lines.start - self.range.start..lines.end - self.range.start].fill(true);
    }

    fn is_unchanged(&self) -> bool {
        self.replaced.iter().all(Option::is_none) && !self.deleted.contains(&true)
    }

    fn into_lines(self, doc: &mut Document) -> Vec<Line> {
        let mut lines = Vec::with_capacity(self.range.len());
        for (offset, replaced) in self.replaced.into_iter().enumerate() {
            if self.deleted[offset] {
                continue;
            }
            let old = &doc.lines[self.range.start + offset];
            lines.push(match replaced {
                None => old.clone(),
                Some(text) => {
                    let eol = old.eol;
                    Line {
                        eol,
                        ..doc.new_line(text)
                    }
                }
            });
        }
        lines
    }
}

/// A name that reads back as the same `[name]` header, in configparser and
/// in the simpler readers other tools use.
pub fn check_section_name(name: &str) -> Result<()> {
    let why = if name.is_empty() {
        "it is empty"
    } else if name == DEFAULT_SECTION {
        // configparser lends [DEFAULT]'s keys to every other section.
        "[DEFAULT] holds defaults for every section"
    } else if name.trim_matches(lex::is_space) != name {
        "it has spaces at its ends"
    } else if name.starts_with(['#', ';']) {
        "it starts like a comment"
    } else if name.contains(['[', ']', '\r', '\n']) {
        "it has a bracket or a line break in it"
    } else {
        return Ok(());
    };
    Err(Error::usage(format!(
        "`{name}` cannot be a section name: {why}"
    )))
}

pub(super) fn check_entries(section: &str, entries: &[(&str, &str)]) -> Result<()> {
    for (key, value) in entries {
        let bad_key = key.is_empty()
            || key.trim_matches(lex::is_space) != *key
            || key.starts_with(['[', '#', ';'])
            || key.contains(['=', ':', '\r', '\n']);
        if bad_key {
            return Err(Error::failed(format!(
                "cannot write [{section}]: `{key}` cannot be a key"
            )));
        }
        if value.contains(['\r', '\n']) {
            return Err(Error::failed(format!(
                "cannot write [{section}]: a value contains a line break"
            )));
        }
        if value.trim_matches(lex::is_space) != *value {
            return Err(Error::failed(format!(
                "cannot write [{section}]: the value of {key} has spaces at its ends, \
                 which the file cannot keep"
            )));
        }
    }
    Ok(())
}
