//! Role credentials: GetRoleCredentials, cached in the AWS CLI v2's own
//! cache (`~/.aws/cli/cache`), so either tool reuses what the other fetched.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, de};
use serde_json::json;
use zeroize::Zeroizing;

use super::cache;
use super::client::{self, Service};
use super::single_flight::{self, Expiring};
use super::{lock, token};
use crate::config::SsoProfile;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::timestamp::Timestamp;

/// A cache entry whose members do not read (an expiration that is not
/// RFC 3339, or a key no environment can carry) is ignored as a whole, with
/// a warning, and fetched again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleCredentials {
    #[serde(deserialize_with = "carried")]
    pub access_key_id: String,
    #[serde(deserialize_with = "carried")]
    pub secret_access_key: Secret,
    #[serde(deserialize_with = "carried")]
    pub session_token: Secret,
    pub expiration: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl Expiring for RoleCredentials {
    fn expiration(&self) -> Timestamp {
        self.expiration
    }
}

/// Whether an environment variable can hold `value`: anything but NUL. A
/// key with NUL in it is refused, fetched or cached, rather than truncated.
fn can_be_carried(value: &str) -> bool {
    !value.contains('\0')
}

/// A key read from a cache file, refused as [`can_be_carried`] says.
fn carried<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<T, D::Error> {
    let mut value = Zeroizing::new(String::deserialize(d)?);
    if !can_be_carried(&value) {
        // Never quoted: it could be a secret.
        return Err(de::Error::custom("a key that contains NUL"));
    }
    Ok(T::from(std::mem::take(&mut *value)))
}

/// The AWS CLI's cache entry: `{"ProviderType": "sso", "Credentials": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CliCacheEntry {
    #[serde(rename = "ProviderType")]
    pub provider_type: Option<String>,
    #[serde(rename = "Credentials")]
    pub credentials: RoleCredentials,
}

/// `SSOCredentialFetcher._create_cache_key`: sha1 of compact, key-sorted
/// JSON of account, role and session name (or start URL for legacy).
pub fn cache_key(profile: &SsoProfile) -> String {
    let mut key = json!({"accountId": profile.account_id, "roleName": profile.role_name});
    match &profile.session.name {
        Some(n) => key["sessionName"] = json!(n),
        None => key["startUrl"] = json!(profile.session.start_url),
    }
    // serde_json's map is ordered by key, and to_string is compact.
    cache::sha1_hex(&key.to_string())
}

/// Lock kind for work on a role-credential file.
pub const CREDENTIALS_LOCK: &str = "creds";

pub fn path(profile: &SsoProfile) -> Result<PathBuf> {
    Ok(crate::paths::cli_cache_dir()?.join(format!("{}.json", cache_key(profile))))
}

pub fn load(profile: &SsoProfile) -> Result<Option<RoleCredentials>> {
    Ok(cache::read::<CliCacheEntry>(&path(profile)?)?.map(|e| e.credentials))
}

/// Credentials for `profile`: cached ones with more than 15 minutes left,
/// else fetched with the session's token (refreshing the token if needed).
/// Concurrent callers for one profile make a single GetRoleCredentials call.
pub async fn get(profile: &SsoProfile) -> Result<RoleCredentials> {
    let path = path(profile)?;
    let lock = lock::name_for(CREDENTIALS_LOCK, &path);
    single_flight::get(
        &profile.name,
        &lock,
        || load(profile),
        || async {
            let fresh = fetch(profile).await?;
            let entry = CliCacheEntry {
                provider_type: Some("sso".into()),
                credentials: fresh.clone(),
            };
            // Unsaved (a full disk), they still serve this command.
            if let Err(e) = cache::write(&path, &entry) {
                crate::warn!(
                    "the credentials for profile {} could not be cached ({e}); this command uses them, and they are fetched again next time",
                    profile.name
                );
            }
            Ok(fresh)
        },
    )
    .await
}

