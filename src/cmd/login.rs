//! `ssoenv login`: find the session, sign in (or say it already is), and
//! tell the user until when.

use std::io::{BufRead, IsTerminal};

use crate::cli::{self, LoginArgs};
use crate::config::{self, Config, LoginTarget, SsoSession};
use crate::error::{Error, Result};
use crate::sso::login::{self, Method, Options, Outcome};
use crate::timestamp::Timestamp;

pub async fn run(args: LoginArgs) -> Result<()> {
    let config = Config::load()?;
    let (session, profile) = match (&args.sso_session, &args.profile) {
        (Some(name), _) => (config.sso_session(name)?, None),
        (None, Some(name)) => {
            let target = crate::target::resolve(&config, name, None).await?;
            // Hints repeat what was typed: a role profile or ACCOUNT/ROLE
            // signs in to its root's session as well as the root does.
            (target.chain.root.session, Some(name.clone()))
        }
        (None, None) => find(&config)?,
    };
    let method = match (args.no_browser, args.use_device_code) {
        (true, _) => Method::NoBrowser,
        (false, true) => Method::DeviceCode,
        (false, false) => Method::Auto,
    };
    let opts = Options {
        method,
        force: args.force,
        timeout: args.login_timeout,
    };
    sign_in(&session, profile.as_deref(), opts).await
}

/// What `ssoenv use` signs in with when the session has ended: the default
/// flow, always afresh (the cached token may look good and still be
/// rejected), waiting SSOENV_LOGIN_TIMEOUT as `login` reads it.
pub fn interactive_options() -> Result<Options> {
    let timeout = cli::login_timeout_from_env()
        .map_err(|why| Error::usage(format!("{}: {why}", cli::LOGIN_TIMEOUT_VAR)))?;
    Ok(Options {
        method: Method::Auto,
        force: true,
        timeout,
    })
}

/// Sign in, interruptibly: Ctrl-C drops the sign-in future, which closes
/// the browser's callback listener and releases the lock; the token is
/// stored atomically at the very end, so nothing is left half done.
/// `profile` is where the session came from, for messages.
pub async fn sign_in(session: &SsoSession, profile: Option<&str>, opts: Options) -> Result<()> {
    let retry = format!("ssoenv login{}", session.login_args(profile));
    let outcome = tokio::select! {
        o = login::login(session, &retry, opts) => o?,
        _ = tokio::signal::ctrl_c() => return Err(Error::interrupted("sign-in cancelled")),
    };
    let now = Timestamp::now();
    match outcome {
        Outcome::AlreadySignedIn(t) => crate::say!(
            "signed in to {session} until {} (--force signs in again)",
            t.expires_at.local_clock(now)
        ),
        Outcome::SignedIn(t) | Outcome::Joined(t) => crate::say!(
            "signed in to {session} until {}",
            t.expires_at.local_clock(now)
        ),
    }
    Ok(())
}

/// `ssoenv login` with no profile or session: see `Config::login_target`.
fn find(config: &Config) -> Result<(SsoSession, Option<String>)> {
    match config.login_target(config::profile_from_env().as_deref())? {
        LoginTarget::One { session, profile } => Ok((session, profile)),
        LoginTarget::Choose(sessions) => pick(config, sessions),
    }
}

/// Several sso-sessions: a person at a terminal picks one by number or
/// name; a script gets the commands to choose from.
fn pick(config: &Config, mut sessions: Vec<SsoSession>) -> Result<(SsoSession, Option<String>)> {
    let name = |s: &SsoSession| s.name.clone().unwrap_or_default();
    let choices: String = sessions
        .iter()
        .map(|s| format!("\n  ssoenv login --sso-session {}", name(s)))
        .collect();
    let several = format!(
        "{} has several sso-sessions; say which to sign in to:{choices}",
        config.path().display()
    );
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::usage(several));
    }
    crate::say!("sign in to which sso-session?");
    for (i, s) in sessions.iter().enumerate() {
        crate::log::line(format_args!("  {}) {} ({})", i + 1, name(s), s.start_url));
    }
    // A prompt: no newline, and nothing in it comes from outside.
    #[allow(clippy::disallowed_macros)]
    {
        eprint!("number or name: ");
    }
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::io("read the answer", e))?;
    let answer = answer.trim();
    let chosen = match answer.parse::<usize>() {
        Ok(n) if (1..=sessions.len()).contains(&n) => Some(n - 1),
        _ => sessions.iter().position(|s| name(s) == answer),
    };
    match chosen {
        Some(i) => Ok((sessions.swap_remove(i), None)),
        None => Err(Error::usage(several)),
    }
}
