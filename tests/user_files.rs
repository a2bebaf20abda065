//! The user's own files that ssoenv edits (`~/.aws/credentials` by
//! `write-credentials`, `~/.aws/config` by `populate`) when they are
//! reached through symbolic links: one lock for one file however it is
//! named, and no link planted by another user followed.

#![cfg(unix)] // symbolic links, their owners and file modes

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt, lchown, symlink};
use std::path::Path;

use common::bounded::BoundedCommand;
use common::exit::ERROR;
use common::{Env, stderr};

/// Any uid but the test's own and root's: `nobody`.
const OTHER_USER: u32 = 65534;

/// A link at `link` to `target`, owned by [`OTHER_USER`]: what another user
/// plants in a directory both can write to.
fn plant_link(target: &str, link: &Path) {
    symlink(target, link).unwrap();
    if let Err(e) = lchown(link, Some(OTHER_USER), Some(OTHER_USER)) {
        panic!(
            "cannot give a link to another user ({e}), so this test cannot run: run the \
             tests as root (as .ci/run does), or leave it out with \
             `cargo test -- --skip another_user`"
        );
    }
}

/// Writers of one file through a link and through its real path, each many
/// times at once: every section each of them wrote is there at the end. A
/// lock taken on the path as spelled lets the two sides overwrite each other.
#[test]
fn writers_through_a_link_and_the_real_path_lose_nothing() {
    const ROUNDS: usize = 25;
    let env = Env::new();
    env.login();
    let real = env.home().join("dotfiles/aws/credentials");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, "[kept]\nx = 1\n").unwrap();
    // As stow links it: relative, through the parent directory.
    symlink(
        "../dotfiles/aws/credentials",
        env.home().join(".aws/credentials"),
    )
    .unwrap();
    // Warm the credentials cache, so the rounds are all file updates.
    env.ok(&["write-credentials", "dev", "--as", "warm"]);
    std::thread::scope(|s| {
        s.spawn(|| write_sections(&env, "link", ROUNDS, None));
        s.spawn(|| write_sections(&env, "real", ROUNDS, Some(&real)));
    });
    assert!(
        env.home().join(".aws/credentials").is_symlink(),
        "the link stays a link"
    );
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.starts_with("[kept]\nx = 1\n"), "{text}");
    let missing: Vec<String> = ["link", "real"]
        .iter()
        .flat_map(|side| (0..ROUNDS).map(move |n| format!("{side}{n}")))
        .filter(|s| !text.contains(&format!("\n[{s}]\n")))
        .collect();
    assert!(missing.is_empty(), "lost {missing:?}");
}

/// In a directory others can write to, a link another user planted is not
/// followed, directly or behind a link of the user's own: the file it
/// points at keeps its content and mode.
#[test]
fn a_link_of_another_user_is_not_followed() {
    let env = Env::new();
    env.login();
    let shared = env.home().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let precious = env.home().join(".bashrc");
    std::fs::write(&precious, "# mine\n").unwrap();
    std::fs::set_permissions(&precious, std::fs::Permissions::from_mode(0o644)).unwrap();
    plant_link("../.bashrc", &shared.join("credentials"));
    symlink("shared/credentials", env.home().join("my-link")).unwrap();
    for file in [shared.join("credentials"), env.home().join("my-link")] {
        let out = env
            .cmd(&["write-credentials", "dev"])
            .env("AWS_SHARED_CREDENTIALS_FILE", &file)
            .bounded_output()
            .unwrap();
        assert_eq!(out.status.code(), Some(ERROR), "{}", stderr(&out));
        let shared_link = shared.join("credentials");
        assert!(
            stderr(&out).contains(&format!(
                "{} is a symbolic link that belongs to another user",
                shared_link.display()
            )),
            "{}",
            stderr(&out)
        );
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "# mine\n");
        let meta = std::fs::metadata(&precious).unwrap();
        assert_eq!(meta.mode() & 0o7777, 0o644);
        assert_eq!(
            std::fs::symlink_metadata(&shared_link).unwrap().uid(),
            OTHER_USER,
            "the link is left alone"
        );
    }
}

/// `populate` edits the file a linked config points at, keeping the link
/// and the file's mode, and refuses a link of another user before reading
/// through it.
#[test]
fn populate_through_links() {
    let env = Env::new();
    env.login();
    let real = env.home().join("dotfiles/aws/config");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::rename(env.config_path(), &real).unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    symlink("../dotfiles/aws/config", env.config_path()).unwrap();
    env.ok(&["populate"]);
    assert!(env.config_path().is_symlink(), "the link stays a link");
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.starts_with(&common::config()), "{text}");
    assert!(text.contains("[profile dev.Admin]\n"), "{text}");
    assert_eq!(std::fs::metadata(&real).unwrap().mode() & 0o7777, 0o644);

    let shared = env.home().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    plant_link("../dotfiles/aws/config", &shared.join("config"));
    let out = env
        .cmd(&[
            "populate",
            "--prune",
            "--template",
            "{account_id}.{role_name}",
        ])
        .env("AWS_CONFIG_FILE", shared.join("config"))
        .bounded_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(ERROR), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is a symbolic link that belongs to another user"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), text);
}

/// `write-credentials dev --as NAME0`, `NAME1`, … one after the other, into
/// `file` (default: the default credentials file).
fn write_sections(env: &Env, name: &str, rounds: usize, file: Option<&Path>) {
    for n in 0..rounds {
        let section = format!("{name}{n}");
        let mut cmd = env.cmd(&["write-credentials", "dev", "--as", &section]);
        if let Some(file) = file {
            cmd.env("AWS_SHARED_CREDENTIALS_FILE", file);
        }
        let out = cmd.bounded_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
