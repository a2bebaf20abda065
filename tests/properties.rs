//! Properties checked on generated input: every value ssoenv quotes reads
//! back byte for byte in real bash, zsh and fish, alone and inside a saved
//! environment; the `.ssoenv` and timestamp parsers never panic, and what
//! they accept behaves.
//!
//! The input comes from a seeded generator, so a run is reproducible: CI
//! uses the fixed seed of tests/common/cases.rs. For more, or other, input:
//! `SSOENV_PROPTEST_CASES=100000 SSOENV_PROPTEST_SEED=$RANDOM cargo test --test properties`.
//! A failure names the seed and the value.

#![cfg(unix)] // real bash, zsh and fish (the parser properties are platform-neutral Rust, checked here)

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use common::Env;
use common::bounded::BoundedCommand;
use common::cases::{count, seed};
use ssoenv::dirprofile::DirFile;
use ssoenv::shell::ShellKind;
use ssoenv::timestamp::Timestamp;

/// The base case count: each property scales it by what one case costs.
const DEFAULT_CASES: usize = 4000;

/// SSOENV_PROPTEST_CASES, or [`DEFAULT_CASES`].
fn cases() -> usize {
    count(DEFAULT_CASES)
}

/// Characters that shells, terminals and Unicode make special, drawn more
/// often than chance would.
const HAZARDS: &[char] = &[
    '\'', '"', '\\', '$', '`', '!', '{', '}', '(', ')', ';', '&', '|', '<', '>', '*', '?', '[',
    ']', '#', '~', '%', '^', '=', ' ', '\n', '\r', '\t', '-', '@', ',',
];

/// One character, from every plane and every class a quoting bug hides in.
fn char_from(rng: &mut fastrand::Rng) -> char {
    let pick = |rng: &mut fastrand::Rng, lo: u32, hi: u32| {
        char::from_u32(rng.u32(lo..=hi)).expect("a scalar value")
    };
    match rng.u32(0..100) {
        0..25 => pick(rng, 0x20, 0x7e),
        25..40 => HAZARDS[rng.usize(..HAZARDS.len())],
        // C0 controls without NUL (no environment can hold one), and DEL.
        40..48 => match rng.u32(1..33) {
            32 => '\u{7f}',
            c => char::from_u32(c).unwrap(),
        },
        48..52 => pick(rng, 0x80, 0x9f),
        // What fish keeps for itself: bytes that are not UTF-8 (U+F600-U+F6FF)
        // and its wildcards and other internal markers (U+F700-U+F73F).
        52..62 => pick(rng, 0xf600, 0xf73f),
        // Quotes in other shapes: PowerShell reads the curly ones as quotes.
        62..68 => [
            '\u{2018}', '\u{2019}', '\u{201a}', '\u{201b}', '\u{201c}', '\u{201d}', '\u{201e}',
            '\u{201f}', '\u{2032}', '\u{2033}', '\u{ff07}', '\u{ff02}', '\u{02bc}', '\u{0060}',
        ][rng.usize(..14)],
        // Line breaks, marks, noncharacters, the ends of the planes.
        68..73 => [
            '\u{85}',
            '\u{2028}',
            '\u{2029}',
            '\u{feff}',
            '\u{200b}',
            '\u{202e}',
            '\u{fffd}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{e000}',
            '\u{f8ff}',
            '\u{10ffff}',
            '\u{1f980}',
        ][rng.usize(..13)],
        // Anything at all, in any of the 17 planes.
        _ => loop {
            let plane = rng.u32(0..17);
            if let Some(c) = char::from_u32((plane << 16) | rng.u32(0..0x10000)) {
                break c;
            }
        },
    }
}

/// A value up to `max` characters, short ones most often.
fn value(rng: &mut fastrand::Rng, max: usize) -> String {
    let len = match rng.u32(0..10) {
        0 => 0,
        1..8 => rng.usize(1..=max.min(16)),
        _ => rng.usize(1..=max),
    };
    (0..len).map(|_| char_from(rng)).collect()
}

