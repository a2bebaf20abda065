//! The credential endpoint of `exec --server` and `serve`, end to end: the
//! real binary, the emulator, raw HTTP requests and botocore as the client.

mod common;

use std::time::Duration;

use common::Env;
use common::served::{Served, get};
use ssoenv::emulator::{DEFAULT_START_URL, EmulatorConfig, Op};
#[cfg(unix)]
use {
    common::MFA_SERIAL,
    common::bounded::{BoundedChild, BoundedCommand},
    common::served::ANSWER_BOUND,
    common::stderr,
    std::io::{BufRead, BufReader},
    std::net::TcpStream,
    std::process::Stdio,
};

#[test]
fn serve_answers_only_requests_with_its_token() {
    let env = Env::new();
    env.login();
    let served = Served::spawn(&mut env.cmd(&["serve", "dev", "--shell", "bash"]));
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    assert_eq!(served.token.len(), 64);
    assert!(served.token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(
        served.printed.contains("unset -v AWS_PROFILE\n"),
        "{}",
        served.printed
    );
    assert!(
        served.printed.contains("export AWS_REGION='eu-west-1'"),
        "{}",
        served.printed
    );

    let (status, body) = get(&served.url, None);
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["code"], "Unauthorized");
    let (status, body) = get(&served.url, Some(&"0".repeat(64)));
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "Forbidden");
    let (status, _) = get(&served.url, Some(&served.token[..63]));
    assert_eq!(status, 403);
    let (status, _) = get(
        &served.url.replace("/credentials", "/other"),
        Some(&served.token),
    );
    assert_eq!(status, 404);

    let (status, body) = served.get();
    assert_eq!(status, 200, "{body}");
    let ours = env.credentials("dev");
    assert_eq!(body["AccessKeyId"], ours["AccessKeyId"]);
    assert_eq!(body["SecretAccessKey"], ours["SecretAccessKey"]);
    assert_eq!(body["Token"], ours["SessionToken"]);
    assert_eq!(body["Expiration"], ours["Expiration"]);
    assert_eq!(body["AccountId"], "111111111111");
    // Cached credentials are served without asking Identity Center again.
    served.get();
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    served.stop();
}

/// The variables in the syntax of the shell asked for, else of the login
/// shell; where SHELL names none, bash, and PowerShell on Windows.
#[test]
fn serve_prints_the_variables_for_the_shell_it_is_asked_for() {
    let env = Env::new();
    env.login();
    let posix = "export AWS_CONTAINER_AUTHORIZATION_TOKEN='";
    let fish = "set -gx AWS_CONTAINER_AUTHORIZATION_TOKEN '";
    let powershell = "$Env:AWS_CONTAINER_AUTHORIZATION_TOKEN = '";
    let platform = if cfg!(windows) { powershell } else { posix };
    let runs = [
        ("--shell bash", posix),
        ("--shell zsh", posix),
        ("--shell fish", fish),
        ("--shell powershell", powershell),
        ("SHELL=/usr/bin/fish", fish),
        ("SHELL=/bin/sh", posix),
        ("SHELL unset", platform),
    ];
    for (how, token_line) in runs {
        let mut cmd = env.cmd(&["serve", "dev"]);
        if let Some(shell) = how.strip_prefix("--shell ") {
            cmd.args(["--shell", shell]);
        } else if let Some(path) = how.strip_prefix("SHELL=") {
            cmd.env("SHELL", path);
        }
        let served = Served::spawn(&mut cmd);
        assert!(
            served
                .printed
                .contains(&format!("{token_line}{}'\n", served.token)),
            "{how}: {}",
            served.printed
        );
        assert_eq!(served.get().0, 200, "{how}");
        served.stop();
    }
}

#[cfg(unix)] // the file limit is set with setrlimit
#[test]
fn connections_that_send_nothing_do_not_keep_requests_out() {
    use std::os::unix::process::CommandExt;
    // More silent connections than the server may open files: without a
    // cap on connections it took them until it had no descriptor left, and
    // no request got in again.
    const FILE_LIMIT: libc::rlim_t = 128;
    const SILENT: usize = 300;
    let env = Env::new();
    env.login();
    let mut cmd = env.cmd(&["serve", "dev", "--shell", "bash"]);
    // SAFETY: setrlimit is async-signal-safe, and the closure allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            limit.rlim_cur = limit.rlim_cur.min(FILE_LIMIT);
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    };
    let served = Served::spawn(&mut cmd);
    let host = served.url["http://".len()..].split('/').next().unwrap();
    let addr = host.parse().unwrap();
    let silent: Vec<TcpStream> = (0..SILENT)
        .map(|_| TcpStream::connect_timeout(&addr, ANSWER_BOUND).unwrap())
        .collect();
    let (status, body) = served.get();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["AccessKeyId"], env.credentials("dev")["AccessKeyId"]);
    drop(silent);
    served.stop();
}

