//! `ssoenv init SHELL`: the shell integration. The static code lives in one
//! real file per shell under shell/ (so each is linted as what it is), with
//! placeholders filled in here, the completion registration among them.

use clap::ValueEnum;

use crate::activation;
use crate::cli::{Hook, InitArgs};
use crate::error::{Error, Result};
use crate::shell::ShellKind;

fn template(kind: ShellKind) -> &'static str {
    match kind {
        ShellKind::Bash => include_str!("../../shell/bash.sh"),
        ShellKind::Zsh => include_str!("../../shell/zsh.zsh"),
        ShellKind::Fish => include_str!("../../shell/fish.fish"),
        ShellKind::Powershell => include_str!("../../shell/powershell.ps1"),
    }
}

/// The line that loads the integration, for each shell's rc file.
pub fn rc_line(kind: ShellKind) -> (&'static str, &'static str) {
    match kind {
        ShellKind::Bash => ("~/.bashrc", r#"eval "$(ssoenv init bash)""#),
        ShellKind::Zsh => ("~/.zshrc", r#"eval "$(ssoenv init zsh)""#),
        ShellKind::Fish => ("~/.config/fish/config.fish", "ssoenv init fish | source"),
        ShellKind::Powershell => (
            "$PROFILE",
            "ssoenv init powershell | Out-String | Invoke-Expression",
        ),
    }
}

pub fn render(kind: ShellKind, cmd: &str, hook: Hook) -> Result<String> {
    let valid = cmd
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cmd
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(Error::usage(format!(
            "--cmd {cmd:?}: use letters, digits, `_` and `-`"
        )));
    }
    // The binary by absolute path: the wrapper shadows the name on PATH, and
    // the hook must not depend on PATH at every prompt.
    let exe = std::env::current_exe().map_err(|e| Error::io("find the ssoenv binary", e))?;
    let exe = exe
        .to_str()
        .ok_or_else(|| Error::failed("the path of the ssoenv binary is not UTF-8"))?;
    let hook = hook.to_possible_value().expect("no skipped variants");
    let sh = kind.shell();
    Ok(template(kind)
        .replace(
            "__SSOENV_COMPLETION__",
            super::completions::script(kind, cmd)?.trim(),
        )
        .replace("__SSOENV_BIN__", &sh.quote(exe))
        .replace("__SSOENV_CMD__", cmd)
        .replace("__SSOENV_HOOK__", hook.get_name())
        .replace("__SSOENV_SENTINEL__", &sh.quote(activation::SENTINEL))
        .replace("__SSOENV_VERSION__", env!("CARGO_PKG_VERSION")))
}

pub fn run(args: InitArgs) -> Result<()> {
    print!("{}", render(args.shell, &args.cmd, args.hook)?);
    Ok(())
}
