//! Role profiles chained after SSO: `role_arn` with `source_profile`, to any
//! depth, the root an SSO profile (wave2.md §4.1, botocore's
//! `AssumeRoleProvider`). One resolver says what a profile name means: an
//! SSO profile on its own, or the SSO profile and the roles assumed from it.

use super::{Config, SsoProfile, did_you_mean};
use crate::error::{Error, Result};

/// A role chained after SSO lasts at most an hour (IAM's role-chaining
/// limit): a longer `duration_seconds` is clamped to this.
pub const CHAINED_MAX_SECONDS: u32 = 3600;

/// One `role_arn` hop, with the AssumeRole arguments its profile sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleProfile {
    pub name: String,
    pub role_arn: String,
    /// `role_session_name`; None means botocore's generated one.
    pub session_name: Option<String>,
    /// `duration_seconds`, already clamped to [`CHAINED_MAX_SECONDS`].
    pub duration_seconds: Option<u32>,
    /// The configured value when it was clamped, for the one warning.
    pub clamped_from: Option<u32>,
    pub external_id: Option<String>,
    pub mfa_serial: Option<String>,
    pub region: Option<String>,
}

impl RoleProfile {
    /// The account in the role ARN (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`).
    pub fn account_id(&self) -> &str {
        self.role_arn.split(':').nth(4).unwrap_or_default()
    }

    /// The role's name, the last part of its path.
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or_default()
    }
}

/// What a profile name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The named profile as commands show and hand it out: its name and
    /// region, the account and role whose credentials it yields (the last
    /// role's, in a chain), and the root's session, which a sign-in renews.
    pub profile: SsoProfile,
    /// The SSO profile whose role credentials start the chain (the same as
    /// `profile` when there are no roles).
    pub root: SsoProfile,
    /// The roles assumed in turn, starting from the root's credentials.
    pub roles: Vec<RoleProfile>,
}

impl From<SsoProfile> for Chain {
    fn from(profile: SsoProfile) -> Chain {
        Chain {
            root: profile.clone(),
            profile,
            roles: Vec::new(),
        }
    }
}

impl Chain {
    /// Whether the credentials come from AssumeRole (chained role sessions)
    /// rather than straight from Identity Center.
    pub fn is_chained(&self) -> bool {
        !self.roles.is_empty()
    }
}

impl Config {
    /// Resolve `name`: a role profile is followed through its
    /// `source_profile`s down to an SSO profile.
    pub fn chain(&self, name: &str) -> Result<Chain> {
        let mut roles = Vec::new();
        let mut visited = vec![name.to_string()];
        let mut current = name.to_string();
        let root = loop {
            let Some(role) = self.role_profile(&current)? else {
                break self.sso_profile(&current)?;
            };
            let source = role.1;
            roles.push(role.0);
            if let Some(at) = visited.iter().position(|v| *v == source) {
                let mut cycle: Vec<&str> = visited[at..].iter().map(String::as_str).collect();
                cycle.push(&source);
                return Err(Error::usage(format!(
                    "profile {name}: the source_profile chain loops: {}",
                    cycle.join(" -> ")
                )));
            }
            visited.push(source.clone());
            current = source;
        };
        roles.reverse();
        let profile = match roles.last() {
            None => root.clone(),
            Some(last) => SsoProfile {
                name: name.to_string(),
                account_id: last.account_id().to_string(),
                role_name: last.role_name().to_string(),
                region: last.region.clone(),
                session: root.session.clone(),
            },
        };
        Ok(Chain {
            profile,
            root,
            roles,
        })
    }

    /// Whether profile `name` sets `role_arn`: a role profile, whether or
    /// not its chain resolves.
    pub fn is_role_profile(&self, name: &str) -> bool {
        self.profiles.get(name).is_some_and(|&id| {
            self.sections
                .read(id)
                .get("role_arn")
                .is_some_and(|e| !e.value.is_empty())
        })
    }

