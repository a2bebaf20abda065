use std::ffi::{OsStr, OsString};
use std::process::Command;

use crate::activation::{self, Env, handout};
use crate::cli::ExecArgs;
use crate::config::{self, Config};
use crate::credential_server::CredentialServer;
use crate::error::{Error, Result};
use crate::sso::assume::Mfa;
use crate::target::{self, Target};
use crate::{platform, sso};

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

/// Run the command in ssoenv's place ([`platform::exec`]: execve on Unix),
/// credentials in its environment and never in argv. Replacing rather than
/// supervising means signals reach the command directly and its exit status
/// is ssoenv's, with no forwarding to get wrong.
async fn replace(target: &Target, program: &OsStr, args: &[OsString]) -> Result<()> {
    let creds = sso::assume::credentials(&target.chain, Mfa::Ask).await?;
    let mut cmd = Command::new(platform::resolve_program(program));
    cmd.args(args);
    handout::exec_with_keys(&Env::from_process(), activation::now(), target, &creds)
        .apply(&mut cmd);
    Err(cannot_run(program, platform::exec(cmd)))
}

/// `--server`: the command runs as a child, with the credential endpoint in
/// its environment instead of keys, and ssoenv serves it for as long as the
/// command runs, then exits with its status. The child is tied to ssoenv
/// ([`platform::spawn_tied`]): killed with ssoenv, so that it never holds an
/// endpoint that nobody serves and another local user could take over.
async fn supervise(target: &Target, program: &OsStr, args: &[OsString]) -> Result<()> {
    // The server gets the credentials as it binds, before the command starts:
    // a sign-in needed (exit 3) or an MFA code not given stops ssoenv here
    // rather than in the middle of the command.
    let restart = format!(
        "ssoenv exec --server {} -- {}{}",
        shell_words::quote(&target.chain.profile.name),
        shell_words::quote(&program.to_string_lossy()),
        if args.is_empty() { "" } else { " …" }
    );
    let server = CredentialServer::bind(target.chain.clone(), 0, restart).await?;
    let mut cmd = tokio::process::Command::new(platform::resolve_program(program));
    cmd.args(args);
    handout::exec_with_endpoint(target, &server.endpoint()).apply(cmd.as_std_mut());
    // Handlers first: a signal arriving before them would kill ssoenv and
    // leave the command without its endpoint.
    let mut interrupts =
        platform::Interrupts::install().map_err(|e| Error::io("handle signals", e))?;
    let (mut child, _tie) = platform::spawn_tied(&mut cmd).map_err(|e| cannot_run(program, e))?;
    let pid = child.id().expect("a child not yet waited for has a pid");
    let serving = server.serve();
    tokio::pin!(serving);
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.map_err(|e| Error::io("wait for the command", e))?,
            interrupt = interrupts.next() => interrupt.pass_to(pid),
            never = &mut serving => match never {},
        }
    };
    // The command's status becomes ssoenv's, as with execve.
    match platform::exit_code(status) {
        0 => Ok(()),
        code => std::process::exit(code),
    }
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
