//! `ssoenv sandbox`: everything a newcomer needs to try ssoenv in seconds,
//! without an AWS account — a local Identity Center, a throwaway HOME with the
//! emulator's sample AWS config, a completed sign-in, and a subshell. The
//! real ~/.aws is never read or written.
//!
//! Sign-ins take the default path, the authorization code flow, through a
//! stand-in browser: BROWSER hands the URL to this process, which opens it as
//! a browser would and follows the redirect back to `ssoenv login`.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::cli::SandboxArgs;
use crate::emulator::{DEFAULT_START_URL, Emulator, EmulatorConfig, browser, sample};
use crate::error::{Error, Result};

/// Accounts beyond the sample ones, with their roles: `ssoenv list` and the
/// picker find them without a profile, as they would in a real organisation.
const EXTRA_ACCOUNTS: u32 = 3;
const EXTRA_ROLES: u32 = 3;

pub fn run(args: SandboxArgs) -> Result<()> {
    let mut config = EmulatorConfig::default();
    config
        .accounts
        .extend(sample::extra_accounts(EXTRA_ACCOUNTS, EXTRA_ROLES));
    let roles: usize = config.accounts.iter().map(|a| a.roles.len()).sum();
    let accounts = config.accounts.len();
    let emulator = Emulator::start(config)
        .map_err(|e| Error::failed(format!("cannot start the emulator: {e}")))?;
    // Private whatever the umask: another local user able to write here could
    // plant a .zshenv or config.fish that the subshell runs.
    let home = crate::fsutil::private_temp_dir("ssoenv-sandbox-")
        .map_err(|e| e.context("the sandbox's HOME"))?;
    let aws = home.path().join(".aws");
    crate::fsutil::private_dir(&aws)?;
    let config = aws.join("config");
    write_private(&config, &sample::config(DEFAULT_START_URL))?;

    let exe = std::env::current_exe().map_err(|e| Error::io("find the ssoenv binary", e))?;
    let shell = args
        .shell
        .or_else(crate::shell::login_shell)
        .unwrap_or_else(|| "bash".into());
    // SHELL names the shell that runs, by its path: `ssoenv export` and
    // other programs choose their syntax by it.
    let shell = match shell.components().count() {
        1 => crate::paths::find_on_path(&shell.to_string_lossy()).unwrap_or(shell),
        _ => shell,
    };
    let stand_in = StandInBrowser::start(home.path(), &emulator.endpoint())?;
    let env = |cmd: &mut Command| {
        sandbox_env(cmd, home.path(), &exe, &emulator.endpoint());
        cmd.env("BROWSER", stand_in.command(&exe));
    };

    let mut login = Command::new(&exe);
    login.args(["login", "--sso-session", sample::SESSION]);
    env(&mut login);
    // Everything is on this machine, so the browser flow works even over SSH.
    for var in ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"] {
        login.env_remove(var);
    }
    if !login
        .status()
        .map_err(|e| Error::io("run the sandbox sign-in", e))?
        .success()
    {
        return Err(Error::failed("the sandbox sign-in failed"));
    }
    let text = banner(&emulator.endpoint(), home.path(), accounts, roles);
    for line in text.trim_end_matches('\n').split('\n') {
        crate::log::line(format_args!("{line}"));
    }
    let mut sub = Command::new(&shell);
    sub.current_dir(home.path());
    env(&mut sub);
    sub.env("SHELL", &shell);
    load_integration(&mut sub, &shell, home.path())?;
    let status = sub
        .status()
        .map_err(|e| Error::failed(format!("cannot start {}: {e}", shell.display())))?;
    drop(stand_in);
    drop(emulator);
    drop(home);
    // Exit as the shell did (its last command's status), like any subshell.
    match status.code() {
        Some(0) => Ok(()),
        code => std::process::exit(code.unwrap_or(1)),
    }
}

/// What the sandbox is, what to try in it, and what it cannot do.
fn banner(endpoint: &str, home: &Path, accounts: usize, roles: usize) -> String {
    format!(
        "\nssoenv sandbox: a local Identity Center at {endpoint}, HOME={home}\n\
         Signed in to sso-session {session}. Profiles: dev, staging, prod, and deploy, a role\n\
         chained after dev (~/.aws/config); the sign-in reaches {roles} roles in {accounts}\n\
         accounts. Try:\n  \
         ssoenv use dev        switch this shell to dev (the prompt shows it; `ssoenv off`)\n  \
         ssoenv use            pick a profile or account on the terminal\n  \
         ssoenv list           every account and role the sign-in reaches\n  \
         ssoenv status         the sign-in and the credentials, from the caches\n  \
         ssoenv export dev     the credentials as shell code (`--format json`, `dotenv`)\n  \
         ssoenv export deploy  the chained role's credentials (AssumeRole after SSO)\n  \
         ssoenv console deploy the AWS console as deploy (`--url` prints the link)\n  \
         ssoenv doctor         check the config, caches, shell integration and clock\n  \
         ssoenv login --force  sign in again (a stand-in browser approves it)\n\
         The keys are fake: only this local Identity Center knows them. STS here is\n\
         the emulator's, which only assumes roles, so `aws sts get-caller-identity`\n\
         fails at once; AWS itself rejects the keys, so any other AWS call fails too\n\
         (after a time-out when offline).\n\
         Exit the shell to end the sandbox; everything in it is deleted.\n\n",
        home = home.display(),
        session = sample::SESSION,
    )
}

