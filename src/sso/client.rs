//! The generated AWS clients (aws-sdk-ssooidc, aws-sdk-sso, aws-sdk-sts),
//! configured through aws-config so they honour AWS_ENDPOINT_URL_SSO(_OIDC)
//! and AWS_ENDPOINT_URL_STS, with
//! bounded time-outs and retries, every portal request paced by the
//! process's rate limiter, and errors turned into messages a person can act
//! on.

use std::sync::OnceLock;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sso::config::retry::{RetryPartition, TokenBucket};
use aws_sdk_sso::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector,
    http_client_fn,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use super::ratelimit;
use crate::error::Error;

/// Longest an attempt may take before it is retried.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// Listing calls retry throttling far beyond the default five attempts: a
/// listing of hundreds of accounts must survive other tools sharing the
/// portal's rate limit (wave2.md §2.2: granted uses 50 attempts after users
/// saw 429s end listings at 3; aws-sso-cli 10 with a 5 s backoff cap).
const LIST_MAX_ATTEMPTS: u32 = 10;
const LIST_MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A listing call may spend this long on its retries, or the `--timeout`
/// budget if that is longer; each attempt is still bounded as usual.
const LIST_CALL_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

static BUDGET: OnceLock<Duration> = OnceLock::new();

/// Total time one call to Identity Center may take, retries included
/// (`--timeout` / SSOENV_TIMEOUT, default 10 s).
pub fn set_budget(budget: Duration) {
    let _ = BUDGET.set(budget);
}

pub fn budget() -> Duration {
    *BUDGET.get().unwrap_or(&DEFAULT_BUDGET)
}

fn https() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

async fn sdk_config(region: &str, http: SharedHttpClient) -> aws_config::SdkConfig {
    let budget = budget();
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        // The SSO APIs are unsigned: never go looking for credentials.
        .no_credentials()
        .http_client(http)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(budget.min(Duration::from_secs(3)))
                .operation_attempt_timeout(budget.min(ATTEMPT_TIMEOUT))
                .operation_timeout(budget)
                .build(),
        )
        // Standard retries cover 5xx, throttling (429) and I/O errors with
        // jittered backoff; the operation time-out bounds the total.
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(5)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(2)),
        )
        .load()
        .await
}

pub async fn oidc(region: &str) -> aws_sdk_ssooidc::Client {
    let config = aws_sdk_ssooidc::config::Builder::from(&sdk_config(region, https()).await)
        .interceptor(TraceAttempts);
    aws_sdk_ssooidc::Client::from_conf(config.build())
}

pub async fn portal(region: &str) -> aws_sdk_sso::Client {
    aws_sdk_sso::Client::from_conf(portal_config(region).await.build())
}

/// The portal client for ListAccounts and ListAccountRoles: throttling is
/// retried up to LIST_MAX_ATTEMPTS times, and without the SDK's retry quota,
/// which a long listing under throttling would exhaust ("retry quota
/// exceeded", wave2.md §2.2); the rate limiter keeps the retries in check.
pub async fn listing_portal(region: &str) -> aws_sdk_sso::Client {
    let budget = budget();
    let config = portal_config(region)
        .await
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(LIST_MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(250))
                .with_max_backoff(LIST_MAX_BACKOFF),
        )
        .retry_partition(
            RetryPartition::custom("ssoenv-listing")
                .token_bucket(TokenBucket::unlimited())
                .build(),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(budget.min(Duration::from_secs(3)))
                .operation_attempt_timeout(budget.min(ATTEMPT_TIMEOUT))
                .operation_timeout(budget.max(LIST_CALL_TIMEOUT))
                .build(),
        );
    aws_sdk_sso::Client::from_conf(config.build())
}

/// STS, signed with `creds` (the source of an AssumeRole hop).
pub async fn sts(region: &str, creds: &super::RoleCredentials) -> aws_sdk_sts::Client {
    let expiry = std::time::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(creds.expiration.unix_seconds()).unwrap_or(0));
    let credentials = aws_sdk_sts::config::Credentials::new(
        &creds.access_key_id,
        creds.secret_access_key.expose(),
        Some(creds.session_token.expose().to_string()),
        Some(expiry),
        "ssoenv",
    );
    let config = aws_sdk_sts::config::Builder::from(&sdk_config(region, https()).await)
        .credentials_provider(credentials)
        .interceptor(TraceAttempts);
    aws_sdk_sts::Client::from_conf(config.build())
}

