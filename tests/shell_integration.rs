//! The shell integration as a user meets it: real interactive bash, zsh and
//! fish on a pseudo-terminal, with `eval "$(ssoenv init …)"` in their rc file,
//! against the emulator.

#![cfg(unix)] // bash, zsh and fish on a pseudo-terminal

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::Env;
use common::bounded::BoundedCommand;
use common::pty::{self, Pty, Sh};
use ssoenv::emulator::{EmulatorConfig, Op};

in_shells! {
    harness_sees_output_exit_status_and_cwd: bash zsh fish;
    use_and_off_restore_the_environment_exactly: bash zsh fish;
    use_signs_in_first_when_needed: bash zsh fish;
    use_without_the_integration_prints_the_rc_line: bash zsh fish;
    help_and_usage_errors_leave_the_shell_untouched: bash zsh fish;
    init_completes_profile_names: bash zsh fish;
    prompt_segment_follows_the_active_profile: bash zsh fish;
    allowed_tree_applies_and_leaving_restores: bash zsh fish;
    entering_and_leaving_a_tree_is_announced: bash zsh fish;
    untrusted_tree_gives_one_notice_until_allowed: bash zsh fish;
    denied_tree_does_nothing: bash zsh fish;
    unknown_profile_gives_one_notice: bash zsh fish;
    notices_are_once_per_directory_not_per_visit: bash zsh fish;
    manual_use_wins_inside_a_tree_until_leaving: bash zsh fish;
    off_inside_a_tree_stays_off_after_leaving: bash zsh fish;
    a_tree_applied_after_off_is_undone_on_leaving: bash zsh fish;
    a_tree_whose_path_is_not_utf8_is_left_like_any_other: bash zsh fish;
    sourcing_init_twice_is_harmless: bash zsh fish;
    exit_status_survives_the_hook: bash zsh fish;
    cmd_renames_the_wrapper: bash zsh fish;
    hook_none_and_hook_cd: bash zsh fish;
    credentials_are_renewed_before_expiry: bash zsh fish;
    a_chained_role_is_renewed_through_the_whole_chain: bash;
    ended_session_hint_is_printed_once: bash zsh fish;
    works_under_set_u: bash zsh;
    bash_strict_mode_does_not_kill_the_shell: bash;
    zsh_ksh_arrays: zsh;
    zsh_hook_does_nothing_in_subshells: zsh;
    prompt_command_string_with_trailing_semicolon: bash;
    prompt_command_array: bash;
    bash_user_int_trap_survives_the_hook: bash;
    sandbox_says_what_it_is_and_works: bash zsh fish;
}

type Vars = BTreeMap<String, String>;

const DEV_ACCOUNT: &str = "111111111111";
const PROD_ACCOUNT: &str = "333333333333";

/// What the shells print when a hook or wrapper breaks (fish's errors start
/// lines with `fish: ` or name the function).
const SHELL_ERRORS: [&str; 9] = [
    "unbound variable",
    "parameter not set",
    "syntax error",
    "parse error",
    "command not found",
    "bad substitution",
    "Unknown command",
    "in function '",
    "in command substitution",
];

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The exported environment, from `env` run in the shell.
fn vars(p: &mut Pty) -> Vars {
    let out = p.run("env");
    let mut vars = Vars::new();
    let mut last: Option<String> = None;
    for line in out.lines() {
        match line.split_once('=') {
            Some((k, v))
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                vars.insert(k.to_string(), v.to_string());
                last = Some(k.to_string());
            }
            // A value with a newline in it.
            _ => {
                if let Some(k) = &last {
                    let v = vars.get_mut(k).unwrap();
                    v.push('\n');
                    v.push_str(line);
                }
            }
        }
    }
    assert!(
        vars.contains_key("HOME"),
        "env printed nothing useful:\n{out}"
    );
    vars
}

fn var<'a>(v: &'a Vars, name: &str) -> &'a str {
    v.get(name)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("{name} is not set; environment: {v:#?}"))
}

/// The state variables the integration exports by contract. Other `SSOENV_*`
/// variables are its own bookkeeping (which tree is applied, which notice was
/// shown) and are not compared.
const STATE: [&str; 5] = [
    "SSOENV_PROFILE",
    "SSOENV_ACCOUNT",
    "SSOENV_ROLE",
    "SSOENV_EXPIRES",
    "SSOENV_RENEW_AT",
];

fn bookkeeping(name: &str) -> bool {
    name.starts_with("SSOENV_") && !STATE.contains(&name)
}

/// The shell's environment is `before` again, apart from the names in
/// `ignore` and the integration's bookkeeping; the difference listed.
fn assert_env_is(p: &mut Pty, before: &Vars, ignore: &[&str], what: &str) {
    let after = &vars(p);
    let keys: std::collections::BTreeSet<_> = before.keys().chain(after.keys()).collect();
    let diff: Vec<String> = keys
        .into_iter()
        .filter(|k| !ignore.contains(&k.as_str()) && !bookkeeping(k))
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| format!("  {k}: {:?} -> {:?}", before.get(k), after.get(k)))
        .collect();
    assert!(
        diff.is_empty(),
        "{}: {what}: the environment differs from before:\n{}\n{}",
        p.sh().name(),
        diff.join("\n"),
        p.transcript()
    );
}

const CWD: [&str; 2] = ["PWD", "OLDPWD"];

fn epoch_of(rfc3339: &str) -> i64 {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("not RFC 3339: {rfc3339:?}: {e}"))
        .unix_timestamp()
}

/// Presets in the rc file that `use` must override or unset and `off` must bring back.
fn presets(sh: Sh) -> String {
    [
        sh.export("AWS_PROFILE", "prod"),
        sh.export("AWS_DEFAULT_PROFILE", "prod"),
        sh.export("AWS_SECURITY_TOKEN", "stale-token"),
        sh.export("AWS_DEFAULT_REGION", "us-west-2"),
    ]
    .join("\n")
}

