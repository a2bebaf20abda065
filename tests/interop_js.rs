//! The AWS SDK for JavaScript v3, a second independent reference beside
//! botocore: each of its credential providers gets, from what ssoenv set
//! up, the keys the emulator issued, and a real client (STS) signs with
//! them. And the Rust SDK's own reading of ssoenv's token file.

#![cfg(unix)] // Node.js and the SDK from the npm install the Unix CI makes

mod common;

use std::time::Duration;

use common::{Env, js_oracle, js_output, require_js_sdk};
use ssoenv::emulator::{CredentialValues, EmulatorConfig, Op};

/// The keys the emulator issues in these tests, so a provider's answer can
/// be checked against them exactly.
fn issued() -> CredentialValues {
    CredentialValues {
        access_key_id: "ASIAJSORACLEEXAMPLE1".into(),
        secret_access_key: "js/oracle+secret=key".into(),
        session_token: "js-oracle-session-token/+=".into(),
    }
}

fn env_issuing(config: EmulatorConfig) -> Env {
    Env::with(EmulatorConfig {
        credential_values: Some(issued()),
        ..config
    })
}

/// `got` (the oracle's answer) holds the issued keys and signed with them.
fn assert_issued(got: &serde_json::Value, what: &str) {
    let keys = issued();
    assert_eq!(got["AccessKeyId"], keys.access_key_id, "{what}: {got}");
    assert_eq!(got["SecretAccessKey"], keys.secret_access_key, "{what}");
    assert_eq!(got["SessionToken"], keys.session_token, "{what}");
    assert_eq!(
        got["signedWith"]["AccessKeyId"], keys.access_key_id,
        "{what}"
    );
    assert_eq!(
        got["signedWith"]["SessionToken"], keys.session_token,
        "{what}"
    );
    assert_eq!(
        got["account"], "111111111111",
        "{what}: the call went through"
    );
}

/// The same instant, however each writes it (`…00Z`, `…00.000Z`).
fn same_time(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    let parse = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|s| s.parse::<ssoenv::timestamp::Timestamp>().ok())
    };
    parse(a).is_some() && parse(a) == parse(b)
}

#[test]
fn js_sso_provider_uses_and_refreshes_the_token_ssoenv_signed_in_with() {
    let node = require_js_sdk();
    // Four-minute tokens are inside the JavaScript SDK's 5-minute refresh
    // window; the one it gets in exchange lives eight hours.
    let env = env_issuing(EmulatorConfig {
        access_token_ttl: Duration::from_secs(240),
        ..Default::default()
    });
    env.login();
    let ours = env.read_json(&env.token_path("corp"));
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    let creates = env.emulator.calls(Op::CreateToken);

    let got = env.js(&node, &["sso", "dev"]);
    assert_issued(&got, "fromSSO");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    env.takes_up_the_token_refreshed_by(
        "the JavaScript SDK",
        &ours,
        creates,
        &issued().access_key_id,
    );
}

#[test]
fn js_process_provider_runs_credential_process() {
    let node = require_js_sdk();
    let env = env_issuing(EmulatorConfig::default());
    env.login();
    env.write_config(&format!(
        "{}\n[profile via-process]\ncredential_process = ssoenv credential-process dev\n",
        common::config()
    ));
    let got = env.js(&node, &["process", "via-process"]);
    assert_issued(&got, "fromProcess");
    let cached = env.credentials("dev");
    assert!(
        same_time(&got["Expiration"], &cached["Expiration"]),
        "{got}"
    );
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
}

#[test]
fn js_container_providers_fetch_from_exec_server() {
    let node = require_js_sdk();
    let env = env_issuing(EmulatorConfig::default());
    env.login();
    let mut cmd = env.cmd(&["exec", "--server", "dev", "--"]);
    cmd.arg(&node).arg(js_oracle()).arg("container");
    let got = js_output(cmd, &["container"]);
    assert_issued(&got["http"], "fromHttp");
    let metadata = &got["containerMetadata"];
    assert_eq!(metadata["AccessKeyId"], issued().access_key_id, "{got}");
    assert_eq!(metadata["SecretAccessKey"], issued().secret_access_key);
    assert_eq!(metadata["SessionToken"], issued().session_token);
    assert!(same_time(
        &metadata["Expiration"],
        &got["http"]["Expiration"]
    ));
}

#[test]
fn js_ini_provider_reads_what_write_credentials_wrote() {
    let node = require_js_sdk();
    let env = env_issuing(EmulatorConfig::default());
    env.login();
    env.ok(&["write-credentials", "dev"]);
    // Only the credentials file can answer: the config is empty.
    let empty = env.home().join("empty-config");
    std::fs::write(&empty, "").unwrap();
    let mut cmd = env.command(&node);
    cmd.arg(js_oracle())
        .args(["ini", "dev"])
        .env("AWS_CONFIG_FILE", &empty);
    let got = js_output(cmd, &["ini", "dev"]);
    assert_issued(&got, "fromIni");
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
}
