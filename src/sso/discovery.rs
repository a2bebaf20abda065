//! Discovery: every account and role a sign-in reaches, from ListAccounts
//! and ListAccountRoles, cached per SSO session in ssoenv's cache directory.
//! `list` prints it; whatever else needs the accounts and roles (targets
//! named ACCOUNT/ROLE, the picker, `populate`, completions) reads the same
//! list through [`assignments`] or, without network, [`cached`].

use std::cmp::Ordering;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sso::config::http::HttpResponse;
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::cache;
use super::client::{self, Service};
use super::lock::{self, Wait};
use super::token;
use crate::config::{Config, SsoSession};
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// How long a fetched list is reused; `list --refresh` fetches sooner (a new
/// permission set shows up only then).
pub const LIST_TTL: time::Duration = time::Duration::hours(12);

/// The largest page both operations allow (wave2.md §2.1).
const PAGE_SIZE: i32 = 100;

/// ListAccountRoles calls in flight at once: enough to keep the rate limiter
/// busy at a second of latency, few enough to be polite (wave2.md §2.2).
const PARALLEL_ROLE_LISTINGS: usize = 8;

/// From this many accounts on, a listing takes seconds at the portal's rate
/// limit: say so rather than look stuck.
const MANY_ACCOUNTS: usize = 100;

/// Lock kind for work on a list cache file.
const LIST_LOCK: &str = "list";

/// How long to wait for another process's listing of the same session:
/// hundreds of accounts take a minute at the rate limit.
const LOCK_WAIT: Duration = Duration::from_secs(300);

/// One role in one account that the sign-in may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub account_id: String,
    /// The account's name; its id when Identity Center gives none.
    pub account_name: String,
    pub role_name: String,
}

/// By account name (ignoring case, as the AWS CLI sorts), account id, then
/// role name (ignoring case).
impl Ord for Assignment {
    fn cmp(&self, other: &Self) -> Ordering {
        caseless(&self.account_name, &other.account_name)
            .then_with(|| self.account_id.cmp(&other.account_id))
            .then_with(|| caseless(&self.role_name, &other.role_name))
            .then_with(|| self.account_name.cmp(&other.account_name))
            .then_with(|| self.role_name.cmp(&other.role_name))
    }
}

impl PartialOrd for Assignment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

fn caseless(a: &str, b: &str) -> Ordering {
    fn lower(s: &str) -> impl Iterator<Item = char> + '_ {
        s.chars().flat_map(char::to_lowercase)
    }
    lower(a).cmp(lower(b))
}

/// Everything one SSO session reaches, sorted, and when it was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub assignments: Vec<Assignment>,
    pub fetched_at: Timestamp,
    /// Read from the cache rather than fetched by this call (times are
    /// kept to the second, too coarse to tell the two apart).
    pub from_cache: bool,
}

impl Listing {
    /// Young enough to reuse. A list from the future (the clock was set
    /// back) is not.
    pub fn is_fresh(&self, now: Timestamp) -> bool {
        let age = now.remaining(self.fetched_at);
        age >= time::Duration::ZERO && age < LIST_TTL
    }
}

/// Whether [`assignments`] may answer from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// A cached list younger than LIST_TTL will do.
    IfStale,
    /// Fetch again (`list --refresh`).
    Always,
}

/// Every sign-in the config describes, each once: one token (and one list)
/// serves every session or legacy profile with the same cache key.
pub fn sessions(config: &Config) -> Vec<SsoSession> {
    let mut seen = std::collections::HashSet::new();
    config
        .all_sessions()
        .into_iter()
        .filter(|s| seen.insert(s.cache_key().to_string()))
        .collect()
}

/// The profile a legacy session signs in through, for its sign-in hint:
/// the first that uses it. None for a named sso-session.
pub fn login_profile(config: &Config, session: &SsoSession) -> Option<String> {
    if session.name.is_some() {
        return None;
    }
    config
        .profile_names()
        .find(|n| config.sso_profile(n).is_ok_and(|p| p.session == *session))
        .map(str::to_string)
}

