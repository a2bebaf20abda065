//! Reads only the caches: fast, and safe to run in a prompt or a script.
//! Exits 3 when the session needs a sign-in, so `ssoenv status || ssoenv login` works.
//! The report is all it prints: its own lines say how to sign in (the JSON
//! says it with `token`), with nothing repeated on stderr.

use serde_json::{Value, json};

use crate::cli::StatusArgs;
use crate::config::{Chain, Config, SsoProfile, SsoSession};
use crate::error::{Error, Kind, Result};
use crate::sso::token::CachedToken;
use crate::sso::{RoleCredentials, assume, token};
use crate::target::{self, Target};
use crate::timestamp::Timestamp;

pub fn run(args: StatusArgs) -> Result<()> {
    let config = Config::load()?;
    let now = Timestamp::now();
    // The same selection as every other verb, but no `default` fallback:
    // with nothing selected, every session is shown.
    let selected = args
        .profile
        .clone()
        .or_else(crate::config::profile_from_env);
    let (json, human, signed_in) = match selected {
        Some(name) => {
            let mut target = target::resolve_cached(&config, &name, args.sso_session.as_deref())?;
            target.learn_account_name();
            let chain = &target.chain;
            let hops = assume::cached(chain)?;
            let token = token::load(&chain.profile.session)?;
            let creds = hops.last().and_then(|(_, c)| c.as_ref());
            let mut status = ProfileStatus::of(&target, token.as_ref(), creds, now);
            status.chain = chain_states(chain.is_chained(), &hops, now);
            let signed_in = status.session.state.signed_in();
            (status.json(), status.human(now), signed_in)
        }
        None => {
            let sessions = config.all_sessions();
            if sessions.is_empty() {
                return Err(Error::usage(format!(
                    "no SSO profiles or sso-sessions in {}",
                    config.path().display()
                )));
            }
            let mut all = Vec::new();
            for s in &sessions {
                let token = token::load(s)?;
                let login = config.login_args_for(s);
                all.push(SessionStatus::of(s, token.as_ref(), login, now));
            }
            let chains: Vec<Chain> = config
                .sso_profile_names()
                .into_iter()
                .filter_map(|n| config.chain(n).ok())
                .collect();
            let mut cached = Vec::new();
            for chain in &chains {
                let hops = assume::cached(chain)?;
                let creds = hops.last().and_then(|(_, c)| c.as_ref());
                cached.push((&chain.profile, CredentialsState::of(creds, now)));
            }
            let json = json!({
                "sessions": all.iter().map(SessionStatus::json).collect::<Vec<_>>(),
                "profiles": cached.iter().map(|(p, c)| profile_json(p, *c)).collect::<Vec<_>>(),
            });
            let mut human: String = all.iter().map(|s| s.human(now)).collect();
            human.push_str(&profile_table(&cached, now));
            (json, human, all.iter().any(|s| s.state.signed_in()))
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json).expect("JSON serializes")
        );
    } else {
        for line in human.lines() {
            println!("{}", crate::log::for_terminal(line));
        }
    }
    match signed_in {
        true => Ok(()),
        false => Err(Error::reported(Kind::LoginRequired)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenState {
    SignedOut,
    Valid,
    ExpiredRefreshable,
    Expired,
}

impl TokenState {
    fn name(self) -> &'static str {
        match self {
            TokenState::SignedOut => "signed-out",
            TokenState::Valid => "valid",
            TokenState::ExpiredRefreshable => "expired-refreshable",
            TokenState::Expired => "expired",
        }
    }

    /// Whether commands work without a new sign-in.
    fn signed_in(self) -> bool {
        matches!(self, TokenState::Valid | TokenState::ExpiredRefreshable)
    }
}

/// What the token cache says about one session.
struct SessionStatus<'a> {
    session: &'a SsoSession,
    state: TokenState,
    expires_at: Option<Timestamp>,
    refreshable: bool,
    /// What to add to `ssoenv login` to sign in to this session in this
    /// config (` --sso-session NAME`, or a legacy profile's name).
    login_args: String,
}

impl<'a> SessionStatus<'a> {
    fn of(
        session: &'a SsoSession,
        token: Option<&CachedToken>,
        login_args: String,
        now: Timestamp,
    ) -> Self {
        let refreshable = token.is_some_and(|t| t.can_refresh(session, now));
        let state = match token {
            None => TokenState::SignedOut,
            Some(t) if t.is_usable(now) => TokenState::Valid,
            Some(_) if refreshable => TokenState::ExpiredRefreshable,
            Some(_) => TokenState::Expired,
        };
        SessionStatus {
            session,
            state,
            expires_at: token.map(|t| t.expires_at),
            refreshable,
            login_args,
        }
    }

