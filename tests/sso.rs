//! The SSO core end to end: the real binary against the emulator.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::bounded::{BoundedChild, BoundedCommand};
use common::exit::{CANNOT_EXECUTE, COMMAND_NOT_FOUND, ERROR, LOGIN_REQUIRED, USAGE};
use common::{Env, stderr};
use ssoenv::emulator::{Approval, DEFAULT_START_URL, EmulatorConfig, Fault, Op, sample};

#[test]
fn login_writes_the_shared_token_cache() {
    let env = Env::new();
    env.login();
    let path = env.token_path("corp");
    let token = env.read_json(&path);
    for member in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ] {
        assert!(
            token.get(member).is_some(),
            "token cache lacks {member}: {token}"
        );
    }
    let expires = token["expiresAt"].as_str().unwrap();
    assert_eq!(expires.len(), 20, "YYYY-MM-DDTHH:MM:SSZ, got {expires}");
    assert!(expires.ends_with('Z'));
    // Its mode, and every other file's: tests/private_files.rs.
    assert_eq!(env.emulator.calls(Op::RegisterClient), 1);
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 1);

    // A second sign-in reuses the cached client registration.
    env.ok(&["login", "--sso-session", "corp", "--no-browser", "--force"]);
    assert_eq!(env.emulator.calls(Op::RegisterClient), 1);
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 2);
}

#[test]
fn credentials_are_fetched_once_and_cached_like_the_aws_cli() {
    let env = Env::new();
    env.login();
    let first = env.credentials("dev");
    assert_eq!(first["Version"], 1);
    assert!(first["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(first["AccountId"], "111111111111");
    let again = env.credentials("dev");
    assert_eq!(first, again);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);

    // Stored under the AWS CLI's key: sha1 of compact sorted JSON.
    let key = r#"{"accountId":"111111111111","roleName":"Admin","sessionName":"corp"}"#;
    let path = env
        .home()
        .join(".aws/cli/cache")
        .join(format!("{}.json", common::sha1_hex(key)));
    let cached = env.read_json(&path);
    assert_eq!(cached["ProviderType"], "sso");
    assert_eq!(cached["Credentials"]["AccessKeyId"], first["AccessKeyId"]);
}

#[test]
fn legacy_profiles_use_the_start_url_key() {
    let env = Env::new();
    env.ok(&["login", "legacy", "--no-browser"]);
    assert!(env.token_path(ssoenv::emulator::DEFAULT_START_URL).exists());
    assert!(!env.token_path("corp").exists());
    assert_eq!(env.credentials("legacy")["AccountId"], "222222222222");
}

#[test]
fn without_a_session_credential_process_fails_at_once() {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Manual,
        ..Default::default()
    });
    let started = Instant::now();
    let out = env.run(&["credential-process", "dev"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
    let err = stderr(&out);
    assert!(err.contains("ssoenv login --sso-session corp"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(out.stdout.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 0);
}

#[test]
fn credential_process_output_is_version_1() {
    let env = Env::new();
    env.login();
    let out: serde_json::Value =
        serde_json::from_str(&env.ok(&["credential-process", "prod"])).unwrap();
    assert_eq!(out["Version"], 1);
    for k in [
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ] {
        assert!(out[k].is_string(), "{k} missing: {out}");
    }
    assert!(out["Expiration"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn an_ended_session_asks_for_login_without_retrying() {
    let env = Env::new();
    env.login();
    env.emulator.revoke_sessions();
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED), "{}", stderr(&out));
    assert!(stderr(&out).contains("ssoenv login"), "{}", stderr(&out));
    assert_eq!(
        env.emulator.calls(Op::GetRoleCredentials),
        1,
        "401 must not be retried"
    );
}

#[test]
fn near_expiry_tokens_are_refreshed_and_rotated() {
    // Tokens that live 10 minutes are inside the 15-minute refresh window.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    env.login();
    let before = env.read_json(&env.token_path("corp"));
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    env.credentials("dev");
    let after = env.read_json(&env.token_path("corp"));
    assert_ne!(before["accessToken"], after["accessToken"]);
    assert_ne!(
        before["refreshToken"], after["refreshToken"],
        "rotated refresh token written back"
    );
    assert_eq!(before["clientId"], after["clientId"]);
    // device-code redemption + one refresh
    assert_eq!(env.emulator.calls(Op::CreateToken), 3);
}

#[test]
fn an_expired_token_that_cannot_refresh_asks_for_login() {
    let env = Env::new();
    env.login();
    let path = env.token_path("corp");
    let mut token = env.read_json(&path);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    token.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(&path, token.to_string()).unwrap();
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED), "{}", stderr(&out));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
}

#[test]
fn server_errors_and_throttling_are_retried() {
    let env = Env::new();
    env.login();
    env.emulator
        .inject(Op::GetRoleCredentials, Fault::Status(500), 2);
    env.credentials("dev");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 3);
    env.emulator
        .inject(Op::GetRoleCredentials, Fault::Status(429), 2);
    env.credentials("prod");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 6);
}

