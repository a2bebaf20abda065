//! Interactive bash, zsh and fish on a pseudo-terminal, driven line by line.
//!
//! What the shell writes is read into a small line screen: `\r` goes back to
//! column 0 and later text overwrites (fish redraws its command line that
//! way), `\n` ends the line, escape sequences are dropped (erase-to-end-of-line
//! is honoured). The shell sits at a prompt when the unfinished line ends in
//! [`PROMPT`]; the first finished line after typing is the echo of the input.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Env;

/// Every test prompt ends in this; tests that put more into the prompt keep it last.
pub const PROMPT: &str = "=P=> ";
/// Wide enough that no typed line wraps: readline and fish then never scroll
/// or move the cursor up.
const COLUMNS: u16 = 1000;
/// How long one expectation may take: generous, tests share two cores.
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sh {
    Bash,
    Zsh,
    Fish,
}

impl Sh {
    pub fn from_name(name: &str) -> Sh {
        match name {
            "bash" => Sh::Bash,
            "zsh" => Sh::Zsh,
            "fish" => Sh::Fish,
            _ => panic!("unknown shell {name}"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sh::Bash => "bash",
            Sh::Zsh => "zsh",
            Sh::Fish => "fish",
        }
    }

    /// Where the shell is; fails the test if it is not installed.
    pub fn require(self) -> PathBuf {
        super::require(self.name())
    }

    /// The line the README tells users to put in their rc file, with extra
    /// `ssoenv init` arguments (e.g. `--cmd sso`).
    pub fn init_line(self, args: &str) -> String {
        let args = if args.is_empty() {
            String::new()
        } else {
            format!(" {args}")
        };
        match self {
            Sh::Bash => format!("eval \"$(ssoenv init bash{args})\""),
            Sh::Zsh => format!("eval \"$(ssoenv init zsh{args})\""),
            Sh::Fish => format!("ssoenv init fish{args} | source"),
        }
    }

    /// `NAME=VALUE` exported, in this shell's syntax (VALUE must not contain `'`).
    pub fn export(self, name: &str, value: &str) -> String {
        assert!(!value.contains('\''));
        match self {
            Sh::Bash | Sh::Zsh => format!("export {name}='{value}'"),
            Sh::Fish => format!("set -gx {name} '{value}'"),
        }
    }

    /// A command printing `set` or `unset` for a shell variable (exported or not).
    pub fn is_set(self, name: &str) -> String {
        match self {
            Sh::Bash | Sh::Zsh => {
                format!("if [ -n \"${{{name}+x}}\" ]; then echo set; else echo unset; fi")
            }
            Sh::Fish => format!("if set -q {name}; echo set; else; echo unset; end"),
        }
    }

    /// The last command's exit status.
    pub fn status(self) -> &'static str {
        match self {
            Sh::Bash | Sh::Zsh => "$?",
            Sh::Fish => "$status",
        }
    }

    /// Harness settings that go before the test's own rc text: a fixed prompt
    /// and no terminal niceties.
    fn preamble(self) -> &'static str {
        match self {
            Sh::Bash => {
                "PS1='=P=> '\n\
                 PS2='> '\n\
                 HISTFILE=/dev/null\n\
                 bind 'set enable-bracketed-paste off' 2>/dev/null\n\
                 unset command_not_found_handle\n"
            }
            Sh::Zsh => {
                "PS1='=P=> '\n\
                 PS2='> '\n\
                 RPS1=''\n\
                 HISTFILE=/dev/null\n\
                 unset zle_bracketed_paste\n\
                 setopt no_prompt_cr no_prompt_sp\n"
            }
            Sh::Fish => {
                "set -g fish_greeting ''\n\
                 set -g fish_autosuggestion_enabled 0\n\
                 set -g fish_history ''\n\
                 function fish_prompt; echo -n '=P=> '; end\n\
                 function fish_right_prompt; end\n\
                 function fish_title; end\n"
            }
        }
    }

    /// The interactive rc file: `~/.bashrc`, `~/.zshrc`, `~/.config/fish/config.fish`.
    fn rc_path(self, home: &Path) -> PathBuf {
        match self {
            Sh::Bash => home.join(".bashrc"),
            Sh::Zsh => home.join(".zshrc"),
            Sh::Fish => home.join(".config/fish/config.fish"),
        }
    }
}

