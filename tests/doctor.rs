//! `ssoenv doctor` against the emulator: a clean setup, in real shells with
//! the integration loaded, passes every check; each planted problem gives
//! its ✗ line and the fix under it, and exit status 1.

#![cfg(unix)] // file modes, shells on a pseudo-terminal

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::bounded::{BoundedChild, BoundedCommand};
use common::pty::{Pty, Sh};
use common::{Env, stderr};
use ssoenv::emulator::{DEFAULT_START_URL, EmulatorConfig, Fault, Op, sample};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Signed in, with a config of the sample profiles only (one sign-in).
fn signed_in() -> Env {
    let env = Env::new();
    env.write_config(&sample::config(DEFAULT_START_URL));
    env.login();
    env
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Run doctor, which must find problems: exit 1, and nothing on stderr
/// (the report is the answer). Returns the report.
fn problems(env: &Env, vars: &[(&str, &str)]) -> String {
    let mut cmd = env.cmd(&["doctor"]);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.bounded_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "{}", stdout(&out));
    stdout(&out)
}

/// The fix printed under the ✗ line that contains `needle`.
fn fix_for<'a>(report: &'a str, needle: &str) -> &'a str {
    let lines: Vec<&str> = report.lines().collect();
    let Some(i) = lines
        .iter()
        .position(|l| l.starts_with("  ✗ ") && l.contains(needle))
    else {
        panic!("no ✗ line with {needle:?} in:\n{report}");
    };
    lines
        .get(i + 1)
        .and_then(|l| l.strip_prefix("    fix: "))
        .unwrap_or_else(|| panic!("no fix under {:?} in:\n{report}", lines[i]))
}

fn token_path(env: &Env) -> PathBuf {
    env.token_path(sample::SESSION)
}

// ---------------------------------------------------------------------------
// A clean setup, as a user runs it: at the prompt of a shell that loaded
// the integration.

fn clean_setup_passes_in(sh: Sh) {
    sh.require();
    let env = signed_in();
    let mut p = Pty::spawn(&env, sh, &sh.init_line(""));
    let report = p.run(&format!("ssoenv doctor; echo \"[{}]\"", sh.status()));
    assert!(!report.contains('✗'), "{report}");
    assert!(report.contains("\nAll checks passed.\n"), "{report}");
    assert!(report.ends_with("[0]\n"), "{report}");
    for passed in [
        // The sample's dev, staging and prod, and deploy, a role chained after dev.
        "parses: 4 profiles, 4 of them through Identity Center",
        "profile dev: account 111111111111, role Admin, sso-session corp",
        "profile deploy: role arn:aws:iam::222222222222:role/Deploy, chained after profile dev \
         (sso-session corp)",
        "sso-session corp: signed in until ",
        &format!("{} (PID ", sh.name()),
        &format!("loaded the integration of ssoenv {VERSION}; prompt hook: prompt"),
        "the `ssoenv` on PATH",
        "the portal endpoint",
        "answers and accepts the sign-in",
        "the clock agrees with Identity Center's",
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(passed))
            .unwrap_or_else(|| panic!("{passed:?} not in:\n{report}"));
        assert!(line.starts_with("  ✓ "), "{line}");
    }
    // The prompt hook, which only the shell sees: the wrapper showed it.
    let hook = match sh {
        Sh::Fish => "✓ ssoenv's prompt hook is among the fish_prompt event's handlers",
        Sh::Bash => "✓ ssoenv's prompt hook runs first in PROMPT_COMMAND",
        Sh::Zsh => "✓ ssoenv's prompt hook runs first in precmd_functions",
    };
    assert!(report.contains(hook), "{report}");
    // --json for scripts says the same.
    let json: serde_json::Value = serde_json::from_str(&p.run("ssoenv doctor --json")).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["problems"], 0);
    assert!(json["checks"].as_array().unwrap().len() > 10);
}