/// `NAME=value` pairs of an `env -0` listing.
fn parse_env0(listing: &[u8]) -> BTreeMap<String, String> {
    listing
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (k, v) = e.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

/// How each shell runs a script file, and prints one variable
/// NUL-terminated. (Scripts go in files: they outgrow an argument.)
struct Real {
    kind: ShellKind,
    command: &'static [&'static str],
}

const SHELLS: [Real; 3] = [
    Real {
        kind: ShellKind::Bash,
        command: &["bash", "--norc", "--noprofile"],
    },
    Real {
        kind: ShellKind::Zsh,
        command: &["zsh", "-f"],
    },
    Real {
        kind: ShellKind::Fish,
        command: &["fish", "--no-config"],
    },
];

fn real(kind: ShellKind) -> &'static Real {
    SHELLS.iter().find(|s| s.kind == kind).unwrap()
}

impl Real {
    fn print(&self, name: &str) -> String {
        format!("printf '%s\\0' \"${name}\"")
    }

    /// Run `script` with nothing but PATH, HOME and the locale in its
    /// environment; its stdout.
    fn run(&self, script: &str, locale: &str, seed: u64) -> Vec<u8> {
        let mut cmd = Command::new(common::require(self.command[0]));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", std::env::temp_dir())
            .env("LC_ALL", locale);
        self.run_in(cmd, script, &format!("in {locale}, seed {seed}"))
    }

    /// Run `script` in the shell `cmd` starts; its stdout. It must succeed
    /// and say nothing on stderr.
    fn run_in(&self, mut cmd: Command, script: &str, what: &str) -> Vec<u8> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), script).unwrap();
        let out = cmd
            .args(&self.command[1..])
            .arg(file.path())
            .stdin(Stdio::null())
            .bounded_output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{} {what} failed ({}): {}",
            self.command[0],
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

/// Values per shell process: a few hundred keep the environment far below
/// the kernel's limit.
const BATCH: usize = 400;

/// `set` reaches the shell's own variable and the environment it exports,
/// byte for byte, for thousands of generated values, in a UTF-8 locale and
/// in C.
fn quoting_round_trips(kind: ShellKind) {
    let sh = real(kind);
    let seed = seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let values: Vec<String> = (0..cases()).map(|_| value(&mut rng, 200)).collect();
    for (b, batch) in values.chunks(BATCH).enumerate() {
        let names: Vec<String> = (0..batch.len()).map(|i| format!("SSOENV_P{i}")).collect();
        let mut script = String::new();
        for (name, v) in names.iter().zip(batch) {
            script.push_str(&kind.shell().set(name, v));
            script.push('\n');
        }
        for name in &names {
            script.push_str(&sh.print(name));
            script.push('\n');
        }
        script.push_str("env -0\n");
        for locale in ["C.UTF-8", "C"] {
            let out = sh.run(&script, locale, seed);
            let mut fields = out.splitn(batch.len() + 1, |&b| b == 0);
            let exported = {
                let shown: Vec<&[u8]> = fields.by_ref().take(batch.len()).collect();
                let env = parse_env0(fields.next().unwrap_or_default());
                for (i, (name, v)) in names.iter().zip(batch).enumerate() {
                    let what = || {
                        format!(
                            "{} in {locale}, seed {seed}, value {}: {v:?}",
                            kind.name(),
                            b * BATCH + i
                        )
                    };
                    assert_eq!(
                        shown.get(i).copied(),
                        Some(v.as_bytes()),
                        "the shell's variable: {}",
                        what()
                    );
                    assert_eq!(env.get(name), Some(v), "the environment: {}", what());
                }
                env.len()
            };
            assert!(exported >= batch.len());
        }
    }
}

/// Ends a round's listing: no environment entry, which has a `=`, is this.
const END: &str = "--end-of-round--";