#[test]
fn persistent_server_errors_fail_with_a_clear_message() {
    let env = Env::new();
    env.login();
    env.emulator
        .inject(Op::GetRoleCredentials, Fault::Status(500), 100);
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(ERROR));
    let err = stderr(&out);
    assert!(
        err.contains("GetRoleCredentials failed: InternalServerException"),
        "{err}"
    );
    let calls = env.emulator.calls(Op::GetRoleCredentials);
    assert!((2..=5).contains(&calls), "bounded retries, got {calls}");
}

#[test]
fn a_hanging_server_is_given_up_on() {
    let env = Env::new();
    env.login();
    env.emulator
        .inject(Op::GetRoleCredentials, Fault::Hang, 100);
    let started = Instant::now();
    let out = env
        .cmd(&["export", "dev", "--format", "json"])
        .env("SSOENV_TIMEOUT", "1")
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(ERROR));
    assert!(stderr(&out).contains("no answer from"), "{}", stderr(&out));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_malformed_answer_is_an_error_not_a_crash() {
    let env = Env::new();
    env.login();
    env.emulator
        .inject(Op::GetRoleCredentials, Fault::MalformedBody, 100);
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(ERROR), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("GetRoleCredentials"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn corrupted_caches_are_ignored_with_a_warning() {
    let env = Env::new();
    env.login();
    let creds = env.credentials("dev");
    // A torn credential cache: fetched again.
    let dir = env.home().join(".aws/cli/cache");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(
        &file,
        b"{\"ProviderType\": \"sso\", \"Credentials\": {\"AccessKeyId\"",
    )
    .unwrap();
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: ignoring unreadable cache file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).lines().count(), 1);
    let fresh: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(fresh["AccessKeyId"], creds["AccessKeyId"]);
    // A corrupted token: sign-in required, no crash.
    std::fs::write(env.token_path("corp"), b"\x00garbage").unwrap();
    std::fs::remove_file(&file).unwrap();
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED), "{}", stderr(&out));
}

