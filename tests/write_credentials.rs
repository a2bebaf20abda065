//! `write-credentials` end to end: the real binary, the emulator, and
//! credentials files that people (and other tools) have been editing.

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Instant;

use common::bounded::{BoundedChild, BoundedCommand};
use common::exit::{ERROR, LOGIN_REQUIRED};
use common::{Env, stderr};
use ssoenv::emulator::Op;

/// What comes before the section ssoenv writes: comments holding brackets
/// and `=`, odd spacing, `:` as delimiter, duplicate keys, a header with a
/// trailing comment, an unknown key, blank lines.
const BEFORE: &str = "# keys for [default] = the old IAM user; see [wiki]\n\
    ; [dev] = also a comment\n\
    [default]\n\
    aws_access_key_id=AKIAIOSFODNN7EXAMPLE\n\
    aws_secret_access_key =    wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY  \n\
    region: eu-central-1\n\
    region = us-east-1\n\
    \n\
    \n\
    [ci]   ; pipeline\n\
    aws_access_key_id = AKIAI44QH8DHBEXAMPLE\n\
    aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n\
    unknown_tool_key = 1\n\
    \n";

/// The section as the seed's `aws configure set` script left it.
const SEEDED_DEV: &str = "[dev]\n\
    aws_access_key_id = ASIAOLDOLDOLDOLDOLD1\n\
    aws_secret_access_key = old\n\
    aws_session_token = old\n";

/// And after it: a comment that belongs to the next profile, a tab-indented
/// key (a continuation line to configparser), duplicate keys.
const AFTER: &str = "\n\
    # staging below = [staging]\n\
    [staging]\n\
    aws_access_key_id = AKIAJ7EXAMPLEEXAMPLE\n\
    \tcontinued = value\n\
    x = 1\n\
    x = 2\n";

#[derive(Clone, Copy, Debug)]
struct Style {
    crlf: bool,
    final_newline: bool,
}

impl Style {
    const ALL: [Style; 4] = [
        Style {
            crlf: false,
            final_newline: true,
        },
        Style {
            crlf: true,
            final_newline: true,
        },
        Style {
            crlf: false,
            final_newline: false,
        },
        Style {
            crlf: true,
            final_newline: false,
        },
    ];

    /// `text` (written with `\n`) in this style. Only the file's very end
    /// loses its newline.
    fn apply(self, text: &str, at_end: bool) -> String {
        let mut text = text.to_string();
        if at_end && !self.final_newline {
            text.pop();
        }
        match self.crlf {
            true => text.replace('\n', "\r\n"),
            false => text,
        }
    }
}

fn credentials_path(env: &Env) -> PathBuf {
    env.home().join(".aws/credentials")
}

fn read(env: &Env) -> String {
    String::from_utf8(std::fs::read(credentials_path(env)).unwrap()).unwrap()
}

fn write(env: &Env, text: &str) {
    std::fs::write(credentials_path(env), text).unwrap();
}

/// The section ssoenv writes for `creds` (from `export --format json`);
/// `marker` is `true` for a section it created, `keys` for one it took over.
fn section(name: &str, creds: &serde_json::Value, marker: &str, eol: &str) -> String {
    let v = |k: &str| creds[k].as_str().unwrap().to_string();
    [
        format!("[{name}]"),
        format!("aws_access_key_id = {}", v("AccessKeyId")),
        format!("aws_secret_access_key = {}", v("SecretAccessKey")),
        format!("aws_session_token = {}", v("SessionToken")),
        format!("expiration = {}", v("Expiration")),
        format!("x_security_token_expires = {}", v("Expiration")),
        format!("ssoenv_managed = {marker}"),
    ]
    .map(|l| l + eol)
    .concat()
}

#[test]
fn every_byte_outside_the_written_section_stays() {
    let env = Env::new();
    env.login();
    for style in Style::ALL {
        let before = style.apply(BEFORE, false);
        let after = style.apply(AFTER, true);
        let eol = if style.crlf { "\r\n" } else { "\n" };
        let original = format!("{before}{}{after}", style.apply(SEEDED_DEV, false));
        write(&env, &original);

        // The seed's section is taken over in place.
        env.ok(&["write-credentials", "dev"]);
        let creds = env.credentials("dev");
        let updated = format!("{before}{}{after}", section("dev", &creds, "keys", eol));
        assert_eq!(read(&env), updated, "{style:?}");

        // A new section goes at the end, in the file's style, and --clean
        // takes exactly it away again.
        env.ok(&["write-credentials", "prod"]);
        let prod = section("prod", &env.credentials("prod"), "true", eol);
        let expected = match style.final_newline {
            true => format!("{updated}{prod}"),
            false => format!("{updated}{eol}{}", prod.strip_suffix(eol).unwrap()),
        };
        assert_eq!(read(&env), expected, "{style:?}");
        env.ok(&["write-credentials", "--clean", "prod"]);
        assert_eq!(read(&env), updated, "{style:?}");
        env.ok(&["write-credentials", "--clean", "--all"]);
        assert_eq!(read(&env), format!("{before}{after}"), "{style:?}");
    }
}

