//! Sign out: end the session at Identity Center (sso:Logout), then delete
//! its token and the role credentials cached with it.

use std::path::Path;

use crate::cli::LogoutArgs;
use crate::config::{self, Config};
use crate::error::Result;
use crate::sso::client::{self, Service};
use crate::sso::credentials::{self, CliCacheEntry};
use crate::sso::lock::{self, Wait};
use crate::sso::token::{self, CachedToken};

pub async fn run(args: LogoutArgs) -> Result<()> {
    let config = Config::load()?;
    if args.all {
        return logout_all().await;
    }
    let session = match &args.sso_session {
        Some(name) => config.sso_session(name)?,
        None => {
            config
                .sso_profile(&config::selected_profile(args.profile.as_deref()))?
                .session
        }
    };
    let path = token::path(&session)?;
    match token::load(&session)? {
        Some(t) => end_session(&t).await,
        None => crate::say!("not signed in to {}", session.cache_key()),
    }
    remove(&path, token::TOKEN_LOCK).await?;
    // Role credentials of every profile that used this session.
    for name in config.profile_names() {
        if let Ok(p) = config.sso_profile(name)
            && p.session == session
        {
            remove(&credentials::path(&p)?, credentials::CREDENTIALS_LOCK).await?;
        }
    }
    crate::say!("signed out of {}", session);
    Ok(())
}

/// Like `aws sso logout`: every cached token, and every SSO role credential
/// in the AWS CLI's cache; client registrations stay.
async fn logout_all() -> Result<()> {
    let mut count = 0;
    for path in json_files(&crate::paths::sso_cache_dir()?)? {
        // Registrations share the directory: quietly skip what isn't a token.
        if let Some(t) = read_quietly::<CachedToken>(&path) {
            end_session(&t).await;
            remove(&path, token::TOKEN_LOCK).await?;
            count += 1;
        }
    }
    for path in json_files(&crate::paths::cli_cache_dir()?)? {
        if let Some(e) = read_quietly::<CliCacheEntry>(&path)
            && e.provider_type.as_deref() == Some("sso")
        {
            remove(&path, credentials::CREDENTIALS_LOCK).await?;
        }
    }
    crate::say!("signed out of {count} session(s)");
    Ok(())
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
/// starts afterwards finds no session.
async fn remove(path: &Path, lock_kind: &str) -> Result<()> {
    let wait = client::budget() * 2 + std::time::Duration::from_secs(5);
    let _lock = lock::acquire(
        &lock::name_for(lock_kind, path),
        wait,
        "a fetch to finish",
        Wait::Quiet,
    )
    .await?;
    if crate::fsutil::remove_if_exists(path)? {
        crate::trace!("deleted {}", path.display());
    }
    Ok(())
}
