//! Sign out: end the session at Identity Center (sso:Logout), then delete
//! its token and the role credentials cached with it.

use std::path::Path;

use crate::cli::LogoutArgs;
use crate::config::{self, Config, SsoSession};
use crate::error::Result;
use crate::sso::assume;
use crate::sso::client::{self, Service};
use crate::sso::credentials::{self, CliCacheEntry};
use crate::sso::lock::{self, Wait};
use crate::sso::token::{self, CachedToken};
use crate::target;

pub async fn run(args: LogoutArgs) -> Result<()> {
    let config = Config::load()?;
    if args.all {
        return logout_all().await;
    }
    // An ACCOUNT/ROLE is found in the cached lists alone: signing out must
    // work when the sign-in has ended and no list can be fetched.
    let session = match &args.sso_session {
        Some(name) => config.sso_session(name)?,
        None => {
            let spelling = config::selected_profile(args.profile.as_deref());
            target::resolve_cached(&config, &spelling, None)?
                .chain
                .root
                .session
        }
    };
    let path = token::path(&session)?;
    let token = token::load(&session)?;
    if let Some(t) = &token {
        end_session(t).await;
    }
    // A token file that could not be read is deleted all the same.
    remove(&path, token::TOKEN_LOCK).await?;
    // Role credentials of every profile that used this session, and the
    // roles assumed with them.
    let mut deleted = 0;
    for name in config.profile_names() {
        let Ok(chain) = config.chain(name) else {
            continue;
        };
        if chain.root.session != session {
            continue;
        }
        let mut paths = vec![credentials::path(&chain.root)?];
        for role in &chain.roles {
            paths.push(assume::path(role)?);
        }
        for path in paths {
            if remove(&path, credentials::CREDENTIALS_LOCK).await? {
                deleted += 1;
            }
        }
    }
    // And of every account/role target the session's list holds.
    for p in crate::target::listed(&config, &session) {
        if remove(&credentials::path(&p)?, credentials::CREDENTIALS_LOCK).await? {
            deleted += 1;
        }
    }
    crate::say!("{}", signed_out(&session, token.is_some(), deleted));
    Ok(())
}

/// The one line `logout` ends with: what there was to sign out of.
fn signed_out(session: &SsoSession, had_token: bool, credentials: usize) -> String {
    match (had_token, credentials) {
        (true, _) => format!("signed out of {session}"),
        (false, 0) => format!("not signed in to {session}; nothing to do"),
        (false, n) => format!(
            "not signed in to {session}; deleted the cached role credentials of {}",
            count(n, "profile")
        ),
    }
}

/// "1 session", "2 sessions".
fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// Like `aws sso logout`: every cached token, and every SSO role credential
/// in the AWS CLI's cache; client registrations stay.
async fn logout_all() -> Result<()> {
    let mut sessions = 0;
    for path in json_files(&crate::paths::sso_cache_dir()?)? {
        // Registrations share the directory: quietly skip what isn't a token.
        if let Some(t) = read_quietly::<CachedToken>(&path) {
            end_session(&t).await;
            if remove(&path, token::TOKEN_LOCK).await? {
                sessions += 1;
            }
        }
    }
    let mut credentials = 0;
    for path in json_files(&crate::paths::cli_cache_dir()?)? {
        if let Some(e) = read_quietly::<CliCacheEntry>(&path)
            && e.provider_type.as_deref() == Some("sso")
            && remove(&path, credentials::CREDENTIALS_LOCK).await?
        {
            credentials += 1;
        }
    }
    crate::say!("{}", signed_out_of_all(sessions, credentials));
    Ok(())
}

/// The one line `logout --all` ends with.
fn signed_out_of_all(sessions: usize, credentials: usize) -> String {
    match (sessions, credentials) {
        (0, 0) => "no session was signed in; nothing to do".to_string(),
        (0, n) => format!(
            "no session was signed in; deleted {} of cached role credentials",
            count(n, "file")
        ),
        (n, _) => format!("signed out of {}", count(n, "session")),
    }
}

/// Best effort: a token the server no longer knows is signed out anyway.
async fn end_session(token: &CachedToken) {
    let Some(region) = &token.region else { return };
    let endpoint = client::endpoint(Service::Portal, region);
    crate::trace!("Logout at {endpoint}");
    let result = client::portal(region)
        .await
        .logout()
        .access_token(token.access_token.expose())
        .send()
        .await;
    if let Err(e) = result
        && client::error_code(&e) != Some("UnauthorizedException")
    {
        crate::warn!("{}", client::failure("Logout", &endpoint, &e));
    }
}

fn read_quietly<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn json_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    match std::fs::read_dir(dir) {
        Ok(rd) => Ok(rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(crate::error::Error::io(
            format_args!("list {}", dir.display()),
            e,
        )),
    }
}

/// Delete a cache file under its lock: a refresh or fetch in flight cannot
/// write it back after we deleted it. Token files go first, so a fetch that
/// starts afterwards finds no session. Whether there was a file to delete.
async fn remove(path: &Path, lock_kind: &str) -> Result<bool> {
    let wait = client::budget() * 2 + std::time::Duration::from_secs(5);
    let _lock = lock::acquire(
        &lock::name_for(lock_kind, path),
        wait,
        "a fetch to finish",
        Wait::Quiet,
    )
    .await?;
    let removed = crate::fsutil::remove_if_exists(path)?;
    if removed {
        crate::trace!("deleted {}", path.display());
    }
    Ok(removed)
}