/// A file others could read holds secrets once written: it becomes 0600.
#[cfg(unix)] // file modes
#[test]
fn a_credentials_file_others_could_read_becomes_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.login();
    write(&env, BEFORE);
    let mode = || {
        std::fs::metadata(credentials_path(&env))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    std::fs::set_permissions(credentials_path(&env), PermissionsExt::from_mode(0o644)).unwrap();
    env.ok(&["write-credentials", "dev"]);
    assert_eq!(mode(), 0o600);
}

#[test]
fn a_one_megabyte_file_is_edited_in_place_quickly() {
    let env = Env::new();
    env.login();
    let block = |n: usize| {
        format!(
            "# user {n} = [user-{n}]\n[user-{n}]\naws_access_key_id = AKIA{n:016}\n\
             aws_secret_access_key = {}\n\n",
            "x".repeat(40)
        )
    };
    let (mut head, mut tail) = (String::new(), String::new());
    let mut n = 0;
    while head.len() < 512 * 1024 {
        head.push_str(&block(n));
        n += 1;
    }
    while tail.len() < 512 * 1024 {
        tail.push_str(&block(n));
        n += 1;
    }
    tail.truncate(tail.len() - 2); // no final newline, for good measure
    write(&env, &format!("{head}{SEEDED_DEV}{tail}"));
    let started = Instant::now();
    env.ok(&["write-credentials", "dev"]);
    let took = started.elapsed();
    let text = read(&env);
    assert!(text.len() > 1024 * 1024);
    assert!(text.starts_with(&head));
    assert!(text.ends_with(&format!("\n{tail}")));
    assert!(text.contains(&section("dev", &env.credentials("dev"), "keys", "\n")));
    assert!(took.as_secs() < 2, "took {took:?}");
}

