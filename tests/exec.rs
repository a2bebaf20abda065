//! `exec` and `exec --server` on every platform: the real binary runs a
//! script of the platform's own shell (sh on Unix, cmd.exe on Windows), and
//! the test checks what the command saw, what its endpoint served, and that
//! it ends with ssoenv.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::bounded::{BoundedChild, BoundedCommand};
use common::served::get_text;
use common::{Env, stderr};

/// A script for the platform's shell, as the arguments after `--`.
fn script(sh: &str, cmd: &str) -> [String; 3] {
    match cfg!(windows) {
        true => ["cmd".into(), "/c".into(), cmd.into()],
        false => ["sh".into(), "-c".into(), sh.into()],
    }
}

/// `ssoenv exec ARGS -- COMMAND` in the test's environment.
fn exec(env: &Env, args: &[&str], command: &[String]) -> Command {
    let mut cmd = env.cmd(&["exec"]);
    cmd.args(args).arg("--").args(command);
    cmd
}

fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

#[test]
fn exec_hands_the_command_keys_and_its_exit_code_back() {
    let env = Env::new();
    env.login();
    let creds = env.credentials("dev");
    let command = script(
        r#"printf '%s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_REGION" "${AWS_PROFILE-unset}"; exit 7"#,
        "echo %AWS_ACCESS_KEY_ID%& echo %AWS_SECRET_ACCESS_KEY%& echo %AWS_REGION%& \
         (if defined AWS_PROFILE (echo set) else (echo unset))& exit 7",
    );
    let out = exec(&env, &["dev"], &command)
        .env("AWS_PROFILE", "other")
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert_eq!(
        lines(&out.stdout),
        [
            creds["AccessKeyId"].as_str().unwrap(),
            creds["SecretAccessKey"].as_str().unwrap(),
            "eu-west-1",
            "unset",
        ]
    );
}

#[test]
fn exec_server_serves_the_command_until_it_exits() {
    let env = Env::new();
    env.login();
    let command = script(
        r#"printf '%s\n' "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN" "${AWS_ACCESS_KEY_ID-unset}"; read line; exit 5"#,
        "echo %AWS_CONTAINER_CREDENTIALS_FULL_URI%& echo %AWS_CONTAINER_AUTHORIZATION_TOKEN%& \
         (if defined AWS_ACCESS_KEY_ID (echo set) else (echo unset))& set /p line=& exit 5",
    );
    let mut child = exec(&env, &["--server", "dev"], &command)
        .env("AWS_ACCESS_KEY_ID", "AKIASTALE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut read_line = || {
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    };
    let (url, token, keys) = (read_line(), read_line(), read_line());
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(keys, "unset", "no keys besides the endpoint");

    let (status, body) = get_text(&url, Some(&token));
    assert_eq!(status, 200, "{body}");
    let served: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(served["AccessKeyId"], env.credentials("dev")["AccessKeyId"]);
    assert_eq!(get_text(&url, None).0, 401);

    // The command ends when its stdin does; its code is ssoenv's.
    drop(child.stdin.take());
    let out = child.bounded_wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
}

/// A supervisor killed outright (kill -9, or TerminateProcess) takes its
/// command along: the command must not keep an endpoint that nobody serves
/// and another local user could take over.
#[test]
fn a_killed_supervisor_takes_its_command_along() {
    let env = Env::new();
    env.login();
    // The command waits for a line that never comes: the test keeps its stdin open.
    let command = script("echo ready; read line", "echo ready& set /p line=");
    let mut child = exec(&env, &["--server", "dev"], &command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Held open to the end (Child::wait would close it).
    let stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim_end(), "ready");

    child.kill().unwrap();
    child.bounded_wait().unwrap();
    // The command's stdout closes when it ends: end of file, not a timeout.
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = done.send(stdout.read_to_end(&mut rest).map(|_| rest));
    });
    let rest = ended
        .recv_timeout(Duration::from_secs(20))
        .expect("the command outlived the killed supervisor")
        .unwrap();
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
    drop(stdin);
}

/// Windows itself starts only `.exe` files for a bare name; ssoenv finds
/// batch files through PATHEXT as cmd.exe and PowerShell do, so `cdk` runs
/// npm's `cdk.cmd`.
#[cfg(windows)]
#[test]
fn a_bare_name_runs_a_batch_file_on_path() {
    let env = Env::new();
    env.login();
    let bin = env.home().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("tool.cmd"),
        "@echo off\r\necho %AWS_REGION% %1\r\nexit /b 3\r\n",
    )
    .unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = exec(&env, &["dev"], &["tool".into(), "arg".into()])
        .env("PATH", path)
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(lines(&out.stdout), ["eu-west-1 arg"]);
}
