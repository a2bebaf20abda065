//! `ssoenv login` end to end: the authorization code flow with PKCE through a
//! stand-in browser, the device flow where no browser can come back, and
//! how a sign-in is found, joined, skipped and ended.

#![cfg(unix)] // the stand-in browser is a sh command; the terminal a pseudo-terminal

mod common;

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::bounded::{BoundedChild, BoundedCommand};
use common::{Env, stderr};
use ssoenv::emulator::browser::{self, Visit};
use ssoenv::emulator::{Approval, EmulatorConfig, Op};

const START_URL: &str = ssoenv::emulator::DEFAULT_START_URL;

/// How the stand-in browser treats the redirect back to `ssoenv login`.
#[derive(Clone, Copy)]
enum Behaviour {
    /// Follow it, as a browser does.
    Follow,
    /// Follow it with another `state`, as a stale tab or a forged link would.
    ForgeState,
}

/// A stand-in for the user's browser: BROWSER appends each URL to a file,
/// and a thread of the test opens it as a browser would (following the
/// redirects to the callback) and keeps the page it landed on.
struct StandIn {
    opened: PathBuf,
    visits: Arc<Mutex<Vec<Visit>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StandIn {
    fn start(env: &Env, behaviour: Behaviour) -> StandIn {
        let opened = env.home().join("opened-urls");
        std::fs::write(&opened, "").unwrap();
        let visits = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (opened, visits, stop) = (opened.clone(), visits.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut seen = 0;
                while !stop.load(Ordering::Relaxed) {
                    let text = std::fs::read_to_string(&opened).unwrap_or_default();
                    let urls: Vec<String> = text
                        .split_inclusive('\n')
                        .filter(|l| l.ends_with('\n'))
                        .map(|l| l.trim_end().to_string())
                        .collect();
                    for url in urls.into_iter().skip(seen) {
                        seen += 1;
                        let visits = visits.clone();
                        // A manual /authorize answers only once approved: one thread per page.
                        std::thread::spawn(move || {
                            let visit = match behaviour {
                                Behaviour::Follow => browser::browse(&url),
                                Behaviour::ForgeState => browser::browse_with(&url, forge_state),
                            };
                            if let Ok(visit) = visit {
                                visits.lock().unwrap().push(visit);
                            }
                        });
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        StandIn {
            opened,
            visits,
            stop,
            thread: Some(thread),
        }
    }

    /// The BROWSER value that hands the URL to this stand-in.
    fn browser(&self) -> String {
        format!("sh -c 'echo \"$1\" >> \"$0\"' {}", self.opened.display())
    }

    fn opened(&self) -> Vec<String> {
        std::fs::read_to_string(&self.opened)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The page the browser landed on after the `n`th visit (from 1).
    fn landing(&self, n: usize) -> Visit {
        wait_until("the stand-in browser to land", || {
            self.visits.lock().unwrap().len() >= n
        });
        self.visits.lock().unwrap()[n - 1].clone()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn forge_state(location: &str) -> String {
    let (base, query) = location.split_once('?').unwrap();
    let query: Vec<String> = query
        .split('&')
        .map(|p| match p.starts_with("state=") {
            true => "state=forged".to_string(),
            false => p.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `ssoenv login ARGS` with this browser (None: no BROWSER), outside any
/// SSH session, with no display.
fn login(env: &Env, args: &[&str], browser: Option<&str>) -> Command {
    let mut cmd = env.cmd(&[&["login"], args].concat());
    for var in ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "NO_COLOR"] {
        cmd.env_remove(var);
    }
    if let Some(b) = browser {
        cmd.env("BROWSER", b);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.bounded_output().unwrap()
}

fn assert_ok(out: &Output) {
    assert!(out.status.success(), "{}", stderr(out));
}

/// The registration cache file, named as the AWS CLI names it
/// (`_registration_cache_key`: sorted keys, Python's separators).
fn registration(env: &Env) -> serde_json::Value {
    let key = format!(
        r#"{{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "corp", "startUrl": "{START_URL}", "tool": "botocore"}}"#
    );
    let path = env
        .home()
        .join(".aws/sso/cache")
        .join(format!("{}.json", common::sha1_hex(&key)));
    env.read_json(&path)
}

fn no_temp_files_in(env: &Env) {
    let cache = env.home().join(".aws/sso/cache");
    for entry in std::fs::read_dir(&cache).into_iter().flatten() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with(".ssoenv-tmp"),
            "left {name:?} behind"
        );
    }
}

#[test]
fn the_browser_flow_is_the_default_and_botocore_uses_and_refreshes_its_token() {
    // Ten-minute tokens sit inside botocore's 15-minute refresh window.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    let browser = StandIn::start(&env, Behaviour::Follow);
    let out = run(&mut login(
        &env,
        &["--sso-session", "corp"],
        Some(&browser.browser()),
    ));
    assert_ok(&out);
    assert!(
        stderr(&out).contains("signed in to sso-session corp until"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.emulator.calls(Op::Authorize), 1);
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 0);
    assert_eq!(env.emulator.calls(Op::CreateToken), 1);

    // The browser went to /authorize with PKCE and came back to a loopback port.
    let opened = browser.opened();
    assert_eq!(opened.len(), 1);
    let url = &opened[0];
    assert!(url.starts_with(&format!("{}/authorize?", env.emulator.endpoint())));
    for param in [
        "response_type=code",
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A",
        "scopes=sso%3Aaccount%3Aaccess",
    ] {
        assert!(url.contains(param), "{param} missing from {url}");
    }
    let landing = browser.landing(1);
    assert!(
        landing.url.starts_with("http://127.0.0.1:") && landing.url.contains("/oauth/callback?"),
        "{}",
        landing.url
    );
    assert_eq!(landing.status, 200);
    assert!(landing.body.contains("Signed in to sso-session corp"));
    assert!(landing.body.contains("close this tab"));

    // Registration and token where and how the AWS CLI writes them.
    let reg = registration(&env);
    assert_eq!(
        reg["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(reg["scopes"], serde_json::json!(["sso:account:access"]));
    let token = env.read_json(&env.token_path("corp"));
    assert_eq!(token["clientId"], reg["clientId"]);
    assert_eq!(token["registrationExpiresAt"], reg["expiresAt"]);
    assert!(token["refreshToken"].is_string());
    assert_eq!(token["startUrl"], START_URL);

    let py = common::require_botocore();
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    let refreshed = env.python(&py, "botocore_sso.py", &["token", "dev"]);
    assert_ne!(refreshed["accessToken"], token["accessToken"]);
    assert_eq!(env.emulator.calls(Op::CreateToken), 2, "botocore refreshed");
    let rewritten = env.read_json(&env.token_path("corp"));
    assert_eq!(rewritten["accessToken"], refreshed["accessToken"]);
    let creds = env.python(&py, "botocore_sso.py", &["credentials", "dev"]);
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
}

#[test]
fn each_flow_reuses_its_own_registration_only() {
    let env = Env::new();
    let browser = StandIn::start(&env, Behaviour::Follow);
    let b = browser.browser();
    assert_ok(&run(&mut login(&env, &["dev"], Some(&b))));
    assert_ok(&run(&mut login(&env, &["dev", "--force"], Some(&b))));
    assert_eq!(env.emulator.calls(Op::Authorize), 2);
    assert_eq!(env.emulator.calls(Op::RegisterClient), 1, "reused");

    // The device flow does not take a registration made for the browser flow...
    assert_ok(&run(&mut login(
        &env,
        &["dev", "--force", "--no-browser"],
        Some(&b),
    )));
    assert_eq!(env.emulator.calls(Op::RegisterClient), 2);
    assert!(registration(&env).get("grantTypes").is_none());
    // ...nor the other way round.
    assert_ok(&run(&mut login(&env, &["dev", "--force"], Some(&b))));
    assert_eq!(env.emulator.calls(Op::RegisterClient), 3);
    assert_eq!(
        registration(&env)["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
}

#[test]
fn a_callback_with_another_state_signs_nothing_in() {
    let env = Env::new();
    let browser = StandIn::start(&env, Behaviour::ForgeState);
    let out = run(&mut login(&env, &["dev"], Some(&browser.browser())));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("`state`"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run `ssoenv login --sso-session corp` again"),
        "{}",
        stderr(&out)
    );
    assert!(!env.token_path("corp").exists());
    assert_eq!(
        env.emulator.calls(Op::CreateToken),
        0,
        "the code was not redeemed"
    );
    let landing = browser.landing(1);
    assert_eq!(landing.status, 400);
    assert!(landing.body.contains("Sign-in failed"), "{}", landing.body);
}

#[test]
fn a_denied_sign_in_says_so_in_the_terminal_and_the_browser() {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Deny,
        ..Default::default()
    });
    let browser = StandIn::start(&env, Behaviour::Follow);
    let out = run(&mut login(&env, &["dev"], Some(&browser.browser())));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("denied in the browser (access_denied"),
        "{err}"
    );
    assert!(err.contains("ssoenv login --sso-session corp"), "{err}");
    assert!(!env.token_path("corp").exists());
    let landing = browser.landing(1);
    assert!(landing.body.contains("denied"), "{}", landing.body);
}

#[test]
fn a_browser_that_never_comes_back_times_out() {
    let env = Env::new();
    let started = Instant::now();
    let out = run(login(&env, &["dev"], Some("true")).env("SSOENV_LOGIN_TIMEOUT", "2"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("not completed in the browser within 2 seconds"),
        "{err}"
    );
    assert!(err.contains("--use-device-code"), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert!(!env.token_path("corp").exists());
    // The same from the flag.
    let out = run(&mut login(
        &env,
        &["dev", "--login-timeout", "1"],
        Some("true"),
    ));
    assert!(
        stderr(&out).contains("within 1 second;"),
        "{}",
        stderr(&out)
    );
}

/// Without BROWSER, where there is a display, the desktop's opener gets the
/// URL. One that stays in the foreground (xdg-open running the browser
/// itself, as it does without a desktop environment) must not keep ssoenv
/// from finishing once the sign-in is done.
#[test]
fn a_desktop_opener_that_stays_does_not_hold_the_sign_in() {
    let env = Env::new();
    let browser = StandIn::start(&env, Behaviour::Follow);
    let bin = env.home().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let pid_file = env.home().join("xdg-open.pid");
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\necho $$ > '{}'\necho \"$1\" >> '{}'\nexec sleep 120\n",
            pid_file.display(),
            browser.opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = login(&env, &["dev"], None)
        .env("DISPLAY", ":0")
        .env_remove("WAYLAND_DISPLAY")
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Bounded: the opener sleeps for two minutes.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("ssoenv login waited for the desktop's opener");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let pid = std::fs::read_to_string(&pid_file).unwrap_or_default();
    if let Ok(pid) = pid.trim().parse::<i32>() {
        // SAFETY: kill() with a process id; the opener is ours.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert_eq!(browser.opened().len(), 1, "the opener got the URL");
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 0, "{err}");
    assert!(env.token_path("corp").exists());
}

#[test]
fn a_browser_that_does_not_start_falls_back_to_a_code() {
    for (browser, why) in [
        (
            "/nonexistent/browser",
            "`/nonexistent/browser` did not start",
        ),
        ("false", "`false` failed"),
    ] {
        let env = Env::new();
        let out = run(&mut login(&env, &["dev"], Some(browser)));
        assert_ok(&out);
        let err = stderr(&out);
        assert!(err.contains("signing in with a code instead"), "{err}");
        assert!(err.contains(why), "{err}");
        assert!(err.contains("/device?user_code="), "{err}");
        assert!(err.contains("check that it shows the code"), "{err}");
        assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 1);
        assert!(env.token_path("corp").exists());
    }
}

#[test]
fn where_no_browser_can_come_back_the_device_flow_is_chosen_and_explained() {
    let env = Env::new();
    let out = run(&mut login(&env, &["dev"], None));
    assert_ok(&out);
    assert!(
        stderr(&out).contains("signing in with a code: there is no display"),
        "{}",
        stderr(&out)
    );

    let browser = StandIn::start(&env, Behaviour::Follow);
    let out = run(login(&env, &["dev", "--force"], Some(&browser.browser()))
        .env("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22"));
    assert_ok(&out);
    assert!(
        stderr(&out).contains("this is an SSH session (SSH_CONNECTION is set)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.emulator.calls(Op::Authorize), 0);

    // Legacy profiles always use the device flow, as the AWS CLI does.
    let out = run(&mut login(&env, &["legacy"], Some(&browser.browser())));
    assert_ok(&out);
    assert_eq!(env.emulator.calls(Op::Authorize), 0);
    assert!(env.token_path(START_URL).exists());
}

/// That the callback port closes is not checked here: once the process
/// has exited the kernel has closed it, whatever ssoenv did. What ssoenv
/// does is checked where it matters, in the process (callback.rs).
#[test]
fn ctrl_c_while_waiting_for_the_browser_leaves_nothing_behind() {
    let env = Env::new();
    // A browser that only notes the URL: the sign-in waits for it forever.
    let opened = env.home().join("opened-urls");
    let browser = format!("sh -c 'echo \"$1\" >> \"$0\"' {}", opened.display());
    let child = login(&env, &["dev"], Some(&browser))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupted while it waits for the browser, not before.
    wait_until("the browser to be opened", || {
        std::fs::read_to_string(&opened).is_ok_and(|urls| urls.ends_with('\n'))
    });
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.bounded_wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("sign-in cancelled"), "{err}");
    assert!(!env.token_path("corp").exists());
    assert_eq!(env.emulator.calls(Op::CreateToken), 0);
    no_temp_files_in(&env);
}

#[test]
fn two_concurrent_logins_make_one_authorization() {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Manual,
        ..Default::default()
    });
    let browser = StandIn::start(&env, Behaviour::Follow);
    let spawn = || -> Child {
        login(&env, &["dev"], Some(&browser.browser()))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn();
    wait_until("the first browser visit", || {
        env.emulator.calls(Op::Authorize) == 1
    });
    let second = spawn();
    std::thread::sleep(Duration::from_millis(500));
    env.emulator.approve_all();
    let (a, b) = (
        first.bounded_wait_with_output().unwrap(),
        second.bounded_wait_with_output().unwrap(),
    );
    assert_ok(&a);
    assert_ok(&b);
    assert!(
        stderr(&b).contains("another ssoenv process"),
        "{}",
        stderr(&b)
    );
    assert_eq!(browser.opened().len(), 1, "one browser");
    assert_eq!(env.emulator.calls(Op::Authorize), 1, "one approval");
    assert_eq!(env.emulator.calls(Op::CreateToken), 1);
}

#[test]
fn login_with_a_valid_token_opens_nothing_and_force_does() {
    let env = Env::new();
    let browser = StandIn::start(&env, Behaviour::Follow);
    let b = browser.browser();
    assert_ok(&run(&mut login(&env, &["dev"], Some(&b))));
    let token = std::fs::read(env.token_path("corp")).unwrap();
    let calls = |env: &Env| {
        [Op::RegisterClient, Op::Authorize, Op::CreateToken].map(|op| env.emulator.calls(op))
    };
    let before = calls(&env);

    // Again, and with no argument at all (the config has one sso-session).
    for args in [&["dev"][..], &[]] {
        let out = run(&mut login(&env, args, Some(&b)));
        assert_ok(&out);
        assert!(
            stderr(&out).contains("signed in to sso-session corp until"),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    }
    assert_eq!(browser.opened().len(), 1, "nothing opened");
    assert_eq!(calls(&env), before);
    assert_eq!(std::fs::read(env.token_path("corp")).unwrap(), token);

    assert_ok(&run(&mut login(&env, &["dev", "--force"], Some(&b))));
    assert_eq!(browser.opened().len(), 2);
    assert_ne!(std::fs::read(env.token_path("corp")).unwrap(), token);
}

#[test]
fn login_without_arguments_finds_the_session() {
    let env = Env::new();
    // AWS_PROFILE first.
    let out = run(login(&env, &["--no-browser"], None).env("AWS_PROFILE", "legacy"));
    assert_ok(&out);
    assert!(env.token_path(START_URL).exists());
    assert!(!env.token_path("corp").exists());

    // Several sso-sessions and nothing to choose by: the commands to choose from.
    let two = format!(
        "{}\n[sso-session other]\nsso_start_url = https://d-1111111111.awsapps.com/start\nsso_region = us-east-1\n",
        std::fs::read_to_string(env.config_path()).unwrap()
    );
    env.write_config(&two);
    let out = run(&mut login(&env, &["--no-browser"], None));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("several sso-sessions"), "{err}");
    assert!(err.contains("ssoenv login --sso-session corp"), "{err}");
    assert!(err.contains("ssoenv login --sso-session other"), "{err}");

    // A `default` SSO profile decides.
    env.write_config(&format!(
        "{two}\n[profile default]\nsso_session = other\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
    ));
    assert_ok(&run(&mut login(&env, &["--no-browser"], None)));
    assert!(env.token_path("other").exists());
    assert!(!env.token_path("corp").exists());
}

/// A role profile chained after SSO (AWS_PROFILE, or `[default]`) is signed
/// in to through its chain's root, as `ssoenv login PROFILE` is.
#[test]
fn login_without_arguments_follows_a_role_profile_to_its_sign_in() {
    let env = Env::new();
    // A second sso-session, so that only the role profile can say which.
    let two = format!(
        "{}\n[sso-session other]\nsso_start_url = https://d-1111111111.awsapps.com/start\nsso_region = us-east-1\n",
        common::config()
    );
    env.write_config(&two);
    let out = run(login(&env, &["--no-browser"], None).env("AWS_PROFILE", "deploy"));
    assert_ok(&out);
    assert!(
        stderr(&out).contains("signed in to sso-session corp until"),
        "{}",
        stderr(&out)
    );
    assert!(env.token_path("corp").exists());
    assert!(!env.token_path("other").exists());

    std::fs::remove_file(env.token_path("corp")).unwrap();
    env.write_config(&format!(
        "{two}\n[default]\nrole_arn = {}\nsource_profile = dev\n",
        ssoenv::emulator::sample::DEPLOY_ROLE
    ));
    let out = run(&mut login(&env, &["--no-browser"], None));
    assert_ok(&out);
    assert!(
        stderr(&out).contains("signed in to sso-session corp until"),
        "{}",
        stderr(&out)
    );
    assert!(env.token_path("corp").exists());
    assert!(!env.token_path("other").exists());
}

/// The command a "sign-in required" message names, run as the user would.
fn hinted_command(message: &str) -> Vec<String> {
    let hint = message
        .split('`')
        .find(|part| part.starts_with("ssoenv login"))
        .unwrap_or_else(|| panic!("no `ssoenv login` in {message}"));
    hint.split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect()
}

#[test]
fn sign_in_hints_name_commands_that_work() {
    let env = Env::new();
    // The test config has no `default` profile: `ssoenv login` alone must
    // not be what the hint says unless it works.
    // status gives its hint once, in its report on stdout.
    let out = env.run(&["status"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(stderr(&out), "", "no second hint on stderr");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        stdout.contains("not signed in; run `ssoenv login --sso-session corp`"),
        "{stdout}"
    );
    let mut args = hinted_command(&stdout);
    args.push("--no-browser".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_ok(&run(&mut login(&env, &args[1..], None)));
    assert!(env.ok(&["status"]).contains("signed in"));

    // A legacy-only config: the hint names a profile.
    env.write_config(&format!(
        "[profile old]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = r\n"
    ));
    let out = env.run(&["status"]);
    assert_eq!(out.status.code(), Some(3));
    let mut args = hinted_command(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(args, vec!["login", "old"]);
    args.push("--no-browser".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_ok(&run(&mut login(&env, &args[1..], None)));
}

/// A pseudo-terminal for stderr; returns the master and the slave.
fn pty() -> (std::fs::File, OwnedFd) {
    // SAFETY: plain libc calls on descriptors we own.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
        assert!(m >= 0, "posix_openpt: {}", std::io::Error::last_os_error());
        let master = std::fs::File::from_raw_fd(m);
        assert_eq!(libc::grantpt(m), 0);
        assert_eq!(libc::unlockpt(m), 0);
        let mut name = [0 as libc::c_char; 256];
        assert_eq!(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), 0);
        let s = libc::open(
            name.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        );
        assert!(s >= 0, "open pty: {}", std::io::Error::last_os_error());
        (master, OwnedFd::from_raw_fd(s))
    }
}

/// Everything `ssoenv login --no-browser` writes to a terminal on stderr
/// while a manual approval waits about two seconds.
fn terminal_transcript(no_color: bool) -> String {
    let env = Env::with(EmulatorConfig {
        approval: Approval::Manual,
        ..Default::default()
    });
    let (mut master, slave) = pty();
    let mut cmd = login(&env, &["dev", "--no-browser"], None);
    cmd.env("TERM", "xterm").stderr(Stdio::from(slave));
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let child = cmd.spawn().unwrap();
    drop(cmd); // our copy of the slave: the master reads EOF when the child exits
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = master.read_to_end(&mut out); // ends with EIO once the slave is closed
        String::from_utf8_lossy(&out).into_owned()
    });
    std::thread::sleep(Duration::from_millis(2500));
    env.emulator.approve_all();
    let out = child.bounded_wait_with_output().unwrap();
    assert!(out.status.success());
    reader.join().unwrap()
}

#[test]
fn a_terminal_shows_one_live_line_while_waiting() {
    let live = terminal_transcript(false);
    assert!(
        live.contains("\r\x1b[Kssoenv: waiting for approval… 10:00 left, Ctrl-C to cancel"),
        "{live:?}"
    );
    assert!(
        live.contains("9:58 left") || live.contains("9:59 left"),
        "{live:?}"
    );
    assert!(!live.contains("still waiting"), "{live:?}");
    assert!(live.contains("signed in to sso-session corp"), "{live:?}");

    let plain = terminal_transcript(true);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        plain.contains("ssoenv: waiting for approval (10:00 left, Ctrl-C to cancel)"),
        "{plain:?}"
    );
}

#[test]
fn a_terminal_picks_one_of_several_sessions() {
    let env = Env::new();
    env.write_config(&format!(
        "{}\n[sso-session other]\nsso_start_url = https://d-1111111111.awsapps.com/start\nsso_region = us-east-1\n",
        std::fs::read_to_string(env.config_path()).unwrap()
    ));
    let (mut master, slave) = pty();
    let mut cmd = login(&env, &["--no-browser"], None);
    cmd.env("TERM", "dumb")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let child = cmd.spawn().unwrap();
    drop(cmd);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("number or name:") {
        let n = master.read(&mut buf).unwrap();
        assert!(n > 0, "no picker: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let shown = String::from_utf8_lossy(&seen).into_owned();
    assert!(
        shown.contains("1) corp (") && shown.contains("2) other ("),
        "{shown}"
    );
    std::io::Write::write_all(&mut master, b"2\n").unwrap();
    let reader = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = master.read_to_string(&mut rest);
        rest
    });
    let out = child.bounded_wait_with_output().unwrap();
    let rest = reader.join().unwrap();
    assert!(out.status.success(), "{rest}");
    assert!(rest.contains("signed in to sso-session other"), "{rest}");
    assert!(env.token_path("other").exists());
    assert!(!env.token_path("corp").exists());
}

#[test]
fn a_browser_that_comes_back_at_once_finds_the_listener() {
    // A browser already signed in redirects before its launcher even
    // returns: here the BROWSER program itself (Python's urllib, an
    // independent HTTP client) follows the redirect to the callback.
    let py = common::require_botocore();
    let env = Env::new();
    let script = env.home().join("browser.py");
    let page = env.home().join("landing.html");
    std::fs::write(
        &script,
        format!(
            "import sys, urllib.request\n\
             body = urllib.request.urlopen(sys.argv[1]).read().decode()\n\
             open({:?}, 'w').write(body)\n",
            page.display().to_string()
        ),
    )
    .unwrap();
    let browser = format!("{} {} %s", py.display(), script.display());
    let out = run(&mut login(&env, &["dev"], Some(&browser)));
    assert_ok(&out);
    assert_eq!(env.emulator.calls(Op::StartDeviceAuthorization), 0);
    // Written once the browser has the whole page, just after ssoenv sent it.
    wait_until("the landing page", || {
        std::fs::read_to_string(&page).is_ok_and(|p| p.contains("</html>"))
    });
    let landing = std::fs::read_to_string(&page).unwrap();
    assert!(
        landing.contains("Signed in to sso-session corp"),
        "{landing}"
    );
}

#[test]
fn after_the_session_ends_at_identity_center_the_hint_signs_in_again() {
    let env = Env::new();
    let browser = StandIn::start(&env, Behaviour::Follow);
    let b = browser.browser();
    assert_ok(&run(&mut login(&env, &["dev"], Some(&b))));
    // The cached token still has hours left, but the portal rejects it.
    env.emulator.revoke_sessions();
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let args = hinted_command(&stderr(&out));
    assert_eq!(args, ["login", "--sso-session", "corp", "--force"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_ok(&run(&mut login(&env, &args[1..], Some(&b))));
    assert_eq!(env.emulator.calls(Op::Authorize), 2);
    env.credentials("dev");
}