/// Every file of the sandbox is the user's alone (0600, in 0700
/// directories), whatever the umask.
fn write_private(path: &Path, text: &str) -> Result<()> {
    crate::fsutil::write_atomic(path, text.as_bytes())
}

/// Start the subshell with `ssoenv init` loaded, where we know how, and a
/// prompt that says it is the sandbox (and which profile is in use).
fn load_integration(cmd: &mut Command, shell: &Path, home: &Path) -> Result<()> {
    let write = |path: PathBuf, text: &str| write_private(&path, text);
    match shell
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
    {
        "bash" => {
            let rc = home.join(".bashrc");
            write(
                rc.clone(),
                "eval \"$(ssoenv init bash)\"\n\
                 PS1='(sandbox$(ssoenv prompt --format \" {profile} {ttl}\")) \\w \\$ '\n",
            )?;
            cmd.arg("--rcfile").arg(rc);
        }
        "zsh" => {
            write(
                home.join(".zshrc"),
                "eval \"$(ssoenv init zsh)\"\n\
                 setopt prompt_subst\n\
                 PROMPT='(sandbox$(ssoenv prompt --format \" {profile} {ttl}\")) %~ %# '\n",
            )?;
            cmd.env("ZDOTDIR", home);
        }
        "fish" => {
            // In XDG_CONFIG_HOME, which points into the sandbox.
            write(
                home.join(".config/fish/config.fish"),
                "ssoenv init fish | source\n\
                 function fish_prompt\n    \
                     set -l active (ssoenv prompt --format ' {profile} {ttl}')\n    \
                     printf '(sandbox%s) %s> ' \"$active\" (prompt_pwd)\n\
                 end\n",
            )?;
        }
        "pwsh" | "pwsh.exe" | "powershell" | "powershell.exe" => {
            let profile = home.join("sandbox.ps1");
            write(profile.clone(), include_str!("../../shell/sandbox.ps1"))?;
            // Dot-sourced, so its prompt and the integration are global.
            let path = profile.to_string_lossy().replace('\'', "''");
            cmd.args(["-NoLogo", "-NoExit", "-Command"])
                .arg(format!(". '{path}'"));
        }
        _ => {}
    }
    Ok(())
}

/// The sandbox's browser. BROWSER (ssoenv itself) appends each URL to a file; a thread here
/// opens those that lead to the sandbox's Identity Center and follows their
/// redirects, as a browser that is already signed in would.
struct StandInBrowser {
    handoff: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StandInBrowser {
    fn start(dir: &Path, endpoint: &str) -> Result<StandInBrowser> {
        let handoff = dir.join(".stand-in-browser");
        write_private(&handoff, "")?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (handoff, stop, endpoint) = (handoff.clone(), stop.clone(), endpoint.to_string());
            std::thread::Builder::new()
                .name("stand-in-browser".into())
                .spawn(move || serve_stand_in(&handoff, &stop, &endpoint))
                .map_err(|e| Error::io("start the stand-in browser", e))?
        };
        Ok(StandInBrowser {
            handoff,
            stop,
            thread: Some(thread),
        })
    }

    /// The BROWSER value: `ssoenv` itself appends the URL to the hand-off file.
    fn command(&self, exe: &Path) -> String {
        crate::emulator::browser::hand_off_command(exe, &self.handoff)
    }
}

impl Drop for StandInBrowser {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve_stand_in(handoff: &Path, stop: &AtomicBool, endpoint: &str) {
    let Ok(file) = std::fs::File::open(handoff) else {
        return;
    };
    let mut reader = BufReader::new(file);
    let mut line = String::new();
    while !stop.load(Ordering::Relaxed) {
        let start = reader.stream_position().unwrap_or(0);
        line.clear();
        match reader.read_line(&mut line) {
            Ok(_) if line.ends_with('\n') => {
                let url = line.trim_end();
                if !url.starts_with(endpoint) {
                    crate::log::line(format_args!(
                        "ssoenv sandbox: the stand-in browser opens only sandbox pages, not {url}"
                    ));
                    continue;
                }
                // Quiet when it works: `ssoenv login` is drawing on the terminal.
                match browser::browse(url) {
                    Ok(visit) if visit.status == 200 => {}
                    Ok(visit) => crate::log::line(format_args!(
                        "ssoenv sandbox: the stand-in browser got HTTP {} from {}",
                        visit.status, visit.url
                    )),
                    Err(e) => crate::log::line(format_args!(
                        "ssoenv sandbox: the stand-in browser failed: {e}"
                    )),
                }
            }
            // Nothing new, or half a line: read it again when it is whole.
            _ => {
                let _ = reader.seek(SeekFrom::Start(start));
                std::thread::sleep(Duration::from_millis(25));
            }
        }
    }
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
    // USERPROFILE, APPDATA and LOCALAPPDATA are where ssoenv and the AWS CLI
    // look on Windows, whatever HOME says.
    cmd.env("PATH", path)
        .env("HOME", home)
        .env("USERPROFILE", home)
        .env("APPDATA", home.join("AppData").join("Roaming"))
        .env("LOCALAPPDATA", home.join("AppData").join("Local"))
        .env("AWS_ENDPOINT_URL_SSO", endpoint)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", endpoint)
        .env("AWS_ENDPOINT_URL_STS", endpoint)
        .env("AWS_ENDPOINT_URL_SIGNIN", endpoint)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("SSOENV_SANDBOX", "1");
}
