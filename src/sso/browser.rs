//! The user's web browser: whether one on this machine could come back to a
//! loopback address, and opening it at a URL.

use std::convert::Infallible;
use std::process::Stdio;

use tokio::process::Command;

/// What decides whether a browser can be used, read once from the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surroundings {
    /// The variable that shows this is an SSH session, when it is one.
    pub ssh: Option<&'static str>,
    /// BROWSER, when set and not empty.
    pub browser: Option<String>,
    /// A graphical session: DISPLAY or WAYLAND_DISPLAY is set.
    pub display: bool,
    /// macOS or Windows, whose users always have a desktop and an opener.
    pub desktop_os: bool,
    /// Windows, where BROWSER is `;`-separated and paths hold backslashes.
    pub windows: bool,
}

/// How a URL is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opener {
    /// The commands BROWSER names, tried in order, and whether they are
    /// Windows command lines.
    Commands { entries: Vec<String>, windows: bool },
    /// The desktop's own opener ([`crate::platform::open_url`]).
    Desktop,
}

impl Surroundings {
    pub fn from_env() -> Surroundings {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        Surroundings {
            ssh: ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"]
                .into_iter()
                .find(|v| set(v)),
            browser: std::env::var("BROWSER").ok().filter(|b| !b.is_empty()),
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            desktop_os: cfg!(any(target_os = "macos", windows)),
            windows: cfg!(windows),
        }
    }

    /// How a URL is opened here: BROWSER (a list separated as PATH is, in
    /// which `%s` stands for the URL, else the URL goes last, as Python's
    /// webbrowser reads it), else the desktop's opener where there is a
    /// desktop; None where nothing can open one.
    pub fn opener(&self) -> Option<Opener> {
        match &self.browser {
            Some(b) => {
                let separator = if self.windows { ';' } else { ':' };
                let commands = b.split(separator).filter(|c| !c.trim().is_empty());
                Some(Opener::Commands {
                    entries: commands.map(str::to_string).collect(),
                    windows: self.windows,
                })
            }
            None if self.display || self.desktop_os => Some(Opener::Desktop),
            None => None,
        }
    }

    /// Why a browser here could not finish a sign-in that returns to
    /// 127.0.0.1 on this machine, if it could not.
    pub fn cannot_come_back(&self) -> Option<String> {
        if let Some(var) = self.ssh {
            return Some(format!(
                "this is an SSH session ({var} is set): a browser on your own computer cannot \
                 come back to 127.0.0.1 here"
            ));
        }
        if self.opener().is_none() {
            return Some("there is no display (DISPLAY, WAYLAND_DISPLAY) and no BROWSER".into());
        }
        None
    }
}

/// Open `url` with `opener`. Returns only if it cannot, with why; a browser
/// that started (or is still running) keeps this pending, since the sign-in
/// then continues there.
pub async fn open(opener: Option<&Opener>, url: &str) -> String {
    match launch(opener, url).await {
        Ok(()) => match std::future::pending::<Infallible>().await {},
        Err(why) => why,
    }
}

/// Open `url` with `opener`: Ok once the browser has the URL (openers like
/// xdg-open exit then; a browser in the terminal, when it is closed), else
/// why it could not. Only web addresses are opened: the URL comes from a
/// server, and an opener handed a path or another scheme would run or open
/// something on this machine instead.
pub async fn launch(opener: Option<&Opener>, url: &str) -> Result<(), String> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("https" | "http")) {
        return Err("the URL is not a web address".into());
    }
    let (commands, windows) = match opener {
        None => return Err("no browser command to run".into()),
        Some(Opener::Desktop) => {
            return crate::platform::open_url(url)
                .await
                .map_err(|e| format!("the desktop's opener failed: {e}"));
        }
        Some(Opener::Commands { entries, windows }) => (entries, *windows),
    };
    let mut why = String::from("no browser command to run");
    for command in commands {
        let Some(mut argv) = split_command(command, windows).filter(|a| !a.is_empty()) else {
            why = format!("cannot parse BROWSER entry `{command}`");
            continue;
        };
        match argv.iter().any(|a| a.contains("%s")) {
            true => argv.iter_mut().for_each(|a| *a = a.replace("%s", url)),
            false => argv.push(url.to_string()),
        }
        let spawned = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                why = format!("`{}` did not start: {e}", argv[0]);
                crate::trace!("{why}");
                continue;
            }
        };
        crate::trace!("opened the browser with {}", argv[0]);
        match child.wait().await {
            Ok(status) if status.success() => return Ok(()),
            Ok(status) => why = format!("`{}` failed ({status})", argv[0]),
            Err(e) => why = format!("`{}` failed: {e}", argv[0]),
        }
        crate::trace!("{why}");
    }
    Err(why)
}

