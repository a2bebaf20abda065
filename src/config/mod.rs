//! The AWS config file model: profiles and sso-sessions, resolved into what
//! the SSO exchange needs.

mod keys;
mod role;
mod sections;

pub use keys::Typo;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ini::SectionId;
pub use role::{CHAINED_MAX_SECONDS, Chain, RoleProfile};
pub use sections::SectionName;
use sections::Sections;

/// An Identity Center sign-in: one token in the shared cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// `[sso-session NAME]`, or None for a legacy profile carrying
    /// sso_start_url itself (such tokens are never refreshed).
    pub name: Option<String>,
    pub start_url: String,
    pub region: String,
    /// `sso_registration_scopes`, None when not configured.
    pub scopes: Option<Vec<String>>,
}

impl SsoSession {
    /// The token cache key shared with the AWS CLI: the session name, or the
    /// start URL for legacy profiles.
    pub fn cache_key(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.start_url)
    }

    /// How the user signs in to this session again, for hints.
    pub fn login_args(&self, profile: Option<&str>) -> String {
        match (&self.name, profile) {
            (Some(n), _) => format!(" --sso-session {n}"),
            (None, Some(p)) => format!(" {}", shell_words::quote(p)),
            (None, None) => String::new(),
        }
    }

    /// A session for unit tests: `[sso-session NAME]`, or a legacy one.
    #[cfg(test)]
    pub fn for_test(name: Option<&str>) -> SsoSession {
        SsoSession {
            name: name.map(str::to_string),
            start_url: "https://d-0000000000.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: None,
        }
    }
}

/// "sso-session corp", or the start URL of a legacy profile.
impl std::fmt::Display for SsoSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.name {
            Some(n) => write!(f, "sso-session {n}"),
            None => f.write_str(&self.start_url),
        }
    }
}

/// A profile that gets role credentials through Identity Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    pub name: String,
    pub account_id: String,
    pub role_name: String,
    pub region: Option<String>,
    pub session: SsoSession,
}

impl SsoProfile {
    pub fn login_args(&self) -> String {
        self.session.login_args(Some(&self.name))
    }
}

#[derive(Debug)]
pub struct Config {
    path: PathBuf,
    sections: Sections,
    profiles: HashMap<String, SectionId>,
    /// Profile names in file order, for listings.
    order: Vec<String>,
    sessions: HashMap<String, SectionId>,
}

/// The profile a command acts on: the argument, else AWS_PROFILE (then
/// AWS_DEFAULT_PROFILE, the AWS CLI v2's order), else `default`.
pub fn selected_profile(arg: Option<&str>) -> String {
    if let Some(a) = arg {
        return a.to_string();
    }
    profile_from_env().unwrap_or_else(|| "default".to_string())
}

/// AWS_PROFILE, else AWS_DEFAULT_PROFILE, when set.
pub fn profile_from_env() -> Option<String> {
    ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
}

/// What `ssoenv login` without a profile or session signs in to.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginTarget {
    One {
        session: SsoSession,
        /// The profile it came from, if any (a legacy session needs it to sign in again).
        profile: Option<String>,
    },
    /// Several sso-sessions and nothing to choose by: the user picks.
    Choose(Vec<SsoSession>),
}

impl Config {
    /// Load AWS_CONFIG_FILE (default ~/.aws/config). A missing file is an
    /// empty config: lookups then explain what to add.
    ///
    /// Misspelt keys are warned about, once per process.
    pub fn load() -> Result<Config> {
        static WARNED: std::sync::Once = std::sync::Once::new();
        let config = Self::load_without_warnings()?;
        WARNED.call_once(|| {
            for typo in config.typos() {
                crate::warn!("{typo}");
            }
        });
        Ok(config)
    }

