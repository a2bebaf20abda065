//! `ssoenv hook SHELL`: what the prompt hook runs when the directory changed
//! or renewal is due. It decides "nothing to do" before reading any
//! configuration, never starts a sign-in, and keeps a prompt waiting at
//! most about 1.5 s, locks included.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use crate::activation::{
    self, DIR, DIR_KEY, DIR_RESTORE, EXPIRES, NOTICE, PROFILE, RENEW_AT, RESTORE, Script,
};
use crate::cli::HookArgs;
use crate::config::Config;
use crate::dirprofile::{self, DirFile, Trust};
use crate::error::{Kind, Result};
use crate::sso;

/// After a failed renewal, when to try again (seconds).
const RETRY_AFTER: i64 = 60;
/// The longest a prompt waits for the hook's network work.
const PROMPT_LIMIT: Duration = Duration::from_millis(1500);

enum Change {
    Enter(DirFile),
    Leave,
}

pub fn run(args: HookArgs) -> Result<()> {
    let cwd = dirprofile::logical_cwd()?;
    let applied = activation::get(DIR).map(PathBuf::from);
    let change = match (dirprofile::find(&cwd), applied) {
        // Still in the applied tree: nothing to do unless the file was
        // edited, or `deny` revoked it, since it was applied.
        (Some(f), Some(root)) if f.root == root && still_applies(&f) => None,
        (Some(f), _) => Some(Change::Enter(f)),
        (None, Some(_)) => Some(Change::Leave),
        (None, None) => None,
    };
    let renew_due = activation::is_active()
        && activation::get(RENEW_AT)
            .and_then(|t| t.parse::<i64>().ok())
            .is_some_and(|t| activation::now() >= t);
    if change.is_none() && !renew_due {
        return Ok(());
    }
    let mut script = Script::new(args.shell);
    // One deadline for all the network work of this prompt.
    let deadline = tokio::time::Instant::now() + PROMPT_LIMIT;
    match change {
        Some(Change::Leave) => leave(&mut script),
        Some(Change::Enter(file)) => {
            let was_in_tree = activation::get(DIR).is_some();
            let slow_key = format!("slow-{}", file.notice_key());
            let message = format!(
                "{} took too long to apply; leave and re-enter the directory to try again",
                file.path.display()
            );
            match within(deadline, enter(&mut script, file))? {
                Some(applied) => {
                    // Refused (untrusted, unknown profile, no session): the
                    // profile in use still needs its renewals.
                    if !applied? && renew_due {
                        renew_within(deadline, &mut script)?;
                    }
                }
                None => {
                    // Whatever this tree holds, the one applied is left.
                    if was_in_tree {
                        leave(&mut script);
                    } else if renew_due {
                        retry_later(&mut script);
                    }
                    notice_once(&mut script, &slow_key, &message);
                }
            }
        }
        None => renew_within(deadline, &mut script)?,
    }
    print!("{}", script.finish());
    Ok(())
}

/// Run network work until `deadline`: None when it took longer (the
/// dropped future has released its locks by then).
fn within<T>(deadline: tokio::time::Instant, work: impl Future<Output = T>) -> Result<Option<T>> {
    super::block_on(async { Ok(tokio::time::timeout_at(deadline, work).await.ok()) })
}

fn renew_within(deadline: tokio::time::Instant, script: &mut Script) -> Result<()> {
    if within(deadline, renew(script))?.transpose()?.is_none() {
        let name = activation::get(PROFILE).unwrap_or_default();
        let message = format!("renewing credentials for {name} is slow; retrying later");
        notice_once(script, &format!("slow-{name}"), &message);
        retry_later(script);
    }
    Ok(())
}

fn still_applies(file: &DirFile) -> bool {
    activation::get(DIR_KEY).as_deref() == Some(file.notice_key().as_str())
        && matches!(file.trust(), Ok(Trust::Allowed))
}

fn retry_later(script: &mut Script) {
    script.set(RENEW_AT, &(activation::now() + RETRY_AFTER).to_string());
}

