//! A format-preserving editor for the shared credentials file
//! (`~/.aws/credentials`), where `write-credentials` puts role credentials
//! for tools that cannot speak SSO.
//!
//! People edit this file by hand and other tools rewrite it, so ssoenv
//! changes only the sections it writes: every other byte — comments, blank
//! lines, order, CRLF line endings, a missing final newline, duplicate keys,
//! odd spacing, unknown keys, other profiles — stays as it was. The file is
//! kept as lines of bytes and edited line by line; it is never parsed into a
//! model and printed back.
//!
//! Lines are classified the way botocore's configparser reads them: a line
//! whose first non-blank character is `#` or `;` is a comment (brackets and
//! `=` in it mean nothing), `[name]` opens a section, `key = value` (or
//! `key: value`) sets a key, compared case-insensitively, and a line
//! indented deeper than the key's line continues its value. Section names
//! are taken as written between the brackets (`[ dev ]` is " dev ").
//!
//! Sections ssoenv writes carry the key `ssoenv_managed = true`. A key rather
//! than a comment: tools that rewrite the file through configparser or go-ini
//! drop comments but keep keys, and every SDK ignores keys it doesn't know.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::sso::RoleCredentials;
use crate::timestamp::Timestamp;

/// The key that marks a section as written by ssoenv: `true` when ssoenv
/// created the whole section, `keys` when it took over one that was there
/// (then only its own keys are removed again).
pub const MARKER: &str = "ssoenv_managed";
const WHOLE_SECTION: &str = "true";
const KEYS_ONLY: &str = "keys";

/// The keys ssoenv writes, besides `region` (which may be the user's).
const OWNED_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "expiration",
    "x_security_token_expires",
    MARKER,
];

/// Keys ssoenv removes from a section it writes: botocore prefers
/// `aws_security_token` to `aws_session_token`, so a stale one would shadow
/// the fresh token.
const STALE_KEYS: &[&str] = &["aws_security_token"];

const LF: &[u8] = b"\n";
const CRLF: &[u8] = b"\r\n";
const NO_EOL: &[u8] = b"";

#[derive(Clone)]
struct Line {
    text: Vec<u8>,
    /// `\n`, `\r\n`, or nothing for a last line without a newline.
    eol: &'static [u8],
}

/// What a line is to configparser. Positions are byte offsets into the line.
#[derive(PartialEq, Debug)]
enum Kind {
    Blank,
    Comment,
    Header {
        name: String,
    },
    Entry {
        key: Range<usize>,
        value_at: usize,
    },
    Continuation,
    /// Neither: configparser would reject it; kept as it is.
    Other,
}

/// A `[name]` section: its header line and the lines up to its last key.
/// Blank lines and comments after the last key are left out: they usually
/// introduce whatever follows.
struct Section {
    name: String,
    header: usize,
    end: usize,
}

/// A `key = value` line of a section, with its continuation lines.
struct Entry {
    line: usize,
    end: usize,
    key: Range<usize>,
    value_at: usize,
}

/// Which sections `clean` removes; it only ever removes sections ssoenv wrote.
pub enum Clean<'a> {
    /// Those whose credentials expired before this time (or that carry no
    /// readable expiry).
    ExpiredAt(Timestamp),
    All,
    Named(&'a [String]),
}

/// What a section holds, as `doctor` reports it (see [`CredentialsFile::summary`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSummary {
    pub name: String,
    /// The header's line, counted from 1.
    pub line: usize,
    /// ssoenv wrote it (all of it, or its keys into a section that was there).
    pub managed: bool,
    /// Its `expiration`, when that reads as a time.
    pub expiration: Option<Timestamp>,
    /// Keys that `write-credentials` will not replace without --force.
    pub long_term_keys: bool,
}

pub struct CredentialsFile {
    lines: Vec<Line>,
    /// The line ending for new lines: the file's own.
    eol: &'static [u8],
}

