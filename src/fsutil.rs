//! Private, atomic file writes for caches that several processes share, and
//! the reads and removals around them, every error naming its file.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::platform;

/// How long a replace, read or removal is retried while another process
/// holds the file (Windows: botocore reading a cache opens it without delete
/// sharing). Go's toolchain found 2 s enough for the same problem.
const SHARING_PATIENCE: Duration = Duration::from_secs(2);

/// Create `dir` and any missing parents, each accessible to the user alone
/// (0700 whatever the umask) from the moment it exists. Existing
/// directories are left as they are.
pub fn private_dir(dir: &Path) -> Result<()> {
    let fail = |e| Error::io(format_args!("create {}", dir.display()), e);
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    for d in missing.into_iter().rev() {
        match platform::create_private_dir(d) {
            Ok(()) => {}
            // Another process created it in the meantime.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(e) => return Err(fail(e)),
        }
    }
    match dir.is_dir() {
        true => Ok(()),
        false => Err(fail(io::Error::from(io::ErrorKind::NotADirectory))),
    }
}

/// A new temporary directory accessible to the user alone, removed when dropped.
pub fn private_temp_dir(prefix: &str) -> Result<tempfile::TempDir> {
    platform::private_temp_dir(prefix).map_err(|e| Error::io("create a temporary directory", e))
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
    platform::make_private(tmp.as_file()).map_err(fail)?;
    persist(tmp, path)
}

/// Rename the written and synced `tmp` over `path`, retried while another
/// process holds `path`. Closed and kept (on Windows no longer marked
/// temporary) before the rename: std's rename replaces a file others hold
/// open where Windows allows it (POSIX semantics), tempfile's persist never
/// does. Removed if the rename still fails.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let fail = |e| Error::io(format_args!("write {}", path.display()), e);
    let tmp = tmp.into_temp_path().keep().map_err(|e| fail(e.error))?;
    retrying(|| fs::rename(&tmp, path)).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        held(path, "replace", e)
    })
}

/// Read a file that may not exist: `Ok(None)` when absent. Anything but a
/// regular file is an error naming it: a FIFO or device where a cache or
/// record belongs would otherwise hold the read (and the prompt with it)
/// until something wrote to it.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut file = match retrying(|| platform::open_untrusted(path)) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(held(path, "read", e)),
    };
    let fail = |e| Error::io(format_args!("read {}", path.display()), e);
    if !file.metadata().map_err(fail)?.is_file() {
        return Err(Error::failed(format!(
            "{} is not a regular file; remove it",
            path.display()
        )));
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes).map_err(fail)?;
    Ok(Some(bytes))
}

/// [`read_optional`] for a file the user names, which may also be a pipe
/// (`AWS_CONFIG_FILE=<(...)`), read as it comes.
pub fn read_optional_stream(path: &Path) -> Result<Option<Vec<u8>>> {
    match retrying(|| fs::read(path)) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(held(path, "read", e)),
    }
}

/// Remove a file that may not exist: `Ok(false)` when it was already gone.
pub fn remove_if_exists(path: &Path) -> Result<bool> {
    match retrying(|| fs::remove_file(path)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(held(path, "remove", e)),
    }
}

/// `op`, tried again with growing pauses for up to [`SHARING_PATIENCE`]
/// while it fails because another process holds the file.
fn retrying<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let deadline = Instant::now() + SHARING_PATIENCE;
    let mut pause = Duration::from_millis(2);
    loop {
        match op() {
            Err(e) if platform::is_sharing_violation(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            done => return done,
        }
    }
}

/// The error of `doing` on `path`, with what to do when another program may
/// have held the file all along.
fn held(path: &Path, doing: &str, e: io::Error) -> Error {
    let held = platform::is_sharing_violation(&e);
    let mut error = Error::io(format_args!("{doing} {}", path.display()), e);
    if held {
        error.message.push_str(&format!(
            " (tried for {} s: if another program, such as the AWS CLI, has it open, try again once it is done)",
            SHARING_PATIENCE.as_secs()
        ));
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub").join("dir").join("f.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/dir/f.json");
        write_atomic(&p, b"one").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().unwrap()), 0o700);
        assert_eq!(mode(&d.path().join("sub")), 0o700);
    }

    /// A reader that does not share delete access, as botocore opens caches
    /// on Windows, makes the replace fail until it closes the file.
    #[cfg(windows)]
    #[test]
    fn a_replace_waits_for_a_reader_that_holds_the_file() {
        use std::os::windows::fs::OpenOptionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.json");
        write_atomic(&p, b"old").unwrap();
        const FILE_SHARE_READ: u32 = 1;
        let reader = fs::OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ)
            .open(&p)
            .unwrap();
        let held = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(reader);
        });
        write_atomic(&p, b"new").unwrap();
        held.join().unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
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

    /// A FIFO where a cache file belongs is refused at once: reading it
    /// would wait for a writer that never comes.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_rather_than_waited_on() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("token.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path we own.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let (done, finished) = std::sync::mpsc::channel();
        let reader = fifo.clone();
        std::thread::spawn(move || done.send(read_optional(&reader).map(|_| ())));
        let error = finished
            .recv_timeout(Duration::from_secs(10))
            .expect("the read returned")
            .unwrap_err();
        assert!(error.message.contains("is not a regular file"), "{error}");
        assert!(error.message.contains(&*fifo.to_string_lossy()), "{error}");
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
        named(read_optional_stream(&dir).unwrap_err());
        named(remove_if_exists(&dir).unwrap_err());
        named(write_atomic(&dir, b"x").unwrap_err());
    }
}
