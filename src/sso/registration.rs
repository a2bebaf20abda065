//! The OIDC client registration, cached where the AWS CLI v2 keeps its own
//! (`~/.aws/sso/cache/<sha1 of the key JSON>.json`), so either tool reuses
//! the other's registration instead of registering a new client per login.
//!
//! As in the AWS CLI, one file holds the registration for either flow: a
//! registration for the authorization code grant records its `grantTypes`,
//! and each flow registers anew (replacing the file) when the cached one was
//! made for the other.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::json;

use super::cache;
use super::callback;
use super::client::{self, Service};
use crate::config::SsoSession;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::timestamp::Timestamp;

/// Re-register when less than this is left, as the AWS CLI does.
const RENEW_WINDOW: time::Duration = time::Duration::minutes(15);

/// The scope the AWS CLI registers authorization code clients with when the
/// session names none: what role credentials need, and what makes Identity
/// Center issue refresh tokens.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// The grant a registration serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    DeviceCode,
    /// With PKCE; registered with the refresh_token grant too, as the AWS CLI does.
    AuthorizationCode,
}

impl Flow {
    const AUTHORIZATION_CODE_GRANTS: [&str; 2] = ["authorization_code", "refresh_token"];

    /// The scopes to register with (and, for the authorization code flow, to
    /// ask for at /authorize).
    pub fn scopes(self, session: &SsoSession) -> Option<Vec<String>> {
        match self {
            Flow::DeviceCode => session.scopes.clone(),
            Flow::AuthorizationCode => Some(
                session
                    .scopes
                    .clone()
                    .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_string()]),
            ),
        }
    }
}

/// The redirect URI an authorization code client registers: the loopback
/// address without a port, so that each sign-in may listen on whatever port
/// it gets (RFC 8252 §7.3).
pub fn redirect_uri_without_port() -> String {
    format!("http://127.0.0.1{}", callback::PATH)
}

/// A cached registration with an empty client id or secret is ignored as a
/// whole, with a warning, and replaced: the server refuses it as a bad
/// request, which no new sign-in would get past.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    #[serde(deserialize_with = "non_empty")]
    pub client_id: String,
    #[serde(deserialize_with = "non_empty")]
    pub client_secret: Secret,
    pub expires_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
}

fn non_empty<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<T, D::Error> {
    let value = String::deserialize(d)?;
    match value.is_empty() {
        true => Err(de::Error::custom("an empty client id or secret")),
        false => Ok(T::from(value)),
    }
}

impl Registration {
    /// Usable for `flow`: unexpired, and made for that grant (the AWS CLI
    /// tells them apart by `authorization_code` in `grantTypes`).
    fn fits(&self, flow: Flow, now: Timestamp) -> bool {
        let fresh = self.expires_at.remaining(now) > RENEW_WINDOW;
        let pkce = self
            .grant_types
            .as_ref()
            .is_some_and(|g| g.iter().any(|g| g == "authorization_code"));
        fresh && pkce == (flow == Flow::AuthorizationCode)
    }
}

/// The AWS CLI's key (`BaseSSOTokenFetcher._registration_cache_key`): Python
/// `json.dumps(..., sort_keys=True)` of these members, then sha1.
pub fn cache_key(session: &SsoSession) -> String {
    let key = json!({
        "region": session.region,
        "scopes": session.scopes,
        "session_name": session.name,
        "startUrl": session.start_url,
        "tool": "botocore",
    });
    cache::sha1_hex(&cache::python_json(&key))
}

fn path(session: &SsoSession) -> Result<PathBuf> {
    Ok(crate::paths::sso_cache_dir()?.join(format!("{}.json", cache_key(session))))
}

/// Forget a registration the server no longer accepts.
pub fn forget(session: &SsoSession) -> Result<()> {
    crate::fsutil::remove_if_exists(&path(session)?)?;
    Ok(())
}

