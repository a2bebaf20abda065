//! Unix: permission bits, signals and execve.

use std::ffi::{CStr, OsStr, OsString};
use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io;
use std::mem::MaybeUninit;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::atomic::{AtomicI32, Ordering};

use tokio::signal::unix::{Signal, SignalKind, signal};

use super::BaseDir;

// ---- Files ----

/// Create the directory `path` (not its parents) with mode 0700. The mode is
/// set again once it exists: the umask can only take bits away from the
/// mode asked for, but a umask that takes the owner's bits would leave a
/// directory even its owner cannot use.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().mode(0o700).create(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}

/// A new directory in the system's temporary directory, mode 0700 from the
/// moment it exists (tempfile's default is 0777 less the umask: world-writable
/// under `umask 000`), removed when dropped.
pub fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    let private = || fs::Permissions::from_mode(0o700);
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .permissions(private())
        .tempdir()?;
    fs::set_permissions(dir.path(), private())?;
    Ok(dir)
}

/// Mode 0600: readable and writable by the owner alone.
pub fn make_private(file: &File) -> io::Result<()> {
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

/// Files these options create get mode 0600 (less the umask).
pub fn new_files_private(options: &mut OpenOptions) -> &mut OpenOptions {
    options.mode(0o600)
}

/// Never: a Unix file open elsewhere can be replaced or removed all the same.
pub fn is_sharing_violation(_: &io::Error) -> bool {
    false
}

/// Open a file someone else may have planted, for reading: without blocking
/// (on a FIFO) and without it becoming our controlling terminal (a tty).
pub fn open_untrusted(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

/// Open a file for reading unless `path` is a symbolic link (O_NOFOLLOW):
/// a link that appeared after the path was resolved is not followed.
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// The permissions a file rewritten in place keeps: its own mode, and for a
/// file of secrets without group's and others' bits.
pub fn kept_permissions(existing: Permissions, secret: bool) -> Permissions {
    let mode = existing.mode() & 0o7777;
    Permissions::from_mode(if secret { mode & 0o700 } else { mode })
}

/// A file's mode and its owner's uid, as `stat` reports them.
pub fn mode_and_owner(_path: &Path, meta: &Metadata) -> (u32, u32) {
    (meta.mode(), meta.uid())
}

/// The command that makes the file or directory at `path` the user's alone.
pub fn make_private_command(path: &Path, dir: bool) -> String {
    let mode = if dir { 700 } else { 600 };
    format!("chmod {mode} {}", path.display())
}

/// The uid files the user creates get.
pub fn user_id() -> u32 {
    current_uid()
}

/// Whether both paths name the same file: the same device and inode.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

// ---- Trust ----

/// Why someone other than the user or root could change the file or
/// directory at `path`, if anyone could, with the command that stops it.
pub fn others_can_change(path: &Path) -> io::Result<Option<String>> {
    let meta = fs::metadata(path)?;
    let found = who_else_can_change(
        (meta.uid(), meta.gid(), meta.mode(), meta.is_dir()),
        current_uid(),
        is_private_group,
    );
    Ok(found.map(|others| match others {
        Others::Owner(uid) => {
            let name = user_name(uid).unwrap_or_else(|| format!("uid {uid}"));
            format!("it belongs to another user ({name})")
        }
        Others::Group(gid) => {
            let name = group(gid).map_or_else(|| format!("gid {gid}"), |g| g.name);
            format!("its group ({name}) can write to it (chmod g-w)")
        }
        Others::Anyone => "anyone can write to it (chmod o-w)".into(),
    }))
}

/// Who, besides the user and root, could change a file.
#[derive(Debug, PartialEq, Eq)]
enum Others {
    Owner(libc::uid_t),
    Group(libc::gid_t),
    Anyone,
}

/// The rule of [`others_can_change`], on the file's owner, group, mode and
/// whether it is a directory. A
/// directory counts as changed when its entries can be renamed or removed,
/// so a sticky one (like /tmp), where others may only add entries of their
/// own, is fine. A group counts as others unless it is the user's private
/// group.
fn who_else_can_change(
    (uid, gid, mode, is_dir): (libc::uid_t, libc::gid_t, u32, bool),
    me: libc::uid_t,
    private_group: impl Fn(libc::gid_t) -> bool,
) -> Option<Others> {
    if uid != me && uid != 0 {
        Some(Others::Owner(uid))
    } else if is_dir && mode & 0o1000 != 0 {
        None
    } else if mode & 0o002 != 0 {
        Some(Others::Anyone)
    } else if mode & 0o020 != 0 && !private_group(gid) {
        Some(Others::Group(gid))
    } else {
        None
    }
}

fn current_uid() -> libc::uid_t {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Whether the symbolic link `link` (its own metadata: `meta`) may be
/// followed: the kernel's `protected_symlinks` rule made strict, the user
/// (or root) must own it. In a shared directory another user's link could
/// point at any of the user's files.
pub fn may_follow_link(_link: &Path, meta: &Metadata) -> bool {
    meta.uid() == current_uid() || meta.uid() == 0
}

/// Whether `gid` is the user's private group, which distributions create
/// for every user (and with it a umask of 002, so files are group-writable
/// but still only the user's): the user's primary group, of the user's
/// name, listing no one else. (Another account with it as its primary group
/// would not show here; that is a misconfiguration this cannot see.)
fn is_private_group(gid: libc::gid_t) -> bool {
    let Some(user) = passwd(current_uid()) else {
        return false;
    };
    user.gid == gid
        && group(gid)
            .is_some_and(|g| g.name == user.name && g.members.iter().all(|m| *m == user.name))
}

struct Passwd {
    name: String,
    gid: libc::gid_t,
}

struct Group {
    name: String,
    members: Vec<String>,
}

fn user_name(uid: libc::uid_t) -> Option<String> {
    passwd(uid).map(|p| p.name)
}

fn text(s: *const libc::c_char) -> String {
    // SAFETY: the C library hands out NUL-terminated strings that live in
    // the buffer we gave it, which outlives this call.
    unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned()
}

/// Calls a `get*_r` function with a buffer that grows until the entry fits.
fn with_buffer<T>(mut call: impl FnMut(&mut [u8]) -> Result<Option<T>, libc::c_int>) -> Option<T> {
    let mut buffer = vec![0u8; 1024];
    loop {
        match call(&mut buffer) {
            Err(libc::ERANGE) if buffer.len() < 1 << 20 => buffer.resize(buffer.len() * 4, 0),
            Err(_) => return None,
            Ok(found) => return found,
        }
    }
}

fn passwd(uid: libc::uid_t) -> Option<Passwd> {
    with_buffer(|buffer| {
        // SAFETY: an all-zero passwd is a valid value to be overwritten.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call, the buffer for its length.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut entry,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                &mut found,
            )
        };
        match (rc, found.is_null()) {
            (0, false) => Ok(Some(Passwd {
                name: text(entry.pw_name),
                gid: entry.pw_gid,
            })),
            (0, true) => Ok(None),
            (e, _) => Err(e),
        }
    })
}

fn group(gid: libc::gid_t) -> Option<Group> {
    with_buffer(|buffer| {
        // SAFETY: an all-zero group is a valid value to be overwritten.
        let mut entry: libc::group = unsafe { std::mem::zeroed() };
        let mut found = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call, the buffer for its length.
        let rc = unsafe {
            libc::getgrgid_r(
                gid,
                &mut entry,
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                &mut found,
            )
        };
        match (rc, found.is_null()) {
            (0, false) => {
                let mut members = Vec::new();
                let mut at = entry.gr_mem;
                // SAFETY: gr_mem is a NULL-terminated array of strings in the buffer.
                while !at.is_null() && unsafe { !(*at).is_null() } {
                    members.push(text(unsafe { *at }));
                    at = unsafe { at.add(1) };
                }
                Ok(Some(Group {
                    name: text(entry.gr_name),
                    members,
                }))
            }
            (0, true) => Ok(None),
            (e, _) => Err(e),
        }
    })
}

// ---- Processes ----

/// Replace ssoenv with the command (execve): signals reach the command
/// directly and its exit status is the one the caller sees, with no
/// forwarding to get wrong. Returns only if the command could not start.
pub fn exec(mut cmd: std::process::Command) -> io::Error {
    cmd.exec()
}

/// The program as given: execvp searches PATH.
pub fn resolve_program(program: &OsStr) -> OsString {
    program.to_owned()
}

/// The executable file `program` names in a directory of PATH (relative
/// entries are skipped: they would depend on where ssoenv runs).
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The process that started ssoenv.
pub fn parent_id() -> u32 {
    std::os::unix::process::parent_id()
}

/// What keeps a [`spawn_tied`] child tied; nothing to hold on Unix.
pub struct Tie(());

/// Start `cmd` as a child that does not outlive ssoenv: on Linux the kernel
/// kills it when ssoenv dies (a parent-death signal). It is SIGKILL because
/// a supervisor only dies without ending its command when it is killed
/// itself, and then the command holds an endpoint nobody serves, which
/// another local user could take over: a command given time to finish could
/// still ask it for credentials.
///
/// The signal follows the thread that started the child; ssoenv's runtime is
/// single-threaded, so that is the main thread, which lives as long as
/// ssoenv. Only the command itself is tied: processes it starts are not.
/// macOS has no parent-death signal, and the child is not tied there.
pub fn spawn_tied(cmd: &mut tokio::process::Command) -> io::Result<(tokio::process::Child, Tie)> {
    #[cfg(target_os = "linux")]
    {
        let parent = std::process::id();
        // SAFETY: prctl and getppid are async-signal-safe, and the closure
        // allocates nothing unless it fails.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // ssoenv may have died before the signal was asked for.
                if libc::getppid() as u32 != parent {
                    return Err(io::Error::other("ssoenv exited before the command started"));
                }
                Ok(())
            })
        };
    }
    Ok((cmd.spawn()?, Tie(())))
}

