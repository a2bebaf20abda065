//! The sample organisation the default emulator serves, and the AWS config whose profiles
//! use it. The tests, `ssoenv sandbox` and the benchmarks (through `ssoenv emulator
//! --print-config`) all take both from here, so the profiles always name accounts and roles
//! the emulator assigns.

use std::fmt::Write;

use super::Account;

/// The sso-session every sample profile signs in through.
pub const SESSION: &str = "corp";

/// An account assigned to the emulated user, and the profile the sample config gives it:
/// named after the account, using its first role.
struct Assignment {
    id: &'static str,
    name: &'static str,
    roles: &'static [&'static str],
    /// The profile's `region`.
    region: Option<&'static str>,
}

const ASSIGNMENTS: [Assignment; 3] = [
    Assignment {
        id: "111111111111",
        name: "dev",
        roles: &["Admin", "ReadOnly"],
        region: Some("eu-west-1"),
    },
    Assignment {
        id: "222222222222",
        name: "staging",
        roles: &["Admin", "ReadOnly"],
        region: Some("eu-central-1"),
    },
    Assignment {
        id: "333333333333",
        name: "prod",
        roles: &["ReadOnly"],
        region: None,
    },
];

/// The IAM role the sample config's `deploy` profile assumes from `dev`.
pub const DEPLOY_ROLE: &str = "arn:aws:iam::222222222222:role/Deploy";

/// The roles [`super::EmulatorConfig::default`] lets role sessions assume.
pub fn assumable_roles() -> Vec<String> {
    vec![DEPLOY_ROLE.to_string()]
}

/// The accounts and roles of [`super::EmulatorConfig::default`].
pub fn accounts() -> Vec<Account> {
    ASSIGNMENTS
        .iter()
        .map(|a| Account {
            id: a.id.to_string(),
            name: a.name.to_string(),
            email: format!("{}@example.com", a.name),
            roles: a.roles.iter().map(|role| role.to_string()).collect(),
        })
        .collect()
}

/// `count` accounts beyond the sample ones, 900000000001 (`extra-1`),
/// 900000000002, …, each with `roles` roles: Admin, ReadOnly, PowerUser, then
/// Role4, Role5, … No profile of [`config`] uses them: they are there to be
/// discovered, and, each with its own cache entry, for benchmarks.
pub fn extra_accounts(count: u32, roles: u32) -> Vec<Account> {
    let roles: Vec<String> = (1..=roles)
        .map(|n| match n {
            1 => "Admin".to_string(),
            2 => "ReadOnly".to_string(),
            3 => "PowerUser".to_string(),
            n => format!("Role{n}"),
        })
        .collect();
    (1..=count)
        .map(|n| Account {
            id: format!("{}", 900_000_000_000u64 + u64::from(n)),
            name: format!("extra-{n}"),
            email: format!("extra-{n}@example.com"),
            roles: roles.clone(),
        })
        .collect()
}

/// An AWS config with [`SESSION`] signing in at `start_url` (the emulator takes any), one
/// profile per sample account, and `deploy`, a role chained after `dev`.
pub fn config(start_url: &str) -> String {
    let mut text = format!(
        "[sso-session {SESSION}]\n\
         sso_start_url = {start_url}\n\
         sso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n"
    );
    for a in &ASSIGNMENTS {
        let _ = write!(
            text,
            "\n[profile {}]\nsso_session = {SESSION}\nsso_account_id = {}\nsso_role_name = {}\n",
            a.name, a.id, a.roles[0]
        );
        if let Some(region) = a.region {
            let _ = writeln!(text, "region = {region}");
        }
    }
    let _ = write!(
        text,
        "\n[profile deploy]\nrole_arn = {DEPLOY_ROLE}\nsource_profile = dev\nregion = eu-central-1\n"
    );
    text
}