/// Another prompt tool, loaded after ssoenv, that put its hook first (or,
/// in fish, ssoenv's hook removed): doctor sees it, and says how to fix it.
fn a_prompt_tool_that_took_over_is_seen_in(sh: Sh) {
    sh.require();
    let env = signed_in();
    let mut p = Pty::spawn(&env, sh, &sh.init_line(""));
    let (plant, problem) = match sh {
        Sh::Bash => (
            "other_tool() { :; }; PROMPT_COMMAND=\"other_tool;$PROMPT_COMMAND\"",
            "✗ other_tool runs before ssoenv's prompt hook in PROMPT_COMMAND",
        ),
        Sh::Zsh => (
            "other_tool() { :; }; precmd_functions=(other_tool $precmd_functions)",
            "✗ other_tool runs before ssoenv's prompt hook in precmd_functions",
        ),
        Sh::Fish => (
            "functions --erase __ssoenv_hook",
            "✗ ssoenv's prompt hook is gone from the fish_prompt event's handlers",
        ),
    };
    p.run(plant);
    let report = p.run(&format!("ssoenv doctor; echo \"[{}]\"", sh.status()));
    assert!(report.ends_with("[1]\n"), "{report}");
    assert!(report.contains(problem), "{report}");
    assert!(
        report.contains("fix: load ssoenv's integration after the other prompt tools"),
        "{report}"
    );
}

#[test]
fn a_prompt_tool_that_took_over_is_seen_in_bash() {
    a_prompt_tool_that_took_over_is_seen_in(Sh::Bash);
}

#[test]
fn a_prompt_tool_that_took_over_is_seen_in_zsh() {
    a_prompt_tool_that_took_over_is_seen_in(Sh::Zsh);
}

#[test]
fn a_prompt_tool_that_took_over_is_seen_in_fish() {
    a_prompt_tool_that_took_over_is_seen_in(Sh::Fish);
}

#[test]
fn clean_setup_passes_in_bash() {
    clean_setup_passes_in(Sh::Bash);
}

#[test]
fn clean_setup_passes_in_zsh() {
    clean_setup_passes_in(Sh::Zsh);
}

#[test]
fn clean_setup_passes_in_fish() {
    clean_setup_passes_in(Sh::Fish);
}

// ---------------------------------------------------------------------------
// Planted problems, one at a time. Run outside an integrated shell, each
// report also has the integration's ✗; the asserts are about the planted one.

#[test]
fn a_bad_config_line_names_file_and_line() {
    let env = signed_in();
    let config = format!("{}nonsense here\n", sample::config(DEFAULT_START_URL));
    env.write_config(&config);
    let line = config.lines().count();
    let at = format!("{}:{line}", env.config_path().display());
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(
            &report,
            &format!("{at}: expected `key = value`, found `nonsense here`")
        ),
        format!(
            "correct {at}: settings are `key = value` lines under a `[profile NAME]` or \
             `[sso-session NAME]` header"
        )
    );
}

#[test]
fn a_misspelt_key_is_renamed() {
    let env = signed_in();
    let config = sample::config(DEFAULT_START_URL).replacen(
        "[profile prod]\nsso_session",
        "[profile prod]\nsso_sesion",
        1,
    );
    env.write_config(&config);
    let line = common::line_of(&config, "sso_sesion");
    let at = format!("{}:{line}", env.config_path().display());
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(
            &report,
            &format!(
                "{at}: unknown key `sso_sesion` in [profile prod]; did you mean `sso_session`?"
            )
        ),
        format!("rename `sso_sesion` to `sso_session` at {at}")
    );
    assert!(
        fix_for(&report, "profile prod is not an SSO profile")
            .starts_with("add `sso_session = NAME`")
    );
    // The others still resolve.
    assert!(
        report.contains("  ✓ profile dev: account 111111111111"),
        "{report}"
    );
}

#[test]
fn an_open_cache_file_is_made_private() {
    let env = signed_in();
    let token = token_path(&env);
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(
            &report,
            &format!(
                "{} is 0644: other users can read the sign-in in it",
                token.display()
            )
        ),
        format!("chmod 600 {}", token.display())
    );
    let dir = env.home().join(".aws/sso/cache");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(&report, &format!("{} is 0755", dir.display())),
        format!("chmod 700 {}", dir.display())
    );
}

#[test]
fn corrupt_cache_files_are_named_without_quoting_them() {
    let env = signed_in();
    let cli_cache = env.home().join(".aws/cli/cache");
    std::fs::create_dir_all(&cli_cache).unwrap();
    std::fs::set_permissions(&cli_cache, std::fs::Permissions::from_mode(0o700)).unwrap();
    let torn = cli_cache.join("0123.json");
    std::fs::write(&torn, r#"{"Credentials": {"SecretAccessKey": "SECRET"#).unwrap();
    std::fs::set_permissions(&torn, std::fs::Permissions::from_mode(0o600)).unwrap();
    let token = token_path(&env);
    std::fs::write(&token, r#"{"accessToken": "SECRET", "expiresAt": "soon"}"#).unwrap();
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(
            &report,
            &format!("{} is corrupt (cut short at line 1", torn.display())
        ),
        format!(
            "rm {}; the credentials are fetched again when needed",
            torn.display()
        )
    );
    assert_eq!(
        fix_for(
            &report,
            &format!(
                "sso-session corp: its token, {}, is corrupt",
                token.display()
            )
        ),
        "ssoenv login --sso-session corp (writes it anew)"
    );
    assert!(!report.contains("SECRET"), "{report}");
}

#[test]
fn an_expired_sign_in_says_log_in() {
    let env = signed_in();
    let path = token_path(&env);
    let mut token = env.read_json(&path);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    token.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(&path, token.to_string()).unwrap();
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(&report, "sso-session corp: the sign-in expired "),
        "ssoenv login --sso-session corp"
    );
}

