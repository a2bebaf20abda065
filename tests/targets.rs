//! Account/role targets end to end: `ACCOUNT/ROLE` wherever a profile name
//! is taken, found through the account list, sharing the AWS CLI's
//! credential cache with profiles of the same values; `use`'s announcement;
//! `status` listing every profile; completion of targets. The real binary
//! against the emulator, real shells on a terminal, botocore as the oracle.

#![cfg(unix)] // real shells on a pseudo-terminal, bash, SIGTERM, botocore

#[macro_use]
mod common;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::bounded::BoundedCommand;
use common::exit::{LOGIN_REQUIRED, USAGE};
use common::pty::{Pty, Sh};
use common::served::Served;
use common::{Env, sha1_hex, stderr};
use serde_json::{Value, json};
use ssoenv::emulator::{EmulatorConfig, Op};

in_shells! {
    use_of_an_account_role_in_a_real_shell: bash zsh fish;
    an_account_role_is_renewed_by_the_hook: bash zsh fish;
}

const DEV: &str = "111111111111";
const PROD: &str = "333333333333";
/// The region of `[default]` in [`config`]: what targets get.
const DEFAULT_REGION: &str = "ap-south-1";

/// The tests' usual config with a `[default]` region on top.
fn config() -> String {
    format!(
        "[default]\nregion = {DEFAULT_REGION}\n\n{}",
        common::config()
    )
}

fn signed_in() -> Env {
    let env = Env::new();
    env.write_config(&config());
    env.login();
    env
}

/// The AWS CLI v2's cache file for account, role and sso-session: where a
/// profile with these values keeps its credentials.
fn cli_cache_file(env: &Env, account: &str, role: &str, session: &str) -> PathBuf {
    let key = json!({"accountId": account, "roleName": role, "sessionName": session});
    env.home()
        .join(".aws/cli/cache")
        .join(format!("{}.json", sha1_hex(&key.to_string())))
}