    /// The role hop `name` defines and the profile it is sourced from, or
    /// None when it has no `role_arn`.
    fn role_profile(&self, name: &str) -> Result<Option<(RoleProfile, String)>> {
        let Some(&id) = self.profiles.get(name) else {
            return Err(self.unknown_profile(name));
        };
        let section = self.sections.read(id);
        let get = |k: &str| {
            section
                .get(k)
                .map(|e| e.value.clone())
                .filter(|v| !v.is_empty())
        };
        let Some(role_arn) = get("role_arn") else {
            return Ok(None);
        };
        if let Some(e) = section.get("credential_source") {
            return Err(Error::usage(format!(
                "{}: profile {name} uses credential_source = {}, which ssoenv does not support; \
                 chain roles after SSO with source_profile instead",
                self.at(e.line),
                e.value
            )));
        }
        if section.get("web_identity_token_file").is_some() {
            return Err(Error::usage(format!(
                "{}: profile {name} uses web_identity_token_file, which ssoenv does not support",
                self.at(section.line)
            )));
        }
        let Some(source) = section.get("source_profile") else {
            return Err(Error::usage(format!(
                "{}: profile {name} has role_arn but no source_profile (ssoenv chains roles after an SSO profile)",
                self.at(section.line)
            )));
        };
        if !self.profiles.contains_key(&source.value) {
            return Err(Error::usage(format!(
                "{}: source_profile = {}, but there is no [profile {}]{}",
                self.at(source.line),
                source.value,
                source.value,
                did_you_mean(&source.value, self.profile_names())
            )));
        }
        if !role_arn.starts_with("arn:") || role_arn.split(':').count() < 6 {
            let line = section.get("role_arn").map_or(section.line, |e| e.line);
            return Err(Error::usage(format!(
                "{}: role_arn = {role_arn} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)",
                self.at(line)
            )));
        }
        let (duration_seconds, clamped_from) = match section.get("duration_seconds") {
            None => (None, None),
            Some(e) => match e.value.trim().parse::<u32>() {
                Ok(s) if s > CHAINED_MAX_SECONDS => (Some(CHAINED_MAX_SECONDS), Some(s)),
                Ok(s) if s >= 900 => (Some(s), None),
                _ => {
                    return Err(Error::usage(format!(
                        "{}: duration_seconds = {} must be a number of seconds from 900 to 3600 \
                         (a role chained after SSO lasts at most an hour)",
                        self.at(e.line),
                        e.value
                    )));
                }
            },
        };
        Ok(Some((
            RoleProfile {
                name: name.to_string(),
                role_arn,
                session_name: get("role_session_name"),
                duration_seconds,
                clamped_from,
                external_id: get("external_id"),
                mfa_serial: get("mfa_serial"),
                region: get("region"),
            },
            source.value.clone(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const CFG: &str = "\
[sso-session corp]
sso_start_url = https://d-0000000000.awsapps.com/start
sso_region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-central-1

[profile deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = dev
region = us-west-2
duration_seconds = 28800
external_id = xyz

[profile breakglass]
role_arn = arn:aws:iam::333333333333:role/ops/BreakGlass
source_profile = deploy
role_session_name = alice
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile a]
role_arn = arn:aws:iam::1:role/A
source_profile = b

[profile b]
role_arn = arn:aws:iam::1:role/B
source_profile = a

[profile typo]
role_arn = arn:aws:iam::1:role/T
source_profile = dve

[profile ec2]
role_arn = arn:aws:iam::1:role/E
credential_source = Ec2InstanceMetadata

[profile short]
role_arn = arn:aws:iam::1:role/S
source_profile = dev
duration_seconds = 60
";

    fn cfg() -> Config {
        Config::parse(CFG, Path::new("/c")).unwrap()
    }

    #[test]
    fn an_sso_profile_is_a_chain_without_roles() {
        let c = cfg().chain("dev").unwrap();
        assert!(!c.is_chained());
        assert_eq!(c.profile, c.root);
        assert_eq!(c.profile, cfg().sso_profile("dev").unwrap());
    }

    #[test]
    fn chains_resolve_to_the_root_in_order() {
        let c = cfg().chain("breakglass").unwrap();
        assert_eq!(c.root.name, "dev");
        let names: Vec<&str> = c.roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["deploy", "breakglass"]);
        assert_eq!(c.profile.name, "breakglass");
        assert_eq!(c.profile.account_id, "333333333333");
        assert_eq!(c.profile.role_name, "BreakGlass");
        // Its own region only: botocore does not inherit the source's.
        assert_eq!(c.profile.region, None);
        assert_eq!(c.profile.session, c.root.session);
        let deploy = &c.roles[0];
        assert_eq!(deploy.duration_seconds, Some(3600));
        assert_eq!(deploy.clamped_from, Some(28800));
        assert_eq!(deploy.external_id.as_deref(), Some("xyz"));
        assert_eq!(c.roles[1].session_name.as_deref(), Some("alice"));
        assert_eq!(
            c.roles[1].mfa_serial.as_deref(),
            Some("arn:aws:iam::111111111111:mfa/alice")
        );
    }

    #[test]
    fn bad_chains_say_what_and_where() {
        let e = cfg().chain("a").unwrap_err();
        assert_eq!(
            e.message,
            "profile a: the source_profile chain loops: a -> b -> a"
        );
        let e = cfg().chain("typo").unwrap_err();
        assert_eq!(
            e.message,
            "/c:34: source_profile = dve, but there is no [profile dve]; did you mean `dev`?"
        );
        let e = cfg().chain("ec2").unwrap_err();
        assert!(
            e.message
                .starts_with("/c:38: profile ec2 uses credential_source"),
            "{}",
            e.message
        );
        let e = cfg().chain("short").unwrap_err();
        assert!(
            e.message.starts_with("/c:43: duration_seconds = 60"),
            "{}",
            e.message
        );
    }
}
