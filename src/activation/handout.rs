//! Credentials handed to other programs: the environment of `export` and
//! `exec`, the endpoint variables of `exec --server` and `serve`, and the
//! JSON documents of credential_process and the credential endpoint. One
//! file for every form in which credentials leave ssoenv, so each form
//! spells the credentials (their expiry included) the same way.

use std::fmt;

use serde_json::json;

use super::plan::Plan;
use super::vars::{
    AWS_ACCESS_KEY_ID, AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_CREDENTIALS_FULL_URI,
    AWS_CREDENTIAL_EXPIRATION, AWS_DEFAULT_REGION, AWS_REGION, AWS_SECRET_ACCESS_KEY,
    AWS_SESSION_TOKEN, EXPIRES, OTHER_PROFILE, RENEW_AT, SHADOWING_ENDPOINT, STALE, is_secret,
};
use super::{Env, expiry_variables, state_variables};
use crate::config::SsoProfile;
use crate::sso::RoleCredentials;
use crate::target::Target;

/// Where a credential endpoint listens, and the token it wants.
pub struct Endpoint<'a> {
    pub url: &'a str,
    pub token: &'a str,
}

/// The expiry as every hand-out writes it: `YYYY-MM-DDTHH:MM:SSZ`.
fn expiration(creds: &RoleCredentials) -> String {
    creds.expiration.to_string()
}

/// The environment that hands `creds` to AWS tools.
pub(super) fn credential_variables(
    profile: &SsoProfile,
    creds: &RoleCredentials,
) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        (AWS_ACCESS_KEY_ID, creds.access_key_id.clone()),
        (
            AWS_SECRET_ACCESS_KEY,
            creds.secret_access_key.expose().into(),
        ),
        (AWS_SESSION_TOKEN, creds.session_token.expose().into()),
        (AWS_CREDENTIAL_EXPIRATION, expiration(creds)),
    ];
    vars.extend(region_variables(profile));
    vars
}

/// The profile's region for tools that read only the environment; both
/// names, since upstream botocore reads only AWS_DEFAULT_REGION.
fn region_variables(profile: &SsoProfile) -> Vec<(&'static str, String)> {
    match &profile.region {
        Some(region) => vec![
            (AWS_REGION, region.clone()),
            (AWS_DEFAULT_REGION, region.clone()),
        ],
        None => Vec::new(),
    }
}

fn endpoint_variables(endpoint: &Endpoint) -> [(&'static str, String); 2] {
    [
        (AWS_CONTAINER_CREDENTIALS_FULL_URI, endpoint.url.to_string()),
        (
            AWS_CONTAINER_AUTHORIZATION_TOKEN,
            endpoint.token.to_string(),
        ),
    ]
}

/// `export`: the credentials, and nothing left that would shadow them.
/// Unlike `use`, it saves nothing and records no state: its output may go
/// to another shell, or a file.
pub fn export(profile: &SsoProfile, creds: &RoleCredentials) -> Plan {
    let mut plan = Plan::default();
    for (name, value) in credential_variables(profile, creds) {
        plan.set(name, value);
    }
    for name in STALE {
        plan.unset(name);
    }
    plan
}

/// `serve`: the endpoint, for another shell to evaluate.
pub fn serve(profile: &SsoProfile, endpoint: &Endpoint) -> Plan {
    let mut plan = Plan::default();
    for name in SHADOWING_ENDPOINT {
        plan.unset(name);
    }
    for (name, value) in region_variables(profile)
        .into_iter()
        .chain(endpoint_variables(endpoint))
    {
        plan.set(name, value);
    }
    plan
}

/// A command's environment, as changes to ssoenv's own. No name is both
/// removed and set, so the order of the two does not matter.
#[derive(Default)]
pub struct CommandEnv {
    remove: Vec<&'static str>,
    set: Vec<(&'static str, String)>,
}

impl CommandEnv {
    /// The state variables of `target`, for a prompt or hook in the command.
    fn record(&mut self, target: &Target) {
        for (name, value) in state_variables(target) {
            match value {
                Some(v) => self.set.push((name, v)),
                None => self.remove.push(name),
            }
        }
    }

    pub fn apply(&self, cmd: &mut std::process::Command) {
        for name in &self.remove {
            cmd.env_remove(name);
        }
        for (name, value) in &self.set {
            cmd.env(name, value);
        }
    }
}

impl fmt::Debug for CommandEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<String> = self
            .set
            .iter()
            .map(|(name, value)| match is_secret(name) {
                true => format!("{name}=<redacted>"),
                false => format!("{name}={value:?}"),
            })
            .collect();
        f.debug_struct("CommandEnv")
            .field("remove", &self.remove)
            .field("set", &set)
            .finish()
    }
}

/// `exec`: the credentials in the command's environment. Whatever would
/// shadow them or point tools at another profile goes (as with aws-vault),
/// and a prompt or hook in the command (`exec prod -- bash`) shows this
/// profile, not the one the parent shell had.
pub fn exec_with_keys(env: &Env, now: i64, target: &Target, creds: &RoleCredentials) -> CommandEnv {
    let mut child = CommandEnv {
        remove: STALE.iter().chain(OTHER_PROFILE).copied().collect(),
        set: credential_variables(&target.chain.profile, creds),
    };
    child.record(target);
    child.set.extend(expiry_variables(env, now, creds));
    child
}

/// `exec --server`: the endpoint instead of keys. The SDK renews on its
/// own, so there is no expiry to show or renewal to schedule.
pub fn exec_with_endpoint(target: &Target, endpoint: &Endpoint) -> CommandEnv {
    let mut set: Vec<_> = endpoint_variables(endpoint).into();
    set.extend(region_variables(&target.chain.profile));
    let mut child = CommandEnv {
        remove: SHADOWING_ENDPOINT
            .iter()
            .chain(&[EXPIRES, RENEW_AT])
            .copied()
            .collect(),
        set,
    };
    child.record(target);
    child
}