fn cached_key_id(env: &Env, account: &str, role: &str, session: &str) -> String {
    let entry = env.read_json(&cli_cache_file(env, account, role, session));
    entry["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn export_json(env: &Env, args: &[&str]) -> Value {
    let mut full = vec!["export"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&env.ok(&full)).unwrap()
}

fn fails(env: &Env, args: &[&str], code: i32) -> String {
    let out = env.run(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    stderr(&out)
}

/// `KEY=value` lines of `exec TARGET -- env`.
fn exec_env(env: &Env, args: &[&str]) -> Vec<String> {
    let mut full = vec!["exec"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--", "env"]);
    env.ok(&full).lines().map(String::from).collect()
}

fn value_of<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    let prefix = format!("{name}=");
    lines.iter().find_map(|l| l.strip_prefix(&prefix))
}

/// `ssoenv serve ARGS` until it has printed its variables: the endpoint's
/// credentials, and the lines printed. Stopped as Ctrl-C would.
fn served(env: &Env, args: &[&str]) -> (Value, String) {
    let served = Served::spawn(env.cmd(&["serve"]).args(args));
    let (status, creds) = served.get();
    assert_eq!(status, 200, "{creds}");
    let printed = served.printed.clone();
    served.stop();
    (creds, printed)
}

/// What `exec --server TARGET` gives its command: the command fetches from
/// the endpoint itself (bash's /dev/tcp) and prints the answer's body,
/// after the lines of its environment that ssoenv set.
fn served_to_command(env: &Env, target: &str) -> (Value, Vec<String>) {
    common::require("bash");
    let script = r#"
        env | grep '^SSOENV_\|^AWS_' | sort
        rest=${AWS_CONTAINER_CREDENTIALS_FULL_URI#http://}; hostport=${rest%%/*}
        exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}"
        printf 'GET /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\nConnection: close\r\n\r\n' \
            "${rest#*/}" "$hostport" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" >&3
        echo BODY; sed '1,/^\r$/d' <&3
    "#;
    let out = env.ok(&["exec", target, "--server", "--", "bash", "-c", script]);
    let (vars, body) = out.split_once("BODY\n").unwrap();
    (
        serde_json::from_str(body).unwrap(),
        vars.lines().map(String::from).collect(),
    )
}

// ---------------------------------------------------------------------------

#[test]
fn every_command_takes_an_account_role_by_id_or_by_name() {
    let env = signed_in();
    // By id, by name in another case, and with the sign-in said explicitly.
    let spellings: [&[&str]; 3] = [
        &["111111111111/ReadOnly"],
        &["DEV/readonly"],
        &["dev/ReadOnly", "--sso-session", "corp"],
    ];
    let key_id = export_json(&env, spellings[0])["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_string();
    // Cached where a profile of 111111111111/ReadOnly in corp keeps it.
    assert_eq!(cached_key_id(&env, DEV, "ReadOnly", "corp"), key_id);
    for spelling in spellings {
        let with = |verb: &'static str| -> Vec<&str> {
            let mut args = vec![verb, spelling[0]];
            args.extend_from_slice(&spelling[1..]);
            args
        };
        let what = format!("{spelling:?}");

        let exported = export_json(&env, spelling);
        assert_eq!(exported["AccessKeyId"], key_id, "export {what}");
        assert_eq!(exported["AccountId"], DEV, "export {what}");

        let process: Value = serde_json::from_str(&env.ok(&with("credential-process"))).unwrap();
        assert_eq!(process["AccessKeyId"], key_id, "credential-process {what}");
        assert_eq!(process["Version"], 1);

        let mut exec_args = spelling.to_vec();
        exec_args.insert(1, "--region=eu-west-3");
        let child = exec_env(&env, spelling);
        assert_eq!(
            value_of(&child, "AWS_ACCESS_KEY_ID"),
            Some(&*key_id),
            "exec {what}"
        );
        assert_eq!(value_of(&child, "SSOENV_PROFILE"), Some("dev/ReadOnly"));
        assert_eq!(value_of(&child, "SSOENV_ACCOUNT_NAME"), Some("dev"));
        assert_eq!(value_of(&child, "SSOENV_SSO_SESSION"), Some("corp"));
        assert_eq!(value_of(&child, "AWS_REGION"), Some(DEFAULT_REGION));
        assert_eq!(
            value_of(&child, "AWS_PROFILE"),
            None,
            "no profile of that name"
        );
        let child = exec_env(&env, &exec_args);
        assert_eq!(
            value_of(&child, "AWS_REGION"),
            Some("eu-west-3"),
            "--region wins"
        );

        let (body, vars) = served_to_command(&env, spelling[0]);
        assert_eq!(body["AccessKeyId"], key_id, "exec --server {what}");
        assert!(
            vars.contains(&"SSOENV_PROFILE=dev/ReadOnly".to_string()),
            "{vars:?}"
        );
        assert!(
            vars.iter().all(|l| !l.starts_with("AWS_ACCESS_KEY_ID=")),
            "{vars:?}"
        );

        let (body, printed) = served(&env, spelling);
        assert_eq!(body["AccessKeyId"], key_id, "serve {what}");
        assert!(
            printed.contains(&format!("export AWS_REGION='{DEFAULT_REGION}'")),
            "{printed}"
        );

        let out = env.run(&with("write-credentials"));
        assert!(out.status.success(), "{}", stderr(&out));
        let file = std::fs::read_to_string(env.home().join(".aws/credentials")).unwrap();
        assert!(file.contains("[dev/ReadOnly]\n"), "{file}");
        assert!(
            file.contains(&format!("aws_access_key_id = {key_id}\n")),
            "{file}"
        );

        let mut status_args = with("status");
        status_args.push("--json");
        let status: Value = serde_json::from_str(&env.ok(&status_args)).unwrap();
        assert_eq!(status["profile"], "dev/ReadOnly", "status {what}");
        assert_eq!(status["configured"], false);
        assert_eq!(status["account_id"], DEV);
        assert_eq!(status["account_name"], "dev");
        assert_eq!(status["role_name"], "ReadOnly");
        assert_eq!(status["credentials"], "cached");

        let mut use_args = with("use");
        use_args.extend_from_slice(&["--shell", "bash"]);
        let code = env.ok(&use_args);
        assert!(
            code.contains(&format!("export AWS_ACCESS_KEY_ID='{key_id}'")),
            "{code}"
        );
        assert!(
            code.contains("export SSOENV_PROFILE='dev/ReadOnly'"),
            "{code}"
        );
    }
    // One account list, one credentials fetch, for all of it.
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    assert_eq!(env.emulator.calls(Op::ListAccounts), 1);
}

#[test]
fn a_target_and_a_profile_of_its_values_share_one_cached_file() {
    let py = common::require_botocore();
    let env = signed_in();
    // `prod` is 333333333333/ReadOnly in corp: the same credentials either way.
    let by_target = export_json(&env, &["prod/ReadOnly"]);
    let by_profile = export_json(&env, &["prod"]);
    assert_eq!(by_target["AccessKeyId"], by_profile["AccessKeyId"]);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    assert_eq!(
        cached_key_id(&env, PROD, "ReadOnly", "corp"),
        by_profile["AccessKeyId"]
    );

    // A profile added afterwards for a target fetched before finds its
    // credentials, in ssoenv and in the AWS CLI's botocore alike.
    let fetched = export_json(&env, &["dev/ReadOnly"]);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 2);
    env.write_config(&format!(
        "{}\n[profile dev-ro]\nsso_session = corp\nsso_account_id = {DEV}\nsso_role_name = ReadOnly\n",
        config()
    ));
    let ours = export_json(&env, &["dev-ro"]);
    let theirs = env.python(
        &py,
        "botocore_sso.py",
        &["credentials", "dev-ro", "--cli-cache"],
    );
    assert_eq!(ours["AccessKeyId"], fetched["AccessKeyId"]);
    assert_eq!(theirs["AccessKeyId"], fetched["AccessKeyId"]);
    assert_eq!(theirs["SessionToken"], fetched["SessionToken"]);
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 2);
}