/// `profile` is active with the credentials ssoenv hands out for it (default
/// emulator: one-hour credentials, renewal 600 s before expiry).
fn assert_active(
    env: &Env,
    p: &mut Pty,
    profile: &str,
    account: &str,
    role: &str,
    region: Option<&str>,
) {
    let v = vars(p);
    let ctx = format!("{} after activating {profile}", p.sh().name());
    assert_eq!(var(&v, "AWS_PROFILE"), profile, "{ctx}\n{}", p.transcript());
    assert_eq!(var(&v, "SSOENV_PROFILE"), profile, "{ctx}");
    assert_eq!(var(&v, "SSOENV_ACCOUNT"), account, "{ctx}");
    assert_eq!(var(&v, "SSOENV_ROLE"), role, "{ctx}");
    let creds = env.credentials(profile);
    assert_eq!(var(&v, "AWS_ACCESS_KEY_ID"), creds["AccessKeyId"], "{ctx}");
    assert_eq!(
        var(&v, "AWS_SECRET_ACCESS_KEY"),
        creds["SecretAccessKey"],
        "{ctx}"
    );
    assert_eq!(var(&v, "AWS_SESSION_TOKEN"), creds["SessionToken"], "{ctx}");
    let expires = epoch_of(creds["Expiration"].as_str().unwrap());
    assert_eq!(
        epoch_of(var(&v, "AWS_CREDENTIAL_EXPIRATION")),
        expires,
        "{ctx}"
    );
    let state: i64 = var(&v, "SSOENV_EXPIRES")
        .parse()
        .expect("SSOENV_EXPIRES in epoch seconds");
    assert_eq!(state, expires, "{ctx}: SSOENV_EXPIRES");
    let renew: i64 = var(&v, "SSOENV_RENEW_AT")
        .parse()
        .expect("SSOENV_RENEW_AT in epoch seconds");
    assert_eq!(
        renew,
        expires - 600,
        "{ctx}: SSOENV_RENEW_AT, 600 s before a one-hour expiry"
    );
    if let Some(r) = region {
        assert_eq!(var(&v, "AWS_REGION"), r, "{ctx}");
        assert_eq!(var(&v, "AWS_DEFAULT_REGION"), r, "{ctx}");
    }
    for gone in ["AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE"] {
        assert!(
            !v.contains_key(gone),
            "{ctx}: {gone} must be unset while active"
        );
        let cmd = p.sh().is_set(gone);
        assert_eq!(p.get(&cmd), "unset", "{ctx}: {gone} still a shell variable");
    }
}

fn assert_inactive(p: &mut Pty, what: &str) {
    let v = vars(p);
    assert!(
        !v.contains_key("SSOENV_PROFILE"),
        "{}: {what}: no profile should be active, yet SSOENV_PROFILE={:?}\n{}",
        p.sh().name(),
        v["SSOENV_PROFILE"],
        p.transcript()
    );
}

fn count_lines(log: &str, pred: impl Fn(&str) -> bool) -> usize {
    log.lines().filter(|l| pred(l)).count()
}

fn assert_no_shell_errors(p: &Pty) {
    let complaint = p
        .log()
        .lines()
        .find(|l| l.starts_with("fish: ") || SHELL_ERRORS.iter().any(|e| l.contains(e)));
    if let Some(line) = complaint {
        panic!(
            "{}: the shell complained: {line:?}\n{}",
            p.sh().name(),
            p.transcript()
        );
    }
}

/// Directories with a `.ssoenv` (and `sub/deeper` below) under the test HOME,
/// where the shells start: `allowed`, `untrusted`, `denied` name `dev`,
/// `unknown` names a profile that isn't in the config. Nothing is allowed yet.
fn create_trees(env: &Env) {
    for (dir, text) in [
        ("allowed", "# the team's dev account\nprofile = dev\n"),
        ("untrusted", "profile = dev\n"),
        ("denied", "profile = dev\n"),
        ("unknown", "# a typo\nprofile = nosuch\n"),
    ] {
        std::fs::create_dir_all(env.home().join(dir).join("sub/deeper")).unwrap();
        std::fs::write(ssoenv_file(env, dir), text).unwrap();
    }
}

fn ssoenv_file(env: &Env, dir: &str) -> PathBuf {
    env.home().join(dir).join(".ssoenv")
}

fn logged_in() -> Env {
    let env = Env::new();
    env.login();
    env
}

fn spawn_with_init(env: &Env, sh: Sh, extra_rc: &str) -> Pty {
    Pty::spawn(env, sh, &format!("{}\n{extra_rc}", sh.init_line("")))
}

// ---------------------------------------------------------------------------

/// The pty harness itself, on shells without ssoenv.
fn harness_sees_output_exit_status_and_cwd(sh: Sh) {
    let env = Env::new();
    let mut p = Pty::spawn(&env, sh, "");
    assert_eq!(p.run("echo hello"), "hello\n");
    assert_eq!(p.run("printf 'a\\nb'"), "a\nb");
    assert_eq!(p.run("echo err >&2"), "err\n");
    p.command("false");
    let out = p.command(&format!("echo \"[{}]\"", sh.status()));
    assert_eq!(out, "[1]\n", "{}", p.transcript());
    p.command("cd /");
    assert_eq!(p.get("pwd"), "/");
    assert_eq!(p.prompt_line(), pty::PROMPT.trim_end());
    assert_eq!(var(&vars(&mut p), "HOME"), env.home().to_str().unwrap());
    assert!(p.log().contains("hello") && p.log().contains("err"));
}

fn use_and_off_restore_the_environment_exactly(sh: Sh) {
    let env = logged_in();
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    assert!(
        !before.contains_key("AWS_REGION"),
        "test setup: AWS_REGION unset"
    );

    p.run("ssoenv use dev");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));

    // Switching keeps the state from before the first `use`.
    p.run("ssoenv use prod");
    assert_active(&env, &mut p, "prod", PROD_ACCOUNT, "ReadOnly", None);

    p.run("ssoenv off");
    assert_env_is(&mut p, &before, &[], "after use dev, use prod, off");
    assert_eq!(
        p.get(&sh.is_set("AWS_REGION")),
        "unset",
        "AWS_REGION was unset before"
    );

    // A second round restores again.
    p.run("ssoenv use dev");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    p.run("ssoenv use --off");
    assert_env_is(&mut p, &before, &[], "after use dev, use --off");
    // With nothing active, `off` leaves the user's variables alone.
    p.run("ssoenv off");
    assert_env_is(&mut p, &before, &[], "after `off` with no profile active");
    assert_no_shell_errors(&p);
}

fn use_signs_in_first_when_needed(sh: Sh) {
    let env = Env::new(); // no sign-in yet
    let mut p = spawn_with_init(&env, sh, "");
    p.run("ssoenv use dev");
    assert_eq!(
        env.emulator.calls(Op::StartDeviceAuthorization),
        1,
        "{}",
        p.transcript()
    );
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
}

