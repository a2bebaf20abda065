//! `ssoenv list` end to end: the real binary against the emulator, with
//! many pages, the portal's rate limit, the cache, and missing sign-ins.

#![cfg(unix)] // the cache paths and modes are checked as Unix has them

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use common::bounded::BoundedCommand;
use common::exit::{LOGIN_REQUIRED, USAGE};
use common::{Env, sha1_hex, stderr};
use serde_json::Value;
use ssoenv::emulator::{Account, EmulatorConfig, Fault, Op};

/// `count` accounts acct-1, acct-2, … whose role counts cycle from 1 to 5.
fn accounts(count: usize) -> Vec<Account> {
    (1..=count)
        .map(|n| Account {
            id: format!("{}", 800_000_000_000u64 + n as u64),
            name: format!("acct-{n}"),
            email: format!("acct-{n}@example.com"),
            roles: (1..=(n % 5 + 1)).map(|r| format!("Role{r}")).collect(),
        })
        .collect()
}

fn list_json(env: &Env, args: &[&str]) -> Vec<Value> {
    let mut full = vec!["list", "--json"];
    full.extend_from_slice(args);
    let Value::Array(rows) = serde_json::from_str(&env.ok(&full)).unwrap() else {
        panic!("list --json printed no array");
    };
    rows
}

/// (account id, role) of each row, in output order.
fn pairs(rows: &[Value]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| {
            (
                r["account_id"].as_str().unwrap().to_string(),
                r["role_name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn portal_calls(env: &Env) -> (u64, u64) {
    (
        env.emulator.calls(Op::ListAccounts),
        env.emulator.calls(Op::ListAccountRoles),
    )
}

fn list_cache(env: &Env, session: &str) -> PathBuf {
    env.home()
        .join(".cache/ssoenv/lists")
        .join(format!("{}.json", sha1_hex(session)))
}

#[test]
fn every_page_of_accounts_and_roles_under_the_rate_limit() {
    let accounts = accounts(9);
    let env = Env::with(EmulatorConfig {
        accounts: accounts.clone(),
        // Pages of two: five of accounts, up to three of roles per account.
        page_size_limit: 2,
        // Far below ssoenv's own pace, so that the portal throttles it.
        rate_limit: Some(5),
        ..EmulatorConfig::default()
    });
    env.login();
    let out = env.run(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();

    let mut expected: Vec<(String, String, String)> = accounts
        .iter()
        .flat_map(|a| {
            a.roles
                .iter()
                .map(|r| (a.name.clone(), a.id.clone(), r.clone()))
        })
        .collect();
    expected.sort();
    let listed: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (s("account_name"), s("account_id"), s("role_name"))
        })
        .collect();
    // Nothing lost, nothing twice, sorted by account name then role.
    assert_eq!(listed, expected);

    let throttled =
        env.emulator.throttled(Op::ListAccounts) + env.emulator.throttled(Op::ListAccountRoles);
    assert!(throttled > 0, "the rate limit was never reached");
    // Every page was fetched exactly once; only throttled calls were repeated.
    let role_pages: u64 = accounts
        .iter()
        .map(|a| a.roles.len().div_ceil(2) as u64)
        .sum();
    let (list_accounts, list_roles) = portal_calls(&env);
    assert_eq!(
        list_accounts + list_roles - throttled,
        accounts.len().div_ceil(2) as u64 + role_pages
    );
}

#[test]
fn the_cache_is_reused_for_twelve_hours_or_until_refresh() {
    let env = Env::new();
    env.login();
    let first = list_json(&env, &[]);
    assert_eq!(first.len(), 5);
    assert_eq!(portal_calls(&env), (1, 3));

    let again = env.run(&["list"]);
    assert!(again.status.success());
    assert_eq!(portal_calls(&env), (1, 3), "the second list made calls");
    assert!(
        stderr(&again).contains("listed from the cache of"),
        "{}",
        stderr(&again)
    );
    assert_eq!(list_json(&env, &[]), first);

    let cache = list_cache(&env, "corp");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache), 0o600);
    assert_eq!(mode(cache.parent().unwrap()), 0o700);

    assert_eq!(list_json(&env, &["--refresh"]), first);
    assert_eq!(portal_calls(&env), (2, 6));

    // Thirteen hours later the list is fetched again.
    let mut file = env.read_json(&cache);
    let old = ssoenv::timestamp::Timestamp::now().saturating_add(-time::Duration::hours(13));
    file["fetched_at"] = old.to_string().into();
    std::fs::write(&cache, file.to_string()).unwrap();
    assert_eq!(list_json(&env, &[]), first);
    assert_eq!(portal_calls(&env), (3, 9));

    // The cache lives under XDG_CACHE_HOME when that is set.
    let xdg = env.home().join("xdg-cache");
    let out = env
        .cmd(&["list"])
        .env("XDG_CACHE_HOME", &xdg)
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        xdg.join(format!("ssoenv/lists/{}.json", sha1_hex("corp")))
            .exists()
    );
}

