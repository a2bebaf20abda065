//! What the per-shell tests share: the adversarial values, and a harness that
//! runs the real shells on the emitted statements.

#[cfg(unix)]
use super::Shell;
#[cfg(unix)]
use std::io::ErrorKind;
#[cfg(unix)]
use std::process::{Command, Output};

/// Values that break naive quoting in at least one of the shells. None holds
/// a NUL: no environment can.
pub(super) fn adversarial_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+/=",
        "",
        "'",
        "''",
        "it's",
        "\"",
        "\"\"",
        "trailing backslash\\",
        "\\",
        "\\'",
        "\\\\'\\",
        "$()",
        "$(id)",
        "`id`",
        "${HOME}",
        "$HOME $1 $$ $",
        "%PATH%",
        "line\nbreak\n",
        "\n",
        "carriage\rreturn\r\n",
        "\ttab",
        "!",
        "!!",
        "a!b !$ !-1 ^a^b",
        "é 日本 🦀",
        // PowerShell reads U+2018-U+201B as single quotes, U+201C-U+201E as double.
        "\u{2018}\u{2019}\u{201A}\u{201B}",
        "\u{2019}",
        "a\u{2019}b'",
        "\u{201C}\u{201D}\u{201E}",
        // NEL, line and paragraph separators, byte order mark.
        "\u{85}\u{2028}\u{2029}\u{FEFF}",
        "   ",
        "-e",
        "--help",
        "-",
        "* ? [a] ~",
        "#not a comment",
        "a; echo injected",
        "%s %n",
    ]
    .map(String::from)
    .to_vec();
    // Every ASCII character but NUL.
    values.push((1..=127u8).map(char::from).collect());
    values.push(random_ish(4096));
    values
}

/// About `len` bytes drawn from quoting hazards by a fixed xorshift, so that
/// every run tests the same string.
fn random_ish(len: usize) -> String {
    const POOL: &[char] = &[
        'a', 'Z', '0', ' ', '\'', '"', '\\', '$', '`', '!', '\n', '\r', '\t', '%', '{', '}', '(',
        ')', ';', '&', '|', '<', '>', '*', '?', '#', '~', '-', '=', 'é', '日', '🦀', '\u{2018}',
        '\u{2019}', '\u{201A}', '\u{201B}', '\u{201C}', '\u{201E}',
    ];
    let mut state: u32 = 0x9E37_79B9;
    let mut s = String::new();
    while s.len() < len {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        s.push(POOL[state as usize % POOL.len()]);
    }
    s
}

/// The variable the shell tests set. It is removed from the environment the
/// shells inherit, so a value can only reach them through the emitted code.
pub(super) const VAR: &str = "SSOENV_TEST_VAR";

/// A shell installed on this machine and the snippets that test it (bash,
/// zsh and fish: Unix programs, so their tests are Unix-only).
#[cfg(unix)]
pub(super) struct RealShell {
    /// The program and its options, ending with the one that takes a script.
    pub command: &'static [&'static str],
    /// First line of every script: make any failure end it.
    pub strict: &'static str,
    /// Prints `$SSOENV_TEST_VAR` as is, then the value a child process sees
    /// (`printenv`, which adds a newline).
    pub print: &'static str,
    /// Exits non-zero if `SSOENV_TEST_VAR` is set or exported; prints "gone".
    pub check_gone: &'static str,
}

#[cfg(unix)]
impl RealShell {
    /// Checks that `shell.set` reaches the shell's variable and its
    /// environment byte for byte, for every value, in a UTF-8 locale and in C.
    pub fn check_set(&self, shell: &dyn Shell) {
        self.require();
        for locale in ["C.UTF-8", "C"] {
            for value in adversarial_values() {
                let script = [self.strict, &shell.set(VAR, &value), self.print].join("\n");
                let stdout = self.run(&script, locale, None);
                assert!(
                    stdout == format!("{value}{value}\n").as_bytes(),
                    "{} in {locale} read {value:?} back as {:?}",
                    self.command[0],
                    String::from_utf8_lossy(&stdout),
                );
            }
        }
    }

    /// Checks that `shell.unset` removes a variable that `shell.set` made, one
    /// inherited from the environment, and quietly does nothing when there is
    /// none.
    pub fn check_unset(&self, shell: &dyn Shell) {
        self.require();
        let unset = shell.unset(VAR);
        let after_set = [self.strict, &shell.set(VAR, "x"), &unset, self.check_gone].join("\n");
        let alone = [self.strict, &unset, self.check_gone].join("\n");
        let cases = [
            ("made by set", &after_set, None),
            ("inherited", &alone, Some("x")),
            ("never set", &alone, None),
        ];
        for (case, script, inherited) in cases {
            let stdout = self.run(script, "C.UTF-8", inherited);
            assert_eq!(stdout, b"gone", "{}: {case}", self.command[0]);
        }
    }

    /// Fails the test unless the shell runs here, naming the command that
    /// installs it: a test that could not run must not pass.
    fn require(&self) {
        let program = self.command[0];
        match Command::new(program).arg("--version").output() {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => panic!(
                "{program} is not installed, so this test cannot run. Install it with \
                 `sudo apt-get install {program}` (or run `.ci/run`, which installs \
                 everything the tests need), or leave its tests out: \
                 `cargo test -- --skip {program}`"
            ),
            Err(e) => panic!("cannot run {program}: {e}"),
        }
    }

    /// Runs `script` and returns its stdout, failing the test unless it
    /// succeeded and wrote nothing to stderr.
    fn run(&self, script: &str, locale: &str, inherited: Option<&str>) -> Vec<u8> {
        let (program, options) = self.command.split_first().unwrap();
        let mut command = Command::new(program);
        command
            .args(options)
            .arg(script)
            .env("LC_ALL", locale)
            .env_remove(VAR);
        if let Some(value) = inherited {
            command.env(VAR, value);
        }
        let Output {
            status,
            stdout,
            stderr,
        } = command.output().unwrap();
        assert!(
            status.success() && stderr.is_empty(),
            "{program} in {locale} failed ({status}) on:\n{script}\nstderr: {}",
            String::from_utf8_lossy(&stderr),
        );
        stdout
    }
}
