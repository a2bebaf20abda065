//! `ssoenv sandbox`: everything a newcomer needs to try ssoenv in seconds,
//! without an AWS account — a local Identity Center, a throwaway HOME with the
//! emulator's sample AWS config, a completed sign-in, and a subshell. The
//! real ~/.aws is never read or written.

use std::path::Path;
use std::process::Command;

use crate::cli::SandboxArgs;
use crate::emulator::{DEFAULT_START_URL, Emulator, EmulatorConfig, sample};
use crate::error::{Error, Result};

pub fn run(args: SandboxArgs) -> Result<()> {
    let emulator = Emulator::start(EmulatorConfig::default())
        .map_err(|e| Error::failed(format!("cannot start the emulator: {e}")))?;
    let home = tempfile::Builder::new()
        .prefix("ssoenv-sandbox-")
        .tempdir()
        .map_err(|e| Error::io("create the sandbox's HOME", e))?;
    let aws = home.path().join(".aws");
    crate::fsutil::private_dir(&aws)?;
    let config = aws.join("config");
    std::fs::write(&config, sample::config(DEFAULT_START_URL))
        .map_err(|e| Error::io(format_args!("write {}", config.display()), e))?;

    let exe = std::env::current_exe().map_err(|e| Error::io("find the ssoenv binary", e))?;
    let shell = args
        .shell
        .or_else(|| std::env::var_os("SHELL").map(Into::into))
        .unwrap_or_else(|| "bash".into());
    let env = |cmd: &mut Command| {
        sandbox_env(cmd, home.path(), &exe, &emulator.endpoint());
    };

    let mut login = Command::new(&exe);
    login.args(["login", "--sso-session", sample::SESSION, "--no-browser"]);
    env(&mut login);
    if !login
        .status()
        .map_err(|e| Error::io("run the sandbox sign-in", e))?
        .success()
    {
        return Err(Error::failed("the sandbox sign-in failed"));
    }
    let ready = format!(
        "\nssoenv sandbox: a local Identity Center at {}, HOME={}\n\
         Profiles: dev, staging, prod (see ~/.aws/config). Try:\n  \
         ssoenv use dev   (then `ssoenv prompt`, `ssoenv off`)\n  \
         ssoenv status dev\n  ssoenv export dev\n  ssoenv exec dev -- env\n  \
         ssoenv credential-process prod\n\
         Exit the shell to end the sandbox; everything in it is deleted.\n",
        emulator.endpoint(),
        home.path().display()
    );
    for line in ready.split('\n') {
        crate::log::line(format_args!("{line}"));
    }
    let mut sub = Command::new(&shell);
    sub.current_dir(home.path());
    env(&mut sub);
    load_integration(&mut sub, &shell, home.path())?;
    let status = sub
        .status()
        .map_err(|e| Error::failed(format!("cannot start {}: {e}", shell.display())))?;
    drop(emulator);
    drop(home);
    // Exit as the shell did (its last command's status), like any subshell.
    match status.code() {
        Some(0) => Ok(()),
        code => std::process::exit(code.unwrap_or(1)),
    }
}

/// Start the subshell with `ssoenv init` loaded, where we know how.
fn load_integration(cmd: &mut Command, shell: &Path, home: &Path) -> Result<()> {
    match shell
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
    {
        "bash" => {
            let rc = home.join(".bashrc");
            std::fs::write(
                &rc,
                "PS1='(sandbox) \\w \\$ '\neval \"$(ssoenv init bash)\"\n",
            )
            .map_err(|e| Error::io(format_args!("write {}", rc.display()), e))?;
            cmd.arg("--rcfile").arg(rc);
        }
        "zsh" => {
            std::fs::write(
                home.join(".zshrc"),
                "PROMPT='(sandbox) %~ %# '\neval \"$(ssoenv init zsh)\"\n",
            )
            .map_err(|e| Error::io(format_args!("write {}", home.join(".zshrc").display()), e))?;
            cmd.env("ZDOTDIR", home);
        }
        "fish" => {
            cmd.args(["-C", "ssoenv init fish | source"]);
        }
        _ => {}
    }
    Ok(())
}

/// Point every AWS tool and ssoenv at the sandbox instead of the user's own files.
fn sandbox_env(cmd: &mut Command, home: &Path, exe: &Path, endpoint: &str) {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("AWS_") || name.starts_with("SSOENV_") || name.starts_with("XDG_") {
            cmd.env_remove(&*name);
        }
    }
    let path = match (exe.parent(), std::env::var_os("PATH")) {
        (Some(dir), Some(p)) => std::env::join_paths(
            std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&p)),
        )
        .unwrap_or(p),
        (_, p) => p.unwrap_or_default(),
    };
    cmd.env("PATH", path)
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL_SSO", endpoint)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", endpoint)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("SSOENV_SANDBOX", "1");
}
