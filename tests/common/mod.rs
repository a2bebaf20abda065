//! Test harness: the real `ssoenv` binary, a throwaway HOME, and the
//! loopback Identity Center emulator reached through the standard
//! AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC variables.
#![allow(dead_code)] // each test binary uses part of the harness

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod pty;

use ssoenv::emulator::{DEFAULT_START_URL, Emulator, EmulatorConfig};

pub const CONFIG: &str = "\
[sso-session corp]
sso_start_url = START_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1

[profile prod]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = ReadOnly

[profile legacy]
sso_start_url = START_URL
sso_region = us-east-1
sso_account_id = 222222222222
sso_role_name = ReadOnly

[profile denied]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Admin
";

pub struct Env {
    pub home: tempfile::TempDir,
    pub emulator: Emulator,
}

impl Env {
    pub fn new() -> Env {
        Self::with(EmulatorConfig::default())
    }

    pub fn with(config: EmulatorConfig) -> Env {
        let home = tempfile::tempdir().unwrap();
        let env = Env {
            home,
            emulator: Emulator::start(config).unwrap(),
        };
        env.write_config(&CONFIG.replace("START_URL", DEFAULT_START_URL));
        env
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.home().join(".aws/config")
    }

    pub fn write_config(&self, text: &str) {
        std::fs::create_dir_all(self.home().join(".aws")).unwrap();
        std::fs::write(self.config_path(), text).unwrap();
    }

    /// `ssoenv ARGS` with an environment that points only at this test's
    /// HOME and emulator.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ssoenv"));
        cmd.args(args);
        self.isolate(&mut cmd);
        cmd
    }

    /// Strip the caller's AWS and ssoenv settings and point at the test HOME.
    pub fn isolate(&self, cmd: &mut Command) {
        for (name, _) in std::env::vars_os() {
            let n = name.to_string_lossy();
            if n.starts_with("AWS_")
                || n.starts_with("SSOENV_")
                || n.starts_with("XDG_")
                || n == "BROWSER"
            {
                cmd.env_remove(&name);
            }
        }
        cmd.env("HOME", self.home())
            .env("XDG_RUNTIME_DIR", self.home().join("run"))
            .env("AWS_ENDPOINT_URL_SSO", self.emulator.endpoint())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", self.emulator.endpoint())
            .env("SSOENV_TIMEOUT", "5")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null());
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
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
        self.ok(&["login", "--sso-session", "corp", "--no-browser"]);
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
}

pub fn sha1_hex(s: &str) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(s.as_bytes()))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Where `program` is on PATH. A test that needs a program that is missing
/// fails here, saying how to install it or leave the test out.
pub fn require(program: &str) -> PathBuf {
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

impl Env {
    /// Run a botocore interop script with this test's environment.
    pub fn python(&self, python: &Path, script: &str, args: &[&str]) -> serde_json::Value {
        let mut cmd = Command::new(python);
        cmd.arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/interop")
                .join(script),
        )
        .args(args);
        self.isolate(&mut cmd);
        cmd.env("AWS_CONFIG_FILE", self.config_path());
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{script} {args:?} failed: {}",
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}
