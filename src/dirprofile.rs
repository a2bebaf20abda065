//! Directory profiles: a `.ssoenv` file (`profile = NAME`) in a directory
//! or a parent selects the profile there, once trusted.
//!
//! Trust works like direnv's: `ssoenv allow` records, for the file's
//! absolute path, sha256(path, content), so editing or moving the file
//! revokes it, and allowing a new content revokes the old one (written back,
//! it is not trusted again); `ssoenv deny` records the path, blocking the
//! file whatever it holds. A file that someone else could change, itself or
//! through a directory above it, is never trusted. The file is data only: it
//! can name a profile of the user's own config and nothing else.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::{fsutil, paths, platform};

pub const FILE_NAME: &str = ".ssoenv";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirFile {
    /// The directory holding the file: the root of the tree it governs.
    pub root: PathBuf,
    pub path: PathBuf,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    Allowed,
    Denied,
    Unknown,
}

/// Largest `.ssoenv` read: it holds one line.
const MAX_SIZE: u64 = 4096;

/// The nearest `.ssoenv` at or above `start`. Costs a stat or two per level.
pub fn find(start: &Path) -> Option<DirFile> {
    start.ancestors().find_map(|dir| {
        let path = dir.join(FILE_NAME);
        let content = read_small_file(&path)?;
        Some(DirFile {
            root: dir.to_path_buf(),
            path,
            content,
        })
    })
}

/// The content of a small regular file. Anything else — a FIFO or device
/// someone planted (reading could hang the prompt, opening some devices has
/// effects), a huge file — counts as no file. The type is checked before
/// opening and again on the open file, which is opened non-blocking and
/// without becoming a controlling terminal.
fn read_small_file(path: &Path) -> Option<String> {
    use std::io::Read;
    let small_file = |m: std::fs::Metadata| m.is_file() && m.len() <= MAX_SIZE;
    if !std::fs::metadata(path).is_ok_and(small_file) {
        return None;
    }
    let file = platform::open_untrusted(path).ok()?;
    if !file.metadata().is_ok_and(small_file) {
        return None;
    }
    let mut content = Vec::new();
    file.take(MAX_SIZE).read_to_end(&mut content).ok()?;
    Some(String::from_utf8_lossy(&content).into_owned())
}

/// The current directory as the shell names it: $PWD keeps the symlinks the
/// user went through, but only when it still is the current directory
/// (PowerShell, for one, never updates PWD for the programs it starts).
pub fn logical_cwd() -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("read the current directory", e))?;
    if let Some(pwd) = std::env::var_os("PWD")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        && platform::same_file(&pwd, &cwd)
    {
        return Ok(pwd);
    }
    Ok(cwd)
}

/// `dir` made absolute against the logical current directory, with `.` and
/// `..` resolved the way the shell's `cd` resolves them, so `allow ../proj`
/// records the same path the hook later finds.
pub fn absolute(dir: &Path) -> Result<PathBuf> {
    let joined = logical_cwd()?.join(dir);
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

impl DirFile {
    /// The profile the file names: `profile = NAME`; `#` starts a comment.
    pub fn profile(&self) -> std::result::Result<String, String> {
        let mut profile = None;
        for (i, line) in self.content.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
                // A control character (a bare CR, say) is no part of a name.
                Some(("profile", v)) if !v.is_empty() && !v.contains(char::is_control) => {
                    profile = Some(v.to_string())
                }
                _ => {
                    return Err(format!(
                        "{}:{}: expected `profile = NAME`",
                        self.path.display(),
                        i + 1
                    ));
                }
            }
        }
        profile.ok_or_else(|| {
            format!(
                "{} names no profile (`profile = NAME`)",
                self.path.display()
            )
        })
    }

    /// A short stable key for "this file with this content", so a notice is
    /// shown once per (directory, content) rather than at every prompt.
    pub fn notice_key(&self) -> String {
        hex::encode(&content_digest(&self.path, &self.content)[..8])
    }

    pub fn trust(&self) -> Result<Trust> {
        let dir = paths::trust_dir()?;
        if dir.join("deny").join(path_digest(&self.path)).exists() {
            return Ok(Trust::Denied);
        }
        // The one record for this path names the content last allowed.
        let record = fsutil::read_optional(&self.allow_record(&dir))?;
        let allowed = record.as_deref() == Some(self.content_record().as_bytes());
        // A file others can change could have changed after it was reviewed.
        if allowed && self.untrustworthy().is_none() {
            return Ok(Trust::Allowed);
        }
        Ok(Trust::Unknown)
    }

    /// Why the file is not to be trusted whatever it holds, if it is not:
    /// someone other than the user could change it, or replace it through a
    /// directory above it, as the path goes or where its links lead.
    pub fn untrustworthy(&self) -> Option<String> {
        let real = std::fs::canonicalize(&self.path).ok();
        let mut checked: Vec<&Path> = Vec::new();
        let chains = [Some(self.path.as_path()), real.as_deref()];
        for path in chains.into_iter().flatten().flat_map(Path::ancestors) {
            if path.as_os_str().is_empty() || checked.contains(&path) {
                continue;
            }
            checked.push(path);
            match platform::others_can_change(path) {
                Ok(None) => {}
                Ok(Some(why)) => return Some(format!("{}: {why}", path.display())),
                Err(e) => return Some(format!("cannot check {}: {e}", path.display())),
            }
        }
        None
    }

    pub fn allow(&self) -> Result<()> {
        if let Some(why) = self.untrustworthy() {
            return Err(Error::failed(format!(
                "{} cannot be allowed while someone else could change it ({why})",
                self.path.display()
            )));
        }
        let dir = paths::trust_dir()?;
        fsutil::remove_if_exists(&dir.join("deny").join(path_digest(&self.path)))?;
        // Replacing the path's record revokes whatever content it allowed before.
        fsutil::write_atomic(&self.allow_record(&dir), self.content_record().as_bytes())
    }

    pub fn deny(&self) -> Result<()> {
        let dir = paths::trust_dir()?;
        fsutil::remove_if_exists(&self.allow_record(&dir))?;
        fsutil::write_atomic(
            &dir.join("deny").join(path_digest(&self.path)),
            self.path.to_string_lossy().as_bytes(),
        )
    }

    /// `allow/<sha256(path)>`: one record per path, so allowing replaces.
    fn allow_record(&self, trust_dir: &Path) -> PathBuf {
        trust_dir.join("allow").join(path_digest(&self.path))
    }

    /// What the record holds: the digest of path and content, then the path
    /// for whoever reads the directory.
    fn content_record(&self) -> String {
        format!(
            "{}\n{}\n",
            hex::encode(content_digest(&self.path, &self.content)),
            self.path.display()
        )
    }
}

