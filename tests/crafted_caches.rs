//! Cache files planted by hand, by another tool or by someone with a grudge:
//! members of the wrong type, values no environment can carry, secrets in
//! the wrong place. No command panics on any of them; credentials that
//! cannot be handed out are refused on load as on fetch; and no warning
//! quotes what the file held. (Crafted times: tests/crafted_times.rs.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

#[cfg(unix)]
use common::bounded::BoundedCommand;
use common::{Env, stderr};
use ssoenv::emulator::Op;

/// What a planted value holds, and what no output may show.
const SECRET: &str = "PLANTED-SECRET";

fn no_panic<'a>(out: &'a Output, what: &str) -> &'a Output {
    assert!(
        !stderr(out).contains("panicked") && out.status.code() != Some(101),
        "{what}: {}",
        stderr(out)
    );
    assert!(out.status.code().is_some(), "{what}: killed by a signal");
    out
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

fn planted(env: &Env, path: &Path, pointer: &str, value: serde_json::Value) -> Vec<u8> {
    let mut doc = env.read_json(path);
    *doc.pointer_mut(pointer).unwrap() = value;
    doc.to_string().into_bytes()
}

#[test]
fn credentials_holding_nul_are_refused_on_load_and_fetched_again() {
    let env = Env::new();
    env.login();
    let first = env.credentials("dev");
    let path = credentials_path(&env);
    for member in ["AccessKeyId", "SecretAccessKey", "SessionToken"] {
        let fetched = env.emulator.calls(Op::GetRoleCredentials);
        let value = format!("{SECRET}\0tail");
        let text = planted(&env, &path, &format!("/Credentials/{member}"), value.into());
        std::fs::write(&path, text).unwrap();
        let out = env.run(&["export", "dev", "--format", "json"]);
        assert!(out.status.success(), "{member}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("warning: ignoring unreadable cache file"),
            "{member}: {err}"
        );
        assert!(!err.contains(SECRET), "the warning quotes the file: {err}");
        let exported: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            !exported.to_string().contains(SECRET),
            "{member}: handed out from the cache: {exported}"
        );
        assert_ne!(exported["AccessKeyId"], first["AccessKeyId"], "{member}");
        assert_eq!(
            env.emulator.calls(Op::GetRoleCredentials),
            fetched + 1,
            "{member}: fetched again"
        );
        // And the cache holds the fresh ones.
        let cached = env.read_json(&path);
        assert_eq!(
            cached["Credentials"]["AccessKeyId"],
            exported["AccessKeyId"]
        );
    }
}

/// Every command that reads the caches, as a user or a tool runs it.
#[cfg(unix)]
fn every_command(env: &Env, what: &str) {
    for args in [
        &["status"][..],
        &["status", "dev", "--json"],
        &["export", "dev"],
        &["export", "dev", "--format", "json"],
        &["credential-process", "dev"],
        &["exec", "dev", "--", "true"],
        &["exec", "--server", "dev", "--", "true"],
        &["write-credentials", "dev"],
        &["write-credentials", "--clean"],
    ] {
        let out = env.run(args);
        let what = format!("{args:?} with {what}");
        no_panic(&out, &what);
        let err = stderr(&out);
        assert!(!err.contains(SECRET), "{what}: quoted: {err}");
        assert!(!err.contains("PLANTED"), "{what}: quoted: {err}");
    }
    let out = env
        .cmd(&["hook", "bash"])
        .env("SSOENV_PROFILE", "dev")
        .env("SSOENV_RENEW_AT", "1")
        .bounded_output()
        .unwrap();
    no_panic(&out, &format!("the renewal hook with {what}"));
    assert!(!stderr(&out).contains(SECRET), "{}", stderr(&out));
}

/// Members of the wrong form, values no environment or header can carry,
/// and documents that are not objects at all.
fn crafted_values() -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    vec![
        ("a number", json!(1e308)),
        ("a negative number", json!(-1)),
        ("null", json!(null)),
        ("a list", json!([SECRET])),
        ("an object", json!({"x": SECRET})),
        ("NUL", json!(format!("{SECRET}\0"))),
        ("a line break", json!(format!("{SECRET}\r\nX-Injected: 1"))),
        ("escapes", json!(format!("\u{1b}]0;{SECRET}\u{7}"))),
        ("a lone surrogate's replacement", json!("\u{fffd}")),
        ("an empty string", json!("")),
        (
            "a megabyte",
            json!(format!("{SECRET}{}", "x".repeat(1 << 20))),
        ),
    ]
}

