//! `ssoenv use` with no argument: the picker in a real terminal, in real
//! bash, zsh and fish loaded with `eval "$(ssoenv init …)"`, against the
//! emulator.

#![cfg(unix)] // bash, zsh and fish on a pseudo-terminal

#[macro_use]
mod common;

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;

use common::Env;
use common::pty::{PROMPT, Pty, Sh};
use ssoenv::emulator::{EmulatorConfig, Op, sample};

in_shells! {
    typing_part_of_a_name_and_enter_switches: bash zsh fish;
    an_account_role_of_the_sign_in_is_offered_and_chosen: bash zsh fish;
    without_a_sign_in_only_profiles_are_offered: bash;
    a_list_longer_than_the_timeout_is_offered_whole: bash;
    esc_and_ctrl_c_change_nothing: bash zsh fish;
    the_last_choice_is_offered_first: bash;
    a_corrupt_history_is_ignored_with_one_warning: bash;
    fzf_when_asked: bash zsh fish;
    fzf_missing_falls_back_to_the_built_in_picker: bash;
}

/// The config's profiles that give credentials (`common::config()`: the
/// SSO profiles and `deploy`, a role chained after `dev`).
const PROFILES: usize = 6;

/// Those profiles and the one account/role of the sign-in that no profile
/// points at (`dev/ReadOnly`): the picker's count line shows how many match
/// out of these.
const CANDIDATES: usize = PROFILES + 1;

fn count(matching: usize) -> String {
    format!("{matching}/{CANDIDATES}")
}

/// Keys typed exactly as given. [`Pty::send_line`] always ends in Enter, but
/// Esc must arrive alone (Esc then Enter reads as Alt-Enter), so this writes
/// to the pseudo-terminal's master directly: the harness holds it open in
/// this process, and the terminal number the shell reports tells which it is.
struct Keys(File);

impl Keys {
    fn of(p: &mut Pty) -> Keys {
        let tty = p.get("tty");
        let number: libc::c_uint = tty
            .strip_prefix("/dev/pts/")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("`tty` printed {tty:?}"));
        for entry in std::fs::read_dir("/proc/self/fd").unwrap() {
            let Ok(fd) = entry.unwrap().file_name().to_string_lossy().parse() else {
                continue;
            };
            // Check a copy: another test may close and reuse `fd` meanwhile.
            // SAFETY: duplicating a descriptor number; the copy is ours.
            let copy = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
            if copy < 0 {
                continue;
            }
            // SAFETY: `copy` is a new descriptor owned by nothing else.
            let file = unsafe { File::from_raw_fd(copy) };
            let mut n: libc::c_uint = 0;
            // SAFETY: TIOCGPTN writes one c_uint; it fails on anything but a master.
            if unsafe { libc::ioctl(copy, libc::TIOCGPTN, &mut n) } == 0 && n == number {
                return Keys(file);
            }
        }
        panic!("no pseudo-terminal master for {tty} in this process");
    }

    fn press(&mut self, keys: &str) {
        self.0.write_all(keys.as_bytes()).unwrap();
    }
}

const ESC: &str = "\x1b";
const CTRL_C: &str = "\x03";
const ENTER: &str = "\r";

fn logged_in() -> Env {
    let env = Env::new();
    env.login();
    env
}

fn spawn(env: &Env, sh: Sh, vars: &[(&str, &str)]) -> (Pty, Keys) {
    let mut p = Pty::spawn_with(env, sh, &sh.init_line(""), vars);
    let keys = Keys::of(&mut p);
    (p, keys)
}

/// Start `ssoenv use` with no argument and wait for the picker to show
/// every candidate, `first` highlighted.
fn open_picker(p: &mut Pty, first: &str) {
    p.send_line("ssoenv use");
    p.expect(&highlighted(first));
    assert!(
        p.transcript().contains(&count(CANDIDATES)),
        "{}",
        p.transcript()
    );
}

/// The highlighted line of the built-in picker (plain: TERM is dumb). The
/// harness's `expect` looks only at lines that arrive after it is called,
/// so each step waits for one line that only its keys can bring.
fn highlighted(profile: &str) -> String {
    format!("> profile  {profile} ")
}

/// After the picker: wait until the shell is back at its prompt.
fn back_at_prompt(p: &mut Pty) {
    p.expect(PROMPT.trim_end());
}

