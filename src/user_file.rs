//! Editing a file the user keeps and other tools read — `~/.aws/credentials`
//! (`write-credentials`), `~/.aws/config` (`populate`) — in place, safely:
//!
//! - Through symbolic links (dotfile managers link both files), resolved
//!   first, so the link stays a link and one file has one lock whichever
//!   way it is named: two writers naming it through a link and through its
//!   real path must not overwrite each other's changes.
//! - No link planted by another user is followed. In a shared directory a
//!   link to the victim's file would have ssoenv rewrite that file with the
//!   victim's permissions; like the kernel's `protected_symlinks`, a link
//!   must belong to the user (or root) to be followed.
//! - Replaced atomically under that lock, keeping the file's permissions
//!   (a file of secrets loses those of group and others); an unchanged file
//!   is not written at all.

use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::sso::cache;
use crate::sso::lock::{self, Wait};
use crate::{fsutil, platform};

/// How long to wait for another ssoenv process editing the same file: an
/// edit takes milliseconds, but `write-credentials --all` holds it while
/// many sections are written.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// As Linux's MAXSYMLINKS: more links than this on one path is a loop.
const MAX_LINKS: usize = 40;

/// Who may read what the file holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Contents {
    /// Secrets: never readable by group or others, whatever the file's
    /// mode was (a new file is 0600 either way).
    Secret,
    /// The file keeps exactly the permissions it had.
    Plain,
}

/// Read the file `path` names (empty when it does not exist), let `change`
/// compute its new content, and replace it with that when it differs — all
/// under one lock on the real file. `change` returns the new bytes and
/// whatever the caller wants back.
pub async fn update<T>(
    path: &Path,
    contents: Contents,
    change: impl FnOnce(&[u8]) -> Result<(Vec<u8>, T)>,
) -> Result<T> {
    let target = resolve(path)?;
    let _lock = lock::acquire(
        &format!("file-{}", cache::sha1_hex(&lock_key(&target))),
        LOCK_WAIT,
        &format!("an update of {}", target.display()),
        Wait::Quiet,
    )
    .await?;
    let before = read(&target)?;
    let (after, out) = change(before.as_deref().unwrap_or_default())?;
    if after != before.as_deref().unwrap_or_default() {
        crate::trace!("writing {}", target.display());
        replace(&target, &after, contents)?;
    }
    Ok(out)
}

/// What names the lock of the file at `target` (a resolved path): the path,
/// in one case where the file system ignores case (Windows, macOS), so that
/// `~/.aws/Credentials` and `~/.aws/credentials`, one file there, share it.
fn lock_key(target: &Path) -> String {
    let path = target.to_string_lossy();
    match crate::platform::PATHS_IGNORE_CASE {
        true => path.to_lowercase(),
        false => path.into_owned(),
    }
}

/// The file `path` names: every symbolic link on the way followed, `.` and
/// `..` taken as the file system takes them. A link that leads nowhere yet
/// gives the path it leads to (the file is created there). Every link must
/// be the user's or root's.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let absolute = match path.is_absolute() {
        true => path.to_path_buf(),
        false => std::env::current_dir()
            .map_err(|e| Error::io("find the current directory", e))?
            .join(path),
    };
    let mut resolved = PathBuf::new();
    // Left to walk, the next component last.
    let mut pending = steps(&absolute);
    let mut links = 0;
    while let Some(step) = pending.pop() {
        let name = match step {
            Step::Root(root) => {
                resolved = root;
                continue;
            }
            // `resolved` holds no link, so its parent is what `..` reaches.
            Step::Up => {
                resolved.pop();
                continue;
            }
            Step::Name(name) => name,
        };
        let next = resolved.join(name);
        let meta = match fs::symlink_metadata(&next) {
            Ok(meta) => meta,
            // Nothing below a missing name exists either: no more links.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                resolved = next;
                continue;
            }
            Err(e) => return Err(Error::io(format_args!("read {}", next.display()), e)),
        };
        if !meta.file_type().is_symlink() {
            resolved = next;
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(Error::failed(format!(
                "{}: too many levels of symbolic links",
                path.display()
            )));
        }
        if !platform::may_follow_link(&next, &meta) {
            return Err(Error::failed(format!(
                "{} is a symbolic link that belongs to another user; ssoenv does not follow it \
                 (another user could point it at any of your files). Remove it, or use a file \
                 of your own",
                next.display()
            )));
        }
        let target = fs::read_link(&next)
            .map_err(|e| Error::io(format_args!("read {}", next.display()), e))?;
        // A relative target continues from the link's directory, `resolved`.
        pending.extend(steps(&target));
    }
    Ok(resolved)
}

/// One component of a path still to walk.
enum Step {
    /// `/` (or a Windows drive's root): start again from there.
    Root(PathBuf),
    Up,
    Name(std::ffi::OsString),
}

/// `path`'s components as steps, the first last (to pop).
fn steps(path: &Path) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut root = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => root.push(component),
            Component::CurDir => {}
            Component::ParentDir => steps.push(Step::Up),
            Component::Normal(name) => steps.push(Step::Name(name.to_os_string())),
        }
    }
    if !root.as_os_str().is_empty() {
        steps.insert(0, Step::Root(root));
    }
    steps.reverse();
    steps
}