fn use_without_the_integration_prints_the_rc_line(sh: Sh) {
    let env = logged_in();
    let line = sh.init_line("");

    let mut plain = Pty::spawn(&env, sh, "");
    let before = vars(&mut plain);
    let out = plain.run("ssoenv use dev");
    assert!(
        out.contains(&line),
        "{}: expected {line:?} in:\n{out}",
        sh.name()
    );
    assert_env_is(&mut plain, &before, &[], "use without init");

    let mut p = spawn_with_init(&env, sh, "");
    let before = vars(&mut p);
    let out = p.run("command ssoenv use dev");
    assert!(
        out.contains(&line),
        "{}: expected {line:?} in:\n{out}",
        sh.name()
    );
    assert_env_is(&mut p, &before, &[], "`command ssoenv use dev`");
}

/// Help, the version and usage errors of the verbs whose output the wrapper
/// evaluates are shown as printed, with their exit status, and the shell
/// stays exactly as it was.
fn help_and_usage_errors_leave_the_shell_untouched(sh: Sh) {
    let env = logged_in();
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    let version = format!("ssoenv-use {}", env!("CARGO_PKG_VERSION"));
    for (line, shown, status) in [
        (
            "ssoenv use --help",
            "Usage: ssoenv use [OPTIONS] [PROFILE]",
            0,
        ),
        ("ssoenv use -h", "Usage: ssoenv use [OPTIONS] [PROFILE]", 0),
        ("ssoenv off --help", "Usage: ssoenv off", 0),
        ("ssoenv use --version", version.as_str(), 0),
        // (`ssoenv use` alone opens the picker on a terminal.)
        ("ssoenv use --off dev", "cannot be used with", 2),
        (
            "ssoenv use --no-such-flag dev",
            "unexpected argument '--no-such-flag'",
            2,
        ),
        ("ssoenv off now", "unexpected argument 'now'", 2),
        ("ssoenv use nosuch", "nosuch", 2),
    ] {
        let out = p.run(&format!("{line}; echo \"[{}]\"", sh.status()));
        assert!(
            out.contains(shown) && out.ends_with(&format!("[{status}]\n")),
            "{}: `{line}` should show {shown:?} and exit {status}:\n{out}\n{}",
            sh.name(),
            p.transcript()
        );
        assert_env_is(&mut p, &before, &[], line);
    }
    // Still the working wrapper afterwards.
    p.run("ssoenv use dev");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    assert_no_shell_errors(&p);
}

/// Right after `init`, Tab completes profile names for the wrapper (and a
/// renamed one). zsh: whether compinit runs before or after the init line;
/// without compinit, init still loads cleanly.
fn init_completes_profile_names(sh: Sh) {
    let env = logged_in();
    let compinit = "autoload -Uz compinit && compinit -u -d ~/.zcompdump";
    let mut setups = vec![
        (sh.init_line(""), "ssoenv"),
        (sh.init_line("--cmd sso"), "sso"),
    ];
    if sh == Sh::Zsh {
        setups = setups
            .into_iter()
            .flat_map(|(init, cmd)| {
                [
                    (format!("{compinit}\n{init}"), cmd),
                    (format!("{init}\n{compinit}"), cmd),
                ]
            })
            .collect();
    }
    for (rc, cmd) in setups {
        let mut p = Pty::spawn(&env, sh, &rc);
        // `pro` is the start of one profile only; Enter runs the completed line.
        p.command(&format!("{cmd} use pro\t"));
        let v = vars(&mut p);
        assert_eq!(
            v.get("SSOENV_PROFILE").map(String::as_str),
            Some("prod"),
            "{}: `{cmd} use pro<Tab>` with\n{rc}\n{}",
            sh.name(),
            p.transcript()
        );
        assert_no_shell_errors(&p);
    }
    if sh == Sh::Zsh {
        let mut p = spawn_with_init(&env, sh, "");
        p.command("");
        assert_eq!(p.get("echo alive"), "alive");
        assert_no_shell_errors(&p);
    }
}

fn segment_prompt(sh: Sh) -> &'static str {
    match sh {
        Sh::Bash => r#"PS1='[$(ssoenv prompt --format "{profile}/{account}/{ttl}")]=P=> '"#,
        Sh::Zsh => {
            r#"setopt prompt_subst; PS1='[$(ssoenv prompt --format "{profile}/{account}/{ttl}")]=P=> '"#
        }
        Sh::Fish => {
            "function fish_prompt; set -l seg (ssoenv prompt --format '{profile}/{account}/{ttl}'); \
             echo -n \"[$seg]=P=> \"; end"
        }
    }
}

fn assert_segment(p: &Pty, profile: Option<(&str, &str)>, what: &str) {
    let line = p.prompt_line();
    let seg = line
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix("]=P=>"))
        .unwrap_or_else(|| {
            panic!(
                "{}: unexpected prompt {line:?}\n{}",
                p.sh().name(),
                p.transcript()
            )
        });
    match profile {
        None => assert_eq!(
            seg,
            "",
            "{}: {what}: no segment without a profile",
            p.sh().name()
        ),
        Some((name, account)) => {
            let prefix = format!("{name}/{account}/");
            let ttl = seg.strip_prefix(&prefix).unwrap_or_else(|| {
                panic!(
                    "{}: {what}: segment {seg:?} should start {prefix:?}\n{}",
                    p.sh().name(),
                    p.transcript()
                )
            });
            assert!(
                !ttl.is_empty() && ttl != "expired",
                "{}: {what}: ttl {ttl:?}",
                p.sh().name()
            );
        }
    }
}

fn prompt_segment_follows_the_active_profile(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, segment_prompt(sh));
    assert_segment(&p, None, "first prompt");
    p.run("ssoenv use dev");
    assert_segment(&p, Some(("dev", DEV_ACCOUNT)), "after use dev");
    p.run("ssoenv off");
    assert_segment(&p, None, "after off");
    // A directory switch shows in the very prompt after the cd.
    p.run("ssoenv allow allowed");
    p.run("cd allowed");
    assert_segment(
        &p,
        Some(("dev", DEV_ACCOUNT)),
        "right after cd into an allowed tree",
    );
    p.run("cd ..");
    assert_segment(&p, None, "right after leaving the tree");
    assert_no_shell_errors(&p);
}

