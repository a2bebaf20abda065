//! The tests' toolkit. [`Env`] is one isolated environment: a throwaway HOME
//! with the AWS config of [`config`], and the loopback Identity Center
//! emulator reached through the standard AWS_ENDPOINT_URL_SSO /
//! AWS_ENDPOINT_URL_SSO_OIDC variables. Every program a test starts, the real
//! `ssoenv` binary or a shell or botocore, is built by [`Env::command`] and
//! sees only that environment. [`require`], [`require_botocore`] and
//! [`require_js_sdk`] find the other programs the tests need; a missing one fails the test with the
//! command that installs it, so a test that could not run never passes.
//! [`cases`] is the property tests' seed and case count.
#![allow(dead_code)] // each test binary uses part of the toolkit

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[cfg(unix)]
/// One test per listed shell for each scenario function: `scenario::bash`
/// etc. (the test file imports `Sh`).
#[allow(unused_macros)]
macro_rules! in_shells {
    ($($scenario:ident: $($sh:ident)+;)*) => {$(
        mod $scenario {$(
            #[test]
            fn $sh() {
                let sh = super::Sh::from_name(stringify!($sh));
                sh.require();
                super::$scenario(sh);
            }
        )+}
    )*};
}

#[cfg(unix)]
pub mod pty;

pub mod bounded;
pub mod cases;
pub mod served;

use bounded::BoundedCommand;

use ssoenv::emulator::{DEFAULT_START_URL, Emulator, EmulatorConfig, sample};

/// The MFA device of the `mfa` profile of [`Env::write_config_with_mfa`].
pub const MFA_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice";

/// The line number (from 1) of the first line of `text` that starts with
/// `prefix`: where a config error should point.
pub fn line_of(text: &str, prefix: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}"))
        + 1
}

/// The AWS config every test starts with: the emulator's sample profiles
/// (`dev`, `staging`, `prod` in sso-session `corp`, and `deploy`, a role
/// chained after `dev`), `legacy`, which carries
/// its own start URL, and `denied`, whose role the user is not assigned.
pub fn config() -> String {
    format!(
        "{}\n\
         [profile legacy]\n\
         sso_start_url = {DEFAULT_START_URL}\n\
         sso_region = us-east-1\n\
         sso_account_id = 222222222222\n\
         sso_role_name = ReadOnly\n\
         \n\
         [profile denied]\n\
         sso_session = {}\n\
         sso_account_id = 333333333333\n\
         sso_role_name = Admin\n",
        sample::config(DEFAULT_START_URL),
        sample::SESSION,
    )
}

/// The caller's variables a test must not inherit, by prefix and by name: AWS
/// and ssoenv settings, XDG directories, browsers and displays, and what the
/// shells read at startup.
const DROPPED_PREFIXES: [&str; 3] = ["AWS_", "SSOENV_", "XDG_"];
const DROPPED: [&str; 15] = [
    "SHELL",
    "BROWSER",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "PROMPT_COMMAND",
    "PS1",
    "PS0",
    "PROMPT",
    "ENV",
    "BASH_ENV",
    "ZDOTDIR",
    "HISTFILE",
    "CDPATH",
    "LANG",
    "LANGUAGE",
];

pub struct Env {
    pub home: tempfile::TempDir,
    pub emulator: Emulator,
}

impl Env {
    pub fn new() -> Env {
        Self::with(EmulatorConfig::default())
    }

    pub fn with(emulator: EmulatorConfig) -> Env {
        let home = tempfile::tempdir().unwrap();
        let env = Env {
            home,
            emulator: Emulator::start(emulator).unwrap(),
        };
        env.write_config(&config());
        env
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.home().join(".aws").join("config")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::create_dir_all(self.home().join(".aws")).unwrap();
        std::fs::write(self.config_path(), text).unwrap();
    }

