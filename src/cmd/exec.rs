use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::cli::ExecArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::sso;

/// Replace ssoenv with the command (execve), credentials in its environment
/// and never in argv. Replacing rather than spawning means signals reach the
/// command directly and its exit status is ssoenv's, with no forwarding to
/// get wrong.
pub async fn run(args: ExecArgs) -> Result<()> {
    let profile = Config::load()?.sso_profile(&args.profile)?;
    let creds = sso::credentials::get(&profile).await?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut cmd = Command::new(program);
    cmd.args(rest);
    for (name, value) in super::export::variables(&profile, &creds) {
        cmd.env(name, value);
    }
    // The credentials now in the environment are the ones to use: drop what
    // would shadow them or point tools at another profile (as aws-vault does).
    for name in super::export::STALE
        .iter()
        .chain(&["AWS_PROFILE", "AWS_DEFAULT_PROFILE"])
    {
        cmd.env_remove(name);
    }
    cmd.env("SSOENV_PROFILE", &profile.name);
    let err = cmd.exec();
    let name = program.to_string_lossy();
    Err(match err.kind() {
        std::io::ErrorKind::NotFound => Error::failed(format!("command not found: {name}")),
        _ => Error::failed(format!("cannot run {name}: {err}")),
    })
}