#[test]
#[allow(clippy::disallowed_macros)] // the test's own diagnostics
fn twenty_processes_make_one_fetch() {
    // Tokens inside the refresh window too: at most one refresh.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    env.login();
    let create_token_after_login = env.emulator.calls(Op::CreateToken);
    let children: Vec<_> = (0..20)
        .map(|_| {
            env.cmd(&["export", "dev", "--format", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.bounded_wait_with_output().unwrap())
        .collect();
    let mut keys = std::collections::HashSet::new();
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr(out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        keys.insert(v["AccessKeyId"].as_str().unwrap().to_string());
    }
    assert_eq!(keys.len(), 1, "all twenty got the same credentials");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    let refreshes = env.emulator.calls(Op::CreateToken) - create_token_after_login;
    assert!(refreshes <= 1, "{refreshes} token refreshes");
    eprintln!(
        "single-flight: 20 processes -> GetRoleCredentials {}, CreateToken(refresh) {refreshes}",
        env.emulator.calls(Op::GetRoleCredentials)
    );
}

#[test]
fn concurrent_logins_share_one_approval() {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Manual,
        ..Default::default()
    });
    let spawn = || {
        env.cmd(&["login", "dev", "--no-browser"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn();
    // Let the first reach the approval step before the second starts.
    let deadline = Instant::now() + Duration::from_secs(10);
    while env.emulator.calls(Op::StartDeviceAuthorization) == 0 {
        assert!(Instant::now() < deadline, "first login never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = spawn();
    std::thread::sleep(Duration::from_millis(500));
    env.emulator.approve_all();
    let (a, b) = (
        first.bounded_wait_with_output().unwrap(),
        second.bounded_wait_with_output().unwrap(),
    );
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    assert!(
        stderr(&b).contains("another ssoenv process"),
        "{}",
        stderr(&b)
    );
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 1);
}

#[test]
fn denied_and_expired_sign_ins_say_so() {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Deny,
        ..Default::default()
    });
    let out = env.run(&["login", "dev", "--no-browser"]);
    assert_eq!(out.status.code(), Some(ERROR));
    assert!(stderr(&out).contains("denied"), "{}", stderr(&out));
    assert!(!env.token_path("corp").exists());

    env.emulator.update(|c| {
        c.approval = Approval::Manual;
        c.device_code_ttl = Duration::from_secs(2);
    });
    let out = env.run(&["login", "dev", "--no-browser"]);
    assert_eq!(out.status.code(), Some(ERROR));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
}

#[cfg(unix)] // SIGINT
#[test]
fn ctrl_c_during_sign_in_leaves_no_files() {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Manual,
        ..Default::default()
    });
    let child = env
        .cmd(&["login", "dev", "--no-browser"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while env.emulator.calls(Op::CreateToken) == 0 {
        assert!(
            Instant::now() < deadline,
            "the sign-in never started polling"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.bounded_wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(common::exit::INTERRUPTED),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("sign-in cancelled"),
        "{}",
        stderr(&out)
    );
    assert!(!env.token_path("corp").exists());
    let cache = env.home().join(".aws/sso/cache");
    for entry in std::fs::read_dir(&cache).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with(".ssoenv-tmp"),
            "left {name:?} behind"
        );
    }
}

#[test]
fn slow_down_adds_five_seconds() {
    let env = Env::new();
    env.emulator.inject(Op::CreateToken, Fault::SlowDown, 1);
    let started = Instant::now();
    let out = env
        .cmd(&["login", "dev", "--no-browser", "--verbose"])
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("polling every 6s"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() >= Duration::from_secs(6));
}

#[cfg(unix)] // the browser is a sh command
#[test]
fn the_browser_is_opened_through_browser() {
    let env = Env::new();
    let seen = env.home().join("opened");
    let browser = format!("sh -c 'echo \"$1\" > {}' sh %s", seen.display());
    let out = env
        .cmd(&["login", "dev", "--use-device-code"])
        .env("BROWSER", &browser)
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let deadline = Instant::now() + Duration::from_secs(5);
    while !seen.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = std::fs::read_to_string(&seen).unwrap();
    let url = url.trim_end();
    assert!(
        url.starts_with(&env.emulator.endpoint()) && url.contains("user_code="),
        "{url}"
    );
}

#[cfg(unix)] // sh as the command; tests/exec.rs runs everywhere
#[test]
fn exec_passes_credentials_in_the_environment_and_the_exit_status_back() {
    let env = Env::new();
    env.login();
    let creds = env.credentials("dev");
    let script = r#"printf '%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_REGION" "${AWS_SECURITY_TOKEN-unset}" "${AWS_PROFILE-unset}"; exit 7"#;
    let out = env
        .cmd(&["exec", "dev", "--", "sh", "-c", script])
        .env("AWS_SECURITY_TOKEN", "stale")
        .env("AWS_PROFILE", "other")
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines[0], creds["AccessKeyId"].as_str().unwrap());
    assert_eq!(lines[1], creds["SecretAccessKey"].as_str().unwrap());
    assert_eq!(lines[2], "eu-west-1");
    assert_eq!(lines[3], "unset");
    assert_eq!(lines[4], "unset");
}

/// As shells report them: 127 for no such command, 126 for one that
/// cannot be run, with or without --server.
#[test]
fn exec_exits_127_for_a_missing_command_and_126_for_one_that_cannot_run() {
    let env = Env::new();
    env.login();
    let not_executable = env.home().join("script.sh");
    std::fs::write(&not_executable, "#!/bin/sh\necho hi\n").unwrap();
    let not_executable = not_executable.to_str().unwrap();
    for server in [&[][..], &["--server"]] {
        let run = |cmd: &str| {
            let mut args = vec!["exec"];
            args.extend_from_slice(server);
            args.extend(["dev", "--", cmd]);
            env.run(&args)
        };
        let out = run("no-such-command-xyz");
        assert_eq!(
            out.status.code(),
            Some(COMMAND_NOT_FOUND),
            "{server:?}: {}",
            stderr(&out)
        );
        assert_eq!(
            stderr(&out),
            "ssoenv: command not found: no-such-command-xyz\n"
        );
        let out = run(not_executable);
        assert_eq!(
            out.status.code(),
            Some(CANNOT_EXECUTE),
            "{server:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).starts_with(&format!("ssoenv: cannot run {not_executable}: ")),
            "{}",
            stderr(&out)
        );
    }
}

/// Without a profile, `exec` takes the one every other verb takes.
#[cfg(unix)] // sh as the command
#[test]
fn exec_without_a_profile_uses_aws_profile() {
    let env = Env::new();
    env.login();
    let script = r#"printf '%s %s\n' "$SSOENV_PROFILE" "$AWS_ACCESS_KEY_ID""#;
    let out = env
        .cmd(&["exec", "--", "sh", "-c", script])
        .env("AWS_PROFILE", "prod")
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let prod = env.credentials("prod");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("prod {}\n", prod["AccessKeyId"].as_str().unwrap())
    );
    // Neither AWS_PROFILE nor a `default` profile: the usual error.
    let out = env.run(&["exec", "--", "true"]);
    assert_eq!(out.status.code(), Some(USAGE), "{}", stderr(&out));
    assert!(stderr(&out).contains("`default`"), "{}", stderr(&out));
}

