//! One client-side rate limiter for every call a process makes to the SSO
//! portal. Identity Center throttles the portal APIs at about 20 requests a
//! second; a process that stays below that never causes a 429 itself, and
//! listing hundreds of accounts stays fast because nothing is retried.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Requests a second to the portal, just below its documented ceiling of
/// 20 TPS (wave2.md §2.2: granted cites the Identity Center quotas page and
/// paces every call at 20/s since its users with 200–665 accounts saw
/// listings fail on 429s). The margin absorbs timer jitter.
pub const PORTAL_RATE: u32 = 18;

/// Calls that may go at once after a pause: a single credentials fetch or a
/// small listing never waits, and the burst stays far below what a second
/// of the service's own budget allows.
pub const PORTAL_BURST: u32 = 4;

/// The limiter every portal call of this process waits at (the portal
/// clients in `client.rs` pass each attempt, retries included, through it).
pub static PORTAL: RateLimiter = RateLimiter::new(PORTAL_RATE, PORTAL_BURST);

/// A token bucket, kept as the time the next call may go (the generic cell
/// rate algorithm): callers reserve their turn, then sleep until it.
pub struct RateLimiter {
    interval: Duration,
    burst: u32,
    /// The theoretical time of the next call; None before the first.
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    pub const fn new(per_second: u32, burst: u32) -> Self {
        RateLimiter {
            interval: Duration::from_nanos(1_000_000_000 / per_second as u64),
            burst,
            next: Mutex::new(None),
        }
    }

    /// Wait for this call's turn.
    pub async fn acquire(&self) {
        let now = Instant::now();
        let go = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let (go, after) = schedule(*next, now, self.interval, self.burst);
            *next = Some(after);
            go
        };
        if go > now {
            tokio::time::sleep(go - now).await;
        }
    }
}

/// When a call arriving at `now` may go, and the bucket's next theoretical
/// time after it. A bucket idle for long holds `burst` calls, no more.
fn schedule(
    next: Option<Instant>,
    now: Instant,
    interval: Duration,
    burst: u32,
) -> (Instant, Instant) {
    let next = next.unwrap_or(now);
    let tolerance = interval * burst.saturating_sub(1);
    let go = next.checked_sub(tolerance).map_or(now, |t| t.max(now));
    (go, next.max(go) + interval)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Go times of calls arriving at the given offsets (ms) from a start.
    fn go_times(arrivals_ms: &[u64], per_second: u32, burst: u32) -> Vec<u64> {
        let start = Instant::now();
        let interval = Duration::from_nanos(1_000_000_000 / u64::from(per_second));
        let mut next = None;
        arrivals_ms
            .iter()
            .map(|&ms| {
                let (go, after) =
                    schedule(next, start + Duration::from_millis(ms), interval, burst);
                next = Some(after);
                (go - start).as_millis() as u64
            })
            .collect()
    }

    #[test]
    fn a_burst_then_the_rate() {
        // 10/s, burst 3: three at once, then one every 100 ms.
        assert_eq!(
            go_times(&[0, 0, 0, 0, 0, 0], 10, 3),
            [0, 0, 0, 100, 200, 300]
        );
    }

    #[test]
    fn an_idle_bucket_refills_only_to_the_burst() {
        // After a long pause, again three at once and no more.
        assert_eq!(
            go_times(&[0, 5000, 5000, 5000, 5000], 10, 3),
            [0, 5000, 5000, 5000, 5100]
        );
    }

    #[test]
    fn callers_at_the_rate_never_wait() {
        assert_eq!(go_times(&[0, 100, 200, 300], 10, 1), [0, 100, 200, 300]);
    }

    #[test]
    fn no_second_holds_more_than_rate_plus_burst() {
        let arrivals = vec![0; 200];
        let go = go_times(&arrivals, PORTAL_RATE, PORTAL_BURST);
        for (i, &t) in go.iter().enumerate() {
            let in_window = go[i..].iter().take_while(|&&u| u < t + 1000).count();
            assert!(
                in_window <= (PORTAL_RATE + PORTAL_BURST) as usize,
                "{in_window} calls within a second of {t} ms"
            );
        }
    }
}