/// A registration for `flow`: the cached one, or a new one.
pub async fn get_or_register(
    session: &SsoSession,
    oidc: &aws_sdk_ssooidc::Client,
    flow: Flow,
) -> Result<Registration> {
    let path = path(session)?;
    if let Some(r) = cache::read::<Registration>(&path)?
        && r.fits(flow, Timestamp::now())
    {
        crate::trace!("reusing client registration {}", path.display());
        return Ok(r);
    }
    let endpoint = client::endpoint(Service::Oidc, &session.region);
    crate::trace!("RegisterClient at {endpoint}");
    let client_name = match &session.name {
        Some(n) => format!("ssoenv-{n}"),
        None => format!("ssoenv-{}", Timestamp::now().unix_seconds()),
    };
    let scopes = flow.scopes(session);
    let grant_types = (flow == Flow::AuthorizationCode)
        .then(|| Flow::AUTHORIZATION_CODE_GRANTS.map(String::from).to_vec());
    let mut request = oidc
        .register_client()
        .client_name(client_name)
        .client_type("public")
        .set_scopes(scopes.clone())
        .set_grant_types(grant_types.clone());
    if flow == Flow::AuthorizationCode {
        request = request
            .redirect_uris(redirect_uri_without_port())
            .issuer_url(&session.start_url);
    }
    let out = request
        .send()
        .await
        .map_err(|e| client::failure("RegisterClient", &endpoint, &e))?;
    let expires = Timestamp::from_unix_seconds(out.client_secret_expires_at)
        .ok_or_else(|| Error::failed("RegisterClient returned an invalid expiry"))?;
    let registration = Registration {
        client_id: out
            .client_id
            .ok_or_else(|| Error::failed("RegisterClient returned no client id"))?,
        client_secret: out
            .client_secret
            .ok_or_else(|| Error::failed("RegisterClient returned no secret"))?
            .into(),
        expires_at: expires,
        scopes,
        grant_types,
    };
    cache::write(&path, &registration)?;
    Ok(registration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_serves_only_its_own_flow() {
        let now: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        let in_a_month = now.saturating_add(time::Duration::days(30));
        let device = Registration {
            client_id: "c".into(),
            client_secret: "s".into(),
            expires_at: in_a_month,
            scopes: None,
            grant_types: None,
        };
        let pkce = Registration {
            grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
            ..device.clone()
        };
        assert!(device.fits(Flow::DeviceCode, now));
        assert!(!device.fits(Flow::AuthorizationCode, now));
        assert!(pkce.fits(Flow::AuthorizationCode, now));
        assert!(!pkce.fits(Flow::DeviceCode, now));
        let expiring = Registration {
            expires_at: now.saturating_add(time::Duration::minutes(10)),
            ..pkce
        };
        assert!(!expiring.fits(Flow::AuthorizationCode, now));
    }

    #[test]
    fn key_matches_the_aws_cli() {
        // The reference's worked example.
        let session = SsoSession {
            name: Some("my-sso".into()),
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: None,
        };
        assert_eq!(
            cache_key(&session),
            "8b2cedd020fb181ad4cf906d1d27b232fd31557e"
        );
    }

    fn registration(expires_at: &str, grant_types: Option<&[&str]>) -> Registration {
        Registration {
            client_id: "c".into(),
            client_secret: "client-SECRET".into(),
            expires_at: expires_at.parse().unwrap(),
            scopes: None,
            grant_types: grant_types.map(|g| g.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn an_empty_client_id_or_secret_does_not_read() {
        let text = r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2026-01-01T00:00:00Z"}"#;
        assert!(serde_json::from_str::<Registration>(text).is_ok());
        for empty in [r#""c""#, r#""s""#] {
            let bad = text.replacen(empty, r#""""#, 1);
            assert!(serde_json::from_str::<Registration>(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn device_flow_needs_a_fresh_non_pkce_registration() {
        let now: Timestamp = "2026-06-01T12:00:00Z".parse().unwrap();
        assert!(registration("2026-06-30T00:00:00Z", None).fits(Flow::DeviceCode, now));
        assert!(!registration("2026-06-01T12:10:00Z", None).fits(Flow::DeviceCode, now));
        let pkce = registration("2026-06-30T00:00:00Z", Some(&["authorization_code"]));
        assert!(!pkce.fits(Flow::DeviceCode, now));
    }

    #[test]
    fn debug_shows_no_secret() {
        let r = registration("2026-06-30T00:00:00Z", None);
        let shown = format!("{r:?} {r:#?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("2026-06-30T00:00:00Z"), "{shown}");
    }
}