#[test]
fn long_term_keys_under_an_sso_profiles_name_are_flagged() {
    let env = signed_in();
    let credentials = env.home().join(".aws/credentials");
    std::fs::write(
        &credentials,
        "[ci]\naws_access_key_id = AKIAEXAMPLE1\naws_secret_access_key = s\n\
         [dev]\naws_access_key_id = AKIAEXAMPLE2\naws_secret_access_key = s\n",
    )
    .unwrap();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o600)).unwrap();
    let report = problems(&env, &[]);
    let file = credentials.display();
    assert_eq!(
        fix_for(
            &report,
            &format!("[dev] ({file}:4) holds long-term keys, and profile dev")
        ),
        format!("rename or remove [dev] in {file}")
    );
    assert!(
        report.contains(&format!(
            "  ✓ [ci] ({file}:1) holds long-term keys, which ssoenv never replaces"
        )),
        "{report}"
    );
}

#[test]
fn expired_sections_written_by_ssoenv_are_flagged() {
    let env = Env::with(EmulatorConfig {
        credentials_ttl: std::time::Duration::from_secs(60),
        ..EmulatorConfig::default()
    });
    env.write_config(&sample::config(DEFAULT_START_URL));
    env.login();
    env.ok(&["write-credentials", "prod"]);
    let credentials = env.home().join(".aws/credentials");
    let text = std::fs::read_to_string(&credentials).unwrap();
    let expiration = text
        .lines()
        .find_map(|l| l.strip_prefix("expiration = "))
        .unwrap()
        .to_string();
    std::fs::write(
        &credentials,
        text.replace(&expiration, "2020-01-01T00:00:00Z"),
    )
    .unwrap();
    let report = problems(&env, &[]);
    assert!(
        fix_for(&report, "[prod] (").starts_with("ssoenv write-credentials --clean"),
        "{report}"
    );
}

#[test]
fn an_unreachable_endpoint_fails_within_the_time_out() {
    let env = signed_in();
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let report = problems(&env, &[("AWS_ENDPOINT_URL_SSO_OIDC", &url)]);
    assert_eq!(
        fix_for(
            &report,
            &format!("sso-session corp: CreateToken: cannot reach {url}")
        ),
        format!(
            "AWS_ENDPOINT_URL_SSO_OIDC points ssoenv at {url}: check that address, or unset \
             AWS_ENDPOINT_URL_SSO_OIDC"
        )
    );
    // The portal still answers.
    assert!(
        report.contains("✓ sso-session corp: the portal endpoint"),
        "{report}"
    );
}

