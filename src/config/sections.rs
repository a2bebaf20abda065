//! The sections of the AWS config file and the values in them, as the AWS
//! CLI (botocore's `build_profile_map`) gives them meaning, with line
//! numbers so every error — syntax or meaning — can name file and line.
//!
//! The file is read by `ini` with configparser's rules. On top of them:
//! - `[default]`, `[profile NAME]`, `[profile "NAME"]`, `[sso-session NAME]`
//!   name profiles and sessions; `[DEFAULT]` is configparser's: its keys are
//!   every other section's defaults.
//! - Where botocore would silently skip or misread a section or a value,
//!   ssoenv says so instead: a name with spaces that is not quoted, spaces
//!   just inside the brackets (`[ profile dev ]` is no profile to the AWS
//!   CLI), quotes or backslashes inside a name, a key that looks like a
//!   broken header, an indented line that runs into a value ssoenv reads.
//! - Like the Rust SDK (and unlike botocore), a ` #` or ` ;` after a value
//!   starts a comment: `region = eu-west-1 # Ireland` is eu-west-1.

use std::path::Path;

use crate::error::{Error, Result};
use crate::ini::{self, Document, SectionId};

use super::keys::{self, SectionKind, Typo};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionName {
    Default,
    Profile(String),
    SsoSession(String),
    /// `[services x]`, `[plugins]`, … — kept so duplicates are still caught.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub line: usize,
    pub entries: Vec<Entry>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// The values ssoenv itself takes from profiles and sessions (or from
/// [DEFAULT] for them): each must be one line, or the AWS CLI would read
/// something else.
const SINGLE_LINE_KEYS: &[&str] = &[
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "region",
    "role_arn",
    "source_profile",
    "role_session_name",
    "duration_seconds",
    "external_id",
    "mfa_serial",
];

fn syntax_error(file: &Path, line: usize, what: impl std::fmt::Display) -> Error {
    Error::usage(format!("{}:{line}: {what}", file.display()))
}

/// The file, checked, and its sections by name. A section's values are read
/// when asked for: a command needs one or two profiles of a config that may
/// hold thousands.
pub struct Sections {
    doc: Document,
    /// Keys that look like misspellings of ones ssoenv reads.
    typos: Vec<Typo>,
    /// In file order, [DEFAULT] aside.
    list: Vec<(SectionName, SectionId)>,
    defaults: Vec<Entry>,
}

/// Every line is read and checked here, so an error anywhere in the file is
/// reported whichever profile a command wants.
pub fn parse(text: &str, file: &Path) -> Result<Sections> {
    let doc = Document::parse(text.as_bytes());
    doc.check()
        .map_err(|problem| syntax_error(file, problem.line, &problem))?;
    let mut list = Vec::new();
    let mut defaults = Vec::new();
    let mut typos = Vec::new();
    for section in doc.sections() {
        let header = section.name();
        let name =
            SectionName::parse(&header).map_err(|m| syntax_error(file, section.line(), m))?;
        let kind = match &name {
            SectionName::Default | SectionName::Profile(_) => Some(SectionKind::Profile),
            SectionName::SsoSession(_) => Some(SectionKind::SsoSession),
            SectionName::Other(_) => None,
        };
        for entry in section.entries() {
            check_entry(&entry, file)?;
            if let Some(meant) = kind.and_then(|k| keys::suggest(k, &entry.key())) {
                typos.push(Typo {
                    file: file.to_path_buf(),
                    line: entry.line(),
                    section: header.trim().to_string(),
                    key: entry.key().into_owned(),
                    meant,
                });
            }
        }
        match header == ini::DEFAULT_SECTION {
            true => defaults.extend(section.entries().map(|e| read_entry(&e))),
            false => list.push((name, section.id())),
        }
    }
    Ok(Sections {
        doc,
        typos,
        list,
        defaults,
    })
}

impl Sections {
    pub fn typos(&self) -> &[Typo] {
        &self.typos
    }

    pub fn iter(&self) -> impl Iterator<Item = (&SectionName, SectionId)> {
        self.list.iter().map(|(name, id)| (name, *id))
    }

    /// The header's line number.
    pub fn line(&self, id: SectionId) -> usize {
        self.doc.section(id).map_or(0, |s| s.line())
    }

    /// The section's values, and [DEFAULT]'s for the keys it lacks.
    pub fn read(&self, id: SectionId) -> Section {
        let section = self.doc.section(id).expect("ids come from this file");
        let mut entries: Vec<Entry> = section.entries().map(|e| read_entry(&e)).collect();
        for default in &self.defaults {
            if !entries.iter().any(|e| e.key == default.key) {
                entries.push(default.clone());
            }
        }
        Section {
            line: section.line(),
            entries,
        }
    }
}

/// Only the names: the values are secret-free, but thousands of them are
/// noise.
impl std::fmt::Debug for Sections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.list.iter().map(|(name, _)| name))
            .finish()
    }
}

