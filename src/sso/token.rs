//! The SSO access token: the shared cache file `~/.aws/sso/cache/<sha1>.json`
//! and its refresh.

use std::path::PathBuf;
use std::time::Duration;

use aws_sdk_ssooidc::operation::create_token::CreateTokenOutput;
use serde::{Deserialize, Serialize};

use super::cache;
use super::client::{self, Service};
use super::lock::{self, Wait};
use super::registration::Registration;
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::timestamp::Timestamp;

/// Refresh when less than this is left (the AWS CLI's advisory window).
pub const REFRESH_WINDOW: time::Duration = time::Duration::minutes(15);
/// A token this close to expiry is treated as expired: a request sent with
/// it could be rejected on arrival.
pub const EXPIRY_SKEW: time::Duration = time::Duration::seconds(30);

/// The token cache file, member for member as the AWS CLI v2 writes it. A
/// file with a member that does not read (a time that is not RFC 3339, say)
/// is ignored as a whole, like a torn one: not signed in, with a warning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub access_token: Secret,
    pub expires_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_expires_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
}

impl CachedToken {
    /// The cache entry for what CreateToken just issued to `reg` at a
    /// sign-in (either flow), member for member as the AWS CLI writes it.
    pub fn issued(
        session: &SsoSession,
        reg: &Registration,
        out: CreateTokenOutput,
        now: Timestamp,
    ) -> Result<CachedToken> {
        let access_token = out
            .access_token
            .ok_or_else(|| Error::failed("CreateToken returned no access token"))?;
        Ok(CachedToken {
            start_url: Some(session.start_url.clone()),
            region: Some(session.region.clone()),
            access_token: access_token.into(),
            expires_at: now.saturating_add(time::Duration::seconds(out.expires_in.into())),
            client_id: Some(reg.client_id.clone()),
            client_secret: Some(reg.client_secret.clone()),
            registration_expires_at: Some(reg.expires_at),
            refresh_token: out.refresh_token.map(Into::into),
        })
    }

    pub fn is_usable(&self, now: Timestamp) -> bool {
        self.expires_at.remaining(now) > EXPIRY_SKEW
    }

    /// Whether the refresh_token grant can renew it: only tokens of named
    /// sso-sessions (as botocore does), with a live client registration.
    pub fn can_refresh(&self, session: &SsoSession, now: Timestamp) -> bool {
        session.name.is_some()
            && self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|e| e > now)
    }
}

/// Lock kind for work on a token file.
pub const TOKEN_LOCK: &str = "token";

pub fn path(session: &SsoSession) -> Result<PathBuf> {
    Ok(crate::paths::sso_cache_dir()?
        .join(format!("{}.json", cache::sha1_hex(session.cache_key()))))
}

pub fn load(session: &SsoSession) -> Result<Option<CachedToken>> {
    cache::read(&path(session)?)
}

pub fn store(session: &SsoSession, token: &CachedToken) -> Result<()> {
    cache::write(&path(session)?, token)
}

/// A token that is valid now, refreshed first when it is near expiry.
/// Never starts a sign-in: a missing or ended session is `LoginRequired`.
pub async fn valid(session: &SsoSession, profile: Option<&str>) -> Result<CachedToken> {
    let login = session.login_args(profile);
    let Some(token) = load(session)? else {
        return Err(Error::login_required(
            format!("not signed in to {}", session),
            &login,
        ));
    };
    let now = Timestamp::now();
    if token.expires_at.remaining(now) > REFRESH_WINDOW {
        return Ok(token);
    }
    if !token.can_refresh(session, now) {
        return match token.is_usable(now) {
            true => Ok(token),
            false => Err(Error::login_required(
                format!("the sign-in to {} has expired", session),
                &login,
            )),
        };
    }

    // Single-flight: one process refreshes, the others wait and reuse it.
    let _lock = lock::acquire(
        &lock::name_for(TOKEN_LOCK, &path(session)?),
        client::budget() + Duration::from_secs(5),
        "a token refresh",
        Wait::Quiet,
    )
    .await?;
    let token = match load(session)? {
        Some(t) if t.expires_at.remaining(Timestamp::now()) > REFRESH_WINDOW => return Ok(t),
        Some(t) => t,
        None => {
            return Err(Error::login_required(
                format!("not signed in to {}", session),
                &login,
            ));
        }
    };
    match refresh(session, &token).await {
        Ok(fresh) => {
            // The server may have retired the old refresh token already:
            // failing now (a full disk) would lose the sign-in the command
            // holds. The atomic write leaves the old file as it was.
            if let Err(e) = store(session, &fresh) {
                crate::warn!("{}", unsaved_refresh(session, &login, &token, &fresh, &e));
            }
            Ok(fresh)
        }
        Err(e) => {
            // Another tool (the AWS CLI, boto3) may have refreshed meanwhile
            // without our lock; refresh tokens are single-use, so ours was
            // then rejected. Its fresh token is in the cache.
            if let Ok(Some(t)) = load(session)
                && t != token
                && t.is_usable(Timestamp::now())
            {
                crate::trace!("the token was refreshed by another process; using that");
                return Ok(t);
            }
            if e.kind == crate::error::Kind::LoginRequired {
                return Err(e);
            }
            // A refresh that failed for another reason (network, server) is
            // not fatal while the token works: use it, try again next time,
            // as botocore does.
            if token.is_usable(Timestamp::now()) {
                crate::warn!(
                    "could not refresh the token for {} ({e}); using it until it expires",
                    session
                );
                return Ok(token);
            }
            Err(e)
        }
    }
}

