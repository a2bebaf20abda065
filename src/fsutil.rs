//! Private, atomic file writes for caches that several processes share, and
//! the reads and removals around them, every error naming its file.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;

use crate::error::{Error, Result};

/// Create `dir` (and parents) with mode 0700 from the moment it exists.
pub fn private_dir(dir: &Path) -> Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io(format_args!("create {}", dir.display()), e))
}

/// Replace `path` atomically: write a 0600 temporary file in the same
/// directory, fsync it, rename it over the target. Readers see the old or the
/// new content, never a torn file; an interrupted write leaves the old file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::failed(format!("{} has no parent", path.display())))?;
    private_dir(dir)?;
    let fail = |e| Error::io(format_args!("write {}", path.display()), e);
    // tempfile creates the file 0600 (O_EXCL), so the secret is never readable by others.
    let mut tmp = tempfile::Builder::new()
        .prefix(".ssoenv-tmp-")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(contents).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Read a file that may not exist: `Ok(None)` when absent.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format_args!("read {}", path.display()), e)),
    }
}

/// Remove a file that may not exist: `Ok(false)` when it was already gone.
pub fn remove_if_exists(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(format_args!("remove {}", path.display()), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_is_private_and_replaces() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/dir/f.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let dmode = fs::metadata(p.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
        // no temporary files left behind
        assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_file_reads_and_removes_as_absent() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        assert_eq!(read_optional(&p).unwrap(), None);
        assert!(!remove_if_exists(&p).unwrap());
        fs::write(&p, "x").unwrap();
        assert_eq!(read_optional(&p).unwrap().as_deref(), Some(&b"x"[..]));
        assert!(remove_if_exists(&p).unwrap());
        assert!(!p.exists());
    }

    #[test]
    fn errors_name_the_file() {
        let d = tempfile::tempdir().unwrap();
        // A directory where a file is expected: reading, removing and
        // writing fail.
        let dir = d.path().join("not-a-file");
        fs::create_dir(&dir).unwrap();
        let named = |e: Error| {
            assert!(e.message.contains(&*dir.to_string_lossy()), "{e}");
        };
        named(read_optional(&dir).unwrap_err());
        named(remove_if_exists(&dir).unwrap_err());
        named(write_atomic(&dir, b"x").unwrap_err());
    }
}