fn allowed_tree_applies_and_leaving_restores(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    p.run("ssoenv allow allowed");
    assert_env_is(
        &mut p,
        &before,
        &[],
        "allow alone changes nothing outside the tree",
    );
    p.take_log();

    p.run("cd allowed");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    let key = var(&vars(&mut p), "AWS_ACCESS_KEY_ID").to_string();
    p.run("cd sub/deeper");
    p.command("");
    p.run("cd ..");
    let inside = vars(&mut p);
    assert_eq!(var(&inside, "AWS_PROFILE"), "dev", "still inside the tree");
    assert_eq!(
        var(&inside, "AWS_ACCESS_KEY_ID"),
        key,
        "no switch within the tree"
    );

    p.run("cd ../..");
    assert_env_is(&mut p, &before, &CWD, "after leaving the tree");
    assert_eq!(p.get(&sh.is_set("AWS_REGION")), "unset");

    // And again, straight from inside to another place.
    p.run("cd allowed/sub");
    assert_eq!(var(&vars(&mut p), "AWS_PROFILE"), "dev");
    p.run("cd /");
    assert_env_is(&mut p, &before, &CWD, "after cd / from inside");
    let log = p.take_log();
    assert_eq!(
        count_lines(&log, |l| l.contains("ssoenv allow")),
        0,
        "no notices for an allowed file:\n{log}"
    );

    // Moving the file revokes the trust.
    std::fs::rename(env.home().join("allowed"), env.home().join("moved")).unwrap();
    p.run("cd ~/moved");
    p.command("");
    assert_env_is(
        &mut p,
        &before,
        &CWD,
        "a moved file acts without a new allow",
    );
    assert_eq!(
        count_lines(p.log(), |l| l.contains("ssoenv allow")),
        1,
        "{}: one notice for the moved file\n{}",
        sh.name(),
        p.transcript()
    );
    assert_no_shell_errors(&p);
}

/// Entering a tree says once which profile its file selected, and leaving
/// it says so too, each time; SSOENV_QUIET=1 keeps both quiet.
fn entering_and_leaving_a_tree_is_announced(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let selected = format!(
        "ssoenv: {} selected profile dev",
        ssoenv_file(&env, "allowed").display()
    );
    let left = format!(
        "ssoenv: left {}: back to the environment from before it",
        env.home().join("allowed").display()
    );
    let announced = |log: &str| {
        (
            count_lines(log, |l| l == selected),
            count_lines(log, |l| l == left),
        )
    };
    let mut p = spawn_with_init(&env, sh, "");
    p.run("ssoenv allow allowed");
    p.take_log();
    for visit in 1..=2 {
        p.run("cd allowed");
        p.command("");
        p.run("cd sub/deeper");
        p.run("cd ../..");
        assert_eq!(var(&vars(&mut p), "SSOENV_PROFILE"), "dev");
        p.run("cd ~");
        p.command("");
        assert_eq!(
            announced(&p.take_log()),
            (1, 1),
            "{}: visit {visit}: one line entering, one leaving\n{}",
            sh.name(),
            p.transcript()
        );
    }
    p.run(&sh.export("SSOENV_QUIET", "1"));
    p.take_log();
    p.run("cd allowed");
    assert_eq!(var(&vars(&mut p), "SSOENV_PROFILE"), "dev");
    p.run("cd ~");
    assert_inactive(&mut p, "after leaving quietly");
    let log = p.take_log();
    assert_eq!(
        count_lines(&log, |l| l.starts_with("ssoenv:")),
        0,
        "{}: SSOENV_QUIET=1\n{log}",
        sh.name()
    );
    assert_no_shell_errors(&p);
}

fn notices_are_once_per_directory_not_per_visit(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    std::fs::create_dir_all(env.home().join("other")).unwrap();
    std::fs::write(ssoenv_file(&env, "other"), "profile = prod\n").unwrap();
    let mut p = spawn_with_init(&env, sh, "");
    for _ in 0..2 {
        p.run("cd ~/untrusted");
        p.run("cd ~");
        p.run("cd ~/other");
        p.run("cd ~");
    }
    assert_eq!(
        count_lines(p.log(), |l| l.contains("ssoenv allow")),
        2,
        "{}: one notice per (directory, content), visiting two untrusted trees in turn\n{}",
        sh.name(),
        p.transcript()
    );
}

fn untrusted_tree_gives_one_notice_until_allowed(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, "");
    let before = vars(&mut p);
    let notices = |log: &str| count_lines(log, |l| l.contains("ssoenv allow"));

    p.run("cd untrusted");
    p.command("");
    p.run("cd sub");
    p.command("");
    p.run("cd deeper");
    p.run("cd ../..");
    p.command("");
    assert_env_is(&mut p, &before, &CWD, "an untrusted file acts");
    assert_eq!(
        notices(p.log()),
        1,
        "{}: one notice mentioning `ssoenv allow` while moving inside the tree:\n{}",
        sh.name(),
        p.transcript()
    );
    p.run("cd ..");
    p.run("cd untrusted");
    p.command("");
    assert_eq!(
        notices(p.log()),
        1,
        "{}: one notice per (directory, content), also after leaving and re-entering:\n{}",
        sh.name(),
        p.transcript()
    );

    // Allowing takes effect at once (the wrapper re-runs the hook).
    p.run("ssoenv allow");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    p.run("cd ..");
    assert_env_is(&mut p, &before, &CWD, "after leaving the allowed tree");

    // Editing the file revokes the trust, and the new content gets its notice.
    std::fs::write(ssoenv_file(&env, "untrusted"), "profile = prod\n").unwrap();
    p.take_log();
    p.run("cd untrusted");
    p.command("");
    p.run("cd sub");
    p.command("");
    assert_env_is(
        &mut p,
        &before,
        &CWD,
        "an edited file acts without a new allow",
    );
    assert_eq!(
        notices(p.log()),
        1,
        "{}: one notice for the edited file:\n{}",
        sh.name(),
        p.transcript()
    );
    assert_no_shell_errors(&p);
}

fn denied_tree_does_nothing(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, "");
    let before = vars(&mut p);
    p.run("ssoenv deny denied");
    p.take_log();
    p.run("cd denied");
    p.command("");
    p.run("cd sub");
    p.command("");
    assert_env_is(&mut p, &before, &CWD, "a denied file acts");
    p.run("cd ../..");
    p.run("cd denied");
    p.command("");
    assert_env_is(&mut p, &before, &CWD, "a denied file acts");
    let log = p.take_log();
    assert!(
        count_lines(&log, |l| l.contains("ssoenv allow")) <= 1,
        "{}: a denied file is not nagged about on every prompt:\n{log}",
        sh.name()
    );
    assert_no_shell_errors(&p);
}

