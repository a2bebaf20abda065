//! `ssoenv list`: every account and role the sign-ins reach, beside the
//! profiles of the config that already point at them.

use std::collections::HashMap;
use std::io::Write;

use serde::Serialize;

use crate::cli::ListArgs;
use crate::config::{Config, SsoSession};
use crate::error::{Error, Kind, Result};
use crate::log::printable;
use crate::sso::discovery::{self, Assignment, Listing, Refresh};
use crate::sso::token;

pub async fn run(args: ListArgs) -> Result<()> {
    let config = Config::load()?;
    let sessions = match &args.sso_session {
        Some(name) => vec![config.sso_session(name)?],
        None => discovery::sessions(&config),
    };
    if sessions.is_empty() {
        return Err(Error::usage(format!(
            "no SSO profiles or sso-sessions in {}",
            config.path().display()
        )));
    }
    let refresh = match args.refresh {
        true => Refresh::Always,
        false => Refresh::IfStale,
    };
    let mut listed = Vec::new();
    let mut signed_out = Vec::new();
    for session in sessions {
        let profile = discovery::login_profile(&config, &session);
        // Only sessions with a valid token are listed, even from the cache.
        match token::valid(&session, profile.as_deref()).await {
            Ok(_) => {}
            Err(e) if e.kind == Kind::LoginRequired && args.sso_session.is_none() => {
                signed_out.push((session, profile, e));
                continue;
            }
            Err(e) => return Err(e),
        }
        let listing = discovery::assignments(&session, profile.as_deref(), refresh).await?;
        listed.push((session, listing));
    }
    if listed.is_empty() {
        return Err(none_signed_in(signed_out));
    }
    for (_, _, e) in &signed_out {
        crate::say!("not listed: {e}");
    }
    let rows = rows(&config, &listed);
    let out = match args.json {
        true => serde_json::to_string_pretty(&rows).expect("rows serialize") + "\n",
        false => table(&rows),
    };
    write_stdout(&out)?;
    if !args.json {
        if rows.is_empty() {
            crate::say!("no accounts or roles are assigned to you");
        }
        if let Some(oldest) = listed
            .iter()
            .filter(|(_, l)| l.from_cache)
            .map(|(_, l)| l.fetched_at)
            .min()
        {
            crate::say!(
                "listed from the cache of {}; `ssoenv list --refresh` fetches again",
                oldest
            );
        }
    }
    Ok(())
}

/// A session that is not listed for want of a sign-in: it, the profile its
/// sign-in hint names, and why.
type SignedOut = (SsoSession, Option<String>, Error);

/// The one error for "nothing listed": the single session's own, or one
/// that names them all, with the first one's sign-in command.
fn none_signed_in(mut signed_out: Vec<SignedOut>) -> Error {
    if signed_out.len() == 1 {
        return signed_out.remove(0).2;
    }
    let names: Vec<String> = signed_out.iter().map(|(s, _, _)| s.to_string()).collect();
    let login = signed_out
        .first()
        .map_or(String::new(), |(s, p, _)| s.login_args(p.as_deref()));
    Error::login_required(
        format!("no valid sign-in to {}", names.join(" or ")),
        &login,
    )
}

/// One line of the output: `--json` prints exactly these members.
#[derive(Serialize)]
struct Row<'a> {
    sso_session: Option<&'a str>,
    #[serde(flatten)]
    assignment: &'a Assignment,
    profiles: Vec<&'a str>,
    /// For the table: the session's name, or a legacy profile's start URL.
    #[serde(skip)]
    session: &'a SsoSession,
}