    /// [`Config::load`] for callers that must not write to the terminal
    /// (completion) or report the warnings themselves (`doctor`).
    pub fn load_without_warnings() -> Result<Config> {
        let path = crate::paths::config_file()?;
        let bytes = crate::fsutil::read_optional_stream(&path)?.unwrap_or_default();
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::usage(format!("{}: not valid UTF-8", path.display())))?;
        Self::parse(&text, &path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let sections = sections::parse(text, path)?;
        let mut profiles = HashMap::new();
        let mut sessions = HashMap::new();
        let mut order = Vec::new();
        let mut plain_default = None;
        for (section, id) in sections.iter() {
            let (map, name, kind) = match section {
                SectionName::Default => {
                    plain_default = Some(id);
                    continue;
                }
                SectionName::Profile(n) => (&mut profiles, n, "profile"),
                SectionName::SsoSession(n) => (&mut sessions, n, "sso-session"),
                SectionName::Other(_) => continue,
            };
            // The same name spelt two ways: `[profile a]`, `[profile "a"]`.
            if let Some(first) = map.insert(name.clone(), id) {
                return Err(Error::usage(format!(
                    "{}:{}: duplicate section [{kind} {name}] (first at line {})",
                    path.display(),
                    sections.line(id),
                    sections.line(first)
                )));
            }
            if let SectionName::Profile(name) = section {
                order.push(name.clone());
            }
        }
        // `[profile default]` wins over `[default]`, as in the Rust SDK.
        if let Some(d) = plain_default
            && !profiles.contains_key("default")
        {
            order.insert(0, "default".into());
            profiles.insert("default".into(), d);
        }
        Ok(Config {
            path: path.to_path_buf(),
            sections,
            profiles,
            order,
            sessions,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Each key that looks like a misspelling of one ssoenv reads.
    pub fn typos(&self) -> &[Typo] {
        self.sections.typos()
    }

    /// Whether the profile has any `sso_*` key: it is meant to sign in
    /// through Identity Center, whether or not it resolves.
    pub fn uses_sso_keys(&self, name: &str) -> bool {
        self.profiles.get(name).is_some_and(|&id| {
            self.sections
                .read(id)
                .entries
                .iter()
                .any(|e| e.key.starts_with("sso_"))
        })
    }

    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    pub fn has_profile(&self, name: &str) -> bool {
        self.profiles.contains_key(name)
    }

    /// The `region` of the `default` profile: what account/role targets,
    /// which have no profile of their own, use unless told otherwise.
    pub fn default_region(&self) -> Option<String> {
        let section = self.sections.read(*self.profiles.get("default")?);
        let region = section.get("region")?.value.clone();
        Some(region).filter(|v| !v.is_empty())
    }

    /// Names of the profiles that resolve to role credentials: SSO profiles
    /// and role profiles chained after them.
    pub fn sso_profile_names(&self) -> Vec<&str> {
        self.profile_names()
            .filter(|n| self.chain(n).is_ok())
            .collect()
    }

    fn at(&self, line: usize) -> String {
        format!("{}:{line}", self.path.display())
    }

    pub fn sso_profile(&self, name: &str) -> Result<SsoProfile> {
        let section = self
            .profiles
            .get(name)
            .map(|&id| self.sections.read(id))
            .ok_or_else(|| self.unknown_profile(name))?;
        let get = |k: &str| {
            section
                .get(k)
                .map(|e| e.value.clone())
                .filter(|v| !v.is_empty())
        };
        let require = |k: &str| {
            get(k).ok_or_else(|| {
                Error::usage(format!(
                    "{}: profile {name} has no {k} (an SSO profile needs sso_account_id and sso_role_name)",
                    self.at(section.line)
                ))
            })
        };
        let session = if let Some(entry) = section.get("sso_session") {
            let session = self.session_from(&entry.value, entry.line)?;
            // The profile may repeat the session's URL/region, but not contradict them.
            for (key, theirs) in [
                ("sso_start_url", &session.start_url),
                ("sso_region", &session.region),
            ] {
                if let Some(e) = section.get(key)
                    && &e.value != theirs
                {
                    return Err(Error::usage(format!(
                        "{}: profile {name} sets {key} = {} but its sso-session {} has {theirs}",
                        self.at(e.line),
                        e.value,
                        entry.value
                    )));
                }
            }
            session
        } else if section.get("sso_start_url").is_some() {
            SsoSession {
                name: None,
                start_url: require("sso_start_url")?,
                region: require("sso_region")?,
                scopes: None,
            }
        } else {
            return Err(Error::usage(format!(
                "{}: profile {name} is not an SSO profile (it has no sso_session or sso_start_url)",
                self.at(section.line)
            )));
        };
        Ok(SsoProfile {
            name: name.to_string(),
            account_id: require("sso_account_id")?,
            role_name: require("sso_role_name")?,
            region: get("region"),
            session,
        })
    }

    /// `[sso-session NAME]`, for `login --sso-session` and `logout`.
    pub fn sso_session(&self, name: &str) -> Result<SsoSession> {
        self.session_from(name, 0)
    }

    fn session_from(&self, name: &str, referenced_at: usize) -> Result<SsoSession> {
        let Some(section) = self.sessions.get(name).map(|&id| self.sections.read(id)) else {
            let mut msg = match referenced_at {
                0 => format!("no [sso-session {name}] in {}", self.path.display()),
                line => format!(
                    "{}: sso_session = {name}, but there is no [sso-session {name}]",
                    self.at(line)
                ),
            };
            msg.push_str(&did_you_mean(
                name,
                self.sessions.keys().map(String::as_str),
            ));
            return Err(Error::usage(msg));
        };
        let require = |k: &str| {
            section
                .get(k)
                .map(|e| e.value.clone())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    Error::usage(format!(
                        "{}: [sso-session {name}] has no {k}",
                        self.at(section.line)
                    ))
                })
        };
        let scopes = section.get("sso_registration_scopes").map(|e| {
            e.value
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        });
        Ok(SsoSession {
            name: Some(name.to_string()),
            start_url: require("sso_start_url")?,
            region: require("sso_region")?,
            scopes,
        })
    }

    /// The session `ssoenv login` signs in to when told none: that of
    /// `env_profile` (AWS_PROFILE), else that of a `default` profile, else
    /// the only [sso-session]. A role profile's session is its chain's root
    /// one, as for `ssoenv login PROFILE`: that sign-in is what it needs.
    pub fn login_target(&self, env_profile: Option<&str>) -> Result<LoginTarget> {
        // The named profile, not the root: `ssoenv login NAME` is the hint
        // the user recognises, and it signs in to the same session.
        let from_chain = |c: Chain| LoginTarget::One {
            session: c.root.session,
            profile: Some(c.profile.name),
        };
        if let Some(name) = env_profile {
            return self.chain(name).map(from_chain);
        }
        // A `[default]` holding only a region is common; it is no answer here.
        if let Ok(c) = self.chain("default") {
            return Ok(from_chain(c));
        }
        let mut sessions: Vec<SsoSession> = self
            .sessions
            .keys()
            .filter_map(|n| self.sso_session(n).ok())
            .collect();
        sessions.sort_by(|a, b| a.name.cmp(&b.name));
        match sessions.len() {
            0 => {
                let profiles = self.sso_profile_names();
                let mut msg = format!(
                    "which sign-in? {} has no [sso-session], and neither AWS_PROFILE \
                     nor a default profile says",
                    self.path.display()
                );
                match profiles.first() {
                    Some(p) => msg.push_str(&format!("; name a profile: `ssoenv login {p}`")),
                    None => msg.push_str("; add an [sso-session] (see `aws configure sso`)"),
                }
                Err(Error::usage(msg))
            }
            1 => Ok(LoginTarget::One {
                session: sessions.remove(0),
                profile: None,
            }),
            _ => Ok(LoginTarget::Choose(sessions)),
        }
    }

    /// The arguments of an `ssoenv login` that signs in to `session` in this
    /// config: `--sso-session NAME`, or a profile that uses the legacy start URL.
    pub fn login_args_for(&self, session: &SsoSession) -> String {
        let profile = match session.name {
            Some(_) => None,
            None => self
                .profile_names()
                .find(|p| self.sso_profile(p).is_ok_and(|p| &p.session == session)),
        };
        session.login_args(profile)
    }

    /// All sessions named in the file and the legacy start URLs profiles use.
    pub fn all_sessions(&self) -> Vec<SsoSession> {
        let mut out: Vec<SsoSession> = Vec::new();
        let mut names: Vec<&String> = self.sessions.keys().collect();
        names.sort();
        for n in names {
            if let Ok(s) = self.sso_session(n) {
                out.push(s);
            }
        }
        for p in self.profile_names() {
            if let Ok(p) = self.sso_profile(p)
                && !out.contains(&p.session)
            {
                out.push(p.session);
            }
        }
        out
    }

    fn unknown_profile(&self, name: &str) -> Error {
        let mut msg = format!("unknown profile `{name}` (not in {})", self.path.display());
        msg.push_str(&did_you_mean(name, self.profile_names()));
        Error::usage(msg)
    }
}

/// "; did you mean `dev` or `dev-admin`?" for the closest few names: a
/// typo (edit distance, transpositions counted once) or a part of the name.
pub fn did_you_mean<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> String {
    let wanted = wanted.to_lowercase();
    let allowed = (wanted.chars().count() / 3).max(1);
    let mut close: Vec<(usize, &str)> = names
        .filter_map(|n| {
            let lower = n.to_lowercase();
            let distance = strsim::damerau_levenshtein(&wanted, &lower);
            let related = distance <= allowed || lower.contains(&wanted) || wanted.contains(&lower);
            related.then_some((distance, n))
        })
        .collect();
    close.sort();
    let close: Vec<String> = close
        .iter()
        .take(3)
        .map(|(_, n)| format!("`{n}`"))
        .collect();
    match close.len() {
        0 => String::new(),
        _ => format!("; did you mean {}?", close.join(" or ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &str = "\
[default]
region = us-east-1

[sso-session corp]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1

[profile legacy]
sso_start_url = https://d-1111111111.awsapps.com/start
sso_region = us-east-2
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile broken]
sso_session = corpp
sso_account_id = 1
sso_role_name = x

[profile keys]
aws_access_key_id = AKIA
";

    fn cfg() -> Config {
        Config::parse(CFG, Path::new("/home/u/.aws/config")).unwrap()
    }

    #[test]
    fn resolves_session_profiles() {
        let p = cfg().sso_profile("dev").unwrap();
        assert_eq!(p.account_id, "111111111111");
        assert_eq!(p.region.as_deref(), Some("eu-central-1"));
        assert_eq!(p.session.cache_key(), "corp");
        assert_eq!(p.session.region, "eu-west-1");
        assert_eq!(
            p.session.scopes,
            Some(vec!["sso:account:access".to_string()])
        );
    }

    #[test]
    fn resolves_legacy_profiles() {
        let p = cfg().sso_profile("legacy").unwrap();
        assert_eq!(p.session.name, None);
        assert_eq!(
            p.session.cache_key(),
            "https://d-1111111111.awsapps.com/start"
        );
        assert_eq!(p.login_args(), " legacy");
    }

    #[test]
    fn unknown_profile_suggests() {
        let e = cfg().sso_profile("dve").unwrap_err();
        assert_eq!(
            e.message,
            "unknown profile `dve` (not in /home/u/.aws/config); did you mean `dev`?"
        );
        let e = cfg().sso_profile("zzz").unwrap_err();
        assert!(!e.message.contains("did you mean"), "{}", e.message);
    }

    #[test]
    fn errors_point_at_lines() {
        let e = cfg().sso_profile("broken").unwrap_err();
        assert_eq!(
            e.message,
            "/home/u/.aws/config:22: sso_session = corpp, but there is no [sso-session corpp]; did you mean `corp`?"
        );
        let e = cfg().sso_profile("keys").unwrap_err();
        assert!(
            e.message
                .starts_with("/home/u/.aws/config:26: profile keys is not an SSO profile"),
            "{}",
            e.message
        );
    }

    #[test]
    fn conflicting_start_url_is_an_error() {
        let text = "[sso-session s]\nsso_start_url = https://a\nsso_region = us-east-1\n[profile p]\nsso_session = s\nsso_start_url = https://b\nsso_account_id = 1\nsso_role_name = r\n";
        let e = Config::parse(text, Path::new("/c"))
            .unwrap()
            .sso_profile("p")
            .unwrap_err()
            .message;
        assert!(
            e.starts_with("/c:6: profile p sets sso_start_url = https://b"),
            "{e}"
        );
    }

    #[test]
    fn profile_default_overrides_default() {
        let c = Config::parse(
            "[default]\nregion=a\n[profile default]\nregion=b\n",
            Path::new("/c"),
        )
        .unwrap();
        assert_eq!(c.profile_names().collect::<Vec<_>>(), vec!["default"]);
        let default = c.sections.read(c.profiles["default"]);
        assert_eq!(default.get("region").unwrap().value, "b");
    }

    #[test]
    fn login_finds_the_session_without_a_profile() {
        let c = cfg();
        let one = |target| match target {
            LoginTarget::One { session, profile } => (session.cache_key().to_string(), profile),
            other => panic!("{other:?}"),
        };
        // The only [sso-session]; `[default]` holds only a region.
        assert_eq!(one(c.login_target(None).unwrap()), ("corp".into(), None));
        assert_eq!(
            one(c.login_target(Some("legacy")).unwrap()),
            (
                "https://d-1111111111.awsapps.com/start".into(),
                Some("legacy".into())
            )
        );
        assert!(c.login_target(Some("nope")).is_err());

        let two = format!(
            "{CFG}\n[sso-session other]\nsso_start_url = https://x\nsso_region = us-east-1\n"
        );
        let c = Config::parse(&two, Path::new("/c")).unwrap();
        match c.login_target(None).unwrap() {
            LoginTarget::Choose(s) => assert_eq!(
                s.iter().map(|s| s.cache_key()).collect::<Vec<_>>(),
                vec!["corp", "other"]
            ),
            other => panic!("{other:?}"),
        }
        let with_default = format!(
            "{two}\n[profile default]\nsso_session = other\nsso_account_id = 1\nsso_role_name = r\n"
        );
        let c = Config::parse(&with_default, Path::new("/c")).unwrap();
        assert_eq!(
            one(c.login_target(None).unwrap()),
            ("other".into(), Some("default".into()))
        );

        // Role profiles sign in to their chain's root session, under their own name.
        let roles = format!(
            "{with_default}\n[profile ops]\nrole_arn = arn:aws:iam::2:role/Ops\nsource_profile = default\n\
             [profile old]\nsso_start_url = https://y\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = r\n\
             [profile old-ops]\nrole_arn = arn:aws:iam::2:role/Ops\nsource_profile = old\n"
        );
        let c = Config::parse(&roles, Path::new("/c")).unwrap();
        assert_eq!(
            one(c.login_target(Some("ops")).unwrap()),
            ("other".into(), Some("ops".into()))
        );
        assert_eq!(
            one(c.login_target(Some("old-ops")).unwrap()),
            ("https://y".into(), Some("old-ops".into()))
        );
        let role_default = roles.replace(
            "[profile default]\nsso_session = other\nsso_account_id = 1\nsso_role_name = r\n",
            "[profile default]\nrole_arn = arn:aws:iam::2:role/Ops\nsource_profile = old\n",
        );
        assert_ne!(role_default, roles);
        let c = Config::parse(&role_default, Path::new("/c")).unwrap();
        assert_eq!(
            one(c.login_target(None).unwrap()),
            ("https://y".into(), Some("default".into()))
        );

        let legacy_only = "[profile old]\nsso_start_url = https://y\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = r\n";
        let c = Config::parse(legacy_only, Path::new("/c")).unwrap();
        let e = c.login_target(None).unwrap_err();
        assert!(e.message.contains("`ssoenv login old`"), "{}", e.message);
        assert!(
            e.message
                .contains("neither AWS_PROFILE nor a default profile says;"),
            "{}",
            e.message
        );
        let session = c.sso_profile("old").unwrap().session;
        assert_eq!(c.login_args_for(&session), " old");
        assert_eq!(
            cfg().login_args_for(&cfg().sso_session("corp").unwrap()),
            " --sso-session corp"
        );
    }

    #[test]
    fn lists_sso_profiles_and_sessions() {
        let c = cfg();
        assert_eq!(c.sso_profile_names(), vec!["dev", "legacy"]);
        let keys: Vec<String> = c
            .all_sessions()
            .iter()
            .map(|s| s.cache_key().to_string())
            .collect();
        assert_eq!(keys, vec!["corp", "https://d-1111111111.awsapps.com/start"]);
    }

    #[test]
    fn misspelt_keys_are_named_with_file_and_line() {
        let text = "[profile dev]\nsso_sesion = corp\nregion = eu-west-1\nmy_tool_setting = 1\n\
                    [sso-session corp]\nsso_start_ulr = https://x\n[services s]\nsso_sesion = x\n";
        let c = Config::parse(text, Path::new("/c")).unwrap();
        let typos: Vec<String> = c.typos().iter().map(Typo::to_string).collect();
        assert_eq!(
            typos,
            [
                "/c:2: unknown key `sso_sesion` in [profile dev]; did you mean `sso_session`?",
                "/c:6: unknown key `sso_start_ulr` in [sso-session corp]; did you mean `sso_start_url`?",
            ]
        );
        assert!(cfg().typos().is_empty());
        assert!(c.uses_sso_keys("dev"));
        assert!(!cfg().uses_sso_keys("keys"));
        assert!(!cfg().uses_sso_keys("nosuch"));
    }
}