fn check_entry(entry: &ini::Entry, file: &Path) -> Result<()> {
    // botocore reads `[profile dev = x` as a key of the section above.
    if entry.key().starts_with('[') {
        return Err(syntax_error(
            file,
            entry.line(),
            format!("malformed section header `{}`", entry.key()),
        ));
    }
    let Some((continued, _)) = entry.continuations().next() else {
        return Ok(());
    };
    let key = entry.key();
    if entry.value().starts_with('\n') {
        // A nested block (`s3 =` then indented `name = value` lines), which
        // botocore refuses to load when a line of it has no `=`.
        if let Some((line, text)) = entry.continuations().find(|(_, t)| !t.contains('=')) {
            return Err(syntax_error(
                file,
                line,
                format!("`{text}` in the block under `{key}` needs `name = value`"),
            ));
        }
    } else if SINGLE_LINE_KEYS.contains(&key.as_ref()) {
        return Err(syntax_error(
            file,
            continued,
            format!(
                "this indented line continues `{key}` from line {} (the AWS CLI reads it as part of the value); unindent it",
                entry.line()
            ),
        ));
    }
    Ok(())
}

/// A checked entry's key, value and line. A one-line value loses a trailing
/// comment.
fn read_entry(entry: &ini::Entry) -> Entry {
    let mut value = entry.value();
    if entry.continuations().next().is_none() {
        value.truncate(strip_comment(&value).len());
    }
    Entry {
        key: entry.key().into_owned(),
        value,
        line: entry.line(),
    }
}

/// Drop a trailing ` # comment` / ` ; comment`.
fn strip_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if (*b == b'#' || *b == b';') && i > 0 && bytes[i - 1].is_ascii_whitespace() {
            return s[..i].trim_end();
        }
    }
    s.trim_end()
}

