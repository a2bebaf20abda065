//! `ssoenv hook` run directly, as the shell integration runs it: what it
//! decides from the directory, the trust records and the clock.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::bounded::BoundedCommand;
use common::{Env, stderr};
use ssoenv::emulator::{Fault, Op};

fn hook(env: &Env, cwd: &Path, vars: &[(&str, &str)]) -> Output {
    let mut cmd = env.cmd(&["hook", "bash"]);
    cmd.current_dir(cwd)
        .env("PWD", cwd)
        .env("XDG_DATA_HOME", env.home().join("data"));
    cmd.envs(vars.iter().copied());
    cmd.bounded_output().unwrap()
}

/// `ssoenv allow DIR` or `ssoenv deny DIR`, run from `cwd`.
fn trust(env: &Env, verb: &str, cwd: &Path, dir: &str) {
    let out = env
        .cmd(&[verb, dir])
        .current_dir(cwd)
        .env("PWD", cwd)
        .env("XDG_DATA_HOME", env.home().join("data"))
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn tree(env: &Env) -> std::path::PathBuf {
    let proj = env.home().join("proj");
    std::fs::create_dir_all(proj.join("sub")).unwrap();
    std::fs::create_dir_all(env.home().join("other")).unwrap();
    std::fs::write(proj.join(".ssoenv"), "profile = prod\n").unwrap();
    proj
}

#[test]
fn allow_resolves_dot_dot_like_cd() {
    let env = Env::new();
    env.login();
    let proj = tree(&env);
    trust(&env, "allow", &env.home().join("other"), "../proj");
    let out = hook(&env, &proj.join("sub"), &[]);
    let code = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        code.contains("export SSOENV_PROFILE='prod'"),
        "{code}{}",
        stderr(&out)
    );
}

#[test]
fn a_stale_pwd_does_not_move_the_hook() {
    // PowerShell never updates PWD for the programs it starts; the current
    // directory is what counts when they disagree.
    let env = Env::new();
    env.login();
    let proj = tree(&env);
    trust(&env, "allow", &proj, ".");
    let mut cmd = env.cmd(&["hook", "powershell"]);
    cmd.current_dir(&proj)
        .env("PWD", env.home().join("other"))
        .env("XDG_DATA_HOME", env.home().join("data"));
    let out = cmd.bounded_output().unwrap();
    let code = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        code.contains("$Env:SSOENV_PROFILE = 'prod'"),
        "{code}{}",
        stderr(&out)
    );
}

#[test]
fn deny_or_an_edit_takes_effect_inside_the_applied_tree() {
    let env = Env::new();
    env.login();
    let proj = tree(&env);
    trust(&env, "allow", &proj, ".");
    let applied = String::from_utf8(hook(&env, &proj, &[]).stdout).unwrap();
    let key = applied
        .lines()
        .find_map(|l| l.strip_prefix("export SSOENV_DIR_KEY="))
        .unwrap()
        .trim_matches('\'')
        .to_string();
    let inside = [
        ("SSOENV_PROFILE", "prod"),
        ("SSOENV_DIR", proj.to_str().unwrap()),
        ("SSOENV_DIR_KEY", key.as_str()),
    ];
    // Unchanged: nothing to do.
    let out = hook(&env, &proj.join("sub"), &inside);
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Edited to another profile (and allowed again): switched in place.
    std::fs::write(proj.join(".ssoenv"), "profile = dev\n").unwrap();
    trust(&env, "allow", &proj, ".");
    let code = String::from_utf8(hook(&env, &proj.join("sub"), &inside).stdout).unwrap();
    assert!(code.contains("export SSOENV_PROFILE='dev'"), "{code}");
    assert!(
        code.contains("if [ -z \"${__ssoenv_dir_restore+set}\" ]; then __ssoenv_dir_restore="),
        "the pre-tree state is kept, not saved again over it:\n{code}"
    );
    // Denied: the tree's profile is left at once.
    trust(&env, "deny", &proj, ".");
    let out = hook(&env, &proj.join("sub"), &inside);
    let code = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        code.contains("__ssoenv_dir_restore") && code.contains("unset -v SSOENV_DIR"),
        "{code}"
    );
    assert_eq!(
        stderr(&out),
        format!(
            "ssoenv: {} no longer selects a profile: back to the environment from before it\n",
            proj.display()
        )
    );
}