    fn json(&self) -> Value {
        json!({
            "sso_session": self.session.name,
            "start_url": self.session.start_url,
            "sso_region": self.session.region,
            "token": self.state.name(),
            "token_expires_at": self.expires_at,
            "refreshable": self.refreshable,
            "login_command": self.login_command(),
        })
    }

    fn login_command(&self) -> String {
        format!("ssoenv login{}", self.login_args)
    }

    fn human(&self, now: Timestamp) -> String {
        let expires = || self.expires_at.map(|t| when(t, now)).unwrap_or_default();
        let state = match self.state {
            TokenState::Valid => format!("signed in, token expires {}", expires()),
            TokenState::ExpiredRefreshable => {
                "token expired, will be refreshed on next use".to_string()
            }
            TokenState::Expired => {
                format!(
                    "sign-in expired {}; run `{}`",
                    expires(),
                    self.login_command()
                )
            }
            TokenState::SignedOut => format!("not signed in; run `{}`", self.login_command()),
        };
        format!("{}: {state}\n", self.session)
    }
}

/// What the AWS CLI's credential cache holds for one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CredentialsState {
    None,
    Cached(Timestamp),
    Expired(Timestamp),
}

impl CredentialsState {
    fn of(creds: Option<&RoleCredentials>, now: Timestamp) -> Self {
        match creds.map(|c| c.expiration) {
            None => CredentialsState::None,
            Some(e) if e > now => CredentialsState::Cached(e),
            Some(e) => CredentialsState::Expired(e),
        }
    }

    /// The `credentials` and `credentials_expire_at` members.
    fn json(self) -> (&'static str, Option<Timestamp>) {
        match self {
            CredentialsState::None => ("none", None),
            CredentialsState::Cached(e) => ("cached", Some(e)),
            CredentialsState::Expired(e) => ("expired", Some(e)),
        }
    }
}

/// One member of `profiles` in the JSON of `status` without a profile.
fn profile_json(p: &SsoProfile, credentials: CredentialsState) -> Value {
    let (state, expire_at) = credentials.json();
    json!({
        "profile": p.name,
        "account_id": p.account_id,
        "role_name": p.role_name,
        "region": p.region,
        "sso_session": p.session.name,
        "start_url": p.session.start_url,
        "credentials": state,
        "credentials_expire_at": expire_at,
    })
}

