//! The Rust SDK's own SSO providers (aws-config's `sso` feature) reading
//! the token file ssoenv writes, refreshing it, and ssoenv reading it back:
//! a third reader of the format beside botocore and the JavaScript SDK.
//!
//! aws-config finds the token cache and the endpoints through the process
//! environment (HOME, AWS_ENDPOINT_URL_SSO, ...), with no way to pass them
//! in, so this file holds a single test that sets them before the SDK
//! starts.

mod common;

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_sdk_sso::config::ProvideCredentials;
use common::Env;
use ssoenv::emulator::{CredentialValues, EmulatorConfig, Op};

#[tokio::test]
async fn the_rust_sdk_uses_and_refreshes_the_token_ssoenv_signed_in_with() {
    let issued = CredentialValues {
        access_key_id: "ASIARUSTSDKEXAMPLE01".into(),
        secret_access_key: "rust/sdk+secret=key".into(),
        session_token: "rust-sdk-session-token".into(),
    };
    // Four-minute tokens are inside the Rust SDK's 5-minute refresh window;
    // the one it gets in exchange lives eight hours.
    let env = Env::with(EmulatorConfig {
        access_token_ttl: Duration::from_secs(240),
        credential_values: Some(issued.clone()),
        ..Default::default()
    });
    env.login();
    let ours = env.read_json(&env.token_path("corp"));
    env.emulator
        .update(|c| c.access_token_ttl = Duration::from_secs(8 * 3600));
    let creates = env.emulator.calls(Op::CreateToken);
    let endpoint = env.emulator.endpoint();
    // SAFETY: the only test in this binary, and nothing else in the process
    // reads the environment while it is changed: the emulator's thread is
    // serving, and the SDK starts below.
    unsafe {
        std::env::set_var("HOME", env.home());
        std::env::set_var("AWS_CONFIG_FILE", env.config_path());
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", env.home().join("none"));
        std::env::set_var("AWS_ENDPOINT_URL_SSO", &endpoint);
        std::env::set_var("AWS_ENDPOINT_URL_SSO_OIDC", &endpoint);
        for name in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            std::env::remove_var(name);
        }
    }

    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .profile_name("dev")
        .http_client(http)
        .load()
        .await;
    let creds = sdk
        .credentials_provider()
        .expect("a credentials chain")
        .provide_credentials()
        .await
        .expect("the Rust SDK resolves the profile's credentials");
    assert_eq!(creds.access_key_id(), issued.access_key_id);
    assert_eq!(creds.secret_access_key(), issued.secret_access_key);
    assert_eq!(creds.session_token(), Some(issued.session_token.as_str()));
    assert_eq!(env.emulator.calls(Op::GetRoleCredentials), 1);
    env.takes_up_the_token_refreshed_by("the Rust SDK", &ours, creates, &issued.access_key_id);
}