/// bash on a pseudo-terminal with `rc`, signed in, with the `mfa` profile
/// of [`Env::write_config_with_mfa`].
pub fn bash_with_mfa(rc: &str) -> (Env, Pty) {
    let sh = Sh::from_name("bash");
    sh.require();
    let env = Env::new();
    env.write_config_with_mfa();
    env.login();
    let pty = Pty::spawn(&env, sh, rc);
    (env, pty)
}

/// An interactive shell on a pseudo-terminal.
pub struct Pty {
    sh: Sh,
    master: File,
    child: Child,
    screen: Screen,
    seq: u32,
    log: String,
    prompt: String,
    exited: bool,
}

impl Pty {
    /// Start `sh` interactively with `rc` (after the harness preamble) as its
    /// rc file, and wait for the first prompt.
    pub fn spawn(env: &Env, sh: Sh, rc: &str) -> Pty {
        Self::spawn_with(env, sh, rc, &[])
    }

    /// Like [`Pty::spawn`], with extra environment variables for the shell.
    pub fn spawn_with(env: &Env, sh: Sh, rc: &str, vars: &[(&str, &str)]) -> Pty {
        let rc_path = sh.rc_path(env.home());
        std::fs::create_dir_all(rc_path.parent().unwrap()).unwrap();
        std::fs::write(&rc_path, format!("{}{rc}\n", sh.preamble())).unwrap();

        let shell_path = sh.require();
        let mut cmd = env.command(&shell_path);
        cmd.arg("-i").env("SHELL", &shell_path);
        for (name, value) in vars {
            cmd.env(name, value);
        }
        Self::start(sh, cmd, PROMPT)
    }

    /// Run `cmd`, which ends up in an interactive `sh` of its own making
    /// (such as `ssoenv sandbox`), on a pseudo-terminal, and wait for the
    /// first prompt: a line ending in `prompt_end`.
    pub fn start(sh: Sh, mut cmd: Command, prompt_end: &str) -> Pty {
        let (master, slave) = open_pty();
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        drop(cmd); // closes our copies of the slave side
        let mut pty = Pty {
            sh,
            master: File::from(master),
            child,
            screen: Screen {
                prompt_end: prompt_end.trim_end().to_string(),
                ..Screen::default()
            },
            seq: 0,
            log: String::new(),
            prompt: String::new(),
            exited: false,
        };
        pty.wait_for("the first prompt", |s| s.at_prompt());
        let startup = pty.screen.lines.join("\n");
        pty.note(&startup);
        pty.prompt = pty.screen.current().trim_end().to_string();
        pty
    }

    pub fn sh(&self) -> Sh {
        self.sh
    }

    /// Type `line` and Enter, without waiting.
    pub fn send_line(&mut self, line: &str) {
        assert!(!line.contains('\n'), "one line at a time: {line:?}");
        self.master
            .write_all(format!("{line}\r").as_bytes())
            .unwrap();
    }

    /// Press Ctrl-C, and wait for the shell's next prompt.
    pub fn interrupt(&mut self) {
        self.master.write_all(b"\x03").unwrap();
        self.wait_for("the prompt after Ctrl-C", |s| s.at_prompt());
        self.prompt = self.screen.current().trim_end().to_string();
    }

    /// Type `line`, wait for the next prompt and return everything the shell
    /// printed in between (the command's output and whatever the prompt hook
    /// printed), without the echoed input. This is also added to [`Pty::log`].
    pub fn command(&mut self, line: &str) -> String {
        let lines = self.command_lines(line);
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        self.note(&text);
        text
    }