impl CredentialsFile {
    pub fn parse(bytes: &[u8]) -> CredentialsFile {
        let mut lines = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let Some(n) = rest.iter().position(|&b| b == b'\n') else {
                lines.push(Line {
                    text: rest.to_vec(),
                    eol: NO_EOL,
                });
                break;
            };
            let line = match rest[..n].strip_suffix(b"\r") {
                Some(text) => Line {
                    text: text.to_vec(),
                    eol: CRLF,
                },
                None => Line {
                    text: rest[..n].to_vec(),
                    eol: LF,
                },
            };
            lines.push(line);
            rest = &rest[n + 1..];
        }
        let eol = lines
            .iter()
            .map(|l| l.eol)
            .find(|e| !e.is_empty())
            .unwrap_or(LF);
        CredentialsFile { lines, eol }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        for line in &self.lines {
            out.extend_from_slice(&line.text);
            out.extend_from_slice(line.eol);
        }
        out
    }

    /// Write role credentials into section `name`, creating it at the end of
    /// the file or updating it in place. A section that holds long-term keys
    /// ssoenv did not write is replaced only with `force`.
    pub fn write_credentials(
        &mut self,
        name: &str,
        creds: &RoleCredentials,
        region: Option<&str>,
        force: bool,
    ) -> Result<()> {
        check_name(name)?;
        let expiration = creds.expiration.to_string();
        let mut set = vec![
            ("aws_access_key_id", creds.access_key_id.as_str()),
            ("aws_secret_access_key", creds.secret_access_key.expose()),
            ("aws_session_token", creds.session_token.expose()),
            // Prompts show the expiry from these (starship reads both).
            ("expiration", expiration.as_str()),
            ("x_security_token_expires", expiration.as_str()),
        ];
        set.extend(region.map(|r| ("region", r)));
        if set.iter().any(|(_, v)| v.contains(['\r', '\n'])) {
            return Err(Error::failed(format!(
                "cannot write [{name}]: a value contains a line break"
            )));
        }
        let kinds = self.classify();
        let sections: Vec<Section> = sections(&kinds)
            .into_iter()
            .filter(|s| s.name == name)
            .collect();
        match sections.as_slice() {
            [] => {
                set.push((MARKER, WHOLE_SECTION));
                self.append(name, &set);
            }
            [s] => {
                let marker = match self.managed(&kinds, s) {
                    Some(true) => WHOLE_SECTION,
                    _ => KEYS_ONLY,
                };
                set.push((MARKER, marker));
                if !force && self.holds_long_term_keys(&kinds, s) {
                    return Err(Error::failed(format!(
                        "[{name}] holds long-term access keys that ssoenv did not write; \
                         write under another name with --as NAME, or replace them with --force"
                    )));
                }
                self.update(&kinds, s, &set, STALE_KEYS);
            }
            [first, second, ..] => {
                return Err(Error::failed(format!(
                    "[{name}] appears more than once (lines {} and {}); merge them first",
                    first.header + 1,
                    second.header + 1
                )));
            }
        }
        Ok(())
    }

    /// Remove the sections ssoenv wrote that `which` selects; returns their
    /// names in file order.
    pub fn clean(&mut self, which: Clean) -> Result<Vec<String>> {
        let kinds = self.classify();
        let sections = sections(&kinds);
        if let Clean::Named(names) = which
            && let Some(s) = sections
                .iter()
                .find(|s| names.contains(&s.name) && !self.is_managed(&kinds, s))
        {
            return Err(Error::failed(format!(
                "[{}] was not written by ssoenv; remove it by hand if you mean to",
                s.name
            )));
        }
        let doomed: Vec<&Section> = sections
            .iter()
            .filter(|s| self.is_managed(&kinds, s))
            .filter(|s| match &which {
                Clean::All => true,
                Clean::Named(names) => names.contains(&s.name),
                Clean::ExpiredAt(now) => self
                    .value(&kinds, s, "expiration")
                    .and_then(|v| String::from_utf8_lossy(v).parse::<Timestamp>().ok())
                    .is_none_or(|e| e <= *now),
            })
            .collect();
        // From the end, so the positions of the others stay valid.
        for s in doomed.iter().rev() {
            // A section that was there before keeps what ssoenv did not
            // write; one with nothing else left goes whole.
            match self.managed(&kinds, s) == Some(true) || self.holds_only_owned_keys(&kinds, s) {
                true => self.remove(s),
                false => self.update(&kinds, s, &[], OWNED_KEYS),
            }
        }
        Ok(doomed.iter().map(|s| s.name.clone()).collect())
    }

    /// Every section, in file order, read without changing anything.
    pub fn summary(&self) -> Vec<SectionSummary> {
        let kinds = self.classify();
        sections(&kinds)
            .iter()
            .map(|s| SectionSummary {
                name: s.name.clone(),
                line: s.header + 1,
                managed: self.is_managed(&kinds, s),
                expiration: self
                    .value(&kinds, s, "expiration")
                    .and_then(|v| String::from_utf8_lossy(v).parse().ok()),
                long_term_keys: self.holds_long_term_keys(&kinds, s),
            })
            .collect()
    }

    fn classify(&self) -> Vec<Kind> {
        // configparser's `indent_level`: the indentation of the key line whose
        // value deeper-indented lines continue.
        let mut entry_indent: Option<usize> = None;
        self.lines
            .iter()
            .map(|line| {
                let kind = classify(&line.text, entry_indent);
                entry_indent = match kind {
                    Kind::Entry { .. } => Some(indent(&line.text)),
                    Kind::Blank | Kind::Comment | Kind::Continuation => entry_indent,
                    Kind::Header { .. } | Kind::Other => None,
                };
                kind
            })
            .collect()
    }

    fn entries(&self, kinds: &[Kind], section: &Section) -> Vec<Entry> {
        let mut entries: Vec<Entry> = Vec::new();
        let body = section.header + 1..section.end;
        for (i, kind) in body.clone().zip(&kinds[body]) {
            match kind {
                Kind::Entry { key, value_at } => entries.push(Entry {
                    line: i,
                    end: i + 1,
                    key: key.clone(),
                    value_at: *value_at,
                }),
                Kind::Continuation => {
                    if let Some(e) = entries.last_mut() {
                        e.end = i + 1;
                    }
                }
                _ => {}
            }
        }
        entries
    }

    fn is(&self, entry: &Entry, key: &str) -> bool {
        self.lines[entry.line].text[entry.key.clone()].eq_ignore_ascii_case(key.as_bytes())
    }

    /// The value of the last `key` in the section (the one SDKs use), trimmed.
    fn value(&self, kinds: &[Kind], section: &Section, key: &str) -> Option<&[u8]> {
        self.entries(kinds, section)
            .iter()
            .rev()
            .find(|e| self.is(e, key))
            .map(|e| self.lines[e.line].text[e.value_at..].trim_ascii())
    }

    fn is_managed(&self, kinds: &[Kind], section: &Section) -> bool {
        self.managed(kinds, section).is_some()
    }

    /// Whether ssoenv wrote the section: Some(true) for the whole of it,
    /// Some(false) for only its keys, None when it did not.
    fn managed(&self, kinds: &[Kind], section: &Section) -> Option<bool> {
        let value = self.value(kinds, section, MARKER)?;
        if value.eq_ignore_ascii_case(WHOLE_SECTION.as_bytes()) {
            Some(true)
        } else if value.eq_ignore_ascii_case(KEYS_ONLY.as_bytes()) {
            Some(false)
        } else {
            None
        }
    }

    /// Whether every line of the section is one of ssoenv's keys (or blank).
    fn holds_only_owned_keys(&self, kinds: &[Kind], section: &Section) -> bool {
        let entries = self.entries(kinds, section);
        let owned = |i: usize| {
            entries
                .iter()
                .any(|e| (e.line..e.end).contains(&i) && OWNED_KEYS.iter().any(|k| self.is(e, k)))
        };
        (section.header + 1..section.end).all(|i| kinds[i] == Kind::Blank || owned(i))
    }

    /// Keys of an IAM user (AKIA…), or any keys without a session token:
    /// replacing them would lose something that cannot be fetched again.
    fn holds_long_term_keys(&self, kinds: &[Kind], section: &Section) -> bool {
        let Some(key_id) = self
            .value(kinds, section, "aws_access_key_id")
            .filter(|v| !v.is_empty())
        else {
            return false;
        };
        let has_token = ["aws_session_token", "aws_security_token"]
            .iter()
            .any(|k| self.value(kinds, section, k).is_some_and(|v| !v.is_empty()));
        !self.is_managed(kinds, section) && (key_id.starts_with(b"AKIA") || !has_token)
    }

    fn new_line(&self, text: String) -> Line {
        Line {
            text: text.into_bytes(),
            eol: self.eol,
        }
    }

    /// Run an edit with every line ending in a newline, so lines can be added
    /// after the last one; then give the file back its final newline, or its
    /// lack of one.
    fn edit(&mut self, f: impl FnOnce(&mut Self)) {
        let open_end = self.lines.last().is_some_and(|l| l.eol.is_empty());
        if let Some(last) = self.lines.last_mut() {
            last.eol = self.eol;
        }
        f(self);
        if open_end && let Some(last) = self.lines.last_mut() {
            last.eol = NO_EOL;
        }
    }

    /// A new section at the end. No blank line before it: one would stay
    /// behind when the section is cleaned, or take someone else's with it.
    fn append(&mut self, name: &str, set: &[(&str, &str)]) {
        self.edit(|file| {
            file.lines.push(file.new_line(format!("[{name}]")));
            for (key, value) in set {
                file.lines.push(file.new_line(format!("{key} = {value}")));
            }
        });
    }

    /// Set keys in place — keeping each line's spelling of the key and its
    /// spacing — drop duplicates and the `drop` keys, and add missing keys
    /// after the section's last key. Other lines of the section stay.
    fn update(&mut self, kinds: &[Kind], section: &Section, set: &[(&str, &str)], drop: &[&str]) {
        let entries = self.entries(kinds, section);
        let mut deleted = vec![false; section.end - section.header];
        let mut replaced: Vec<Option<Vec<u8>>> = vec![None; section.end - section.header];
        let mut added = Vec::new();
        for (key, value) in set {
            let mut found = entries.iter().filter(|e| self.is(e, key));
            match found.next() {
                Some(first) => {
                    let line = &self.lines[first.line].text;
                    let mut text = line[..first.value_at].to_vec();
                    text.extend_from_slice(value.as_bytes());
                    replaced[first.line - section.header] = Some(text);
                    // Its old continuation lines would join the new value.
                    for i in first.line + 1..first.end {
                        deleted[i - section.header] = true;
                    }
                    for e in found {
                        deleted[e.line - section.header..e.end - section.header].fill(true);
                    }
                }
                None => added.push(format!("{key} = {value}")),
            }
        }
        for e in entries
            .iter()
            .filter(|e| drop.iter().any(|k| self.is(e, k)))
        {
            deleted[e.line - section.header..e.end - section.header].fill(true);
        }
        self.edit(|file| {
            let mut body: Vec<Line> = Vec::new();
            for (offset, line) in file.lines[section.header..section.end].iter().enumerate() {
                if deleted[offset] {
                    continue;
                }
                body.push(match replaced[offset].take() {
                    Some(text) => Line {
                        text,
                        eol: line.eol,
                    },
                    None => line.clone(),
                });
            }
            body.extend(added.into_iter().map(|t| file.new_line(t)));
            file.lines.splice(section.header..section.end, body);
        });
    }

    fn remove(&mut self, section: &Section) {
        self.edit(|file| {
            file.lines.drain(section.header..section.end);
        });
    }
}

