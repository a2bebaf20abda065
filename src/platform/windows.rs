//! Windows: access control lists, the console's control events, job objects
//! and the user's profile directory.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Metadata, OpenOptions, Permissions};
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::sync::atomic::{AtomicIsize, AtomicU32, Ordering};
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION, ERROR_SUCCESS, GENERIC_ALL,
    GENERIC_READ, GENERIC_WRITE, HANDLE, LocalFree, TRUE,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, GetNamedSecurityInfoW, GetSecurityInfo, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, DACL_SECURITY_INFORMATION, EqualSid, GetAce,
    GetTokenInformation, INHERIT_ONLY_ACE, IsWellKnownSid, LookupAccountSidW,
    OWNER_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID, TOKEN_QUERY, TOKEN_USER, TokenUser,
    WinBuiltinAdministratorsSid, WinLocalSystemSid,
};
use windows_sys::Win32::Storage::FileSystem::{
    DELETE, FILE_APPEND_DATA, FILE_DELETE_CHILD, FILE_FLAG_BACKUP_SEMANTICS,
    FILE_FLAG_OPEN_REPARSE_POINT, FILE_READ_DATA, FILE_WRITE_DATA, READ_CONTROL, WRITE_DAC,
    WRITE_OWNER,
};
use windows_sys::Win32::System::Console::{
    CONSOLE_MODE, CTRL_BREAK_EVENT, CTRL_C_EVENT, ENABLE_ECHO_INPUT, ENABLE_LINE_INPUT,
    ENABLE_PROCESSED_INPUT, GetConsoleMode, GetStdHandle, STD_INPUT_HANDLE, SetConsoleCtrlHandler,
    SetConsoleMode,
};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW, TH32CS_SNAPPROCESS,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
    SetInformationJobObject,
};
use windows_sys::Win32::System::SystemServices::{
    ACCESS_ALLOWED_ACE_TYPE, ACCESS_ALLOWED_CALLBACK_ACE_TYPE,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
use windows_sys::Win32::UI::Shell::ShellExecuteW;
use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;

use super::BaseDir;

// ---- Files ----
//
// Nothing here sets an access control list: a new file or directory inherits
// the one of the directory it is created in, and everything ssoenv writes is
// under the user's profile directory (%USERPROFILE%, %LOCALAPPDATA%,
// %APPDATA%), which only the user, SYSTEM and the Administrators can open.

/// Create the directory `path` (not its parents); it inherits the access
/// control list of its parent.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::create_dir(path)
}

/// A new directory in the user's temporary directory (%TEMP%, inside the
/// profile), removed when dropped.
pub fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix(prefix).tempdir()
}

/// Nothing to do: the file inherits the access control list of its directory.
pub fn make_private(_: &File) -> io::Result<()> {
    Ok(())
}

/// The options as they are: created files inherit their directory's access.
pub fn new_files_private(options: &mut OpenOptions) -> &mut OpenOptions {
    options
}

/// Whether `err` is another process's hold on the file rather than a real
/// failure: a program that opened it without delete sharing (botocore does,
/// through the C runtime) makes replacing or removing it fail with "access
/// denied" or a sharing violation until it closes the file, and a locked
/// region fails reads with a lock violation. Worth retrying for a moment.
pub fn is_sharing_violation(err: &io::Error) -> bool {
    let code = err.raw_os_error().map(|c| c as u32);
    matches!(code, Some(c) if [ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION].contains(&c))
}

/// Open a file someone else may have planted, for reading. The caller has
/// checked it is a regular file; pipes and devices live elsewhere on Windows.
pub fn open_untrusted(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Open a file for reading unless `path` is a symbolic link: the link
/// itself is opened (FILE_FLAG_OPEN_REPARSE_POINT), and refused.
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    match file.metadata()?.file_type().is_symlink() {
        true => Err(io::Error::other("a symbolic link appeared there")),
        false => Ok(file),
    }
}

/// The permissions a file rewritten in place keeps: as they were (on
/// Windows only the read-only flag). Who may read it is the access control
/// list it inherits from its directory.
pub fn kept_permissions(existing: Permissions, _secret: bool) -> Permissions {
    existing
}

