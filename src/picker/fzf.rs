//! `SSOENV_PICKER=fzf`: the same choice made in fzf, for people who have it
//! set up the way they like (FZF_DEFAULT_OPTS applies). The lines go to
//! fzf's stdin, numbered; fzf draws on and reads keys from /dev/tty; the
//! chosen line comes back on its stdout, which is a pipe to us, never the
//! stdout the shell wrapper captures.

use std::io::{self, Write};
use std::process::{Command, Stdio};

/// fzf's exit status when nothing matched the query.
const NO_MATCH: i32 = 1;
/// fzf's exit status after Esc or Ctrl-C.
const INTERRUPTED: i32 = 130;

/// Each entry of `lines` is `KIND\tTEXT`. Returns the index of the chosen
/// line, None when the user left fzf without a choice; an error of kind
/// NotFound when fzf is not installed.
pub fn run(prompt: &str, lines: &[String]) -> io::Result<Option<usize>> {
    let mut child = Command::new("fzf")
        .args([
            "--height=40%",
            "--layout=reverse",
            "--no-multi",
            "--delimiter=\t",
            // Show KIND and TEXT, not the number; match only TEXT.
            "--with-nth=2..",
            "--nth=2..",
            // Equal matches keep our order, which is the frecency order.
            "--tiebreak=index",
            "--prompt",
            prompt,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut input = String::new();
    for (i, line) in lines.iter().enumerate() {
        input.push_str(&format!("{i}\t{line}\n"));
    }
    let mut stdin = child.stdin.take().expect("stdin is piped");
    match stdin.write_all(input.as_bytes()) {
        // The user may leave before fzf has read everything.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => return Err(e),
        _ => {}
    }
    drop(stdin);
    let out = child.wait_with_output()?;
    match out.status.code() {
        Some(0) => {}
        Some(NO_MATCH | INTERRUPTED) => return Ok(None),
        _ => return Err(io::Error::other(format!("fzf failed ({})", out.status))),
    }
    let chosen = String::from_utf8_lossy(&out.stdout);
    chosen
        .split('\t')
        .next()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|&i| i < lines.len())
        .map(Some)
        .ok_or_else(|| io::Error::other(format!("unexpected output from fzf: {chosen:?}")))
}