impl SectionName {
    /// What a header's name (the text between the brackets, as configparser
    /// reads it) names: `default`, `profile NAME`, `profile "NAME"`,
    /// `sso-session NAME`, or something else. An error says what to write
    /// where botocore would not find the profile or session it looks like.
    pub fn parse(header: &str) -> std::result::Result<SectionName, String> {
        if header == "default" {
            return Ok(SectionName::Default);
        }
        let trimmed = header.trim();
        if trimmed != header {
            return match SectionName::parse(trimmed) {
                Ok(SectionName::Other(_)) => Ok(SectionName::Other(header.to_string())),
                _ => Err(format!(
                    "section name `{header}` has spaces just inside its brackets, which the AWS CLI \
                     keeps as part of the name; write [{trimmed}]"
                )),
            };
        }
        let Some((kind, rest)) = header.split_once(char::is_whitespace) else {
            return Ok(SectionName::Other(header.to_string()));
        };
        let rest = rest.trim();
        let named = match kind {
            "profile" => SectionName::Profile,
            "sso-session" => SectionName::SsoSession,
            _ => return Ok(SectionName::Other(header.to_string())),
        };
        if rest.bytes().any(|b| matches!(b, b'[' | b']')) {
            return Err(format!(
                "section header [{header}]: the name runs to the last `]` on the line; \
                 put a comment on a line of its own"
            ));
        }
        let quoted = ['"', '\'']
            .iter()
            .find_map(|q| rest.strip_prefix(*q)?.strip_suffix(*q));
        let name = quoted.unwrap_or(rest);
        if name.bytes().any(|b| matches!(b, b'"' | b'\'' | b'\\')) {
            return Err(format!(
                "section name `{header}` has a quote or backslash inside the name, which the AWS CLI \
                 reads by shell rules; quote the whole name as [{kind} \"NAME\"]"
            ));
        }
        if name.is_empty() || quoted.is_none() && name.contains(char::is_whitespace) {
            return Err(format!(
                "section name `{header}` has spaces; quote it as [{kind} \"{rest}\"]"
            ));
        }
        Ok(named(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A section as a command sees it, with the name it was found under.
    #[derive(Debug)]
    struct Read {
        name: SectionName,
        line: usize,
        section: Section,
    }

    impl Read {
        fn get(&self, key: &str) -> Option<&Entry> {
            self.section.get(key)
        }
    }

    fn p(text: &str) -> Result<Vec<Read>> {
        let sections = parse(text, Path::new("/cfg"))?;
        let read = |(name, id): (&SectionName, SectionId)| {
            let section = sections.read(id);
            Read {
                name: name.clone(),
                line: section.line,
                section,
            }
        };
        Ok(sections.iter().map(read).collect())
    }

    #[test]
    fn reads_sections_entries_and_lines() {
        let s = p("# top\n[default]\nregion = eu-west-1 # comment\n\n[profile dev]\r\nSSO_Session=corp\r\ns3 =\n  max_concurrent_requests = 10\noutput = json\n[sso-session corp]\nsso_start_url = https://x/start\n").unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].name, SectionName::Default);
        assert_eq!(s[0].get("region").unwrap().value, "eu-west-1");
        assert_eq!(s[1].name, SectionName::Profile("dev".into()));
        assert_eq!(s[1].line, 5);
        let e = s[1].get("sso_session").unwrap();
        assert_eq!((e.value.as_str(), e.line), ("corp", 6));
        assert_eq!(s[1].get("output").unwrap().value, "json");
        assert_eq!(s[2].name, SectionName::SsoSession("corp".into()));
    }

    #[test]
    fn quoted_profile_names() {
        let s = p("[profile \"my profile\"]\nregion=x\n").unwrap();
        assert_eq!(s[0].name, SectionName::Profile("my profile".into()));
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = p("[default]\nregion = x\nthis is not a setting\n").unwrap_err();
        assert_eq!(
            e.message,
            "/cfg:3: expected `key = value`, found `this is not a setting`"
        );
        let e = p("region = x\n").unwrap_err();
        assert!(
            e.message.starts_with("/cfg:1: setting outside"),
            "{}",
            e.message
        );
        let e = p("[profile dev\n").unwrap_err();
        assert!(
            e.message.starts_with("/cfg:1: malformed section header"),
            "{}",
            e.message
        );
        let e = p("[profile a]\n[profile b]\n[profile a]\n").unwrap_err();
        assert_eq!(
            e.message,
            "/cfg:3: duplicate section [profile a] (first at line 1)"
        );
        let e = p("[profile my profile]\n").unwrap_err();
        assert!(e.message.contains("quote it"), "{}", e.message);
    }

    fn err(text: &str) -> String {
        p(text).unwrap_err().message
    }

    #[test]
    fn lines_are_read_as_botocore_reads_them() {
        // `:` delimits too, and keys indented alike are separate keys.
        let s =
            p("\u{feff}[profile dev]\n  sso_session: corp\n  output = x\n    more\n  region = y\n")
                .unwrap();
        assert_eq!(s[0].get("sso_session").unwrap().value, "corp");
        assert_eq!(s[0].get("output").unwrap().value, "x\nmore");
        assert_eq!(s[0].get("region").unwrap().value, "y");
        // Text after the header's `]` is ignored, as configparser ignores it.
        let s = p("[profile dev] ; mine\nregion = x\n").unwrap();
        assert_eq!(s[0].name, SectionName::Profile("dev".into()));
        let s = p("[profile 'quoted']\n[ plugins ]\n").unwrap();
        assert_eq!(s[0].name, SectionName::Profile("quoted".into()));
        assert_eq!(s[1].name, SectionName::Other(" plugins ".into()));
    }

    #[test]
    fn default_lends_its_keys_to_every_section() {
        let s = p("[DEFAULT]\nregion = eu-west-1\nsso_session = corp\n[profile a]\nregion = us-east-1\n[DEFAULT]\noutput = json\n[default]\n").unwrap();
        assert_eq!(s.len(), 2, "[DEFAULT] is not a section of its own");
        let region = s[0].get("region").unwrap();
        assert_eq!((region.value.as_str(), region.line), ("us-east-1", 5));
        let session = s[0].get("sso_session").unwrap();
        assert_eq!((session.value.as_str(), session.line), ("corp", 3));
        assert_eq!(s[1].get("output").unwrap().value, "json");
    }

    #[test]
    fn what_botocore_would_misread_is_an_error_with_its_line() {
        assert_eq!(
            err("[profile dev]\nregion = a\nRegion = b\n"),
            "/cfg:3: duplicate setting `region` in [profile dev] (first at line 2)"
        );
        assert!(
            err("[ profile dev ]\n")
                .starts_with("/cfg:1: section name ` profile dev ` has spaces just inside"),
        );
        assert!(err("[profile a\"b]\n").contains("quote or backslash"));
        assert!(err("[profile dev] # see [x]\n").contains("runs to the last `]`"));
        assert_eq!(
            err("[profile dev]\nregion = us-east-1\n  junk\n"),
            "/cfg:3: this indented line continues `region` from line 2 \
             (the AWS CLI reads it as part of the value); unindent it"
        );
        assert_eq!(
            err("[profile dev]\ns3 =\n  max_concurrent_requests = 10\n  oops\n"),
            "/cfg:4: `oops` in the block under `s3` needs `name = value`"
        );
        assert_eq!(
            err("[default]\n[profile dev = x\n"),
            "/cfg:2: malformed section header `[profile dev`"
        );
        assert_eq!(
            err("[default]\nx = 1\n[default]\n"),
            "/cfg:3: duplicate section [default] (first at line 1)"
        );
    }
}