/// What Unix's mode and owner would say of the file at `path`: Windows has
/// neither, so the mode is made from its access control list. It reads as
/// private and the user's (0600, 0700 for a directory, owned by
/// [`user_id`]), with the group and other bits set when anyone but the
/// user, SYSTEM and the Administrators may read it (0644) or change it
/// (0666), so that checks written for modes find on Windows what they find
/// on Unix. The owner is [`others_can_change`]'s business.
pub fn mode_and_owner(path: &Path, meta: &Metadata) -> (u32, u32) {
    let (private, reads, changes) = match meta.is_dir() {
        true => (0o700, 0o055, DIRECTORY_CHANGES),
        false => (0o600, 0o044, FILE_CHANGES),
    };
    let mut mode = private;
    if let (Ok(me), Ok(security)) = (CurrentUser::get(), Security::of(path)) {
        let granted = |rights| matches!(security.granted_to_others(&me, rights), Ok(Some(_)));
        if granted(READS) {
            mode |= reads;
        }
        if granted(changes) {
            mode |= 0o022;
        }
    }
    (mode, user_id())
}

/// The command that makes the file or directory at `path` the user's alone.
pub fn make_private_command(path: &Path, dir: bool) -> String {
    let grant = match dir {
        true => "(OI)(CI)F",
        false => "F",
    };
    format!(
        "icacls \"{}\" /inheritance:r /grant:r \"%USERNAME%:{grant}\"",
        path.display()
    )
}

/// See [`mode_and_owner`]: the one "uid" there is.
pub fn user_id() -> u32 {
    0
}

/// Whether both paths name the same file, once every link is resolved.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

// ---- Trust ----

/// What lets someone change a file: its content, or its name and access.
const FILE_CHANGES: u32 = FILE_WRITE_DATA
    | FILE_APPEND_DATA
    | DELETE
    | WRITE_DAC
    | WRITE_OWNER
    | GENERIC_WRITE
    | GENERIC_ALL;

/// What lets someone change the entries of a directory: remove or rename
/// them, or the directory itself. Adding entries (FILE_ADD_FILE,
/// FILE_ADD_SUBDIRECTORY) is not among them: that much every user may do at
/// the root of C:, and it replaces nothing of the user's.
const DIRECTORY_CHANGES: u32 =
    FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL;

/// NT SERVICE\TrustedInstaller, which owns the system's own folders.
const TRUSTED_INSTALLER: &str = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";

/// Why someone other than the user, SYSTEM, the Administrators or the
/// TrustedInstaller could change the file or directory at `path`, if anyone
/// could: its owner, or an entry of its access control list that grants
/// someone else the right to change it. Entries that deny are not counted,
/// so this may refuse what Windows would not allow: the conservative side.
pub fn others_can_change(path: &Path) -> io::Result<Option<String>> {
    let changes = match fs::metadata(path)?.is_dir() {
        true => DIRECTORY_CHANGES,
        false => FILE_CHANGES,
    };
    let me = CurrentUser::get()?;
    let security = Security::of(path)?;
    if !me.trusts(security.owner) {
        return Ok(Some(format!(
            "it belongs to {}",
            account_name(security.owner)
        )));
    }
    Ok(security
        .granted_to_others(&me, changes)?
        .map(|who| match who {
            Some(sid) => format!(
                "{} can change it (icacls shows and removes that)",
                account_name(sid)
            ),
            None => "it has no access control list: everyone can change it".into(),
        }))
}

/// What lets someone read a file, or list a directory.
const READS: u32 = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;

/// A file's owner and access control list, as GetNamedSecurityInfoW gives
/// them; both point into `_descriptor`.
struct Security {
    owner: PSID,
    dacl: *mut ACL,
    _descriptor: LocalMemory,
}