#[test]
fn nothing_is_served_once_the_session_has_ended() {
    let env = Env::new();
    env.login();
    let served = Served::start(&env, "dev");
    assert_eq!(served.get().0, 200);
    env.ok(&["logout", "dev"]);
    for _ in 0..3 {
        let (status, body) = served.get();
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["code"], "LoginRequired");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("ssoenv login --sso-session corp"),
            "{message}"
        );
    }
    // A sign-in in another shell, and the endpoint serves again.
    env.login();
    assert_eq!(served.get().0, 200);
    let err = served.stop();
    assert_eq!(
        err.matches("ssoenv login").count(),
        1,
        "the hint once: {err}"
    );
}

#[test]
fn an_expired_session_is_not_served_from_cached_credentials() {
    let env = Env::new();
    env.login();
    let served = Served::start(&env, "dev");
    // The role credentials are cached for an hour, but the sign-in is over.
    let path = env.token_path("corp");
    let mut token = env.read_json(&path);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    token.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(&path, token.to_string()).unwrap();
    let (status, body) = served.get();
    assert_eq!(status, 503, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    served.stop();
}

#[test]
fn credentials_are_said_to_expire_when_the_sign_in_does() {
    // A legacy profile's token is never refreshed: its expiry is the end of
    // the session, and comes before that of the hour-long role credentials.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(20 * 60),
        ..Default::default()
    });
    env.ok(&["login", "legacy", "--no-browser"]);
    let served = Served::start(&env, "legacy");
    let (status, body) = served.get();
    assert_eq!(status, 200, "{body}");
    let token = env.read_json(&env.token_path(DEFAULT_START_URL));
    assert_eq!(body["Expiration"], token["expiresAt"]);
    assert_ne!(body["Expiration"], env.credentials("legacy")["Expiration"]);
    served.stop();
}

#[cfg(unix)] // sh as the command; tests/exec.rs runs everywhere
#[test]
fn exec_server_gives_the_command_an_endpoint_instead_of_keys() {
    let env = Env::new();
    env.login();
    let script = r#"printf '%s\n' "${AWS_ACCESS_KEY_ID-unset}" "${AWS_PROFILE-unset}" \
        "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI-unset}" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" \
        "$AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_REGION" "$AWS_DEFAULT_REGION"; exit 7"#;
    let out = env
        .cmd(&[
            "exec",
            "--server",
            "dev",
            "--region",
            "ap-south-1",
            "--",
            "sh",
            "-c",
            script,
        ])
        .env("AWS_ACCESS_KEY_ID", "AKIASTALE")
        .env("AWS_PROFILE", "other")
        .env(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/x",
        )
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[..3], ["unset", "unset", "unset"]);
    assert!(lines[3].starts_with("http://127.0.0.1:"), "{}", lines[3]);
    assert_eq!(lines[4].len(), 64);
    assert_eq!(lines[5..], ["ap-south-1", "ap-south-1"]);

    // Killed by a signal: 128 + its number, as shells report it.
    let out = env.run(&["exec", "--server", "dev", "--", "sh", "-c", "kill -KILL $$"]);
    assert_eq!(out.status.code(), Some(128 + 9));
    let out = env.run(&["exec", "--server", "dev", "--", "no-such-command-xyz"]);
    assert_eq!(out.status.code(), Some(common::exit::COMMAND_NOT_FOUND));
    assert!(stderr(&out).contains("command not found: no-such-command-xyz"));
}

#[cfg(unix)] // signals
#[test]
fn exec_server_forwards_signals_to_the_command() {
    let env = Env::new();
    env.login();
    for (signal, name) in [
        (libc::SIGTERM, "TERM"),
        (libc::SIGINT, "INT"),
        (libc::SIGHUP, "HUP"),
        (libc::SIGQUIT, "QUIT"),
    ] {
        let script = format!(
            "trap 'echo got {name}; exit 42' {name}; echo ready; while :; do sleep 0.05; done"
        );
        let mut child = env
            .cmd(&["exec", "--server", "dev", "--", "sh", "-c", &script])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout: BufReader<std::process::ChildStdout> =
            BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
        unsafe { libc::kill(child.id() as i32, signal) };
        line.clear();
        stdout.read_line(&mut line).unwrap();
        assert_eq!(line, format!("got {name}\n"));
        let out = child.bounded_wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(42), "{name}: {}", stderr(&out));
    }
}