fn content_digest(path: &Path, content: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(path.as_os_str().as_encoded_bytes());
    h.update(b"\n");
    h.update(content.as_bytes());
    h.finalize().into()
}

fn path_digest(path: &Path) -> String {
    let mut h = Sha256::new();
    h.update(path.as_os_str().as_encoded_bytes());
    h.update(b"\n");
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str) -> DirFile {
        DirFile {
            root: "/p".into(),
            path: "/p/.ssoenv".into(),
            content: content.into(),
        }
    }

    #[test]
    fn parses_profile_lines() {
        assert_eq!(
            file("# team\nprofile = prod # live\n").profile().unwrap(),
            "prod"
        );
        assert!(file("").profile().unwrap_err().contains("names no profile"));
        assert_eq!(
            file("x\n").profile().unwrap_err(),
            "/p/.ssoenv:1: expected `profile = NAME`"
        );
        assert!(
            file("region = x\n").profile().is_err(),
            "only `profile` is understood"
        );
        assert_eq!(
            file("profile = dev\rprofile = prod\n")
                .profile()
                .unwrap_err(),
            "/p/.ssoenv:1: expected `profile = NAME`"
        );
    }

    #[test]
    fn key_follows_path_and_content() {
        let a = file("profile = a\n");
        assert_eq!(a.notice_key(), file("profile = a\n").notice_key());
        assert_ne!(a.notice_key(), file("profile = b\n").notice_key());
        let moved = DirFile {
            path: "/q/.ssoenv".into(),
            ..a.clone()
        };
        assert_ne!(a.notice_key(), moved.notice_key());
    }

    #[test]
    fn resolves_dot_dot_like_cd() {
        let here = logical_cwd().unwrap();
        assert_eq!(absolute(Path::new("a/../b/./c")).unwrap(), here.join("b/c"));
        assert_eq!(absolute(&here.join("y/../z")).unwrap(), here.join("z"));
    }

    #[cfg(unix)]
    #[test]
    fn fifos_devices_and_big_files_are_not_profiles() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        std::fs::create_dir(&fifo).unwrap();
        let c =
            std::ffi::CString::new(fifo.join(FILE_NAME).as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(
            find(&fifo).is_none_or(|f| !f.root.starts_with(d.path())),
            "a FIFO must not block or count"
        );
        let dev = d.path().join("dev");
        std::fs::create_dir(&dev).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dev.join(FILE_NAME)).unwrap();
        assert!(find(&dev).is_none_or(|f| !f.root.starts_with(d.path())));
        let big = d.path().join("big");
        std::fs::create_dir(&big).unwrap();
        std::fs::write(big.join(FILE_NAME), "#".repeat(10_000)).unwrap();
        assert!(find(&big).is_none_or(|f| !f.root.starts_with(d.path())));
    }

    #[test]
    fn finds_the_nearest_file_upwards() {
        let d = tempfile::tempdir().unwrap();
        let deep = d.path().join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        assert!(find(&deep).is_none_or(|f| !f.root.starts_with(d.path())));
        std::fs::write(d.path().join("a/.ssoenv"), "profile = x\n").unwrap();
        assert_eq!(find(&deep).unwrap().root, d.path().join("a"));
    }
}
