//! Role profiles chained after SSO, end to end: the real binary, the
//! emulator's STS, and botocore as the oracle for the shared cache.

#![cfg(unix)] // botocore as the oracle, a pseudo-terminal, file modes

mod common;

use common::bounded::{BoundedChild, BoundedCommand};
use common::exit::USAGE;
use common::{Env, MFA_SERIAL, stderr};
use ssoenv::emulator::{EmulatorConfig, Fault, Op, sample};

/// The test config plus `deep`, two hops from `dev` (through `deploy`).
fn with_deep(env: &Env, extra: &str) {
    env.write_config(&format!(
        "{}\n[profile deep]\nrole_arn = arn:aws:iam::333333333333:role/Ops\nsource_profile = deploy\n{extra}",
        common::config()
    ));
}

fn deep_env() -> Env {
    let mut roles = sample::assumable_roles();
    roles.push("arn:aws:iam::333333333333:role/Ops".into());
    Env::with(EmulatorConfig {
        assumable_roles: roles,
        ..EmulatorConfig::default()
    })
}

fn key_of(env: &Env, args: &str) -> String {
    let python = common::require_botocore();
    env.python(&python, "botocore_assume_role.py", &["key", args])["key"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn one_hop_is_assumed_with_the_sso_credentials_and_cached_under_the_cli_key() {
    let env = Env::new();
    env.login();
    let sso = env.credentials("dev");
    let deploy = env.credentials("deploy");
    let calls = env.emulator.assume_role_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].role_arn, sample::DEPLOY_ROLE);
    assert_eq!(calls[0].caller, sso["AccessKeyId"].as_str().unwrap());
    assert!(calls[0].role_session_name.starts_with("botocore-session-"));
    assert_eq!(calls[0].duration_seconds, None);
    assert_eq!(calls[0].issued.as_deref(), deploy["AccessKeyId"].as_str());

    let key = key_of(
        &env,
        &format!(r#"{{"RoleArn": "{}"}}"#, sample::DEPLOY_ROLE),
    );
    let file = env
        .home()
        .join(".aws/cli/cache")
        .join(format!("{key}.json"));
    let entry = env.read_json(&file);
    assert_eq!(entry["Credentials"]["AccessKeyId"], deploy["AccessKeyId"]);
    assert_eq!(entry["Credentials"]["AccountId"], "222222222222");
    let mode = std::os::unix::fs::PermissionsExt::mode(&file.metadata().unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    // Cached: no second AssumeRole, the same keys.
    let again = env.credentials("deploy");
    assert_eq!(again["AccessKeyId"], deploy["AccessKeyId"]);
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);

    // The AWS CLI's resolution of the same profile reads ssoenv's entry.
    let python = common::require_botocore();
    let botocore = env.python(&python, "botocore_assume_role.py", &["resolve", "deploy"]);
    assert_eq!(botocore["AccessKeyId"], deploy["AccessKeyId"]);
    assert_eq!(botocore["method"], "assume-role");
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}

#[test]
fn ssoenv_reuses_what_botocore_assumed() {
    let env = Env::new();
    env.login();
    let python = common::require_botocore();
    let botocore = env.python(&python, "botocore_assume_role.py", &["resolve", "deploy"]);
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
    let ours = env.credentials("deploy");
    assert_eq!(ours["AccessKeyId"], botocore["AccessKeyId"]);
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}

/// Counts of every call that needs the SSO sign-in, or makes one.
fn sso_calls(env: &Env) -> [u64; 4] {
    [
        Op::RegisterClient,
        Op::CreateToken,
        Op::GetRoleCredentials,
        Op::AssumeRole,
    ]
    .map(|op| env.emulator.calls(op))
}

#[test]
fn cached_chained_credentials_are_used_without_the_sso_sign_in() {
    let env = Env::new();
    env.login();
    let deploy = env.credentials("deploy");
    // Only deploy's own entry is left: no token, and no cached credentials
    // of dev to assume the role with.
    std::fs::remove_file(env.token_path(sample::SESSION)).unwrap();
    let cache = env.home().join(".aws/cli/cache");
    let mut deploy_entry = None;
    for file in std::fs::read_dir(&cache).unwrap() {
        let path = file.unwrap().path();
        match env.read_json(&path)["Credentials"]["AccessKeyId"] == deploy["AccessKeyId"] {
            true => deploy_entry = Some(path),
            false => std::fs::remove_file(&path).unwrap(),
        }
    }
    let deploy_entry = deploy_entry.expect("deploy's credentials are cached");
    let before = sso_calls(&env);

    let again = env.credentials("deploy");
    assert_eq!(again["AccessKeyId"], deploy["AccessKeyId"]);
    assert_eq!(again["SecretAccessKey"], deploy["SecretAccessKey"]);
    assert_eq!(sso_calls(&env), before, "no call to Identity Center or STS");

    // Once they too have run out, the chain is walked back to the sign-in.
    let mut entry = env.read_json(&deploy_entry);
    entry["Credentials"]["Expiration"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&deploy_entry, entry.to_string()).unwrap();
    let out = env.run(&["export", "deploy"]);
    assert_eq!(
        out.status.code(),
        Some(common::exit::LOGIN_REQUIRED),
        "{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("not signed in to") && err.contains("run `ssoenv login --sso-session corp`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(sso_calls(&env), before);
}

#[test]
fn a_chain_resumes_from_the_last_hop_still_cached() {
    let env = deep_env();
    with_deep(&env, "");
    env.login();
    env.credentials("deep");
    let [deploy, deep] = [0, 1].map(|i| env.emulator.assume_role_calls()[i].issued.clone());
    std::fs::remove_file(env.token_path(sample::SESSION)).unwrap();
    // dev's entry goes, deep's runs out, deploy's is left as it was.
    for file in std::fs::read_dir(env.home().join(".aws/cli/cache")).unwrap() {
        let path = file.unwrap().path();
        let mut entry = env.read_json(&path);
        let key = entry["Credentials"]["AccessKeyId"]
            .as_str()
            .map(str::to_string);
        if key == deep {
            entry["Credentials"]["Expiration"] = "2020-01-01T00:00:00Z".into();
            std::fs::write(&path, entry.to_string()).unwrap();
        } else if key != deploy {
            std::fs::remove_file(&path).unwrap();
        }
    }
    let before = sso_calls(&env);
    let again = env.credentials("deep");
    let calls = env.emulator.assume_role_calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert_eq!(calls[2].role_arn, "arn:aws:iam::333333333333:role/Ops");
    assert_eq!(Some(&calls[2].caller), deploy.as_ref());
    assert_eq!(calls[2].issued.as_deref(), again["AccessKeyId"].as_str());
    let mut after = before;
    after[3] += 1;
    assert_eq!(sso_calls(&env), after, "only the one AssumeRole");
}

#[test]
fn exports_at_once_make_one_call_for_each_hop() {
    let env = Env::new();
    env.login();
    // Slow first answers, so that the others start while a fetch is in flight.
    let slow = Fault::Delay(std::time::Duration::from_millis(500));
    env.emulator.inject(Op::GetRoleCredentials, slow.clone(), 1);
    env.emulator.inject(Op::AssumeRole, slow, 1);
    let exports: Vec<_> = (0..4)
        .map(|_| {
            env.cmd(&["export", "deploy", "--format", "json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys: Vec<serde_json::Value> = exports
        .into_iter()
        .map(|child| {
            let out = child.bounded_wait_with_output().unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["AccessKeyId"].clone()
        })
        .collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}

#[test]
fn two_hops_sign_each_call_with_the_hop_before() {
    let env = deep_env();
    with_deep(&env, "role_session_name = alice\n");
    env.login();
    let deep = env.credentials("deep");
    let calls = env.emulator.assume_role_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].role_arn, sample::DEPLOY_ROLE);
    assert_eq!(calls[1].role_arn, "arn:aws:iam::333333333333:role/Ops");
    assert_eq!(Some(&calls[1].caller), calls[0].issued.as_ref());
    assert_eq!(calls[1].role_session_name, "alice");
    assert_eq!(calls[1].issued.as_deref(), deep["AccessKeyId"].as_str());
    let key = key_of(
        &env,
        r#"{"RoleArn": "arn:aws:iam::333333333333:role/Ops", "RoleSessionName": "alice"}"#,
    );
    assert!(
        env.home()
            .join(format!(".aws/cli/cache/{key}.json"))
            .exists()
    );
    env.credentials("deep");
    assert_eq!(env.emulator.calls(Op::AssumeRole), 2);
}

#[test]
fn a_long_duration_is_clamped_to_an_hour_with_one_warning() {
    let env = Env::new();
    env.write_config(&format!(
        "{}\n[profile long]\nrole_arn = {}\nsource_profile = dev\nduration_seconds = 28800\n",
        common::config(),
        sample::DEPLOY_ROLE
    ));
    env.login();
    let out = env.run(&["export", "long", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("duration_seconds = 28800").count(), 1, "{err}");
    assert_eq!(
        env.emulator.assume_role_calls()[0].duration_seconds,
        Some(3600)
    );
    let key = key_of(
        &env,
        &format!(
            r#"{{"RoleArn": "{}", "DurationSeconds": 3600}}"#,
            sample::DEPLOY_ROLE
        ),
    );
    assert!(
        env.home()
            .join(format!(".aws/cli/cache/{key}.json"))
            .exists()
    );
}

#[test]
fn loops_missing_sources_and_credential_source_are_config_errors() {
    let env = Env::new();
    env.write_config(&format!(
        "{}\n[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n\
         [profile lost]\nrole_arn = arn:aws:iam::1:role/L\nsource_profile = nowhere\n\
         [profile ec2]\nrole_arn = arn:aws:iam::1:role/E\ncredential_source = Ec2InstanceMetadata\n",
        common::config()
    ));
    let config = env.config_path().display().to_string();
    for (profile, want) in [
        (
            "a",
            "the source_profile chain loops: a -> b -> a".to_string(),
        ),
        ("lost", format!("{config}:")),
        (
            "ec2",
            "credential_source = Ec2InstanceMetadata, which ssoenv does not support".into(),
        ),
    ] {
        let out = env.run(&["export", profile]);
        assert_eq!(
            out.status.code(),
            Some(USAGE),
            "{profile}: {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains(&want), "{profile}: {}", stderr(&out));
    }
    let lost = stderr(&env.run(&["export", "lost"]));
    assert!(
        lost.contains("source_profile = nowhere, but there is no [profile nowhere]"),
        "{lost}"
    );
    assert_eq!(env.emulator.calls(Op::AssumeRole), 0);
}

#[test]
fn access_denied_names_the_role() {
    let env = Env::new();
    env.write_config(&format!(
        "{}\n[profile nope]\nrole_arn = arn:aws:iam::222222222222:role/Nope\nsource_profile = dev\n",
        common::config()
    ));
    env.login();
    let out = env.run(&["export", "nope"]);
    assert_eq!(out.status.code(), Some(common::exit::ERROR));
    let err = stderr(&out);
    assert!(
        err.contains("not allowed to assume arn:aws:iam::222222222222:role/Nope (profile nope)"),
        "{err}"
    );
}

#[test]
fn credential_process_never_asks_for_an_mfa_code() {
    let env = Env::new();
    env.write_config_with_mfa();
    env.login();
    let out = env.run(&["credential-process", "mfa"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("needs an MFA code for arn:aws:iam::111111111111:mfa/alice"),
        "{err}"
    );
    assert_eq!(env.emulator.calls(Op::AssumeRole), 0);
}

#[test]
fn status_shows_each_hop() {
    let env = Env::new();
    env.login();
    env.credentials("deploy");
    let status: serde_json::Value =
        serde_json::from_str(&env.ok(&["status", "deploy", "--json"])).unwrap();
    assert_eq!(status["profile"], "deploy");
    assert_eq!(status["account_id"], "222222222222");
    assert_eq!(status["role_name"], "Deploy");
    assert_eq!(status["credentials"], "cached");
    let chain = status["chain"].as_array().unwrap();
    let names: Vec<&str> = chain
        .iter()
        .map(|h| h["profile"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "deploy"]);
    assert!(chain.iter().all(|h| h["credentials"] == "cached"));
    let human = env.ok(&["status", "deploy"]);
    assert!(human.contains("deploy: cached"), "{human}");
}

#[test]
fn the_hook_never_asks_for_an_mfa_code() {
    let env = Env::new();
    env.write_config_with_mfa();
    env.login();
    let out = env
        .cmd(&["hook", "bash"])
        .env("SSOENV_PROFILE", "mfa")
        .env("SSOENV_RENEW_AT", "1")
        .bounded_output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("needs an MFA code for arn:aws:iam::111111111111:mfa/alice"),
        "{err}"
    );
    assert!(!err.contains("Enter MFA code"), "{err}");
    assert_eq!(env.emulator.calls(Op::AssumeRole), 0);
}

#[test]
fn write_credentials_writes_the_chained_role() {
    let env = Env::new();
    env.login();
    env.ok(&["write-credentials", "deploy"]);
    let text = std::fs::read_to_string(env.home().join(".aws/credentials")).unwrap();
    let issued = env.emulator.assume_role_calls()[0].issued.clone().unwrap();
    assert!(text.contains("[deploy]"), "{text}");
    assert!(
        text.contains(&format!("aws_access_key_id = {issued}")),
        "{text}"
    );
}

#[test]
fn exec_server_serves_the_chained_role() {
    let env = Env::new();
    env.login();
    let python = common::require_botocore();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop/botocore_credentials.py");
    let out = env
        .cmd(&["exec", "--server", "deploy", "--"])
        .arg(&python)
        .arg(&script)
        .arg("container")
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["method"], "container-role", "{seen}");
    let issued: Vec<String> = env
        .emulator
        .assume_role_calls()
        .into_iter()
        .filter_map(|c| c.issued)
        .collect();
    assert!(
        issued
            .iter()
            .any(|k| seen["first"]["AccessKeyId"] == k.as_str()),
        "{seen} {issued:?}"
    );
    assert_eq!(seen["env"]["AWS_DEFAULT_REGION"], "eu-central-1");
}

/// The code is not shown as it is typed (botocore reads it with getpass),
/// and the terminal echoes again afterwards; Ctrl-C ends the question, and
/// a signal that ends ssoenv there leaves echo on even under a parent that
/// does not restore the terminal (bash does; `sh -c` does not).
#[test]
fn the_mfa_code_is_typed_unseen_and_echo_comes_back() {
    // Each command's status, kept where the next command line can read it.
    let (env, mut p) = common::pty::bash_with_mfa("PROMPT_COMMAND='last=$?'");
    // The terminal's own echo flag, as the next command sees it.
    let echo = "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo";
    assert_eq!(p.get(echo), "echo");
    p.send_line("ssoenv export mfa --format json > out.json; echo exported=$?");
    p.expect(&format!("Enter MFA code for {MFA_SERIAL}: "));
    p.send_line("424242");
    p.expect("exported=0");
    assert_eq!(
        env.emulator.assume_role_calls()[0].token_code.as_deref(),
        Some("424242")
    );
    assert!(!p.transcript().contains("424242"), "{}", p.transcript());
    assert_eq!(p.get(echo), "echo", "{}", p.transcript());

    // Asked again (nothing cached), and Ctrl-C ends ssoenv at the question.
    p.run("rm -r ~/.aws/cli/cache");
    p.send_line("ssoenv export mfa --format json > out.json");
    p.expect(&format!("Enter MFA code for {MFA_SERIAL}: "));
    p.interrupt();
    assert_eq!(p.get("echo $last"), "130", "{}", p.transcript());
    assert_eq!(p.get(echo), "echo", "{}", p.transcript());

    // Ended by SIGTERM under sh, which reads the echo flag itself.
    let script = env.home().join("ended.sh");
    std::fs::write(
        &script,
        format!(
            "ssoenv export mfa --format json > out.json & echo $! > pid\n\
             wait $!; echo status=$?\n\
             echo flag=$({echo})\n"
        ),
    )
    .unwrap();
    p.send_line(&format!("sh {}", script.display()));
    p.expect(&format!("Enter MFA code for {MFA_SERIAL}: "));
    // sh writes the pid just after starting ssoenv, which asks later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let pid: i32 = loop {
        let written = std::fs::read_to_string(env.home().join("pid")).unwrap_or_default();
        match written.trim().parse() {
            Ok(pid) => break pid,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10))
            }
            Err(e) => panic!("no pid from the script ({e}): {written:?}"),
        }
    };
    // SAFETY: kill(2) on the ssoenv the script started for this test.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    p.expect("status=143");
    p.expect("flag=");
    assert!(p.transcript().contains("flag=echo"), "{}", p.transcript());
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}

/// A command run at a terminal asks for the code there, not on stdout.
#[test]
fn export_asks_for_the_mfa_code_on_the_terminal() {
    let (env, mut p) = common::pty::bash_with_mfa("");
    p.send_line("ssoenv export mfa --format json > out.json; echo exported=$?");
    p.expect("Enter MFA code for arn:aws:iam::111111111111:mfa/alice: ");
    p.send_line("123456");
    p.expect("exported=0");
    let calls = env.emulator.assume_role_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].token_code.as_deref(), Some("123456"));
    let out: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.home().join("out.json")).unwrap()).unwrap();
    assert_eq!(out["AccessKeyId"].as_str(), calls[0].issued.as_deref());
    // Cached: no code needed, not even a terminal, and no second call.
    let again = env.credentials("mfa");
    assert_eq!(again["AccessKeyId"], out["AccessKeyId"]);
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}

/// In the background of its terminal a read would stop the process
/// (SIGTTIN) with nobody asked: it says so and fails instead.
#[test]
fn in_the_background_the_mfa_code_is_not_asked_for() {
    let (env, mut p) = common::pty::bash_with_mfa("");
    p.send_line("set -m; ssoenv export mfa --format json > out.json 2> err.txt & wait $!; echo background=$?");
    p.expect("background=1");
    let err = std::fs::read_to_string(env.home().join("err.txt")).unwrap();
    assert!(
        err.contains("runs in the background of its terminal"),
        "{err}"
    );
    assert!(
        !p.transcript().contains("Enter MFA code"),
        "{}",
        p.transcript()
    );
    assert_eq!(env.emulator.calls(Op::AssumeRole), 0);
}

#[test]
fn logout_of_a_role_profile_ends_its_root_session_and_its_roles() {
    let env = Env::new();
    env.login();
    env.credentials("deploy");
    let cache = env.home().join(".aws/cli/cache");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2);
    let out = env.run(&["logout", "deploy"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "ssoenv: signed out of sso-session corp\n");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 0);
}