impl Security {
    fn of(path: &Path) -> io::Result<Security> {
        let wide = wide(path.as_os_str());
        let mut owner: PSID = std::ptr::null_mut();
        let mut dacl: *mut ACL = std::ptr::null_mut();
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        // SAFETY: the name is NUL-terminated; the out pointers are valid, and
        // point into `descriptor`, which lives as long as the Security.
        let rc = unsafe {
            GetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                &mut owner,
                std::ptr::null_mut(),
                &mut dacl,
                std::ptr::null_mut(),
                &mut descriptor,
            )
        };
        if rc != ERROR_SUCCESS {
            return Err(io::Error::from_raw_os_error(rc as i32));
        }
        Ok(Security {
            owner,
            dacl,
            _descriptor: LocalMemory(descriptor),
        })
    }

    /// Whether the list grants any of `rights` to someone `me` does not
    /// trust: Some(Some(who)) for the first such entry, Some(None) when
    /// there is no list at all (everyone has every right), None otherwise.
    fn granted_to_others(&self, me: &CurrentUser, rights: u32) -> io::Result<Option<Option<PSID>>> {
        let dacl = self.dacl;
        if dacl.is_null() {
            return Ok(Some(None));
        }
        // SAFETY: a non-null DACL from GetNamedSecurityInfoW is a valid ACL.
        let count = unsafe { (*dacl).AceCount };
        for index in 0..count {
            let mut ace = std::ptr::null_mut();
            // SAFETY: index < AceCount; GetAce points `ace` into the ACL.
            if unsafe { GetAce(dacl, index as u32, &mut ace) } == 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: every ACE starts with a header.
            let header = unsafe { &*(ace as *const ACE_HEADER) };
            let kind = header.AceType as u32;
            // An entry that only passes on to what is created inside does not apply here.
            if ![ACCESS_ALLOWED_ACE_TYPE, ACCESS_ALLOWED_CALLBACK_ACE_TYPE].contains(&kind)
                || header.AceFlags as u32 & INHERIT_ONLY_ACE != 0
            {
                continue;
            }
            // SAFETY: both kinds of entry are laid out as ACCESS_ALLOWED_ACE,
            // the SID starting at SidStart.
            let allowed = unsafe { &*(ace as *const ACCESS_ALLOWED_ACE) };
            let sid = &allowed.SidStart as *const u32 as PSID;
            if allowed.Mask & rights != 0 && !me.trusts(sid) {
                return Ok(Some(Some(sid)));
            }
        }
        Ok(None)
    }
}

/// Whether the symbolic link `link` may be followed: as on Unix, only when
/// the user (or SYSTEM, the Administrators, the TrustedInstaller) owns it.
/// The owner is the link's own, read from the link opened as itself.
pub fn may_follow_link(link: &Path, _meta: &Metadata) -> bool {
    let Ok(opened) = OpenOptions::new()
        .access_mode(READ_CONTROL)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)
        .open(link)
    else {
        return false;
    };
    let Ok(me) = CurrentUser::get() else {
        return false;
    };
    let mut owner: PSID = std::ptr::null_mut();
    let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
    // SAFETY: the handle is open; `owner` points into `descriptor`, which
    // lives until `_free` drops.
    let rc = unsafe {
        GetSecurityInfo(
            opened.as_raw_handle() as HANDLE,
            SE_FILE_OBJECT,
            OWNER_SECURITY_INFORMATION,
            &mut owner,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            &mut descriptor,
        )
    };
    if rc != ERROR_SUCCESS {
        return false;
    }
    let _free = LocalMemory(descriptor);
    me.trusts(owner)
}

/// The SID of the user ssoenv runs as.
struct CurrentUser {
    /// A TOKEN_USER, whose SID points into this buffer.
    token_user: Vec<u64>,
}