async fn portal_config(region: &str) -> aws_sdk_sso::config::Builder {
    aws_sdk_sso::config::Builder::from(&sdk_config(region, rate_limited(https())).await)
        .interceptor(TraceAttempts)
}

/// Every request through `http` first waits its turn at the process's portal
/// rate limiter: each attempt, so retries are paced too.
fn rate_limited(http: SharedHttpClient) -> SharedHttpClient {
    http_client_fn(move |settings, components| {
        SharedHttpConnector::new(RateLimited(http.http_connector(settings, components)))
    })
}

#[derive(Debug)]
struct RateLimited(SharedHttpConnector);

impl HttpConnector for RateLimited {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.0.clone();
        HttpConnectorFuture::new(async move {
            ratelimit::PORTAL.acquire().await;
            inner.call(request).await
        })
    }
}

/// Traces each attempt's outcome, so `--verbose` shows retries (the SDK
/// retries inside one call). Status codes only: never headers or bodies.
#[derive(Debug)]
struct TraceAttempts;

impl Intercept for TraceAttempts {
    fn name(&self) -> &'static str {
        "ssoenv::TraceAttempts"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if crate::log::enabled() {
            let attempt = cfg.load::<RequestAttempts>().map_or(1, |a| a.attempts());
            match context.response() {
                Some(r) => crate::trace!("attempt {attempt}: HTTP {}", r.status().as_u16()),
                None => crate::trace!("attempt {attempt}: no response"),
            }
        }
        Ok(())
    }
}

/// Where a service's calls go, for traces and messages (mirrors the SDK's
/// endpoint resolution: the service override, the global one, the default).
pub fn endpoint(service: Service, region: &str) -> String {
    endpoint_override(service).unwrap_or_else(|| match service {
        Service::Oidc => format!("https://oidc.{region}.amazonaws.com"),
        Service::Portal => format!("https://portal.sso.{region}.amazonaws.com"),
        Service::Sts => format!("https://sts.{region}.amazonaws.com"),
    })
}

/// The endpoint set by AWS_ENDPOINT_URL_SSO(_OIDC), AWS_ENDPOINT_URL_STS or
/// AWS_ENDPOINT_URL, as the SDK reads them.
pub fn endpoint_override(service: Service) -> Option<String> {
    endpoint_override_var(service).and_then(|v| std::env::var(v).ok())
}

/// Which of those variables sets the endpoint, if any.
pub fn endpoint_override_var(service: Service) -> Option<&'static str> {
    let var = match service {
        Service::Oidc => "AWS_ENDPOINT_URL_SSO_OIDC",
        Service::Portal => "AWS_ENDPOINT_URL_SSO",
        Service::Sts => "AWS_ENDPOINT_URL_STS",
    };
    [var, "AWS_ENDPOINT_URL"]
        .into_iter()
        .find(|v| std::env::var(v).is_ok_and(|s| !s.is_empty()))
}

#[derive(Clone, Copy)]
pub enum Service {
    Oidc,
    Portal,
    Sts,
}

/// The modeled error code of a service error (`AuthorizationPendingException`).
pub fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.as_service_error().and_then(|e| e.code())
}

/// A message for a failed call that says what to do about it. Modeled codes
/// that need special handling are matched by the caller before this.
pub fn failure<E, R>(op: &str, endpoint: &str, err: &SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    crate::trace!(
        "{op} failed: {}",
        aws_sdk_sso::error::DisplayErrorContext(err)
    );
    let message = match err {
        SdkError::TimeoutError(_) => format!(
            "{op}: no answer from {endpoint} within {}s (set SSOENV_TIMEOUT to wait longer)",
            budget().as_secs_f32()
        ),
        SdkError::DispatchFailure(f) if f.is_timeout() => {
            format!("{op}: no answer from {endpoint} in time")
        }
        SdkError::DispatchFailure(_) => format!("{op}: cannot reach {endpoint}"),
        SdkError::ResponseError(_) => format!("{op}: unreadable response from {endpoint}"),
        SdkError::ServiceError(e) => {
            let err = e.err();
            let code = err.code().unwrap_or("unknown error");
            match err.message() {
                Some(m) if !m.is_empty() => format!("{op} failed: {code}: {m}"),
                _ => format!("{op} failed: {code}"),
            }
        }
        _ => format!("{op}: {}", aws_sdk_sso::error::DisplayErrorContext(err)),
    };
    Error::failed(message)
}