/// What to say when the token refreshed from `old` could not be saved:
/// this command goes on with it; whether the saved one still refreshes
/// depends on whether the server replaced the refresh token.
fn unsaved_refresh(
    session: &SsoSession,
    login: &str,
    old: &CachedToken,
    fresh: &CachedToken,
    e: &Error,
) -> String {
    let what = format!(
        "the refreshed sign-in to {session} could not be saved ({e}); this command uses it"
    );
    match fresh.refresh_token == old.refresh_token {
        true => format!(
            "{what}, and the saved sign-in is refreshed again next time, once there is room"
        ),
        false => format!(
            "{what}, but the server has replaced the refresh token, so the saved sign-in can no longer be refreshed: make room, then run `ssoenv login{login}`"
        ),
    }
}

/// The refresh_token grant. The rotated refresh token replaces the old one;
/// when the server returns none, the old one is kept.
async fn refresh(session: &SsoSession, token: &CachedToken) -> Result<CachedToken> {
    let endpoint = client::endpoint(Service::Oidc, &session.region);
    crate::trace!(
        "CreateToken (refresh_token) at {endpoint} for {}",
        session.cache_key()
    );
    let oidc = client::oidc(&session.region).await;
    let out = oidc
        .create_token()
        .client_id(token.client_id.clone().unwrap_or_default())
        .client_secret(expose(&token.client_secret))
        .grant_type("refresh_token")
        .refresh_token(expose(&token.refresh_token))
        .send()
        .await;
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            return Err(match client::error_code(&e) {
                Some(
                    "InvalidGrantException"
                    | "InvalidClientException"
                    | "ExpiredTokenException"
                    | "AccessDeniedException"
                    | "UnauthorizedClientException",
                ) => Error::login_required(
                    format!("the sign-in to {} has ended", session.cache_key()),
                    &session.login_args(None),
                ),
                _ => client::failure("CreateToken", &endpoint, &e),
            });
        }
    };
    let access_token = out
        .access_token
        .ok_or_else(|| Error::failed("CreateToken returned no access token"))?;
    Ok(CachedToken {
        access_token: access_token.into(),
        expires_at: Timestamp::now().saturating_add(time::Duration::seconds(out.expires_in.into())),
        refresh_token: out
            .refresh_token
            .map(Secret::from)
            .or_else(|| token.refresh_token.clone()),
        ..token.clone()
    })
}

