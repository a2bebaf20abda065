//! The SSO access token: the shared cache file `~/.aws/sso/cache/<sha1>.json`
//! and its refresh.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::cache;
use super::client::{self, Service};
use super::lock::{self, Wait};
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::timefmt;

/// Refresh when less than this is left (the AWS CLI's advisory window).
pub const REFRESH_WINDOW: time::Duration = time::Duration::minutes(15);
/// A token this close to expiry is treated as expired: a request sent with
/// it could be rejected on arrival.
pub const EXPIRY_SKEW: time::Duration = time::Duration::seconds(30);

/// The token cache file, member for member as the AWS CLI v2 writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub access_token: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

impl CachedToken {
    /// None when the stored time is unreadable: treated as expired.
    pub fn expires(&self) -> Option<OffsetDateTime> {
        timefmt::parse(&self.expires_at)
    }

    pub fn remaining(&self, now: OffsetDateTime) -> time::Duration {
        self.expires().map_or(time::Duration::MIN, |e| e - now)
    }

    pub fn is_usable(&self, now: OffsetDateTime) -> bool {
        self.remaining(now) > EXPIRY_SKEW
    }

    /// Whether the refresh_token grant can renew it: only tokens of named
    /// sso-sessions (as botocore does), with a live client registration.
    pub fn can_refresh(&self, session: &SsoSession, now: OffsetDateTime) -> bool {
        session.name.is_some()
            && self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self
                .registration_expires_at
                .as_deref()
                .and_then(timefmt::parse)
                .is_some_and(|e| e > now)
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
    let now = timefmt::now();
    if token.remaining(now) > REFRESH_WINDOW {
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
        Some(t) if t.remaining(timefmt::now()) > REFRESH_WINDOW => return Ok(t),
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
            store(session, &fresh)?;
            Ok(fresh)
        }
        Err(e) => {
            // Another tool (the AWS CLI, boto3) may have refreshed meanwhile
            // without our lock; refresh tokens are single-use, so ours was
            // then rejected. Its fresh token is in the cache.
            if let Ok(Some(t)) = load(session)
                && t != token
                && t.is_usable(timefmt::now())
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
            if token.is_usable(timefmt::now()) {
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
        .client_secret(token.client_secret.clone().unwrap_or_default())
        .grant_type("refresh_token")
        .refresh_token(token.refresh_token.clone().unwrap_or_default())
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
    let expires = timefmt::now() + time::Duration::seconds(i64::from(out.expires_in));
    Ok(CachedToken {
        access_token,
        expires_at: timefmt::format_z(expires),
        refresh_token: out.refresh_token.or_else(|| token.refresh_token.clone()),
        ..token.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: Option<&str>) -> SsoSession {
        SsoSession {
            name: name.map(str::to_string),
            start_url: "https://d-0000000000.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: None,
        }
    }

    fn token(expires_in_min: i64) -> CachedToken {
        let now = timefmt::now();
        CachedToken {
            start_url: Some("https://d-0000000000.awsapps.com/start".into()),
            region: Some("us-east-1".into()),
            access_token: "a".into(),
            expires_at: timefmt::format_z(now + time::Duration::minutes(expires_in_min)),
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            registration_expires_at: Some(timefmt::format_z(now + time::Duration::days(30))),
            refresh_token: Some("r".into()),
        }
    }

    #[test]
    fn serializes_like_the_aws_cli() {
        let t = CachedToken {
            expires_at: "2026-01-01T00:00:00Z".into(),
            registration_expires_at: Some("2026-03-01T00:00:00Z".into()),
            ..token(0)
        };
        assert_eq!(
            cache::python_json(&t),
            r#"{"startUrl": "https://d-0000000000.awsapps.com/start", "region": "us-east-1", "accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z", "clientId": "c", "clientSecret": "s", "registrationExpiresAt": "2026-03-01T00:00:00Z", "refreshToken": "r"}"#
        );
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
    fn refresh_rules() {
        let now = timefmt::now();
        assert!(token(5).can_refresh(&session(Some("s")), now));
        // legacy profiles are never refreshed
        assert!(!token(5).can_refresh(&session(None), now));
        let expired_registration = CachedToken {
            registration_expires_at: Some("2020-01-01T00:00:00Z".into()),
            ..token(5)
        };
        assert!(!expired_registration.can_refresh(&session(Some("s")), now));
        let no_refresh = CachedToken {
            refresh_token: None,
            ..token(5)
        };
        assert!(!no_refresh.can_refresh(&session(Some("s")), now));
        assert!(token(1).is_usable(now));
        assert!(!token(-1).is_usable(now));
        let garbage = CachedToken {
            expires_at: "soon".into(),
            ..token(60)
        };
        assert!(!garbage.is_usable(now));
    }
}
