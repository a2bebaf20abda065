//! Test harness: the real `ssoenv` binary, a throwaway HOME, and the
//! loopback Identity Center emulator reached through the standard
//! AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC variables.
#![allow(dead_code)] // each test binary uses part of the harness

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