impl CurrentUser {
    fn get() -> io::Result<CurrentUser> {
        let mut token: HANDLE = std::ptr::null_mut();
        // SAFETY: the pseudo-handle of this process needs no closing; `token` is valid.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: OpenProcessToken returned a handle we now own.
        let token = unsafe { OwnedHandle::from_raw_handle(token as RawHandle) };
        let mut needed = 0u32;
        // SAFETY: asking for the size only.
        unsafe {
            GetTokenInformation(
                token.as_raw_handle() as HANDLE,
                TokenUser,
                std::ptr::null_mut(),
                0,
                &mut needed,
            )
        };
        // u64s keep the buffer aligned for TOKEN_USER.
        let mut token_user = vec![0u64; (needed as usize).div_ceil(8).max(1)];
        // SAFETY: the buffer holds `needed` bytes.
        let ok = unsafe {
            GetTokenInformation(
                token.as_raw_handle() as HANDLE,
                TokenUser,
                token_user.as_mut_ptr().cast(),
                (token_user.len() * 8) as u32,
                &mut needed,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(CurrentUser { token_user })
    }

    fn sid(&self) -> PSID {
        // SAFETY: the buffer holds the TOKEN_USER that GetTokenInformation wrote.
        unsafe { (*(self.token_user.as_ptr() as *const TOKEN_USER)).User.Sid }
    }

    /// The user, or an account that can change anything on the machine anyway.
    fn trusts(&self, sid: PSID) -> bool {
        // SAFETY: both SIDs are valid for the calls.
        let (me, system, administrators) = unsafe {
            (
                EqualSid(sid, self.sid()) != 0,
                IsWellKnownSid(sid, WinLocalSystemSid) != 0,
                IsWellKnownSid(sid, WinBuiltinAdministratorsSid) != 0,
            )
        };
        me || system || administrators || sid_string(sid).is_some_and(|s| s == TRUSTED_INSTALLER)
    }
}

/// `DOMAIN\name` of an account, else its SID as a string.
fn account_name(sid: PSID) -> String {
    let mut name = [0u16; 256];
    let mut domain = [0u16; 256];
    let (mut name_len, mut domain_len, mut kind) = (256u32, 256u32, 0);
    // SAFETY: the buffers hold the lengths given.
    let ok = unsafe {
        LookupAccountSidW(
            std::ptr::null(),
            sid,
            name.as_mut_ptr(),
            &mut name_len,
            domain.as_mut_ptr(),
            &mut domain_len,
            &mut kind,
        )
    };
    if ok == 0 {
        return sid_string(sid).unwrap_or_else(|| "another account".into());
    }
    let name = String::from_utf16_lossy(&name[..name_len as usize]);
    match domain_len {
        0 => name,
        n => format!(
            "{}\\{name}",
            String::from_utf16_lossy(&domain[..n as usize])
        ),
    }
}

fn sid_string(sid: PSID) -> Option<String> {
    let mut text = std::ptr::null_mut();
    // SAFETY: on success `text` is a NUL-terminated string we free.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 {
        return None;
    }
    let _free = LocalMemory(text.cast());
    // SAFETY: NUL-terminated, as ConvertSidToStringSidW promises.
    let len = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: `len` characters precede the NUL.
    Some(String::from_utf16_lossy(unsafe {
        std::slice::from_raw_parts(text, len)
    }))
}

/// Memory the system allocated for us, freed with LocalFree.
struct LocalMemory(*mut core::ffi::c_void);

impl Drop for LocalMemory {
    fn drop(&mut self) {
        // SAFETY: the pointer came from an API that says to free it with LocalFree.
        unsafe { LocalFree(self.0) };
    }
}

fn wide(s: &OsStr) -> Vec<u16> {
    s.encode_wide().chain(std::iter::once(0)).collect()
}

// ---- Processes ----

/// Run the command in ssoenv's place, as far as Windows allows: there is no
/// execve, so ssoenv starts it, waits and exits with its code. Ctrl-C and
/// Ctrl-Break reach the command from the console, as they reach every
/// program attached to it, while ssoenv outlasts them; and the command is
/// tied to ssoenv ([`spawn_tied`]), so ending ssoenv ends it as it would
/// the one process execve leaves. Returns only if the command could not start.
pub fn exec(mut cmd: std::process::Command) -> io::Error {
    let started = outlast_console_interrupts().and_then(|()| {
        let job = Job::killing_on_close()?;
        let mut child = cmd.spawn()?;
        if let Err(e) = job.assign(child.as_raw_handle()) {
            let _ = child.kill();
            return Err(e);
        }
        Ok((child, job))
    });
    let (mut child, _job) = match started {
        Ok(started) => started,
        Err(e) => return e,
    };
    match child.wait() {
        Ok(status) => std::process::exit(exit_code(status)),
        Err(e) => e,
    }
}

/// The file a bare name like `cdk` runs, as cmd.exe and PowerShell find it:
/// the first directory on PATH holding it with one of the PATHEXT
/// extensions that Windows can start (.exe, .com, .bat, .cmd). Windows
/// itself only looks for `.exe`, which misses every npm-installed tool.
/// Anything else (a path, a name with an extension, nothing found) is left
/// as given.
pub fn resolve_program(program: &OsStr) -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    find_program(program, &path, &pathext())
}

