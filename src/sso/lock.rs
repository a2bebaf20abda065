//! Cross-process locks that make refreshes single-flight: of many processes
//! that find the same cache entry stale, one fetches and the rest wait and
//! reuse what it wrote.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::{fsutil, platform};

/// Held until dropped; the kernel releases it if the process dies.
pub struct FileLock {
    _file: File,
}

/// The lock that guards a cache file: `<kind>-<file stem>`. Derived from
/// the file, so whoever holds only the path (logout) finds the same lock.
pub fn name_for(kind: &str, cache_file: &Path) -> String {
    let stem = cache_file.file_stem().unwrap_or_default().to_string_lossy();
    format!("{kind}-{stem}")
}

/// How a wait for a busy lock shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Only in the `--verbose` trace (short waits: a fetch in flight).
    Quiet,
    /// A line on stderr (long waits: a sign-in someone must approve).
    Announced,
}

/// Take the lock named `name`, waiting at most `wait`. `what` describes the
/// work being waited for, for the message and the time-out error.
pub async fn acquire(name: &str, wait: Duration, what: &str, how: Wait) -> Result<FileLock> {
    let dir = crate::paths::lock_dir()?;
    fsutil::private_dir(&dir)?;
    let path = dir.join(format!("{name}.lock"));
    // A file of its own, never the cache file: Windows locks are mandatory
    // and would keep the AWS CLI from reading the cache.
    let mut file =
        platform::new_files_private(OpenOptions::new().create(true).truncate(false).write(true))
            .open(&path)
            .map_err(|e| Error::io(format_args!("open lock {}", path.display()), e))?;
    let started = Instant::now();
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format_args!("lock {}", path.display()), e));
            }
        }
        if !announced {
            match how {
                Wait::Quiet => crate::trace!("waiting for another ssoenv process ({what})"),
                Wait::Announced => {
                    crate::say!("waiting for {what} in another ssoenv process...")
                }
            }
            announced = true;
        }
        if started.elapsed() >= wait {
            return Err(Error::failed(format!(
                "gave up after {} waiting for another ssoenv process ({what})",
                crate::timestamp::spoken(wait)
            )));
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    if announced {
        crate::trace!(
            "lock {name} acquired after {} ms",
            started.elapsed().as_millis()
        );
    }
    // Record the holder for anyone debugging a stuck lock; failure is harmless.
    let _ = file
        .set_len(0)
        .and_then(|_| writeln!(file, "{}", std::process::id()));
    Ok(FileLock { _file: file })
}
