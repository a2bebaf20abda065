//! What a sign-in shows while it waits for the user: on a terminal one live
//! line (`waiting for approval… 9:41 left, Ctrl-C to cancel`), redrawn every
//! second and cleared when the wait ends; without a terminal, with NO_COLOR
//! or on a dumb one, plain lines: one at the start and one a minute.

use std::convert::Infallible;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use tokio::time::Instant;

use crate::timestamp::{clock, whole_seconds};

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
        let mut plain = PlainLines::default();
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if self.live {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[Kssoenv: {}", live_line(self.what, left));
                let _ = err.flush();
            } else if let Some(line) = plain.due(self.what, left) {
                crate::say!("{line}");
            }
            tokio::time::sleep(until_next_second(left)).await;
        }
    }
}

/// How long to sleep for the time left to reach its next whole second, so
/// the display ticks evenly.
fn until_next_second(left: Duration) -> Duration {
    match left.subsec_nanos() {
        0 => Duration::from_secs(1),
        n => Duration::from_nanos(u64::from(n)),
    }
}

/// The plain lines: one at the start, then one each time the time left
/// reaches a whole minute (9:00, 8:00, … 1:00).
#[derive(Default)]
struct PlainLines {
    /// The minutes left, rounded up, when the last line was printed.
    shown: Option<u64>,
}

impl PlainLines {
    /// The line to print with `left` remaining, if one is due.
    fn due(&mut self, what: &str, left: Duration) -> Option<String> {
        // Rounded up, as the clock is: 10 from 10:00 down to 9:01, and 9 from
        // 9:00, so a new count is exactly a whole minute left. Rounding down
        // made the count change at 9:59, a second into the wait.
        let minutes = whole_seconds(left).div_ceil(60);
        let first = match self.shown {
            None => true,
            Some(shown) if minutes < shown && minutes > 0 => false,
            Some(_) => return None,
        };
        self.shown = Some(minutes);
        Some(plain_line(what, left, first))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
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

    /// The plain lines over a whole wait, its time left advanced as `run`
    /// advances it: each wake a little late, as timers are.
    fn plain_lines_over(start: Duration) -> Vec<String> {
        let late = Duration::from_millis(3);
        let mut plain = PlainLines::default();
        let mut lines = Vec::new();
        let mut left = start;
        while !left.is_zero() {
            lines.extend(plain.due("approval", left));
            left = left.saturating_sub(until_next_second(left) + late);
        }
        lines
    }

    #[test]
    fn plain_lines_fall_on_whole_minutes_left() {
        // The first look at the clock comes a moment after the deadline was set.
        let lines = plain_lines_over(Duration::from_secs(600) - Duration::from_millis(1));
        let mut want = vec!["waiting for approval (10:00 left, Ctrl-C to cancel)".to_string()];
        want.extend(
            (1..=9)
                .rev()
                .map(|m| format!("still waiting for approval ({m}:00 left)")),
        );
        assert_eq!(lines, want);

        // A wait of no whole minutes starts where it is.
        let lines = plain_lines_over(Duration::from_millis(90_500));
        assert_eq!(
            lines,
            [
                "waiting for approval (1:31 left, Ctrl-C to cancel)",
                "still waiting for approval (1:00 left)"
            ]
        );
        let lines = plain_lines_over(Duration::from_secs(30));
        assert_eq!(
            lines,
            ["waiting for approval (0:30 left, Ctrl-C to cancel)"]
        );
    }

    #[test]
    fn a_late_wake_prints_one_line_for_the_minutes_it_missed() {
        let mut plain = PlainLines::default();
        assert!(plain.due("approval", Duration::from_secs(600)).is_some());
        assert_eq!(plain.due("approval", Duration::from_secs(590)), None);
        // Suspended for three minutes: one line, with the true time left.
        assert_eq!(
            plain
                .due("approval", Duration::from_millis(409_500))
                .as_deref(),
            Some("still waiting for approval (6:50 left)")
        );
        assert_eq!(plain.due("approval", Duration::from_secs(400)), None);
        assert!(plain.due("approval", Duration::from_secs(360)).is_some());
        assert_eq!(plain.due("approval", Duration::ZERO), None);
    }
}
