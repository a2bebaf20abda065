//! A line-oriented reader for the AWS config file format that keeps line
//! numbers, so every error — syntax or meaning — can name file and line.
//!
//! It follows botocore's reading (the AWS CLI's): `#`/`;` comment lines, `=`
//! between key and value, keys case-insensitive, indented lines continuing
//! the previous key (nested `s3 =` blocks), duplicate sections rejected.
//! Like the Rust SDK, a ` #` or ` ;` after a value starts a comment.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Error, Result};

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
    pub name: SectionName,
    pub line: usize,
    pub entries: Vec<Entry>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

fn syntax_error(file: &Path, line: usize, what: impl std::fmt::Display) -> Error {
    Error::usage(format!("{}:{line}: {what}", file.display()))
}

pub fn parse(text: &str, file: &Path) -> Result<Vec<Section>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    // Where each section started, to reject duplicates without a quadratic scan.
    let mut seen: HashMap<SectionName, usize> = HashMap::new();
    // Whether an indented line may continue the previous entry.
    let mut in_entry = false;
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) && in_entry {
            continue; // a nested sub-setting such as `s3 =\n  max_concurrent_requests = 10`
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let inner = strip_comment(rest);
            let Some(inner) = inner.strip_suffix(']') else {
                return Err(syntax_error(
                    file,
                    line_no,
                    format!("malformed section header `{trimmed}`"),
                ));
            };
            let name = section_name(inner.trim()).map_err(|m| syntax_error(file, line_no, m))?;
            if let Some(first) = seen.insert(name.clone(), line_no) {
                return Err(syntax_error(
                    file,
                    line_no,
                    format!(
                        "duplicate section [{}] (first at line {first})",
                        inner.trim()
                    ),
                ));
            }
            sections.push(Section {
                name,
                line: line_no,
                entries: Vec::new(),
            });
            in_entry = false;
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(syntax_error(
                file,
                line_no,
                format!("expected `key = value`, found `{trimmed}`"),
            ));
        };
        let Some(section) = sections.last_mut() else {
            return Err(syntax_error(
                file,
                line_no,
                "setting outside of any [section]",
            ));
        };
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(syntax_error(file, line_no, "setting without a name"));
        }
        section.entries.push(Entry {
            key,
            value: strip_comment(value).trim().to_string(),
            line: line_no,
        });
        in_entry = true;
    }
    Ok(sections)
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

/// `default`, `profile NAME`, `profile "NAME"`, `sso-session NAME`.
fn section_name(inner: &str) -> std::result::Result<SectionName, String> {
    if inner == "default" {
        return Ok(SectionName::Default);
    }
    let (kind, rest) = match inner.split_once(char::is_whitespace) {
        Some((k, r)) => (k, r.trim()),
        None => return Ok(SectionName::Other(inner.to_string())),
    };
    let name = unquote(rest);
    if name.is_empty() || name.chars().any(char::is_whitespace) && !rest.starts_with('"') {
        return Err(format!(
            "section name `{inner}` has spaces; quote it as [{kind} \"{rest}\"]"
        ));
    }
    Ok(match kind {
        "profile" => SectionName::Profile(name.to_string()),
        "sso-session" => SectionName::SsoSession(name.to_string()),
        _ => SectionName::Other(inner.to_string()),
    })
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Vec<Section>> {
        parse(text, Path::new("/cfg"))
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
}