/// One BROWSER entry as a program and its arguments. On Unix by the shell's
/// rules, as Python's webbrowser splits it; on Windows by the rules its C
/// runtime uses for a command line, where a backslash is a path separator
/// (only `\"` is a quote inside an argument) and a program's path holds
/// spaces unless quoted: `"C:\Program Files\Firefox\firefox.exe" %s`.
fn split_command(command: &str, windows: bool) -> Option<Vec<String>> {
    if !windows {
        return shell_words::split(command).ok();
    }
    let mut argv = Vec::new();
    let (mut word, mut in_word, mut quoted) = (String::new(), false, false);
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'"') => {
                word.push('"');
                chars.next();
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    argv.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quoted {
        return None;
    }
    if in_word {
        argv.push(word);
    }
    Some(argv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(list: &[&str]) -> Option<Opener> {
        Some(Opener::Commands {
            entries: list.iter().map(|c| c.to_string()).collect(),
            windows: false,
        })
    }

    #[test]
    fn a_browser_comes_back_only_to_this_machine() {
        let desktop = Surroundings {
            display: true,
            ..Default::default()
        };
        assert_eq!(desktop.cannot_come_back(), None);
        assert_eq!(desktop.opener(), Some(Opener::Desktop));
        for os in [false, true] {
            let mac_or_windows = Surroundings {
                desktop_os: true,
                windows: os,
                ..Default::default()
            };
            assert_eq!(mac_or_windows.cannot_come_back(), None);
            assert_eq!(mac_or_windows.opener(), Some(Opener::Desktop));
        }
        let headless = Surroundings::default();
        assert_eq!(headless.opener(), None);
        assert!(headless.cannot_come_back().unwrap().contains("no display"));
        let with_browser = Surroundings {
            browser: Some("w3m:lynx".into()),
            ..Default::default()
        };
        assert_eq!(with_browser.cannot_come_back(), None);
        assert_eq!(with_browser.opener(), commands(&["w3m", "lynx"]));
        let ssh = Surroundings {
            ssh: Some("SSH_CONNECTION"),
            display: true,
            ..Default::default()
        };
        assert!(ssh.cannot_come_back().unwrap().contains("SSH session"));
    }

    #[test]
    fn browser_on_windows_is_a_list_of_windows_command_lines() {
        let windows = Surroundings {
            browser: Some(
                r#"C:\Tools\w3m.exe;"C:\Program Files\Firefox\firefox.exe" -new-tab %s"#.into(),
            ),
            desktop_os: true,
            windows: true,
            ..Default::default()
        };
        let Some(Opener::Commands {
            entries: list,
            windows: true,
        }) = windows.opener()
        else {
            panic!("{:?}", windows.opener());
        };
        assert_eq!(list.len(), 2, "{list:?}");
        assert_eq!(
            split_command(&list[0], true).unwrap(),
            [r"C:\Tools\w3m.exe"]
        );
        assert_eq!(
            split_command(&list[1], true).unwrap(),
            [r"C:\Program Files\Firefox\firefox.exe", "-new-tab", "%s"]
        );
        assert_eq!(
            split_command(r#"echo say\"hi\" "two words""#, true).unwrap(),
            ["echo", r#"say"hi""#, "two words"]
        );
        assert_eq!(split_command(r#""unclosed"#, true), None);
        // The same entry read by Unix rules loses its backslashes.
        assert_eq!(
            split_command(r"C:\Tools\w3m.exe", false).unwrap(),
            ["C:Toolsw3m.exe"]
        );
    }

    #[tokio::test]
    async fn only_web_addresses_are_opened() {
        for url in [
            "file:///etc/passwd",
            "C:\\Windows\\System32\\calc.exe",
            "javascript:x",
        ] {
            let why = launch(Some(&Opener::Desktop), url).await.unwrap_err();
            assert!(why.contains("not a web address"), "{url}: {why}");
            let why = launch(commands(&["/nonexistent/browser"]).as_ref(), url)
                .await
                .unwrap_err();
            assert!(why.contains("not a web address"), "{url}: {why}");
        }
    }

    #[cfg(unix)] // `false` is a Unix program
    #[tokio::test]
    async fn reports_why_no_browser_started() {
        let why = open(commands(&["/nonexistent/browser"]).as_ref(), "http://x").await;
        assert!(why.contains("did not start"), "{why}");
        let why = open(commands(&["false"]).as_ref(), "http://x").await;
        assert!(why.contains("failed"), "{why}");
        let why = open(None, "http://x").await;
        assert!(why.contains("no browser"), "{why}");
        let why = open(commands(&["'unclosed"]).as_ref(), "http://x").await;
        assert!(why.contains("cannot parse"), "{why}");
    }
}