/// The cache file: the list and the session it was fetched for.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    start_url: String,
    sso_region: String,
    fetched_at: Timestamp,
    assignments: Vec<Assignment>,
}

/// `<list cache dir>/<sha1 of the session name or start URL>.json`: one file
/// per sign-in, like the token.
pub fn path(session: &SsoSession) -> Result<PathBuf> {
    Ok(crate::paths::list_cache_dir()?
        .join(format!("{}.json", cache::sha1_hex(session.cache_key()))))
}

/// The cached list of `session`, whatever its age (see
/// [`Listing::is_fresh`]); None when there is none, or it was fetched for
/// another start URL or region. Never touches the network.
pub fn cached(session: &SsoSession) -> Result<Option<Listing>> {
    let Some(file) = cache::read::<CacheFile>(&path(session)?)? else {
        return Ok(None);
    };
    if file.start_url != session.start_url || file.sso_region != session.region {
        crate::trace!("the cached list of {session} was fetched for another start URL or region");
        return Ok(None);
    }
    Ok(Some(Listing {
        assignments: file.assignments,
        fetched_at: file.fetched_at,
        from_cache: true,
    }))
}

/// The accounts and roles `session` reaches: the cached list while fresh
/// (unless `refresh` says otherwise), else fetched and cached. Fetching
/// needs a valid token (`profile` names the profile for the sign-in hint of
/// a legacy session) and never starts a sign-in. Concurrent callers for one
/// session make one listing.
pub async fn assignments(
    session: &SsoSession,
    profile: Option<&str>,
    refresh: Refresh,
) -> Result<Listing> {
    let started = Timestamp::now();
    if refresh == Refresh::IfStale
        && let Some(listing) = cached(session)?
        && listing.is_fresh(started)
    {
        crate::trace!("using the cached list of {session}");
        return Ok(listing);
    }
    let path = path(session)?;
    let _lock = lock::acquire(
        &lock::name_for(LIST_LOCK, &path),
        LOCK_WAIT,
        "a listing of accounts and roles",
        Wait::Announced,
    )
    .await?;
    // Whoever held the lock may have just listed: reuse that when it is as
    // new as what was asked for.
    if let Some(listing) = cached(session)? {
        let reusable = match refresh {
            Refresh::IfStale => listing.is_fresh(Timestamp::now()),
            // Strictly later: times are kept to the second, and a listing
            // begun in the second we started may predate the request.
            Refresh::Always => listing.fetched_at > started,
        };
        if reusable {
            return Ok(listing);
        }
    }
    let token = token::valid(session, profile).await?;
    let fetched_at = Timestamp::now();
    let mut assignments = fetch(session, profile, token.access_token.expose()).await?;
    assignments.sort();
    let listing = Listing {
        assignments,
        fetched_at,
        from_cache: false,
    };
    let file = CacheFile {
        start_url: session.start_url.clone(),
        sso_region: session.region.clone(),
        fetched_at,
        assignments: listing.assignments.clone(),
    };
    cache::write(&path, &file)?;
    Ok(listing)
}