/// An endpoint that accepts the connection and never answers is cut off at
/// --timeout (SSOENV_TIMEOUT), and says so.
#[test]
fn a_hanging_endpoint_is_cut_off_at_the_time_out() {
    let env = signed_in();
    env.emulator.inject(Op::ListAccounts, Fault::Hang, 1);
    let mut child = env
        .cmd(&["doctor"])
        .env("SSOENV_TIMEOUT", "2")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("doctor waited for an endpoint that hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.bounded_wait_with_output().unwrap();
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    let line = report
        .lines()
        .find(|l| l.contains("sso-session corp: ListAccounts"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        line.starts_with("  ✗ ") && line.contains("within 2s"),
        "{line}"
    );
}

#[test]
fn a_skewed_clock_is_measured_against_the_date_header() {
    let env = Env::with(EmulatorConfig {
        date_offset: time::Duration::hours(1),
        ..EmulatorConfig::default()
    });
    env.write_config(&sample::config(DEFAULT_START_URL));
    env.login();
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(
            &report,
            "this computer's clock is 1h00m behind Identity Center's"
        ),
        "set the clock right, and keep it so: `sudo timedatectl set-ntp true` (Linux), \
         \"Set time and date automatically\" (macOS, Windows)"
    );
}

#[test]
fn a_revoked_sign_in_is_caught_at_the_portal() {
    let env = signed_in();
    env.emulator.revoke_sessions();
    let report = problems(&env, &[]);
    assert_eq!(
        fix_for(
            &report,
            "refuses the cached sign-in: it was ended or revoked"
        ),
        "ssoenv login --sso-session corp --force"
    );
}

#[test]
fn the_integration_is_judged_from_what_it_exported() {
    let env = signed_in();
    let bin = Path::new(env!("CARGO_BIN_EXE_ssoenv"))
        .canonicalize()
        .unwrap();
    let bin = bin.display();
    // Not loaded at all: the line for $SHELL.
    let report = problems(&env, &[("SHELL", "/bin/zsh")]);
    assert_eq!(
        fix_for(
            &report,
            "this shell has not loaded ssoenv's shell integration"
        ),
        "put `eval \"$(ssoenv init zsh)\"` in ~/.zshrc, then open a new shell"
    );
    // Loaded by another process (PID 1 started nobody's doctor here), from
    // an older version: the first is not this shell's to judge, the second
    // is a fix.
    let marker = format!("bash 1 0.0.1 prompt {bin}");
    let report = problems(&env, &[("SSOENV_SHELL", &marker)]);
    assert!(
        report.contains("  – bash (PID 1) loaded the integration of ssoenv 0.0.1"),
        "{report}"
    );
    assert_eq!(
        fix_for(
            &report,
            &format!(
                "the integration in this shell is from ssoenv 0.0.1, but this is ssoenv {VERSION}"
            )
        ),
        "open a new shell, or load the integration again with `eval \"$(ssoenv init bash)\"` in ~/.bashrc"
    );
    // Upgraded in place since the shell loaded it; and not the one on PATH.
    let dir = tempfile::tempdir().unwrap();
    let upgraded = dir.path().join("ssoenv");
    std::fs::write(&upgraded, "#!/bin/sh\necho 'ssoenv 9.9.9'\n").unwrap();
    std::fs::set_permissions(&upgraded, std::fs::Permissions::from_mode(0o755)).unwrap();
    let upgraded = upgraded.canonicalize().unwrap();
    let marker = format!("zsh 1 {VERSION} prompt {}", upgraded.display());
    let report = problems(&env, &[("SSOENV_SHELL", &marker)]);
    assert_eq!(
        fix_for(
            &report,
            &format!(
                "{} is ssoenv 9.9.9 now, but the integration in this shell came from ssoenv {VERSION}",
                upgraded.display()
            )
        ),
        "open a new shell, or load the integration again with `eval \"$(ssoenv init zsh)\"` in ~/.zshrc"
    );
    // One that does not answer is not waited for.
    std::fs::write(&upgraded, "#!/bin/sh\nexec sleep 20\n").unwrap();
    let started = std::time::Instant::now();
    let report = problems(&env, &[("SSOENV_SHELL", &marker)]);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(
        fix_for(
            &report,
            &format!(
                "the integration calls {}, but `ssoenv` on PATH is {bin}",
                upgraded.display()
            )
        ),
        "remove the one you do not use, then open a new shell"
    );
    // Calling a binary that is gone.
    let marker = format!("fish 1 {VERSION} prompt /nonexistent/ssoenv");
    let report = problems(&env, &[("SSOENV_SHELL", &marker)]);
    assert!(
        fix_for(
            &report,
            "the integration calls /nonexistent/ssoenv, which is gone"
        )
        .contains("ssoenv init fish | source"),
        "{report}"
    );
}

#[test]
fn json_lists_every_check_and_doctor_changes_nothing() {
    let env = signed_in();
    let token = token_path(&env);
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = snapshot(env.home());
    let out = env.run(&["doctor", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out), "");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let checks = report["checks"].as_array().unwrap();
    let failed: Vec<&serde_json::Value> = checks.iter().filter(|c| c["status"] == "fail").collect();
    assert_eq!(report["problems"], failed.len());
    assert!(
        failed
            .iter()
            .any(|c| c["area"] == "caches" && c["fix"] == format!("chmod 600 {}", token.display())),
        "{report:#}"
    );
    assert!(checks.iter().all(|c| c["message"].is_string()));
    assert_eq!(snapshot(env.home()), before, "doctor changed files");
}

/// Every file under `dir` with its mode and contents.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u32, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.push((
                path.clone(),
                meta.permissions().mode(),
                std::fs::read(&path).unwrap(),
            ));
        }
    }
    out.sort();
    out
}