#[test]
fn a_fresh_account_list_means_no_network_and_profiles_need_none() {
    let env = signed_in();
    export_json(&env, &["dev"]);
    export_json(&env, &["prod"]);
    assert_eq!(
        env.emulator.calls(Op::ListAccounts),
        0,
        "profiles need no list"
    );
    export_json(&env, &["dev/ReadOnly"]);
    assert_eq!(env.emulator.calls(Op::ListAccounts), 1);
    let roles = env.emulator.calls(Op::ListAccountRoles);
    export_json(&env, &["staging/ReadOnly"]);
    fails(&env, &["export", "staging/Nope"], USAGE);
    assert_eq!(env.emulator.calls(Op::ListAccounts), 1, "the cached list");
    assert_eq!(env.emulator.calls(Op::ListAccountRoles), roles);
}

#[test]
fn a_profile_wins_over_a_target_spelled_the_same() {
    let env = Env::new();
    env.write_config(&format!(
        "{}\n[profile dev/ReadOnly]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Admin\n",
        config()
    ));
    env.login();
    assert_eq!(
        export_json(&env, &["dev/ReadOnly"])["AccountId"],
        "222222222222"
    );
    let child = exec_env(&env, &["dev/ReadOnly"]);
    assert_eq!(value_of(&child, "SSOENV_ACCOUNT"), Some("222222222222"));
    assert_eq!(value_of(&child, "SSOENV_SSO_SESSION"), None);
    let code = env.ok(&["use", "dev/ReadOnly", "--shell", "bash"]);
    assert!(code.contains("export AWS_PROFILE='dev/ReadOnly'"), "{code}");
    assert_eq!(env.emulator.calls(Op::ListAccounts), 0);
    // The id still names the account/role.
    assert_eq!(
        export_json(&env, &["111111111111/ReadOnly"])["AccountId"],
        DEV
    );
    // --sso-session may repeat a profile's sign-in, not contradict it.
    export_json(&env, &["dev", "--sso-session", "corp"]);
    let err = fails(&env, &["export", "dev", "--sso-session", "other"], USAGE);
    assert!(
        err.contains("profile dev signs in through sso-session corp, not `other`"),
        "{err}"
    );
}

