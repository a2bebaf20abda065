//! The shell's state machine: what `use`, `off` and the prompt hook change,
//! computed from an environment snapshot and a clock reading as a [`Plan`],
//! which becomes code for the shell to evaluate. The one owner of every
//! variable ssoenv sets, unsets, strips or saves (see [`vars`]), in the
//! shell and in the programs it hands credentials to ([`handout`]).
//!
//! Exported state is a few small ASCII variables (profile, account, role,
//! expiry) that prompts and the hook read. What the environment held before
//! ssoenv touched it — possibly the user's own keys — is saved as restore
//! code in a shell variable that is never exported, so no child process and
//! no ssoenv invocation ever sees it.
//!
//! The transitions:
//! - [`use_target`]: `ssoenv use NAME` (a profile or an account/role);
//! - [`enter_tree`]: the hook found a `.ssoenv` whose profile applies;
//! - [`leave_tree`]: back to how it was before the tree;
//! - [`renew`]: the same profile, fresh credentials;
//! - [`retry_renewal`]: renewal failed, try again soon;
//! - [`off`]: back to how it was before the first switch.

mod env;
pub mod handout;
mod notices;
mod plan;
pub mod vars;

use std::path::Path;

pub use env::{AppliedTree, Env, get, now};
pub use handout::{credentials_document, process_json};
pub use notices::Notices;
pub use plan::{Plan, SENTINEL, Slot, Step};
pub use vars::{ACCOUNT, ACCOUNT_NAME, EXPIRES, PROFILE, ROLE};

use crate::config::Chain;
use crate::sso::RoleCredentials;
use crate::target::Target;
use vars::{
    AWS_DEFAULT_PROFILE, AWS_DEFAULT_REGION, AWS_PROFILE, AWS_REGION, DIR, DIR_KEY, REGION,
    RENEW_AT, SSO_SESSION, STALE,
};

/// Default lead time for renewal; SSOENV_RENEW_BEFORE overrides it (seconds).
const RENEW_BEFORE: i64 = 600;
/// After a failed renewal, when to try again (seconds).
const RETRY_AFTER: i64 = 60;

/// When to renew credentials that expire at `expires`: `before` seconds
/// ahead, but never before half their remaining life, so short-lived
/// credentials do not make every prompt renew.
fn renew_at(expires: i64, now: i64, before: i64) -> i64 {
    let half_life = now.saturating_add(expires.saturating_sub(now) / 2);
    expires.saturating_sub(before).max(half_life)
}