/// The user's own variables survive `use` and `off` whatever they hold: the
/// saved environment is code quoted inside a quoted variable, and each round
/// puts generated values through both layers.
fn saved_environments_round_trip(kind: ShellKind) {
    const OWN: [&str; 9] = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_SECURITY_TOKEN",
        "AWS_DEFAULT_PROFILE",
    ];
    let sh = real(kind);
    let env = Env::new();
    env.login();
    env.credentials("dev");
    let seed = seed();
    let mut rng = fastrand::Rng::with_seed(seed ^ kind as u64);
    let rounds = (cases() / OWN.len() / 4).max(1);
    let eval = |verb: &str| match kind {
        ShellKind::Fish => format!("ssoenv {verb} --shell fish | source"),
        _ => format!("eval \"$(ssoenv {verb} --shell {})\"", kind.name()),
    };
    let mut script = String::new();
    let mut expected = Vec::new();
    for _ in 0..rounds {
        let own: Vec<(&str, Option<String>)> = OWN
            .iter()
            .map(|&name| (name, rng.bool().then(|| value(&mut rng, 64))))
            .collect();
        for (name, v) in &own {
            let statement = match v {
                Some(v) => kind.shell().set(name, v),
                None => kind.shell().unset(name),
            };
            script.push_str(&statement);
            script.push('\n');
        }
        for line in [
            eval("use --quiet dev"),
            sh.print("SSOENV_PROFILE"),
            eval("off"),
        ] {
            script.push_str(&line);
            script.push('\n');
        }
        script.push_str(&format!("env -0; printf '%s\\0' '{END}'\n"));
        expected.push(own);
    }
    let shell = env.command(common::require(sh.command[0]));
    let out = sh.run_in(shell, &script, &format!("seed {seed}"));
    // Per round: the profile `use` set, then the environment after `off`.
    let mut fields = out.split(|&b| b == 0);
    for (round, own) in expected.iter().enumerate() {
        assert_eq!(
            fields.next(),
            Some(&b"dev"[..]),
            "round {round}: `use dev` took effect"
        );
        let listing: Vec<u8> = fields
            .by_ref()
            .take_while(|f| *f != END.as_bytes())
            .flat_map(|f| f.iter().copied().chain([0]))
            .collect();
        let after = parse_env0(&listing);
        for (name, v) in own {
            assert_eq!(
                after.get(*name),
                v.as_ref(),
                "{}, seed {seed}, round {round}: {name} after use and off",
                kind.name()
            );
        }
        assert!(!after.contains_key("SSOENV_PROFILE"), "round {round}");
    }
}

macro_rules! in_shells {
    ($($property:ident),*) => {$(
        mod $property {
            use ssoenv::shell::ShellKind;
            #[test]
            fn bash() { super::$property(ShellKind::Bash) }
            #[test]
            fn zsh() { super::$property(ShellKind::Zsh) }
            #[test]
            fn fish() { super::$property(ShellKind::Fish) }
        }
    )*};
}

in_shells!(quoting_round_trips, saved_environments_round_trip);

/// Text that looks like `.ssoenv` lines often enough to reach every branch.
fn dirprofile_text(rng: &mut fastrand::Rng) -> String {
    const PIECES: &[&str] = &[
        "profile", "profile ", " = ", "=", "#", "# c", "\n", "\r\n", "\r", " ", "\t", "dev",
        "prod", "\u{feff}", "\u{a0}", "\u{2028}", "==", "[x]", "profile=", "\0",
    ];
    let mut text = String::new();
    for _ in 0..rng.usize(0..12) {
        match rng.bool() {
            true => text.push_str(PIECES[rng.usize(..PIECES.len())]),
            false => text.push_str(&value(rng, 6)),
        }
    }
    text
}

