//! Targets: what the commands act on. A profile of the config, or
//! `ACCOUNT/ROLE`: an account (its id, or its name in any case) and a role
//! that a sign-in reaches, looked up in discovery's account list. A profile
//! name always wins over a target spelled the same.
//!
//! Either way the result is the [`Chain`] every command already takes: a
//! profile as the config resolves it (a role profile with the SSO profile
//! it is chained after), an account/role as an SSO profile with no roles.
//! The role credentials of a target go into the AWS CLI's cache under the
//! key a profile with the same account, role and sign-in uses, so the two
//! share one cached file.

use std::collections::{HashMap, HashSet};

use crate::config::{self, Chain, Config, SsoProfile, SsoSession};
use crate::error::{Error, Result};
use crate::log::printable;
use crate::sso::discovery::{self, Assignment, Refresh};
use crate::sso::token;
use crate::timestamp::Timestamp;

/// A resolved target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What the commands use: `chain.profile` is what they show and hand
    /// out. An account/role target is named `account-name/role`, has the
    /// region of the `[default]` profile, and no roles.
    pub chain: Chain,
    /// Whether the config has a profile of this name, which other tools
    /// can then be pointed at (AWS_PROFILE).
    pub configured: bool,
    /// The account's name (printable): always known for an account/role
    /// target, for a profile once [`Target::learn_account_name`] found it.
    pub account_name: Option<String>,
}

impl Target {
    /// A profile of the config, as a target.
    pub fn configured(chain: Chain) -> Target {
        Target {
            chain,
            configured: true,
            account_name: None,
        }
    }

    /// A profile's account name from the cached list of its sign-in, when
    /// there is one (any age: names rarely change). Never the network.
    pub fn learn_account_name(&mut self) {
        if self.account_name.is_some() {
            return;
        }
        let profile = &self.chain.profile;
        self.account_name = AccountNames::default().of(&profile.session, &profile.account_id);
    }
}

/// Account names from the cached lists of the sign-ins (any age: names
/// rarely change), each list read once. Never the network.
#[derive(Default)]
pub struct AccountNames(HashMap<String, Option<Vec<Assignment>>>);

impl AccountNames {
    /// The name of `account_id` in `session`'s list, made printable.
    pub fn of(&mut self, session: &SsoSession, account_id: &str) -> Option<String> {
        let list = self
            .0
            .entry(session.cache_key().to_string())
            .or_insert_with(|| {
                discovery::cached(session)
                    .ok()
                    .flatten()
                    .map(|l| l.assignments)
            });
        let account = list.as_ref()?.iter().find(|a| a.account_id == account_id)?;
        Some(printable(&account.account_name))
    }
}

/// The sign-ins a target may be found in: the one `sso_session` names (a
/// session name, or the start URL of legacy profiles), else every one.
pub fn sessions(config: &Config, sso_session: Option<&str>) -> Result<Vec<SsoSession>> {
    let all = discovery::sessions(config);
    let Some(wanted) = sso_session else {
        return Ok(all);
    };
    match all.into_iter().find(|s| s.cache_key() == wanted) {
        Some(s) => Ok(vec![s]),
        // Not a usable session: say why (a typo, a broken section).
        None => config.sso_session(wanted).map(|s| vec![s]),
    }
}

/// `spelling` as a profile or an account/role target, within the sign-in
/// `sso_session` when given. Account lists come from discovery's cache
/// while fresh, else are fetched (which needs a valid sign-in), else an old
/// cached list is used.
pub async fn resolve(config: &Config, spelling: &str, sso_session: Option<&str>) -> Result<Target> {
    if let Some(profile) = as_profile(config, spelling, sso_session) {
        return profile;
    }
    let Some((account, role)) = split(spelling) else {
        return config.chain(spelling).map(Target::configured);
    };
    let mut lists = Vec::new();
    let mut unlisted = Vec::new();
    for session in sessions(config, sso_session)? {
        match listing(config, &session).await {
            Ok(assignments) => lists.push((session, assignments)),
            Err(e) => unlisted.push(e),
        }
    }
    find(config, spelling, (account, role), &lists, unlisted)
}

