//! One file per verb; this one parses the command line and maps errors to
//! exit codes.

pub mod credential_process;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod exec;
pub mod export;
pub mod login;
pub mod logout;
#[cfg(feature = "emulator")]
pub mod sandbox;
pub mod status;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::{Error, Result};

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::log::init(cli.verbose);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ssoenv: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    if !(cli.timeout.is_finite() && cli.timeout > 0.0) {
        return Err(Error::usage(
            "--timeout must be a positive number of seconds",
        ));
    }
    crate::sso::client::set_budget(Duration::from_secs_f64(cli.timeout));
    match cli.command {
        Command::Login(a) => block_on(login::run(a)),
        Command::Logout(a) => block_on(logout::run(a)),
        Command::Export(a) => block_on(export::run(a)),
        Command::Exec(a) => block_on(exec::run(a)),
        Command::CredentialProcess(a) => block_on(credential_process::run(a)),
        Command::Status(a) => status::run(a),
        #[cfg(feature = "emulator")]
        Command::Sandbox(a) => sandbox::run(a),
        #[cfg(feature = "emulator")]
        Command::Emulator(a) => emulator::run(a),
    }
}

/// Run async work on a single-threaded runtime: one process serves one
/// request, and a current-thread runtime starts in microseconds.
fn block_on<F: Future<Output = Result<()>>>(work: F) -> Result<()> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::failed(format!("cannot start the async runtime: {e}")))?
        .block_on(work)
}