#[cfg(unix)] // sh as the command
#[test]
fn exec_server_needs_a_session_before_the_command_starts() {
    let env = Env::new();
    let marker = env.home().join("ran");
    let touch = format!("touch {}", marker.display());
    let out = env.run(&["exec", "--server", "dev", "--", "sh", "-c", &touch]);
    assert_eq!(
        out.status.code(),
        Some(common::exit::LOGIN_REQUIRED),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("ssoenv login --sso-session corp"));
    assert!(!marker.exists());
}

#[cfg(unix)] // botocore from the .venv the Unix CI creates
#[test]
fn botocore_fetches_from_the_endpoint_and_again_when_credentials_expire() {
    let py = common::require_botocore();
    // Two-minute credentials: inside botocore's 15-minute refresh window, so
    // every read of them fetches again.
    let env = Env::with(EmulatorConfig {
        credentials_ttl: Duration::from_secs(120),
        ..Default::default()
    });
    env.login();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop/botocore_credentials.py");
    let out = env
        .cmd(&["exec", "--server", "dev", "--"])
        .arg(&py)
        .arg(&script)
        .arg("container")
        .env("AWS_PROFILE", "prod")
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["method"], "container-role", "{seen}");
    assert_ne!(
        seen["first"]["AccessKeyId"], seen["second"]["AccessKeyId"],
        "botocore fetched again: {seen}"
    );
    // One fetch when exec checked the session, then one per botocore fetch.
    assert!(env.emulator.calls(Op::GetRoleCredentials) >= 3);
    assert_eq!(seen["without_token"], 401);
    assert_eq!(seen["wrong_token"], 403);
    assert!(seen["env"]["AWS_ACCESS_KEY_ID"].is_null());
    assert!(seen["env"]["AWS_PROFILE"].is_null());
    assert_eq!(seen["env"]["AWS_DEFAULT_REGION"], "eu-west-1");
}

#[cfg(unix)] // a session without a terminal (setsid)
#[test]
fn serve_without_a_terminal_for_the_mfa_code_fails_as_it_starts() {
    use std::os::unix::process::CommandExt;
    let env = Env::new();
    env.write_config_with_mfa();
    env.login();
    let mut cmd = env.cmd(&["serve", "mfa"]);
    // SAFETY: setsid is async-signal-safe. A new session has no controlling
    // terminal, even when the tests run at one.
    unsafe {
        cmd.pre_exec(|| match libc::setsid() {
            -1 => Err(std::io::Error::last_os_error()),
            _ => Ok(()),
        })
    };
    let out = cmd.bounded_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(common::exit::ERROR),
        "{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "an MFA code for {MFA_SERIAL} is needed, and there is no terminal to ask on"
        )),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no endpoint handed out");
    assert_eq!(env.emulator.calls(Op::AssumeRole), 0);
}

/// The code is asked for once, in the foreground; requests never ask, so
/// none waits on a terminal: one that needs a new code says what to restart.
#[cfg(unix)] // a pseudo-terminal
#[test]
fn serve_asks_for_the_mfa_code_as_it_starts_and_never_while_serving() {
    let (env, mut p) = common::pty::bash_with_mfa("");
    p.send_line("ssoenv serve mfa > served.sh");
    p.expect(&format!("Enter MFA code for {MFA_SERIAL}: "));
    p.send_line("123456");
    p.expect("serving credentials of profile mfa");
    let printed = std::fs::read_to_string(env.home().join("served.sh")).unwrap();
    let value = |name: &str| {
        printed
            .lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .unwrap_or_else(|| panic!("{name} in {printed}"))
            .trim_matches('\'')
            .to_string()
    };
    let (url, token) = (
        value("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
        value("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    );
    let issued = env.emulator.assume_role_calls()[0].issued.clone().unwrap();
    for _ in 0..2 {
        let (status, body) = get(&url, Some(&token));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["AccessKeyId"], issued.as_str());
    }
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);

    // The role's credentials run out while it serves.
    let cache = env.home().join(".aws/cli/cache");
    let entry_path = std::fs::read_dir(cache)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|path| env.read_json(path)["Credentials"]["AccessKeyId"] == issued.as_str())
        .expect("the role's credentials are cached");
    let mut entry = env.read_json(&entry_path);
    entry["Credentials"]["Expiration"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&entry_path, entry.to_string()).unwrap();
    let (status, body) = get(&url, Some(&token));
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["code"], "CredentialsUnavailable");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "needs a new MFA code for {MFA_SERIAL}; restart `ssoenv serve mfa`"
        )),
        "{message}"
    );
    // Said once on the server's terminal, and no second prompt.
    p.expect("restart `ssoenv serve mfa`");
    let screen = p.transcript();
    assert_eq!(screen.matches("Enter MFA code").count(), 1, "{screen}");
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}