    /// Run `cmd` between two markers and return only what it printed (stdout
    /// and stderr; `\n` after each complete line). What the prompt hook prints
    /// afterwards goes to [`Pty::log`] with the output.
    pub fn run(&mut self, cmd: &str) -> String {
        self.seq += 1;
        let n = self.seq;
        // The echoed input shows `'@@%s@@\n' B1`, the output `@@B1@@`.
        let (begin, end) = (format!("@@B{n}@@"), format!("@@E{n}@@"));
        let line = format!("printf '@@%s@@\\n' B{n}; {cmd}; printf '@@%s@@\\n' E{n}");
        let lines = self.command_lines(&line);
        let b = lines.iter().position(|l| l.ends_with(&begin));
        let e = lines.iter().position(|l| l.ends_with(&end));
        let (Some(b), Some(e)) = (b, e) else {
            panic!(
                "{}: no output markers for `{cmd}`\n{}",
                self.sh.name(),
                self.transcript()
            );
        };
        let mut out: String = lines[b + 1..e].iter().map(|l| format!("{l}\n")).collect();
        out.push_str(&lines[e][..lines[e].len() - end.len()]);
        let mut log = lines[..b].join("\n");
        log.push_str(&out);
        if !out.is_empty() && !out.ends_with('\n') {
            log.push('\n');
        }
        for l in &lines[e + 1..] {
            log.push_str(l);
            log.push('\n');
        }
        self.note(&log);
        out
    }

    /// [`Pty::run`] and trim the output.
    pub fn get(&mut self, cmd: &str) -> String {
        self.run(cmd).trim().to_string()
    }

    /// The prompt line the shell showed last, trailing blanks trimmed (e.g.
    /// `[dev]=P=>` when the test's prompt shows a segment before [`PROMPT`]).
    pub fn prompt_line(&self) -> &str {
        &self.prompt
    }

    /// Everything the shell printed so far apart from echoed input, markers and
    /// prompts: command output and prompt-hook output.
    pub fn log(&self) -> &str {
        &self.log
    }

    /// [`Pty::log`], and start a new one.
    pub fn take_log(&mut self) -> String {
        std::mem::take(&mut self.log)
    }

    /// Wait until the screen contains `needle` in a line that arrived after the
    /// last prompt (or in the current line).
    pub fn expect(&mut self, needle: &str) {
        let from = self.screen.lines.len();
        self.wait_for(&format!("{needle:?}"), |s| {
            s.lines[from..].iter().any(|l| l.contains(needle)) || s.current().contains(needle)
        });
    }

    /// The whole screen so far, for failure messages.
    pub fn transcript(&self) -> String {
        let mut t = self.screen.lines.join("\n");
        t.push('\n');
        t.push_str(&self.screen.current());
        format!("--- {} transcript ---\n{t}\n--- end ---", self.sh.name())
    }

    fn note(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.log.push_str(text);
            if !text.ends_with('\n') {
                self.log.push('\n');
            }
        }
    }

    /// Send `line` and wait for the next prompt; the finished lines in between,
    /// without the echo of the input.
    fn command_lines(&mut self, line: &str) -> Vec<String> {
        let start = self.screen.lines.len();
        self.send_line(line);
        self.wait_for(&format!("the prompt after `{line}`"), |s| {
            s.lines.len() > start && s.at_prompt()
        });
        self.prompt = self.screen.current().trim_end().to_string();
        self.screen.lines[start + 1..].to_vec()
    }

    fn wait_for(&mut self, what: &str, done: impl Fn(&Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if done(&self.screen) {
                return;
            }
            if self.exited {
                let status = self.child.wait().unwrap();
                panic!(
                    "{} exited ({status}) while waiting for {what}\n{}",
                    self.sh.name(),
                    self.transcript()
                );
            }
            let now = Instant::now();
            if now >= deadline {
                panic!(
                    "{}: timed out after {TIMEOUT:?} waiting for {what}\n{}",
                    self.sh.name(),
                    self.transcript()
                );
            }
            self.read(deadline - now);
        }
    }

    /// Read what is available within `wait`.
    fn read(&mut self, wait: Duration) {
        let mut fds = libc::pollfd {
            fd: self.master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis().clamp(1, 1000) as libc::c_int;
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut fds, 1, ms) };
        if n <= 0 {
            return;
        }
        let mut buf = [0u8; 65536];
        match self.master.read(&mut buf) {
            Ok(0) => self.exited = true,
            Ok(n) => self.screen.feed(&buf[..n]),
            // EIO: every slave descriptor is closed, the shell is gone.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => self.exited = true,
        }
    }
}

