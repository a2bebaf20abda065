//! What a sign-in shows while it waits for the user: on a terminal one live
//! line (`waiting for approval… 9:41 left, Ctrl-C to cancel`), redrawn every
//! second and cleared when the wait ends; without a terminal, with NO_COLOR
//! or on a dumb one, plain lines: one at the start and one a minute.

use std::convert::Infallible;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use tokio::time::Instant;

pub struct Countdown {
    what: &'static str,
    deadline: Instant,
    live: bool,
}

impl Countdown {
    /// `what` is waited for: "approval", "the browser".
    pub fn new(what: &'static str, deadline: Instant) -> Countdown {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Countdown {
            what,
            deadline,
            live: std::io::stderr().is_terminal() && !dumb && !no_color,
        }
    }

    /// Shows the wait until dropped.
    pub async fn run(&self) -> Infallible {
        let mut shown_minute = None;
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if self.live {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[Kssoenv: {}", live_line(self.what, left));
                let _ = err.flush();
            } else {
                // At the start, then at each whole minute left (9:00, 8:00, … 1:00).
                let minute = whole_seconds(left) / 60;
                let first = shown_minute.is_none();
                if first || (shown_minute != Some(minute) && minute > 0) {
                    crate::say!("{}", plain_line(self.what, left, first));
                    shown_minute = Some(minute);
                }
            }
            // Wake at the next whole second of the time left, so the
            // display ticks evenly.
            let fraction = left.subsec_nanos();
            let next = match fraction {
                0 => Duration::from_secs(1),
                n => Duration::from_nanos(u64::from(n)),
            };
            tokio::time::sleep(next).await;
        }
    }
}

impl Drop for Countdown {
    fn drop(&mut self) {
        if self.live {
            // Clears the live line: our own escape, nothing from outside.
            #[allow(clippy::disallowed_macros)]
            {
                eprint!("\r\x1b[K");
            }
        }
    }
}

/// "waiting for approval… 9:41 left, Ctrl-C to cancel"
fn live_line(what: &str, left: Duration) -> String {
    format!("waiting for {what}… {} left, Ctrl-C to cancel", clock(left))
}

/// "waiting for approval (10:00 left, Ctrl-C to cancel)", then
/// "still waiting for approval (9:00 left)".
fn plain_line(what: &str, left: Duration, first: bool) -> String {
    match first {
        true => format!(
            "waiting for {what} ({} left, Ctrl-C to cancel)",
            clock(left)
        ),
        false => format!("still waiting for {what} ({} left)", clock(left)),
    }
}

/// "9:41": minutes and seconds, rounded up so that 0:00 means the end.
pub fn clock(d: Duration) -> String {
    let secs = whole_seconds(d);
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(clock(Duration::from_secs(581)), "9:41");
        assert_eq!(clock(Duration::from_millis(600_000)), "10:00");
        assert_eq!(clock(Duration::from_millis(59_100)), "1:00");
        assert_eq!(clock(Duration::ZERO), "0:00");
        assert_eq!(
            live_line("approval", Duration::from_secs(581)),
            "waiting for approval… 9:41 left, Ctrl-C to cancel"
        );
        assert_eq!(
            plain_line("the browser", Duration::from_secs(600), true),
            "waiting for the browser (10:00 left, Ctrl-C to cancel)"
        );
        assert_eq!(
            plain_line("approval", Duration::from_secs(540), false),
            "still waiting for approval (9:00 left)"
        );
    }
}