fn unknown_profile_gives_one_notice(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, "");
    let before = vars(&mut p);
    // allow may well refuse a file naming an unknown profile; either way the
    // file must not act and must be reported once.
    p.run("ssoenv allow unknown");
    p.take_log();
    p.run("cd unknown");
    p.command("");
    p.run("cd sub");
    p.command("");
    p.run("cd ..");
    p.command("");
    assert_env_is(
        &mut p,
        &before,
        &CWD,
        "a file naming an unknown profile acts",
    );
    let notices =
        |log: &str| count_lines(log, |l| l.contains("nosuch") || l.contains("ssoenv allow"));
    assert_eq!(
        notices(p.log()),
        1,
        "{}: one notice for a file naming an unknown profile:\n{}",
        sh.name(),
        p.transcript()
    );
    p.run("cd ..");
    p.run("cd unknown");
    assert_eq!(
        notices(p.log()),
        1,
        "{}: one notice per (directory, content), also after re-entering:\n{}",
        sh.name(),
        p.transcript()
    );
    assert_no_shell_errors(&p);
}

/// `off` is the last word: leaving the tree afterwards does not bring back
/// the profile that was active before entering it.
fn off_inside_a_tree_stays_off_after_leaving(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    p.run("ssoenv allow allowed");
    p.run("ssoenv use prod");
    p.run("cd allowed");
    assert_eq!(var(&vars(&mut p), "SSOENV_PROFILE"), "dev");
    p.run("ssoenv off");
    assert_env_is(&mut p, &before, &CWD, "off inside the tree");
    p.run("cd ..");
    p.command("");
    assert_env_is(&mut p, &before, &CWD, "leaving after off");
    assert_no_shell_errors(&p);
}

/// After `off` inside a tree, a nested tree applies again, and leaving
/// restores the environment from before it (as `off` left it).
fn a_tree_applied_after_off_is_undone_on_leaving(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    std::fs::write(env.home().join("allowed/sub/.ssoenv"), "profile = prod\n").unwrap();
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    p.run("ssoenv allow allowed");
    p.run("ssoenv allow allowed/sub");
    p.run("cd allowed");
    assert_eq!(var(&vars(&mut p), "SSOENV_PROFILE"), "dev");
    p.run("ssoenv off");
    p.run("cd sub");
    assert_eq!(
        var(&vars(&mut p), "SSOENV_PROFILE"),
        "prod",
        "{}",
        p.transcript()
    );
    p.run("cd ../..");
    p.command("");
    assert_env_is(&mut p, &before, &CWD, "leaving the trees after off");
    assert_no_shell_errors(&p);
}

/// A directory name need not be UTF-8 (an old archive, another locale): the
/// tree is still recorded, so moving inside it is no switch, and leaving it
/// takes its credentials away.
fn a_tree_whose_path_is_not_utf8_is_left_like_any_other(sh: Sh) {
    use std::os::unix::ffi::OsStrExt;
    let env = logged_in();
    let root = env
        .home()
        .join(std::ffi::OsStr::from_bytes(b"latin1-caf\xe9-\xff"));
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join(".ssoenv"), "profile = dev\n").unwrap();
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    p.run("ssoenv allow latin1-*");
    p.run("cd latin1-*");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    p.run("ssoenv use prod");
    p.run("cd sub");
    p.command("");
    assert_eq!(
        var(&vars(&mut p), "SSOENV_PROFILE"),
        "prod",
        "{}: moving inside the tree is no switch\n{}",
        sh.name(),
        p.transcript()
    );
    p.run("cd ../..");
    p.command("");
    assert_env_is(&mut p, &before, &CWD, "after leaving the tree");
    assert_no_shell_errors(&p);
}

fn manual_use_wins_inside_a_tree_until_leaving(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, &presets(sh));
    let before = vars(&mut p);
    p.run("ssoenv allow allowed");
    p.run("cd allowed");
    assert_eq!(var(&vars(&mut p), "AWS_PROFILE"), "dev");
    p.run("ssoenv use prod");
    assert_active(&env, &mut p, "prod", PROD_ACCOUNT, "ReadOnly", None);
    p.run("cd sub");
    p.command("");
    p.run("cd deeper");
    p.run("cd ../..");
    p.command("");
    assert_eq!(
        var(&vars(&mut p), "SSOENV_PROFILE"),
        "prod",
        "{}: a manual use inside the tree wins until leaving\n{}",
        sh.name(),
        p.transcript()
    );
    p.run("cd ..");
    assert_env_is(
        &mut p,
        &before,
        &CWD,
        "leaving restores the state from before entering",
    );
    // Entering again applies the file again.
    p.run("cd allowed");
    assert_eq!(var(&vars(&mut p), "SSOENV_PROFILE"), "dev");
    assert_no_shell_errors(&p);
}

/// How many hook registrations mention ssoenv.
fn hook_registrations(p: &mut Pty) -> usize {
    let cmd = match p.sh() {
        Sh::Bash => "declare -p PROMPT_COMMAND",
        Sh::Zsh => "print -rl -- $precmd_functions $chpwd_functions $preexec_functions",
        Sh::Fish => "functions --handlers",
    };
    p.run(cmd).matches("ssoenv").count()
}