/// [`resolve`] from the cached lists alone, whatever their age: for
/// commands that make no network calls (`status`).
pub fn resolve_cached(
    config: &Config,
    spelling: &str,
    sso_session: Option<&str>,
) -> Result<Target> {
    if let Some(profile) = as_profile(config, spelling, sso_session) {
        return profile;
    }
    let Some((account, role)) = split(spelling) else {
        return config.chain(spelling).map(Target::configured);
    };
    let mut lists = Vec::new();
    let mut unlisted = Vec::new();
    for session in sessions(config, sso_session)? {
        match discovery::cached(&session)? {
            Some(listing) => lists.push((session, listing.assignments)),
            None => unlisted.push(Error::usage(format!(
                "no account list of {session} is cached; `ssoenv list` fetches it"
            ))),
        }
    }
    find(config, spelling, (account, role), &lists, unlisted)
}

/// A profile of that name, if the config has one: it wins. `--sso-session`
/// may repeat the profile's own sign-in, not contradict it.
fn as_profile(
    config: &Config,
    spelling: &str,
    sso_session: Option<&str>,
) -> Option<Result<Target>> {
    if !config.has_profile(spelling) {
        return None;
    }
    let checked = config.chain(spelling).and_then(|c| match sso_session {
        Some(wanted) if wanted != c.profile.session.cache_key() => Err(Error::usage(format!(
            "profile {spelling} signs in through {}, not `{wanted}`; --sso-session \
                     chooses the sign-in of an ACCOUNT/ROLE target",
            c.profile.session
        ))),
        _ => Ok(Target::configured(c)),
    });
    Some(checked)
}

/// `ACCOUNT/ROLE`, split at the last `/` (role names have none).
fn split(spelling: &str) -> Option<(&str, &str)> {
    let (account, role) = spelling.rsplit_once('/')?;
    (!account.is_empty() && !role.is_empty()).then_some((account, role))
}

/// The assignments of `session`. An old list beats none: names and roles
/// rarely change, and the credentials call that follows checks the
/// assignment anyway.
async fn listing(config: &Config, session: &SsoSession) -> Result<Vec<Assignment>> {
    let profile = discovery::login_profile(config, session);
    match discovery::assignments(session, profile.as_deref(), Refresh::IfStale).await {
        Ok(listing) => Ok(listing.assignments),
        Err(e) => match discovery::cached(session)? {
            Some(old) => {
                crate::trace!(
                    "using the cached list of {session} of {}: {e}",
                    old.fetched_at
                );
                Ok(old.assignments)
            }
            None => Err(e),
        },
    }
}

/// The account lists of some sign-ins.
type Lists = [(SsoSession, Vec<Assignment>)];

fn eq_caseless(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// What `account`/`role` names in `lists`: the assignments whose account id
/// or name and role are spelled exactly so, else those matching in any case.
fn matches<'a>(
    account: &str,
    role: &str,
    lists: &'a Lists,
) -> Vec<(&'a SsoSession, &'a Assignment)> {
    let any_case: Vec<_> = lists
        .iter()
        .flat_map(|(s, list)| list.iter().map(move |a| (s, a)))
        .filter(|(_, a)| {
            (a.account_id == account || eq_caseless(&a.account_name, account))
                && eq_caseless(&a.role_name, role)
        })
        .collect();
    let exact: Vec<_> = any_case
        .iter()
        .filter(|(_, a)| {
            (a.account_id == account || a.account_name == account) && a.role_name == role
        })
        .copied()
        .collect();
    match exact.is_empty() {
        true => any_case,
        false => exact,
    }
}

/// The one assignment `spelling` names, as a target; else why not.
fn find(
    config: &Config,
    spelling: &str,
    (account, role): (&str, &str),
    lists: &Lists,
    unlisted: Vec<Error>,
) -> Result<Target> {
    match matches(account, role, lists).as_slice() {
        [(session, a)] => Ok(account_role(config, session, a)),
        [] => Err(not_found(config, spelling, account, lists, unlisted)),
        several => Err(ambiguous(spelling, several)),
    }
}

fn account_role(config: &Config, session: &SsoSession, a: &Assignment) -> Target {
    let account_name = printable(&a.account_name);
    Target {
        chain: Chain::from(SsoProfile {
            name: format!("{account_name}/{}", printable(&a.role_name)),
            account_id: a.account_id.clone(),
            role_name: a.role_name.clone(),
            region: config.default_region(),
            session: session.clone(),
        }),
        configured: false,
        account_name: Some(account_name),
    }
}

