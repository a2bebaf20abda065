//! A disk with no room for the caches. The sign-in a command holds is not
//! lost to it: a refreshed token that cannot be saved still serves the
//! command, the file on disk stays as it was, and the user is told plainly
//! what that means and what to do.

#![cfg(unix)] // a full disk made with RLIMIT_FSIZE

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::bounded::BoundedCommand;
use common::{Env, exit, stderr};
use ssoenv::emulator::{EmulatorConfig, Op};

/// Run with no room for any file: the kernel fails every write to a regular
/// file (RLIMIT_FSIZE of 0; SIGXFSZ ignored, so the write returns EFBIG as a
/// full disk returns ENOSPC). Creating, renaming and removing files still
/// work, as they often do on a full disk.
fn without_room(cmd: &mut Command) -> Output {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let mut limit = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            limit.rlim_cur = 0;
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.bounded_output().unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_refresh_that_cannot_be_saved_still_serves_the_command() {
    // Ten-minute tokens are inside the refresh window; the refreshed one lives
    // eight hours.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(600),
        ..Default::default()
    });
    env.login();
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    let token = env.token_path("corp");
    let saved = std::fs::read(&token).unwrap();
    let cache_dir = token.parent().unwrap();
    let cached = files_in(cache_dir);
    let refreshes = env.emulator.calls(Op::CreateToken);

    let out = without_room(&mut env.cmd(&["export", "dev", "--format", "json"]));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        env.emulator.calls(Op::CreateToken),
        refreshes + 1,
        "refreshed"
    );
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"),
        "{creds}"
    );
    assert!(
        err.contains(
            "warning: the refreshed sign-in to sso-session corp could not be saved (cannot write "
        ) && err.contains("File too large"),
        "{err}"
    );
    assert!(
        err.contains("the server has replaced the refresh token")
            && err.contains("make room, then run `ssoenv login --sso-session corp`"),
        "{err}"
    );
    assert!(
        err.contains("the credentials for profile dev could not be cached"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&token).unwrap(),
        saved,
        "the old file is intact"
    );
    assert_eq!(files_in(cache_dir), cached, "no temporary file left behind");

    // With room again, it is as the warning said: the saved refresh token was
    // retired, and a sign-in brings everything back.
    let out = env.run(&["export", "dev", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(exit::LOGIN_REQUIRED),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("ssoenv login --sso-session corp"));
    env.login();
    env.credentials("dev");
}