#[cfg(unix)] // every command includes a hook for bash and `true`
#[test]
fn no_token_file_content_panics_any_command() {
    common::require("bash");
    let env = Env::new();
    env.login();
    env.credentials("dev");
    let token = env.token_path("corp");
    let signed_in = std::fs::read(&token).unwrap();
    let credentials = credentials_path(&env);
    let cached = std::fs::read(&credentials).unwrap();
    for member in [
        "/accessToken",
        "/refreshToken",
        "/clientId",
        "/clientSecret",
        "/startUrl",
        "/region",
    ] {
        for (what, value) in crafted_values() {
            std::fs::write(&token, planted(&env, &token, member, value)).unwrap();
            // With no credentials cached, the token is used.
            let _ = std::fs::remove_file(&credentials);
            every_command(&env, &format!("token {member} = {what}"));
            std::fs::write(&token, &signed_in).unwrap();
        }
    }
    std::fs::write(&credentials, cached).unwrap();
}

#[cfg(unix)] // every command includes a hook for bash and `true`
#[test]
fn no_credentials_file_content_panics_any_command() {
    common::require("bash");
    let env = Env::new();
    env.login();
    env.credentials("dev");
    let path = credentials_path(&env);
    let cached = std::fs::read(&path).unwrap();
    for member in [
        "/Credentials/AccessKeyId",
        "/Credentials/SecretAccessKey",
        "/Credentials/SessionToken",
        "/Credentials/AccountId",
        "/Credentials",
        "/ProviderType",
    ] {
        for (what, value) in crafted_values() {
            std::fs::write(&path, planted(&env, &path, member, value)).unwrap();
            every_command(&env, &format!("credentials {member} = {what}"));
            std::fs::write(&path, &cached).unwrap();
        }
    }
}

#[cfg(unix)] // every command includes a hook for bash and `true`
#[test]
fn no_document_panics_any_command() {
    common::require("bash");
    let env = Env::new();
    env.login();
    env.credentials("dev");
    let token = env.token_path("corp");
    let credentials = credentials_path(&env);
    let deep = format!("{}{SECRET}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (what, text) in [
        ("an empty file", Vec::new()),
        ("a list", format!("[\"{SECRET}\"]").into_bytes()),
        ("a string", format!("\"{SECRET}\"").into_bytes()),
        ("deep nesting", deep.into_bytes()),
        ("not UTF-8", b"{\"accessToken\": \"\xff\xfe\"}".to_vec()),
        ("a byte-order mark", b"\xef\xbb\xbf{}".to_vec()),
    ] {
        for path in [&token, &credentials] {
            let kept = std::fs::read(path).unwrap();
            std::fs::write(path, &text).unwrap();
            every_command(&env, &format!("{} is {what}", path.display()));
            std::fs::write(path, kept).unwrap();
        }
    }
    let out = env.run(&["status", "dev", "--json"]);
    assert_ne!(
        out.status.code(),
        Some(common::exit::LOGIN_REQUIRED),
        "restored"
    );
}

#[test]
fn no_registration_file_content_panics_a_sign_in() {
    let env = Env::new();
    env.login();
    let token = env.token_path("corp");
    let cache = token.parent().unwrap().to_path_buf();
    let registration = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| *p != token && p.extension().is_some_and(|e| e == "json"))
        .expect("the client registration is cached");
    let registered = std::fs::read(&registration).unwrap();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Each case is a sign-in: the kinds of value that matter for a client.
    let kinds = ["a number", "null", "NUL", "a line break", "an empty string"];
    for member in ["/clientId", "/clientSecret", "/expiresAt", "/scopes"] {
        for (what, value) in crafted_values()
            .into_iter()
            .filter(|(w, _)| kinds.contains(w))
        {
            std::fs::write(&registration, &registered).unwrap();
            let text = planted(&env, &registration, member, value);
            cases.push((format!("{member} = {what}"), text));
        }
    }
    cases.push(("an empty file".into(), Vec::new()));
    cases.push(("a list".into(), format!("[\"{SECRET}\"]").into_bytes()));
    for (what, text) in cases {
        std::fs::write(&registration, text).unwrap();
        let out = env.run(&["login", "--sso-session", "corp", "--no-browser"]);
        let what = format!("login with a registration whose {what}");
        no_panic(&out, &what);
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("PLANTED"),
            "{what}: {}",
            stderr(&out)
        );
    }
}
