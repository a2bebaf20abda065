//! Test harness: the real `ssoenv` binary, a throwaway HOME, and the
//! loopback Identity Center emulator reached through the standard
//! AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC variables.
#![allow(dead_code)] // each test binary uses part of the harness

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

/// Whether an external program is available. Under CI a missing one is a
/// failure, locally a visible skip.
pub fn have(program: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{program} is required under CI but not installed"
        );
        eprintln!("skipped: {program} not installed (CI installs it; see .ci/run)");
    }
    found
}

/// A Python that can import botocore: SSOENV_TEST_PYTHON, else the repo's
/// `.venv` (which .ci/run creates with the pinned tests/interop/requirements.txt),
/// else `python3` if it has botocore. Under CI a missing one fails; locally it
/// is a visible skip.
pub fn python_with_botocore() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
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
    if works {
        return Some(candidate);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} cannot import botocore; CI must install it (see .ci/run)",
        candidate.display()
    );
    eprintln!("skipped: no Python with botocore (set SSOENV_TEST_PYTHON)");
    None
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