/// Every profile with the expiry of its cached credentials, in columns.
fn profile_table(profiles: &[(&SsoProfile, CredentialsState)], now: Timestamp) -> String {
    if profiles.is_empty() {
        return String::new();
    }
    let rows: Vec<[String; 3]> = profiles
        .iter()
        .map(|(p, c)| {
            let creds = match *c {
                CredentialsState::Cached(e) => format!("expire {}", when(e, now)),
                CredentialsState::Expired(e) => format!("expired {}", when(e, now)),
                CredentialsState::None => "none".to_string(),
            };
            [
                p.name.clone(),
                format!("{}/{}", p.account_id, p.role_name),
                creds,
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (name_w, role_w) = (width(0), width(1));
    let mut out = String::from("\ncached role credentials:\n");
    for [name, role, creds] in &rows {
        out.push_str(&format!("  {name:name_w$}  {role:role_w$}  {creds}\n"));
    }
    out
}

/// What the caches say about one profile or account/role target.
struct ProfileStatus<'a> {
    target: &'a Target,
    session: SessionStatus<'a>,
    credentials: CredentialsState,
    /// For a role profile: each hop's cached credentials, the SSO root first.
    chain: Vec<(String, CredentialsState)>,
}

impl CredentialsState {
    fn human(self, now: Timestamp) -> String {
        match self {
            CredentialsState::Cached(e) => format!("cached, expire {}", when(e, now)),
            CredentialsState::Expired(_) => "expired (fetched again on next use)".to_string(),
            CredentialsState::None => "none cached".to_string(),
        }
    }
}

fn chain_states(
    chained: bool,
    hops: &[(String, Option<RoleCredentials>)],
    now: Timestamp,
) -> Vec<(String, CredentialsState)> {
    match chained {
        false => Vec::new(),
        true => hops
            .iter()
            .map(|(name, c)| (name.clone(), CredentialsState::of(c.as_ref(), now)))
            .collect(),
    }
}

impl<'a> ProfileStatus<'a> {
    fn of(
        target: &'a Target,
        token: Option<&CachedToken>,
        creds: Option<&RoleCredentials>,
        now: Timestamp,
    ) -> Self {
        let profile = &target.chain.profile;
        ProfileStatus {
            target,
            session: SessionStatus::of(&profile.session, token, profile.login_args(), now),
            credentials: CredentialsState::of(creds, now),
            chain: Vec::new(),
        }
    }

    fn json(&self) -> Value {
        let (state, expire_at) = self.credentials.json();
        let p = &self.target.chain.profile;
        let mut out = json!({
            "profile": p.name,
            "configured": self.target.configured,
            "account_id": p.account_id,
            "account_name": self.target.account_name,
            "role_name": p.role_name,
            "region": p.region,
            "session": self.session.json(),
            "credentials": state,
            "credentials_expire_at": expire_at,
        });
        if !self.chain.is_empty() {
            out["chain"] = self
                .chain
                .iter()
                .map(|(name, c)| {
                    let (state, expire_at) = c.json();
                    json!({"profile": name, "credentials": state, "credentials_expire_at": expire_at})
                })
                .collect();
        }
        out
    }

    fn human(&self, now: Timestamp) -> String {
        let p = &self.target.chain.profile;
        let what = match self.target.configured {
            true => "profile",
            false => "target ",
        };
        let mut out = format!(
            "{what}      {}\naccount      {} (role {})\n",
            p.name, p.account_id, p.role_name
        );
        if let Some(r) = &p.region {
            out.push_str(&format!("region       {r}\n"));
        }
        out.push_str(&format!("session      {}", self.session.human(now)));
        out.push_str(&format!("credentials  {}\n", self.credentials.human(now)));
        for (i, (name, c)) in self.chain.iter().enumerate() {
            let label = if i == 0 { "chain" } else { "" };
            out.push_str(&format!("{label:<12} {name}: {}\n", c.human(now)));
        }
        out
    }
}

/// "2026-11-29T12:38:40Z (in 7h59m)".
fn when(t: Timestamp, now: Timestamp) -> String {
    format!("{t} ({})", t.describe_expiry(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn session() -> SsoSession {
        SsoSession {
            name: Some("corp".into()),
            start_url: "https://d-0000000000.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: None,
        }
    }

    fn token(expires_at: &str, refreshable: bool) -> CachedToken {
        CachedToken {
            start_url: None,
            region: None,
            access_token: "a".into(),
            expires_at: at(expires_at),
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            registration_expires_at: Some(at("2027-01-01T00:00:00Z")),
            refresh_token: refreshable.then(|| "r".into()),
        }
    }

    #[test]
    fn token_states() {
        let now = at("2026-06-01T12:00:00Z");
        let s = session();
        let state = |t: Option<&CachedToken>| SessionStatus::of(&s, t, String::new(), now).state;
        assert_eq!(state(None), TokenState::SignedOut);
        let valid = token("2026-06-01T13:00:00Z", false);
        assert_eq!(state(Some(&valid)), TokenState::Valid);
        let refreshable = token("2026-06-01T11:00:00Z", true);
        assert_eq!(state(Some(&refreshable)), TokenState::ExpiredRefreshable);
        let expired = token("2026-06-01T11:00:00Z", false);
        assert_eq!(state(Some(&expired)), TokenState::Expired);
    }

    #[test]
    fn human_lines_at_the_ends_of_time() {
        let now = at("2026-06-01T12:00:00Z");
        let s = session();
        let far = token("9999-12-31T23:59:59Z", false);
        let line = SessionStatus::of(&s, Some(&far), String::new(), now).human(now);
        assert!(
            line.starts_with(
                "sso-session corp: signed in, token expires 9999-12-31T23:59:59Z (in "
            ),
            "{line}"
        );
        let ancient = token("0000-01-01T00:00:00Z", false);
        let line = SessionStatus::of(&s, Some(&ancient), String::new(), now).human(now);
        assert!(
            line.contains("sign-in expired 0000-01-01T00:00:00Z (expired "),
            "{line}"
        );
        let json = SessionStatus::of(&s, Some(&far), String::new(), now).json();
        assert_eq!(json["token_expires_at"], "9999-12-31T23:59:59Z");
    }
}
