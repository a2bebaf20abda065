//! Times planted in the shared caches by hand or by another tool: out of
//! range once in UTC, at the ends of the calendar, with absurd fractions.
//! Every command that reads the caches treats them as the documented rules
//! say, with its usual exit code, and none panics.

#![cfg(unix)] // sh and bash as the commands, SIGTERM to stop `serve`

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::exit::LOGIN_REQUIRED;
use common::served::Served;
use common::{Env, stderr};
use ssoenv::emulator::Op;

/// Valid RFC 3339, but before year 0000 or after 9999 in UTC.
const OUT_OF_RANGE: &[&str] = &[
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59.999999999-00:01",
    "0000-01-01T00:00:00+23:59",
];

/// The latest time there is, written with an offset and a long fraction.
fn far_future() -> String {
    format!("9999-12-31T23:59:59.{}+23:59", "9".repeat(5000))
}
const FAR_FUTURE_Z: &str = "9999-12-31T00:00:59Z";

fn no_panic(out: &Output) -> &Output {
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    assert_ne!(out.status.code(), Some(101), "{}", stderr(out));
    out
}

fn code(out: &Output) -> Option<i32> {
    no_panic(out).status.code()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

fn plant(env: &Env, path: &PathBuf, pointer: &str, value: &str) {
    let mut doc = env.read_json(path);
    *doc.pointer_mut(pointer).unwrap() = value.into();
    std::fs::write(path, doc.to_string()).unwrap();
}

/// The one role-credentials cache file (after one profile was exported).
fn credentials_path(env: &Env) -> PathBuf {
    let dir = env.home().join(".aws/cli/cache");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.remove(0)
}

/// A GET of the endpoint from inside `exec --server`, with bash's /dev/tcp:
/// the command prints the response body.
const FETCH: &str = r#"u=${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}; hp=${u%%/*}
exec 3<>"/dev/tcp/${hp%:*}/${hp#*:}"
printf 'GET /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nConnection: close\r\n\r\n' \
    "${u#*/}" "$hp" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" >&3
sed '1,/^\r$/d' <&3"#;

fn exec_server_fetch(env: &Env, profile: &str) -> Output {
    env.run(&["exec", "--server", profile, "--", "bash", "-c", FETCH])
}

#[test]
fn a_token_time_out_of_range_reads_as_signed_out() {
    let env = Env::new();
    env.login();
    let path = env.token_path("corp");
    let signed_in = std::fs::read(&path).unwrap();
    for (member, value) in OUT_OF_RANGE
        .iter()
        .map(|v| ("/expiresAt", *v))
        .chain([("/registrationExpiresAt", OUT_OF_RANGE[0])])
    {
        std::fs::write(&path, &signed_in).unwrap();
        plant(&env, &path, member, value);
        let what = format!("{member} = {value}");

        let out = env.run(&["status", "dev", "--json"]);
        assert_eq!(code(&out), Some(LOGIN_REQUIRED), "{what}");
        assert_eq!(json(&out)["session"]["token"], "signed-out", "{what}");
        let err = stderr(&out);
        assert!(
            err.contains("warning: ignoring unreadable cache file"),
            "{what}: {err}"
        );
        assert!(!err.contains(value), "the warning quotes the file: {err}");

        let out = env.run(&["status"]);
        assert_eq!(code(&out), Some(LOGIN_REQUIRED), "{what}");
        let human = String::from_utf8_lossy(&out.stdout);
        assert!(human.contains("corp: not signed in"), "{what}: {human}");

        for args in [
            &["export", "dev", "--format", "json"][..],
            &["exec", "dev", "--", "true"],
            &["exec", "--server", "dev", "--", "true"],
            &["serve", "dev"],
        ] {
            let out = env.run(args);
            assert_eq!(code(&out), Some(LOGIN_REQUIRED), "{args:?} with {what}");
            assert!(stderr(&out).contains("ssoenv login"), "{}", stderr(&out));
        }
        // A new sign-in replaces the unreadable file.
        env.login();
        assert_eq!(code(&env.run(&["status", "dev"])), Some(0), "{what}");
    }
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 0);
}