    /// `program` in this test's environment: started in HOME with nothing of
    /// the caller's AWS, ssoenv or shell settings, XDG directories inside
    /// HOME, the emulator's endpoints, the `ssoenv` under test first on PATH,
    /// a plain terminal and UTF-8, stdin empty.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        for (name, _) in std::env::vars_os() {
            let n = name.to_string_lossy();
            if DROPPED_PREFIXES.iter().any(|p| n.starts_with(p)) || DROPPED.contains(&n.as_ref()) {
                cmd.env_remove(&name);
            }
        }
        let home = self.home();
        let bin = Path::new(env!("CARGO_BIN_EXE_ssoenv")).parent().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path)),
        )
        .unwrap();
        // USERPROFILE, APPDATA and LOCALAPPDATA are what ssoenv reads on
        // Windows instead of HOME and the XDG directories.
        cmd.current_dir(home)
            .env("HOME", home)
            .env("USERPROFILE", home)
            .env("APPDATA", home.join("AppData").join("Roaming"))
            .env("LOCALAPPDATA", home.join("AppData").join("Local"))
            .env("PWD", home)
            .env("PATH", path)
            .env("XDG_RUNTIME_DIR", home.join("run"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_STATE_HOME", home.join(".local/state"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("AWS_ENDPOINT_URL_SSO", self.emulator.endpoint())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", self.emulator.endpoint())
            .env("AWS_ENDPOINT_URL_STS", self.emulator.endpoint())
            .env("AWS_ENDPOINT_URL_SIGNIN", self.emulator.endpoint())
            .env("SSOENV_TIMEOUT", "5")
            .env("TERM", "dumb")
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null());
        cmd
    }

    /// `ssoenv ARGS` in this test's environment ([`Env::command`]).
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_ssoenv"));
        cmd.args(args);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).bounded_output().unwrap()
    }

    /// Run and require success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "ssoenv {args:?} failed: {}",
            stderr(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn login(&self) {
        self.ok(&["login", "--sso-session", sample::SESSION, "--no-browser"]);
    }

    /// The test config plus `mfa`, a role after `dev` that needs the code
    /// of [`MFA_SERIAL`].
    pub fn write_config_with_mfa(&self) {
        self.write_config(&format!(
            "{}\n[profile mfa]\nrole_arn = {}\nsource_profile = dev\nmfa_serial = {MFA_SERIAL}\n",
            config(),
            sample::DEPLOY_ROLE
        ));
    }

    pub fn token_path(&self, key: &str) -> PathBuf {
        self.home()
            .join(".aws/sso/cache")
            .join(format!("{}.json", sha1_hex(key)))
    }

    pub fn read_json(&self, path: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    /// The credentials `export --format json` hands out.
    pub fn credentials(&self, profile: &str) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["export", profile, "--format", "json"])).unwrap()
    }

    /// What must hold once another SDK has refreshed the token ssoenv
    /// signed in with (`ours`, read when CreateToken had been called
    /// `creates` times): it refreshed once and wrote the new token back;
    /// ssoenv takes that up without a refresh of its own (the portal issuing
    /// `access_key_id`); and the refresh token the SDK stored refreshes for
    /// ssoenv.
    pub fn takes_up_the_token_refreshed_by(
        &self,
        sdk: &str,
        ours: &serde_json::Value,
        creates: u64,
        access_key_id: &str,
    ) {
        use ssoenv::emulator::Op;
        assert_eq!(
            self.emulator.calls(Op::CreateToken),
            creates + 1,
            "{sdk} refreshed ssoenv's token"
        );
        let path = self.token_path(sample::SESSION);
        let mut theirs = self.read_json(&path);
        assert_ne!(
            theirs["accessToken"], ours["accessToken"],
            "{sdk} wrote it back"
        );
        assert_ne!(theirs["refreshToken"], ours["refreshToken"], "{sdk}");
        let exported = self.credentials("prod");
        assert_eq!(exported["AccessKeyId"], access_key_id, "{sdk}");
        assert_eq!(self.emulator.calls(Op::CreateToken), creates + 1, "{sdk}");
        theirs["expiresAt"] = "2020-01-01T00:00:00Z".into();
        std::fs::write(&path, theirs.to_string()).unwrap();
        self.credentials("staging");
        assert_eq!(self.emulator.calls(Op::CreateToken), creates + 2, "{sdk}");
    }

    /// Run a botocore interop script (tests/interop) with this test's
    /// environment and config; returns the JSON it prints.
    pub fn python(&self, python: &Path, script: &str, args: &[&str]) -> serde_json::Value {
        let out = self
            .command(python)
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/interop")
                    .join(script),
            )
            .args(args)
            .env("AWS_CONFIG_FILE", self.config_path())
            .bounded_output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script} {args:?} failed: {}",
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Env {
    /// Run the AWS SDK for JavaScript oracle (tests/interop/js/oracle.mjs)
    /// with this test's environment and config; returns the JSON it prints.
    pub fn js(&self, node: &Path, args: &[&str]) -> serde_json::Value {
        let mut cmd = self.command(node);
        cmd.arg(js_oracle()).args(args);
        js_output(cmd, args)
    }
}