/// The credentials as the JSON both hand-out protocols use; only the
/// session token's member name differs between them.
pub fn credentials_document(
    creds: &RoleCredentials,
    session_token_member: &str,
) -> serde_json::Value {
    let mut doc = json!({
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        session_token_member: creds.session_token,
        "Expiration": expiration(creds),
    });
    if let Some(a) = &creds.account_id {
        doc["AccountId"] = json!(a);
    }
    doc
}

/// The credential_process document (Version 1).
pub fn process_json(creds: &RoleCredentials) -> String {
    let mut doc = credentials_document(creds, "SessionToken");
    doc["Version"] = json!(1);
    serde_json::to_string_pretty(&doc).expect("a JSON value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::testing::{account_role, creds, profile, target};
    use crate::activation::vars::{
        ACCOUNT, ACCOUNT_NAME, AWS_PROFILE, AWS_SECURITY_TOKEN, PROFILE, ROLE, SSO_SESSION,
    };

    fn names(vars: &[(&'static str, String)]) -> Vec<&'static str> {
        vars.iter().map(|(n, _)| *n).collect()
    }

    #[test]
    fn export_sets_keys_and_region_and_drops_the_stale_token() {
        let plan = export(&profile("dev", Some("eu-west-1")), &creds(2_000_000_000));
        let set: Vec<_> = plan.assignments().collect();
        assert_eq!(
            set,
            [
                (AWS_ACCESS_KEY_ID, "ASIAEXAMPLE"),
                (AWS_SECRET_ACCESS_KEY, "secret"),
                (AWS_SESSION_TOKEN, "token"),
                (AWS_CREDENTIAL_EXPIRATION, "2033-05-18T03:33:20Z"),
                (AWS_REGION, "eu-west-1"),
                (AWS_DEFAULT_REGION, "eu-west-1"),
            ]
        );
        assert_eq!(
            plan.steps().last(),
            Some(&crate::activation::Step::Unset(AWS_SECURITY_TOKEN))
        );
    }

    #[test]
    fn exec_with_keys_records_the_profile_for_prompts_inside() {
        let env = Env::default();
        let child = exec_with_keys(&env, 1_000, &target("dev", None), &creds(4_600));
        assert_eq!(
            child.remove,
            [
                AWS_SECURITY_TOKEN,
                AWS_PROFILE,
                "AWS_DEFAULT_PROFILE",
                ACCOUNT_NAME,
                SSO_SESSION
            ]
        );
        let set = names(&child.set);
        for name in [AWS_ACCESS_KEY_ID, PROFILE, ACCOUNT, ROLE, EXPIRES, RENEW_AT] {
            assert!(set.contains(&name), "{name} missing from {set:?}");
        }
        assert!(!set.contains(&AWS_REGION), "the profile has no region");
        assert!(child.remove.iter().all(|n| !set.contains(n)));
    }

    #[test]
    fn exec_of_an_account_role_records_how_to_find_it_again() {
        let child = exec_with_keys(&Env::default(), 1_000, &account_role(), &creds(4_600));
        for (name, value) in [
            (PROFILE, "dev/ReadOnly"),
            (ACCOUNT_NAME, "dev"),
            (SSO_SESSION, "corp"),
        ] {
            assert!(
                child.set.contains(&(name, value.into())),
                "{name} in {child:?}"
            );
        }
        assert!(child.remove.contains(&AWS_PROFILE));
    }

    #[test]
    fn exec_with_endpoint_gives_no_keys_and_no_expiry() {
        let endpoint = Endpoint {
            url: "http://127.0.0.1:1/credentials",
            token: "tok",
        };
        let child = exec_with_endpoint(&target("dev", Some("eu-west-1")), &endpoint);
        let set = names(&child.set);
        for name in [
            AWS_ACCESS_KEY_ID,
            AWS_SESSION_TOKEN,
            AWS_PROFILE,
            EXPIRES,
            RENEW_AT,
        ] {
            assert!(
                child.remove.contains(&name) && !set.contains(&name),
                "{name}"
            );
        }
        for name in [AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_REGION, PROFILE] {
            assert!(set.contains(&name), "{name} missing from {set:?}");
        }
        assert!(!format!("{child:?}").contains("tok\""), "{child:?}");
    }

    #[test]
    fn serve_unsets_what_would_shadow_the_endpoint() {
        let endpoint = Endpoint {
            url: "http://127.0.0.1:1/credentials",
            token: "tok",
        };
        let plan = serve(&profile("dev", None), &endpoint);
        let code = plan.render(crate::shell::ShellKind::Bash);
        assert!(code.starts_with("unset -v AWS_ACCESS_KEY_ID\n"), "{code}");
        assert!(
            code.ends_with("export AWS_CONTAINER_AUTHORIZATION_TOKEN='tok'\n"),
            "{code}"
        );
    }

    #[test]
    fn the_two_documents_differ_in_the_token_member_only() {
        let c = creds(2_000_000_000);
        let process: serde_json::Value = serde_json::from_str(&process_json(&c)).unwrap();
        let container = credentials_document(&c, "Token");
        assert_eq!(process["Version"], 1);
        assert_eq!(process["SessionToken"], "token");
        assert_eq!(container["Token"], "token");
        for member in ["AccessKeyId", "SecretAccessKey", "Expiration", "AccountId"] {
            assert_eq!(process[member], container[member], "{member}");
        }
        assert_eq!(container["Expiration"], "2033-05-18T03:33:20Z");
    }
}
