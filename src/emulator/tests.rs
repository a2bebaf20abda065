//! The emulator against the real generated SDK clients (the shapes must parse exactly as
//! they would from AWS), plus raw HTTP checks of the wire details the SDKs hide.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_sso::error::ProvideErrorMetadata;
use aws_sdk_ssooidc::config::retry::RetryConfig;
use aws_sdk_ssooidc::config::{BehaviorVersion, Region, SharedHttpClient};
use aws_sdk_ssooidc::operation::create_token::CreateTokenOutput;
use aws_smithy_http_client::tls;
use serde_json::Value;

use super::*;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// Retries as in production, minus the backoff wait.
fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_initial_backoff(Duration::from_millis(1))
}

fn oidc_client(emulator: &Emulator) -> aws_sdk_ssooidc::Client {
    let config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.endpoint())
        .http_client(http_client())
        .retry_config(retry_config())
        .build();
    aws_sdk_ssooidc::Client::from_conf(config)
}

fn portal_client(emulator: &Emulator) -> aws_sdk_sso::Client {
    let config = aws_sdk_sso::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(emulator.endpoint())
        .http_client(http_client())
        .retry_config(retry_config())
        .build();
    aws_sdk_sso::Client::from_conf(config)
}

struct Registered {
    client_id: String,
    client_secret: String,
}

async fn register(oidc: &aws_sdk_ssooidc::Client) -> Registered {
    let registration = oidc
        .register_client()
        .client_name("ssoenv-test")
        .client_type("public")
        .send()
        .await
        .unwrap();
    Registered {
        client_id: registration.client_id().unwrap().to_string(),
        client_secret: registration.client_secret().unwrap().to_string(),
    }
}

/// Starts a device authorization; returns (device code, verificationUriComplete).
async fn start(oidc: &aws_sdk_ssooidc::Client, client: &Registered) -> (String, String) {
    let device = oidc
        .start_device_authorization()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .start_url(DEFAULT_START_URL)
        .send()
        .await
        .unwrap();
    (
        device.device_code().unwrap().to_string(),
        device.verification_uri_complete().unwrap().to_string(),
    )
}

async fn poll(
    oidc: &aws_sdk_ssooidc::Client,
    client: &Registered,
    device_code: &str,
) -> Result<CreateTokenOutput, aws_sdk_ssooidc::operation::create_token::CreateTokenError> {
    oidc.create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type(DEVICE_GRANT)
        .device_code(device_code)
        .send()
        .await
        .map_err(|err| err.into_service_error())
}

async fn refresh(
    oidc: &aws_sdk_ssooidc::Client,
    client: &Registered,
    refresh_token: &str,
) -> Result<CreateTokenOutput, aws_sdk_ssooidc::operation::create_token::CreateTokenError> {
    oidc.create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .map_err(|err| err.into_service_error())
}

/// A complete sign-in with automatic approval.
async fn sign_in(oidc: &aws_sdk_ssooidc::Client) -> (Registered, CreateTokenOutput) {
    let client = register(oidc).await;
    let (device_code, _) = start(oidc, &client).await;
    let pending = poll(oidc, &client, &device_code).await.unwrap_err();
    assert!(pending.is_authorization_pending_exception(), "{pending:?}");
    let token = poll(oidc, &client, &device_code).await.unwrap();
    (client, token)
}

fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn device_flow() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let oidc = oidc_client(&emulator);

    let registration = oidc
        .register_client()
        .client_name("ssoenv-test")
        .client_type("public")
        .send()
        .await
        .unwrap();
    let now = epoch_seconds();
    assert!(registration.client_id_issued_at().abs_diff(now as i64) <= 2);
    let ninety_days = 90 * 24 * 3600;
    assert!(
        registration
            .client_secret_expires_at()
            .abs_diff((now + ninety_days) as i64)
            <= 2
    );
    let client = Registered {
        client_id: registration.client_id().unwrap().to_string(),
        client_secret: registration.client_secret().unwrap().to_string(),
    };

    let device = oidc
        .start_device_authorization()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .start_url(DEFAULT_START_URL)
        .send()
        .await
        .unwrap();
    let user_code = device.user_code().unwrap();
    let (left, right) = user_code.split_once('-').unwrap();
    assert!(
        [left, right]
            .iter()
            .all(|half| half.len() == 4 && half.bytes().all(|b| b.is_ascii_uppercase()))
    );
    let verification_uri = format!("{}/device", emulator.endpoint());
    assert_eq!(device.verification_uri(), Some(verification_uri.as_str()));
    assert_eq!(
        device.verification_uri_complete().unwrap(),
        format!("{verification_uri}?user_code={user_code}")
    );
    assert_eq!((device.expires_in(), device.interval()), (600, 1));
    let device_code = device.device_code().unwrap();

    let pending = poll(&oidc, &client, device_code).await.unwrap_err();
    assert!(pending.is_authorization_pending_exception(), "{pending:?}");
    let token = poll(&oidc, &client, device_code).await.unwrap();
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(token.expires_in(), 8 * 3600);
    assert!(token.access_token().is_some() && token.refresh_token().is_some());

    let reused = poll(&oidc, &client, device_code).await.unwrap_err();
    assert!(reused.is_invalid_grant_exception(), "{reused:?}");
    let wrong_secret = Registered {
        client_id: client.client_id.clone(),
        client_secret: "wrong".to_string(),
    };
    let rejected = poll(&oidc, &wrong_secret, device_code).await.unwrap_err();
    assert!(rejected.is_invalid_client_exception(), "{rejected:?}");
    let unsupported = oidc
        .create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type("password")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(unsupported.is_unsupported_grant_type_exception());
    assert_eq!(emulator.calls(Op::CreateToken), 5);
    assert_eq!(emulator.calls(Op::RegisterClient), 1);
}