fn last_status(p: &mut Pty) -> String {
    let sh = p.sh();
    p.command(&format!("echo \"[{}]\"", sh.status()))
        .trim()
        .to_string()
}

/// The variables `use` changes, and the terminal's settings.
fn state(p: &mut Pty) -> Vec<String> {
    let mut out: Vec<String> = [
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SESSION_TOKEN",
        "SSOENV_PROFILE",
        "SSOENV_ACCOUNT",
    ]
    .iter()
    .map(|v| format!("{v}={}", p.get(&format!("echo ${v}"))))
    .collect();
    out.push(format!("stty {}", p.get("stty -g")));
    out
}

/// Whether a line of `transcript` holds exactly `words`, however the
/// columns are padded.
fn has_line(transcript: &str, words: &[&str]) -> bool {
    transcript
        .lines()
        .any(|l| l.split_whitespace().eq(words.iter().copied()))
}

fn history(env: &Env) -> serde_json::Value {
    env.read_json(&env.home().join(".local/state/ssoenv/frecency.json"))
}

// ---------------------------------------------------------------------------

fn typing_part_of_a_name_and_enter_switches(sh: Sh) {
    let env = logged_in();
    let (mut p, mut keys) = spawn(&env, sh, &[]);
    let stty = p.get("stty -g");
    open_picker(&mut p, "denied");
    // A profile's line names its account too (prod has no other role).
    assert!(
        p.transcript().contains("prod (333333333333)"),
        "{}",
        p.transcript()
    );
    // "pro" alone would match `denied` too: its account is named prod.
    keys.press("pro read");
    p.expect(&count(1));
    keys.press(ENTER);
    back_at_prompt(&mut p);
    assert_eq!(last_status(&mut p), "[0]", "{}", p.transcript());

    assert_eq!(p.get("echo $AWS_PROFILE"), "prod", "{}", p.transcript());
    assert_eq!(p.get("echo $SSOENV_PROFILE"), "prod");
    assert_eq!(p.get("echo $SSOENV_ACCOUNT"), "333333333333");
    let key_id = p.get("echo $AWS_ACCESS_KEY_ID");
    assert_eq!(
        key_id,
        env.credentials("prod")["AccessKeyId"],
        "prod's credentials"
    );
    assert_eq!(p.get("stty -g"), stty, "terminal settings as before");
    // The way to get there without the picker, on the terminal.
    assert!(
        p.transcript()
            .contains("next time, without the picker: ssoenv use prod"),
        "{}",
        p.transcript()
    );
    // The choice is remembered for the next picker.
    assert_eq!(history(&env)["entries"]["prod"]["uses"], 1.0);
}

fn an_account_role_of_the_sign_in_is_offered_and_chosen(sh: Sh) {
    let env = logged_in();
    let (mut p, mut keys) = spawn(&env, sh, &[]);
    open_picker(&mut p, "denied");
    // It says what it is, with the account's name and id.
    let line = [
        "account",
        "dev/ReadOnly",
        "dev",
        "(111111111111)",
        "ReadOnly",
    ];
    // The last of the picker's lines: it may arrive after the first ones.
    if !has_line(&p.transcript(), &line) {
        p.expect("dev/ReadOnly");
    }
    assert!(has_line(&p.transcript(), &line), "{}", p.transcript());
    keys.press("readonly dev");
    p.expect(&count(1));
    keys.press(ENTER);
    back_at_prompt(&mut p);
    assert_eq!(last_status(&mut p), "[0]", "{}", p.transcript());

    // As `use dev/ReadOnly`: the credentials, and no profile for tools.
    assert_eq!(p.get("echo $AWS_PROFILE"), "", "{}", p.transcript());
    assert_eq!(p.get("echo $SSOENV_PROFILE"), "dev/ReadOnly");
    assert_eq!(p.get("echo $SSOENV_ACCOUNT"), "111111111111");
    assert_eq!(p.get("echo $SSOENV_ROLE"), "ReadOnly");
    assert_eq!(p.get("echo $SSOENV_ACCOUNT_NAME"), "dev");
    let key_id = p.get("echo $AWS_ACCESS_KEY_ID");
    assert_eq!(key_id, env.credentials("dev/ReadOnly")["AccessKeyId"]);
    assert!(
        p.transcript()
            .contains("next time, without the picker: ssoenv use dev/ReadOnly"),
        "{}",
        p.transcript()
    );
    assert_eq!(history(&env)["entries"]["dev/ReadOnly"]["uses"], 1.0);
}

