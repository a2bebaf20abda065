//! `ssoenv use TARGET` / `ssoenv off`: switch this shell's credentials.
//! The binary prints shell code; the wrapper function from `ssoenv init`
//! evaluates it. With no target named, the user picks one on the terminal.

use std::collections::HashMap;

use crate::activation::{self, Env};
use crate::cli::UseArgs;
use crate::config::Config;
use crate::error::{Error, Kind, Result};
use crate::picker::{self, Candidate};
use crate::shell::ShellKind;
use crate::sso::assume::Mfa;
use crate::sso::{self, RoleCredentials};
use crate::target::{self, Target};
use crate::timestamp::Timestamp;

pub async fn run(args: UseArgs) -> Result<()> {
    // The wrapper always says which shell it is; without it there is no one
    // to evaluate the code.
    let Some(kind) = args.shell else {
        return Err(not_loaded());
    };
    let env = Env::from_process();
    let plan = if args.off {
        let Some(plan) = activation::off(&env) else {
            crate::say!("no profile is active");
            return Ok(());
        };
        plan
    } else {
        let config = Config::load()?;
        let (spelling, sso_session, picked) = match args.profile {
            Some(name) => (name, args.sso_session, None),
            None => {
                let chosen = choose(&config, args.quiet).await?;
                (chosen.spelling, chosen.sso_session, Some(chosen.key))
            }
        };
        let mut target = resolve(&config, &spelling, sso_session.as_deref()).await?;
        if let Some(region) = args.region {
            target.chain.profile.region = Some(region);
        }
        target.learn_account_name();
        let creds = credentials(&target).await?;
        let now = Timestamp::now();
        let plan = activation::use_target(&env, now.unix_seconds(), &target, &creds);
        // The picker's usage history counts the choices made in it: a named
        // `use` skips the write, whose fsync would cost it several times its
        // ~1 ms. Losing a record costs only the ordering.
        if let Some(key) = picked
            && let Err(e) = picker::frecency::record(&key, now.unix_seconds())
        {
            crate::trace!("usage history not recorded: {e}");
        }
        if !args.quiet {
            crate::say!("{}", announcement(&target, &creds, now));
        }
        plan
    };
    print!("{}", plan.script(kind));
    Ok(())
}

/// The target `spelling` names. `use` is interactive: when the account list
/// needed to find it cannot be had for want of a sign-in, and only one
/// sign-in could have it, sign in right here first.
async fn resolve(config: &Config, spelling: &str, sso_session: Option<&str>) -> Result<Target> {
    match target::resolve(config, spelling, sso_session).await {
        Err(e) if e.kind == Kind::LoginRequired => {
            let [session] = target::sessions(config, sso_session)?
                .try_into()
                .map_err(|_| e)?;
            let login = sso::discovery::login_profile(config, &session);
            crate::say!("signing in to {session} first");
            let opts = super::login::interactive_options()?;
            super::login::sign_in(&session, login.as_deref(), opts).await?;
            target::resolve(config, spelling, sso_session).await
        }
        other => other,
    }
}

/// The target's credentials, signing in first when the session has ended.
async fn credentials(target: &Target) -> Result<RoleCredentials> {
    let profile = &target.chain.profile;
    match sso::assume::credentials(&target.chain, Mfa::Ask).await {
        Err(e) if e.kind == Kind::LoginRequired => {
            crate::say!("signing in to {} first", profile.session);
            let opts = super::login::interactive_options()?;
            super::login::sign_in(&profile.session, Some(&profile.name), opts).await?;
            sso::assume::credentials(&target.chain, Mfa::Ask).await
        }
        other => other,
    }
}

/// What `use` tells after a switch: "prod (333333333333/ReadOnly) until 14:05".
fn announcement(target: &Target, creds: &RoleCredentials, now: Timestamp) -> String {
    let p = &target.chain.profile;
    format!(
        "{} ({}/{}) until {}",
        p.name,
        p.account_id,
        p.role_name,
        creds.expiration.local_clock(now)
    )
}

/// What the picker chose: the arguments that name it.
struct Chosen {
    spelling: String,
    sso_session: Option<String>,
    /// Its key in the usage history.
    key: String,
}

/// `use` with no target: the user picks one of the config's SSO profiles
/// or of the account/roles the signed-in sessions reach, on the terminal.
async fn choose(config: &Config, quiet: bool) -> Result<Chosen> {
    let name_instead = "name the target: `ssoenv use PROFILE` or `ssoenv use ACCOUNT/ROLE`";
    picker::require_terminal(name_instead)?;
    // The key of each account/role is the arguments that choose it, as one
    // command line would spell them.
    let mut arguments = HashMap::new();
    let mut accounts = Vec::new();
    for r in target::reachable(config).await {
        let key = shell_words::join(&r.args);
        let a = r.assignment;
        accounts.push(Candidate {
            key: key.clone(),
            kind: picker::Kind::AccountRole,
            name: crate::log::printable(&format!("{}/{}", a.account_name, a.role_name)),
            account_name: Some(a.account_name),
            account_id: a.account_id,
            role: a.role_name,
        });
        arguments.insert(key, r.args);
    }
    // Profiles show their account's name too, from the lists just read.
    let mut names = target::AccountNames::default();
    let mut candidates: Vec<Candidate> = config
        .profile_names()
        .filter_map(|name| config.chain(name).ok().map(|c| c.profile))
        .map(|p| Candidate {
            key: p.name.clone(),
            kind: picker::Kind::Profile,
            account_name: names.of(&p.session, &p.account_id),
            name: p.name,
            account_id: p.account_id,
            role: p.role_name,
        })
        .collect();
    candidates.sort_by(|a, b| a.name.cmp(&b.name));
    candidates.extend(accounts);
    if candidates.is_empty() {
        return Err(Error::usage(format!(
            "{} has no SSO profiles to choose from, and no sign-in lists accounts; add a \
             profile with `aws configure sso`, or sign in with `ssoenv login`",
            config.path().display()
        )));
    }
    let Some(key) = picker::pick("ssoenv use> ", candidates, name_instead, activation::now())?
    else {
        return Err(Error::interrupted("nothing chosen; nothing changed"));
    };
    let args = arguments.remove(&key).unwrap_or_else(|| vec![key.clone()]);
    if !quiet {
        let mut shortcut = vec!["use"];
        shortcut.extend(args.iter().map(String::as_str));
        crate::say!("{}", picker::shortcut(&shortcut));
    }
    let mut args = args.into_iter();
    let spelling = args.next().unwrap_or_default();
    // [spelling] or [spelling, "--sso-session", NAME].
    Ok(Chosen {
        spelling,
        sso_session: args.nth(1),
        key,
    })
}

fn not_loaded() -> Error {
    let kind = ShellKind::from_login_shell().unwrap_or(ShellKind::Bash);
    let (file, line) = super::init::rc_line(kind);
    println!("{line}");
    Error::usage(format!(
        "`ssoenv use` changes your shell, which needs the shell integration: add the line above to {file} and start a new shell (or run it now)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::testing::{account_role, creds, target};

    #[test]
    fn the_announcement_names_what_and_until_when() {
        let now = Timestamp::from_unix_seconds(1_800_000_000).unwrap();
        let c = creds(1_800_000_000 + 3600);
        let until = c.expiration.local_clock(now);
        assert_eq!(
            announcement(&target("prod", None), &c, now),
            format!("prod (111111111111/Admin) until {until}")
        );
        assert_eq!(
            announcement(&account_role(), &c, now),
            format!("dev/ReadOnly (111111111111/ReadOnly) until {until}")
        );
    }
}
