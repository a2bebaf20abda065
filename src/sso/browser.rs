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
    pub macos: bool,
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
            macos: cfg!(target_os = "macos"),
        }
    }

    /// The commands that open a URL: BROWSER (a `:`-separated list in which
    /// `%s` stands for the URL, else the URL goes last), else the
    /// platform's opener where there is a screen to open it on.
    pub fn commands(&self) -> Vec<String> {
        match &self.browser {
            Some(b) => b.split(':').map(str::to_string).collect(),
            None if self.macos => vec!["open".into()],
            None if self.display => vec!["xdg-open".into()],
            None => Vec::new(),
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
        if self.commands().is_empty() {
            return Some("there is no display (DISPLAY, WAYLAND_DISPLAY) and no BROWSER".into());
        }
        None
    }
}

/// Open `url` with the first of `commands` that works. Returns only if none
/// does, with why; a browser that started (or is still running) keeps this
/// pending, since the sign-in then continues there.
pub async fn open(commands: &[String], url: &str) -> String {
    match launch(commands, url).await {
        Ok(()) => match std::future::pending::<Infallible>().await {},
        Err(why) => why,
    }
}

/// Open `url` with the first of `commands` that works: Ok once it has the
/// URL (openers like xdg-open exit then; a browser in the terminal, when it
/// is closed), else why none worked.
pub async fn launch(commands: &[String], url: &str) -> Result<(), String> {
    let mut why = String::from("no browser command to run");
    for command in commands {
        let Some(mut argv) = shell_words::split(command).ok().filter(|a| !a.is_empty()) else {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_comes_back_only_to_this_machine() {
        let desktop = Surroundings {
            display: true,
            ..Default::default()
        };
        assert_eq!(desktop.cannot_come_back(), None);
        assert_eq!(desktop.commands(), vec!["xdg-open"]);
        let mac = Surroundings {
            macos: true,
            ..Default::default()
        };
        assert_eq!(mac.cannot_come_back(), None);
        let headless = Surroundings::default();
        assert!(headless.cannot_come_back().unwrap().contains("no display"));
        let with_browser = Surroundings {
            browser: Some("w3m:lynx".into()),
            ..Default::default()
        };
        assert_eq!(with_browser.cannot_come_back(), None);
        assert_eq!(with_browser.commands(), vec!["w3m", "lynx"]);
        let ssh = Surroundings {
            ssh: Some("SSH_CONNECTION"),
            display: true,
            ..Default::default()
        };
        assert!(ssh.cannot_come_back().unwrap().contains("SSH session"));
    }

    #[cfg(unix)] // `false` is a Unix program
    #[tokio::test]
    async fn reports_why_no_browser_started() {
        let why = open(&["/nonexistent/browser".into()], "http://x").await;
        assert!(why.contains("did not start"), "{why}");
        let why = open(&["false".into()], "http://x").await;
        assert!(why.contains("failed"), "{why}");
        let why = open(&[], "http://x").await;
        assert!(why.contains("no browser"), "{why}");
    }
}