impl Drop for Pty {
    #[allow(clippy::disallowed_macros)] // the test's own diagnostics
    fn drop(&mut self) {
        // `PTY_TRANSCRIPT=1 cargo test … -- --nocapture` shows every session.
        if std::env::var_os("PTY_TRANSCRIPT").is_some() {
            eprintln!("{}", self.transcript());
        }
        // Closing the master hangs the terminal up; the shell gets SIGHUP and
        // passes it on to its jobs. Then make sure of the shell itself.
        let master = std::mem::replace(&mut self.master, File::open("/dev/null").unwrap());
        drop(master);
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signalling our own child, not yet reaped.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// A new pseudo-terminal, both ends close-on-exec, COLUMNS wide.
fn open_pty() -> (OwnedFd, OwnedFd) {
    // SAFETY: plain libc calls on descriptors we own; results checked.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(m >= 0, "posix_openpt: {}", std::io::Error::last_os_error());
        let master = OwnedFd::from_raw_fd(m);
        assert_eq!(libc::grantpt(m), 0, "grantpt");
        assert_eq!(libc::unlockpt(m), 0, "unlockpt");
        let mut name = [0 as libc::c_char; 256];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(s >= 0, "open slave: {}", std::io::Error::last_os_error());
        let slave = OwnedFd::from_raw_fd(s);
        let size = libc::winsize {
            ws_row: 50,
            ws_col: COLUMNS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        assert_eq!(libc::ioctl(m, libc::TIOCSWINSZ, &size), 0, "TIOCSWINSZ");
        (master, slave)
    }
}

/// Finished lines plus the line the cursor is on.
#[derive(Default)]
struct Screen {
    lines: Vec<String>,
    line: Vec<char>,
    col: usize,
    /// An escape or UTF-8 sequence cut off at the end of the last read.
    pending: Vec<u8>,
    /// How the shell's prompt ends ([`PROMPT`], trimmed, for the harness's own).
    prompt_end: String,
}

impl Screen {
    fn current(&self) -> String {
        self.line.iter().collect()
    }

    fn at_prompt(&self) -> bool {
        self.current().trim_end().ends_with(&self.prompt_end)
    }

    fn feed(&mut self, bytes: &[u8]) {
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(bytes);
        let mut i = 0;
        while i < data.len() {
            let rest = &data[i..];
            let used = match rest[0] {
                0x1b => match self.escape(rest) {
                    Some(n) => n,
                    None => break,
                },
                b'\r' => {
                    self.col = 0;
                    1
                }
                b'\n' => {
                    let line: String = self.line.drain(..).collect();
                    self.lines.push(line.trim_end().to_string());
                    self.col = 0;
                    1
                }
                0x08 => {
                    self.col = self.col.saturating_sub(1);
                    1
                }
                b'\t' => {
                    self.put('\t');
                    1
                }
                0..0x20 | 0x7f => 1,
                lead => {
                    let len = match lead {
                        0xc0..0xe0 => 2,
                        0xe0..0xf0 => 3,
                        0xf0..0xf8 => 4,
                        _ => 1,
                    };
                    if rest.len() < len {
                        break;
                    }
                    match std::str::from_utf8(&rest[..len]) {
                        Ok(s) => {
                            self.put(s.chars().next().unwrap());
                            len
                        }
                        Err(_) => {
                            self.put('\u{fffd}');
                            1
                        }
                    }
                }
            };
            i += used;
        }
        self.pending = data[i..].to_vec();
    }

    /// Length of the escape sequence at the start of `s`, None if incomplete.
    fn escape(&mut self, s: &[u8]) -> Option<usize> {
        match *s.get(1)? {
            b'[' => {
                let end = s[2..].iter().position(|b| (0x40..=0x7e).contains(b))? + 2;
                let params = &s[2..end];
                if s[end] == b'K' && (params.is_empty() || params == b"0") {
                    self.line.truncate(self.col);
                }
                Some(end + 1)
            }
            b']' => {
                let body = &s[2..];
                let bel = body.iter().position(|&b| b == 0x07).map(|p| p + 3);
                let st = body.windows(2).position(|w| w == b"\x1b\\").map(|p| p + 4);
                match (bel, st) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            }
            b'(' | b')' | b'#' => s.get(2).map(|_| 3),
            _ => Some(2),
        }
    }

    fn put(&mut self, c: char) {
        if self.col < self.line.len() {
            self.line[self.col] = c;
        } else {
            self.line.resize(self.col, ' ');
            self.line.push(c);
        }
        self.col += 1;
    }
}