fn without_a_sign_in_only_profiles_are_offered(sh: Sh) {
    let env = Env::new();
    let (mut p, mut keys) = spawn(&env, sh, &[]);
    p.send_line("ssoenv use");
    p.expect(&highlighted("denied"));
    let all = format!("{PROFILES}/{PROFILES}");
    assert!(p.transcript().contains(&all), "{}", p.transcript());
    keys.press(ESC);
    back_at_prompt(&mut p);
    assert_eq!(last_status(&mut p), "[130]", "{}", p.transcript());
    assert_eq!(env.emulator.calls(Op::ListAccounts), 0);
}

/// A large organisation: listing takes longer than one call's --timeout
/// (40 accounts at 50 ms each, under a 20-a-second limit, with a 1-second
/// timeout), and the picker still offers every account, and caches them.
fn a_list_longer_than_the_timeout_is_offered_whole(sh: Sh) {
    let mut accounts = sample::accounts();
    accounts.extend(sample::extra_accounts(40, 1));
    let env = Env::with(EmulatorConfig {
        accounts,
        latency: std::time::Duration::from_millis(50),
        rate_limit: Some(20),
        ..Default::default()
    });
    env.login();
    let (mut p, mut keys) = spawn(&env, sh, &[("SSOENV_TIMEOUT", "1")]);
    p.send_line("ssoenv use");
    p.expect(&highlighted("denied"));
    let all = CANDIDATES + 40;
    assert!(
        p.transcript().contains(&format!("{all}/{all}")),
        "{}",
        p.transcript()
    );
    assert!(
        p.transcript()
            .contains("listing the accounts and roles of sso-session corp")
    );
    keys.press(ESC);
    back_at_prompt(&mut p);
    // The next picker takes them from the cache.
    let listed = env.emulator.calls(Op::ListAccounts);
    p.send_line("ssoenv use");
    p.expect(&highlighted("denied"));
    keys.press(ESC);
    back_at_prompt(&mut p);
    assert_eq!(env.emulator.calls(Op::ListAccounts), listed, "listed again");
}

fn esc_and_ctrl_c_change_nothing(sh: Sh) {
    let env = logged_in();
    let (mut p, mut keys) = spawn(&env, sh, &[]);
    p.run("ssoenv use dev");
    let before = state(&mut p);
    assert!(
        before.contains(&"AWS_PROFILE=dev".to_string()),
        "{before:?}"
    );

    for (name, key) in [("Esc", ESC), ("Ctrl-C", CTRL_C)] {
        open_picker(&mut p, "denied");
        keys.press("pro read");
        p.expect(&count(1));
        keys.press(key);
        back_at_prompt(&mut p);
        assert_eq!(
            last_status(&mut p),
            "[130]",
            "after {name}\n{}",
            p.transcript()
        );
        assert_eq!(state(&mut p), before, "after {name}\n{}", p.transcript());
    }
    assert_eq!(
        p.transcript()
            .matches("nothing chosen; nothing changed")
            .count(),
        2,
        "{}",
        p.transcript()
    );
    assert!(
        !env.home()
            .join(".local/state/ssoenv/frecency.json")
            .exists(),
        "nothing recorded"
    );
}

fn the_last_choice_is_offered_first(sh: Sh) {
    let env = logged_in();
    let (mut p, mut keys) = spawn(&env, sh, &[]);
    // By name, `denied` comes first.
    open_picker(&mut p, "denied");
    keys.press("prod read");
    p.expect(&count(1));
    keys.press(ENTER);
    back_at_prompt(&mut p);
    p.run("ssoenv use dev");
    assert_eq!(p.get("echo $AWS_PROFILE"), "dev");

    // Chosen once: now it leads, and Enter alone takes it.
    open_picker(&mut p, "prod");
    keys.press(ENTER);
    back_at_prompt(&mut p);
    assert_eq!(p.get("echo $AWS_PROFILE"), "prod", "{}", p.transcript());
    assert_eq!(history(&env)["entries"]["prod"]["uses"], 2.0);
    // A named `use` is not recorded.
    assert!(history(&env)["entries"].get("dev").is_none());
}