#[test]
fn logout_ends_the_session_and_deletes_its_caches() {
    let env = Env::new();
    env.login();
    env.credentials("dev");
    env.ok(&["logout", "dev"]);
    assert_eq!(env.emulator.calls(Op::Logout), 1);
    assert!(!env.token_path("corp").exists());
    let left = std::fs::read_dir(env.home().join(".aws/cli/cache"))
        .unwrap()
        .count();
    assert_eq!(left, 0);
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
}

#[test]
fn logout_all_keeps_registrations() {
    let env = Env::new();
    env.login();
    env.ok(&["login", "legacy", "--no-browser"]);
    env.credentials("dev");
    env.ok(&["logout", "--all"]);
    assert_eq!(env.emulator.calls(Op::Logout), 2);
    assert!(!env.token_path("corp").exists());
    assert!(!env.token_path(ssoenv::emulator::DEFAULT_START_URL).exists());
    let left = std::fs::read_dir(env.home().join(".aws/sso/cache"))
        .unwrap()
        .count();
    assert_eq!(left, 2, "the two client registrations stay");
}

#[test]
fn logout_says_one_true_line() {
    let env = Env::new();
    let said = |args: &[&str]| {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stderr(&out)
    };
    env.login();
    assert_eq!(
        said(&["logout", "dev"]),
        "ssoenv: signed out of sso-session corp\n"
    );
    assert_eq!(
        said(&["logout", "dev"]),
        "ssoenv: not signed in to sso-session corp; nothing to do\n"
    );
    // Credentials left behind by a token deleted some other way.
    env.login();
    env.credentials("dev");
    std::fs::remove_file(env.token_path("corp")).unwrap();
    assert_eq!(
        said(&["logout", "--sso-session", "corp"]),
        "ssoenv: not signed in to sso-session corp; deleted the cached role credentials of 1 profile\n"
    );
    assert_eq!(
        said(&["logout", "--all"]),
        "ssoenv: no session was signed in; nothing to do\n"
    );
    env.login();
    env.ok(&["login", "legacy", "--no-browser"]);
    assert_eq!(
        said(&["logout", "--all"]),
        "ssoenv: signed out of 2 sessions\n"
    );
}