/// The oracle script, for commands that start it themselves (`exec`).
pub fn js_oracle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/js/oracle.mjs")
}

/// The JSON the oracle printed, failing the test unless it succeeded.
pub fn js_output(mut cmd: Command, args: &[&str]) -> serde_json::Value {
    let out = cmd.bounded_output().unwrap();
    assert!(
        out.status.success(),
        "the JavaScript SDK oracle {args:?} failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// Node.js with the pinned AWS SDK for JavaScript v3 installed in
/// tests/interop/js, the second independent reference. Without either the
/// test fails with the commands that install them (as .ci/run does).
#[cfg(unix)]
pub fn require_js_sdk() -> PathBuf {
    let node = require("node");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/js");
    let installed = ["@aws-sdk/credential-providers", "@aws-sdk/client-sts"]
        .iter()
        .all(|p| {
            dir.join("node_modules")
                .join(p)
                .join("package.json")
                .exists()
        });
    assert!(
        installed,
        "the AWS SDK for JavaScript is not installed, so this test cannot run. Install \
         the pinned packages: `cd {} && npm ci` (or run `.ci/run`), or leave these \
         tests out: `cargo test -- --skip js_`",
        dir.display()
    );
    node
}

/// ssoenv's documented exit codes (`ssoenv::error::exit`), typed as
/// `ExitStatus::code` returns them.
pub mod exit {
    use ssoenv::error::exit;

    pub const ERROR: i32 = exit::ERROR as i32;
    pub const USAGE: i32 = exit::USAGE as i32;
    pub const LOGIN_REQUIRED: i32 = exit::LOGIN_REQUIRED as i32;
    pub const INTERRUPTED: i32 = exit::INTERRUPTED as i32;
    /// `exec`: the command exists but cannot be run (as shells report it).
    pub const CANNOT_EXECUTE: i32 = exit::CANNOT_EXECUTE as i32;
    /// `exec`: there is no such command (as shells report it).
    pub const COMMAND_NOT_FOUND: i32 = exit::COMMAND_NOT_FOUND as i32;
}

pub fn sha1_hex(s: &str) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(s.as_bytes()))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Where `program` is on PATH. A test that needs a program that is missing
/// fails here, saying how to install it or leave the test out. (Unix only:
/// the shells and tools tests require are Unix programs.)
#[cfg(unix)]
pub fn require(program: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .unwrap_or_else(|| {
            panic!(
                "{program} is not installed, so this test cannot run. Install it with \
                 `sudo apt-get install {program}` (or run `.ci/run`, which installs \
                 everything the tests need), or leave its tests out: \
                 `cargo test -- --skip {program}`"
            )
        })
}

/// A Python that can import botocore, the independent reference for the
/// cache formats: SSOENV_TEST_PYTHON, else the repository's `.venv`, else
/// `python3`. Without one the test fails with the commands that create the
/// venv (with the pinned tests/interop/requirements.txt, as .ci/run does).
pub fn require_botocore() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join(".venv/bin/python");
    let candidate = match std::env::var_os("SSOENV_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None if venv.exists() => venv,
        None => "python3".into(),
    };
    let works = Command::new(&candidate)
        .args(["-c", "import botocore"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        works,
        "{} cannot import botocore, so this test cannot run. Create the venv the \
         tests use: `cd {} && python3 -m venv .venv && .venv/bin/pip install -r \
         tests/interop/requirements.txt` (or set SSOENV_TEST_PYTHON to a Python \
         that has botocore)",
        candidate.display(),
        root.display()
    );
    candidate
}
