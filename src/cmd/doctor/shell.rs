//! The shell integration, as far as a child process can see it. The shell's
//! functions and its prompt hook (bash's PROMPT_COMMAND, zsh's
//! precmd_functions, fish's event handlers, PowerShell's prompt) live in
//! the shell and are never exported; what is visible is SSOENV_SHELL, which
//! the integration exports when it loads: the shell, its PID, the ssoenv
//! version that generated the code, the hook mode and the binary it calls.
//! So doctor can tell whether the shell that started it loaded the
//! integration, from which version, and whether that binary is still there
//! and the one on PATH. The prompt hooks themselves the wrapper hands to
//! doctor in SSOENV_HOOKS, so it can tell whether another tool has since
//! removed ssoenv's hook or put its own before it.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{Area, Check};
use crate::activation::vars;
use crate::shell::ShellKind;

/// What SSOENV_SHELL says: `bash 4242 0.1.0 prompt /usr/local/bin/ssoenv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub shell: ShellKind,
    pub pid: u32,
    pub version: String,
    pub hook: String,
    pub bin: PathBuf,
}

impl Marker {
    pub fn parse(value: &str) -> Option<Marker> {
        let mut words = value.splitn(5, ' ');
        let shell = ShellKind::from_str(words.next()?, false).ok()?;
        let pid = words.next()?.parse().ok()?;
        let version = words.next()?.to_string();
        let hook = words.next()?.to_string();
        let bin = PathBuf::from(words.next().filter(|b| b.starts_with('/'))?);
        Some(Marker {
            shell,
            pid,
            version,
            hook,
            bin,
        })
    }
}

/// The binary the integration calls, as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookBin {
    /// Its real path; None when it is gone.
    pub path: Option<PathBuf>,
    /// What `--version` says it is.
    pub version: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Facts {
    /// SSOENV_SHELL, if set.
    pub marker: Option<String>,
    /// The process that started doctor: the shell, when typed at its prompt.
    pub parent_pid: u32,
    /// $SHELL, for the line to add when nothing is loaded.
    pub login_shell: Option<ShellKind>,
    pub version: &'static str,
    /// `ssoenv` on PATH, by its real path.
    pub on_path: Option<PathBuf>,
    pub hook_bin: Option<HookBin>,
    /// SSOENV_HOOKS, when the wrapper passed it.
    pub hooks: Option<String>,
}

pub fn gather() -> Facts {
    let marker = std::env::var(vars::SHELL_MARKER).ok();
    let exe = std::env::current_exe().and_then(|p| p.canonicalize()).ok();
    let hook_bin = marker.as_deref().and_then(Marker::parse).map(|m| {
        let path = m.bin.canonicalize().ok();
        let version = match &path {
            Some(p) if Some(p) == exe.as_ref() => Some(env!("CARGO_PKG_VERSION").to_string()),
            Some(p) => version_of(p),
            None => None,
        };
        HookBin { path, version }
    });
    Facts {
        marker,
        parent_pid: crate::platform::parent_id(),
        login_shell: ShellKind::from_login_shell(),
        version: env!("CARGO_PKG_VERSION"),
        on_path: crate::paths::find_on_path("ssoenv").and_then(|p| p.canonicalize().ok()),
        hook_bin,
        hooks: std::env::var(vars::HOOKS).ok(),
    }
}

/// `0.1.0` from `BIN --version`, if it answers within a second: the
/// marker names the binary, and it could be anything by now.
fn version_of(bin: &Path) -> Option<String> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while child.try_wait().ok()?.is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let mut text = String::new();
    child.stdout.take()?.read_to_string(&mut text).ok()?;
    Some(text.trim().strip_prefix("ssoenv ")?.to_string())
}

