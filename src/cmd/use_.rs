//! `ssoenv use PROFILE` / `ssoenv off`: switch this shell's credentials.
//! The binary prints shell code; the wrapper function from `ssoenv init`
//! evaluates it.

use crate::activation::{self, DIR_RESTORE, RESTORE, Script};
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
    let mut script = Script::new(kind);
    if args.off {
        if !activation::is_active() {
            // Nothing of ours to undo: leave the user's variables alone.
            eprintln!("ssoenv: no profile is active");
            return Ok(());
        }
        script.off();
    } else {
        let Some(name) = args.profile else {
            return Err(Error::usage("usage: ssoenv use PROFILE (or ssoenv off)"));
        };
        let profile = Config::load()?.sso_profile(&name)?;
        let creds = match sso::credentials::get(&profile).await {
            // `use` is interactive: sign in right here, then switch.
            Err(e) if e.kind == Kind::LoginRequired => {
                eprintln!("ssoenv: signing in to {} first", profile.session);
                let opts = super::login::interactive_options()?;
                super::login::sign_in(&profile.session, Some(&profile.name), opts).await?;
                sso::credentials::get(&profile).await?
            }
            other => other?,
        };
        if !activation::is_active() {
            script.save(RESTORE);
            // Inside a directory tree (after `off`), leaving it ends this too.
            if activation::get(activation::DIR).is_some() {
                script.save_once(DIR_RESTORE);
            }
        }
        script.activate(&profile, &creds);
    }
    print!("{}", script.finish());
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