/// Leading white space, in bytes.
fn indent(text: &[u8]) -> usize {
    text.len() - text.trim_ascii_start().len()
}

fn classify(text: &[u8], entry_indent: Option<usize>) -> Kind {
    let body = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let trimmed = body.trim_ascii();
    let Some(&first) = trimmed.first() else {
        return Kind::Blank;
    };
    if first == b'#' || first == b';' {
        return Kind::Comment;
    }
    if entry_indent.is_some_and(|level| indent(text) > level) {
        return Kind::Continuation;
    }
    let start = text.len() - body.len() + (body.len() - body.trim_ascii_start().len());
    if first == b'[' {
        // configparser's `\[(?P<header>.+)\]`: up to the last `]`.
        return match trimmed.iter().rposition(|&b| b == b']') {
            Some(close) if close > 1 => Kind::Header {
                name: String::from_utf8_lossy(&trimmed[1..close]).into_owned(),
            },
            _ => Kind::Other,
        };
    }
    match trimmed.iter().position(|&b| b == b'=' || b == b':') {
        Some(delimiter) if delimiter > 0 => {
            let key_len = trimmed[..delimiter].trim_ascii_end().len();
            let after = start + delimiter + 1;
            let spaces = text[after..]
                .iter()
                .take_while(|b| **b == b' ' || **b == b'\t')
                .count();
            Kind::Entry {
                key: start..start + key_len,
                value_at: after + spaces,
            }
        }
        _ => Kind::Other,
    }
}

