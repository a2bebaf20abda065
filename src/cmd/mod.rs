//! One file per verb; this one parses the command line and maps errors to
//! exit codes.

pub mod allow;
pub mod completions;
pub mod console;
pub mod credential_process;
pub mod doctor;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod exec;
pub mod export;
pub mod hook;
pub mod init;
pub mod list;
pub mod login;
pub mod logout;
pub mod populate;
pub mod prompt;
#[cfg(feature = "emulator")]
pub mod sandbox;
pub mod serve;
pub mod status;
pub mod use_;
pub mod write_credentials;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};

pub fn main() -> ExitCode {
    // Completion mode (COMPLETE=bash ssoenv ...): answers and exits.
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(completions::VAR)
        .complete();
    let cli = Cli::parse();
    crate::log::init(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is_reported() {
                crate::say!("{e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut budget = cli.timeout;
    if matches!(cli.command, Command::Hook(_)) {
        // A prompt must not wait on the network for long. Its own limit
        // comes first, so that a call that hangs is reported as slow (and
        // retried), not as a failure of its own.
        budget = budget.min(hook::PROMPT_LIMIT + Duration::from_millis(500));
    }
    crate::sso::client::set_budget(budget);
    match cli.command {
        Command::Login(a) => block_on(login::run(a)),
        Command::Logout(a) => block_on(logout::run(a)),
        Command::Export(a) => block_on(export::run(a)),
        Command::Exec(a) => block_on(exec::run(a)),
        Command::WriteCredentials(a) => block_on(write_credentials::run(a)),
        Command::Serve(a) => block_on(serve::run(a)),
        Command::CredentialProcess(a) => block_on(credential_process::run(a)),
        Command::Status(a) => status::run(a),
        Command::Console(a) => block_on(console::run(a)),
        Command::Doctor(a) => block_on(doctor::run(a)),
        Command::List(a) => block_on(list::run(a)),
        Command::Populate(a) => block_on(populate::run(a)),
        Command::Init(a) => init::run(a),
        Command::Use(a) => block_on(use_::run(a)),
        Command::Off(a) => block_on(use_::run(crate::cli::UseArgs {
            profile: None,
            sso_session: None,
            region: None,
            quiet: false,
            off: true,
            shell: a.shell,
        })),
        Command::Allow(a) => allow::allow(a),
        Command::Deny(a) => allow::deny(a),
        Command::Prompt(a) => prompt::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Hook(a) => hook::run(a),
        #[cfg(feature = "emulator")]
        Command::Sandbox(a) => sandbox::run(a),
        #[cfg(feature = "emulator")]
        Command::Emulator(a) => emulator::run(a),
    }
}

/// Until Ctrl-C or SIGTERM (on Windows Ctrl-C, Ctrl-Break or the console
/// closing): how the foreground servers (`serve`, `emulator`) stop.
pub async fn until_stopped() -> Result<()> {
    crate::platform::stop_requested()
        .await
        .map_err(|e| Error::io("wait for Ctrl-C", e))
}

/// Run async work on a single-threaded runtime: one process serves one
/// request, and a current-thread runtime starts in microseconds.
pub fn block_on<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("cannot start the async runtime: {e}")))?
        .block_on(work)
}
