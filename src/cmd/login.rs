use crate::cli::LoginArgs;
use crate::config::{self, Config, SsoSession};
use crate::error::{Error, Result};
use crate::sso::login::{self, Options};
use crate::timestamp::Timestamp;

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
    sign_in(&session, !args.no_browser).await
}

/// Sign in, interruptibly: Ctrl-C drops the sign-in future, and since the
/// token is stored atomically at the very end, nothing is left half done.
pub async fn sign_in(session: &SsoSession, open_browser: bool) -> Result<()> {
    let token = tokio::select! {
        t = login::login(session, Options { open_browser }) => t?,
        _ = tokio::signal::ctrl_c() => return Err(Error::interrupted("sign-in cancelled")),
    };
    crate::say!(
        "session valid until {} ({})",
        token.expires_at,
        token.expires_at.describe_expiry(Timestamp::now())
    );
    Ok(())
}
