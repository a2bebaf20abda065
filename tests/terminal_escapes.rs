//! Names that carry terminal escapes — a cloned repository's directory, a
//! profile name, a value in the config — reach the terminal escaped in
//! every notice, error, warning and trace line, so they can neither retitle
//! the window nor overwrite the line ssoenv printed.

#![cfg(unix)] // names with control characters, which Windows does not allow in paths

mod common;

use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::bounded::BoundedCommand;
use common::{Env, exit, stderr};

/// Set the window title, erase the line, go back to its start, and write a
/// line of one's own.
const ESCAPES: &str = "\u{1b}]0;owned\u{7}\u{1b}[2K\r\u{9b}1Aok\nssoenv: allowed";
/// How they read once escaped.
const SHOWN: &str = "\\u{1b}]0;owned\\u{7}\\u{1b}[2K\\r\\u{9b}1Aok\\nssoenv: allowed";

/// `text` has no control character but the line ends.
fn assert_inert(text: &str, what: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c.is_control() && c != '\n')
        .collect();
    assert!(raw.is_empty(), "{what}: raw {raw:?} in:\n{text}");
    assert!(
        !text.contains("\nssoenv: allowed"),
        "{what}: a forged line:\n{text}"
    );
}

fn shows_escaped(out: &Output, what: &str) -> String {
    let err = stderr(out);
    assert_inert(&err, what);
    assert!(err.contains(SHOWN), "{what}: {err}");
    err
}

/// A project directory whose name carries the escapes, with a `.ssoenv`.
fn project(env: &Env, content: &str) -> PathBuf {
    let dir = env.home().join(format!("repo{ESCAPES}"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(".ssoenv"), content).unwrap();
    dir
}

fn in_dir(env: &Env, dir: &Path, args: &[&str]) -> Output {
    env.cmd(args)
        .current_dir(dir)
        .env("PWD", dir)
        .bounded_output()
        .unwrap()
}

#[test]
fn a_directory_name_in_the_hooks_notice() {
    let env = Env::new();
    let dir = project(&env, "profile = dev\n");
    let out = in_dir(&env, &dir, &["hook", "bash"]);
    let err = shows_escaped(&out, "untrusted-file notice");
    assert!(err.contains("is not allowed"), "{err}");
}

#[test]
fn a_directory_name_in_allow_and_deny() {
    let env = Env::new();
    let dir = project(&env, "profile = dev\n");
    let out = in_dir(&env, &dir, &["allow"]);
    assert!(out.status.success(), "{}", stderr(&out));
    shows_escaped(&out, "allow");
    let out = in_dir(&env, &dir, &["deny"]);
    shows_escaped(&out, "deny");
}

#[test]
fn a_profile_name_in_errors() {
    let env = Env::new();
    let name = format!("prod{ESCAPES}");
    let out = env.run(&["export", &name]);
    assert_eq!(out.status.code(), Some(exit::USAGE), "{}", stderr(&out));
    let err = shows_escaped(&out, "unknown profile");
    assert!(err.contains("unknown profile"), "{err}");
    // Named by a directory's `.ssoenv`.
    let dir = project(&env, &format!("profile = {}\n", name.replace('\n', " ")));
    let out = in_dir(&env, &dir, &["allow"]);
    assert!(!out.status.success());
    assert_inert(&stderr(&out), "allow of an unknown profile");
}

#[test]
fn a_config_value_in_status_and_errors() {
    let env = Env::new();
    env.login();
    let odd = ESCAPES.replace('\n', " ");
    assert_eq!(common::config().matches("region = eu-west-1\n").count(), 1);
    let config = common::config().replace("region = eu-west-1\n", &format!("region = {odd}\n"));
    env.write_config(&config);
    let out = env.run(&["status", "dev"]);
    let shown = String::from_utf8(out.stdout).unwrap();
    assert_inert(&shown, "status");
    assert!(shown.contains("\\u{1b}]0;owned\\u{7}"), "{shown}");
    // A start URL that disagrees with its session's, quoted in the error.
    let config = common::config().replace(
        "[profile dev]\n",
        &format!("[profile dev]\nsso_start_url = https://x{odd}\n"),
    );
    env.write_config(&config);
    let out = env.run(&["export", "dev"]);
    assert!(!out.status.success());
    assert_inert(&stderr(&out), "a config error");
}

#[test]
fn paths_in_warnings_and_traces() {
    // A HOME that carries the escapes: every path shown starts with it.
    let env = Env::new();
    env.login();
    let home = env.home().join(format!("h{ESCAPES}"));
    std::fs::create_dir(&home).unwrap();
    for dir in [".aws", ".aws/sso"] {
        std::fs::create_dir_all(home.join(dir)).unwrap();
    }
    std::fs::copy(env.config_path(), home.join(".aws/config")).unwrap();
    let cache = home.join(".aws/sso/cache");
    std::fs::create_dir(&cache).unwrap();
    let token = env.token_path(ssoenv::emulator::sample::SESSION);
    std::fs::write(
        cache.join(token.file_name().unwrap()),
        b"{\"accessToken\": ",
    )
    .unwrap();
    let out = env
        .cmd(&["--verbose", "export", "dev"])
        .env("HOME", &home)
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(exit::LOGIN_REQUIRED));
    let err = shows_escaped(&out, "warning and traces");
    assert!(
        err.contains("warning: ignoring unreadable cache file"),
        "{err}"
    );
    assert!(
        home.as_os_str().as_bytes().contains(&0x1b),
        "the test's HOME has the escapes"
    );
}

#[test]
fn a_profile_name_in_the_prompt_segment_but_not_the_users_own_colours() {
    let env = Env::new();
    let name = format!("prod{ESCAPES}");
    let out = env
        .cmd(&["prompt", "--format", "\u{1b}[32m{profile}\u{1b}[0m"])
        .env("SSOENV_PROFILE", &name)
        .bounded_output()
        .unwrap();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert_eq!(shown, format!("\u{1b}[32mprod{SHOWN}\u{1b}[0m\n"));
}
