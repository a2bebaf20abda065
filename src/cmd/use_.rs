//! `ssoenv use PROFILE` / `ssoenv off`: switch this shell's credentials.
//! The binary prints shell code; the wrapper function from `ssoenv init`
//! evaluates it. With no profile named, the user picks one on the terminal.

use crate::activation::{self, Env};
use crate::cli::UseArgs;
use crate::config::Config;
use crate::error::{Error, Kind, Result};
use crate::picker::{self, Candidate};
use crate::shell::ShellKind;
use crate::sso;
use crate::sso::assume::Mfa;

pub async fn run(args: UseArgs) -> Result<()> {
    // The wrapper always says which shell it is; without it there is no one
    // to evaluate the code.
    let Some(kind) = args.shell else {
        return Err(not_loaded());
    };
    let env = Env::from_process();
    let plan = if args.off {
        let Some(plan) = activation::off(&env) else {
            eprintln!("ssoenv: no profile is active");
            return Ok(());
        };
        plan
    } else {
        let config = Config::load()?;
        let (name, picked) = match args.profile {
            Some(name) => (name, false),
            None => (choose(&config)?, true),
        };
        let chain = config.chain(&name)?;
        let profile = &chain.profile;
        let creds = match sso::assume::credentials(&chain, Mfa::Ask).await {
            // `use` is interactive: sign in right here, then switch.
            Err(e) if e.kind == Kind::LoginRequired => {
                eprintln!("ssoenv: signing in to {} first", profile.session);
                let opts = super::login::interactive_options()?;
                super::login::sign_in(&profile.session, Some(&profile.name), opts).await?;
                sso::assume::credentials(&chain, Mfa::Ask).await?
            }
            other => other?,
        };
        let plan = activation::use_profile(&env, activation::now(), profile, &creds);
        // The picker's usage history counts the choices made in it: a named
        // `use` skips the write, whose fsync would cost it several times its
        // ~1 ms. Losing a record costs only the ordering.
        if picked && let Err(e) = picker::frecency::record(&name, activation::now()) {
            crate::trace!("usage history not recorded: {e}");
        }
        plan
    };
    print!("{}", plan.script(kind));
    Ok(())
}

/// `use` with no profile: the user picks one of the config's SSO profiles
/// on the terminal.
fn choose(config: &Config) -> Result<String> {
    let mut candidates: Vec<Candidate> = config
        .profile_names()
        .filter_map(|name| config.chain(name).ok().map(|c| c.profile))
        .map(|p| Candidate {
            key: p.name.clone(),
            kind: picker::Kind::Profile,
            name: p.name,
            account_name: None,
            account_id: p.account_id,
            role: p.role_name,
        })
        .collect();
    if candidates.is_empty() {
        return Err(Error::usage(format!(
            "{} has no SSO profiles to choose from; add one with `aws configure sso`",
            config.path().display()
        )));
    }
    candidates.sort_by(|a, b| a.name.cmp(&b.name));
    let name_instead = "name the target: `ssoenv use PROFILE` or `ssoenv use ACCOUNT/ROLE`";
    let Some(chosen) = picker::pick("ssoenv use> ", candidates, name_instead, activation::now())?
    else {
        return Err(Error::interrupted("nothing chosen; nothing changed"));
    };
    eprintln!("ssoenv: {}", picker::shortcut(&["use", &chosen]));
    Ok(chosen)
}

fn not_loaded() -> Error {
    let kind = ShellKind::from_login_shell().unwrap_or(ShellKind::Bash);
    let (file, line) = super::init::rc_line(kind);
    println!("{line}");
    Error::usage(format!(
        "`ssoenv use` changes your shell, which needs the shell integration: add the line above to {file} and start a new shell (or run it now)"
    ))
}
