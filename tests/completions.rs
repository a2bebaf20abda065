//! Completion scripts: the committed files match what the binary generates,
//! and profile names are completed from the user's own config.

mod common;

use std::path::Path;

use common::Env;
use common::bounded::BoundedCommand;

#[test]
fn committed_scripts_are_in_sync() {
    let env = Env::new();
    for (shell, file) in [
        ("bash", "ssoenv.bash"),
        ("zsh", "ssoenv.zsh"),
        ("fish", "ssoenv.fish"),
        ("powershell", "ssoenv.ps1"),
    ] {
        let generated = env.ok(&["completions", shell]);
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("completions")
            .join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            generated == committed,
            "{} is stale: regenerate with `cargo run -q -- completions {shell} > completions/{file}`",
            path.display()
        );
    }
}

#[test]
fn profile_names_come_from_the_config() {
    let env = Env::new();
    let out = env
        .cmd(&["--", "ssoenv", "use", ""])
        .env("COMPLETE", "fish")
        .bounded_output()
        .unwrap();
    let names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    for profile in ["dev", "prod", "legacy", "denied"] {
        assert!(
            names.contains(&profile.to_string()),
            "{profile} missing from {names:?}"
        );
    }
    let out = env
        .cmd(&["--", "ssoenv", "exec", "pr"])
        .env("COMPLETE", "fish")
        .bounded_output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "prod");
}

#[cfg(unix)]
#[test]
fn bash_completes_profiles_through_the_committed_script() {
    common::require("bash");
    let env = Env::new();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/ssoenv.bash");
    let probe = format!(
        "source '{}'; COMP_WORDS=(ssoenv export d); COMP_CWORD=2; COMP_TYPE=9; \
         _clap_complete_ssoenv ssoenv d ssoenv; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = env
        .command("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .bounded_output()
        .unwrap();
    let replies = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        replies.lines().any(|l| l.trim() == "dev"),
        "bash offered {replies:?} ({})",
        common::stderr(&out)
    );
    assert!(
        replies.lines().any(|l| l.trim() == "denied"),
        "bash offered {replies:?}"
    );
}