#[tokio::test]
async fn manual_approval_denial_and_expiry() {
    let emulator = Emulator::start(EmulatorConfig {
        approval: Approval::Manual,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let oidc = oidc_client(&emulator);
    let client = register(&oidc).await;

    // Manual: pending until a human opens the verification page.
    let (device_code, verification) = start(&oidc, &client).await;
    for _ in 0..3 {
        let pending = poll(&oidc, &client, &device_code).await.unwrap_err();
        assert!(pending.is_authorization_pending_exception());
    }
    let path = verification.strip_prefix(&emulator.endpoint()).unwrap();
    let page = Raw::connect(&emulator).send("GET", path, &[], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("approved"), "{}", page.body);
    poll(&oidc, &client, &device_code).await.unwrap();
    let unknown = Raw::connect(&emulator).send("GET", "/device?user_code=ZZZZ-ZZZZ", &[], "");
    assert_eq!(unknown.status, 404);

    // ... or until approve_all().
    let (device_code, _) = start(&oidc, &client).await;
    emulator.approve_all();
    poll(&oidc, &client, &device_code).await.unwrap();

    emulator.update(|config| config.approval = Approval::Deny);
    let (device_code, _) = start(&oidc, &client).await;
    let denied = poll(&oidc, &client, &device_code).await.unwrap_err();
    assert!(denied.is_access_denied_exception(), "{denied:?}");

    emulator.update(|config| config.device_code_ttl = Duration::ZERO);
    let (device_code, _) = start(&oidc, &client).await;
    let expired = poll(&oidc, &client, &device_code).await.unwrap_err();
    assert!(expired.is_expired_token_exception(), "{expired:?}");
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let oidc = oidc_client(&emulator);
    let (client, token) = sign_in(&oidc).await;
    let first = token.refresh_token().unwrap();

    let refreshed = refresh(&oidc, &client, first).await.unwrap();
    let second = refreshed.refresh_token().unwrap();
    assert_ne!(first, second);
    assert_ne!(token.access_token(), refreshed.access_token());

    let reused = refresh(&oidc, &client, first).await.unwrap_err();
    assert!(reused.is_invalid_grant_exception(), "{reused:?}");
    let third = refresh(&oidc, &client, second).await.unwrap();

    emulator.revoke_sessions();
    let revoked = refresh(&oidc, &client, third.refresh_token().unwrap())
        .await
        .unwrap_err();
    assert!(revoked.is_invalid_grant_exception(), "{revoked:?}");

    emulator.update(|config| config.issue_refresh_tokens = false);
    let (_, token) = sign_in(&oidc).await;
    assert_eq!(token.refresh_token(), None);
}

#[tokio::test]
async fn role_credentials_and_session_errors() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let oidc = oidc_client(&emulator);
    let portal = portal_client(&emulator);
    let (client, token) = sign_in(&oidc).await;
    let access_token = token.access_token().unwrap();
    let get = |role: &str| {
        portal
            .get_role_credentials()
            .access_token(access_token)
            .account_id("111111111111")
            .role_name(role)
            .send()
    };

    let first = get("Admin").await.unwrap();
    let credentials = first.role_credentials().unwrap();
    let key = credentials.access_key_id().unwrap();
    assert!(key.starts_with("ASIA") && key.len() == 20, "{key}");
    assert!(
        key[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    assert_eq!(credentials.secret_access_key().unwrap().len(), 40);
    assert!(credentials.session_token().unwrap().len() > 100);
    let in_an_hour = (epoch_seconds() + 3600) as i64 * 1000;
    assert!(credentials.expiration().abs_diff(in_an_hour) < 5000);
    let second = get("Admin").await.unwrap();
    assert_ne!(
        second.role_credentials().unwrap().access_key_id(),
        Some(key)
    );

    let forbidden = get("NotAssigned").await.unwrap_err();
    assert_eq!(forbidden.code(), Some("ForbiddenException"));
    assert_eq!(forbidden.message(), Some("No access"));

    emulator.update(|config| {
        config.credential_values = Some(CredentialValues {
            access_key_id: "AKID".to_string(),
            secret_access_key: "it's a \"secret\"".to_string(),
            session_token: "$(touch pwned)".to_string(),
        });
    });
    let fixed = get("ReadOnly").await.unwrap();
    let fixed = fixed.role_credentials().unwrap();
    assert_eq!(fixed.secret_access_key(), Some("it's a \"secret\""));
    assert_eq!(fixed.session_token(), Some("$(touch pwned)"));

    // Logout ends the session: access and refresh token both.
    portal
        .logout()
        .access_token(access_token)
        .send()
        .await
        .unwrap();
    let unauthorized = get("Admin").await.unwrap_err();
    assert_eq!(
        unauthorized.message(),
        Some("Session token not found or invalid")
    );
    assert!(
        unauthorized
            .into_service_error()
            .is_unauthorized_exception()
    );
    let refresh_token = token.refresh_token().unwrap();
    let refused = refresh(&oidc, &client, refresh_token).await.unwrap_err();
    assert!(refused.is_invalid_grant_exception());

    // Expired access tokens are refused too.
    emulator.update(|config| config.access_token_ttl = Duration::ZERO);
    let (_, token) = sign_in(&oidc).await;
    let expired = portal
        .list_accounts()
        .access_token(token.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(expired.into_service_error().is_unauthorized_exception());
}

#[tokio::test]
async fn injected_faults() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let oidc = oidc_client(&emulator);
    let portal = portal_client(&emulator);
    let (client, token) = sign_in(&oidc).await;
    let access_token = token.access_token().unwrap();
    let get = || {
        portal
            .get_role_credentials()
            .access_token(access_token)
            .account_id("111111111111")
            .role_name("Admin")
            .send()
    };

    // A 500 is retried by the SDK, which then succeeds.
    emulator.inject(Op::GetRoleCredentials, Fault::Status(500), 1);
    get().await.unwrap();
    assert_eq!(emulator.calls(Op::GetRoleCredentials), 2);

    emulator.inject(Op::GetRoleCredentials, Fault::Status(401), 1);
    let unauthorized = get().await.unwrap_err().into_service_error();
    assert!(unauthorized.is_unauthorized_exception(), "{unauthorized:?}");

    emulator.inject(Op::GetRoleCredentials, Fault::MalformedBody, 1);
    assert!(get().await.is_err());

    emulator.inject(
        Op::GetRoleCredentials,
        Fault::Delay(Duration::from_millis(200)),
        1,
    );
    let started = Instant::now();
    get().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));

    let (device_code, _) = start(&oidc, &client).await;
    emulator.inject(Op::CreateToken, Fault::SlowDown, 1);
    let slow = poll(&oidc, &client, &device_code).await.unwrap_err();
    assert!(slow.is_slow_down_exception(), "{slow:?}");
    // A faulted poll leaves the authorization untouched: still pending once.
    let pending = poll(&oidc, &client, &device_code).await.unwrap_err();
    assert!(pending.is_authorization_pending_exception(), "{pending:?}");

    emulator.inject(Op::StartDeviceAuthorization, Fault::Status(401), 1);
    let rejected = oidc
        .start_device_authorization()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .start_url(DEFAULT_START_URL)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(rejected.is_invalid_client_exception(), "{rejected:?}");
}

#[tokio::test]
async fn pagination() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let (_, token) = sign_in(&oidc_client(&emulator)).await;
    let portal = portal_client(&emulator);
    let access_token = token.access_token().unwrap();

    let accounts = portal
        .list_accounts()
        .access_token(access_token)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = accounts.iter().filter_map(|a| a.account_id()).collect();
    assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
    assert_eq!(accounts[0].account_name(), Some("dev"));
    assert_eq!(accounts[0].email_address(), Some("dev@example.com"));
    assert_eq!(emulator.calls(Op::ListAccounts), 3);

    let roles = portal
        .list_account_roles()
        .access_token(access_token)
        .account_id("222222222222")
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = roles.iter().filter_map(|r| r.role_name()).collect();
    assert_eq!(names, ["Admin", "ReadOnly"]);
    assert_eq!(roles[0].account_id(), Some("222222222222"));
    assert_eq!(emulator.calls(Op::ListAccountRoles), 2);

    let single_page = portal
        .list_accounts()
        .access_token(access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(single_page.account_list().len(), 3);
    assert_eq!(single_page.next_token(), None);
}

/// A minimal HTTP/1.1 client for checking exact wire details.
struct Raw {
    stream: BufReader<TcpStream>,
}

struct RawResponse {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl RawResponse {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn error_type(&self) -> &str {
        &self.headers["x-amzn-errortype"]
    }
}

impl Raw {
    fn connect(emulator: &Emulator) -> Raw {
        let stream = TcpStream::connect(emulator.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            stream: BufReader::new(stream),
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> RawResponse {
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.stream.get_mut().write_all(request.as_bytes()).unwrap();

        let mut status_line = String::new();
        self.stream.read_line(&mut status_line).unwrap();
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = HashMap::new();
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).unwrap();
            let Some((name, value)) = line.trim_end().split_once(':') else {
                break;
            };
            headers.insert(name.to_ascii_lowercase(), value.trim().to_string());
        }
        let length = headers["content-length"].parse().unwrap();
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).unwrap();
        RawResponse {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

#[test]
fn wire_format() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    // One keep-alive connection for everything.
    let mut raw = Raw::connect(&emulator);

    let missing = raw.send("POST", "/client/register", &[], "");
    assert_eq!(missing.status, 400);
    assert!(missing.error_type().starts_with("InvalidRequestException:"));
    assert_eq!(missing.json()["error"], "invalid_request");

    let registered = raw.send(
        "POST",
        "/client/register",
        &[("Content-Type", "application/json")],
        r#"{"clientName":"raw","clientType":"public"}"#,
    );
    assert_eq!(registered.status, 200);
    assert_eq!(registered.headers["content-type"], "application/json");
    assert_eq!(registered.headers["x-amzn-requestid"].len(), 36);
    let client = registered.json();

    let unknown_client = raw.send(
        "POST",
        "/device_authorization",
        &[],
        r#"{"clientId":"nope","clientSecret":"nope","startUrl":"https://x"}"#,
    );
    assert_eq!(unknown_client.status, 401);
    assert_eq!(
        unknown_client.error_type(),
        "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
    );

    let start = format!(
        r#"{{"clientId":{},"clientSecret":{},"startUrl":"{DEFAULT_START_URL}"}}"#,
        client["clientId"], client["clientSecret"]
    );
    let device = raw
        .send("POST", "/device_authorization", &[], &start)
        .json();
    let poll = format!(
        r#"{{"clientId":{},"clientSecret":{},"grantType":"{DEVICE_GRANT}","deviceCode":{}}}"#,
        client["clientId"], client["clientSecret"], device["deviceCode"]
    );
    let pending = raw.send("POST", "/token", &[], &poll);
    assert_eq!(pending.status, 400);
    assert!(
        pending
            .error_type()
            .starts_with("AuthorizationPendingException:")
    );
    assert_eq!(pending.json()["error"], "authorization_pending");
    assert_eq!(
        pending.json()["error_description"],
        "Authorization is still pending"
    );
    let token = raw.send("POST", "/token", &[], &poll).json();
    let access_token = token["accessToken"].as_str().unwrap();

    let anonymous = raw.send("GET", "/assignment/accounts", &[], "");
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.error_type(), "UnauthorizedException");
    assert_eq!(
        anonymous.json(),
        serde_json::json!({"message": "Session token not found or invalid"})
    );

    let bearer = [("x-amz-sso_bearer_token", access_token)];
    let no_role = raw.send(
        "GET",
        "/federation/credentials?account_id=111111111111",
        &bearer,
        "",
    );
    assert_eq!(no_role.status, 400);
    assert_eq!(no_role.error_type(), "InvalidRequestException");
    let credentials = raw.send(
        "GET",
        "/federation/credentials?role_name=Admin&account_id=111111111111",
        &bearer,
        "",
    );
    let expiration = credentials.json()["roleCredentials"]["expiration"]
        .as_u64()
        .unwrap();
    assert!(expiration.abs_diff((epoch_seconds() + 3600) * 1000) < 5000);

    let page = raw
        .send("GET", "/assignment/accounts?max_result=2", &bearer, "")
        .json();
    assert_eq!(page["accountList"].as_array().unwrap().len(), 2);
    let next = page["nextToken"].as_str().unwrap();
    let last = raw
        .send(
            "GET",
            &format!("/assignment/accounts?max_result=2&next_token={next}"),
            &bearer,
            "",
        )
        .json();
    assert_eq!(last["accountList"][0]["accountId"], "333333333333");
    assert_eq!(last["nextToken"], Value::Null);

    emulator.inject(Op::ListAccounts, Fault::Status(429), 1);
    let throttled = raw.send("GET", "/assignment/accounts", &bearer, "");
    assert_eq!(
        (throttled.status, throttled.error_type()),
        (429, "TooManyRequestsException")
    );

    let logout = raw.send("POST", "/logout", &bearer, "");
    assert_eq!((logout.status, logout.body.as_str()), (200, ""));

    let missing_route = raw.send("GET", "/nothing/here", &[], "");
    assert_eq!(missing_route.status, 404);
    assert!(missing_route.json()["message"].is_string());

    let calls = raw.send("GET", "/__emulator/calls", &[], "").json();
    assert_eq!(calls["RegisterClient"], 2);
    assert_eq!(calls["CreateToken"], 2);
    assert_eq!(calls["ListAccounts"], 4);
    assert_eq!(calls["Logout"], 1);
    assert_eq!(calls["ListAccountRoles"], 0);
}

#[test]
fn admin_approve_and_revoke() {
    let emulator = Emulator::start(EmulatorConfig {
        approval: Approval::Manual,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let mut raw = Raw::connect(&emulator);
    let client = raw
        .send(
            "POST",
            "/client/register",
            &[],
            r#"{"clientName":"raw","clientType":"public"}"#,
        )
        .json();
    let start = format!(
        r#"{{"clientId":{},"clientSecret":{},"startUrl":"{DEFAULT_START_URL}"}}"#,
        client["clientId"], client["clientSecret"]
    );
    let device = raw
        .send("POST", "/device_authorization", &[], &start)
        .json();
    let approved = raw.send("POST", "/__emulator/approve", &[], "").json();
    assert_eq!(approved["approved"], 1);
    let poll = format!(
        r#"{{"clientId":{},"clientSecret":{},"grantType":"{DEVICE_GRANT}","deviceCode":{}}}"#,
        client["clientId"], client["clientSecret"], device["deviceCode"]
    );
    let token = raw.send("POST", "/token", &[], &poll).json();
    let bearer = [(
        "x-amz-sso_bearer_token",
        token["accessToken"].as_str().unwrap(),
    )];
    assert_eq!(
        raw.send("GET", "/assignment/accounts", &bearer, "").status,
        200
    );
    raw.send("POST", "/__emulator/revoke", &[], "");
    assert_eq!(
        raw.send("GET", "/assignment/accounts", &bearer, "").status,
        401
    );
}

#[test]
fn many_concurrent_keep_alive_clients() {
    let emulator = Emulator::start(EmulatorConfig {
        latency: Duration::from_millis(20),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..32 {
            scope.spawn(|| {
                let mut raw = Raw::connect(&emulator);
                for _ in 0..5 {
                    assert_eq!(raw.send("GET", "/assignment/accounts", &[], "").status, 401);
                }
            });
        }
    });
    assert_eq!(emulator.calls(Op::ListAccounts), 160);
    // Served concurrently: far less than 160 × 20 ms.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn shutdown_drops_hanging_requests_and_frees_the_port() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let addr = emulator.addr();
    emulator.inject(Op::ListAccounts, Fault::Hang, 1);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(b"GET /assignment/accounts HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // The request reaches the route (is counted) but gets no answer.
    let deadline = Instant::now() + Duration::from_secs(5);
    while emulator.calls(Op::ListAccounts) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(emulator.calls(Op::ListAccounts), 1);

    let started = Instant::now();
    emulator.shutdown();
    assert!(started.elapsed() < Duration::from_secs(1));
    let mut buffer = [0; 64];
    // Closed without a response.
    assert_eq!(stream.read(&mut buffer).unwrap_or(0), 0);
    let again = Emulator::start_on(addr, EmulatorConfig::default()).unwrap();
    assert_eq!(again.addr(), addr);
}

#[test]
fn rate_limit_throttles_the_portal_and_counts() {
    let emulator = Emulator::start(EmulatorConfig {
        rate_limit: Some(3),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let mut raw = Raw::connect(&emulator);
    // A second's worth across the portal operations, then 429 like the real service.
    assert_eq!(raw.send("GET", "/assignment/accounts", &[], "").status, 401);
    assert_eq!(raw.send("GET", "/assignment/roles", &[], "").status, 401);
    assert_eq!(
        raw.send("GET", "/federation/credentials", &[], "").status,
        401
    );
    let throttled = raw.send("GET", "/assignment/accounts", &[], "");
    assert_eq!(
        (throttled.status, throttled.error_type()),
        (429, "TooManyRequestsException")
    );
    assert_eq!(throttled.json()["message"], "Rate exceeded");
    // OIDC is not limited.
    let register = r#"{"clientName":"raw","clientType":"public"}"#;
    assert_eq!(
        raw.send("POST", "/client/register", &[], register).status,
        200
    );
    // A queued fault is not used up by a throttled request.
    emulator.inject(Op::ListAccountRoles, Fault::Status(503), 1);
    assert_eq!(raw.send("GET", "/assignment/roles", &[], "").status, 429);
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(raw.send("GET", "/assignment/roles", &[], "").status, 503);

    assert_eq!(emulator.calls(Op::ListAccounts), 2);
    assert_eq!(emulator.throttled(Op::ListAccounts), 1);
    assert_eq!(emulator.throttled(Op::ListAccountRoles), 1);
    assert_eq!(emulator.throttled(Op::RegisterClient), 0);
    let counted = raw.send("GET", "/__emulator/throttled", &[], "").json();
    assert_eq!(counted["ListAccounts"], 1);
    assert_eq!(counted["GetRoleCredentials"], 0);
}

#[test]
fn every_answer_has_a_date_header_that_date_offset_moves() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let date = |raw: &mut Raw| {
        let answer = raw.send("POST", "/token", &[], "{}");
        let date = httpdate::parse_http_date(&answer.headers["date"]).unwrap();
        let now = std::time::SystemTime::now();
        match date.duration_since(now) {
            Ok(ahead) => ahead.as_secs_f64(),
            Err(behind) => -behind.duration().as_secs_f64(),
        }
    };
    // The header has whole seconds: the time it gives is up to one behind.
    let near = |seconds: f64, want: f64| (want - 1.5..=want + 0.5).contains(&seconds);
    let mut raw = Raw::connect(&emulator);
    assert!(near(date(&mut raw), 0.0));
    emulator.update(|c| c.date_offset = time::Duration::minutes(-10));
    assert!(near(date(&mut raw), -600.0));
    emulator.update(|c| c.date_offset = time::Duration::hours(2));
    assert!(near(date(&mut raw), 7200.0));
}

#[tokio::test]
async fn page_size_limit_splits_every_list() {
    let emulator = Emulator::start(EmulatorConfig {
        page_size_limit: 2,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let (_, token) = sign_in(&oidc_client(&emulator)).await;
    let portal = portal_client(&emulator);
    let accounts = portal
        .list_accounts()
        .access_token(token.access_token().unwrap())
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(accounts.len(), 3);
    assert_eq!(emulator.calls(Op::ListAccounts), 2);
}

const CALLBACK: &str = "http://127.0.0.1/oauth/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// S256 of VERIFIER (RFC 7636 Appendix B).
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

async fn register_for_authorization_code(
    oidc: &aws_sdk_ssooidc::Client,
    grant_types: &[&str],
) -> Registered {
    let registration = oidc
        .register_client()
        .client_name("ssoenv-test")
        .client_type("public")
        .set_grant_types(Some(grant_types.iter().map(|g| g.to_string()).collect()))
        .redirect_uris(CALLBACK)
        .issuer_url(DEFAULT_START_URL)
        .scopes("sso:account:access")
        .send()
        .await
        .unwrap();
    Registered {
        client_id: registration.client_id().unwrap().to_string(),
        client_secret: registration.client_secret().unwrap().to_string(),
    }
}

/// The /authorize path the AWS CLI would open, for a callback on `port`.
fn authorize_path(client_id: &str, port: u16) -> String {
    format!(
        "/authorize?response_type=code&client_id={client_id}\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Foauth%2Fcallback&state=st%201\
         &code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge={CHALLENGE}"
    )
}

/// The query parameters of a redirect's Location.
fn location_params(response: &RawResponse) -> HashMap<String, String> {
    let location = &response.headers["location"];
    let (_, query) = location.split_once('?').unwrap();
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            (name.to_string(), value.into_owned())
        })
        .collect()
}

async fn redeem(
    oidc: &aws_sdk_ssooidc::Client,
    client: &Registered,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<CreateTokenOutput, aws_sdk_ssooidc::operation::create_token::CreateTokenError> {
    oidc.create_token()
        .client_id(&client.client_id)
        .client_secret(&client.client_secret)
        .grant_type("authorization_code")
        .code(code)
        .redirect_uri(redirect_uri)
        .code_verifier(verifier)
        .send()
        .await
        .map_err(|err| err.into_service_error())
}

#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let oidc = oidc_client(&emulator);
    let client =
        register_for_authorization_code(&oidc, &["authorization_code", "refresh_token"]).await;
    let redirect_uri = "http://127.0.0.1:4711/oauth/callback";

    let mut raw = Raw::connect(&emulator);
    let page = raw.send("GET", &authorize_path(&client.client_id, 4711), &[], "");
    assert_eq!(page.status, 302);
    assert!(
        page.headers["location"].starts_with("http://127.0.0.1:4711/oauth/callback?code="),
        "{:?}",
        page.headers
    );
    let params = location_params(&page);
    assert_eq!(params["state"], "st 1");
    let code = &params["code"];
    assert_eq!(emulator.calls(Op::Authorize), 1);

    // The verifier, the redirect URI and the client must all match.
    let wrong = redeem(
        &oidc,
        &client,
        code,
        redirect_uri,
        &VERIFIER.replace('d', "e"),
    )
    .await;
    assert!(wrong.unwrap_err().is_invalid_grant_exception());
    let wrong = redeem(&oidc, &client, code, CALLBACK, VERIFIER).await;
    assert!(wrong.unwrap_err().is_invalid_grant_exception());
    let other = register_for_authorization_code(&oidc, &["authorization_code"]).await;
    let wrong = redeem(&oidc, &other, code, redirect_uri, VERIFIER).await;
    assert!(wrong.unwrap_err().is_invalid_grant_exception());

    let token = redeem(&oidc, &client, code, redirect_uri, VERIFIER)
        .await
        .unwrap();
    assert!(token.access_token().is_some());
    let refreshed = refresh(&oidc, &client, token.refresh_token().unwrap())
        .await
        .unwrap();
    assert!(refreshed.access_token().is_some());

    let reused = redeem(&oidc, &client, code, redirect_uri, VERIFIER)
        .await
        .unwrap_err();
    assert!(reused.is_invalid_grant_exception());
    assert!(
        format!("{reused:?}").contains("already been used"),
        "{reused:?}"
    );
}

#[tokio::test]
async fn authorize_checks_the_client_its_redirect_and_its_grants() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let oidc = oidc_client(&emulator);

    // An authorization code client must say where the browser may return to.
    let missing = oidc
        .register_client()
        .client_name("x")
        .client_type("public")
        .grant_types("authorization_code")
        .issuer_url(DEFAULT_START_URL)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_invalid_redirect_uri_exception(), "{missing:?}");
    let plain_http = oidc
        .register_client()
        .client_name("x")
        .client_type("public")
        .grant_types("authorization_code")
        .redirect_uris("http://example.com/cb")
        .issuer_url(DEFAULT_START_URL)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(plain_http.is_invalid_redirect_uri_exception());

    let mut raw = Raw::connect(&emulator);
    // Unknown client, unregistered redirect: a page, never a redirect.
    let unknown = raw.send("GET", &authorize_path("nobody", 1), &[], "");
    assert_eq!(unknown.status, 401);
    assert!(!unknown.headers.contains_key("location"));
    let client = register_for_authorization_code(&oidc, &["authorization_code"]).await;
    let elsewhere = authorize_path(&client.client_id, 1).replace("oauth%2Fcallback", "other");
    let page = raw.send("GET", &elsewhere, &[], "");
    assert_eq!(page.status, 400);
    assert!(!page.headers.contains_key("location"));

    // A known redirect gets the error: no PKCE, or a device-only client.
    let no_pkce = authorize_path(&client.client_id, 1).replace("S256", "plain");
    let page = raw.send("GET", &no_pkce, &[], "");
    assert_eq!(location_params(&page)["error"], "invalid_request");
    let device_only = register_for_authorization_code(&oidc, &[DEVICE_GRANT]).await;
    let page = raw.send("GET", &authorize_path(&device_only.client_id, 1), &[], "");
    assert_eq!(location_params(&page)["error"], "unauthorized_client");
    // And the device flow's clients cannot redeem codes.
    let err = redeem(&oidc, &device_only, "x", CALLBACK, VERIFIER)
        .await
        .unwrap_err();
    assert!(err.is_unauthorized_client_exception(), "{err:?}");

    emulator.update(|c| c.approval = Approval::Deny);
    let page = raw.send("GET", &authorize_path(&client.client_id, 1), &[], "");
    let params = location_params(&page);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "st 1");
    assert!(!params.contains_key("code"));
}

#[test]
fn manual_authorize_waits_for_approval() {
    let emulator = Emulator::start(EmulatorConfig {
        approval: Approval::Manual,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = runtime.block_on(async {
        register_for_authorization_code(&oidc_client(&emulator), &["authorization_code"]).await
    });
    let path = authorize_path(&client.client_id, 1);
    let waiting = std::thread::scope(|scope| {
        let browser = scope.spawn(|| Raw::connect(&emulator).send("GET", &path, &[], ""));
        std::thread::sleep(Duration::from_millis(300));
        let still_waiting = !browser.is_finished();
        emulator.approve_all();
        let page = browser.join().unwrap();
        assert_eq!(page.status, 302);
        assert!(location_params(&page).contains_key("code"));
        still_waiting
    });
    assert!(waiting, "a manual /authorize answered before the approval");
}

fn sts_client(emulator: &Emulator, key: &str, secret: &str, token: &str) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .endpoint_url(emulator.endpoint())
        .http_client(http_client())
        .retry_config(retry_config())
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            key,
            secret,
            Some(token.to_string()),
            None,
            "test",
        ))
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test]
async fn assume_role_accepts_only_issued_credentials() {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    let (_, token) = sign_in(&oidc_client(&emulator)).await;
    let sso = portal_client(&emulator)
        .get_role_credentials()
        .access_token(token.access_token().unwrap())
        .account_id("111111111111")
        .role_name("Admin")
        .send()
        .await
        .unwrap();
    let c = sso.role_credentials().unwrap();
    let (key, secret, session) = (
        c.access_key_id().unwrap(),
        c.secret_access_key().unwrap(),
        c.session_token().unwrap(),
    );
    let sts = sts_client(&emulator, key, secret, session);
    let assume = |arn: &str, duration: Option<i32>| {
        sts.assume_role()
            .role_arn(arn)
            .role_session_name("s")
            .set_duration_seconds(duration)
            .send()
    };

    let out = assume(sample::DEPLOY_ROLE, Some(900)).await.unwrap();
    let creds = out.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert_eq!(
        out.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::222222222222:assumed-role/Deploy/s"
    );
    let calls = emulator.assume_role_calls();
    assert_eq!(calls[0].caller, key);
    assert_eq!(calls[0].duration_seconds, Some(900));

    let long = assume(sample::DEPLOY_ROLE, Some(7200)).await.unwrap_err();
    assert_eq!(long.code(), Some("ValidationError"));
    assert!(
        long.message().unwrap().contains("role chaining"),
        "{long:?}"
    );
    let denied = assume("arn:aws:iam::222222222222:role/Other", None)
        .await
        .unwrap_err();
    assert_eq!(denied.code(), Some("AccessDenied"));

    // Keys the emulator never issued, or a wrong session token.
    let forged = sts_client(&emulator, "ASIAFORGED", secret, session);
    let e = forged
        .assume_role()
        .role_arn(sample::DEPLOY_ROLE)
        .role_session_name("s")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidClientTokenId"));
    let wrong = sts_client(&emulator, key, secret, "other-token");
    let e = wrong
        .assume_role()
        .role_arn(sample::DEPLOY_ROLE)
        .role_session_name("s")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidClientTokenId"));

    // Faults as for the other operations: a 500 is retried, then succeeds.
    let before = emulator.calls(Op::AssumeRole);
    emulator.inject(Op::AssumeRole, Fault::Status(500), 1);
    assume(sample::DEPLOY_ROLE, None).await.unwrap();
    assert_eq!(emulator.calls(Op::AssumeRole), before + 2);
    emulator.inject(Op::AssumeRole, Fault::Status(403), 1);
    let e = assume(sample::DEPLOY_ROLE, None).await.unwrap_err();
    assert_eq!(e.code(), Some("AccessDenied"));
}