#[test]
fn ambiguity_names_the_candidates_and_sso_session_decides() {
    let env = Env::new();
    // A second sign-in that reaches the same accounts (the emulator serves
    // any start URL).
    env.write_config(&format!(
        "{}\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\nsso_region = us-east-1\n",
        config()
    ));
    env.login();
    env.ok(&["login", "--sso-session", "other", "--no-browser"]);
    for spelling in ["dev/ReadOnly", "111111111111/ReadOnly"] {
        let err = fails(&env, &["export", spelling], USAGE);
        assert!(
            err.contains(&format!("`{spelling}` could be any of"))
                && err.contains("`111111111111/ReadOnly` (dev, sso-session corp)")
                && err.contains("`111111111111/ReadOnly` (dev, sso-session other)")
                && err.contains("--sso-session NAME"),
            "{err}"
        );
    }
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 0);
    let theirs = export_json(&env, &["dev/ReadOnly", "--sso-session", "other"]);
    assert_eq!(
        cached_key_id(&env, DEV, "ReadOnly", "other"),
        theirs["AccessKeyId"]
    );
    assert!(!cli_cache_file(&env, DEV, "ReadOnly", "corp").exists());
    let err = fails(
        &env,
        &["export", "dev/ReadOnly", "--sso-session", "othr"],
        USAGE,
    );
    assert!(err.contains("did you mean `other`?"), "{err}");
}

#[test]
fn typos_get_suggestions() {
    let env = signed_in();
    for (typed, meant) in [
        ("dve/ReadOnly", "dev/ReadOnly"),
        ("Dve/readonly", "dev/ReadOnly"),
        ("11111111111/ReadOnly", "111111111111/ReadOnly"),
    ] {
        let err = fails(&env, &["exec", typed, "--", "true"], USAGE);
        assert!(
            err.contains(&format!(
                "no account/role `{typed}` among the 5 your sign-ins reach"
            )) && err.contains(&format!("did you mean `{meant}`")),
            "{typed}: {err}"
        );
    }
    // The account is right, the role is not: its roles.
    for (typed, account, role, roles) in [
        ("dev/ReadOnyl", "dev", "ReadOnyl", "Admin, ReadOnly"),
        ("PROD/Admin", "PROD", "Admin", "ReadOnly"),
        (
            "222222222222/Admn",
            "222222222222",
            "Admn",
            "Admin, ReadOnly",
        ),
    ] {
        let err = fails(&env, &["use", typed, "--shell", "bash"], USAGE);
        assert!(
            err.contains(&format!(
                "account `{account}` has no role `{role}` for you; its roles: {roles}"
            )),
            "{typed}: {err}"
        );
    }
    // A name without a slash is a profile name, as always.
    let err = fails(&env, &["export", "prdo"], USAGE);
    assert!(
        err.contains("unknown profile `prdo`") && err.contains("did you mean `prod`?"),
        "{err}"
    );
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 0);
}