fn sections(kinds: &[Kind]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        match kind {
            Kind::Header { name } => sections.push(Section {
                name: name.clone(),
                header: i,
                end: i + 1,
            }),
            Kind::Entry { .. } | Kind::Continuation | Kind::Other => {
                if let Some(s) = sections.last_mut() {
                    s.end = i + 1;
                }
            }
            Kind::Blank | Kind::Comment => {}
        }
    }
    sections
}

/// A name that reads back as the same `[name]` header.
fn check_name(name: &str) -> Result<()> {
    // configparser's DEFAULT section lends its keys to every other section.
    let bad = name.is_empty()
        || name == "DEFAULT"
        || name.trim() != name
        || name.starts_with(['#', ';'])
        || name.contains(['[', ']', '\r', '\n']);
    match bad {
        true => Err(Error::usage(format!(
            "`{name}` cannot be a section name in the credentials file"
        ))),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(n: u32) -> RoleCredentials {
        RoleCredentials {
            access_key_id: format!("ASIA{n:016}"),
            secret_access_key: format!("secret{n}").into(),
            session_token: format!("token{n}").into(),
            expiration: "2030-01-01T00:00:00Z".parse().unwrap(),
            account_id: None,
        }
    }

    fn written(n: u32) -> String {
        format!(
            "[p{n}]\naws_access_key_id = ASIA{n:016}\naws_secret_access_key = secret{n}\n\
             aws_session_token = token{n}\nexpiration = 2030-01-01T00:00:00Z\n\
             x_security_token_expires = 2030-01-01T00:00:00Z\nssoenv_managed = true\n"
        )
    }

    fn write(text: &str, name: &str, n: u32) -> Result<String> {
        let mut file = CredentialsFile::parse(text.as_bytes());
        file.write_credentials(name, &creds(n), None, false)?;
        Ok(String::from_utf8(file.to_bytes()).unwrap())
    }

    fn clean(text: &str, which: Clean) -> (String, Vec<String>) {
        let mut file = CredentialsFile::parse(text.as_bytes());
        let removed = file.clean(which).unwrap();
        (String::from_utf8(file.to_bytes()).unwrap(), removed)
    }

    const ADVERSARIAL: &str = "\u{feff}# team keys [p1] = not a section\n\
        ; [p2]\n\
        [default]\n\
        aws_access_key_id=AKIAOLD\n\
        aws_secret_access_key  =   s = with = signs\n\
        region:eu-west-1\n\
        region = us-east-1\n\
        \n\
        # production follows\n\
        [ prod ]   \n\
        \tweird_indent = 1\n\
        unknown_key = x\n\
        \n\
        \n";

    #[test]
    fn unchanged_bytes_round_trip() {
        for text in [
            "",
            "\n",
            "[a]\r\nk = v\r\n",
            "[a]\nk = v",
            "no newline at all",
            "mixed\r\nendings\n\r\n",
            "trailing cr\r",
            ADVERSARIAL,
        ] {
            let file = CredentialsFile::parse(text.as_bytes());
            assert_eq!(file.to_bytes(), text.as_bytes(), "{text:?}");
        }
    }

    #[test]
    fn a_new_section_goes_at_the_end_and_leaves_the_rest_alone() {
        assert_eq!(write("", "p1", 1).unwrap(), written(1));
        let out = write(ADVERSARIAL, "p1", 1).unwrap();
        assert_eq!(out, format!("{ADVERSARIAL}{}", written(1)));
        let out = write(ADVERSARIAL, "p2", 2).unwrap();
        assert!(out.starts_with(ADVERSARIAL));
    }

    #[test]
    fn writing_then_cleaning_restores_the_file_exactly() {
        for original in [
            "",
            "[a]\nk = v\n",
            "[a]\nk = v",
            "[a]\r\nk = v\r\n",
            "[a]\r\nk = v",
            "[a]\nk = v\n\n",
            ADVERSARIAL,
        ] {
            let mut text = write(original, "p1", 1).unwrap();
            text = write(&text, "p2", 2).unwrap();
            text = write(&text, "p1", 3).unwrap();
            let (cleaned, removed) = clean(&text, Clean::All);
            assert_eq!(cleaned, original, "{original:?} via {text:?}");
            assert_eq!(removed, ["p1", "p2"]);
        }
    }

    #[test]
    fn crlf_files_get_crlf_lines_and_keep_a_missing_final_newline() {
        let out = write("[a]\r\nk = v", "p1", 1).unwrap();
        assert_eq!(
            out,
            format!("[a]\r\nk = v\r\n{}", written(1).replace('\n', "\r\n"))
                .strip_suffix("\r\n")
                .unwrap()
        );
        let out = write("[a]\nk = v", "p1", 1).unwrap();
        assert!(out.ends_with("ssoenv_managed = true"), "{out:?}");
    }

    #[test]
    fn an_existing_section_is_updated_in_place() {
        let original = "[other]\nx = 1\n\n\
            [p1]\n\
            # my note\n\
            AWS_ACCESS_KEY_ID=ASIAOLD\n\
            output = json\n\
            aws_session_token   =  old\n  continued\n\
            aws_session_token = duplicate\n\
            aws_security_token = stale\n\
            \n\
            # about next\n\
            [next]\n\
            y = 2";
        let out = write(original, "p1", 1).unwrap();
        assert_eq!(
            out,
            "[other]\nx = 1\n\n\
            [p1]\n\
            # my note\n\
            AWS_ACCESS_KEY_ID=ASIA0000000000000001\n\
            output = json\n\
            aws_session_token   =  token1\n\
            aws_secret_access_key = secret1\n\
            expiration = 2030-01-01T00:00:00Z\n\
            x_security_token_expires = 2030-01-01T00:00:00Z\n\
            ssoenv_managed = keys\n\
            \n\
            # about next\n\
            [next]\n\
            y = 2"
        );
        // A second write changes the values only.
        let again = write(&out, "p1", 2).unwrap();
        assert_eq!(again.len(), out.len());
        assert!(again.contains("AWS_ACCESS_KEY_ID=ASIA0000000000000002\n"));
    }

    #[test]
    fn region_only_when_asked() {
        let mut file = CredentialsFile::parse(b"");
        file.write_credentials("p1", &creds(1), Some("eu-west-1"), false)
            .unwrap();
        let text = String::from_utf8(file.to_bytes()).unwrap();
        assert!(text.contains("\nregion = eu-west-1\n"), "{text}");
        assert!(!written(1).contains("region"));
    }

    #[test]
    fn long_term_keys_are_kept_unless_forced() {
        for text in [
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
            "[default]\naws_access_key_id = AKIAX\naws_secret_access_key = x\naws_session_token = t\n",
            "[default]\naws_access_key_id = LOCALKEY\naws_secret_access_key = x\n",
        ] {
            let err = write(text, "default", 1).unwrap_err();
            assert!(err.message.contains("long-term access keys"), "{err}");
            assert!(err.message.contains("--force"), "{err}");
            let mut file = CredentialsFile::parse(text.as_bytes());
            file.write_credentials("default", &creds(1), None, true)
                .unwrap();
        }
        // Session credentials someone else wrote (the seed's script) are replaced.
        write(
            "[default]\naws_access_key_id = ASIAX\naws_secret_access_key = x\naws_session_token = t\n",
            "default",
            1,
        )
        .unwrap();
        write("[default]\nregion = eu-west-1\n", "default", 1).unwrap();
        // Once written by ssoenv, a section is rewritten without --force.
        let forced = {
            let mut file =
                CredentialsFile::parse(b"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
            file.write_credentials("default", &creds(1), None, true)
                .unwrap();
            String::from_utf8(file.to_bytes()).unwrap()
        };
        write(&forced, "default", 2).unwrap();
    }

    #[test]
    fn comments_and_look_alikes_are_not_sections() {
        let text = "# [p1]\n; [p1]\n  # [p1] = x\n[p1\n";
        let out = write(text, "p1", 1).unwrap();
        assert_eq!(out, format!("{text}{}", written(1)));
        // An indented line after a key continues it, even one like a header.
        let text = "[a]\nk = v\n  [p1]\n";
        assert_eq!(
            write(text, "p1", 1).unwrap(),
            format!("{text}{}", written(1))
        );
    }

    #[test]
    fn headers_match_as_written_with_trailing_text() {
        // botocore reads `[ p1 ]` as a profile named " p1 ", so it is not p1.
        let text = "[ p1 ]  ; note\naws_access_key_id = ASIAOLD\naws_session_token = t\n";
        let out = write(text, "p1", 1).unwrap();
        assert!(out.starts_with(text), "{out}");
        assert_eq!(out.matches("[p1]").count(), 1);
        let text = "[p1]  ; note\naws_access_key_id = ASIAOLD\naws_session_token = t\n";
        let out = write(text, "p1", 1).unwrap();
        assert!(
            out.starts_with("[p1]  ; note\naws_access_key_id = ASIA0000000000000001\n"),
            "{out}"
        );
    }

    #[test]
    fn keys_indented_alike_are_separate_keys() {
        // configparser continues a value only with lines indented deeper
        // than its key: these are three keys, and the AKIA key is seen.
        let text = "[dev]\n    output = json\n    aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n    aws_secret_access_key = s\n";
        assert!(
            write(text, "dev", 1).is_err(),
            "long-term keys must be found"
        );
        let deeper = "[dev]\nnote = a\n    aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
        assert!(
            write(deeper, "dev", 1).is_ok(),
            "a deeper line continues `note`"
        );
    }

    #[test]
    fn cleaning_a_taken_over_section_keeps_the_users_lines() {
        let text =
            "[dev] # mine\nregion = x\naws_access_key_id = ASIAOLD\naws_session_token = old\n";
        let written = write(text, "dev", 1).unwrap();
        assert!(written.contains("ssoenv_managed = keys"), "{written}");
        let (cleaned, names) = clean(&written, Clean::All);
        assert_eq!(names, ["dev"]);
        assert_eq!(cleaned, "[dev] # mine\nregion = x\n");
    }

    #[test]
    fn default_is_not_a_section_to_write() {
        assert!(write("", "DEFAULT", 1).is_err());
    }

    #[test]
    fn duplicate_sections_are_refused() {
        let err = write("[p1]\nk = v\n[x]\n[p1]\nj = w\n", "p1", 1).unwrap_err();
        assert!(err.message.contains("lines 1 and 4"), "{err}");
    }

    #[test]
    fn clean_selects_expired_all_or_named() {
        let mut text = String::from("[keep]\nk = v\n");
        for n in 1..=3 {
            text = write(&text, &format!("p{n}"), n).unwrap();
        }
        text = text.replacen("2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z", 1);
        let (out, removed) = clean(&text, Clean::ExpiredAt(Timestamp::now()));
        assert_eq!(removed, ["p1"]);
        assert!(out.starts_with("[keep]\nk = v\n[p2]"), "{out}");
        let (out, removed) = clean(&text, Clean::Named(&["p2".into(), "absent".into()]));
        assert_eq!(removed, ["p2"]);
        assert!(out.contains("[p1]") && out.contains("[p3]") && !out.contains("[p2]"));
        let (out, _) = clean(&text, Clean::All);
        assert_eq!(out, "[keep]\nk = v\n");
        let mut file = CredentialsFile::parse(text.as_bytes());
        let err = file.clean(Clean::Named(&["keep".into()])).unwrap_err();
        assert!(err.message.contains("not written by ssoenv"), "{err}");
    }

    #[test]
    fn a_section_in_the_middle_is_removed_with_its_keys_only() {
        let text = "[a]\nx = 1\n\n[p1]\nssoenv_managed = true\nexpiration = 2020-01-01T00:00:00Z\n\n# b\n[b]\ny = 2\n";
        let (out, _) = clean(text, Clean::ExpiredAt(Timestamp::now()));
        assert_eq!(out, "[a]\nx = 1\n\n\n# b\n[b]\ny = 2\n");
    }

    #[test]
    fn bad_names_and_values_are_refused() {
        for name in ["", " p", "p ", "a]b", "[a", "#x", "a\nb"] {
            assert!(write("", name, 1).is_err(), "{name:?}");
        }
        let mut bad = creds(1);
        bad.session_token = "a\nb".into();
        let mut file = CredentialsFile::parse(b"");
        assert!(file.write_credentials("p1", &bad, None, false).is_err());
    }

    #[test]
    fn summary_names_managed_expired_and_long_term_sections() {
        let file = CredentialsFile::parse(
            b"[user]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\n\
              [dev]\naws_access_key_id = ASIA\naws_secret_access_key = s\n\
              aws_session_token = t\nexpiration = 2026-01-01T00:00:00Z\nssoenv_managed = true\n\
              [region-only]\nregion = eu-west-1\n",
        );
        let summary = file.summary();
        let names: Vec<(&str, usize, bool, bool)> = summary
            .iter()
            .map(|s| (s.name.as_str(), s.line, s.managed, s.long_term_keys))
            .collect();
        assert_eq!(
            names,
            [
                ("user", 1, false, true),
                ("dev", 5, true, false),
                ("region-only", 11, false, false)
            ]
        );
        assert_eq!(
            summary[1].expiration,
            Some("2026-01-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(summary[0].expiration, None);
    }

    #[test]
    fn classification_follows_configparser() {
        assert_eq!(classify(b"  ", None), Kind::Blank);
        assert_eq!(classify(b"  ; x = [y]", None), Kind::Comment);
        assert_eq!(
            classify(b"[a] x ]", None),
            Kind::Header {
                name: "a] x ".into()
            }
        );
        assert_eq!(classify(b"[]", None), Kind::Other);
        assert_eq!(
            classify(b" Key : v", None),
            Kind::Entry {
                key: 1..4,
                value_at: 7
            }
        );
        assert_eq!(classify(b" more", Some(0)), Kind::Continuation);
        assert_eq!(
            classify(b" same = v", Some(1)),
            Kind::Entry {
                key: 1..5,
                value_at: 8
            }
        );
        assert_eq!(classify(b"=v", None), Kind::Other);
    }
}
