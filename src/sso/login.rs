//! Sign-in with the OAuth device authorization flow.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::client::{self, Service};
use super::lock::{self, Wait};
use super::registration;
use super::token::{self, CachedToken};
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// How long a second process waits for a sign-in that another one started:
/// a device code lives 10 minutes, plus the last poll.
const LOGIN_WAIT: Duration = Duration::from_secs(11 * 60);

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub open_browser: bool,
}

/// Sign in to `session` and store the token in the shared cache. While one
/// process signs in, others asking for the same session wait for it and
/// reuse its token rather than opening a second approval.
pub async fn login(session: &SsoSession, opts: Options) -> Result<CachedToken> {
    let before = token::load(session)?;
    let _lock = lock::acquire(
        &lock_name(session),
        LOGIN_WAIT,
        "the sign-in",
        Wait::Announced,
    )
    .await?;
    if let Some(t) = token::load(session)?
        && Some(&t) != before.as_ref()
        && t.is_usable(Timestamp::now())
    {
        crate::say!("signed in by another ssoenv process; reusing its session");
        return Ok(t);
    }
    let token = device_flow(session, opts).await?;
    token::store(session, &token)?;
    Ok(token)
}

fn lock_name(session: &SsoSession) -> String {
    format!("login-{}", super::cache::sha1_hex(session.cache_key()))
}

async fn device_flow(session: &SsoSession, opts: Options) -> Result<CachedToken> {
    let endpoint = client::endpoint(Service::Oidc, &session.region);
    let oidc = client::oidc(&session.region).await;
    let mut reg = registration::get_or_register(session, &oidc).await?;

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
            reg = registration::get_or_register(session, &oidc).await?;
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

    crate::say!("sign in to {} in your browser:", session.start_url);
    crate::log::line(format_args!("  {url}"));
    crate::log::line(format_args!(
        "  and check that it shows the code {user_code}"
    ));
    if opts.open_browser {
        open_browser(&url);
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(auth.expires_in.max(1) as u64);
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
        let out = match out {
            Ok(o) => o,
            Err(e) => match client::error_code(&e) {
                Some("AuthorizationPendingException") => {
                    wait_or_expire(deadline, interval).await?;
                    continue;
                }
                Some("SlowDownException") => {
                    // RFC 8628 §3.5: add 5 seconds to the interval from now on.
                    interval += Duration::from_secs(5);
                    crate::trace!("asked to slow down; polling every {}s", interval.as_secs());
                    wait_or_expire(deadline, interval).await?;
                    continue;
                }
                Some("ExpiredTokenException") => return Err(expired()),
                Some("AccessDeniedException") => {
                    return Err(Error::failed("the sign-in was denied in the browser"));
                }
                _ => return Err(client::failure("CreateToken", &endpoint, &e)),
            },
        };
        let access_token = out
            .access_token
            .ok_or_else(|| Error::failed("CreateToken returned no access token"))?;
        crate::say!("signed in to {}", session.start_url);
        let expires =
            Timestamp::now().saturating_add(time::Duration::seconds(out.expires_in.into()));
        return Ok(CachedToken {
            start_url: Some(session.start_url.clone()),
            region: Some(session.region.clone()),
            access_token: access_token.into(),
            expires_at: expires,
            client_id: Some(reg.client_id),
            client_secret: Some(reg.client_secret),
            registration_expires_at: Some(reg.expires_at),
            refresh_token: out.refresh_token.map(Into::into),
        });
    }
}

fn expired() -> Error {
    Error::failed("the sign-in code expired before it was approved; run `ssoenv login` again")
}

async fn wait_or_expire(deadline: tokio::time::Instant, interval: Duration) -> Result<()> {
    if tokio::time::Instant::now() + interval > deadline {
        return Err(expired());
    }
    tokio::time::sleep(interval).await;
    Ok(())
}

/// Open `url` in a browser when one can be shown: BROWSER (a `:`-separated
/// list of commands, `%s` standing for the URL) wins; else the platform
/// opener, but only with a display. Failure is only a note: the URL is
/// printed anyway.
fn open_browser(url: &str) {
    let commands: Vec<String> = match std::env::var("BROWSER") {
        Ok(b) if !b.is_empty() => b.split(':').map(str::to_string).collect(),
        _ if cfg!(target_os = "macos") => vec!["open".into()],
        _ if std::env::var_os("DISPLAY").is_some()
            || std::env::var_os("WAYLAND_DISPLAY").is_some() =>
        {
            vec!["xdg-open".into()]
        }
        _ => {
            crate::trace!("no display and no BROWSER: not opening a browser");
            return;
        }
    };
    for command in commands {
        let Ok(mut argv) = shell_words::split(&command) else {
            continue;
        };
        if argv.is_empty() {
            continue;
        }
        match argv.iter().position(|a| a.contains("%s")) {
            Some(i) => argv[i] = argv[i].replace("%s", url),
            None => argv.push(url.to_string()),
        }
        let spawned = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match spawned {
            Ok(_) => {
                crate::trace!("opened the browser with {}", argv[0]);
                return;
            }
            Err(e) => crate::trace!("could not run {}: {e}", argv[0]),
        }
    }
    crate::say!("could not open a browser; open the URL above yourself");
}