/// Whether ssoenv's hook still runs at the prompt, and first where order
/// matters (bash, zsh: prompt tools that run before it draw the account from
/// before a switch), judged from `hooks` (SSOENV_HOOKS).
fn prompt_hook(shell: ShellKind, hooks: Option<&str>) -> Check {
    const HOOK: &str = "__ssoenv_hook";
    let Some(hooks) = hooks else {
        return Check::skip(
            Area::Shell,
            "the prompt hook cannot be seen: this doctor was not started through the shell \
             integration's `ssoenv` function",
            Some("run `ssoenv doctor` at the shell's prompt, as a command of its own".into()),
        );
    };
    let after_others = "load ssoenv's integration after the other prompt tools (its line last \
                        in the rc file), then open a new shell";
    let (kept_in, entries): (&str, Vec<&str>) = match shell {
        ShellKind::Bash => ("PROMPT_COMMAND", hooks.split([';', '\n']).collect()),
        ShellKind::Zsh => ("precmd_functions", hooks.split(';').collect()),
        ShellKind::Fish => (
            "the fish_prompt event's handlers",
            hooks.split(';').collect(),
        ),
        ShellKind::Powershell => {
            return match hooks.contains(HOOK) {
                true => Check::pass(Area::Shell, "the prompt function runs ssoenv's hook"),
                false => Check::fail(
                    Area::Shell,
                    "the prompt function no longer runs ssoenv's hook: another tool replaced it \
                     after ssoenv wrapped it",
                    after_others,
                ),
            };
        }
    };
    let entries: Vec<&str> = entries
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .collect();
    let ordered = matches!(shell, ShellKind::Bash | ShellKind::Zsh);
    match entries.iter().position(|e| *e == HOOK) {
        None => Check::fail(
            Area::Shell,
            format!("ssoenv's prompt hook is gone from {kept_in}: another tool replaced it"),
            after_others,
        ),
        Some(i) if i > 0 && ordered => Check::fail(
            Area::Shell,
            format!(
                "{} runs before ssoenv's prompt hook in {kept_in}, so it draws the prompt \
                 from before a switch or renewal",
                crate::log::printable(&entries[..i].join(", "))
            ),
            after_others,
        ),
        Some(_) => Check::pass(
            Area::Shell,
            match ordered {
                true => format!("ssoenv's prompt hook runs first in {kept_in}"),
                false => format!("ssoenv's prompt hook is among {kept_in}"),
            },
        ),
    }
}

/// The line that loads the integration, and where it goes.
fn load_line(kind: ShellKind) -> String {
    let (rc, line) = crate::cmd::init::rc_line(kind);
    format!("`{line}` in {rc}")
}

pub fn checks(facts: &Facts) -> Vec<Check> {
    let Some(value) = &facts.marker else {
        return vec![Check::fail(
            Area::Shell,
            "this shell has not loaded ssoenv's shell integration (SSOENV_SHELL is not set)",
            match facts.login_shell {
                Some(kind) => format!("put {}, then open a new shell", load_line(kind)),
                None => "load it from your shell's rc file: see `ssoenv init --help`".to_string(),
            },
        )];
    };
    let Some(marker) = Marker::parse(value) else {
        return vec![Check::fail(
            Area::Shell,
            format!("SSOENV_SHELL is `{value}`, which the shell integration does not write"),
            "unset SSOENV_SHELL and load the integration again (see `ssoenv init --help`)",
        )];
    };
    let shell = marker.shell.name();
    let reload = format!(
        "open a new shell, or load the integration again with {}",
        load_line(marker.shell)
    );
    let mut out = Vec::new();
    let hook = match marker.hook.as_str() {
        "none" => "no prompt hook (`--hook none`): directory profiles and renewal are off".into(),
        mode => format!("prompt hook: {mode}"),
    };
    let loaded = format!(
        "{shell} (PID {}) loaded the integration of ssoenv {}; {hook}",
        marker.pid, marker.version
    );
    if marker.pid == facts.parent_pid {
        out.push(Check::pass(Area::Shell, loaded));
    } else {
        out.push(Check::skip(
            Area::Shell,
            format!(
                "{loaded}, but doctor was started by PID {}: that is an outer shell's \
                 integration, or doctor runs from a script",
                facts.parent_pid
            ),
            Some("run `ssoenv doctor` at the prompt of the shell you mean to check".into()),
        ));
    }
    if marker.version != facts.version {
        out.push(Check::fail(
            Area::Shell,
            format!(
                "the integration in this shell is from ssoenv {}, but this is ssoenv {}",
                marker.version, facts.version
            ),
            reload.clone(),
        ));
    }
    out.extend(binary(&marker, facts, &reload));
    if marker.hook != "none" {
        out.push(prompt_hook(marker.shell, facts.hooks.as_deref()));
    }
    out
}