fn expose(secret: &Option<Secret>) -> &str {
    secret.as_ref().map_or("", Secret::expose)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// A fixed `now`: decisions take the time as a parameter.
    fn now() -> Timestamp {
        at("2026-06-01T12:00:00Z")
    }

    fn token(expires_in_min: i64) -> CachedToken {
        CachedToken {
            start_url: Some("https://d-0000000000.awsapps.com/start".into()),
            region: Some("us-east-1".into()),
            access_token: "a".into(),
            expires_at: now().saturating_add(time::Duration::minutes(expires_in_min)),
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            registration_expires_at: Some(now().saturating_add(time::Duration::days(30))),
            refresh_token: Some("r".into()),
        }
    }

    #[test]
    fn serializes_like_the_aws_cli() {
        let t = CachedToken {
            expires_at: at("2026-01-01T00:00:00Z"),
            registration_expires_at: Some(at("2026-03-01T00:00:00Z")),
            ..token(0)
        };
        assert_eq!(
            cache::python_json(&t),
            r#"{"startUrl": "https://d-0000000000.awsapps.com/start", "region": "us-east-1", "accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z", "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "2026-03-01T00:00:00Z", "refreshToken": "r"}"#
        );
    }

    #[test]
    fn reads_what_the_rust_sdk_writes() {
        // Fractional seconds and no optional members (a legacy token).
        let t: CachedToken = serde_json::from_str(
            r#"{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00.5+01:00", "startUrl": "u"}"#,
        )
        .unwrap();
        assert_eq!(t.expires_at, at("2025-12-31T23:00:00Z"));
        assert_eq!(t.registration_expires_at, None);
        assert_eq!(t.refresh_token, None);
    }

    #[test]
    fn an_unreadable_time_makes_the_file_unreadable() {
        for bad in [
            r#""soon""#,
            r#""9999-12-31T23:59:59-23:59""#,
            r#""0000-01-01T00:00:00+23:59""#,
            "1767225600",
            "null",
        ] {
            let json = format!(r#"{{"accessToken": "a", "expiresAt": {bad}}}"#);
            assert!(serde_json::from_str::<CachedToken>(&json).is_err(), "{bad}");
            let json = format!(
                r#"{{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z", "registrationExpiresAt": {bad}}}"#
            );
            let read = serde_json::from_str::<CachedToken>(&json);
            // An absent registration time may be written as null.
            match bad {
                "null" => assert_eq!(read.unwrap().registration_expires_at, None),
                _ => assert!(read.is_err(), "{bad}"),
            }
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let t = CachedToken {
            access_token: "access-SECRET".into(),
            client_secret: Some("client-SECRET".into()),
            refresh_token: Some("refresh-SECRET".into()),
            ..token(60)
        };
        let shown = format!("{t:?} {t:#?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
        assert!(shown.contains("2026-06-01T13:00:00Z"), "{shown}");
    }

    #[test]
    fn cache_file_names_match_the_aws_cli() {
        // Values from the reference (botocore's _generate_cache_key).
        assert_eq!(
            cache::sha1_hex("my-sso"),
            "0ad374308c5a4e22f723adf10145eafad7c4031c"
        );
        assert_eq!(
            cache::sha1_hex("https://d-1234567890.awsapps.com/start"),
            "7487b5b67d5fa1132cf33fa93ae51ef38cc37752"
        );
    }

    #[test]
    fn an_unsaved_refresh_says_what_was_lost_and_what_to_do() {
        let disk_full =
            Error::failed("cannot write /c/x.json: No space left on device (os error 28)");
        let old = token(5);
        let rotated = CachedToken {
            access_token: "new".into(),
            refresh_token: Some("r2".into()),
            ..token(60)
        };
        let said = unsaved_refresh(
            &SsoSession::for_test(Some("corp")),
            " --sso-session corp",
            &old,
            &rotated,
            &disk_full,
        );
        assert_eq!(
            said,
            "the refreshed sign-in to sso-session corp could not be saved (cannot write /c/x.json: \
             No space left on device (os error 28)); this command uses it, but the server has \
             replaced the refresh token, so the saved sign-in can no longer be refreshed: make \
             room, then run `ssoenv login --sso-session corp`"
        );
        let kept = CachedToken {
            access_token: "new".into(),
            ..token(60)
        };
        let said = unsaved_refresh(
            &SsoSession::for_test(Some("corp")),
            " --sso-session corp",
            &old,
            &kept,
            &disk_full,
        );
        assert!(said.ends_with("this command uses it, and the saved sign-in is refreshed again next time, once there is room"), "{said}");
    }

    #[test]
    fn refresh_rules() {
        let now = now();
        assert!(token(5).can_refresh(&SsoSession::for_test(Some("s")), now));
        // legacy profiles are never refreshed
        assert!(!token(5).can_refresh(&SsoSession::for_test(None), now));
        let expired_registration = CachedToken {
            registration_expires_at: Some(at("2020-01-01T00:00:00Z")),
            ..token(5)
        };
        assert!(!expired_registration.can_refresh(&SsoSession::for_test(Some("s")), now));
        let no_registration_time = CachedToken {
            registration_expires_at: None,
            ..token(5)
        };
        assert!(!no_registration_time.can_refresh(&SsoSession::for_test(Some("s")), now));
        let no_refresh = CachedToken {
            refresh_token: None,
            ..token(5)
        };
        assert!(!no_refresh.can_refresh(&SsoSession::for_test(Some("s")), now));
        assert!(token(1).is_usable(now));
        assert!(!token(-1).is_usable(now));
        // Within the skew of expiry counts as expired.
        let nearly = CachedToken {
            expires_at: now.saturating_add(time::Duration::seconds(30)),
            ..token(0)
        };
        assert!(!nearly.is_usable(now));
        let forever = CachedToken {
            expires_at: at("9999-12-31T23:59:59Z"),
            ..token(0)
        };
        assert!(forever.is_usable(now));
    }
}