#[test]
fn the_dirprofile_parser_never_panics_and_reads_one_line_names() {
    let seed = seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    for case in 0..cases() * 25 {
        let content = dirprofile_text(&mut rng);
        let file = DirFile {
            root: "/p".into(),
            path: "/p/.ssoenv".into(),
            content: content.clone(),
        };
        let what = || format!("seed {seed}, case {case}: {content:?}");
        let parsed = std::panic::catch_unwind(|| file.profile())
            .unwrap_or_else(|_| panic!("panicked on {}", what()));
        match parsed {
            Ok(name) => {
                assert!(
                    !name.is_empty() && name == name.trim(),
                    "{name:?}: {}",
                    what()
                );
                assert!(!name.contains('#'), "{name:?}: {}", what());
                assert!(!name.contains(char::is_control), "{name:?}: {}", what());
                assert!(content.contains(&name), "{}", what());
            }
            Err(message) => assert!(message.starts_with("/p/.ssoenv"), "{}", what()),
        }
    }
}

/// Text that is RFC 3339 often, and nearly so more often.
fn timestamp_text(rng: &mut fastrand::Rng) -> String {
    let digits = |rng: &mut fastrand::Rng, n: usize| -> String {
        (0..n).map(|_| char::from(b'0' + rng.u8(0..10))).collect()
    };
    let mut text = match rng.u32(0..4) {
        0 => "9999-12-31T23:59:59".to_string(),
        1 => "0000-01-01T00:00:00".to_string(),
        _ => format!(
            "{}-{}-{}{}{}:{}:{}",
            digits(rng, 4),
            digits(rng, 2),
            digits(rng, 2),
            ['T', 't', ' ', '_'][rng.usize(..4)],
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 2)
        ),
    };
    if rng.bool() {
        let n = [1, 3, 9, 10, 100, 5000][rng.usize(..6)];
        text.push('.');
        text.push_str(&digits(rng, n));
    }
    match rng.u32(0..5) {
        0 => text.push('Z'),
        1 => text.push('z'),
        2 => text.push_str(&format!(
            "{}{}:{}",
            ['+', '-'][rng.usize(..2)],
            digits(rng, 2),
            digits(rng, 2)
        )),
        3 => text.push_str(&value(rng, 4)),
        _ => {}
    }
    // Now and then a character changed, dropped or added anywhere.
    if rng.u32(0..4) == 0 {
        let mut chars: Vec<char> = text.chars().collect();
        let at = rng.usize(..=chars.len());
        match rng.u32(0..3) {
            0 if at < chars.len() => chars[at] = char_from(rng),
            1 if at < chars.len() => {
                chars.remove(at);
            }
            _ => chars.insert(at, char_from(rng)),
        }
        text = chars.into_iter().collect();
    }
    text
}

#[test]
fn the_timestamp_parser_never_panics_and_what_it_accepts_computes() {
    let seed = seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    let now = Timestamp::now();
    let mut accepted = 0;
    for case in 0..cases() * 25 {
        let text = timestamp_text(&mut rng);
        let what = || format!("seed {seed}, case {case}: {text:?}");
        let parsed = std::panic::catch_unwind(|| text.parse::<Timestamp>())
            .unwrap_or_else(|_| panic!("panicked on {}", what()));
        let Ok(t) = parsed else { continue };
        accepted += 1;
        std::panic::catch_unwind(|| {
            let written = t.to_string();
            assert_eq!(written.len(), 20);
            assert_eq!(written.parse::<Timestamp>(), Ok(t));
            assert_eq!(Timestamp::from_unix_seconds(t.unix_seconds()), Some(t));
            let _ = (t.describe_expiry(now), now.describe_expiry(t));
            for d in [i64::MIN, -1, 1, i64::MAX] {
                let _ = t.saturating_add(time::Duration::seconds(d)).to_string();
            }
        })
        .unwrap_or_else(|_| panic!("an accepted time misbehaved: {}", what()));
    }
    // The generator reaches the accepting branch, not only the errors.
    assert!(accepted > cases(), "only {accepted} accepted");
}