/// Every page of ListAccounts, and of ListAccountRoles for each account as
/// soon as its page arrives, PARALLEL_ROLE_LISTINGS at a time. Every call
/// waits at the portal's rate limiter; the first failure ends the listing.
async fn fetch(
    session: &SsoSession,
    profile: Option<&str>,
    access_token: &str,
) -> Result<Vec<Assignment>> {
    let region = &session.region;
    let endpoint = client::endpoint(Service::Portal, region);
    crate::trace!("ListAccounts and ListAccountRoles at {endpoint} for {session}");
    let portal = client::listing_portal(region).await;
    let permits = Arc::new(Semaphore::new(PARALLEL_ROLE_LISTINGS));
    let mut listings = JoinSet::new();
    let mut accounts = 0;
    let mut pages = portal
        .list_accounts()
        .access_token(access_token)
        .max_results(PAGE_SIZE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failure(session, profile, "ListAccounts", &endpoint, &e))?;
        for account in page.account_list.unwrap_or_default() {
            let Some(account_id) = account.account_id else {
                continue;
            };
            let account_name = account.account_name.unwrap_or_else(|| account_id.clone());
            accounts += 1;
            if accounts == MANY_ACCOUNTS + 1 {
                crate::say!(
                    "listing the roles of more than {MANY_ACCOUNTS} accounts in {session}; \
                     Identity Center allows about 20 calls a second, so this takes a while"
                );
            }
            let (portal, permits) = (portal.clone(), permits.clone());
            let access_token = access_token.to_string();
            listings.spawn(async move {
                let _permit = permits
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                let listed = portal
                    .list_account_roles()
                    .access_token(access_token)
                    .account_id(&account_id)
                    .max_results(PAGE_SIZE)
                    .into_paginator()
                    .items()
                    .send()
                    .try_collect()
                    .await;
                let roles = match listed {
                    Ok(roles) => roles,
                    // Boxed: an SdkError is large to pass back by value.
                    Err(e) => return Err(Box::new(e)),
                };
                Ok(roles
                    .into_iter()
                    .filter_map(|role| role.role_name)
                    .map(|role_name| Assignment {
                        account_id: account_id.clone(),
                        account_name: account_name.clone(),
                        role_name,
                    })
                    .collect::<Vec<_>>())
            });
        }
    }
    let mut all = Vec::new();
    while let Some(joined) = listings.join_next().await {
        let roles = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        all.extend(
            roles.map_err(|e| failure(session, profile, "ListAccountRoles", &endpoint, &*e))?,
        );
    }
    crate::trace!("{} roles in {accounts} accounts", all.len());
    Ok(all)
}

/// A failed listing call. A throttled one has been retried many times by
/// now; it is an error, never a reason to sign in again.
fn failure<E>(
    session: &SsoSession,
    profile: Option<&str>,
    op: &str,
    endpoint: &str,
    err: &SdkError<E, HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match client::error_code(err) {
        Some("UnauthorizedException") => Error::login_required(
            format!("the sign-in to {session} has ended"),
            &session.login_args(profile),
        ),
        Some("TooManyRequestsException") => Error::failed(format!(
            "{}; Identity Center is throttling this sign-in's calls (other tools may be \
             listing too): try again in a minute",
            client::failure(op, endpoint, err)
        )),
        _ => client::failure(op, endpoint, err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(id: &str, name: &str, role: &str) -> Assignment {
        Assignment {
            account_id: id.into(),
            account_name: name.into(),
            role_name: role.into(),
        }
    }

    #[test]
    fn sorted_by_name_ignoring_case_then_id_then_role() {
        let mut list = [
            assignment("3", "prod", "ReadOnly"),
            assignment("2", "Dev", "readonly"),
            assignment("1", "dev", "Admin"),
            assignment("2", "Dev", "Admin"),
            assignment("4", "Ärger", "Admin"),
            assignment("5", "apps", "Admin"),
        ];
        list.sort();
        let order: Vec<(&str, &str)> = list
            .iter()
            .map(|a| (a.account_id.as_str(), a.role_name.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("5", "Admin"),
                ("1", "Admin"),
                ("2", "Admin"),
                ("2", "readonly"),
                ("3", "ReadOnly"),
                ("4", "Admin"),
            ]
        );
    }

    #[test]
    fn fresh_for_twelve_hours_and_never_from_the_future() {
        let now: Timestamp = "2026-05-01T12:00:00Z".parse().unwrap();
        let at = |s: &str| Listing {
            assignments: Vec::new(),
            fetched_at: s.parse().unwrap(),
            from_cache: true,
        };
        assert!(at("2026-05-01T12:00:00Z").is_fresh(now));
        assert!(at("2026-05-01T00:00:01Z").is_fresh(now));
        assert!(!at("2026-05-01T00:00:00Z").is_fresh(now));
        assert!(!at("2026-05-01T12:00:01Z").is_fresh(now));
    }
}