fn a_corrupt_history_is_ignored_with_one_warning(sh: Sh) {
    let env = logged_in();
    let path = env.home().join(".local/state/ssoenv/frecency.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{\"version\":1,\"entries\":{\"prod\":").unwrap();
    let (mut p, mut keys) = spawn(&env, sh, &[]);
    open_picker(&mut p, "denied");
    keys.press("dev");
    // The profile and the account/role dev/ReadOnly.
    p.expect(&count(2));
    keys.press(ENTER);
    back_at_prompt(&mut p);
    assert_eq!(p.get("echo $AWS_PROFILE"), "dev", "{}", p.transcript());
    let warning = "warning: ignoring the picker's usage history";
    assert_eq!(
        p.transcript().matches(warning).count(),
        1,
        "{}",
        p.transcript()
    );
    // Rewritten whole, with this choice.
    let entries = history(&env)["entries"].clone();
    assert_eq!(entries.as_object().unwrap().len(), 1, "{entries}");
    assert_eq!(entries["dev"]["uses"], 1.0);
}

/// fzf is driven through its own options (FZF_DEFAULT_OPTS, which ssoenv
/// leaves to the user): a query that leaves one match makes it choose at
/// once, one that matches nothing makes it exit without a choice. Typing
/// into fzf is fzf's business; this is about the candidates going in, the
/// choice coming back, and the shell holding it.
fn fzf_when_asked(sh: Sh) {
    common::require("fzf");
    let env = logged_in();
    // `NAME=VALUE command` works with functions in bash, zsh and fish ≥ 3.1.
    let fzf = |opts: &str| format!("FZF_DEFAULT_OPTS='{opts}' ssoenv use");
    let (mut p, _) = spawn(&env, sh, &[("SSOENV_PICKER", "fzf")]);
    let stty = p.get("stty -g");

    p.command(&fzf("--query=\"prod read\" --select-1"));
    assert_eq!(last_status(&mut p), "[0]", "{}", p.transcript());
    assert_eq!(p.get("echo $AWS_PROFILE"), "prod", "{}", p.transcript());
    assert!(
        p.log()
            .contains("next time, without the picker: ssoenv use prod"),
        "{}",
        p.log()
    );
    assert_eq!(history(&env)["entries"]["prod"]["uses"], 1.0);

    // The kind column is shown but not searched, as in the built-in picker.
    p.command(&fzf("--query=profile --exit-0"));
    assert_eq!(last_status(&mut p), "[130]", "{}", p.transcript());
    assert!(
        p.log().contains("nothing chosen; nothing changed"),
        "{}",
        p.log()
    );
    assert_eq!(p.get("echo $AWS_PROFILE"), "prod");
    assert_eq!(p.get("stty -g"), stty, "terminal settings as before");
}

fn fzf_missing_falls_back_to_the_built_in_picker(sh: Sh) {
    let env = logged_in();
    let (mut p, mut keys) = spawn(&env, sh, &[("SSOENV_PICKER", "fzf")]);
    // The wrapper runs the binary by absolute path; fzf is not on this PATH.
    p.send_line("PATH=/nonexistent ssoenv use");
    p.expect(&highlighted("denied"));
    let note = "SSOENV_PICKER=fzf, but fzf is not installed; using the built-in picker";
    assert!(p.transcript().contains(note), "{}", p.transcript());
    keys.press("dev");
    p.expect(&highlighted("dev"));
    keys.press(ENTER);
    back_at_prompt(&mut p);
    assert_eq!(p.get("echo $AWS_PROFILE"), "dev", "{}", p.transcript());
}

/// Without a terminal there is nothing to pick on: say how to name a target,
/// at once (before listing any account), and print no shell code.
#[test]
fn without_a_terminal_use_says_how_to_name_a_target() {
    let env = logged_in();
    let out = env.run(&["use", "--shell", "bash"]);
    assert_eq!(
        out.status.code(),
        Some(common::exit::USAGE),
        "{}",
        common::stderr(&out)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        env.emulator.calls(Op::ListAccounts),
        0,
        "listed for nothing"
    );
    let err = common::stderr(&out);
    assert!(
        err.contains("no terminal to choose on")
            && err.contains("`ssoenv use PROFILE`")
            && err.contains("`ssoenv use ACCOUNT/ROLE`"),
        "{err}"
    );
}