/// The signals a supervisor passes on to its command.
pub struct Interrupts {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
    quit: Signal,
}

/// One of [`Interrupts`], received.
#[derive(Debug, Clone, Copy)]
pub struct Interrupt(libc::c_int);

impl Interrupts {
    /// From now on these signals no longer end ssoenv but wait in [`next`].
    ///
    /// [`next`]: Interrupts::next
    pub fn install() -> io::Result<Interrupts> {
        Ok(Interrupts {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    pub async fn next(&mut self) -> Interrupt {
        Interrupt(tokio::select! {
            _ = self.interrupt.recv() => libc::SIGINT,
            _ = self.terminate.recv() => libc::SIGTERM,
            _ = self.hangup.recv() => libc::SIGHUP,
            _ = self.quit.recv() => libc::SIGQUIT,
        })
    }
}

impl Interrupt {
    /// Send the signal on to the child `pid`, unless it got it already.
    pub fn pass_to(self, pid: u32) {
        // Ctrl-C and Ctrl-\ go to the terminal's whole foreground process group,
        // the command included: a second copy would read as a second interrupt,
        // which makes tools like terraform abandon a run at once.
        if matches!(self.0, libc::SIGINT | libc::SIGQUIT) && in_terminal_foreground() {
            return;
        }
        // SAFETY: kill(2) touches no memory of ours; `pid` is our child, not yet
        // waited for, so it cannot name another process.
        unsafe { libc::kill(pid as libc::pid_t, self.0) };
    }
}

fn in_terminal_foreground() -> bool {
    // SAFETY: plain queries on the standard descriptors.
    (0..3).any(|fd| unsafe { libc::isatty(fd) == 1 && libc::tcgetpgrp(fd) == libc::getpgrp() })
}

/// The command's status as a shell reports it: its exit code, or 128 + N
/// when signal N ended it.
pub fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

/// Until Ctrl-C (SIGINT) or SIGTERM.
pub async fn stop_requested() -> io::Result<()> {
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        stopped = tokio::signal::ctrl_c() => stopped?,
        _ = term.recv() => {}
    }
    Ok(())
}

// ---- Places ----

/// Whether two spellings of a path that differ in case name one file:
/// macOS's file systems ignore case unless made otherwise; Linux's do not.
pub const PATHS_IGNORE_CASE: bool = cfg!(target_os = "macos");

/// The shell to speak when SHELL is not set: none in particular.
pub const DEFAULT_SHELL: &str = "";

/// The variable the home directory comes from, for messages.
pub const HOME_VARIABLES: &str = "HOME";

/// `$HOME`, as the AWS CLI and every other Unix tool read it.
pub fn home_dir(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    var("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// Locks: machine-local and disposable, `$XDG_CACHE_HOME` (`~/.cache`).
pub const CACHE_DIR: BaseDir = BaseDir {
    variable: "XDG_CACHE_HOME",
    under_home: &[".cache"],
};

/// The picker's history: `$XDG_STATE_HOME` (`~/.local/state`).
pub const STATE_DIR: BaseDir = BaseDir {
    variable: "XDG_STATE_HOME",
    under_home: &[".local", "state"],
};

/// Trust records: the user's data, `$XDG_DATA_HOME` (`~/.local/share`).
pub const DATA_DIR: BaseDir = BaseDir {
    variable: "XDG_DATA_HOME",
    under_home: &[".local", "share"],
};

// ---- Time ----

/// The local calendar time (per TZ) of a Unix time.
pub fn local_time(seconds: i64) -> Option<libc::tm> {
    let secs = libc::time_t::try_from(seconds).ok()?;
    // SAFETY: localtime_r writes only into the tm we pass; an all-zero tm is valid.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        (!libc::localtime_r(&secs, &mut tm).is_null()).then_some(tm)
    }
}

// ---- Terminal ----

/// The terminal the user types at, for a question that must reach them
/// whatever stdin and stdout are: /dev/tty, to read from and to write to.
/// An error when there is none, or when this process runs in its
/// background, where reading would stop it (SIGTTIN) with nobody asked.
pub fn open_terminal() -> io::Result<(File, File)> {
    use std::os::fd::AsRawFd;
    let tty = OpenOptions::new().read(true).write(true).open("/dev/tty")?;
    // SAFETY: tcgetpgrp and getpgrp only read; the descriptor is open.
    let foreground = unsafe { libc::tcgetpgrp(tty.as_raw_fd()) == libc::getpgrp() };
    if !foreground {
        return Err(io::Error::other(
            "ssoenv runs in the background of its terminal; run it in the foreground (or `fg` it)",
        ));
    }
    let write = tty.try_clone()?;
    Ok((tty, write))
}

/// The mode of the terminal open at `fd`.
fn terminal_mode(fd: libc::c_int) -> io::Result<libc::termios> {
    // SAFETY: tcgetattr fills the termios it is given; checked.
    let mut mode: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut mode) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(mode)
}

/// Set the mode of the terminal open at `fd` once what was written has
/// gone out: TCSADRAIN, not TCSAFLUSH, so keys typed ahead are kept.
fn set_terminal_mode(fd: libc::c_int, mode: &libc::termios) -> io::Result<()> {
    // SAFETY: a termios made from one tcgetattr filled; checked.
    if unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, mode) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The terminal whose echo [`read_hidden_line`] turned off, and the mode to
/// put back, for the signal handler: a signal that ends ssoenv meanwhile
/// (Ctrl-C) would otherwise leave the shell typing blind. Set before the
/// handler is installed and cleared after it is removed.
static HIDDEN_FD: AtomicI32 = AtomicI32::new(-1);
static mut HIDDEN_SAVED: MaybeUninit<libc::termios> = MaybeUninit::uninit();

/// The signals that end ssoenv at a prompt, by default or by a tokio handler.
const ENDING_SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

extern "C" fn restore_echo_and_end(signal: libc::c_int) {
    // Only async-signal-safe calls: tcsetattr, signal, raise.
    let fd = HIDDEN_FD.load(Ordering::SeqCst);
    // SAFETY: HIDDEN_SAVED was written before HIDDEN_FD was set.
    unsafe {
        if fd >= 0 {
            libc::tcsetattr(fd, libc::TCSANOW, (&raw const HIDDEN_SAVED).cast());
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// A line typed at `tty` without showing it, as getpass reads a password
/// (and botocore an MFA code). The terminal's mode comes back however the
/// read ends, a signal that ends ssoenv included; the caller writes the
/// newline the terminal no longer echoes.
pub fn read_hidden_line(tty: &File) -> io::Result<String> {
    use std::io::BufRead;
    use std::os::fd::AsRawFd;
    let fd = tty.as_raw_fd();
    let hidden = HiddenInput::enter(fd, terminal_mode(fd)?)?;
    let mut line = String::new();
    let read = io::BufReader::new(tty).read_line(&mut line);
    drop(hidden);
    read.map(|_| line)
}

/// Echo off on a terminal, and the handlers that turn it back on, until
/// dropped.
struct HiddenInput {
    fd: libc::c_int,
    saved: libc::termios,
    handlers: Vec<(libc::c_int, libc::sigaction)>,
}

impl HiddenInput {
    fn enter(fd: libc::c_int, saved: libc::termios) -> io::Result<HiddenInput> {
        // SAFETY: written while no handler reads it (HIDDEN_FD is -1).
        unsafe { (&raw mut HIDDEN_SAVED).write(MaybeUninit::new(saved)) };
        HIDDEN_FD.store(fd, Ordering::SeqCst);
        let mut input = HiddenInput {
            fd,
            saved,
            handlers: Vec::new(),
        };
        for signal in ENDING_SIGNALS {
            // SAFETY: an all-zero sigaction is valid; each call is checked.
            let mut theirs: libc::sigaction = unsafe { std::mem::zeroed() };
            if unsafe { libc::sigaction(signal, std::ptr::null(), &mut theirs) } != 0 {
                return Err(io::Error::last_os_error());
            }
            // A signal ignored (nohup's SIGHUP) stays ignored.
            if theirs.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            let mut ours: libc::sigaction = unsafe { std::mem::zeroed() };
            ours.sa_sigaction = restore_echo_and_end as *const () as libc::sighandler_t;
            if unsafe { libc::sigaction(signal, &ours, std::ptr::null_mut()) } != 0 {
                return Err(io::Error::last_os_error());
            }
            input.handlers.push((signal, theirs));
        }
        let mut hidden = saved;
        hidden.c_lflag &= !libc::ECHO;
        set_terminal_mode(fd, &hidden)?;
        Ok(input)
    }
}

impl Drop for HiddenInput {
    fn drop(&mut self) {
        let _ = set_terminal_mode(self.fd, &self.saved);
        // SAFETY: the handlers put back are the ones sigaction returned.
        unsafe {
            for (signal, theirs) in &self.handlers {
                libc::sigaction(*signal, theirs, std::ptr::null_mut());
            }
        }
        HIDDEN_FD.store(-1, Ordering::SeqCst);
    }
}

/// A terminal to read keys from: stdin, else the controlling terminal.
pub fn have_key_input() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() || std::fs::File::open("/dev/tty").is_ok()
}

/// The terminal's mode while a picker runs: no echo, no line editing, and
/// Ctrl-C as a key instead of SIGINT. `console` switches to raw mode for each
/// key it reads and back afterwards; without this, a key pressed while a
/// frame is being drawn would be echoed over it, and Ctrl-C then would kill
/// the process with the frame left on screen. Output processing stays as it
/// was. Dropping it restores the saved mode, also on errors and panics.
pub struct KeyMode {
    /// /dev/tty when stdin is not the terminal (the one `console` reads).
    _tty: Option<std::fs::File>,
    fd: std::os::fd::RawFd,
    saved: libc::termios,
}

impl KeyMode {
    pub fn enter() -> io::Result<KeyMode> {
        use std::io::IsTerminal;
        use std::os::fd::AsRawFd;
        let tty = if std::io::stdin().is_terminal() {
            None
        } else {
            Some(
                std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/tty")?,
            )
        };
        let fd = tty.as_ref().map_or(libc::STDIN_FILENO, |f| f.as_raw_fd());
        let saved = terminal_mode(fd)?;
        let mut keys = saved;
        keys.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG | libc::IEXTEN);
        keys.c_iflag &= !(libc::IXON | libc::ICRNL);
        keys.c_cc[libc::VMIN] = 1;
        keys.c_cc[libc::VTIME] = 0;
        set_terminal_mode(fd, &keys)?;
        Ok(KeyMode {
            _tty: tty,
            fd,
            saved,
        })
    }
}

impl Drop for KeyMode {
    fn drop(&mut self) {
        // The descriptor is still open: `_tty` is dropped after this.
        let _ = set_terminal_mode(self.fd, &self.saved);
    }
}

// ---- Browser ----

/// The desktop's opener, `open` on macOS and `xdg-open` elsewhere, which
/// exits once the browser has the URL. Awaited as a child process, not on a
/// blocking thread: where xdg-open finds no desktop it runs the browser in
/// the foreground, and a thread waiting for that would keep ssoenv from
/// exiting after the sign-in ends.
pub async fn open_url(url: &str) -> io::Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let status = tokio::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await?;
    match status.success() {
        true => Ok(()),
        false => Err(io::Error::other(format!("{opener} failed ({status})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: u32 = 1000;
    const MY_GROUP: u32 = 1000;
    const STAFF: u32 = 50;

    const FILE: bool = false;
    const DIR: bool = true;

    fn check(uid: u32, gid: u32, (is_dir, mode): (bool, u32)) -> Option<Others> {
        who_else_can_change((uid, gid, mode, is_dir), ME, |g| g == MY_GROUP)
    }

    #[test]
    fn only_the_user_and_root_may_change_what_is_trusted() {
        assert_eq!(check(ME, STAFF, (FILE, 0o644)), None);
        assert_eq!(check(0, 0, (DIR, 0o755)), None, "root's directories");
        assert_eq!(check(1001, STAFF, (FILE, 0o600)), Some(Others::Owner(1001)));
        assert_eq!(check(ME, STAFF, (FILE, 0o646)), Some(Others::Anyone));
        assert_eq!(check(ME, STAFF, (DIR, 0o757)), Some(Others::Anyone));
        assert_eq!(check(ME, STAFF, (FILE, 0o664)), Some(Others::Group(STAFF)));
        assert_eq!(check(0, STAFF, (DIR, 0o775)), Some(Others::Group(STAFF)));
    }

    #[test]
    fn a_private_group_and_a_sticky_directory_are_not_others() {
        assert_eq!(check(ME, MY_GROUP, (FILE, 0o664)), None);
        assert_eq!(check(ME, MY_GROUP, (FILE, 0o666)), Some(Others::Anyone));
        assert_eq!(check(0, 0, (DIR, 0o1777)), None, "/tmp");
        assert_eq!(
            check(ME, STAFF, (FILE, 0o1666)),
            Some(Others::Anyone),
            "sticky means nothing on a file"
        );
        assert_eq!(check(1001, 1001, (DIR, 0o1755)), Some(Others::Owner(1001)));
    }
}