/// Back to the environment from before the tree was entered.
fn leave(script: &mut Script) {
    script.restore(DIR_RESTORE);
    script.unset(DIR);
    script.unset(DIR_KEY);
}

/// How many notices are remembered, so alternating between a few
/// directories does not repeat them.
const REMEMBERED_NOTICES: usize = 16;

/// Show `message` once per `key` (a file and its content, or an expiry),
/// not at every prompt.
fn notice_once(script: &mut Script, key: &str, message: &str) {
    let key = hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(key.as_bytes())[..8]);
    let seen = activation::get(NOTICE).unwrap_or_default();
    let mut keys: Vec<&str> = seen.split(' ').filter(|k| !k.is_empty()).collect();
    if keys.contains(&key.as_str()) {
        return;
    }
    eprintln!("ssoenv: {message}");
    keys.push(&key);
    let start = keys.len().saturating_sub(REMEMBERED_NOTICES);
    script.set(NOTICE, &keys[start..].join(" "));
}

/// Apply the tree's profile; false when the file was refused.
async fn enter(script: &mut Script, file: DirFile) -> Result<bool> {
    let in_tree = activation::get(DIR).is_some();
    let key = file.notice_key();
    // Whatever this file says, we have left the tree that was applied.
    let refuse = |script: &mut Script, message: Option<String>| {
        if in_tree {
            leave(script);
        }
        if let Some(m) = message {
            notice_once(script, &key, &m);
        }
        Ok(false)
    };
    let path = file.path.display().to_string();
    match file.trust()? {
        Trust::Denied => return refuse(script, None),
        Trust::Unknown => {
            return refuse(
                script,
                Some(format!(
                    "{path} is not allowed; run `ssoenv allow` to trust it (`ssoenv deny` silences this)"
                )),
            );
        }
        Trust::Allowed => {}
    }
    let name = match file.profile() {
        Ok(n) => n,
        Err(m) => return refuse(script, Some(m)),
    };
    let config = Config::load()?;
    if !config.has_profile(&name) {
        let m = format!(
            "{path} names profile `{name}`, which is not in {}",
            config.path().display()
        );
        return refuse(script, Some(m));
    }
    let profile = match config.sso_profile(&name) {
        Ok(p) => p,
        Err(e) => return refuse(script, Some(e.message)),
    };
    let creds = match sso::credentials::get(&profile).await {
        Ok(c) => c,
        Err(e) => return refuse(script, Some(format!("{path} uses profile {name}: {e}"))),
    };
    // Kept when already saved: moving between trees, or back in after `off`.
    script.save_once(DIR_RESTORE);
    if !activation::is_active() {
        script.save(RESTORE);
    }
    script.activate(&profile, &creds);
    if let Some(root) = file.root.to_str() {
        script.set(DIR, root);
        script.set(DIR_KEY, &file.notice_key());
    }
    Ok(true)
}

async fn renew(script: &mut Script) -> Result<()> {
    let name = activation::get(PROFILE).unwrap_or_default();
    let expires = activation::get(EXPIRES).unwrap_or_default();
    let profile = match Config::load().and_then(|c| c.sso_profile(&name)) {
        Ok(p) => p,
        Err(e) => {
            notice_once(
                script,
                &format!("renew-{name}-{expires}"),
                &format!("cannot renew credentials: {e}"),
            );
            retry_later(script);
            return Ok(());
        }
    };
    match sso::credentials::get(&profile).await {
        Ok(creds) => script.activate(&profile, &creds),
        // Never a browser from a prompt: one hint per expiry, then quiet
        // retries that pick up a sign-in made anywhere else.
        Err(e) if e.kind == Kind::LoginRequired => {
            notice_once(
                script,
                &format!("login-{name}-{expires}"),
                &format!("credentials for {name} cannot be renewed: {e}"),
            );
            retry_later(script);
        }
        Err(e) => {
            notice_once(
                script,
                &format!("renew-{name}-{expires}"),
                &format!("renewing credentials for {name} failed ({e}); retrying"),
            );
            retry_later(script);
        }
    }
    Ok(())
}