#[test]
fn status_gives_its_sign_in_hint_once() {
    let env = Env::new();
    let out = env.run(&["status", "dev"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
    let report = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(
        report.matches("ssoenv login").count(),
        1,
        "{report}{}",
        stderr(&out)
    );
    assert!(
        report.contains("not signed in; run `ssoenv login --sso-session corp`"),
        "{report}"
    );
    assert_eq!(stderr(&out), "", "the report says it all");
    let out = env.run(&["status", "dev", "--json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
    assert_eq!(stderr(&out), "", "nothing beside the JSON");
    // Every session once, each with the sign-in that reaches it.
    let out = env.run(&["status"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
    let report = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(report.matches("ssoenv login").count(), 2, "{report}");
    assert!(report.contains("`ssoenv login legacy`"), "{report}");
    assert_eq!(stderr(&out), "");
}

#[test]
fn status_reads_caches_only() {
    let env = Env::new();
    let out = env.run(&["status", "dev", "--json"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["session"]["token"], "signed-out");
    env.login();
    env.credentials("dev");
    let calls = env.emulator.calls(Op::GetRoleCredentials) + env.emulator.calls(Op::CreateToken);
    let v: serde_json::Value = serde_json::from_str(&env.ok(&["status", "dev", "--json"])).unwrap();
    assert_eq!(v["session"]["token"], "valid");
    assert_eq!(v["credentials"], "cached");
    assert_eq!(v["account_id"], "111111111111");
    let human = env.ok(&["status"]);
    assert!(human.contains("sso-session corp: signed in"), "{human}");
    assert_eq!(
        env.emulator.calls(Op::GetRoleCredentials) + env.emulator.calls(Op::CreateToken),
        calls
    );
}

#[test]
fn status_selects_the_profile_as_every_verb_does() {
    let env = Env::new();
    env.login();
    for var in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
        let out = env
            .cmd(&["status", "--json"])
            .env(var, "prod")
            .bounded_output()
            .unwrap();
        assert!(out.status.success(), "{var}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["profile"], "prod", "{var} selects the profile");
    }
}

#[test]
fn bad_configuration_names_file_and_line() {
    let env = Env::new();
    let out = env.run(&["export", "dve"]);
    assert_eq!(out.status.code(), Some(USAGE));
    assert!(
        stderr(&out).contains("unknown profile `dve`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean `dev`?"),
        "{}",
        stderr(&out)
    );

    env.write_config("[profile dev]\nsso_session = corp\nnonsense here\n");
    let out = env.run(&["export", "dev"]);
    assert_eq!(out.status.code(), Some(USAGE));
    let want = format!("{}:3: expected `key = value`", env.config_path().display());
    assert!(stderr(&out).contains(&want), "{}", stderr(&out));
}

#[test]
fn a_misspelt_key_gets_one_warning_and_breaks_nothing_else() {
    let env = Env::new();
    env.login();
    let config = common::config().replacen(
        "[profile staging]\nsso_session",
        "[profile staging]\nsso_sesion",
        1,
    );
    env.write_config(&config);
    let line = common::line_of(&config, "sso_sesion");
    let warning = format!(
        "ssoenv: warning: {}:{line}: unknown key `sso_sesion` in [profile staging]; did you mean `sso_session`?",
        env.config_path().display()
    );
    // Other profiles work, with the warning once on stderr.
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).matches(&warning).count(),
        1,
        "{}",
        stderr(&out)
    );
    // The misspelt profile fails, and the warning says why.
    let out = env.run(&["export", "staging"]);
    assert_eq!(out.status.code(), Some(USAGE));
    assert_eq!(
        stderr(&out).matches(&warning).count(),
        1,
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("has no sso_session"),
        "{}",
        stderr(&out)
    );
    // Completion stays quiet: the warning would land in the command line.
    let out = env
        .cmd(&["--", "ssoenv", "use", ""])
        .env("COMPLETE", "fish")
        .bounded_output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("dev\n"));
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_misspelt_role_chain_key_is_named_where_the_chain_breaks() {
    let env = Env::new();
    env.login();
    let config = common::config().replacen("source_profile = dev", "source_profil = dev", 1);
    assert_ne!(config, common::config(), "the sample has a chained role");
    env.write_config(&config);
    let line = common::line_of(&config, "source_profil ");
    let warning = format!(
        "ssoenv: warning: {}:{line}: unknown key `source_profil` in [profile deploy]; did you mean `source_profile`?",
        env.config_path().display()
    );
    let out = env.run(&["export", "deploy"]);
    assert_eq!(out.status.code(), Some(USAGE));
    let err = stderr(&out);
    assert_eq!(err.matches(&warning).count(), 1, "{err}");
    assert!(err.contains("has role_arn but no source_profile"), "{err}");
}

#[test]
fn no_access_to_a_role_is_reported() {
    let env = Env::new();
    env.login();
    let out = env.run(&["export", "denied", "--format", "json"]);
    assert_eq!(out.status.code(), Some(ERROR));
    assert!(
        stderr(&out).contains("no access to role Admin in account 333333333333"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn verbose_traces_never_show_secrets() {
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    let login = env
        .cmd(&["login", "dev", "--no-browser", "--verbose"])
        .bounded_output()
        .unwrap();
    assert!(login.status.success());
    let out = env
        .cmd(&["export", "dev", "--format", "json", "--verbose"])
        .bounded_output()
        .unwrap();
    assert!(out.status.success());
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = env.read_json(&env.token_path("corp"));
    let trace = format!("{}{}", stderr(&login), stderr(&out));
    assert!(trace.contains("GetRoleCredentials at"), "{trace}");
    assert!(trace.contains("CreateToken (refresh_token)"), "{trace}");
    for secret in [
        &creds["SecretAccessKey"],
        &creds["SessionToken"],
        &token["accessToken"],
        &token["refreshToken"],
        &token["clientSecret"],
    ] {
        assert!(
            !trace.contains(secret.as_str().unwrap()),
            "trace leaked a secret"
        );
    }
}

#[cfg(unix)] // sh as the shell, and the stand-in browser a sh command
#[test]
fn sandbox_signs_in_and_opens_a_working_shell_without_touching_home() {
    let env = Env::new();
    let before: Vec<_> = walk(env.home());
    let mut child = env
        .cmd(&["sandbox", "--shell", "sh"])
        .env_remove("AWS_ENDPOINT_URL_SSO")
        .env_remove("AWS_ENDPOINT_URL_SSO_OIDC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"ssoenv export staging --format json\n")
        .unwrap();
    let out = child.bounded_wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(creds["AccountId"], "222222222222");
    assert_eq!(
        walk(env.home()),
        before,
        "the sandbox wrote into the caller's HOME"
    );
    assert_eq!(
        env.emulator.calls(Op::StartDeviceAuthorization),
        0,
        "it runs its own emulator"
    );
}

#[cfg(unix)]
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        }
        out.push(p);
    }
    out.sort();
    out
}

#[test]
fn emulator_prints_a_sample_config_whose_profiles_all_work() {
    let env = Env::new();
    let printed = env.ok(&["emulator", "--print-config"]);
    assert_eq!(printed, sample::config(DEFAULT_START_URL));
    env.write_config(&printed);
    env.login();
    for (profile, account) in [
        ("dev", "111111111111"),
        ("staging", "222222222222"),
        ("prod", "333333333333"),
    ] {
        assert_eq!(env.credentials(profile)["AccountId"], account, "{profile}");
    }
}

#[test]
fn a_refresh_lost_to_another_tool_uses_the_winners_token() {
    // Ten-minute tokens are inside the refresh window. A's refresh is held up
    // at the server while B (another tool: no shared lock) refreshes first,
    // rotating the single-use refresh token that A sent.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    env.login();
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    let before = env.emulator.calls(Op::CreateToken);
    env.emulator.inject(
        Op::CreateToken,
        Fault::Delay(Duration::from_millis(1500)),
        1,
    );
    let a = env
        .cmd(&["export", "dev", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while env.emulator.calls(Op::CreateToken) == before {
        assert!(Instant::now() < deadline, "A never refreshed");
        std::thread::sleep(Duration::from_millis(10));
    }
    let b = env
        .cmd(&["export", "prod", "--format", "json"])
        .env("XDG_CACHE_HOME", env.home().join("other-locks"))
        .env("LOCALAPPDATA", env.home().join("other-locks"))
        .bounded_output()
        .unwrap();
    assert!(b.status.success(), "{}", stderr(&b));
    let a = a.bounded_wait_with_output().unwrap();
    assert!(
        a.status.success(),
        "the loser must not be told to sign in: {}",
        stderr(&a)
    );
    assert_eq!(env.emulator.calls(Op::CreateToken), before + 2);
}

/// Throttling is normal at scale, never a reason to sign in: a 429 from the
/// portal is retried, and one that outlasts the retries is an error of its
/// own (exit 1, naming the throttling), with no sign-in started or hinted.
#[test]
fn throttled_role_credentials_are_retried_and_never_start_a_sign_in() {
    let env = Env::new();
    env.login();
    env.emulator
        .inject(Op::GetRoleCredentials, Fault::Status(429), 2);
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert!(
        out.status.success(),
        "two 429s are retried: {}",
        stderr(&out)
    );

    env.emulator
        .inject(Op::GetRoleCredentials, Fault::Status(429), 1000);
    let out = env.run(&["export", "staging", "--format", "json"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(ERROR), "{err}");
    assert_ne!(out.status.code(), Some(LOGIN_REQUIRED));
    assert!(
        err.contains("TooManyRequests") || err.contains("throttl"),
        "{err}"
    );
    assert!(!err.contains("ssoenv login"), "no sign-in hinted: {err}");
    assert_eq!(
        env.emulator.calls(Op::StartDeviceAuthorization),
        1,
        "only the first login's"
    );
    assert_eq!(env.emulator.calls(Op::Authorize), 0);
}