#[test]
fn a_token_valid_until_the_end_of_time_works_everywhere() {
    common::require("bash");
    let env = Env::new();
    env.login();
    let path = env.token_path("corp");
    plant(&env, &path, "/expiresAt", &far_future());
    plant(&env, &path, "/registrationExpiresAt", &far_future());

    let out = env.run(&["status", "dev", "--json"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["session"]["token"], "valid");
    assert_eq!(report["session"]["token_expires_at"], FAR_FUTURE_Z);
    let human = env.ok(&["status", "dev"]);
    assert!(
        human.contains(&format!("token expires {FAR_FUTURE_Z} (in ")),
        "{human}"
    );

    let creds = env.credentials("dev");
    let out = exec_server_fetch(&env, "dev");
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let served = json(&out);
    assert_eq!(served["AccessKeyId"], creds["AccessKeyId"]);
    // The credentials end first, so they are served with their own expiry.
    assert_eq!(served["Expiration"], creds["Expiration"]);
    let serving = Served::start(&env, "dev");
    let (status, served) = serving.get();
    assert_eq!(status, 200, "{served}");
    assert_eq!(served["Expiration"], creds["Expiration"]);
    serving.stop();
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
}

#[test]
fn an_ancient_token_is_expired_and_refreshed() {
    let env = Env::new();
    env.login();
    let path = env.token_path("corp");
    plant(&env, &path, "/expiresAt", "0000-01-01T00:00:00-23:59");

    let out = env.run(&["status", "dev", "--json"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["session"]["token"], "expired-refreshable");
    assert_eq!(
        report["session"]["token_expires_at"],
        "0000-01-01T23:59:00Z"
    );

    let before = env.emulator.calls(Op::CreateToken);
    env.credentials("dev");
    assert_eq!(env.emulator.calls(Op::CreateToken), before + 1, "refreshed");
    assert_eq!(
        env.read_json(&path)["expiresAt"].as_str().unwrap().len(),
        20
    );

    // Without a refresh token it is simply expired.
    plant(&env, &path, "/expiresAt", "0000-01-01T00:00:00Z");
    let mut doc = env.read_json(&path);
    doc.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(&path, doc.to_string()).unwrap();
    let out = env.run(&["status"]);
    assert_eq!(code(&out), Some(LOGIN_REQUIRED));
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("sign-in expired 0000-01-01T00:00:00Z (expired "),
        "{human}"
    );
    let out = env.run(&["exec", "--server", "dev", "--", "true"]);
    assert_eq!(code(&out), Some(LOGIN_REQUIRED), "{}", stderr(&out));
}

#[test]
fn crafted_credential_expirations_are_reused_or_fetched_again() {
    common::require("bash");
    let env = Env::new();
    env.login();
    let first = env.credentials("dev");
    let path = credentials_path(&env);
    let token_expires = env.read_json(&env.token_path("corp"))["expiresAt"].clone();

    // Valid until the end of time: reused by everything, never fetched again.
    plant(&env, &path, "/Credentials/Expiration", &far_future());
    let out = env.run(&["status", "dev", "--json"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["credentials"], "cached");
    assert_eq!(json(&out)["credentials_expire_at"], FAR_FUTURE_Z);
    assert!(env.ok(&["status", "dev"]).contains(FAR_FUTURE_Z));
    let exported = env.credentials("dev");
    assert_eq!(exported["AccessKeyId"], first["AccessKeyId"]);
    assert_eq!(exported["Expiration"], FAR_FUTURE_Z);
    let out = env.run(&[
        "exec",
        "dev",
        "--",
        "sh",
        "-c",
        r#"printf '%s\n' "$AWS_CREDENTIAL_EXPIRATION" "$SSOENV_EXPIRES""#,
    ]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(printed, format!("{FAR_FUTURE_Z}\n253402214459\n"));
    // Served as expiring with the sign-in.
    let out = exec_server_fetch(&env, "dev");
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["Expiration"], token_expires);
    let out = env.run(&["write-credentials", "dev"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(env.home().join(".aws/credentials")).unwrap();
    assert!(
        written.contains(&format!("expiration = {FAR_FUTURE_Z}\n")),
        "{written}"
    );
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);

    // Out of range: the entry is ignored, and fetched again.
    for (n, value) in (2..).zip(OUT_OF_RANGE) {
        plant(&env, &path, "/Credentials/Expiration", value);
        let out = env.run(&["status", "dev", "--json"]);
        assert_eq!(code(&out), Some(0), "{value}: {}", stderr(&out));
        assert_eq!(json(&out)["credentials"], "none", "{value}");
        let out = env.run(&["export", "dev", "--format", "json"]);
        assert_eq!(code(&out), Some(0), "{value}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("warning: ignoring unreadable cache file"),
            "{}",
            stderr(&out)
        );
        assert_ne!(json(&out)["AccessKeyId"], first["AccessKeyId"]);
        assert_eq!(env.emulator.calls(Op::GetRoleCredentials), n);
    }

    // Long past: expired, and fetched again by the endpoint.
    plant(
        &env,
        &path,
        "/Credentials/Expiration",
        "0000-01-01T00:00:00Z",
    );
    let out = env.run(&["status", "dev", "--json"]);
    assert_eq!(json(&out)["credentials"], "expired");
    let out = exec_server_fetch(&env, "dev");
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert!(json(&out)["AccessKeyId"].is_string());
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 5);
}
