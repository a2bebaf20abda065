//! Credentials for a resolved profile ([`Chain`]): the SSO role credentials
//! of its root, then AssumeRole for each role hop, each hop cached in the
//! AWS CLI v2's `~/.aws/cli/cache` under botocore's AssumeRole key, so
//! either tool reuses what the other fetched (wave2.md §4.1).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value, json};

use super::cache;
use super::client::{self, Service};
use super::credentials::{self, RoleCredentials};
use super::lock;
use super::single_flight;
use crate::config::{Chain, RoleProfile};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::timestamp::Timestamp;

/// Whether a hop that needs an MFA code may ask for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mfa<'a> {
    /// On the terminal (`/dev/tty`): commands a person runs.
    Ask,
    /// Never: the prompt hook and `credential-process`, which have no one to
    /// ask; they report that a code is needed.
    Never,
    /// Never, in the credential server, which asked when it started: in the
    /// background a read of the terminal stops it (SIGTTIN), and a prompt
    /// would hold up every request meanwhile. It reports that `restart`, the
    /// command that started it, must be run again to enter a new code.
    NeverRestart(&'a str),
}

/// The credentials `chain` yields: the root's SSO role credentials, then
/// each role assumed with the credentials before it. Resolved from the end,
/// as botocore checks the assumed role's cache before its source: the last
/// hop with reusable cached credentials is where the walk starts, so a
/// profile whose own credentials are cached needs no sign-in (nor an MFA
/// code) until they run out. Only when no hop has them is SSO asked.
pub async fn credentials(chain: &Chain, mfa: Mfa<'_>) -> Result<RoleCredentials> {
    let (next, mut creds) = match last_cached(chain)? {
        Some((hop, creds)) => (hop + 1, creds),
        None => (0, credentials::get(&chain.root).await?),
    };
    for role in &chain.roles[next..] {
        creds = get(chain, role, &creds, mfa).await?;
    }
    Ok(creds)
}

/// The last role hop whose cached credentials can be reused, and those
/// credentials; the caches are read from the end, stopping at the first hit.
fn last_cached(chain: &Chain) -> Result<Option<(usize, RoleCredentials)>> {
    let now = Timestamp::now();
    for (hop, role) in chain.roles.iter().enumerate().rev() {
        if let Some(c) = load(role)?
            && single_flight::reusable(&c, now)
        {
            crate::trace!(
                "using cached credentials for {} until {}",
                role.name,
                c.expiration
            );
            return Ok(Some((hop, c)));
        }
    }
    Ok(None)
}

/// The cached credentials of each hop, root first, for `status`: None where
/// nothing usable is cached.
pub fn cached(chain: &Chain) -> Result<Vec<(String, Option<RoleCredentials>)>> {
    let mut out = vec![(chain.root.name.clone(), credentials::load(&chain.root)?)];
    for role in &chain.roles {
        out.push((role.name.clone(), load(role)?));
    }
    Ok(out)
}

/// The AssumeRole arguments botocore puts in its cache key: a generated
/// session name is left out, so it is never in the key.
fn key_arguments(role: &RoleProfile) -> Map<String, Value> {
    let mut args = Map::new();
    args.insert("RoleArn".into(), json!(role.role_arn));
    if let Some(n) = &role.session_name {
        args.insert("RoleSessionName".into(), json!(n));
    }
    if let Some(id) = &role.external_id {
        args.insert("ExternalId".into(), json!(id));
    }
    if let Some(serial) = &role.mfa_serial {
        args.insert("SerialNumber".into(), json!(serial));
    }
    if let Some(d) = role.duration_seconds {
        args.insert("DurationSeconds".into(), json!(d));
    }
    args
}

/// `BaseAssumeRoleCredentialFetcher._create_cache_key`: sha1 of the sorted
/// arguments as `json.dumps` writes them (default separators). Like the
/// AWS CLI's, the key does not include the source profile or credentials.
pub fn cache_key(role: &RoleProfile) -> String {
    // serde_json's map is ordered by key. botocore then replaces `:` and `/`
    // with `_`, which a hex digest never contains.
    cache::sha1_hex(&cache::python_json(&key_arguments(role)))
}

pub fn path(role: &RoleProfile) -> Result<PathBuf> {
    Ok(crate::paths::cli_cache_dir()?.join(format!("{}.json", cache_key(role))))
}

