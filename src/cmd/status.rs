//! Reads only the caches: fast, and safe to run in a prompt or a script.
//! Exits 3 when the session needs a sign-in, naming the `ssoenv login` that
//! signs in to it in this config.

use serde_json::{Value, json};

use crate::cli::StatusArgs;
use crate::config::{Config, SsoProfile, SsoSession};
use crate::error::{Error, Result};
use crate::sso::{credentials, token};
use crate::timefmt;

pub fn run(args: StatusArgs) -> Result<()> {
    let config = Config::load()?;
    let selected = args
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let (report, signed_in, login_args) = match selected {
        Some(name) => {
            let profile = config.sso_profile(&name)?;
            let (report, ok) = profile_report(&config, &profile)?;
            (report, ok, profile.login_args())
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
            let mut any = false;
            for s in &sessions {
                let (r, ok) = session_report(&config, s)?;
                any |= ok;
                all.push(r);
            }
            // None is signed in: the first one's sign-in (each line has its own).
            (
                json!({ "sessions": all }),
                any,
                config.login_args_for(&sessions[0]),
            )
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("JSON serializes")
        );
    } else {
        print!("{}", human(&report));
    }
    match signed_in {
        true => Ok(()),
        false => Err(Error::login_required("not signed in", &login_args)),
    }
}

fn session_report(config: &Config, session: &SsoSession) -> Result<(Value, bool)> {
    let now = timefmt::now();
    let token = token::load(session)?;
    let (state, ok) = match &token {
        None => ("signed-out", false),
        Some(t) if t.is_usable(now) => ("valid", true),
        Some(t) if t.can_refresh(session, now) => ("expired-refreshable", true),
        Some(_) => ("expired", false),
    };
    let report = json!({
        "sso_session": session.name,
        "start_url": session.start_url,
        "sso_region": session.region,
        "token": state,
        "token_expires_at": token.as_ref().map(|t| t.expires_at.clone()),
        "refreshable": token.as_ref().is_some_and(|t| t.can_refresh(session, now)),
        "login_command": format!("ssoenv login{}", config.login_args_for(session)),
    });
    Ok((report, ok))
}

fn profile_report(config: &Config, profile: &SsoProfile) -> Result<(Value, bool)> {
    let (mut session, ok) = session_report(config, &profile.session)?;
    session["login_command"] = format!("ssoenv login{}", profile.login_args()).into();
    let creds = credentials::load(profile)?;
    let creds_state = match creds.as_ref().and_then(|c| c.expires()) {
        None => "none",
        Some(e) if e > timefmt::now() => "cached",
        Some(_) => "expired",
    };
    let report = json!({
        "profile": profile.name,
        "account_id": profile.account_id,
        "role_name": profile.role_name,
        "region": profile.region,
        "session": session,
        "credentials": creds_state,
        "credentials_expire_at": creds.map(|c| c.expiration),
    });
    Ok((report, ok))
}

fn human(report: &Value) -> String {
    let now = timefmt::now();
    let when = |v: &Value| {
        v.as_str()
            .and_then(timefmt::parse)
            .map(|t| {
                format!(
                    "{} ({})",
                    timefmt::format_z(t),
                    timefmt::describe_remaining(t, now)
                )
            })
            .unwrap_or_default()
    };
    let session_line = |s: &Value| {
        let name = match s["sso_session"].as_str() {
            Some(n) => format!("sso-session {n}"),
            None => s["start_url"].as_str().unwrap_or_default().to_string(),
        };
        let login = s["login_command"].as_str().unwrap_or("ssoenv login");
        let state = match s["token"].as_str().unwrap_or_default() {
            "valid" => format!("signed in, token expires {}", when(&s["token_expires_at"])),
            "expired-refreshable" => "token expired, will be refreshed on next use".to_string(),
            "expired" => format!(
                "sign-in expired {}; run `{login}`",
                when(&s["token_expires_at"])
            ),
            _ => format!("not signed in; run `{login}`"),
        };
        format!("{name}: {state}\n")
    };
    if let Some(sessions) = report["sessions"].as_array() {
        return sessions.iter().map(session_line).collect();
    }
    let mut out = format!(
        "profile      {}\naccount      {} (role {})\n",
        report["profile"].as_str().unwrap_or_default(),
        report["account_id"].as_str().unwrap_or_default(),
        report["role_name"].as_str().unwrap_or_default()
    );
    if let Some(r) = report["region"].as_str() {
        out.push_str(&format!("region       {r}\n"));
    }
    out.push_str(&format!(
        "session      {}",
        session_line(&report["session"])
    ));
    let creds = match report["credentials"].as_str().unwrap_or_default() {
        "cached" => format!("cached, expire {}", when(&report["credentials_expire_at"])),
        "expired" => "expired (fetched again on next use)".to_string(),
        _ => "none cached".to_string(),
    };
    out.push_str(&format!("credentials  {creds}\n"));
    out
}
