//! Whatever the umask, everything ssoenv creates is the user's alone:
//! directories 0700, files 0600. Every command here runs under `umask 000`,
//! where a directory or file created with the default modes would be
//! world-writable.
#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::bounded::BoundedCommand;
use common::{Env, stderr};

fn under_umask_000(mut cmd: Command) -> Command {
    // SAFETY: umask is async-signal-safe and cannot fail.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        })
    };
    cmd
}

fn ok(env: &Env, args: &[&str]) {
    let out = under_umask_000(env.cmd(args)).bounded_output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

fn walk(dir: &Path) -> BTreeSet<PathBuf> {
    let mut all = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.extend(walk(&path));
        }
        all.insert(path);
    }
    all
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn every_file_and_directory_ssoenv_creates_is_private() {
    let env = Env::new();
    let proj = env.home().join("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::write(proj.join(".ssoenv"), "profile = dev\n").unwrap();
    let before = walk(env.home());

    // The token and registration caches, the CLI cache, locks, the
    // credentials file, the trust records.
    ok(&env, &["login", "--sso-session", "corp", "--no-browser"]);
    ok(&env, &["export", "dev"]);
    ok(&env, &["write-credentials", "prod"]);
    ok(&env, &["allow", "proj"]);

    let created: Vec<PathBuf> = walk(env.home()).difference(&before).cloned().collect();
    for wanted in [".aws/sso/cache", ".aws/cli/cache", ".aws/credentials"] {
        assert!(
            created.contains(&env.home().join(wanted)),
            "{wanted} not among {created:?}"
        );
    }
    for path in &created {
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(path), expected, "{:o} {}", mode(path), path.display());
    }
}

/// Another local user able to write to the sandbox's HOME could plant a
/// .zshenv or config.fish there that the subshell would run as the victim.
#[test]
fn the_sandbox_home_is_private() {
    let env = Env::new();
    // The "shell": reports the modes of the HOME it was given and of
    // everything in it.
    let shell = env.home().join("report-modes");
    std::fs::write(&shell, "#!/bin/sh\nfind \"$HOME\" -printf '%m %y %p\\n'\n").unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut cmd = env.cmd(&["sandbox", "--shell"]);
    cmd.arg(&shell)
        .env_remove("AWS_ENDPOINT_URL_SSO")
        .env_remove("AWS_ENDPOINT_URL_SSO_OIDC");
    let out = under_umask_000(cmd).bounded_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8(out.stdout).unwrap();
    let modes: Vec<Vec<&str>> = report.lines().map(|l| l.splitn(3, ' ').collect()).collect();
    assert!(modes[0][2].contains("ssoenv-sandbox-"), "{report}");
    assert_eq!(modes[0][..2], ["700", "d"], "{report}");
    for entry in &modes {
        let private = if entry[1] == "d" { "700" } else { "600" };
        assert_eq!(entry[0], private, "{}\n{report}", entry[2]);
    }
}