/// The listed assignments, sorted, each with the profiles of the config
/// that point at its account and role in the same Identity Center.
fn rows<'a>(config: &'a Config, listed: &'a [(SsoSession, Listing)]) -> Vec<Row<'a>> {
    let mut profiles: HashMap<(String, String, String), Vec<&str>> = HashMap::new();
    for name in config.profile_names() {
        if let Ok(p) = config.sso_profile(name) {
            let key = (p.session.start_url, p.account_id, p.role_name);
            profiles.entry(key).or_default().push(name);
        }
    }
    let mut rows: Vec<Row> = listed
        .iter()
        .flat_map(|(session, listing)| {
            listing.assignments.iter().map(|a| Row {
                sso_session: session.name.as_deref(),
                assignment: a,
                profiles: profiles
                    .get(&(
                        session.start_url.clone(),
                        a.account_id.clone(),
                        a.role_name.clone(),
                    ))
                    .cloned()
                    .unwrap_or_default(),
                session,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        a.assignment
            .cmp(b.assignment)
            .then_with(|| a.session.cache_key().cmp(b.session.cache_key()))
    });
    rows
}

/// Aligned columns, with the session first when there is more than one.
fn table(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let several_sessions = rows
        .iter()
        .any(|r| r.session.cache_key() != rows[0].session.cache_key());
    let mut lines: Vec<Vec<String>> = vec![
        ["SSO SESSION", "ACCOUNT", "ACCOUNT ID", "ROLE", "PROFILES"]
            .map(str::to_string)
            .to_vec(),
    ];
    for r in rows {
        lines.push(vec![
            printable(r.session.cache_key()),
            printable(&r.assignment.account_name),
            printable(&r.assignment.account_id),
            printable(&r.assignment.role_name),
            printable(&r.profiles.join(", ")),
        ]);
    }
    if !several_sessions {
        lines.iter_mut().for_each(|l| drop(l.remove(0)));
    }
    let columns = lines[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for line in &lines {
        let mut text = String::new();
        for (c, cell) in line.iter().enumerate() {
            if c + 1 < columns {
                let pad = widths[c] - cell.chars().count();
                text.push_str(&format!("{cell}{}  ", " ".repeat(pad)));
            } else {
                text.push_str(cell);
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// All of it, or as much as a reader that went away (`| head`) took.
fn write_stdout(out: &str) -> Result<()> {
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::failed(format!("cannot write the list: {e}")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile dev-too]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin

[profile other-org]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin
";

    fn assignment(id: &str, name: &str, role: &str) -> Assignment {
        Assignment {
            account_id: id.into(),
            account_name: name.into(),
            role_name: role.into(),
        }
    }

    fn listing(assignments: Vec<Assignment>) -> Listing {
        Listing {
            assignments,
            fetched_at: crate::timestamp::Timestamp::now(),
            from_cache: false,
        }
    }

    #[test]
    fn profiles_of_the_same_identity_center_are_matched() {
        let config = Config::parse(CONFIG, Path::new("/c")).unwrap();
        let corp = config.sso_session("corp").unwrap();
        let listed = vec![(
            corp,
            listing(vec![
                assignment("111111111111", "dev", "Admin"),
                assignment("111111111111", "dev", "ReadOnly"),
            ]),
        )];
        let rows = rows(&config, &listed);
        assert_eq!(rows[0].profiles, ["dev", "dev-too"]);
        assert!(rows[1].profiles.is_empty());
        let json = serde_json::to_value(&rows).unwrap();
        assert_eq!(
            json[0],
            serde_json::json!({
                "sso_session": "corp",
                "account_id": "111111111111",
                "account_name": "dev",
                "role_name": "Admin",
                "profiles": ["dev", "dev-too"],
            })
        );
    }

    #[test]
    fn table_aligns_and_names_sessions_only_when_several() {
        let config = Config::parse(CONFIG, Path::new("/c")).unwrap();
        let corp = config.sso_session("corp").unwrap();
        let other = config.sso_profile("other-org").unwrap().session;
        let one = vec![(
            corp.clone(),
            listing(vec![
                assignment("111111111111", "dev", "Admin"),
                assignment("222222222222", "a-much-longer-name", "ReadOnly"),
            ]),
        )];
        assert_eq!(
            table(&rows(&config, &one)),
            "ACCOUNT             ACCOUNT ID    ROLE      PROFILES\n\
             a-much-longer-name  222222222222  ReadOnly\n\
             dev                 111111111111  Admin     dev, dev-too\n"
        );
        let two = vec![
            one[0].clone(),
            (
                other,
                listing(vec![assignment("333333333333", "b", "Admin")]),
            ),
        ];
        let text = table(&rows(&config, &two));
        assert!(
            text.starts_with("SSO SESSION                      ACCOUNT"),
            "{text}"
        );
        assert!(
            text.contains("\nhttps://other.awsapps.com/start  b "),
            "{text}"
        );
    }

    #[test]
    fn several_signed_out_sessions_give_one_command() {
        let config = Config::parse(CONFIG, Path::new("/c")).unwrap();
        let corp = config.sso_session("corp").unwrap();
        let other = config.sso_profile("other-org").unwrap().session;
        let e = none_signed_in(vec![
            (corp, None, Error::failed("x")),
            (other, Some("other-org".into()), Error::failed("y")),
        ]);
        assert_eq!(e.kind, Kind::LoginRequired);
        assert_eq!(
            e.message,
            "no valid sign-in to sso-session corp or https://other.awsapps.com/start; \
             run `ssoenv login --sso-session corp` to sign in"
        );
    }
}