fn not_found(
    config: &Config,
    spelling: &str,
    account: &str,
    lists: &Lists,
    mut unlisted: Vec<Error>,
) -> Error {
    let path = config.path().display();
    if lists.is_empty() {
        return match unlisted.is_empty() {
            true => Error::usage(format!(
                "unknown profile `{spelling}` (not in {path}), and no sso-session to look \
                 up accounts in"
            )),
            // Typically: not signed in, so nothing could be listed.
            false => unlisted
                .remove(0)
                .context(format_args!("cannot look up `{spelling}`")),
        };
    }
    // The account is there, the role is not: say which roles it has.
    let mut seen_roles = HashSet::new();
    let roles: Vec<&str> = lists
        .iter()
        .flat_map(|(_, list)| list)
        .filter(|a| a.account_id == account || eq_caseless(&a.account_name, account))
        .map(|a| a.role_name.as_str())
        .filter(|r| seen_roles.insert(*r))
        .collect();
    if !roles.is_empty() && !config.has_profile(spelling) {
        let mut message = format!(
            "no profile `{spelling}` in {path}, and account `{account}` has no role `{}` for \
             you; its roles: {}",
            spelling.rsplit_once('/').map_or("", |(_, r)| r),
            roles.join(", ")
        );
        message = printable(&message);
        for e in unlisted {
            message.push_str(&format!(" (not searched: {e})"));
        }
        return Error::usage(message);
    }
    let by_id = account.chars().all(|c| c.is_ascii_digit());
    let mut seen: HashSet<String> = config.profile_names().map(String::from).collect();
    let spellings: Vec<String> = lists
        .iter()
        .flat_map(|(_, list)| list)
        .map(|a| match by_id {
            true => format!("{}/{}", a.account_id, a.role_name),
            false => format!("{}/{}", a.account_name, a.role_name),
        })
        .filter(|s| seen.insert(s.clone()))
        .collect();
    let count = lists.iter().map(|(_, l)| l.len()).sum::<usize>();
    let mut message = format!(
        "no profile `{spelling}` in {path}, and no account/role `{spelling}` among the \
         {count} your sign-ins reach"
    );
    message.push_str(&printable(&config::did_you_mean(
        spelling,
        config
            .profile_names()
            .chain(spellings.iter().map(String::as_str)),
    )));
    for e in unlisted {
        message.push_str(&format!(" (not searched: {e})"));
    }
    Error::usage(message)
}

fn ambiguous(spelling: &str, several: &[(&SsoSession, &Assignment)]) -> Error {
    let mut ids = HashSet::new();
    let repeated = !several.iter().all(|(_, a)| ids.insert(&a.account_id));
    let listed: Vec<String> = several
        .iter()
        .map(|(s, a)| {
            format!(
                "`{}/{}` ({}, {s})",
                a.account_id,
                a.role_name,
                printable(&a.account_name)
            )
        })
        .collect();
    let say = match repeated {
        true => "name the account by its id, and the sign-in with --sso-session NAME",
        false => "name the account by its id",
    };
    Error::usage(format!(
        "`{}` could be any of {}: {say}",
        printable(spelling),
        listed.join(", ")
    ))
}

/// The arguments that name `a` of `session` among `lists` and resolve back
/// to it: `name/role` when the name is unambiguous and plain enough to type
/// unquoted, else `id/role`, with `--sso-session` when that is ambiguous too.
fn arguments(config: &Config, lists: &Lists, session: &SsoSession, a: &Assignment) -> Vec<String> {
    let names_it = |account: &str| {
        let spelling = format!("{account}/{}", a.role_name);
        let only = matches(account, &a.role_name, lists);
        let unique = only.len() == 1 && only[0].0 == session && only[0].1 == a;
        (unique && !config.has_profile(&spelling)).then_some(spelling)
    };
    let plain = !a.account_name.is_empty()
        && a.account_name
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.@+=,:".contains(c));
    if let Some(by_name) = plain.then(|| names_it(&a.account_name)).flatten() {
        return vec![by_name];
    }
    match names_it(&a.account_id) {
        Some(by_id) => vec![by_id],
        None => vec![
            format!("{}/{}", a.account_id, a.role_name),
            "--sso-session".into(),
            session.cache_key().into(),
        ],
    }
}