/// The file's content, None when it does not exist. A link that appeared
/// since `resolve` is not followed.
fn read(target: &Path) -> Result<Option<Vec<u8>>> {
    let fail = |e| Error::io(format_args!("read {}", target.display()), e);
    let mut file = match platform::open_no_follow(target) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(fail(e)),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(fail)?;
    Ok(Some(bytes))
}

/// Write a temporary file beside `target`, with the permissions `target`
/// has (0600 for a new file), fsync it and rename it over `target`: readers
/// see the old content or the new, never a torn file.
fn replace(target: &Path, bytes: &[u8], contents: Contents) -> Result<()> {
    let dir = target
        .parent()
        .ok_or_else(|| Error::failed(format!("{} has no parent", target.display())))?;
    fsutil::private_dir(dir)?;
    let fail = |e| Error::io(format_args!("write {}", target.display()), e);
    let existing = match fs::metadata(target) {
        Ok(meta) => Some(meta.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    // tempfile creates the file private (0600 on Unix, O_EXCL).
    let mut tmp = tempfile::Builder::new()
        .prefix(".ssoenv-tmp-")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    if let Some(permissions) = existing {
        tmp.as_file()
            .set_permissions(platform::kept_permissions(
                permissions,
                contents == Contents::Secret,
            ))
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    fsutil::persist(tmp, target)
}

#[cfg(all(test, unix))] // links and modes
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn write(path: &Path, bytes: &[u8], contents: Contents) -> Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(update(path, contents, |_| Ok((bytes.to_vec(), ()))))
    }

    #[test]
    fn links_and_dots_resolve_to_the_real_file() {
        let d = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(d.path()).unwrap();
        fs::create_dir_all(root.join("dotfiles/aws")).unwrap();
        fs::write(root.join("dotfiles/aws/config"), "").unwrap();
        fs::create_dir(root.join("home")).unwrap();
        symlink("../dotfiles/aws", root.join("home/.aws")).unwrap();
        symlink("./.aws/config", root.join("home/config-link")).unwrap();
        let real = root.join("dotfiles/aws/config");
        for spelt in [
            "dotfiles/aws/config",
            "home/.aws/config",
            "home/config-link",
            // `..` of a linked directory is the parent of its target, as
            // for the kernel (not the shell's `cd`).
            "home/./.aws/../aws/config",
            "dotfiles/../home/config-link",
        ] {
            assert_eq!(resolve(&root.join(spelt)).unwrap(), real, "{spelt}");
        }
        // Dangling: where the link points, relative to the link.
        symlink("../dotfiles/aws/new", root.join("home/new-link")).unwrap();
        assert_eq!(
            resolve(&root.join("home/new-link")).unwrap(),
            root.join("dotfiles/aws/new")
        );
        // Not there at all: as spelt, `..` applied.
        assert_eq!(
            resolve(&root.join("home/missing/../x/y")).unwrap(),
            root.join("home/x/y")
        );
    }

    #[test]
    fn a_link_loop_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        symlink("b", d.path().join("a")).unwrap();
        symlink("a", d.path().join("b")).unwrap();
        let e = resolve(&d.path().join("a")).unwrap_err();
        assert!(e.message.contains("too many levels"), "{e}");
    }

    #[test]
    fn writing_keeps_the_link_and_the_mode() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real");
        let link = d.path().join("link");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o644)).unwrap();
        symlink(&real, &link).unwrap();
        write(&link, b"new", Contents::Plain).unwrap();
        assert!(link.is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        assert_eq!(mode(&real), 0o644);
        // Secrets lose group's and others' bits, keep the owner's.
        write(&link, b"secret", Contents::Secret).unwrap();
        assert_eq!(mode(&real), 0o600);
        fs::set_permissions(&real, fs::Permissions::from_mode(0o400)).unwrap();
        write(&link, b"secret2", Contents::Secret).unwrap();
        assert_eq!(mode(&real), 0o400);
        // A new file is private, in a private new directory.
        let new = d.path().join("sub/new");
        write(&new, b"x", Contents::Plain).unwrap();
        assert_eq!(mode(&new), 0o600);
        assert_eq!(mode(new.parent().unwrap()), 0o700);
        assert_eq!(
            fs::read_dir(d.path()).unwrap().count(),
            3,
            "no temporary files left"
        );
    }

    #[test]
    fn an_unchanged_file_is_not_written() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("f");
        fs::write(&path, "same").unwrap();
        let before = fs::metadata(&path).unwrap();
        write(&path, b"same", Contents::Plain).unwrap();
        let after = fs::metadata(&path).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(before.ino(), after.ino());
        // Nor is a missing one created for nothing.
        write(&d.path().join("absent"), b"", Contents::Plain).unwrap();
        assert!(!d.path().join("absent").exists());
    }
}

#[cfg(test)]
mod lock_tests {
    use super::*;

    #[test]
    fn spellings_of_one_file_share_its_lock() {
        let lower = lock_key(Path::new("/home/me/.aws/credentials"));
        let upper = lock_key(Path::new("/home/me/.aws/Credentials"));
        assert_eq!(lower == upper, crate::platform::PATHS_IGNORE_CASE);
        assert_ne!(lower, lock_key(Path::new("/home/me/.aws/config")));
    }
}
