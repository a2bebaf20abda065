//! Everything that differs between Unix and Windows, so that the rest of
//! ssoenv reads the same on both. Each item below has one definition per
//! platform, with the same signature and meaning; `unix.rs` and `windows.rs`
//! say how it is done there and why.
//!
//! - Files: [`create_private_dir`], [`private_temp_dir`], [`make_private`] and
//!   [`new_files_private`] keep what ssoenv writes to the user alone;
//!   [`is_sharing_violation`] tells a passing hold of another process (which
//!   a retry outlasts) from a real failure; [`open_untrusted`],
//!   [`same_file`], [`may_follow_link`] and [`open_no_follow`] are for files
//!   other people may have planted; [`kept_permissions`] for a file
//!   rewritten in place; [`mode_and_owner`] and [`user_id`] what Unix says
//!   of a file's permissions.
//! - Trust: [`others_can_change`], whether anyone but the user (or the
//!   system's administrators) could change a file or directory.
//! - Processes: [`resolve_program`] and [`find_on_path`] find what a
//!   command's name runs, [`parent_id`] the process that started ssoenv,
//!   [`exec`] runs it in ssoenv's place, [`spawn_tied`] as a child that does
//!   not outlive ssoenv; [`Interrupts`] are what a supervisor passes on to its
//!   command, [`exit_code`] the status it exits with, and [`stop_requested`]
//!   how a foreground server is told to stop.
//! - Places: [`home_dir`] as the AWS CLI finds it, [`PATHS_IGNORE_CASE`], the shell to speak without
//!   SHELL ([`DEFAULT_SHELL`]), and the bases of ssoenv's own files,
//!   [`CACHE_DIR`], [`STATE_DIR`] and [`DATA_DIR`].
//! - [`local_time`]: the calendar time where the user is.
//! - [`open_url`]: the user's default browser, only ever given a web
//!   address (`sso::browser::launch`, its one caller, checks: given a path,
//!   the shell's "open" verb would run it).
//! - Terminal: [`have_key_input`], whether keys can be read, [`KeyMode`],
//!   the terminal's mode while a picker reads them, [`open_terminal`], to
//!   ask the user something (an MFA code), and [`read_hidden_line`], to
//!   read the answer unseen.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub use imp::{
    CACHE_DIR, DATA_DIR, DEFAULT_SHELL, HOME_VARIABLES, Interrupt, Interrupts, KeyMode,
    PATHS_IGNORE_CASE, STATE_DIR, Tie, create_private_dir, exec, exit_code, find_on_path,
    have_key_input, home_dir, is_sharing_violation, kept_permissions, local_time, make_private,
    make_private_command, may_follow_link, mode_and_owner, new_files_private, open_no_follow,
    open_terminal, open_untrusted, open_url, others_can_change, parent_id, private_temp_dir,
    read_hidden_line, resolve_program, same_file, spawn_tied, stop_requested, user_id,
};

/// Where a kind of ssoenv's own files lives: the directory `variable` names
/// when it is set to an absolute path, else `under_home` in the home
/// directory. ssoenv's files go in an `ssoenv` directory inside it.
#[derive(Debug, Clone, Copy)]
pub struct BaseDir {
    pub variable: &'static str,
    pub under_home: &'static [&'static str],
}
