//! `write-credentials`: role credentials into the shared credentials file,
//! for tools that read only static keys. What the seed's script did with one
//! `aws configure set` per key and profile — without secrets in argv, in one
//! process, with the profiles fetched concurrently and the file written once.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::cli::WriteCredentialsArgs;
use crate::config::{self, Chain, Config, SsoProfile};
use crate::credentials_file::{Clean, CredentialsFile};
use crate::error::{Error, Kind, Result};
use crate::sso::{self, RoleCredentials};
use crate::timestamp::Timestamp;
use crate::user_file::{self, Contents};

/// Profiles fetched at once: enough to hide the round-trip time of a
/// hundred profiles, few enough not to look like a flood to Identity Center.
const PARALLEL_FETCHES: usize = 16;

pub async fn run(args: WriteCredentialsArgs) -> Result<()> {
    let path = crate::paths::credentials_file()?;
    if args.clean {
        return clean(&path, &args).await;
    }
    let config = Config::load()?;
    let profiles = selected(&config, &args).await?;
    if args.section.is_some() && profiles.len() > 1 {
        return Err(Error::usage("--as names one section: give one profile"));
    }
    let fetched = fetch_all(profiles).await;
    let outcomes = update(&path, |file| {
        fetched
            .into_iter()
            .map(|(profile, fetched)| {
                let section = args.section.clone().unwrap_or_else(|| profile.name.clone());
                let result = fetched.and_then(|creds| {
                    let region = match &args.region {
                        Some(Some(r)) => Some(r.as_str()),
                        Some(None) => profile.region.as_deref(),
                        None => None,
                    };
                    file.write_credentials(&section, &creds, region, args.force)
                        .map(|()| creds)
                        .map_err(|e| e.context(path.display()))
                });
                Outcome {
                    profile: profile.name,
                    section,
                    result,
                }
            })
            .collect::<Vec<_>>()
    })
    .await?;
    report(&path, outcomes)
}

async fn selected(config: &Config, args: &WriteCredentialsArgs) -> Result<Vec<Chain>> {
    if args.all {
        let names = config.sso_profile_names();
        if names.is_empty() {
            return Err(Error::usage(format!(
                "no SSO profiles in {}",
                config.path().display()
            )));
        }
        return names.into_iter().map(|n| config.chain(n)).collect();
    }
    let names = match args.profiles.as_slice() {
        [] => vec![config::selected_profile(None)],
        names => names.to_vec(),
    };
    let mut profiles = Vec::with_capacity(names.len());
    for name in names {
        let target = crate::target::resolve(config, &name, args.sso_session.as_deref()).await?;
        profiles.push(target.chain);
    }
    Ok(profiles)
}

/// Credentials of every profile, in the given order, at most
/// PARALLEL_FETCHES at a time. A failure stays with its profile.
async fn fetch_all(profiles: Vec<Chain>) -> Vec<(SsoProfile, Result<RoleCredentials>)> {
    let permits = Arc::new(Semaphore::new(PARALLEL_FETCHES));
    let mut tasks = JoinSet::new();
    let count = profiles.len();
    for (i, profile) in profiles.into_iter().enumerate() {
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            let result = sso::assume::credentials(&profile, sso::assume::Mfa::Ask).await;
            (i, profile.profile, result)
        });
    }
    let mut done = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        done.push(joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())));
    }
    done.sort_by_key(|(i, _, _)| *i);
    done.into_iter().map(|(_, p, r)| (p, r)).collect()
}

/// Read, change and replace the file under one lock, so that processes
/// writing at the same moment never lose each other's sections.
async fn update<T>(path: &Path, change: impl FnOnce(&mut CredentialsFile) -> T) -> Result<T> {
    user_file::update(path, Contents::Secret, |before| {
        let mut file = CredentialsFile::parse(before);
        let out = change(&mut file);
        Ok((file.to_bytes(), out))
    })
    .await
}

struct Outcome {
    profile: String,
    section: String,
    result: Result<RoleCredentials>,
}

/// One line per profile on stderr; a failure of one profile alone is just
/// its error. Exit code 3 when every failure is a missing sign-in.
fn report(path: &Path, mut outcomes: Vec<Outcome>) -> Result<()> {
    let now = Timestamp::now();
    let expiry = |c: &RoleCredentials| {
        format!(
            "expires {} ({})",
            c.expiration,
            c.expiration.describe_expiry(now)
        )
    };
    if outcomes.len() == 1 {
        let single = outcomes.remove(0);
        let creds = single.result?;
        crate::say!(
            "wrote [{}] to {}; {}",
            single.section,
            path.display(),
            expiry(&creds)
        );
        return Ok(());
    }
    let failed: Vec<&Error> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .collect();
    crate::say!(
        "wrote {} of {} profiles to {}",
        outcomes.len() - failed.len(),
        outcomes.len(),
        path.display()
    );
    let width = outcomes.iter().map(|o| o.profile.len()).max().unwrap_or(0);
    for o in &outcomes {
        let what = match &o.result {
            Ok(c) if o.section == o.profile => expiry(c),
            Ok(c) => format!("as [{}], {}", o.section, expiry(c)),
            Err(e) => format!("failed: {e}"),
        };
        crate::log::line(format_args!("  {:width$}  {what}", o.profile));
    }
    if failed.is_empty() {
        return Ok(());
    }
    let kind = match failed.iter().all(|e| e.kind == Kind::LoginRequired) {
        true => Kind::LoginRequired,
        false => Kind::Failed,
    };
    Err(Error {
        kind,
        message: format!("{} of {} profiles failed", failed.len(), outcomes.len()),
    })
}

async fn clean(path: &Path, args: &WriteCredentialsArgs) -> Result<()> {
    let which = match (args.all, args.profiles.as_slice()) {
        (true, _) => Clean::All,
        (false, []) => Clean::ExpiredAt(Timestamp::now()),
        (false, names) => Clean::Named(names),
    };
    let removed = update(path, |file| file.clean(which))
        .await?
        .map_err(|e| e.context(path.display()))?;
    match removed.as_slice() {
        [] => crate::say!("nothing to remove from {}", path.display()),
        names => crate::say!(
            "removed {} from {}",
            names
                .iter()
                .map(|n| format!("[{n}]"))
                .collect::<Vec<_>>()
                .join(", "),
            path.display()
        ),
    }
    Ok(())
}