/// The common round: use/off, an allowed tree and an untrusted one, checking
/// the results and that the shell never complains.
fn exercise(env: &Env, p: &mut Pty) {
    let before = vars(p);
    p.run("ssoenv use dev");
    assert_active(env, p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    p.run("ssoenv off");
    assert_env_is(p, &before, &[], "after use and off");
    p.run("ssoenv allow allowed");
    p.run("cd allowed/sub");
    p.command("");
    assert_eq!(var(&vars(p), "AWS_PROFILE"), "dev", "{}", p.transcript());
    p.run("cd ~");
    assert_env_is(p, &before, &CWD, "after leaving the allowed tree");
    p.take_log();
    p.run("cd untrusted");
    p.command("");
    p.run("cd ~");
    p.command("");
    assert_env_is(p, &before, &CWD, "after the untrusted tree");
    assert_eq!(
        count_lines(p.log(), |l| l.contains("ssoenv allow")),
        1,
        "{}: one notice\n{}",
        p.sh().name(),
        p.transcript()
    );
    assert_eq!(p.get("echo alive"), "alive");
    assert_no_shell_errors(p);
}

fn sourcing_init_twice_is_harmless(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let once = hook_registrations(&mut spawn_with_init(&env, sh, ""));
    assert!(once >= 1, "{}: no hook registered", sh.name());
    let mut p = spawn_with_init(&env, sh, &sh.init_line(""));
    assert_eq!(
        hook_registrations(&mut p),
        once,
        "{}: sourcing init twice registers the hook twice\n{}",
        sh.name(),
        p.transcript()
    );
    // Re-sourcing at the prompt, as after editing the rc file.
    p.run(&sh.init_line(""));
    assert_eq!(
        hook_registrations(&mut p),
        once,
        "{}: after re-sourcing at the prompt",
        sh.name()
    );
    exercise(&env, &mut p);
}

fn exit_status_survives_the_hook(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, "");
    let echo = format!("echo \"[{}]\"", sh.status());
    let exit = |code: u8| match sh {
        Sh::Fish => format!("sh -c 'exit {code}'"),
        _ => format!("(exit {code})"),
    };
    p.command("false");
    assert_eq!(p.command(&echo), "[1]\n", "{}", p.transcript());
    p.command(&exit(7));
    assert_eq!(p.command(&echo), "[7]\n", "{}", p.transcript());
    // The hook doing real work at that prompt (switching profiles).
    p.run("ssoenv allow allowed");
    p.command(&format!("cd allowed; {}", exit(3)));
    assert_eq!(p.command(&echo), "[3]\n", "{}", p.transcript());
    assert_eq!(var(&vars(&mut p), "AWS_PROFILE"), "dev");
    p.command(&format!("cd ~; {}", exit(4)));
    assert_eq!(p.command(&echo), "[4]\n", "{}", p.transcript());
    assert_inactive(&mut p, "after leaving");
}

fn cmd_renames_the_wrapper(sh: Sh) {
    let env = logged_in();
    let mut p = Pty::spawn(&env, sh, &sh.init_line("--cmd sso"));
    let before = vars(&mut p);
    p.run("sso use dev");
    assert_active(&env, &mut p, "dev", DEV_ACCOUNT, "Admin", Some("eu-west-1"));
    p.run("sso off");
    assert_env_is(&mut p, &before, &[], "after sso off");
    assert_no_shell_errors(&p);
}

fn hook_none_and_hook_cd(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = Pty::spawn(&env, sh, &sh.init_line("--hook none"));
    p.run("ssoenv allow allowed");
    p.run("cd allowed");
    p.command("");
    assert_inactive(&mut p, "--hook none ignores .ssoenv");
    p.run("ssoenv use dev");
    assert_eq!(
        var(&vars(&mut p), "AWS_PROFILE"),
        "dev",
        "use works with --hook none"
    );
    assert_no_shell_errors(&p);
    drop(p);

    let mut p = Pty::spawn(&env, sh, &sh.init_line("--hook cd"));
    let before = vars(&mut p);
    p.run("cd allowed/sub");
    assert_eq!(
        var(&vars(&mut p), "AWS_PROFILE"),
        "dev",
        "--hook cd applies on cd\n{}",
        p.transcript()
    );
    p.run("cd ~");
    assert_env_is(&mut p, &before, &CWD, "--hook cd: after leaving");
    assert_no_shell_errors(&p);
}

/// Sleep until the clock reaches `epoch` (plus a little).
fn sleep_until(epoch: u64) {
    let target = Duration::from_secs(epoch) + Duration::from_millis(150);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    if target > now {
        std::thread::sleep(target - now);
    }
}

/// Credentials that live 4 s, renewed 2 s before expiry.
fn short_lived(sh: Sh) -> (Env, Pty) {
    let env = Env::with(EmulatorConfig {
        credentials_ttl: Duration::from_secs(4),
        ..Default::default()
    });
    env.login();
    create_trees(&env);
    let p = Pty::spawn_with(&env, sh, &sh.init_line(""), &[("SSOENV_RENEW_BEFORE", "2")]);
    (env, p)
}

/// `use dev` and the renewal time, checked against the rule
/// renew_at = max(expires - 2, fetched + (expires - fetched) / 2).
fn use_short_lived(p: &mut Pty) -> (Vars, u64) {
    p.run("ssoenv use dev");
    let v = vars(p);
    let expires: u64 = var(&v, "SSOENV_EXPIRES").parse().unwrap();
    let renew_at: u64 = var(&v, "SSOENV_RENEW_AT").parse().unwrap();
    assert!(
        renew_at < expires && renew_at + 3 >= expires,
        "{}: SSOENV_RENEW_AT={renew_at} for SSOENV_EXPIRES={expires}, SSOENV_RENEW_BEFORE=2",
        p.sh().name()
    );
    assert!(renew_at <= now() + 5, "renewal more than 5 s away");
    (v, renew_at)
}

fn credentials_are_renewed_before_expiry(sh: Sh) {
    let (env, mut p) = short_lived(sh);
    let (first, renew_at) = use_short_lived(&mut p);
    let calls = env.emulator.calls(Op::GetRoleCredentials);
    sleep_until(renew_at);
    p.command("");
    let renewed = vars(&mut p);
    assert_ne!(
        var(&renewed, "AWS_ACCESS_KEY_ID"),
        var(&first, "AWS_ACCESS_KEY_ID"),
        "{}: no renewal at the first prompt after SSOENV_RENEW_AT\n{}",
        sh.name(),
        p.transcript()
    );
    assert!(env.emulator.calls(Op::GetRoleCredentials) > calls);
    assert_eq!(var(&renewed, "AWS_PROFILE"), "dev");
    assert_eq!(var(&renewed, "SSOENV_ACCOUNT"), DEV_ACCOUNT);
    let expires: u64 = var(&renewed, "SSOENV_EXPIRES").parse().unwrap();
    let old: u64 = var(&first, "SSOENV_EXPIRES").parse().unwrap();
    assert!(expires > old, "SSOENV_EXPIRES moves on: {old} -> {expires}");
    assert!(var(&renewed, "SSOENV_RENEW_AT").parse::<u64>().unwrap() > renew_at);
    assert_eq!(
        epoch_of(var(&renewed, "AWS_CREDENTIAL_EXPIRATION")),
        expires as i64
    );
    assert_eq!(
        env.emulator.calls(Op::StartDeviceAuthorization),
        1,
        "the hook never signs in"
    );
    // `off` still restores the state from before the first use.
    p.run("ssoenv off");
    assert_inactive(&mut p, "off after a renewal");
    assert_no_shell_errors(&p);
}

