//! One error type for the whole tool, carrying the exit code scripts see.

use std::fmt;

/// Documented exit codes (README "Exit codes").
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    /// The SSO session is missing or ended: run `ssoenv login`. Scripts and the
    /// shell hook test for this code instead of parsing messages.
    pub const LOGIN_REQUIRED: u8 = 3;
    /// `exec`: the command exists but cannot be run, as shells report it.
    pub const CANNOT_EXECUTE: u8 = 126;
    /// `exec`: there is no such command, as shells report it.
    pub const COMMAND_NOT_FOUND: u8 = 127;
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything that is not one of the kinds below.
    Failed,
    /// Bad command line or configuration the user has to fix.
    Usage,
    /// No valid SSO session; a sign-in is needed.
    LoginRequired,
    /// Stopped by the user.
    Interrupted,
    /// `exec`'s command cannot be run.
    CannotExecute,
    /// `exec`'s command does not exist.
    CommandNotFound,
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn failed(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Failed,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Usage,
            message: message.into(),
        }
    }

    pub fn cannot_execute(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::CannotExecute,
            message: message.into(),
        }
    }

    pub fn command_not_found(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::CommandNotFound,
            message: message.into(),
        }
    }

    pub fn interrupted(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Interrupted,
            message: message.into(),
        }
    }

    /// `what` says why ("no cached token for sso-session dev"); the hint to
    /// sign in is appended here so every command words it the same way.
    pub fn login_required(what: impl fmt::Display, login_args: &str) -> Self {
        Error {
            kind: Kind::LoginRequired,
            message: format!("{what}; run `ssoenv login{login_args}` to sign in"),
        }
    }

    /// Exit with `kind`'s code after the command has already said why (as
    /// `status` does in its report): nothing more is printed.
    pub fn reported(kind: Kind) -> Self {
        Error {
            kind,
            message: String::new(),
        }
    }

    /// Whether the message is still to be printed.
    pub fn is_reported(&self) -> bool {
        self.message.is_empty()
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::Failed => exit::ERROR,
            Kind::Usage => exit::USAGE,
            Kind::LoginRequired => exit::LOGIN_REQUIRED,
            Kind::Interrupted => exit::INTERRUPTED,
            Kind::CannotExecute => exit::CANNOT_EXECUTE,
            Kind::CommandNotFound => exit::COMMAND_NOT_FOUND,
        }
    }

    /// An I/O failure, saying what was being done: `Error::io(format_args!(
    /// "read {}", path.display()), e)` reads "cannot read /x: Permission
    /// denied (os error 13)". There is no `From<io::Error>`: a bare `?` would
    /// lose the file.
    pub fn io(doing: impl fmt::Display, e: std::io::Error) -> Self {
        Error::failed(format!("cannot {doing}: {e}"))
    }

    /// Prefix the message with where it happened ("reading /x: ...").
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