/// ssoenv's state variables for `target`, None for those to unset: what
/// prompts show, and how renewal finds an account/role target again.
fn state_variables(target: &Target) -> [(&'static str, Option<String>); 5] {
    let p = &target.chain.profile;
    [
        (PROFILE, Some(p.name.clone())),
        (ACCOUNT, Some(p.account_id.clone())),
        (ROLE, Some(p.role_name.clone())),
        (ACCOUNT_NAME, target.account_name.clone()),
        (
            SSO_SESSION,
            (!target.configured).then(|| p.session.cache_key().to_string()),
        ),
    ]
}

/// When `creds` expire and when the hook should renew them.
fn expiry_variables(env: &Env, now: i64, creds: &RoleCredentials) -> [(&'static str, String); 2] {
    let expires = creds.expiration.unix_seconds();
    let before = env.renew_before().unwrap_or(RENEW_BEFORE);
    [
        (EXPIRES, expires.to_string()),
        (RENEW_AT, renew_at(expires, now, before).to_string()),
    ]
}

/// The tree a `.ssoenv` file governs.
#[derive(Debug, Clone, Copy)]
pub struct Tree<'a> {
    pub root: &'a Path,
    /// Which file (path and content) it is applied from: the hook applies
    /// it again when this changes.
    pub key: &'a str,
}

/// What a switch is for. Every switch saves and activates by the same
/// rules; only entering a tree records the tree.
enum Switch<'a> {
    Use,
    EnterTree(Tree<'a>),
    Renew,
}

/// `ssoenv use`: switch to `target` with `creds`.
pub fn use_target(env: &Env, now: i64, target: &Target, creds: &RoleCredentials) -> Plan {
    switch(env, now, Switch::Use, target, creds)
}

/// Apply the profile of the tree at `tree` (a `.ssoenv` names a profile).
pub fn enter_tree(env: &Env, now: i64, tree: Tree, chain: &Chain, creds: &RoleCredentials) -> Plan {
    let target = Target::configured(chain.clone());
    switch(env, now, Switch::EnterTree(tree), &target, creds)
}

/// The active target again, with fresh credentials.
pub fn renew(env: &Env, now: i64, target: &Target, creds: &RoleCredentials) -> Plan {
    switch(env, now, Switch::Renew, target, creds)
}

fn switch(env: &Env, now: i64, why: Switch, target: &Target, creds: &RoleCredentials) -> Plan {
    let profile = &target.chain.profile;
    let mut plan = Plan::default();
    let entering = matches!(why, Switch::EnterTree(_));
    // Leaving a tree goes back to how it was before entering it; the first
    // save is kept (moving between trees, or back into one after `off`). A
    // `use` inside a tree after `off` is undone by leaving too.
    if entering || (!env.is_active() && env.applied_tree().is_some()) {
        plan.push(Step::Save {
            slot: Slot::BeforeTree,
            once: true,
            saved: env.saved(),
        });
    }
    // `off` goes back to how it was before ssoenv first switched.
    if !env.is_active() {
        plan.push(Step::Save {
            slot: Slot::BeforeUse,
            once: false,
            saved: env.saved(),
        });
    }
    for (name, value) in handout::credential_variables(profile, creds) {
        plan.set(name, value);
    }
    match &profile.region {
        Some(region) => plan.set(REGION, region.as_str()),
        // The region came with the profile switched away from.
        None if env.get(REGION).is_some() => {
            for name in [REGION, AWS_REGION, AWS_DEFAULT_REGION] {
                plan.unset(name);
            }
        }
        None => {}
    }
    // An account/role target has no profile for other tools to resolve;
    // one left from before would give them another's settings.
    match target.configured {
        true => plan.set(AWS_PROFILE, profile.name.as_str()),
        false => plan.unset(AWS_PROFILE),
    }
    for (name, value) in state_variables(target) {
        // Renewal keeps the account name `use` learned.
        let value = match (name, &why) {
            (ACCOUNT_NAME, Switch::Renew) => value.or_else(|| env.get(name).map(String::from)),
            _ => value,
        };
        match value {
            Some(v) => plan.set(name, v),
            None if env.get(name).is_some() => plan.unset(name),
            None => {}
        }
    }
    for (name, value) in expiry_variables(env, now, creds) {
        plan.set(name, value);
    }
    // Both would shadow the credentials just set (AWS_DEFAULT_PROFILE wins
    // over AWS_PROFILE in botocore).
    for name in STALE.iter().chain(&[AWS_DEFAULT_PROFILE]) {
        plan.unset(name);
    }
    if let Switch::EnterTree(tree) = why {
        plan.set(DIR, env::recorded_root(tree.root));
        plan.set(DIR_KEY, tree.key);
    }
    plan
}

/// Back to the environment from before the tree was entered.
pub fn leave_tree() -> Plan {
    let mut plan = Plan::default();
    plan.push(Step::Restore {
        slot: Slot::BeforeTree,
        or_unset_all: false,
    });
    plan.unset(DIR);
    plan.unset(DIR_KEY);
    plan
}

/// Keep the credentials and try renewing again in a minute.
pub fn retry_renewal(now: i64) -> Plan {
    let mut plan = Plan::default();
    plan.set(RENEW_AT, (now + RETRY_AFTER).to_string());
    plan
}

/// `off`: back to the environment from before the first switch. With
/// nothing saved (a child shell that inherited the variables), to no
/// profile at all. Leaving a tree afterwards restores nothing more. None
/// when no profile is active: nothing of ours to undo, so the user's own
/// variables stay.
pub fn off(env: &Env) -> Option<Plan> {
    if !env.is_active() {
        return None;
    }
    let mut plan = Plan::default();
    plan.push(Step::Restore {
        slot: Slot::BeforeUse,
        or_unset_all: true,
    });
    plan.push(Step::Forget(Slot::BeforeTree));
    Some(plan)
}

#[cfg(test)]
pub(crate) mod testing {
    //! Profiles and credentials for unit tests.

    use crate::config::{SsoProfile, SsoSession};
    use crate::sso::RoleCredentials;
    use crate::target::Target;

    pub fn target(name: &str, region: Option<&str>) -> Target {
        Target::configured(profile(name, region).into())
    }

    /// `dev/ReadOnly`: account 111111111111, named dev, in sso-session corp,
    /// with no profile of its own.
    pub fn account_role() -> Target {
        let mut profile = profile("dev/ReadOnly", None);
        profile.role_name = "ReadOnly".into();
        Target {
            chain: profile.into(),
            configured: false,
            account_name: Some("dev".into()),
        }
    }

    pub fn profile(name: &str, region: Option<&str>) -> SsoProfile {
        SsoProfile {
            name: name.into(),
            account_id: "111111111111".into(),
            role_name: "Admin".into(),
            region: region.map(String::from),
            session: SsoSession {
                name: Some("corp".into()),
                start_url: "https://example.awsapps.com/start".into(),
                region: "eu-west-1".into(),
                scopes: None,
            },
        }
    }

    /// Credentials expiring at `expires` (epoch seconds), read as from the
    /// AWS CLI's cache.
    pub fn creds(expires: i64) -> RoleCredentials {
        let expiration = crate::timestamp::Timestamp::from_unix_seconds(expires)
            .unwrap()
            .to_string();
        serde_json::from_value(serde_json::json!({
            "AccessKeyId": "ASIAEXAMPLE",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": expiration,
            "AccountId": "111111111111",
        }))
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::testing::{account_role, creds, profile, target};
    use super::vars::{AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SECURITY_TOKEN, MANAGED};
    use super::*;

    const NOW: i64 = 1_000_000;

    /// A shell as the plans describe it: exported variables, and the saved
    /// environments no child sees. What each step does in a real shell is
    /// the `Shell` implementations' business, tested with real shells.
    #[derive(Debug, Default)]
    struct Shell {
        exported: BTreeMap<&'static str, String>,
        saved: BTreeMap<Slot, plan::Saved>,
    }

    impl Shell {
        fn with(vars: &[(&'static str, &str)]) -> Shell {
            Shell {
                exported: vars.iter().map(|&(n, v)| (n, v.to_string())).collect(),
                ..Shell::default()
            }
        }

        /// What an ssoenv run started from this shell sees.
        fn env(&self) -> Env {
            let pairs: Vec<_> = self
                .exported
                .iter()
                .map(|(n, v)| (*n, v.as_str()))
                .collect();
            Env::from_pairs(&pairs)
        }

        fn run(&mut self, plan: &Plan) {
            for step in plan.steps() {
                match step {
                    Step::Set(name, value) => {
                        self.exported.insert(name, value.clone());
                    }
                    Step::Unset(name) => {
                        self.exported.remove(name);
                    }
                    Step::Save { slot, once, saved } => {
                        if !*once || !self.saved.contains_key(slot) {
                            self.saved.insert(*slot, saved.clone());
                        }
                    }
                    Step::Restore { slot, or_unset_all } => match self.saved.remove(slot) {
                        Some(saved) => self.apply_saved(&saved),
                        None if *or_unset_all => {
                            for name in MANAGED {
                                self.exported.remove(name);
                            }
                        }
                        None => {}
                    },
                    Step::Forget(slot) => {
                        self.saved.remove(slot);
                    }
                }
            }
        }

        fn apply_saved(&mut self, saved: &plan::Saved) {
            for (name, value) in saved {
                match value {
                    Some(v) => self.exported.insert(name, v.clone()),
                    None => self.exported.remove(name),
                };
            }
        }

        fn get(&self, name: &str) -> Option<&str> {
            self.exported.get(name).map(String::as_str)
        }

        fn use_(&mut self, name: &str, region: Option<&str>) {
            self.use_target(&target(name, region));
        }

        fn use_target(&mut self, target: &Target) {
            let plan = use_target(&self.env(), NOW, target, &creds(NOW + 3600));
            self.run(&plan);
        }

        fn enter(&mut self, root: &str, key: &str, name: &str) {
            let tree = Tree {
                root: Path::new(root),
                key,
            };
            let plan = enter_tree(
                &self.env(),
                NOW,
                tree,
                &profile(name, None).into(),
                &creds(NOW + 3600),
            );
            self.run(&plan);
        }

        fn off(&mut self) {
            let plan = off(&self.env()).expect("a profile is active");
            self.run(&plan);
        }
    }

    /// The user's own state before ssoenv: keys, a profile, a region.
    const USERS_OWN: &[(&str, &str)] = &[
        (AWS_ACCESS_KEY_ID, "AKIAUSER"),
        (AWS_SECRET_ACCESS_KEY, "users-secret"),
        (AWS_SECURITY_TOKEN, "old"),
        (AWS_DEFAULT_PROFILE, "theirs"),
        (AWS_REGION, ""),
        ("SSOENV_NOTICE", "abc"),
    ];

    #[test]
    fn renewal_leads_expiry_but_not_by_more_than_half_the_life() {
        let now = 1_000_000;
        assert_eq!(renew_at(now + 3600, now, 600), now + 3000);
        assert_eq!(renew_at(now + 60, now, 600), now + 30);
        assert_eq!(
            renew_at(now - 10, now, 600),
            now - 5,
            "already expired: due now"
        );
    }

    #[test]
    fn renewal_lead_time_is_a_setting() {
        let env = Env::from_pairs(&[(vars::RENEW_BEFORE, "1200")]);
        let [_, (_, renew)] = expiry_variables(&env, NOW, &creds(NOW + 3600));
        assert_eq!(renew, (NOW + 2400).to_string());
        for garbled in [
            "soon",
            "-600",
            "-9223372036854775000",
            "9223372036854775807",
            "86401",
        ] {
            let env = Env::from_pairs(&[(vars::RENEW_BEFORE, garbled)]);
            let [_, (_, renew)] = expiry_variables(&env, NOW, &creds(NOW + 3600));
            assert_eq!(renew, (NOW + 3000).to_string(), "{garbled}: the default");
        }
        // No arithmetic overflows, whatever the times.
        assert_eq!(renew_at(i64::MAX, i64::MIN, i64::MAX), 0);
    }

    #[test]
    fn use_switches_to_the_profile_and_nothing_shadows_it() {
        let mut sh = Shell::with(USERS_OWN);
        sh.use_("dev", Some("eu-west-1"));
        assert_eq!(sh.get(AWS_ACCESS_KEY_ID), Some("ASIAEXAMPLE"));
        assert_eq!(sh.get(AWS_PROFILE), Some("dev"));
        assert_eq!(sh.get(AWS_REGION), Some("eu-west-1"));
        assert_eq!(sh.get(AWS_DEFAULT_REGION), Some("eu-west-1"));
        assert_eq!(sh.get(REGION), Some("eu-west-1"));
        assert_eq!(sh.get(PROFILE), Some("dev"));
        assert_eq!(sh.get(ACCOUNT), Some("111111111111"));
        assert_eq!(sh.get(ROLE), Some("Admin"));
        assert_eq!(sh.get(EXPIRES), Some(&*(NOW + 3600).to_string()));
        assert_eq!(sh.get(RENEW_AT), Some(&*(NOW + 3000).to_string()));
        assert_eq!(sh.get(AWS_SECURITY_TOKEN), None);
        assert_eq!(sh.get(AWS_DEFAULT_PROFILE), None);
    }

    #[test]
    fn use_then_off_restores_exactly_what_was_there() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.use_("dev", Some("eu-west-1"));
        sh.use_("prod", None);
        sh.off();
        assert_eq!(sh.exported, before, "empty values and all");
        assert!(sh.saved.is_empty(), "nothing kept: {:?}", sh.saved.keys());
    }

    #[test]
    fn a_region_set_by_use_goes_with_its_profile() {
        let mut sh = Shell::with(&[]);
        sh.use_("dev", Some("eu-west-1"));
        sh.use_("prod", None);
        for name in [AWS_REGION, AWS_DEFAULT_REGION, REGION] {
            assert_eq!(sh.get(name), None, "{name}");
        }
    }

    #[test]
    fn a_region_of_the_users_own_stays() {
        let mut sh = Shell::with(&[(AWS_REGION, "us-east-2")]);
        sh.use_("prod", None);
        assert_eq!(sh.get(AWS_REGION), Some("us-east-2"));
    }

    #[test]
    fn off_without_an_active_profile_changes_nothing() {
        assert_eq!(off(&Env::from_pairs(USERS_OWN)), None);
    }

    #[test]
    fn off_in_an_inherited_shell_clears_everything_managed() {
        // A child shell: the exported state came along, the saves did not.
        let mut parent = Shell::with(USERS_OWN);
        parent.use_("dev", Some("eu-west-1"));
        let mut child = Shell {
            exported: parent.exported.clone(),
            ..Shell::default()
        };
        child.off();
        for name in MANAGED {
            assert_eq!(child.get(name), None, "{name}");
        }
    }

    #[test]
    fn entering_and_leaving_a_tree_restores_exactly() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.enter("/proj", "k1", "dev");
        assert_eq!(sh.get(AWS_PROFILE), Some("dev"));
        assert_eq!(sh.get(DIR), Some("/proj"));
        assert_eq!(sh.get(DIR_KEY), Some("k1"));
        sh.run(&leave_tree());
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn moving_between_trees_keeps_the_first_save() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.enter("/a", "ka", "dev");
        sh.enter("/b", "kb", "prod");
        assert_eq!(sh.get(DIR), Some("/b"));
        sh.run(&leave_tree());
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn off_inside_a_tree_stays_off_after_leaving() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.enter("/proj", "k1", "dev");
        sh.off();
        let mut after_off = before.clone();
        after_off.insert(DIR, "/proj".into());
        after_off.insert(DIR_KEY, "k1".into());
        assert_eq!(sh.exported, after_off, "the tree stays recorded");
        sh.run(&leave_tree());
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn use_inside_a_tree_after_off_is_undone_by_leaving() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.enter("/proj", "k1", "dev");
        sh.off();
        sh.use_("prod", None);
        assert_eq!(sh.get(AWS_PROFILE), Some("prod"));
        sh.run(&leave_tree());
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn a_manual_use_inside_a_tree_lasts_until_leaving() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.enter("/proj", "k1", "dev");
        sh.use_("prod", None);
        assert_eq!(sh.get(AWS_PROFILE), Some("prod"));
        assert_eq!(sh.get(DIR), Some("/proj"), "still in the tree");
        sh.run(&leave_tree());
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn a_tree_entered_after_use_is_left_for_that_profile_and_off_for_none() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.use_("prod", None);
        let with_prod = sh.exported.clone();
        sh.enter("/proj", "k1", "dev");
        sh.run(&leave_tree());
        assert_eq!(sh.exported, with_prod);
        sh.off();
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn use_and_entering_a_tree_save_the_same_snapshot() {
        let env = Env::from_pairs(&[(AWS_PROFILE, "mine"), (DIR, "/proj")]);
        let (p, c) = (profile("dev", None), creds(NOW + 3600));
        let saves = |plan: &Plan| -> Vec<Step> {
            plan.steps()
                .iter()
                .filter(|s| matches!(s, Step::Save { .. }))
                .cloned()
                .collect()
        };
        let by_use = use_target(&env, NOW, &Target::configured(p.clone().into()), &c);
        let tree = Tree {
            root: Path::new("/proj"),
            key: "k",
        };
        let by_tree = enter_tree(&env, NOW, tree, &p.into(), &c);
        assert_eq!(saves(&by_use), saves(&by_tree));
        assert_eq!(saves(&by_use).len(), 2);
    }

    #[test]
    fn renewal_changes_credentials_and_expiry_only() {
        let mut sh = Shell::with(USERS_OWN);
        sh.enter("/proj", "k1", "dev");
        let (saved, exported) = (sh.saved.clone(), sh.exported.clone());
        let fresh = creds(NOW + 7200);
        sh.run(&renew(&sh.env(), NOW + 3000, &target("dev", None), &fresh));
        assert_eq!(sh.saved, saved, "renewing saves nothing over the saves");
        assert_eq!(sh.get(EXPIRES), Some(&*(NOW + 7200).to_string()));
        let changed: Vec<_> = exported
            .keys()
            .filter(|n| exported.get(*n).map(String::as_str) != sh.get(n))
            .collect();
        assert_eq!(
            changed,
            [&"AWS_CREDENTIAL_EXPIRATION", &EXPIRES, &RENEW_AT],
            "the keys are the test's fixed ones"
        );
    }

    #[test]
    fn an_account_role_target_sets_no_aws_profile() {
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        sh.use_("prod", None);
        sh.use_target(&account_role());
        assert_eq!(
            sh.get(AWS_PROFILE),
            None,
            "prod's would give tools its settings"
        );
        assert_eq!(sh.get(PROFILE), Some("dev/ReadOnly"));
        assert_eq!(sh.get(ACCOUNT), Some("111111111111"));
        assert_eq!(sh.get(ROLE), Some("ReadOnly"));
        assert_eq!(sh.get(ACCOUNT_NAME), Some("dev"));
        assert_eq!(sh.get(SSO_SESSION), Some("corp"));
        assert_eq!(sh.get(AWS_ACCESS_KEY_ID), Some("ASIAEXAMPLE"));
        // Back to a profile: nothing of the target's stays.
        sh.use_("prod", None);
        assert_eq!(sh.get(AWS_PROFILE), Some("prod"));
        assert_eq!(sh.get(ACCOUNT_NAME), None);
        assert_eq!(sh.get(SSO_SESSION), None);
        sh.use_target(&account_role());
        sh.off();
        assert_eq!(sh.exported, before);
    }

    #[test]
    fn renewal_keeps_the_account_name_use_learned() {
        let mut sh = Shell::with(&[]);
        let mut named = target("dev", None);
        named.account_name = Some("Development".into());
        sh.use_target(&named);
        let fresh = creds(NOW + 7200);
        sh.run(&renew(&sh.env(), NOW + 3000, &target("dev", None), &fresh));
        assert_eq!(sh.get(ACCOUNT_NAME), Some("Development"));
        assert_eq!(sh.get(EXPIRES), Some(&*(NOW + 7200).to_string()));
    }

    #[test]
    fn a_failed_renewal_is_retried_in_a_minute() {
        let mut sh = Shell::with(&[(PROFILE, "dev"), (RENEW_AT, "5")]);
        sh.run(&retry_renewal(NOW));
        assert_eq!(sh.env().renew_at(), Some(NOW + 60));
    }

    #[cfg(unix)] // only Unix paths can be bytes that are not UTF-8
    #[test]
    fn a_tree_with_a_path_that_is_not_utf8_is_recorded_and_left() {
        use std::os::unix::ffi::OsStrExt;
        let root = Path::new(std::ffi::OsStr::from_bytes(b"/pro\xffj"));
        let mut sh = Shell::with(USERS_OWN);
        let before = sh.exported.clone();
        let tree = Tree { root, key: "k" };
        sh.run(&enter_tree(
            &sh.env(),
            NOW,
            tree,
            &profile("dev", None).into(),
            &creds(NOW + 60),
        ));
        assert_eq!(sh.get(PROFILE), Some("dev"));
        let env = sh.env();
        let applied = env.applied_tree().expect("the tree is recorded");
        assert!(applied.is_rooted_at(root), "{applied:?}");
        sh.run(&leave_tree());
        assert_eq!(sh.exported, before);
    }
}
