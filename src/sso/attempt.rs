//! One sign-in in progress, as the flows (`pkce.rs`, `device.rs`) see it:
//! the session, when the wait for the user ends, and how to say so. Its own
//! module so that imports run one way: `login` picks a flow and starts an
//! attempt, the flows take it, and neither flow needs `login`.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::SsoSession;
use crate::error::Error;
use crate::timestamp::spoken;

pub struct Attempt<'a> {
    pub session: &'a SsoSession,
    /// When the wait for the user ends.
    pub deadline: Instant,
    /// The wait that `deadline` ends, for messages.
    timeout: Duration,
    /// The command that tries again, for messages.
    pub retry: &'a str,
}

impl<'a> Attempt<'a> {
    /// A sign-in to `session` started at `started`, giving the user
    /// `timeout`; `retry` is the command that tries again.
    pub fn new(
        session: &'a SsoSession,
        started: Instant,
        timeout: Duration,
        retry: &'a str,
    ) -> Attempt<'a> {
        Attempt {
            session,
            deadline: started + timeout,
            timeout,
            retry,
        }
    }

    /// `what` was not done in time ("the sign-in was not approved"); `also`
    /// follows the advice to try again.
    pub fn timed_out(&self, what: &str, also: &str) -> Error {
        Error::failed(format!(
            "{what} within {}; run `{}` to try again{also}",
            spoken(self.timeout),
            self.retry
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_out_attempt_says_how_long_it_waited_and_what_to_run() {
        let session = SsoSession::for_test(Some("corp"));
        let started = Instant::now();
        let attempt = Attempt::new(
            &session,
            started,
            Duration::from_secs(600),
            "ssoenv login --sso-session corp",
        );
        assert_eq!(attempt.deadline - started, Duration::from_secs(600));
        let e = attempt.timed_out("the sign-in was not approved", "");
        assert_eq!(
            e.message,
            "the sign-in was not approved within 10 minutes; run \
             `ssoenv login --sso-session corp` to try again"
        );
    }
}
