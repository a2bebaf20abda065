use crate::cli::LoginArgs;
use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::sso::login::{self, Options};
use crate::timefmt;

pub async fn run(args: LoginArgs) -> Result<()> {
    let config = Config::load()?;
    let session = match &args.sso_session {
        Some(name) => config.sso_session(name)?,
        None => {
            config
                .sso_profile(&config::selected_profile(args.profile.as_deref()))?
                .session
        }
    };
    let opts = Options {
        open_browser: !args.no_browser,
    };
    // Ctrl-C drops the sign-in future: nothing has been written yet (the
    // token is stored atomically at the very end), so nothing is left half done.
    let token = tokio::select! {
        t = login::login(&session, opts) => t?,
        _ = tokio::signal::ctrl_c() => return Err(Error::interrupted("sign-in cancelled")),
    };
    if let Some(expires) = token.expires() {
        eprintln!(
            "ssoenv: session valid until {} ({})",
            token.expires_at,
            timefmt::describe_remaining(expires, timefmt::now())
        );
    }
    Ok(())
}