/// The AWS CLI's cache entry for an assumed role: the AssumeRole response,
/// `AccountId` added to the credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    #[serde(rename = "Credentials")]
    credentials: CachedCredentials,
    #[serde(
        rename = "AssumedRoleUser",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    assumed_role_user: Option<AssumedRoleUser>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CachedCredentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Secret,
    /// The CLI writes `2026-12-01T08:29:41UTC`; ssoenv writes RFC 3339,
    /// which the CLI's dateutil reads too.
    #[serde(deserialize_with = "botocore_time")]
    expiration: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AssumedRoleUser {
    assumed_role_id: String,
    arn: String,
}

fn botocore_time<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Timestamp, D::Error> {
    let s = String::deserialize(d)?;
    let rfc3339 = match s.strip_suffix("UTC") {
        Some(t) => format!("{t}Z"),
        None => s,
    };
    rfc3339.parse().map_err(serde::de::Error::custom)
}

impl From<CachedCredentials> for RoleCredentials {
    fn from(c: CachedCredentials) -> RoleCredentials {
        RoleCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            expiration: c.expiration,
            account_id: c.account_id,
        }
    }
}

pub fn load(role: &RoleProfile) -> Result<Option<RoleCredentials>> {
    Ok(cache::read::<CacheEntry>(&path(role)?)?.map(|e| e.credentials.into()))
}

/// The hop's credentials: cached ones while [`single_flight::reusable`],
/// else AssumeRole with `source`, single-flight under the hop's lock,
/// exactly as for SSO role credentials.
async fn get(
    chain: &Chain,
    role: &RoleProfile,
    source: &RoleCredentials,
    mfa: Mfa<'_>,
) -> Result<RoleCredentials> {
    let path = path(role)?;
    let lock = lock::name_for(credentials::CREDENTIALS_LOCK, &path);
    single_flight::get(
        &role.name,
        &lock,
        || load(role),
        || assume(chain, role, source, mfa, &path),
    )
    .await
}

/// AssumeRole for the hop, asking for its MFA code as `mfa` allows, and the
/// credentials cached at `path`.
async fn assume(
    chain: &Chain,
    role: &RoleProfile,
    source: &RoleCredentials,
    mfa: Mfa<'_>,
    path: &Path,
) -> Result<RoleCredentials> {
    let code = match (&role.mfa_serial, mfa) {
        (None, _) => None,
        (Some(serial), Mfa::Ask) => Some(ask_mfa_code(serial)?),
        (Some(serial), Mfa::Never) => {
            return Err(Error::failed(format!(
                "profile {} needs an MFA code for {serial}; run `ssoenv use {}` (or `ssoenv export {}`) in a terminal to enter it",
                role.name, chain.profile.name, chain.profile.name
            )));
        }
        (Some(serial), Mfa::NeverRestart(command)) => {
            return Err(Error::failed(format!(
                "profile {} needs a new MFA code for {serial}; restart `{command}` in a terminal to enter it",
                role.name
            )));
        }
    };
    if let Some(from) = role.clamped_from {
        crate::warn!(
            "profile {}: duration_seconds = {from} is more than a role chained after SSO may last; using {}",
            role.name,
            crate::config::CHAINED_MAX_SECONDS
        );
    }
    let region = role
        .region
        .as_deref()
        .or(chain.root.region.as_deref())
        .unwrap_or(&chain.root.session.region);
    let entry = fetch(role, source, region, code.as_deref()).await?;
    cache::write(path, &entry)?;
    Ok(entry.credentials.into())
}