#[test]
fn without_a_sign_in_the_target_says_how_to_sign_in() {
    let env = Env::new();
    env.write_config(&config());
    let err = fails(&env, &["export", "dev/ReadOnly"], LOGIN_REQUIRED);
    assert!(
        err.contains("cannot look up `dev/ReadOnly`")
            && err.contains("run `ssoenv login --sso-session corp` to sign in"),
        "{err}"
    );
    // `login` takes the target too, once its list is known.
    env.login();
    export_json(&env, &["dev/ReadOnly"]);
    let out = env.run(&["login", "dev/ReadOnly", "--no-browser"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("signed in to sso-session corp"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn use_says_what_it_did_unless_quiet() {
    let env = signed_in();
    let used = env.run(&["use", "prod", "--shell", "bash"]);
    assert!(used.status.success(), "{}", stderr(&used));
    let said = stderr(&used);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 1, "{said}");
    let until = lines[0]
        .strip_prefix("ssoenv: prod (333333333333/ReadOnly) until ")
        .unwrap_or_else(|| panic!("{said}"));
    assert!(is_clock(until), "a local time of day: {said}");

    let target = env.run(&["use", "111111111111/ReadOnly", "--shell", "zsh"]);
    assert!(stderr(&target).starts_with("ssoenv: dev/ReadOnly (111111111111/ReadOnly) until "));

    for quiet in ["--quiet", "-q"] {
        let out = env.run(&["use", "dev", quiet, "--shell", "fish"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stderr(&out), "", "{quiet}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("SSOENV_PROFILE"));
    }
}

/// "14:05", or "2026-12-02 14:05" near midnight.
fn is_clock(s: &str) -> bool {
    let time = s.rsplit(' ').next().unwrap();
    time.len() == 5
        && time.as_bytes()[2] == b':'
        && time.chars().filter(|c| c.is_ascii_digit()).count() == 4
}

#[test]
fn status_lists_every_profile_with_its_cached_credentials() {
    let env = signed_in();
    let dev = export_json(&env, &["dev"]);
    let calls = |env: &Env| {
        [
            Op::GetRoleCredentials,
            Op::CreateToken,
            Op::ListAccounts,
            Op::ListAccountRoles,
        ]
        .map(|op| env.emulator.calls(op))
    };
    let before = calls(&env);
    let status: Value = serde_json::from_str(&env.ok(&["status", "--json"])).unwrap();
    assert_eq!(calls(&env), before, "status makes no network calls");
    // As before: the sessions.
    assert_eq!(status["sessions"][0]["sso_session"], "corp");
    assert_eq!(status["sessions"][0]["token"], "valid");
    let profiles = status["profiles"].as_array().unwrap();
    let names: Vec<&str> = profiles
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    // The role profile `deploy` too, as the account and role it yields.
    assert_eq!(
        names,
        ["dev", "staging", "prod", "deploy", "legacy", "denied"]
    );
    assert_eq!(
        profiles[0],
        json!({
            "profile": "dev",
            "account_id": DEV,
            "role_name": "Admin",
            "region": "eu-west-1",
            "sso_session": "corp",
            "start_url": ssoenv::emulator::DEFAULT_START_URL,
            "credentials": "cached",
            "credentials_expire_at": dev["Expiration"],
        })
    );
    assert_eq!(profiles[2]["credentials"], "none");
    assert_eq!(profiles[2]["credentials_expire_at"], Value::Null);
    assert_eq!(
        (&profiles[3]["account_id"], &profiles[3]["role_name"]),
        (&json!("222222222222"), &json!("Deploy"))
    );
    assert_eq!(profiles[3]["credentials"], "none");
    assert_eq!(profiles[4]["sso_session"], Value::Null);

    let human = env.ok(&["status"]);
    let line = |name: &str| {
        human
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line for {name}:\n{human}"))
            .to_string()
    };
    let expiry = dev["Expiration"].as_str().unwrap();
    assert!(
        line("dev").contains("111111111111/Admin")
            && line("dev").contains(&format!("expire {expiry} (in ")),
        "{human}"
    );
    assert!(
        line("prod").ends_with("333333333333/ReadOnly  none"),
        "{human}"
    );
    assert_eq!(calls(&env), before);
}

#[test]
fn status_of_a_target_reads_only_the_cached_list() {
    let env = signed_in();
    let err = fails(&env, &["status", "dev/ReadOnly"], USAGE);
    assert!(err.contains("`ssoenv list` fetches it"), "{err}");
    env.ok(&["list"]);
    let listings = env.emulator.calls(Op::ListAccounts);
    let out = env.ok(&["status", "dev/ReadOnly"]);
    assert!(
        out.starts_with("target       dev/ReadOnly\naccount      111111111111 (role ReadOnly)\n"),
        "{out}"
    );
    assert!(out.contains("credentials  none cached"), "{out}");
    assert_eq!(env.emulator.calls(Op::ListAccounts), listings);
    // A configured profile shows the account's name from the list too.
    let status: Value = serde_json::from_str(&env.ok(&["status", "prod", "--json"])).unwrap();
    assert_eq!(status["configured"], true);
    assert_eq!(status["account_name"], "prod");
}

#[test]
fn completion_offers_targets_from_the_cached_list() {
    let env = signed_in();
    let complete = |word: &str| -> Vec<String> {
        let out = env
            .cmd(&["--", "ssoenv", "use", word])
            .env("COMPLETE", "fish")
            .bounded_output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    };
    // Before any list: profiles only.
    let before = complete("");
    assert!(before.contains(&"dev".to_string()), "{before:?}");
    let targets = |offered: &[String]| -> Vec<String> {
        offered
            .iter()
            .filter(|c| c.contains('/') && !c.starts_with('-'))
            .cloned()
            .collect()
    };
    assert_eq!(targets(&before), Vec::<String>::new());
    env.ok(&["list"]);
    let listings = env.emulator.calls(Op::ListAccounts);
    let offered = complete("dev");
    assert!(offered.contains(&"dev".to_string()), "{offered:?}");
    assert!(
        offered.contains(&"dev/Admin\tdev (111111111111) in sso-session corp".to_string()),
        "{offered:?}"
    );
    assert!(
        offered.contains(&"dev/ReadOnly\tdev (111111111111) in sso-session corp".to_string()),
        "{offered:?}"
    );
    assert!(
        complete("sta")
            .iter()
            .any(|c| c.starts_with("staging/ReadOnly\t"))
    );
    // Every command that takes a target.
    for verb in [
        "export",
        "exec",
        "serve",
        "credential-process",
        "status",
        "write-credentials",
    ] {
        let out = env
            .cmd(&["--", "ssoenv", verb, "prod/"])
            .env("COMPLETE", "fish")
            .bounded_output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("prod/ReadOnly\t"), "{verb}: {text:?}");
    }
    assert_eq!(env.emulator.calls(Op::ListAccounts), listings, "no network");
}

#[test]
fn logout_removes_the_credentials_of_listed_targets() {
    let env = signed_in();
    export_json(&env, &["dev/ReadOnly"]);
    let file = cli_cache_file(&env, DEV, "ReadOnly", "corp");
    assert!(file.exists());
    env.ok(&["logout", "--sso-session", "corp"]);
    assert!(!file.exists(), "target credentials outlived the sign-in");
}

/// `logout ACCOUNT/ROLE` signs out of the session whose cached list holds
/// it, with no network call to find it (the sign-in may have ended).
#[test]
fn logout_of_a_target_signs_out_of_the_session_that_lists_it() {
    let env = signed_in();
    let err = fails(&env, &["logout", "dev/ReadOnly"], USAGE);
    assert!(err.contains("`ssoenv list` fetches it"), "{err}");
    assert!(env.token_path("corp").exists(), "nothing signed out");
    env.ok(&["list"]);
    export_json(&env, &["dev/ReadOnly"]);
    let listings = env.emulator.calls(Op::ListAccounts);
    let out = env.run(&["logout", "dev/ReadOnly"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("signed out of"), "{}", stderr(&out));
    assert!(!env.token_path("corp").exists());
    assert!(!cli_cache_file(&env, DEV, "ReadOnly", "corp").exists());
    assert_eq!(env.emulator.calls(Op::ListAccounts), listings);
    let err = fails(&env, &["logout", "dev/ReadOnyl"], USAGE);
    assert!(err.contains("ReadOnly"), "a suggestion: {err}");
}

// ---------------------------------------------------------------------------

fn epoch_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Every exported variable, by name.
fn shell_vars(p: &mut Pty) -> std::collections::BTreeMap<String, String> {
    p.run("env")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn use_of_an_account_role_in_a_real_shell(sh: Sh) {
    let env = signed_in();
    let rc = format!("{}\n{}", sh.init_line(""), sh.export("AWS_PROFILE", "prod"));
    let mut p = Pty::spawn(&env, sh, &rc);
    let before = shell_vars(&mut p);
    let said = p.run("ssoenv use dev/ReadOnly");
    assert!(
        said.contains("ssoenv: dev/ReadOnly (111111111111/ReadOnly) until "),
        "{said}\n{}",
        p.transcript()
    );
    let v = shell_vars(&mut p);
    let get = |name: &str| v.get(name).map(String::as_str);
    assert_eq!(get("AWS_PROFILE"), None, "{}", p.transcript());
    assert_eq!(get("SSOENV_PROFILE"), Some("dev/ReadOnly"));
    assert_eq!(get("SSOENV_ACCOUNT"), Some(DEV));
    assert_eq!(get("SSOENV_ROLE"), Some("ReadOnly"));
    assert_eq!(get("SSOENV_ACCOUNT_NAME"), Some("dev"));
    assert_eq!(get("AWS_REGION"), Some(DEFAULT_REGION));
    let ours = export_json(&env, &["dev/ReadOnly"]);
    assert_eq!(get("AWS_ACCESS_KEY_ID"), ours["AccessKeyId"].as_str());
    assert_eq!(
        p.get("ssoenv prompt --format '{account_name}|{profile}|{account}|{role}'"),
        "dev|dev/ReadOnly|111111111111|ReadOnly"
    );

    // A profile afterwards: its own AWS_PROFILE, and the account's name
    // from the list.
    let said = p.run("ssoenv use prod");
    assert!(
        said.contains("ssoenv: prod (333333333333/ReadOnly) until "),
        "{said}"
    );
    assert_eq!(
        p.get("ssoenv prompt --format '{account_name}|{profile}'"),
        "prod|prod"
    );
    let v = shell_vars(&mut p);
    assert_eq!(v.get("AWS_PROFILE").map(String::as_str), Some("prod"));
    assert_eq!(v.get("SSOENV_SSO_SESSION"), None);

    assert_eq!(p.run("ssoenv use --quiet dev/ReadOnly"), "");
    p.run("ssoenv off");
    let after = shell_vars(&mut p);
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| {
            !k.starts_with("SSOENV_NOTICE") && !["PWD", "OLDPWD", "_"].contains(&k.as_str())
        })
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        changed.is_empty(),
        "off left {changed:?} changed\n{}",
        p.transcript()
    );
}

fn an_account_role_is_renewed_by_the_hook(sh: Sh) {
    let env = Env::with(EmulatorConfig {
        credentials_ttl: Duration::from_secs(4),
        ..Default::default()
    });
    env.write_config(&config());
    env.login();
    let mut p = Pty::spawn_with(&env, sh, &sh.init_line(""), &[("SSOENV_RENEW_BEFORE", "2")]);
    p.run("ssoenv use dev/ReadOnly");
    let first = shell_vars(&mut p);
    let renew_at: u64 = first["SSOENV_RENEW_AT"].parse().unwrap();
    assert!(renew_at <= epoch_now() + 5, "{first:?}");
    // An old list: renewal finds the account by id in it all the same,
    // rather than listing again within a prompt's time.
    let list = env
        .home()
        .join(".cache/ssoenv/lists")
        .join(format!("{}.json", sha1_hex("corp")));
    let mut cached = env.read_json(&list);
    cached["fetched_at"] = json!("2000-01-01T00:00:00Z");
    std::fs::write(&list, cached.to_string()).unwrap();
    let calls = env.emulator.calls(Op::GetRoleCredentials);
    std::thread::sleep(Duration::from_secs(
        renew_at.saturating_sub(epoch_now()) + 1,
    ));
    p.command("");
    let renewed = shell_vars(&mut p);
    assert_ne!(
        renewed["AWS_ACCESS_KEY_ID"],
        first["AWS_ACCESS_KEY_ID"],
        "no renewal\n{}",
        p.transcript()
    );
    assert!(env.emulator.calls(Op::GetRoleCredentials) > calls);
    for same in [
        "SSOENV_PROFILE",
        "SSOENV_ACCOUNT",
        "SSOENV_ROLE",
        "SSOENV_ACCOUNT_NAME",
        "SSOENV_SSO_SESSION",
    ] {
        assert_eq!(renewed.get(same), first.get(same), "{same}");
    }
    assert_eq!(renewed.get("AWS_PROFILE"), None);
    // Found again by id in its sign-in, from the cached list.
    assert_eq!(env.emulator.calls(Op::ListAccounts), 1);
    assert!(!p.log().contains("cannot renew"), "{}", p.log());
}
