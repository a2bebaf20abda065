//! Sign-in with the OAuth device authorization grant (RFC 8628): the user
//! opens a URL anywhere, checks the code, approves, and this process polls
//! until the token is issued. Works where no browser can come back to this
//! machine.

use std::convert::Infallible;
use std::time::Duration;

use tokio::time::Instant;

use super::attempt::Attempt;
use super::browser;
use super::client::{self, Service};
use super::countdown::Countdown;
use super::registration::{self, Flow};
use super::token::CachedToken;
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

pub async fn sign_in(attempt: &Attempt<'_>, open_browser: bool) -> Result<CachedToken> {
    let session = attempt.session;
    let endpoint = client::endpoint(Service::Oidc, &session.region);
    let oidc = client::oidc(&session.region).await;
    let mut reg = registration::get_or_register(session, &oidc, Flow::DeviceCode).await?;

    crate::trace!("StartDeviceAuthorization at {endpoint}");
    let start = oidc
        .start_device_authorization()
        .client_id(&reg.client_id)
        .client_secret(reg.client_secret.expose())
        .start_url(&session.start_url)
        .send()
        .await;
    let auth = match start {
        Ok(a) => a,
        // The server forgot our registration (expired or revoked): register again once.
        Err(e) if client::error_code(&e) == Some("InvalidClientException") => {
            registration::forget(session)?;
            reg = registration::get_or_register(session, &oidc, Flow::DeviceCode).await?;
            oidc.start_device_authorization()
                .client_id(&reg.client_id)
                .client_secret(reg.client_secret.expose())
                .start_url(&session.start_url)
                .send()
                .await
                .map_err(|e| client::failure("StartDeviceAuthorization", &endpoint, &e))?
        }
        Err(e) => return Err(client::failure("StartDeviceAuthorization", &endpoint, &e)),
    };
    let device_code = auth
        .device_code
        .ok_or_else(|| Error::failed("no device code in the answer"))?;
    let user_code = auth.user_code.unwrap_or_default();
    let url = auth
        .verification_uri_complete
        .or(auth.verification_uri)
        .unwrap_or_default();

    // Always the URL and the code: the device pages ask the user to confirm
    // a code, and a browser may not open at all.
    crate::say!("sign in to {} in your browser:", session.start_url);
    crate::log::line(format_args!("  {url}"));
    crate::log::line(format_args!(
        "  and check that it shows the code {user_code}"
    ));

    // The device code's own lifetime, or the sign-in's time-out if shorter.
    let code_expires = Instant::now() + Duration::from_secs(auth.expires_in.max(1) as u64);
    let (deadline, ours) = match attempt.deadline < code_expires {
        true => (attempt.deadline, true),
        false => (code_expires, false),
    };
    let opened = async {
        if open_browser {
            let why =
                browser::open(browser::Surroundings::from_env().opener().as_ref(), &url).await;
            crate::say!("could not open a browser ({why}); open the URL above yourself");
        }
        std::future::pending::<Infallible>().await
    };
    let countdown = Countdown::new("approval", deadline);
    let poll = async {
        let mut interval = Duration::from_secs(auth.interval.max(1) as u64);
        loop {
            let out = oidc
                .create_token()
                .client_id(&reg.client_id)
                .client_secret(reg.client_secret.expose())
                .grant_type("urn:ietf:params:oauth:grant-type:device_code")
                .device_code(&device_code)
                .send()
                .await;
            match out {
                Ok(out) => return Ok(out),
                Err(e) => match client::error_code(&e) {
                    Some("AuthorizationPendingException") => {}
                    Some("SlowDownException") => {
                        // RFC 8628 §3.5: add 5 seconds to the interval from now on.
                        interval += Duration::from_secs(5);
                        crate::trace!("asked to slow down; polling every {}s", interval.as_secs());
                    }
                    Some("ExpiredTokenException") => return Err(expired(attempt)),
                    Some("AccessDeniedException") => {
                        return Err(Error::failed("the sign-in was denied in the browser"));
                    }
                    _ => return Err(client::failure("CreateToken", &endpoint, &e)),
                },
            }
            if Instant::now() + interval > deadline {
                return Err(match ours {
                    true => attempt.timed_out("the sign-in was not approved", ""),
                    false => expired(attempt),
                });
            }
            tokio::time::sleep(interval).await;
        }
    };
    let out = tokio::select! {
        out = poll => out?,
        never = opened => match never {},
        never = countdown.run() => match never {},
    };
    drop(countdown);

    CachedToken::issued(session, &reg, out, Timestamp::now())
}

fn expired(attempt: &Attempt<'_>) -> Error {
    Error::failed(format!(
        "the sign-in code expired before it was approved; run `{}` again",
        attempt.retry
    ))
}