async fn fetch(
    role: &RoleProfile,
    source: &RoleCredentials,
    region: &str,
    code: Option<&str>,
) -> Result<CacheEntry> {
    let endpoint = client::endpoint(Service::Sts, region);
    let session_name = role
        .session_name
        .clone()
        .unwrap_or_else(|| format!("botocore-session-{}", Timestamp::now().unix_seconds()));
    crate::trace!(
        "AssumeRole at {endpoint} for {} (profile {})",
        role.role_arn,
        role.name
    );
    let out = client::sts(region, source)
        .await
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(session_name)
        .set_external_id(role.external_id.clone())
        .set_serial_number(role.mfa_serial.clone())
        .set_token_code(code.map(str::to_string))
        .set_duration_seconds(role.duration_seconds.map(|d| d as i32))
        .send()
        .await
        .map_err(|e| match client::error_code(&e) {
            Some("AccessDenied") => Error::failed(format!(
                "not allowed to assume {} (profile {}): {}",
                role.role_arn,
                role.name,
                e.as_service_error()
                    .and_then(aws_sdk_sts::error::ProvideErrorMetadata::message)
                    .unwrap_or("access denied")
            )),
            _ => client::failure("AssumeRole", &endpoint, &e),
        })?;
    let missing = || Error::failed("AssumeRole returned incomplete credentials");
    let c = out.credentials.ok_or_else(missing)?;
    let user = out.assumed_role_user.map(|u| AssumedRoleUser {
        assumed_role_id: u.assumed_role_id,
        arn: u.arn,
    });
    let account_id = user
        .as_ref()
        .and_then(|u| u.arn.split(':').nth(4))
        .map(str::to_string);
    let expiration = Timestamp::from_unix_seconds(c.expiration.secs()).ok_or_else(missing)?;
    if [&c.access_key_id, &c.secret_access_key, &c.session_token]
        .iter()
        .any(|v| v.contains('\0'))
    {
        return Err(Error::failed("AssumeRole returned a value containing NUL"));
    }
    Ok(CacheEntry {
        credentials: CachedCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key.into(),
            session_token: c.session_token.into(),
            expiration,
            account_id,
        },
        assumed_role_user: user,
    })
}

/// Ask on the terminal, not stdout (which `use` and `export` hand to eval),
/// with botocore's prompt, and without echoing the code.
fn ask_mfa_code(serial: &str) -> Result<String> {
    let (tty, mut out) = crate::platform::open_terminal().map_err(|e| {
        // The platform's own reason (running in the background), else the
        // system's: there is no terminal.
        let why = match e.get_ref() {
            Some(reason) => reason.to_string(),
            None => "there is no terminal to ask on".to_string(),
        };
        Error::failed(format!("an MFA code for {serial} is needed, and {why}"))
    })?;
    write!(out, "Enter MFA code for {serial}: ")
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("write to the terminal", e))?;
    // Not echoed, as botocore reads it: a code on screen is a code others
    // can read over a shoulder or in a shared session's scrollback.
    let line = crate::platform::read_hidden_line(&tty);
    writeln!(out).map_err(|e| Error::io("write to the terminal", e))?;
    let line = line.map_err(|e| Error::io("read from the terminal", e))?;
    let code = line.trim();
    if code.is_empty() {
        return Err(Error::interrupted("no MFA code entered"));
    }
    Ok(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(arn: &str) -> RoleProfile {
        RoleProfile {
            name: "r".into(),
            role_arn: arn.into(),
            session_name: None,
            duration_seconds: None,
            clamped_from: None,
            external_id: None,
            mfa_serial: None,
            region: None,
        }
    }

    #[test]
    fn keys_match_the_worked_examples() {
        let mut r = role("arn:aws:iam::123456789012:role/Admin");
        assert_eq!(cache_key(&r), "51e7b105b5040ce662656c8dc6ab4de70c4de7ad");
        r.duration_seconds = Some(3600);
        assert_eq!(cache_key(&r), "d01f726b6165762f6f71e742b03b1bc031b82dbf");
        r.duration_seconds = Some(900);
        r.external_id = Some("xyz".into());
        r.session_name = Some("alice".into());
        r.mfa_serial = Some("arn:aws:iam::111111111111:mfa/alice".into());
        assert_eq!(cache_key(&r), "926a2a09e724e91284244269b8d249204ca6cade");
    }

    #[test]
    fn reads_the_cli_entries() {
        let text = r#"{"Credentials": {"AccessKeyId": "ASIAX", "SecretAccessKey": "sk-SECRET", "SessionToken": "tok-SECRET", "Expiration": "2026-12-01T08:29:41UTC", "AccountId": "123456789012"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:x", "Arn": "arn:aws:sts::123456789012:assumed-role/Admin/x"}, "ResponseMetadata": {"RequestId": "r"}}"#;
        let entry: CacheEntry = serde_json::from_str(text).unwrap();
        let shown = format!("{entry:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        let creds: RoleCredentials = entry.credentials.clone().into();
        assert_eq!(creds.expiration.to_string(), "2026-12-01T08:29:41Z");
        assert_eq!(creds.account_id.as_deref(), Some("123456789012"));
        let written = cache::python_json(&entry);
        assert!(
            written.contains(r#""Expiration": "2026-12-01T08:29:41Z""#),
            "{written}"
        );
    }
}