/// The file `program` names in a directory of PATH, found as
/// [`resolve_program`] finds it (relative entries are skipped).
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let absolute: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .collect();
    let path = std::env::join_paths(absolute).ok()?;
    let found = PathBuf::from(find_program(OsStr::new(program), &path, &pathext()));
    found.is_absolute().then_some(found)
}

fn pathext() -> String {
    std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE;.BAT;.CMD".into())
}

/// The process that started ssoenv (0 if the system does not say).
pub fn parent_id() -> u32 {
    // SAFETY: a snapshot of the process list; the handle is closed below.
    let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) };
    if snapshot.is_null() || snapshot as isize == -1 {
        return 0;
    }
    // SAFETY: the snapshot handle is ours to close.
    let snapshot = unsafe { OwnedHandle::from_raw_handle(snapshot as RawHandle) };
    let me = std::process::id();
    let mut entry = PROCESSENTRY32W {
        dwSize: size_of::<PROCESSENTRY32W>() as u32,
        ..Default::default()
    };
    let handle = snapshot.as_raw_handle() as HANDLE;
    // SAFETY: `entry` is a PROCESSENTRY32W with its size set, as both calls require.
    let mut more = unsafe { Process32FirstW(handle, &mut entry) } != 0;
    while more {
        if entry.th32ProcessID == me {
            return entry.th32ParentProcessID;
        }
        // SAFETY: as above.
        more = unsafe { Process32NextW(handle, &mut entry) } != 0;
    }
    0
}

fn find_program(program: &OsStr, path: &OsStr, pathext: &str) -> OsString {
    let as_path = Path::new(program);
    if as_path.extension().is_some() || as_path.components().count() != 1 {
        // A name with an extension is looked for as it is.
        if as_path.components().count() == 1 {
            for dir in std::env::split_paths(path) {
                let candidate = dir.join(program);
                if candidate.is_file() {
                    return candidate.into_os_string();
                }
            }
        }
        return program.to_owned();
    }
    let runnable = [".com", ".exe", ".bat", ".cmd"];
    let extensions: Vec<String> = pathext
        .split(';')
        .map(str::to_ascii_lowercase)
        .filter(|e| runnable.contains(&e.as_str()))
        .collect();
    for dir in std::env::split_paths(path) {
        for extension in &extensions {
            let mut name = program.to_owned();
            name.push(extension);
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate.into_os_string();
            }
        }
    }
    program.to_owned()
}

