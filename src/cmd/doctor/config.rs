//! The AWS config: it parses, no key ssoenv reads is misspelt, and each
//! profile meant for Identity Center resolves to an account, a role and a
//! sign-in.

use std::collections::HashSet;
use std::path::PathBuf;

use super::{Area, Check};
use crate::config::{Config, SsoSession};
use crate::error::{Error, Result};

pub struct Facts {
    pub path: PathBuf,
    pub exists: bool,
    pub config: std::result::Result<Config, Error>,
}

/// A sign-in the config names, and the command that signs in to it.
pub struct Session {
    pub session: SsoSession,
    pub login: String,
}

impl Facts {
    /// Every sign-in of the config (none when it does not parse).
    pub fn sessions(&self) -> Vec<Session> {
        let Ok(config) = &self.config else {
            return Vec::new();
        };
        config
            .all_sessions()
            .into_iter()
            .map(|session| Session {
                login: format!("ssoenv login{}", config.login_args_for(&session)),
                session,
            })
            .collect()
    }

    pub fn sso_profile_names(&self) -> Vec<String> {
        match &self.config {
            Ok(c) => c
                .sso_profile_names()
                .into_iter()
                .map(String::from)
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

pub fn gather() -> Result<Facts> {
    let path = crate::paths::config_file()?;
    Ok(Facts {
        exists: path.exists(),
        config: Config::load_without_warnings(),
        path,
    })
}

pub fn checks(facts: &Facts) -> Vec<Check> {
    let fail = |message: String, fix: String| Check::fail(Area::Config, message, fix);
    let config = match &facts.config {
        Ok(c) => c,
        Err(e) => {
            return vec![fail(
                e.message.clone(),
                format!(
                    "correct {}: settings are `key = value` lines under a \
                     `[profile NAME]` or `[sso-session NAME]` header",
                    location(&e.message).unwrap_or(&facts.path.display().to_string())
                ),
            )];
        }
    };
    if !facts.exists {
        return vec![fail(
            format!("there is no AWS config at {}", facts.path.display()),
            "create one with `aws configure sso`, or try ssoenv first in `ssoenv sandbox`"
                .to_string(),
        )];
    }
    let names: Vec<&str> = config.profile_names().collect();
    let mut out = vec![Check::pass(
        Area::Config,
        format!(
            "{} parses: {} profiles, {} of them through Identity Center",
            facts.path.display(),
            names.len(),
            config.sso_profile_names().len()
        ),
    )];
    for typo in config.typos() {
        out.push(fail(
            typo.to_string(),
            format!(
                "rename `{}` to `{}` at {}:{}",
                typo.key,
                typo.meant,
                typo.file.display(),
                typo.line
            ),
        ));
    }
    // Profiles that share a broken sso-session share its message: once.
    let mut reported = HashSet::new();
    for name in names {
        if config.is_role_profile(name) {
            out.push(role_check(config, name));
            continue;
        }
        match config.sso_profile(name) {
            Ok(p) => out.push(Check::pass(
                Area::Config,
                format!(
                    "profile {name}: account {}, role {}, {}",
                    p.account_id, p.role_name, p.session
                ),
            )),
            Err(_) if !config.uses_sso_keys(name) => out.push(Check::skip(
                Area::Config,
                format!("profile {name} is not an SSO profile: left to the tools it is for"),
                None,
            )),
            Err(e) => {
                if reported.insert(e.message.clone()) {
                    let fix = profile_fix(name, &e.message);
                    out.push(fail(e.message, fix));
                }
            }
        }
    }
    out
}

/// A role profile: the role and the SSO profile it is chained after, or
/// why its chain does not resolve (which names the file and line).
fn role_check(config: &Config, name: &str) -> Check {
    match config.chain(name) {
        Ok(chain) => {
            let roles: Vec<&str> = chain.roles.iter().map(|r| r.role_arn.as_str()).collect();
            Check::pass(
                Area::Config,
                format!(
                    "profile {name}: role {}, chained after profile {} ({})",
                    roles.join(" then "),
                    chain.root.name,
                    chain.root.session
                ),
            )
        }
        Err(e) => {
            let fix = match location(&e.message) {
                Some(at) => format!("fix the role profile at {at}"),
                None => format!("fix the source_profile chain of profile {name}"),
            };
            Check::fail(Area::Config, e.message, fix)
        }
    }
}

/// `FILE:LINE` at the start of a message, if it has one.
fn location(message: &str) -> Option<&str> {
    let (at, _) = message.split_once(": ")?;
    let (_, line) = at.rsplit_once(':')?;
    line.parse::<usize>().is_ok().then_some(at)
}

/// What to change for a profile that does not resolve, from the message
/// `Config::sso_profile` gave (each names the file and line).
fn profile_fix(name: &str, message: &str) -> String {
    let at = location(message).unwrap_or("the line named");
    let word_after = |marker: &str| {
        message
            .split_once(marker)
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .unwrap_or("it")
            .to_string()
    };
    if message.contains(" has no ") && !message.contains("is not an SSO profile") {
        let key = word_after(" has no ");
        format!("add `{key} = …` to the section at {at}")
    } else if message.contains(", but there is no [sso-session") {
        format!("correct `sso_session` at {at}, or add the [sso-session] it names")
    } else if message.contains(" but its sso-session ") {
        let key = word_after(" sets ");
        format!("remove `{key}` from [profile {name}] at {at}: its sso-session's value applies")
    } else if message.contains("is not an SSO profile") {
        format!(
            "add `sso_session = NAME` to [profile {name}] at {at}, naming an [sso-session NAME] \
             with sso_start_url and sso_region"
        )
    } else {
        format!("correct {at} as the message says")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn facts(text: &str) -> Facts {
        Facts {
            path: "/c".into(),
            exists: true,
            config: Config::parse(text, Path::new("/c")),
        }
    }

    fn failures(checks: &[Check]) -> Vec<(String, String)> {
        checks
            .iter()
            .filter(|c| c.status == super::super::Status::Fail)
            .map(|c| (c.message.clone(), c.fix.clone().unwrap()))
            .collect()
    }

    const SESSION: &str = "[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n";

    #[test]
    fn a_role_profile_is_checked_through_its_chain() {
        let dev = "[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\n";
        let role = "[profile deploy]\nrole_arn = arn:aws:iam::2:role/Deploy\n";
        let good = format!("{SESSION}{dev}{role}source_profile = dev\n");
        let checks = checks(&facts(&good));
        assert_eq!(failures(&checks), []);
        assert_eq!(
            checks[2].message,
            "profile deploy: role arn:aws:iam::2:role/Deploy, chained after profile dev \
             (sso-session corp)"
        );
        let looped = format!("{SESSION}{dev}{role}source_profile = deploy\n");
        let failed = failures(&checks_of(&looped));
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(
            failed[0].0.contains("loops: deploy -> deploy"),
            "{failed:?}"
        );
    }

    fn checks_of(text: &str) -> Vec<Check> {
        checks(&facts(text))
    }

    #[test]
    fn a_good_config_passes_and_other_profiles_are_left_alone() {
        let text = format!(
            "{SESSION}[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = Admin\n\
             [profile keys]\naws_access_key_id = AKIA\n"
        );
        let checks = checks(&facts(&text));
        assert_eq!(failures(&checks), []);
        assert_eq!(
            checks[0].message,
            "/c parses: 2 profiles, 1 of them through Identity Center"
        );
        assert_eq!(
            checks[1].message,
            "profile dev: account 1, role Admin, sso-session corp"
        );
        assert_eq!(checks[2].status, super::super::Status::Skip);
    }

    #[test]
    fn every_failure_says_what_to_change_where() {
        let text = format!(
            "{SESSION}[profile typo]\nsso_sesion = corp\nsso_account_id = 1\nsso_role_name = r\n\
             [profile norole]\nsso_session = corp\nsso_account_id = 1\n\
             [profile nosession]\nsso_session = corpp\nsso_account_id = 1\nsso_role_name = r\n\
             [profile contradicts]\nsso_session = corp\nsso_start_url = https://y\nsso_account_id = 1\nsso_role_name = r\n"
        );
        assert_eq!(
            failures(&checks(&facts(&text))),
            [
                (
                    "/c:5: unknown key `sso_sesion` in [profile typo]; did you mean `sso_session`?"
                        .to_string(),
                    "rename `sso_sesion` to `sso_session` at /c:5".to_string()
                ),
                (
                    "/c:4: profile typo is not an SSO profile (it has no sso_session or sso_start_url)"
                        .to_string(),
                    "add `sso_session = NAME` to [profile typo] at /c:4, naming an [sso-session NAME] \
                     with sso_start_url and sso_region"
                        .to_string()
                ),
                (
                    "/c:8: profile norole has no sso_role_name (an SSO profile needs sso_account_id and sso_role_name)"
                        .to_string(),
                    "add `sso_role_name = …` to the section at /c:8".to_string()
                ),
                (
                    "/c:12: sso_session = corpp, but there is no [sso-session corpp]; did you mean `corp`?"
                        .to_string(),
                    "correct `sso_session` at /c:12, or add the [sso-session] it names".to_string()
                ),
                (
                    "/c:17: profile contradicts sets sso_start_url = https://y but its sso-session corp has https://x"
                        .to_string(),
                    "remove `sso_start_url` from [profile contradicts] at /c:17: its sso-session's value applies"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn a_broken_session_is_reported_once_and_a_syntax_error_alone() {
        let text = "[sso-session corp]\nsso_start_url = https://x\n\
                    [profile a]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n\
                    [profile b]\nsso_session = corp\nsso_account_id = 2\nsso_role_name = r\n";
        let failed = failures(&checks(&facts(text)));
        assert_eq!(
            failed,
            [(
                "/c:1: [sso-session corp] has no sso_region".to_string(),
                "add `sso_region = …` to the section at /c:1".to_string()
            )]
        );
        let broken = checks(&facts("[profile a]\nnot a setting\n"));
        assert_eq!(broken.len(), 1);
        assert_eq!(
            broken[0].fix.as_deref(),
            Some(
                "correct /c:2: settings are `key = value` lines under a `[profile NAME]` or \
                 `[sso-session NAME]` header"
            )
        );
        let missing = Facts {
            exists: false,
            ..facts("")
        };
        assert!(checks(&missing)[0].message.contains("no AWS config at /c"));
    }
}