/// `use deploy` (a role chained after dev) with 4-second credentials: the
/// hook renews the SSO root and assumes the role again.
fn a_chained_role_is_renewed_through_the_whole_chain(sh: Sh) {
    let (env, mut p) = short_lived(sh);
    p.run("ssoenv use deploy");
    let first = vars(&mut p);
    assert_eq!(var(&first, "AWS_PROFILE"), "deploy");
    assert_eq!(var(&first, "SSOENV_ACCOUNT"), "222222222222");
    assert_eq!(var(&first, "SSOENV_ROLE"), "Deploy");
    let renew_at: u64 = var(&first, "SSOENV_RENEW_AT").parse().unwrap();
    let assumed = env.emulator.calls(Op::AssumeRole);
    assert_eq!(assumed, 1);
    sleep_until(renew_at);
    p.command("");
    let renewed = vars(&mut p);
    assert_ne!(
        var(&renewed, "AWS_ACCESS_KEY_ID"),
        var(&first, "AWS_ACCESS_KEY_ID"),
        "no renewal of the chain\n{}",
        p.transcript()
    );
    let calls = env.emulator.assume_role_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[1].issued.as_deref(),
        Some(var(&renewed, "AWS_ACCESS_KEY_ID"))
    );
    // Signed with fresh SSO credentials, not the first ones.
    assert_ne!(calls[1].caller, calls[0].caller);
    assert_eq!(var(&renewed, "AWS_PROFILE"), "deploy");
    assert_no_shell_errors(&p);
}

fn ended_session_hint_is_printed_once(sh: Sh) {
    let (env, mut p) = short_lived(sh);
    let (first, renew_at) = use_short_lived(&mut p);
    env.emulator.revoke_sessions();
    p.take_log();
    sleep_until(renew_at);
    let mut slowest = Duration::ZERO;
    let mut prompt = |p: &mut Pty, line: &str| {
        let started = Instant::now();
        p.command(line);
        slowest = slowest.max(started.elapsed());
    };
    prompt(&mut p, "");
    prompt(&mut p, "");
    prompt(&mut p, "cd /");
    // Past the credentials' own expiry too.
    let expires: u64 = var(&first, "SSOENV_EXPIRES").parse().unwrap();
    sleep_until(expires);
    prompt(&mut p, "");
    prompt(&mut p, "cd ~");
    prompt(&mut p, "");
    let hints = count_lines(p.log(), |l| l.contains("ssoenv login"));
    assert_eq!(
        hints,
        1,
        "{}: one `ssoenv login` hint\n{}",
        sh.name(),
        p.transcript()
    );
    assert_eq!(
        env.emulator.calls(Op::StartDeviceAuthorization),
        1,
        "the hook never signs in"
    );
    assert!(
        slowest < Duration::from_secs(5),
        "a prompt took {slowest:?}"
    );
    assert_no_shell_errors(&p);
}

fn works_under_set_u(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = Pty::spawn(&env, sh, &format!("set -u\n{}", sh.init_line("")));
    exercise(&env, &mut p);
}

fn bash_strict_mode_does_not_kill_the_shell(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = Pty::spawn(
        &env,
        sh,
        &format!("set -euo pipefail\n{}", sh.init_line("")),
    );
    exercise(&env, &mut p);
}

fn zsh_ksh_arrays(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = Pty::spawn(
        &env,
        sh,
        &format!("setopt ksh_arrays\n{}", sh.init_line("")),
    );
    exercise(&env, &mut p);
}

fn zsh_hook_does_nothing_in_subshells(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, "");
    p.run("ssoenv allow allowed");
    p.take_log();
    // What completion does: `$(cd …; …)`.
    let out = p.get("echo \"[$(cd allowed && echo ${AWS_PROFILE-none})]\"");
    assert_eq!(
        out,
        "[none]",
        "the hook ran in a subshell\n{}",
        p.transcript()
    );
    p.run("x=$(cd untrusted; cd sub; pwd)");
    p.run("(cd untrusted && cd ..)");
    assert_eq!(
        count_lines(p.log(), |l| l.contains("ssoenv")),
        0,
        "the hook ran in a subshell\n{}",
        p.transcript()
    );
    assert_inactive(&mut p, "subshells leave the shell alone");
}

/// Count of runs of the user's own prompt commands, and the hook works.
fn prompt_command_case(preset: &str, counters: &[&str]) {
    let sh = Sh::Bash;
    let env = logged_in();
    create_trees(&env);
    let once = hook_registrations(&mut Pty::spawn(
        &env,
        sh,
        &format!("{preset}\n{}", sh.init_line("")),
    ));
    let mut p = Pty::spawn(
        &env,
        sh,
        &format!("{preset}\n{}\n{}", sh.init_line(""), sh.init_line("")),
    );
    if preset.contains("=(") {
        // Before 5.1 bash runs only an array's first element, with or
        // without ssoenv: there is nothing of ours to check, so the test
        // fails rather than pass having checked nothing.
        let version = p.get("echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}");
        let (major, minor) = version.split_once('.').unwrap();
        let (major, minor): (u32, u32) = (major.parse().unwrap(), minor.parse().unwrap());
        assert!(
            (major, minor) >= (5, 1),
            "bash {version} runs only the first element of an array PROMPT_COMMAND \
             (arrays need bash 5.1), so this test cannot run. Install bash 5.1 or later \
             (Debian 12 and Ubuntu 22.04 have it; `brew install bash` on macOS), or leave \
             it out: `cargo test -- --skip prompt_command_array`"
        );
    }
    assert_eq!(
        hook_registrations(&mut p),
        once,
        "hook added twice:\n{}",
        p.transcript()
    );
    let declared = p.get("declare -p PROMPT_COMMAND");
    assert!(
        !declared.starts_with("declare -x"),
        "PROMPT_COMMAND exported: {declared}"
    );
    if preset.contains("=(") {
        assert!(
            declared.starts_with("declare -a"),
            "no longer an array: {declared}"
        );
    }
    assert!(
        !vars(&mut p).contains_key("PROMPT_COMMAND"),
        "PROMPT_COMMAND in the environment"
    );

    let read = |p: &mut Pty| -> Vec<u32> {
        counters
            .iter()
            .map(|c| p.get(&format!("echo ${{{c}:-0}}")).parse().unwrap())
            .collect()
    };
    let first = read(&mut p);
    p.command("");
    let second = read(&mut p);
    for (i, c) in counters.iter().enumerate() {
        // One prompt after reading `first`, one for the empty line, one per
        // further read before this counter.
        assert_eq!(
            second[i],
            first[i] + 2 + counters.len() as u32 - 1,
            "the user's `{c}` must run once per prompt\n{}",
            p.transcript()
        );
    }
    exercise(&env, &mut p);
}

