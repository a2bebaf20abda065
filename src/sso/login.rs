//! Signing in to an SSO session: which flow, one sign-in at a time per
//! session, and the token it leaves in the shared cache.
//!
//! As in the AWS CLI v2, sso-session profiles sign in with the authorization
//! code flow and PKCE (`pkce.rs`): the browser comes back to this machine and
//! the user types nothing. The device flow (`device.rs`) is for legacy
//! profiles, for `--use-device-code` and `--no-browser`, and wherever no
//! browser could come back here: an SSH session, no display, a browser that
//! does not start.

use std::time::Duration;

use tokio::time::Instant;

use super::attempt::Attempt;
use super::browser::Surroundings;
use super::callback::Page;
use super::lock::{self, Wait};
use super::token::{self, CachedToken};
use super::{device, pkce};
use crate::config::SsoSession;
use crate::error::Result;
use crate::timestamp::Timestamp;

/// How long a sign-in waits for the user unless told otherwise: a device
/// code's lifetime, and the AWS CLI's wait for the browser.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// A second process waits this much longer than a sign-in may take for the
/// one in progress: its last poll, its CreateToken.
const JOIN_SLACK: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The authorization code flow where a browser can come back, else the device flow.
    Auto,
    /// The device flow, opening the browser where there is one (`--use-device-code`).
    DeviceCode,
    /// The device flow, only printing the URL and code (`--no-browser`).
    NoBrowser,
}

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub method: Method,
    /// Sign in even when the cached token is still good.
    pub force: bool,
    /// How long the user may take to finish the sign-in.
    pub timeout: Duration,
}

pub enum Outcome {
    /// The cached token has more than the refresh window left; nothing was opened.
    AlreadySignedIn(CachedToken),
    SignedIn(CachedToken),
    /// Another ssoenv process signed in while this one waited for it.
    Joined(CachedToken),
}

/// How a sign-in goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    AuthorizationCode,
    DeviceCode {
        open_browser: bool,
        /// Said to the user when the device flow was not asked for.
        why: Option<String>,
    },
}

/// The flow for `session`, from what was asked and what this machine has.
pub fn plan(session: &SsoSession, method: Method, surroundings: &Surroundings) -> Plan {
    let can_open = surroundings.opener().is_some();
    match method {
        Method::NoBrowser => Plan::DeviceCode {
            open_browser: false,
            why: None,
        },
        Method::DeviceCode => Plan::DeviceCode {
            open_browser: can_open,
            why: None,
        },
        // The AWS CLI signs legacy profiles in with the device flow only.
        Method::Auto if session.name.is_none() => Plan::DeviceCode {
            open_browser: can_open,
            why: None,
        },
        Method::Auto => match surroundings.cannot_come_back() {
            Some(why) => Plan::DeviceCode {
                open_browser: can_open,
                why: Some(why),
            },
            None => Plan::AuthorizationCode,
        },
    }
}

/// Sign in to `session` and store the token in the shared cache, unless the
/// cached one is still good (or `force`). While one process signs in,
/// others asking for the same session wait for it and reuse its token
/// rather than opening a second browser or approval. `retry` is the command
/// that signs in to this session, for messages.
pub async fn login(session: &SsoSession, retry: &str, opts: Options) -> Result<Outcome> {
    let before = token::load(session)?;
    if !opts.force
        && let Some(t) = &before
        && t.expires_at.remaining(Timestamp::now()) > token::REFRESH_WINDOW
    {
        return Ok(Outcome::AlreadySignedIn(t.clone()));
    }
    let _lock = lock::acquire(
        &lock_name(session),
        opts.timeout + JOIN_SLACK,
        "the sign-in",
        Wait::Announced,
    )
    .await?;
    if let Some(t) = token::load(session)?
        && Some(&t) != before.as_ref()
        && t.is_usable(Timestamp::now())
    {
        crate::say!("signed in by another ssoenv process; reusing its session");
        return Ok(Outcome::Joined(t));
    }

    let attempt = Attempt::new(session, Instant::now(), opts.timeout, retry);
    let surroundings = Surroundings::from_env();
    let opener = surroundings.opener();
    let token = match plan(session, opts.method, &surroundings) {
        Plan::AuthorizationCode => match pkce::sign_in(&attempt, opener.as_ref()).await? {
            pkce::Outcome::SignedIn { token, browser } => {
                let stored = token::store(session, &token);
                let page = match &stored {
                    Ok(()) => Page::done(format!("Signed in to {session}.")),
                    Err(e) => {
                        Page::failed(format!("Signed in, but the token could not be saved: {e}"))
                    }
                };
                browser.respond(page).await;
                stored?;
                return Ok(Outcome::SignedIn(token));
            }
            pkce::Outcome::Unavailable(why) => {
                crate::say!("signing in with a code instead: {why}");
                device::sign_in(&attempt, false).await?
            }
        },
        Plan::DeviceCode { open_browser, why } => {
            if let Some(why) = why {
                crate::say!("signing in with a code: {why}");
            }
            device::sign_in(&attempt, open_browser).await?
        }
    };
    token::store(session, &token)?;
    Ok(Outcome::SignedIn(token))
}

fn lock_name(session: &SsoSession) -> String {
    format!("login-{}", super::cache::sha1_hex(session.cache_key()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_sessions_sign_in_through_the_browser_where_it_can_come_back() {
        let desktop = Surroundings {
            display: true,
            ..Default::default()
        };
        let corp = SsoSession::for_test(Some("corp"));
        assert_eq!(plan(&corp, Method::Auto, &desktop), Plan::AuthorizationCode);
        assert_eq!(
            plan(&corp, Method::DeviceCode, &desktop),
            Plan::DeviceCode {
                open_browser: true,
                why: None
            }
        );
        assert_eq!(
            plan(&corp, Method::NoBrowser, &desktop),
            Plan::DeviceCode {
                open_browser: false,
                why: None
            }
        );
        assert_eq!(
            plan(&SsoSession::for_test(None), Method::Auto, &desktop),
            Plan::DeviceCode {
                open_browser: true,
                why: None
            }
        );
        let ssh = Surroundings {
            ssh: Some("SSH_CONNECTION"),
            ..Default::default()
        };
        match plan(&corp, Method::Auto, &ssh) {
            Plan::DeviceCode {
                open_browser: false,
                why: Some(why),
            } => assert!(why.contains("SSH"), "{why}"),
            other => panic!("{other:?}"),
        }
        match plan(&corp, Method::Auto, &Surroundings::default()) {
            Plan::DeviceCode {
                open_browser: false,
                why: Some(why),
            } => assert!(why.contains("no display"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
