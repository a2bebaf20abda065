use std::ffi::{OsStr, OsString};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::activation::{self, Env, handout};
use crate::cli::ExecArgs;
use crate::config::{self, Config};
use crate::credential_server::{self, CredentialServer};
use crate::error::{Error, Result};
use crate::sso;
use crate::sso::assume::Mfa;
use crate::target::{self, Target};

pub async fn run(args: ExecArgs) -> Result<()> {
    let config = Config::load()?;
    let spelling = config::selected_profile(args.profile.as_deref());
    let mut target = target::resolve(&config, &spelling, args.sso_session.as_deref()).await?;
    if let Some(region) = args.region {
        target.chain.profile.region = Some(region);
    }
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    match args.server {
        true => supervise(&target, program, rest).await,
        false => replace(&target, program, rest).await,
    }
}

/// Replace ssoenv with the command (execve), credentials in its environment
/// and never in argv. Replacing rather than spawning means signals reach the
/// command directly and its exit status is ssoenv's, with no forwarding to
/// get wrong.
async fn replace(target: &Target, program: &OsStr, args: &[OsString]) -> Result<()> {
    let creds = sso::assume::credentials(&target.chain, Mfa::Ask).await?;
    let mut cmd = Command::new(program);
    cmd.args(args);
    handout::exec_with_keys(&Env::from_process(), activation::now(), target, &creds)
        .apply(&mut cmd);
    Err(cannot_run(program, cmd.exec()))
}

/// `--server`: the command runs as a child, with the credential endpoint in
/// its environment instead of keys, and ssoenv serves it for as long as the
/// command runs, then exits with its status.
async fn supervise(target: &Target, program: &OsStr, args: &[OsString]) -> Result<()> {
    // Fail now, with exit code 3 when a sign-in is needed, rather than in
    // the middle of the command.
    credential_server::credentials(&target.chain).await?;
    let server = CredentialServer::bind(target.chain.clone(), 0).await?;
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args);
    handout::exec_with_endpoint(target, &server.endpoint()).apply(cmd.as_std_mut());
    // Handlers first: a signal arriving before them would kill ssoenv and
    // leave the command without its endpoint.
    let mut signals = Forwarded::install().map_err(|e| Error::io("handle signals", e))?;
    let mut child = cmd.spawn().map_err(|e| cannot_run(program, e))?;
    let pid = child.id().expect("a child not yet waited for has a pid");
    let serving = server.serve();
    tokio::pin!(serving);
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.map_err(|e| Error::io("wait for the command", e))?,
            signal = signals.next() => forward(pid, signal),
            never = &mut serving => match never {},
        }
    };
    // The command's status becomes ssoenv's, as with execve; 128 + N when
    // signal N ended it, as shells report it.
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    match code {
        0 => Ok(()),
        code => std::process::exit(code),
    }
}

/// The signals a supervisor passes on to its command.
struct Forwarded {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
    quit: Signal,
}

impl Forwarded {
    fn install() -> std::io::Result<Forwarded> {
        Ok(Forwarded {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            quit: signal(SignalKind::quit())?,
        })
    }

    async fn next(&mut self) -> libc::c_int {
        tokio::select! {
            _ = self.interrupt.recv() => libc::SIGINT,
            _ = self.terminate.recv() => libc::SIGTERM,
            _ = self.hangup.recv() => libc::SIGHUP,
            _ = self.quit.recv() => libc::SIGQUIT,
        }
    }
}

fn forward(pid: u32, signal: libc::c_int) {
    // Ctrl-C and Ctrl-\ go to the terminal's whole foreground process group,
    // the command included: a second copy would read as a second interrupt,
    // which makes tools like terraform abandon a run at once.
    if matches!(signal, libc::SIGINT | libc::SIGQUIT) && in_terminal_foreground() {
        return;
    }
    // SAFETY: kill(2) touches no memory of ours; `pid` is our child, not yet
    // waited for, so it cannot name another process.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

fn in_terminal_foreground() -> bool {
    // SAFETY: plain queries on the standard descriptors.
    (0..3).any(|fd| unsafe { libc::isatty(fd) == 1 && libc::tcgetpgrp(fd) == libc::getpgrp() })
}

/// Exit 127 for a command that is not there and 126 for one that cannot
/// be run, as shells do.
fn cannot_run(program: &OsStr, err: std::io::Error) -> Error {
    let name = program.to_string_lossy();
    match err.kind() {
        std::io::ErrorKind::NotFound => {
            Error::command_not_found(format!("command not found: {name}"))
        }
        _ => Error::cannot_execute(format!("cannot run {name}: {err}")),
    }
}
