//! Reading and writing the JSON cache files shared with the AWS CLI v2.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use sha1::{Digest, Sha1};

use crate::error::Result;
use crate::fsutil;

pub fn sha1_hex(s: &str) -> String {
    hex::encode(Sha1::digest(s.as_bytes()))
}

/// Serialize like Python's `json.dumps` with default separators (`", "` and
/// `": "`): the AWS CLI hashes such strings for cache keys, and writes its
/// cache files that way.
pub fn python_json<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    value
        .serialize(&mut ser)
        .expect("cache values always serialize");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first { Ok(()) } else { w.write_all(b", ") }
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

static WARNED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Read a cache file. A missing file is `None`; so is a torn or corrupted
/// one, with a one-line warning — a cache must never stop the tool.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    let Some(bytes) = fsutil::read_optional(path)? else {
        crate::trace!("cache miss: {} does not exist", path.display());
        return Ok(None);
    };
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            // Once per file: the same file is often read again after a lock.
            let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
            if warned.insert(path.to_path_buf()) {
                crate::warn!(
                    "ignoring unreadable cache file {} ({})",
                    path.display(),
                    why_unreadable(&e)
                );
            }
            Ok(None)
        }
    }
}

/// What is wrong with a cache file, and where, in words that never quote it:
/// serde_json's own messages do (`invalid type: string "…"`), and the value
/// could be a token.
pub fn why_unreadable(e: &serde_json::Error) -> String {
    let what = match e.classify() {
        Category::Eof => "cut short",
        Category::Syntax | Category::Io => "not JSON",
        Category::Data => "a member of the wrong form",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

pub fn write<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    crate::trace!("writing {}", path.display());
    fsutil::write_atomic(path, python_json(value).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_separators() {
        let v = json!({"a": [1, "x"], "b": null});
        assert_eq!(python_json(&v), r#"{"a": [1, "x"], "b": null}"#);
    }

    #[test]
    fn corrupted_file_reads_as_absent() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.json");
        std::fs::write(&p, b"{\"accessToken\": \"abc").unwrap();
        let v: Option<serde_json::Value> = read(&p).unwrap();
        assert!(v.is_none());
    }

    #[test]
    fn reasons_never_quote_the_file() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)] // only deserialized
        struct Entry {
            scopes: Vec<String>,
            expires: crate::timestamp::Timestamp,
        }
        let quoted = serde_json::from_str::<Entry>(r#"{"scopes": "SECRET"}"#).unwrap_err();
        assert!(quoted.to_string().contains("SECRET"), "{quoted}");
        for (text, want) in [
            (
                r#"{"scopes": "SECRET"}"#,
                "a member of the wrong form at line 1",
            ),
            (
                r#"{"scopes": [], "expires": "SECRET"}"#,
                "a member of the wrong form",
            ),
            (r#"{"scopes": ["SECRET"#, "cut short"),
            (r#"{"scopes": SECRET}"#, "not JSON"),
        ] {
            let e = serde_json::from_str::<Entry>(text).unwrap_err();
            let why = why_unreadable(&e);
            assert!(why.starts_with(want), "{why}");
            assert!(!why.contains("SECRET"), "{why}");
        }
    }
}
