//! Interop with botocore, the independent reference for the AWS CLI's cache
//! formats: what ssoenv writes, botocore uses, and the other way round.

#![cfg(unix)] // botocore from the .venv the Unix CI creates

mod common;

use std::time::Duration;

use common::Env;
use ssoenv::emulator::{EmulatorConfig, Op};

#[test]
fn botocore_uses_the_token_ssoenv_signed_in_with() {
    let py = common::require_botocore();
    let env = Env::new();
    env.login();
    let creds = env.python(&py, "botocore_sso.py", &["credentials", "dev"]);
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
}

#[test]
fn role_credentials_are_shared_both_ways_through_the_cli_cache() {
    let py = common::require_botocore();
    let env = Env::new();
    env.login();
    // ssoenv fetches and caches; the AWS CLI's cache wiring in botocore reuses it.
    let ours = env.credentials("dev");
    let theirs = env.python(
        &py,
        "botocore_sso.py",
        &["credentials", "dev", "--cli-cache"],
    );
    assert_eq!(theirs["AccessKeyId"], ours["AccessKeyId"]);
    assert_eq!(theirs["SessionToken"], ours["SessionToken"]);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);

    // botocore fetches and caches for another profile; ssoenv reuses that.
    let theirs = env.python(
        &py,
        "botocore_sso.py",
        &["credentials", "prod", "--cli-cache"],
    );
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 2);
    let ours = env.credentials("prod");
    assert_eq!(ours["AccessKeyId"], theirs["AccessKeyId"]);
    assert_eq!(ours["SecretAccessKey"], theirs["SecretAccessKey"]);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 2);
}

#[test]
fn ssoenv_uses_a_token_botocore_refreshed_and_rewrote() {
    let py = common::require_botocore();
    // Ten-minute tokens sit inside botocore's 15-minute refresh window.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    env.login();
    let ours = env.read_json(&env.token_path("corp"));
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    let refreshed = env.python(&py, "botocore_sso.py", &["token", "dev"]);
    let rewritten = env.read_json(&env.token_path("corp"));
    assert_ne!(
        refreshed["accessToken"], ours["accessToken"],
        "botocore refreshed"
    );
    assert_eq!(
        rewritten["accessToken"], refreshed["accessToken"],
        "and wrote the cache"
    );
    let creates = env.emulator.calls(Op::CreateToken);

    // ssoenv reads botocore's file, needs no refresh of its own, and the
    // portal accepts the token.
    env.credentials("dev");
    assert_eq!(env.emulator.calls(Op::CreateToken), creates);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);

    // And the rotated refresh token botocore stored still refreshes for ssoenv.
    let path = env.token_path("corp");
    let mut token = env.read_json(&path);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&path, token.to_string()).unwrap();
    env.credentials("prod");
    assert_eq!(env.emulator.calls(Op::CreateToken), creates + 1);
}
