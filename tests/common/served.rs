//! `ssoenv serve`, running for a test: the endpoint and token it printed,
//! raw GETs of it (or of any loopback endpoint), and a stop as Ctrl-C
//! would stop it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::bounded::{BOUND, BoundedChild};
use super::{Env, stderr};

/// How long a request may go unanswered before the test fails instead of
/// hanging: far longer than any answer takes.
pub const ANSWER_BOUND: Duration = Duration::from_secs(60);

/// A GET of `url` with this Authorization header: status and body.
pub fn get_text(url: &str, token: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(ANSWER_BOUND)).unwrap();
    let auth = token
        .map(|t| format!("Authorization: {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response[response.find("\r\n\r\n").unwrap() + 4..].to_string();
    (status, body)
}

/// [`get_text`], the body read as JSON.
pub fn get(url: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let (status, body) = get_text(url, token);
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    (status, json)
}

/// NAME and value of an assignment as bash and zsh, fish or PowerShell
/// print it, for values that need no quote inside their quotes.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let (name, value) = if let Some(rest) = line.strip_prefix("export ") {
        rest.split_once('=')?
    } else if let Some(rest) = line.strip_prefix("set -gx ") {
        rest.split_once(' ')?
    } else {
        line.strip_prefix("$Env:")?.split_once(" = ")?
    };
    Some((name, value.trim_matches('\'')))
}

/// `ssoenv serve`, running, with the variables it printed.
pub struct Served {
    child: Child,
    pub url: String,
    pub token: String,
    pub printed: String,
}

impl Served {
    /// `ssoenv serve PROFILE`.
    pub fn start(env: &Env, profile: &str) -> Served {
        Self::spawn(&mut env.cmd(&["serve", profile]))
    }

    /// `cmd` is a `serve` command. A serve that prints no token within
    /// [`BOUND`] is killed and fails the test with what it said.
    pub fn spawn(cmd: &mut Command) -> Served {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        // The token comes last.
        let (mut url, mut token, mut printed) = (None, None, String::new());
        while token.is_none() {
            let line = match lines.recv_timeout(BOUND) {
                Ok(line) => line.unwrap(),
                Err(waited) => {
                    let _ = child.kill();
                    let out = child.bounded_wait_with_output().unwrap();
                    panic!(
                        "serve printed no token ({waited}); stdout:\n{printed}\nstderr:\n{}",
                        stderr(&out)
                    );
                }
            };
            match assignment(&line) {
                Some(("AWS_CONTAINER_CREDENTIALS_FULL_URI", value)) => url = Some(value.into()),
                Some(("AWS_CONTAINER_AUTHORIZATION_TOKEN", value)) => token = Some(value.into()),
                _ => {}
            }
            printed.push_str(&line);
            printed.push('\n');
        }
        Served {
            child,
            url: url.expect("the URI comes before the token"),
            token: token.unwrap(),
            printed,
        }
    }

    /// A GET of the endpoint with the token.
    pub fn get(&self) -> (u16, serde_json::Value) {
        get(&self.url, Some(&self.token))
    }

    /// Stop it as Ctrl-C would, and require a clean exit; returns its stderr.
    #[cfg(unix)]
    pub fn stop(self) -> String {
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let out = self.child.bounded_wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    }

    /// Stop it (a console control event cannot be sent to one process
    /// alone, so it is ended); returns its stderr.
    #[cfg(windows)]
    pub fn stop(mut self) -> String {
        self.child.kill().unwrap();
        stderr(&self.child.bounded_wait_with_output().unwrap())
    }
}