async fn fetch(profile: &SsoProfile) -> Result<RoleCredentials> {
    let token = token::valid(&profile.session, Some(&profile.name)).await?;
    let region = &profile.session.region;
    let endpoint = client::endpoint(Service::Portal, region);
    crate::trace!(
        "GetRoleCredentials at {endpoint} for account {} role {}",
        profile.account_id,
        profile.role_name
    );
    let out = client::portal(region)
        .await
        .get_role_credentials()
        .access_token(token.access_token.expose())
        .account_id(&profile.account_id)
        .role_name(&profile.role_name)
        .send()
        .await
        .map_err(|e| match client::error_code(&e) {
            // The cached token still looks good, so a plain `login` would
            // keep it: the hint must force a new sign-in.
            Some("UnauthorizedException") => Error::login_required(
                format!("the SSO session for profile {} has ended", profile.name),
                &format!("{} --force", profile.login_args()),
            ),
            Some("ForbiddenException") => Error::failed(format!(
                "no access to role {} in account {} (profile {}): check sso_account_id and sso_role_name",
                profile.role_name, profile.account_id, profile.name
            )),
            _ => client::failure("GetRoleCredentials", &endpoint, &e),
        })?;
    let rc = out
        .role_credentials
        .ok_or_else(|| Error::failed("GetRoleCredentials returned no credentials"))?;
    let missing = || Error::failed("GetRoleCredentials returned incomplete credentials");
    let creds = RoleCredentials {
        access_key_id: rc.access_key_id.ok_or_else(missing)?,
        secret_access_key: rc.secret_access_key.ok_or_else(missing)?.into(),
        session_token: rc.session_token.ok_or_else(missing)?.into(),
        expiration: Timestamp::from_unix_millis(rc.expiration).ok_or_else(missing)?,
        account_id: Some(profile.account_id.clone()),
    };
    if ![
        creds.access_key_id.as_str(),
        creds.secret_access_key.expose(),
        creds.session_token.expose(),
    ]
    .into_iter()
    .all(can_be_carried)
    {
        return Err(Error::failed(
            "GetRoleCredentials returned a value containing NUL",
        ));
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SsoSession;

    #[test]
    fn key_matches_the_aws_cli() {
        // The reference's worked example.
        let p = SsoProfile {
            name: "x".into(),
            account_id: "123456789012".into(),
            role_name: "ReadOnly".into(),
            region: None,
            session: SsoSession {
                name: Some("my-sso".into()),
                start_url: "https://example".into(),
                region: "us-east-1".into(),
                scopes: None,
            },
        };
        assert_eq!(cache_key(&p), "31b260dab331b2af063485cea75f7b8b3cf54c71");
    }

    #[test]
    fn debug_shows_no_secret() {
        let creds = RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "secret-SECRET".into(),
            session_token: "token-SECRET".into(),
            expiration: "2026-01-01T00:00:00Z".parse().unwrap(),
            account_id: Some("111111111111".into()),
        };
        let entry = CliCacheEntry {
            provider_type: Some("sso".into()),
            credentials: creds,
        };
        let shown = format!("{entry:?} {entry:#?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("ASIAEXAMPLE"), "{shown}");
    }

    #[test]
    fn cache_entries_read_and_write_like_the_aws_cli() {
        let text = r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "k", "SessionToken": "t", "Expiration": "2026-01-01T00:00:00Z", "AccountId": "111111111111"}}"#;
        let entry: CliCacheEntry = serde_json::from_str(text).unwrap();
        assert_eq!(cache::python_json(&entry), text);
        let bad = text.replace("2026-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59");
        assert!(serde_json::from_str::<CliCacheEntry>(&bad).is_err());
        // NUL in any key, as JSON escapes it.
        for (plain, with_nul) in [
            (r#""ASIA""#, r#""AS\u0000IA""#),
            (r#""k""#, r#""k\u0000""#),
            (r#""t""#, r#""\u0000t""#),
        ] {
            let bad = text.replacen(plain, with_nul, 1);
            assert_ne!(bad, text);
            assert!(
                serde_json::from_str::<CliCacheEntry>(&bad).is_err(),
                "{bad}"
            );
        }
    }
}
