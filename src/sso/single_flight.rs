//! Role credentials from a cache file shared with other processes: the
//! cached ones while they are good for a while yet, else one fetch however
//! many processes want them at once. SSO role credentials
//! ([`super::credentials`]) and assumed roles ([`super::assume`]) both come
//! this way.

use std::future::Future;
use std::time::Duration;

use super::client;
use super::lock::{self, Wait};
use super::token;
use crate::error::Result;
use crate::timestamp::Timestamp;

/// Reuse cached credentials until this close to expiry
/// (`CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS`).
pub const REUSE_WINDOW: time::Duration = time::Duration::minutes(15);

/// What a cache file holds: it runs out.
pub trait Expiring {
    fn expiration(&self) -> Timestamp;
}

/// Whether cached credentials are good for long enough to hand out.
pub fn reusable(cached: &impl Expiring, now: Timestamp) -> bool {
    cached.expiration().remaining(now) > REUSE_WINDOW
}

/// Whether credentials read again under the lock are used rather than
/// fetched: reusable ones, and ones whoever held the lock has just fetched
/// (they differ from `seen`, read before waiting) even when they are
/// short-lived (an emulator, or a role with a short session), rather than
/// every waiter fetching again.
fn taken_up<T: Expiring + PartialEq>(reread: &T, seen: Option<&T>, now: Timestamp) -> bool {
    reusable(reread, now)
        || (Some(reread) != seen && reread.expiration().remaining(now) > token::EXPIRY_SKEW)
}

/// The credentials `load` reads if [`reusable`], else those of `fetch`
/// (which caches them), called under the lock named `lock` so that
/// concurrent callers make one fetch: the others wait, then take up what it
/// cached. `name` says whose they are, in the trace.
pub async fn get<T, Fut>(
    name: &str,
    lock: &str,
    load: impl Fn() -> Result<Option<T>>,
    fetch: impl FnOnce() -> Fut,
) -> Result<T>
where
    T: Expiring + PartialEq,
    Fut: Future<Output = Result<T>>,
{
    let seen = match load()? {
        Some(c) if reusable(&c, Timestamp::now()) => {
            crate::trace!(
                "using cached credentials for {name} until {}",
                c.expiration()
            );
            return Ok(c);
        }
        seen => seen,
    };
    let wait = client::budget() * 2 + Duration::from_secs(5);
    let _lock = lock::acquire(lock, wait, "a credentials fetch", Wait::Quiet).await?;
    if let Some(c) = load()?
        && taken_up(&c, seen.as_ref(), Timestamp::now())
    {
        return Ok(c);
    }
    fetch().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Entry(&'static str, Timestamp);

    impl Expiring for Entry {
        fn expiration(&self) -> Timestamp {
            self.1
        }
    }

    fn minutes(m: i64) -> Timestamp {
        Timestamp::from_unix_seconds(1_800_000_000 + m * 60).unwrap()
    }

    #[test]
    fn cached_credentials_are_reused_until_fifteen_minutes_before_expiry() {
        let now = minutes(0);
        assert!(reusable(&Entry("a", minutes(16)), now));
        assert!(!reusable(&Entry("a", minutes(15)), now));
        assert!(!reusable(&Entry("a", minutes(-1)), now));
    }

    #[test]
    fn under_the_lock_what_another_caller_just_fetched_is_taken_up() {
        let now = minutes(0);
        let seen = Entry("old", minutes(10));
        // Unchanged and close to expiry: this caller fetches.
        assert!(!taken_up(&Entry("old", minutes(10)), Some(&seen), now));
        // Fetched meanwhile, though short-lived: taken up.
        assert!(taken_up(&Entry("new", minutes(2)), Some(&seen), now));
        assert!(taken_up(&Entry("new", minutes(2)), None, now));
        // Unless it is about to expire, or has.
        let nearly = Timestamp::from_unix_seconds(minutes(0).unix_seconds() + 20).unwrap();
        assert!(!taken_up(&Entry("new", nearly), Some(&seen), now));
        assert!(!taken_up(&Entry("new", minutes(-1)), None, now));
        // Good for long enough, whoever cached it.
        assert!(taken_up(&Entry("old", minutes(30)), Some(&seen), now));
    }
}
