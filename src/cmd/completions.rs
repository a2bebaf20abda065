//! `ssoenv completions SHELL`: the registration script for dynamic
//! completion (clap_complete's CompleteEnv). The script calls back into
//! `ssoenv` to complete, so profile names come from the user's current config.
//! The generated scripts are committed under completions/; `ssoenv init`
//! includes the same registration for its wrapper function.

use clap_complete::env::{Bash, EnvCompleter, Fish, Powershell, Zsh};

use crate::cli::CompletionsArgs;
use crate::error::Result;
use crate::shell::ShellKind;

/// The variable that switches the binary into completion mode.
pub const VAR: &str = "COMPLETE";

/// The registration that completes the command `cmd` by running `cmd`
/// itself in completion mode: the binary, or the wrapper function of `ssoenv
/// init` (which finds the binary as it does for every other verb).
pub fn script(kind: ShellKind, cmd: &str) -> Result<String> {
    let completer: &dyn EnvCompleter = match kind {
        ShellKind::Bash => &Bash,
        ShellKind::Zsh => &Zsh,
        ShellKind::Fish => &Fish,
        ShellKind::Powershell => &Powershell,
    };
    let mut out = Vec::new();
    completer
        .write_registration(VAR, cmd, cmd, cmd, &mut out)
        .map_err(|e| crate::error::Error::io("write the completion script", e))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    print!("{}", script(args.shell, "ssoenv")?);
    Ok(())
}