/// The binary the integration calls: still there, still the same version,
/// and the `ssoenv` that PATH finds.
fn binary(marker: &Marker, facts: &Facts, reload: &str) -> Option<Check> {
    let bin = marker.bin.display();
    let now = facts.hook_bin.as_ref()?;
    let Some(path) = &now.path else {
        return Some(Check::fail(
            Area::Shell,
            format!(
                "the integration calls {bin}, which is gone (it falls back to `ssoenv` on PATH)"
            ),
            reload,
        ));
    };
    if let Some(version) = &now.version
        && *version != marker.version
    {
        return Some(Check::fail(
            Area::Shell,
            format!(
                "{bin} is ssoenv {version} now, but the integration in this shell came from \
                 ssoenv {}",
                marker.version
            ),
            reload,
        ));
    }
    Some(match &facts.on_path {
        None => Check::fail(
            Area::Shell,
            "`ssoenv` is not on PATH: scripts, editors and `command ssoenv` do not find it",
            format!(
                "add {} to PATH",
                path.parent().unwrap_or(Path::new("/")).display()
            ),
        ),
        Some(on_path) if on_path != path => Check::fail(
            Area::Shell,
            format!(
                "the integration calls {bin}, but `ssoenv` on PATH is {}",
                on_path.display()
            ),
            "remove the one you do not use, then open a new shell",
        ),
        Some(_) => Check::pass(Area::Shell, format!("it calls {bin}, the `ssoenv` on PATH")),
    })
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    const BIN: &str = "/usr/local/bin/ssoenv";

    fn facts(marker: Option<&str>) -> Facts {
        Facts {
            marker: marker.map(String::from),
            parent_pid: 4242,
            login_shell: Some(ShellKind::Zsh),
            version: "0.1.0",
            on_path: Some(BIN.into()),
            hook_bin: Some(HookBin {
                path: Some(BIN.into()),
                version: Some("0.1.0".into()),
            }),
            hooks: None,
        }
    }

    fn judged(f: &Facts) -> Vec<(Status, String, Option<String>)> {
        checks(f)
            .into_iter()
            .map(|c| (c.status, c.message, c.fix))
            .collect()
    }

    #[test]
    fn the_marker_reads_back() {
        assert_eq!(
            Marker::parse("fish 7 0.1.0 cd /opt/my tools/ssoenv"),
            Some(Marker {
                shell: ShellKind::Fish,
                pid: 7,
                version: "0.1.0".into(),
                hook: "cd".into(),
                bin: "/opt/my tools/ssoenv".into(),
            })
        );
        for bad in [
            "",
            "bash",
            "tcsh 1 0.1.0 prompt /b",
            "bash x 0.1.0 prompt /b",
            "bash 1 0.1.0 prompt b",
        ] {
            assert_eq!(Marker::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_loaded_integration_passes_and_says_what_it_cannot_see() {
        let got = judged(&facts(Some(&format!("bash 4242 0.1.0 prompt {BIN}"))));
        assert_eq!(
            got[0],
            (
                Status::Pass,
                "bash (PID 4242) loaded the integration of ssoenv 0.1.0; prompt hook: prompt"
                    .into(),
                None
            )
        );
        assert_eq!(
            got[1],
            (
                Status::Pass,
                format!("it calls {BIN}, the `ssoenv` on PATH"),
                None
            )
        );
        // Started without the wrapper: the hooks are not known.
        assert_eq!(got[2].0, Status::Skip);
        assert!(got[2].1.contains("cannot be seen"), "{}", got[2].1);
        assert_eq!(got.len(), 3);
        // No hook: nothing to look for.
        let got = judged(&facts(Some(&format!("zsh 4242 0.1.0 none {BIN}"))));
        assert!(got[0].1.contains("no prompt hook"), "{}", got[0].1);
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn the_prompt_hook_must_be_there_and_first_where_order_counts() {
        let judge = |shell, hooks: &str| {
            let c = prompt_hook(shell, Some(hooks));
            (c.status, c.message)
        };
        use ShellKind::*;
        for (shell, hooks) in [
            (Bash, "__ssoenv_hook;starship_precmd"),
            (Bash, "__ssoenv_hook\n_direnv_hook;"),
            (Zsh, "__ssoenv_hook;_p9k_precmd"),
            (Fish, "__fish_on_interactive;__ssoenv_hook"),
            (Powershell, "$x = $?\ntry { __ssoenv_hook } catch {}"),
        ] {
            assert_eq!(judge(shell, hooks).0, Status::Pass, "{shell:?} {hooks:?}");
        }
        let (status, message) = judge(Bash, "starship_precmd;__ssoenv_hook");
        assert_eq!(status, Status::Fail);
        assert!(
            message.starts_with("starship_precmd runs before"),
            "{message}"
        );
        let (status, message) = judge(Zsh, "_p9k_precmd");
        assert_eq!(status, Status::Fail);
        assert!(message.contains("gone from precmd_functions"), "{message}");
        assert_eq!(judge(Fish, "").0, Status::Fail);
        assert_eq!(judge(Powershell, "'PS> '").0, Status::Fail);
        // A crafted hook name cannot drive the terminal.
        let (_, message) = judge(Bash, "\u{1b}]0;x\u{7};__ssoenv_hook");
        assert!(!message.contains('\u{1b}'), "{message:?}");
    }

    #[test]
    fn missing_inherited_and_stale_integrations() {
        assert_eq!(
            judged(&facts(None)),
            [(
                Status::Fail,
                "this shell has not loaded ssoenv's shell integration (SSOENV_SHELL is not set)"
                    .into(),
                Some("put `eval \"$(ssoenv init zsh)\"` in ~/.zshrc, then open a new shell".into())
            )]
        );
        let inherited = judged(&facts(Some(&format!("bash 1 0.1.0 prompt {BIN}"))));
        assert_eq!(inherited[0].0, Status::Skip);
        assert!(inherited[0].1.contains("doctor was started by PID 4242"));

        let reload = "open a new shell, or load the integration again with \
                      `eval \"$(ssoenv init bash)\"` in ~/.bashrc";
        let mut old = facts(Some(&format!("bash 4242 0.0.9 prompt {BIN}")));
        old.hook_bin.as_mut().unwrap().version = Some("0.0.9".into());
        let failed: Vec<_> = judged(&old)
            .into_iter()
            .filter(|c| c.0 == Status::Fail)
            .collect();
        assert_eq!(
            failed,
            [(
                Status::Fail,
                "the integration in this shell is from ssoenv 0.0.9, but this is ssoenv 0.1.0"
                    .into(),
                Some(reload.into())
            )]
        );
        let mut upgraded = facts(Some(&format!("bash 4242 0.1.0 prompt {BIN}")));
        upgraded.hook_bin.as_mut().unwrap().version = Some("0.2.0".into());
        assert!(judged(&upgraded).contains(&(
            Status::Fail,
            format!("{BIN} is ssoenv 0.2.0 now, but the integration in this shell came from ssoenv 0.1.0"),
            Some(reload.into())
        )));
        let mut gone = facts(Some(&format!("bash 4242 0.1.0 prompt {BIN}")));
        gone.hook_bin = Some(HookBin {
            path: None,
            version: None,
        });
        assert!(judged(&gone)[1].1.contains("which is gone"));
    }

    #[test]
    fn the_binary_must_be_the_one_on_path() {
        let mut f = facts(Some(&format!("fish 4242 0.1.0 prompt {BIN}")));
        f.on_path = Some("/home/u/.cargo/bin/ssoenv".into());
        assert_eq!(
            judged(&f)[1],
            (
                Status::Fail,
                format!(
                    "the integration calls {BIN}, but `ssoenv` on PATH is /home/u/.cargo/bin/ssoenv"
                ),
                Some("remove the one you do not use, then open a new shell".into())
            )
        );
        f.on_path = None;
        assert_eq!(
            judged(&f)[1].2.as_deref(),
            Some("add /usr/local/bin to PATH")
        );
    }
}