/// Keeps a [`spawn_tied`] child in its job: dropping it ends the child.
pub struct Tie(#[allow(dead_code)] Job);

/// Start `cmd` as a child that does not outlive ssoenv: in a job object
/// that Windows ends, with every process in it, when the last handle to it
/// closes, which happens when ssoenv exits however it exits. Processes the
/// command starts are in the job too. (A process the command starts in the
/// instant before it joins the job escapes it: std offers no way to start a
/// process suspended and resume it.)
pub fn spawn_tied(cmd: &mut tokio::process::Command) -> io::Result<(tokio::process::Child, Tie)> {
    let job = Job::killing_on_close()?;
    let mut child = cmd.spawn()?;
    let handle = child
        .raw_handle()
        .expect("a child not yet waited for has a handle");
    if let Err(e) = job.assign(handle) {
        let _ = child.start_kill();
        return Err(e);
    }
    Ok((child, Tie(job)))
}

/// A job object that ends its processes when its last handle closes.
struct Job(OwnedHandle);

impl Job {
    fn killing_on_close() -> io::Result<Job> {
        // SAFETY: no security attributes, no name.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: CreateJobObjectW returned a handle we now own.
        let job = Job(unsafe { OwnedHandle::from_raw_handle(handle as RawHandle) });
        // SAFETY: an all-zero limit information sets no limit.
        let mut limits: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        // SAFETY: the pointer and size describe `limits`.
        let ok = unsafe {
            SetInformationJobObject(
                handle,
                JobObjectExtendedLimitInformation,
                (&limits as *const JOBOBJECT_EXTENDED_LIMIT_INFORMATION).cast(),
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(job)
    }

    fn assign(&self, process: RawHandle) -> io::Result<()> {
        // SAFETY: both handles are open.
        match unsafe {
            AssignProcessToJobObject(self.0.as_raw_handle() as HANDLE, process as HANDLE)
        } {
            0 => Err(io::Error::last_os_error()),
            _ => Ok(()),
        }
    }
}

/// Ctrl-C and Ctrl-Break go to every process on the console, the command
/// included; Windows has no signals to pass on. A supervisor only has to
/// outlast them ([`outlast_console_interrupts`]), so there is nothing to
/// receive: [`Interrupts::next`] never returns.
pub struct Interrupts(());

/// Never constructed: see [`Interrupts`].
#[derive(Debug, Clone, Copy)]
pub enum Interrupt {}

impl Interrupts {
    pub fn install() -> io::Result<Interrupts> {
        outlast_console_interrupts()?;
        Ok(Interrupts(()))
    }

    pub async fn next(&mut self) -> Interrupt {
        std::future::pending().await
    }
}

impl Interrupt {
    pub fn pass_to(self, _pid: u32) {
        match self {}
    }
}

/// From now on, Ctrl-C and Ctrl-Break no longer end ssoenv: the command got
/// them too and decides, and its exit ends ssoenv. When the console closes
/// or the user logs off, Windows ends every program on the console once its
/// handler returns (or after a few seconds); the handler waits, so the
/// command has those seconds to finish before ssoenv's exit ends its job.
/// A handler routine, unlike ignoring Ctrl-C outright, is not inherited by
/// the command.
fn outlast_console_interrupts() -> io::Result<()> {
    unsafe extern "system" fn outlast(event: u32) -> windows_sys::core::BOOL {
        if event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT {
            std::thread::sleep(Duration::from_secs(30));
        }
        TRUE
    }
    // SAFETY: `outlast` is a valid handler for the life of the process.
    match unsafe { SetConsoleCtrlHandler(Some(outlast), TRUE) } {
        0 => Err(io::Error::last_os_error()),
        _ => Ok(()),
    }
}

/// The command's exit code, which on Windows is all there is.
pub fn exit_code(status: ExitStatus) -> i32 {
    status.code().unwrap_or(1)
}

/// Until Ctrl-C, Ctrl-Break or the console closing.
pub async fn stop_requested() -> io::Result<()> {
    use tokio::signal::windows::{ctrl_break, ctrl_c, ctrl_close};
    let (mut c, mut brk, mut close) = (ctrl_c()?, ctrl_break()?, ctrl_close()?);
    tokio::select! {
        _ = c.recv() => {}
        _ = brk.recv() => {}
        _ = close.recv() => {}
    }
    Ok(())
}

// ---- Places ----

/// The shell to speak when SHELL is not set (Git Bash and MSYS set it).
pub const DEFAULT_SHELL: &str = "powershell";

/// Whether two spellings of a path that differ in case name one file: on
/// Windows they do.
pub const PATHS_IGNORE_CASE: bool = true;

/// The variables the home directory comes from, for messages.
pub const HOME_VARIABLES: &str = "USERPROFILE (or HOMEDRIVE and HOMEPATH)";

/// The home directory as the AWS CLI finds it (Python's
/// `os.path.expanduser`): %USERPROFILE%, else %HOMEDRIVE%%HOMEPATH%. HOME
/// is not read: Git Bash and MSYS set it to a home of their own.
pub fn home_dir(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if let Some(profile) = set("USERPROFILE") {
        return Some(profile.into());
    }
    let mut home = set("HOMEDRIVE").unwrap_or_default();
    home.push(set("HOMEPATH")?);
    Some(home.into())
}

/// Locks: machine-local, %LOCALAPPDATA%.
pub const CACHE_DIR: BaseDir = BaseDir {
    variable: "LOCALAPPDATA",
    under_home: &["AppData", "Local"],
};

/// The picker's history: machine-local, %LOCALAPPDATA%.
pub const STATE_DIR: BaseDir = BaseDir {
    variable: "LOCALAPPDATA",
    under_home: &["AppData", "Local"],
};

/// Trust records: the user's data, %APPDATA%, which roams with the user's
/// profile, as the paths the records name usually do.
pub const DATA_DIR: BaseDir = BaseDir {
    variable: "APPDATA",
    under_home: &["AppData", "Roaming"],
};

// ---- Time ----

/// The local calendar time (per TZ, else the system's time zone) of a Unix time.
pub fn local_time(seconds: i64) -> Option<libc::tm> {
    let secs = libc::time_t::try_from(seconds).ok()?;
    // SAFETY: localtime_s writes only into the tm we pass; an all-zero tm is valid.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        (libc::localtime_s(&mut tm, &secs) == 0).then_some(tm)
    }
}

// ---- Terminal ----

/// The console the user types at, for a question that must reach them
/// whatever stdin and stdout are: CONIN$ to read a line from, CONOUT$ to
/// write to. An error when the process has no console.
pub fn open_terminal() -> io::Result<(File, File)> {
    let read = OpenOptions::new().read(true).write(true).open("CONIN$")?;
    let write = OpenOptions::new().read(true).write(true).open("CONOUT$")?;
    Ok((read, write))
}

/// The input mode of the console behind `handle`.
fn console_mode(handle: HANDLE) -> io::Result<CONSOLE_MODE> {
    let mut mode: CONSOLE_MODE = 0;
    // SAFETY: `mode` is a valid place for the mode; failure is checked.
    if unsafe { GetConsoleMode(handle, &mut mode) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(mode)
}

/// Set the input mode of the console behind `handle`.
fn set_console_mode(handle: HANDLE, mode: CONSOLE_MODE) -> io::Result<()> {
    // SAFETY: SetConsoleMode checks the handle and the mode; failure is checked.
    if unsafe { SetConsoleMode(handle, mode) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The console input whose echo [`read_hidden_line`] turned off, and the mode
/// to put back, for the control handler: Ctrl-C or a closed window ending
/// ssoenv would otherwise leave the console without echo.
static HIDDEN_HANDLE: AtomicIsize = AtomicIsize::new(0);
static HIDDEN_SAVED: AtomicU32 = AtomicU32::new(0);

unsafe extern "system" fn restore_echo(_event: u32) -> windows_sys::core::BOOL {
    let handle = HIDDEN_HANDLE.load(Ordering::SeqCst);
    if handle != 0 {
        // SAFETY: the handle stays open while HIDDEN_HANDLE holds it.
        unsafe { SetConsoleMode(handle as HANDLE, HIDDEN_SAVED.load(Ordering::SeqCst)) };
    }
    // Not handled: the next handler (in the end the default, which ends
    // the process) runs as it would have.
    0
}

/// A line typed at the console `tty` without showing it, as getpass reads a
/// password (and botocore an MFA code). The console's mode comes back
/// however the read ends, Ctrl-C included; the caller writes the newline
/// the console no longer echoes.
pub fn read_hidden_line(tty: &File) -> io::Result<String> {
    use std::io::BufRead;
    let handle = tty.as_raw_handle() as HANDLE;
    let saved = console_mode(handle)?;
    HIDDEN_SAVED.store(saved, Ordering::SeqCst);
    HIDDEN_HANDLE.store(handle as isize, Ordering::SeqCst);
    // SAFETY: a handler with the signature the console calls.
    unsafe { SetConsoleCtrlHandler(Some(restore_echo), TRUE) };
    let hidden = HiddenInput { handle, saved };
    set_console_mode(handle, saved & !ENABLE_ECHO_INPUT)?;
    let mut line = String::new();
    let read = io::BufReader::new(tty).read_line(&mut line);
    drop(hidden);
    read.map(|_| line)
}

/// Echo off on a console, and the handler that turns it back on, until
/// dropped.
struct HiddenInput {
    handle: HANDLE,
    saved: CONSOLE_MODE,
}

impl Drop for HiddenInput {
    fn drop(&mut self) {
        let _ = set_console_mode(self.handle, self.saved);
        // SAFETY: the handler removed is the one added.
        unsafe { SetConsoleCtrlHandler(Some(restore_echo), 0) };
        HIDDEN_HANDLE.store(0, Ordering::SeqCst);
    }
}

/// A console to read keys from: stdin, which is where `console` reads them.
pub fn have_key_input() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}

/// The console's input mode while a picker runs: no echo, no line editing,
/// and Ctrl-C as a key instead of a signal. `console` turns Ctrl-C
/// processing off only while it reads a key; without this, Ctrl-C between
/// keys would end the process with the picker left on screen. Dropping it
/// restores the saved mode, also on errors and panics.
pub struct KeyMode {
    handle: HANDLE,
    saved: CONSOLE_MODE,
}

impl KeyMode {
    pub fn enter() -> io::Result<KeyMode> {
        // SAFETY: GetStdHandle has no preconditions; the handle is the
        // process's own and is not closed here.
        let handle = unsafe { GetStdHandle(STD_INPUT_HANDLE) };
        let saved = console_mode(handle)?;
        let keys = saved & !(ENABLE_PROCESSED_INPUT | ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT);
        set_console_mode(handle, keys)?;
        Ok(KeyMode { handle, saved })
    }
}

impl Drop for KeyMode {
    fn drop(&mut self) {
        // The same handle, still open, and the mode it had.
        let _ = set_console_mode(self.handle, self.saved);
    }
}

// ---- Browser ----

/// The shell's "open" verb: the browser the user chose as the default.
/// ShellExecute returns once the browser is started, not when it exits.
pub async fn open_url(url: &str) -> io::Result<()> {
    let (verb, file) = (wide(OsStr::new("open")), wide(OsStr::new(url)));
    // SAFETY: both strings are NUL-terminated; the rest may be null.
    let result = unsafe {
        ShellExecuteW(
            std::ptr::null_mut(),
            verb.as_ptr(),
            file.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            SW_SHOWNORMAL,
        )
    };
    // Success is a value above 32, by this old API's convention.
    match result as isize {
        code if code > 32 => Ok(()),
        code => Err(io::Error::other(format!("ShellExecute failed ({code})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_found_as_python_finds_it() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let home = |pairs| home_dir(env(pairs));
        assert_eq!(
            home(&[("HOME", "H:\\h"), ("USERPROFILE", "C:\\Users\\bob")]),
            Some("C:\\Users\\bob".into())
        );
        assert_eq!(
            home(&[("HOMEDRIVE", "D:"), ("HOMEPATH", "\\Users\\bob")]),
            Some("D:\\Users\\bob".into())
        );
        assert_eq!(home(&[("HOME", "H:\\h")]), None);
    }

    /// The mode doctor judges comes from the access control list, and
    /// agrees with the trust check on who else may change the file.
    #[test]
    fn the_mode_follows_the_access_control_list() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cache.json");
        fs::write(&file, "{}").unwrap();
        let (mode, owner) = mode_and_owner(&file, &fs::metadata(&file).unwrap());
        let trusted = others_can_change(&file).unwrap().is_none();
        assert_eq!(mode & 0o022 == 0, trusted, "mode {mode:o}");
        assert_eq!(owner, user_id());
        // Wine's default lists let Users read what is made under %TEMP%
        // (0644 here); a profile directory on Windows lets nobody else.
        assert_eq!(mode & 0o700, 0o600, "{mode:o}");
        let (dir_mode, _) = mode_and_owner(dir.path(), &fs::metadata(dir.path()).unwrap());
        assert_eq!(dir_mode & 0o700, 0o700);
        assert_eq!(
            make_private_command(&file, false),
            format!(
                "icacls \"{}\" /inheritance:r /grant:r \"%USERNAME%:F\"",
                file.display()
            )
        );
    }

    #[test]
    fn bare_names_find_batch_files_on_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tool.cmd"), "@echo off\r\n").unwrap();
        std::fs::write(dir.path().join("script.js"), "").unwrap();
        let find = |name: &str| {
            find_program(
                OsStr::new(name),
                dir.path().as_os_str(),
                ".COM;.EXE;.BAT;.CMD;.JS",
            )
        };
        assert_eq!(find("tool"), dir.path().join("tool.cmd").into_os_string());
        assert_eq!(find("tool.exe"), "tool.exe", "not there: left as it is");
        assert_eq!(
            find("tool.cmd"),
            dir.path().join("tool.cmd").into_os_string()
        );
        assert_eq!(find("script"), "script", "Windows cannot start a .js");
        assert_eq!(find("missing"), "missing");
    }
}