/// Every account/role of `session`'s cached list, as targets' profiles:
/// whose credentials `logout` removes with the session's.
pub fn listed(config: &Config, session: &SsoSession) -> Vec<SsoProfile> {
    let listing = discovery::cached(session).ok().flatten();
    let assignments = listing.map(|l| l.assignments).unwrap_or_default();
    assignments
        .iter()
        .map(|a| account_role(config, session, a).chain.root)
        .collect()
}

/// What completion offers for a target: the config's profile names, then
/// the account/role targets of every cached list (no network, any age),
/// each with a description.
pub fn completions(config: &Config) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = config
        .profile_names()
        .map(|n| (n.to_string(), None))
        .collect();
    let lists: Vec<(SsoSession, Vec<Assignment>)> = discovery::sessions(config)
        .into_iter()
        .filter_map(|s| {
            let listing = discovery::cached(&s).ok().flatten()?;
            Some((s, listing.assignments))
        })
        .collect();
    let mut seen: HashSet<String> = out.iter().map(|(n, _)| n.clone()).collect();
    for (session, list) in &lists {
        for a in list {
            let spelling = arguments(config, &lists, session, a).remove(0);
            if seen.insert(spelling.clone()) {
                let about = format!(
                    "{} ({}) in {session}",
                    printable(&a.account_name),
                    a.account_id
                );
                out.push((spelling, Some(about)));
            }
        }
    }
    out
}

/// An account/role the picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reachable {
    pub assignment: Assignment,
    /// The arguments of `use` that choose it: the target, and
    /// `--sso-session NAME` when it takes that to say which.
    pub args: Vec<String>,
}