#[test]
fn ten_processes_writing_at_once_lose_nothing() {
    let env = Env::new();
    let mut config = common::config();
    for n in 0..10 {
        config.push_str(&format!(
            "\n[profile p{n}]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = {}\n",
            if n % 2 == 0 { "Admin" } else { "ReadOnly" }
        ));
    }
    env.write_config(&config);
    env.login();
    write(&env, BEFORE);
    let children: Vec<_> = (0..10)
        .map(|n| {
            env.cmd(&["write-credentials", &format!("p{n}")])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.bounded_wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let text = read(&env);
    assert!(text.starts_with(BEFORE));
    for n in 0..10 {
        assert_eq!(
            text.matches(&format!("\n[p{n}]\n")).count(),
            1,
            "p{n} in {text}"
        );
    }
    assert_eq!(text.matches("ssoenv_managed = true\n").count(), 10);
    // Two roles, one fetch each: the processes shared the cached credentials.
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 2);
}

#[test]
fn long_term_keys_are_not_replaced_without_force() {
    let env = Env::new();
    env.login();
    write(&env, BEFORE);
    let out = env.run(&["write-credentials", "dev", "--as", "default"]);
    assert_eq!(out.status.code(), Some(ERROR));
    let err = stderr(&out);
    assert!(
        err.contains("[default] holds long-term access keys"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    let file = std::path::Path::new(".aws").join("credentials");
    assert!(err.contains(&*file.to_string_lossy()), "{err}");
    assert_eq!(read(&env), BEFORE);

    env.ok(&["write-credentials", "dev", "--as", "default", "--force"]);
    let text = read(&env);
    let creds = env.credentials("dev");
    let key = format!(
        "aws_access_key_id={}\n",
        creds["AccessKeyId"].as_str().unwrap()
    );
    assert!(
        text.contains(&key),
        "the key line keeps its spacing: {text}"
    );
    assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"));
    assert!(text.contains("[ci]   ; pipeline\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\n"));
    // Now it is ssoenv's, and is rewritten without --force.
    env.ok(&["write-credentials", "prod", "--as", "default"]);
}

#[test]
fn all_writes_every_profile_even_when_some_fail() {
    let env = Env::new();
    // Nobody signed in: every failure asks for a sign-in, so exit code 3.
    let out = env.run(&["write-credentials", "--all"]);
    assert_eq!(out.status.code(), Some(LOGIN_REQUIRED), "{}", stderr(&out));

    // Signed in to corp only: the sample profiles (deploy, chained after dev,
    // among them) are written, legacy needs its own sign-in, and denied has
    // no access to its role.
    env.login();
    write(&env, BEFORE);
    let out = env.run(&["write-credentials", "--all"]);
    assert_eq!(out.status.code(), Some(ERROR), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wrote 4 of 6 profiles"), "{err}");
    let line = |profile: &str| {
        err.lines()
            .find(|l| l.trim_start().starts_with(&format!("{profile} ")))
            .unwrap_or_else(|| panic!("no line for {profile}: {err}"))
            .to_string()
    };
    assert!(line("dev").contains("expires"), "{err}");
    assert!(line("staging").contains("expires"), "{err}");
    assert!(line("prod").contains("expires"), "{err}");
    assert!(line("deploy").contains("expires"), "{err}");
    assert!(line("legacy").contains("ssoenv login legacy"), "{err}");
    assert!(line("denied").contains("no access to role Admin"), "{err}");
    assert!(err.contains("2 of 6 profiles failed"), "{err}");
    let text = read(&env);
    assert!(text.starts_with(BEFORE));
    assert!(text.contains(&section("dev", &env.credentials("dev"), "true", "\n")));
    assert!(text.contains(&section(
        "staging",
        &env.credentials("staging"),
        "true",
        "\n"
    )));
    assert!(text.contains(&section("prod", &env.credentials("prod"), "true", "\n")));
    assert!(text.contains(&section("deploy", &env.credentials("deploy"), "true", "\n")));
    assert!(!text.contains("[legacy]") && !text.contains("[denied]"));
}

#[test]
fn clean_removes_expired_sections_it_wrote() {
    let env = Env::new();
    env.login();
    write(&env, BEFORE);
    env.ok(&["write-credentials", "dev", "prod", "--region"]);
    let text = read(&env);
    assert!(
        text.contains("\nregion = eu-west-1\nssoenv_managed = true\n[prod]"),
        "{text}"
    );
    // prod has no region of its own.
    assert!(!text.split("[prod]").nth(1).unwrap().contains("region"));
    let expiration = env.credentials("dev")["Expiration"]
        .as_str()
        .unwrap()
        .to_string();
    let (dev, prod) = text.split_at(text.find("[prod]").unwrap());
    let expired = prod.replace(
        &format!("expiration = {expiration}"),
        "expiration = 2020-01-01T00:00:00Z",
    );
    write(&env, &format!("{dev}{expired}"));

    let out = env.run(&["write-credentials", "--clean"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("removed [prod]"), "{}", stderr(&out));
    assert_eq!(read(&env), dev);

    let out = env.run(&["write-credentials", "--clean", "ci"]);
    assert_eq!(out.status.code(), Some(ERROR));
    assert!(
        stderr(&out).contains("[ci] was not written by ssoenv"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&env), dev);

    env.ok(&["write-credentials", "--clean", "--all"]);
    assert_eq!(read(&env), BEFORE);
}

#[cfg(unix)] // symlinks
#[test]
fn explicit_region_and_a_symlinked_file() {
    let env = Env::new();
    env.login();
    let real = env.home().join("dotfiles/aws-credentials");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, BEFORE).unwrap();
    std::fs::create_dir_all(env.home().join(".aws")).unwrap();
    std::os::unix::fs::symlink(&real, credentials_path(&env)).unwrap();
    env.ok(&["write-credentials", "prod", "--region=ap-south-1"]);
    assert!(credentials_path(&env).is_symlink(), "the link stays a link");
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(text.starts_with(BEFORE));
    assert!(text.contains("\nregion = ap-south-1\n"), "{text}");

    // A relative link whose target does not exist yet: created there.
    std::fs::remove_file(credentials_path(&env)).unwrap();
    std::os::unix::fs::symlink("../dotfiles/new-credentials", credentials_path(&env)).unwrap();
    env.ok(&["write-credentials", "dev"]);
    assert!(
        credentials_path(&env).is_symlink(),
        "a dangling link stays a link"
    );
    let text = std::fs::read_to_string(env.home().join("dotfiles/new-credentials")).unwrap();
    assert!(text.starts_with("[dev]\n"), "{text}");
}

#[test]
fn aws_shared_credentials_file_is_honoured() {
    let env = Env::new();
    env.login();
    let elsewhere = env.home().join("elsewhere/creds");
    let out = env
        .cmd(&["write-credentials", "dev"])
        .env("AWS_SHARED_CREDENTIALS_FILE", &elsewhere)
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&elsewhere)
            .unwrap()
            .starts_with("[dev]\n")
    );
    assert!(!credentials_path(&env).exists());
}

#[cfg(unix)] // botocore from the .venv the Unix CI creates
#[test]
fn botocore_reads_the_written_profile() {
    let py = common::require_botocore();
    let env = Env::new();
    env.login();
    // CRLF and no final newline; no duplicate keys, which botocore rejects.
    write(
        &env,
        "# [terraform] = not this one\r\n[other]\r\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\r\n\
         aws_secret_access_key = x\r\n; the end",
    );
    env.ok(&["write-credentials", "dev", "--as", "terraform"]);
    let empty = env.home().join("empty-config");
    std::fs::write(&empty, "").unwrap();
    let theirs = env.python(
        &py,
        "botocore_credentials.py",
        &["shared", "terraform", empty.to_str().unwrap()],
    );
    let ours = env.credentials("dev");
    assert_eq!(theirs["method"], "shared-credentials-file");
    for key in ["AccessKeyId", "SecretAccessKey", "SessionToken"] {
        assert_eq!(theirs[key], ours[key], "{key}");
    }
}