#[test]
fn a_slow_renewal_never_holds_the_prompt() {
    let env = Env::new();
    env.login();
    env.emulator.inject(Op::GetRoleCredentials, Fault::Hang, 10);
    let started = Instant::now();
    let out = hook(
        &env,
        env.home(),
        &[
            ("SSOENV_PROFILE", "dev"),
            ("SSOENV_RENEW_AT", "1"),
            ("SSOENV_TIMEOUT", "30"),
        ],
    );
    // The prompt's own limit (1.5 s) ends the wait, not SSOENV_TIMEOUT's
    // 30 s; halfway between keeps a loaded machine from failing this.
    let took = started.elapsed();
    assert!(took < Duration::from_secs(15), "the prompt waited {took:?}");
    let code = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        code.contains("export SSOENV_RENEW_AT="),
        "retry scheduled: {code}"
    );
    assert!(stderr(&out).contains("retrying later"), "{}", stderr(&out));
}

#[test]
fn nothing_to_do_prints_nothing() {
    let env = Env::new();
    // No session, no config needed: it decides before reading anything.
    std::fs::remove_file(env.config_path()).unwrap();
    let out = hook(
        &env,
        env.home(),
        &[
            ("SSOENV_PROFILE", "dev"),
            ("SSOENV_RENEW_AT", "99999999999"),
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn renewal_goes_on_inside_a_tree_that_is_not_applied() {
    let env = Env::new();
    env.login();
    let proj = tree(&env);
    trust(&env, "deny", &proj, ".");
    let out = hook(
        &env,
        &proj,
        &[("SSOENV_PROFILE", "dev"), ("SSOENV_RENEW_AT", "1")],
    );
    let code = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        code.contains("export AWS_ACCESS_KEY_ID='ASIA"),
        "renewed: {code}{}",
        stderr(&out)
    );
    assert!(
        !code.contains("SSOENV_DIR="),
        "the denied tree is not applied: {code}"
    );
}

/// Whether the hook, entering `dir` from outside, applies `profile`.
fn applies(env: &Env, dir: &Path, profile: &str) -> bool {
    let out = hook(env, dir, &[]);
    String::from_utf8_lossy(&out.stdout).contains(&format!("export SSOENV_PROFILE='{profile}'"))
}

#[test]
fn allowing_a_new_content_revokes_the_old_one() {
    let env = Env::new();
    env.login();
    let proj = tree(&env);
    trust(&env, "allow", &proj, ".");
    assert!(applies(&env, &proj, "prod"));
    std::fs::write(proj.join(".ssoenv"), "profile = dev\n").unwrap();
    trust(&env, "allow", &proj, ".");
    assert!(applies(&env, &proj, "dev"));
    // The content allowed first, written back, is not trusted again.
    std::fs::write(proj.join(".ssoenv"), "profile = prod\n").unwrap();
    assert!(!applies(&env, &proj, "prod"));
    let out = hook(&env, &proj, &[]);
    assert!(stderr(&out).contains("ssoenv allow"), "{}", stderr(&out));
}

/// A file that someone else can change, itself or by replacing it through a
/// directory above it, could have changed since it was allowed.
#[cfg(unix)] // modes
#[test]
fn a_file_others_can_change_is_not_trusted() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.login();
    let proj = tree(&env);
    let file = proj.join(".ssoenv");
    let chmod = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    trust(&env, "allow", &proj, ".");
    assert!(applies(&env, &proj.join("sub"), "prod"));

    // Anyone can write the file, or the directory it is in, or one above.
    for (path, mode, back) in [
        (&file, 0o646, 0o644),
        (&proj, 0o777, 0o755),
        (&env.home().to_path_buf(), 0o757, 0o700),
    ] {
        chmod(path, mode);
        assert!(
            !applies(&env, &proj.join("sub"), "prod"),
            "{}",
            path.display()
        );
        let out = env
            .cmd(&["allow", "."])
            .current_dir(&proj)
            .env("PWD", &proj)
            .env("XDG_DATA_HOME", env.home().join("data"))
            .bounded_output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", path.display());
        assert!(
            stderr(&out).contains(&format!("{}: anyone can write to it", path.display())),
            "{}",
            stderr(&out)
        );
        chmod(path, back);
        assert!(
            applies(&env, &proj.join("sub"), "prod"),
            "{}",
            path.display()
        );
    }
}