#[test]
fn json_has_exactly_the_members_and_the_profiles_pointing_there() {
    let env = Env::new();
    env.login();
    // The legacy profile's start URL is a sign-in of its own.
    env.ok(&["login", "legacy", "--no-browser"]);
    let rows = list_json(&env, &[]);
    let members: BTreeSet<&str> = [
        "sso_session",
        "account_id",
        "account_name",
        "role_name",
        "profiles",
    ]
    .into();
    for row in &rows {
        let keys: BTreeSet<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, members, "{row}");
    }
    let summary: Vec<(Value, String, String, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["sso_session"].clone(),
                r["account_name"].as_str().unwrap().to_string(),
                r["role_name"].as_str().unwrap().to_string(),
                r["profiles"].clone(),
            )
        })
        .collect();
    let row = |session: Value, name: &str, role: &str, profiles: &[&str]| {
        (
            session,
            name.to_string(),
            role.to_string(),
            Value::from(profiles.to_vec()),
        )
    };
    let corp = || Value::from("corp");
    // The legacy profile points at staging/ReadOnly of the same Identity
    // Center; `denied` points at a role nobody assigned, so it is nowhere.
    assert_eq!(
        summary,
        [
            row(corp(), "dev", "Admin", &["dev"]),
            row(Value::Null, "dev", "Admin", &["dev"]),
            row(corp(), "dev", "ReadOnly", &[]),
            row(Value::Null, "dev", "ReadOnly", &[]),
            row(corp(), "prod", "ReadOnly", &["prod"]),
            row(Value::Null, "prod", "ReadOnly", &["prod"]),
            row(corp(), "staging", "Admin", &["staging"]),
            row(Value::Null, "staging", "Admin", &["staging"]),
            row(corp(), "staging", "ReadOnly", &["legacy"]),
            row(Value::Null, "staging", "ReadOnly", &["legacy"]),
        ]
    );
    let ids: BTreeSet<(String, String)> = pairs(&rows).into_iter().collect();
    assert!(ids.contains(&("333333333333".into(), "ReadOnly".into())));
}

#[test]
fn the_table_shows_the_profiles_and_says_what_was_not_listed() {
    let env = Env::new();
    env.login();
    let out = env.run(&["list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ACCOUNT  ACCOUNT ID    ROLE      PROFILES\n\
         dev      111111111111  Admin     dev\n\
         dev      111111111111  ReadOnly\n\
         prod     333333333333  ReadOnly  prod\n\
         staging  222222222222  Admin     staging\n\
         staging  222222222222  ReadOnly  legacy\n"
    );
    // The legacy profile's sign-in is missing: said once, with its command.
    assert!(
        stderr(&out).contains(
            "ssoenv: not listed: not signed in to https://d-0000000000.awsapps.com/start; \
             run `ssoenv login legacy` to sign in"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_a_sign_in_it_exits_3_with_the_command_that_fixes_it() {
    let env = Env::new();
    let out = env.run(&["list"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run `ssoenv login --sso-session corp` to sign in"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["list", "--sso-session", "corp"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
    assert_eq!(
        stderr(&out),
        "ssoenv: not signed in to sso-session corp; run `ssoenv login --sso-session corp` to sign in\n"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(portal_calls(&env), (0, 0));

    // A session that ended at Identity Center is found out by the listing.
    env.login();
    env.emulator.revoke_sessions();
    let out = env.run(&["list", "--refresh", "--json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the sign-in to sso-session corp has ended"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unknown_session_gets_suggestions() {
    let env = Env::new();
    env.login();
    let out = env.run(&["list", "--sso-session", "crop"]);
    assert_eq!(out.status.code(), Some(USAGE));
    assert!(
        stderr(&out).contains("no [sso-session crop] in")
            && stderr(&out).contains("did you mean `corp`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn throttling_is_retried_past_the_default_attempts_and_never_signs_in() {
    let env = Env::new();
    env.login();
    let sign_ins = env.emulator.calls(Op::StartDeviceAuthorization);
    // As many 429s as the default retry policy makes attempts.
    env.emulator.inject(Op::ListAccounts, Fault::Status(429), 5);
    let rows = list_json(&env, &[]);
    assert_eq!(rows.len(), 5);
    assert_eq!(env.emulator.calls(Op::ListAccounts), 6);
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), sign_ins);
}

#[test]
fn write_credentials_all_keeps_to_the_rate_limit() {
    let profiles = 60;
    let env = Env::with(EmulatorConfig {
        accounts: accounts(profiles),
        rate_limit: Some(20),
        ..EmulatorConfig::default()
    });
    let mut config = common::config();
    for n in 1..=profiles {
        config.push_str(&format!(
            "\n[profile p{n}]\nsso_session = corp\nsso_account_id = {}\nsso_role_name = Role1\n",
            800_000_000_000u64 + n as u64
        ));
    }
    env.write_config(&config);
    env.login();
    let names: Vec<String> = (1..=profiles).map(|n| format!("p{n}")).collect();
    let mut args = vec!["write-credentials"];
    args.extend(names.iter().map(String::as_str));
    env.ok(&args);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), profiles as u64);
    // Fetched 16 at a time, yet never faster than the portal allows.
    assert_eq!(env.emulator.throttled(Op::GetRoleCredentials), 0);
}
