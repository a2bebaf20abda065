//! `ssoenv use PROFILE` / `ssoenv off`: switch this shell's credentials.
//! The binary prints shell code; the wrapper function from `ssoenv init`
//! evaluates it.

use crate::activation::{self, Env};
use crate::cli::UseArgs;
use crate::config::Config;
use crate::error::{Error, Kind, Result};
use crate::shell::ShellKind;
use crate::sso;

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
        let Some(name) = args.profile else {
            return Err(Error::usage("usage: ssoenv use PROFILE (or ssoenv off)"));
        };
        let profile = Config::load()?.sso_profile(&name)?;
        let creds = match sso::credentials::get(&profile).await {
            // `use` is interactive: sign in right here, then switch.
            Err(e) if e.kind == Kind::LoginRequired => {
                crate::say!("{e}");
                super::login::sign_in(&profile.session, true).await?;
                sso::credentials::get(&profile).await?
            }
            other => other?,
        };
        activation::use_profile(&env, activation::now(), &profile, &creds)
    };
    print!("{}", plan.render(kind));
    Ok(())
}

fn not_loaded() -> Error {
    let kind = ShellKind::from_login_shell().unwrap_or(ShellKind::Bash);
    let (file, line) = super::init::rc_line(kind);
    println!("{line}");
    Error::usage(format!(
        "`ssoenv use` changes your shell, which needs the shell integration: add the line above to {file} and start a new shell (or run it now)"
    ))
}