fn prompt_command_string_with_trailing_semicolon(_: Sh) {
    prompt_command_case("PROMPT_COMMAND='pc=$((${pc:-0}+1));'", &["pc"]);
}

fn prompt_command_array(_: Sh) {
    prompt_command_case(
        "PROMPT_COMMAND=('pa=$((${pa:-0}+1))' 'pb=$((${pb:-0}+1))')",
        &["pa", "pb"],
    );
}

/// Hook hygiene beyond `$?`: the user's own SIGINT trap is still there after
/// the hook switched profiles.
fn bash_user_int_trap_survives_the_hook(sh: Sh) {
    let env = logged_in();
    create_trees(&env);
    let mut p = spawn_with_init(&env, sh, "trap 'echo user-trap' INT");
    let expected = "trap -- 'echo user-trap' SIGINT";
    assert_eq!(
        p.get("trap -p INT"),
        expected,
        "the first prompt's hook replaced the user's INT trap\n{}",
        p.transcript()
    );
    p.run("ssoenv allow allowed");
    p.run("cd allowed");
    assert_eq!(var(&vars(&mut p), "AWS_PROFILE"), "dev");
    assert_eq!(
        p.get("trap -p INT"),
        expected,
        "switching profiles replaced the user's INT trap\n{}",
        p.transcript()
    );
}

// ---------------------------------------------------------------------------
// `ssoenv prompt` reads only the environment.

fn prompt_segment(env: &Env, vars: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = env.cmd(&["prompt"]);
    cmd.args(args);
    // Nothing to read: no HOME, no config.
    cmd.env("HOME", "/nonexistent")
        .env("AWS_CONFIG_FILE", "/nonexistent/config");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.bounded_output().unwrap();
    assert!(
        out.status.success(),
        "ssoenv prompt: {}",
        common::stderr(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn prompt_prints_nothing_without_a_profile_and_marks_expiry() {
    let env = Env::new();
    let format = ["--format", "{profile} {account} {ttl}"];
    assert_eq!(prompt_segment(&env, &[], &[]), "");
    assert_eq!(prompt_segment(&env, &[], &format), "");

    let later = (now() + 3000).to_string();
    let active = [
        ("SSOENV_PROFILE", "dev"),
        ("SSOENV_ACCOUNT", DEV_ACCOUNT),
        ("SSOENV_ROLE", "Admin"),
        ("SSOENV_EXPIRES", later.as_str()),
        ("SSOENV_RENEW_AT", later.as_str()),
        ("AWS_PROFILE", "dev"),
    ];
    let out = prompt_segment(&env, &active, &format);
    let fields: Vec<&str> = out.trim().split(' ').collect();
    assert_eq!(fields[..2], ["dev", DEV_ACCOUNT], "{out:?}");
    assert!(
        fields.len() == 3 && !fields[2].is_empty() && fields[2] != "expired",
        "{out:?}"
    );
    assert!(!prompt_segment(&env, &active, &[]).trim().is_empty());

    let mut expired = active;
    expired[3].1 = "1000";
    expired[4].1 = "1000";
    let out = prompt_segment(&env, &expired, &format);
    assert_eq!(out.trim(), format!("dev {DEV_ACCOUNT} expired"), "{out:?}");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 0);
    assert_eq!(env.emulator.calls(Op::CreateToken), 0);
}

/// How the sandbox's prompt ends, in its HOME: `~ $` (`#` for root), `~ %`, `~>`.
fn sandbox_prompt_end(sh: Sh) -> &'static str {
    // SAFETY: geteuid cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    match (sh, root) {
        (Sh::Fish, _) => "~>",
        (_, true) => "~ #",
        (Sh::Bash, false) => "~ $",
        (Sh::Zsh, false) => "~ %",
    }
}

/// `ssoenv sandbox` as a newcomer meets it: the banner tells what works and
/// what doesn't, the prompt says where you are, the shell's own syntax comes
/// out of `export`, and discovery has accounts beyond the profiles.
fn sandbox_says_what_it_is_and_works(sh: Sh) {
    let env = Env::new();
    let shell = sh.require();
    let cmd = env.cmd(&["sandbox", "--shell", shell.to_str().unwrap()]);
    let mut p = Pty::start(sh, cmd, sandbox_prompt_end(sh));
    let banner = p.take_log();
    for promise in [
        "The keys are fake",
        "the emulator's, which only assumes roles",
        "AWS itself rejects the keys",
        // It signed in the way a user would: in the (stand-in) browser.
        "signing in to sso-session corp in your browser",
        "ssoenv use dev",
        "ssoenv list",
        "ssoenv doctor",
    ] {
        assert!(banner.contains(promise), "{promise:?} not in:\n{banner}");
    }
    assert!(
        p.prompt_line().starts_with("(sandbox) "),
        "{}",
        p.transcript()
    );

    assert_eq!(p.get("echo $SHELL"), shell.to_str().unwrap());
    let home = p.get("echo $HOME");
    assert!(home.contains("ssoenv-sandbox-"), "{home}");
    for var in [
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
    ] {
        let dir = p.get(&format!("echo ${var}"));
        assert!(dir.starts_with(&format!("{home}/")), "{var}={dir}");
    }

    // `export` speaks this shell's language: its output evaluates here.
    let load = match sh {
        Sh::Fish => "ssoenv export dev | source",
        Sh::Bash | Sh::Zsh => "eval \"$(ssoenv export dev)\"",
    };
    p.run(load);
    let creds: serde_json::Value =
        serde_json::from_str(&p.run("ssoenv export dev --format json")).unwrap();
    assert_eq!(
        p.get("echo $AWS_ACCESS_KEY_ID"),
        creds["AccessKeyId"].as_str().unwrap()
    );

    p.run("ssoenv use staging");
    assert!(
        p.prompt_line().starts_with("(sandbox staging "),
        "the prompt shows the profile in use: {}",
        p.prompt_line()
    );

    // Accounts no profile uses, for `list` and the picker to find.
    let listed = p.run("ssoenv list");
    for account in ["extra-1", "extra-3", "900000000003"] {
        assert!(listed.contains(account), "{account} not in:\n{listed}");
    }

    // The banner's `doctor` finds nothing wrong in the sandbox.
    let report = p.run(&format!("ssoenv doctor; echo \"[{}]\"", sh.status()));
    assert!(report.ends_with("All checks passed.\n[0]\n"), "{report}");
    assert_no_shell_errors(&p);
}