/// Every account/role of the signed-in sign-ins that no profile already
/// points at, for the picker: from the cached lists while fresh, else
/// listed now, to the end however many accounts there are (each call is
/// bounded; the list is then cached for the next twelve hours), since a
/// picker cut short would offer a part and cache nothing. A sign-in that
/// is not signed in (or whose list fails) offers nothing.
pub async fn reachable(config: &Config) -> Vec<Reachable> {
    let now = Timestamp::now();
    let mut lists = Vec::new();
    let mut offered = Vec::new();
    for session in discovery::sessions(config) {
        let signed_in = token::load(&session)
            .ok()
            .flatten()
            .is_some_and(|t| t.is_usable(now) || t.can_refresh(&session, now));
        let cached = discovery::cached(&session).ok().flatten();
        if !signed_in {
            // Not offered, but it counts when telling targets apart: `use`
            // searches it too.
            if let Some(old) = cached {
                lists.push((session, old.assignments));
            }
            continue;
        }
        let listed = match cached.filter(|l| l.is_fresh(now)) {
            Some(fresh) => Ok(fresh),
            None => {
                crate::say!("listing the accounts and roles of {session} (kept for 12 hours)...");
                let profile = discovery::login_profile(config, &session);
                discovery::assignments(&session, profile.as_deref(), Refresh::IfStale).await
            }
        };
        match listed {
            Ok(listing) => {
                offered.push(lists.len());
                lists.push((session, listing.assignments));
            }
            Err(e) => crate::warn!("the accounts of {session} are not offered: {e}"),
        }
    }
    let profiles: HashSet<(String, String, String)> = config
        .profile_names()
        .filter_map(|n| config.sso_profile(n).ok())
        .map(|p| (p.session.start_url, p.account_id, p.role_name))
        .collect();
    let mut out = Vec::new();
    for i in offered {
        let (session, list) = &lists[i];
        for a in list {
            let key = (
                session.start_url.clone(),
                a.account_id.clone(),
                a.role_name.clone(),
            );
            if !profiles.contains(&key) {
                out.push(Reachable {
                    assignment: a.clone(),
                    args: arguments(config, &lists, session, a),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const CONFIG: &str = "\
[default]
region = eu-north-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[sso-session other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile prod/Admin]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = ReadOnly

[profile deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev
";

    fn config() -> Config {
        Config::parse(CONFIG, Path::new("/c")).unwrap()
    }

    fn assignment(id: &str, name: &str, role: &str) -> Assignment {
        Assignment {
            account_id: id.into(),
            account_name: name.into(),
            role_name: role.into(),
        }
    }

    /// corp reaches dev (two roles), prod and a name with a space; other
    /// reaches an account also named dev, and prod again.
    fn lists(config: &Config) -> Vec<(SsoSession, Vec<Assignment>)> {
        vec![
            (
                config.sso_session("corp").unwrap(),
                vec![
                    assignment("111111111111", "dev", "Admin"),
                    assignment("111111111111", "dev", "ReadOnly"),
                    assignment("333333333333", "prod", "Admin"),
                    assignment("555555555555", "My Sandbox", "Admin"),
                    assignment("666666666666", "Dev", "Admin"),
                ],
            ),
            (
                config.sso_session("other").unwrap(),
                vec![
                    assignment("444444444444", "dev", "Admin"),
                    assignment("333333333333", "prod", "Admin"),
                ],
            ),
        ]
    }

    fn resolve(spelling: &str) -> Result<Target> {
        let (config, lists) = (config(), lists(&config()));
        if let Some(p) = as_profile(&config, spelling, None) {
            return p;
        }
        let parts = split(spelling).expect("an account/role spelling");
        find(&config, spelling, parts, &lists, Vec::new())
    }

    #[test]
    fn by_id_or_by_name_in_any_case() {
        let t = resolve("111111111111/ReadOnly").unwrap();
        assert_eq!(
            t,
            Target {
                chain: Chain::from(SsoProfile {
                    name: "dev/ReadOnly".into(),
                    account_id: "111111111111".into(),
                    role_name: "ReadOnly".into(),
                    region: Some("eu-north-1".into()),
                    session: config().sso_session("corp").unwrap(),
                }),
                configured: false,
                account_name: Some("dev".into()),
            }
        );
        assert_eq!(resolve("DEV/readonly").unwrap(), t, "any case");
        assert_eq!(
            resolve("my sandbox/admin")
                .unwrap()
                .chain
                .profile
                .account_id,
            "555555555555"
        );
    }

    #[test]
    fn an_exact_spelling_beats_one_in_another_case() {
        // `Dev` (666…) and `dev` (111… in corp, 444… in other) differ in case only.
        assert_eq!(
            resolve("Dev/Admin").unwrap().chain.profile.account_id,
            "666666666666"
        );
        let e = resolve("DEV/Admin").unwrap_err();
        assert!(e.message.contains("`666666666666/Admin`"), "{}", e.message);
    }

    #[test]
    fn a_profile_wins_over_a_target_spelled_the_same() {
        let t = resolve("prod/Admin").unwrap();
        assert!(t.configured);
        assert_eq!(
            (
                t.chain.profile.account_id.as_str(),
                t.chain.profile.role_name.as_str()
            ),
            ("333333333333", "ReadOnly")
        );
        let e = as_profile(&config(), "dev", Some("other"))
            .unwrap()
            .unwrap_err();
        assert_eq!(
            e.message,
            "profile dev signs in through sso-session corp, not `other`; --sso-session \
             chooses the sign-in of an ACCOUNT/ROLE target"
        );
        assert!(as_profile(&config(), "dev", Some("corp")).unwrap().is_ok());
    }

    #[test]
    fn a_role_profile_is_a_target_with_its_chain() {
        let t = resolve("deploy").unwrap();
        assert!(t.configured);
        assert_eq!(t.chain, config().chain("deploy").unwrap());
        assert_eq!(t.chain.root.name, "dev");
        assert_eq!(
            (t.chain.profile.account_id.as_str(), t.chain.roles.len()),
            ("222222222222", 1)
        );
        // Its sign-in is the root's.
        assert!(
            as_profile(&config(), "deploy", Some("corp"))
                .unwrap()
                .is_ok()
        );
        assert!(
            as_profile(&config(), "deploy", Some("other"))
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn ambiguity_names_the_candidates() {
        let e = resolve("dev/Admin").unwrap_err();
        assert_eq!(
            e.message,
            "`dev/Admin` could be any of `111111111111/Admin` (dev, sso-session corp), \
             `444444444444/Admin` (dev, sso-session other): name the account by its id"
        );
        let e = resolve("333333333333/Admin").unwrap_err();
        assert!(
            e.message
                .ends_with("name the account by its id, and the sign-in with --sso-session NAME"),
            "{}",
            e.message
        );
    }

    #[test]
    fn typos_get_suggestions() {
        let e = resolve("dve/ReadOnly").unwrap_err();
        assert_eq!(e.kind, crate::error::Kind::Usage);
        assert_eq!(
            e.message,
            "no profile `dve/ReadOnly` in /c, and no account/role `dve/ReadOnly` among the 7 \
             your sign-ins reach; did you mean `dev/ReadOnly`?"
        );
        let e = resolve("11111111112/Admin").unwrap_err();
        assert!(
            e.message.contains("; did you mean `111111111111/Admin`"),
            "{}",
            e.message
        );
        let e = resolve("111111111111/Admn").unwrap_err();
        assert_eq!(
            e.message,
            "no profile `111111111111/Admn` in /c, and account `111111111111` has no role \
             `Admn` for you; its roles: Admin, ReadOnly"
        );
    }

    #[test]
    fn with_nothing_listed_the_reason_is_the_error() {
        let config = config();
        let e = find(
            &config,
            "dev/Admin",
            ("dev", "Admin"),
            &[],
            vec![Error::login_required(
                "not signed in to sso-session corp",
                " --sso-session corp",
            )],
        )
        .unwrap_err();
        assert_eq!(e.kind, crate::error::Kind::LoginRequired);
        assert_eq!(
            e.message,
            "cannot look up `dev/Admin`: not signed in to sso-session corp; run `ssoenv login \
             --sso-session corp` to sign in"
        );
    }

    #[test]
    fn only_account_slash_role_is_a_target() {
        assert_eq!(split("dev/Admin"), Some(("dev", "Admin")));
        assert_eq!(split("a/b/Admin"), Some(("a/b", "Admin")));
        assert_eq!(split("dev"), None);
        assert_eq!(split("dev/"), None);
        assert_eq!(split("/Admin"), None);
    }

    #[test]
    fn arguments_name_what_they_were_made_for() {
        let config = config();
        let lists = lists(&config);
        let (corp, other) = (&lists[0].0, &lists[1].0);
        let args = |s: &SsoSession, a: &Assignment| arguments(&config, &lists, s, a);
        assert_eq!(args(corp, &lists[0].1[1]), ["dev/ReadOnly"]);
        // Ambiguous by name.
        assert_eq!(args(corp, &lists[0].1[0]), ["111111111111/Admin"]);
        // Not plain enough to type unquoted.
        assert_eq!(args(corp, &lists[0].1[3]), ["555555555555/Admin"]);
        // `prod/Admin` is a profile, and the id is in both sign-ins.
        assert_eq!(
            args(other, &lists[1].1[1]),
            ["333333333333/Admin", "--sso-session", "other"]
        );
        // Each resolves back to what it was made for.
        for (session, list) in &lists {
            for a in list {
                let args = args(session, a);
                let spelling = &args[0];
                let lists: Vec<_> = match args.get(2) {
                    Some(s) => lists
                        .iter()
                        .filter(|(x, _)| x.cache_key() == s)
                        .cloned()
                        .collect(),
                    None => lists.clone(),
                };
                let t = find(
                    &config,
                    spelling,
                    split(spelling).unwrap(),
                    &lists,
                    Vec::new(),
                )
                .unwrap();
                assert_eq!(
                    (
                        &t.chain.profile.session,
                        t.chain.profile.account_id.as_str(),
                        t.chain.profile.role_name.as_str()
                    ),
                    (session, a.account_id.as_str(), a.role_name.as_str())
                );
            }
        }
    }

    #[test]
    fn names_from_the_portal_are_printed_harmless() {
        let config = config();
        let lists = vec![(
            config.sso_session("corp").unwrap(),
            vec![assignment("777777777777", "evil\x1b]0;x\x07", "Admin")],
        )];
        let t = find(
            &config,
            "777777777777/Admin",
            ("777777777777", "Admin"),
            &lists,
            Vec::new(),
        )
        .unwrap();
        assert_eq!(t.chain.profile.name, "evil?]0;x?/Admin");
        assert_eq!(t.account_name.as_deref(), Some("evil?]0;x?"));
    }
}
