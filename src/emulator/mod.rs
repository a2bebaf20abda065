//! A loopback emulator of IAM Identity Center: the SSO OIDC service (client registration, the
//! device authorization flow, and the authorization code flow with PKCE behind
//! `GET /authorize`) and the SSO portal (role credentials, account listing,
//! logout), STS AssumeRole for roles chained after SSO, and the console federation
//! endpoint (`/federation`) on one `http://127.0.0.1:PORT` endpoint.
//!
//! Real clients (the Rust SDK, botocore, `ssoenv` itself) reach it through
//! `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_STS` and
//! `AWS_ENDPOINT_URL_SIGNIN`, so the wire format follows the
//! service models exactly: member names, status codes and `x-amzn-ErrorType` values.
//! Tests steer it through [`Emulator`]: call counters, injected faults, approval of
//! pending sign-ins, revocation. Scripts in another process use the admin routes
//! `GET /__emulator/calls`, `GET /__emulator/throttled`, `POST /__emulator/approve` and
//! `POST /__emulator/revoke`.
//! [`browser`] stands in for the user's web browser in the authorization code flow.

pub mod browser;
mod error;
mod http;
mod ids;
pub mod sample;
mod server;
mod state;
mod sts;
#[cfg(test)]
mod tests;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use self::state::State;

/// The start URL the emulator's examples and tests use: an `awsapps.com` host, so the AWS
/// CLI does not try to resolve it over the network.
pub const DEFAULT_START_URL: &str = "https://d-0000000000.awsapps.com/start";

/// Behaviour of the emulated service; change it live with [`Emulator::update`].
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Lifetime of access tokens (`expiresIn` of CreateToken).
    pub access_token_ttl: Duration,
    /// Lifetime of role credentials returned by GetRoleCredentials, and the longest
    /// AssumeRole grants (whatever DurationSeconds asks).
    pub credentials_ttl: Duration,
    /// Lifetime of client registrations (`clientSecretExpiresAt`).
    pub registration_ttl: Duration,
    /// Lifetime of device codes (`expiresIn` of StartDeviceAuthorization), and how long a
    /// manual `/authorize` request waits for its approval.
    pub device_code_ttl: Duration,
    /// Polling interval in seconds announced by StartDeviceAuthorization (not enforced).
    pub poll_interval: u32,
    /// How pending device authorizations and `/authorize` requests get approved.
    pub approval: Approval,
    /// Whether CreateToken returns a refresh token (rotated on every refresh).
    pub issue_refresh_tokens: bool,
    /// The accounts and roles assigned to the signed-in user.
    pub accounts: Vec<Account>,
    /// Fixed values for GetRoleCredentials instead of fresh random ones.
    pub credential_values: Option<CredentialValues>,
    /// Added to every API response.
    pub latency: Duration,
    /// Requests a second that the portal operations (GetRoleCredentials, ListAccounts,
    /// ListAccountRoles, Logout) answer together, like Identity Center's throttling: a token
    /// bucket holding one second's worth. Requests beyond it get 429
    /// TooManyRequestsException. None: no limit.
    pub rate_limit: Option<u32>,
    /// Most items in one page of ListAccounts or ListAccountRoles, whatever `max_result`
    /// asks (the service may always return fewer): many pages from few accounts.
    pub page_size_limit: usize,
    /// Role ARNs AssumeRole lets the emulated user's role sessions assume; any other
    /// gets AccessDenied.
    pub assumable_roles: Vec<String>,
    /// Added to the time in every answer's `Date` header: a server clock that
    /// is off, which to a client looks like its own clock being skewed.
    pub date_offset: time::Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            access_token_ttl: Duration::from_secs(8 * 3600),
            credentials_ttl: Duration::from_secs(3600),
            registration_ttl: Duration::from_secs(90 * 24 * 3600),
            device_code_ttl: Duration::from_secs(600),
            poll_interval: 1,
            approval: Approval::Auto,
            issue_refresh_tokens: true,
            accounts: sample::accounts(),
            credential_values: None,
            latency: Duration::ZERO,
            rate_limit: None,
            page_size_limit: 100,
            assumable_roles: sample::assumable_roles(),
            date_offset: time::Duration::ZERO,
        }
    }
}

/// How the emulated user answers a device authorization or an `/authorize` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    /// Device flow: approved at the first CreateToken poll after one
    /// `authorization_pending` answer, so every client sees the pending state once.
    /// `/authorize`: redirects to the callback with a code at once.
    Auto,
    /// Device flow: pending until [`Emulator::approve_all`], `POST /__emulator/approve`, or
    /// a GET of the verification page (`verificationUriComplete`). `/authorize`: the answer
    /// waits for [`Emulator::approve_all`] or `POST /__emulator/approve`, then redirects
    /// with a code.
    Manual,
    /// Device flow: CreateToken answers AccessDeniedException. `/authorize`: redirects to
    /// the callback with `error=access_denied`.
    Deny,
}

/// An AWS account assigned to the user, with the permission sets (roles) it may use there.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: Vec<String>,
}

/// Role credentials to return verbatim, e.g. values that need quoting in a shell.
#[derive(Clone, Debug)]
pub struct CredentialValues {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

/// One AssumeRole call the emulator answered (or refused after authenticating).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRoleCall {
    /// The access key id that signed the request.
    pub caller: String,
    pub role_arn: String,
    pub role_session_name: String,
    pub duration_seconds: Option<u64>,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
    pub token_code: Option<String>,
    /// The access key id issued, when the call succeeded.
    pub issued: Option<String>,
}

/// One `getSigninToken` request with valid credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigninCall {
    pub access_key_id: String,
    pub session_duration: Option<u64>,
    /// Whether the token was issued (false: refused, e.g. SessionDuration with chained
    /// credentials).
    pub issued: bool,
}

/// The emulated API operations, for call counters and fault injection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    RegisterClient,
    StartDeviceAuthorization,
    CreateToken,
    GetRoleCredentials,
    ListAccounts,
    ListAccountRoles,
    Logout,
    /// STS AssumeRole (`POST /` with `Action=AssumeRole`).
    AssumeRole,
    /// The console federation endpoint's `GET /federation?Action=getSigninToken`.
    GetSigninToken,
    /// `GET /authorize`, the browser's visit in the authorization code flow (not an API
    /// operation; faults: Hang and Delay delay the page, any other gives an error page).
    Authorize,
}

impl Op {
    const ALL: [Op; 10] = [
        Op::RegisterClient,
        Op::StartDeviceAuthorization,
        Op::CreateToken,
        Op::GetRoleCredentials,
        Op::ListAccounts,
        Op::ListAccountRoles,
        Op::Logout,
        Op::AssumeRole,
        Op::GetSigninToken,
        Op::Authorize,
    ];

    /// The operation name as in the service model (also the key in `/__emulator/calls`).
    fn name(self) -> &'static str {
        match self {
            Op::RegisterClient => "RegisterClient",
            Op::StartDeviceAuthorization => "StartDeviceAuthorization",
            Op::CreateToken => "CreateToken",
            Op::GetRoleCredentials => "GetRoleCredentials",
            Op::ListAccounts => "ListAccounts",
            Op::ListAccountRoles => "ListAccountRoles",
            Op::Logout => "Logout",
            Op::AssumeRole => "AssumeRole",
            Op::GetSigninToken => "GetSigninToken",
            Op::Authorize => "Authorize",
        }
    }

    /// The operations Identity Center's portal rate limit applies to.
    fn is_portal(self) -> bool {
        !self.is_oidc() && !matches!(self, Op::AssumeRole | Op::GetSigninToken)
    }

    /// OIDC operations and portal operations format their errors differently.
    fn is_oidc(self) -> bool {
        matches!(
            self,
            Op::RegisterClient | Op::StartDeviceAuthorization | Op::CreateToken
        )
    }
}

/// A failure to inject into the next calls of an operation (see [`Emulator::inject`]).
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this HTTP status and the operation's matching modeled error
    /// (`x-amzn-ErrorType` set): 400 InvalidRequestException, 401 InvalidClientException
    /// (OIDC) or UnauthorizedException (portal), 403 AccessDeniedException (OIDC) or
    /// ForbiddenException (portal), 404 ResourceNotFoundException, 429
    /// TooManyRequestsException, 503 ServiceUnavailableException, other 5xx
    /// InternalServerException.
    Status(u16),
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Answer 200 with a truncated JSON body.
    MalformedBody,
    /// Never answer; the connection stays open until the emulator shuts down.
    Hang,
    /// Answer the OIDC SlowDownException (400 `slow_down`).
    SlowDown,
}

/// A running emulator. Serves on its own thread until [`Emulator::shutdown`] or drop.
pub struct Emulator {
    state: Arc<Mutex<State>>,
    addr: SocketAddr,
    endpoint: String,
    /// Dropping the sender tells the server thread to stop.
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Serves on an ephemeral loopback port.
    pub fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), config)
    }

    /// Serves on `addr`. Returns once the socket is listening, so clients may connect
    /// right away.
    pub fn start_on(addr: SocketAddr, config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let endpoint = format!("http://{addr}");
        let state = Arc::new(Mutex::new(State::new(config, endpoint.clone())));
        let (stop, thread) = server::spawn(listener, state.clone())?;
        Ok(Emulator {
            state,
            addr,
            endpoint,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The endpoint URL for `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`, without a
    /// trailing slash.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests reached the operation's route, faulted ones included.
    pub fn calls(&self, op: Op) -> u64 {
        self.state().calls(op)
    }

    /// How many of those were answered 429 for exceeding [`EmulatorConfig::rate_limit`].
    pub fn throttled(&self, op: Op) -> u64 {
        self.state().throttled(op)
    }

    /// Gives the next `times` calls of `op` this fault, after any faults already queued.
    pub fn inject(&self, op: Op, fault: Fault, times: u32) {
        self.state().inject(op, fault, times);
    }

    /// Approves every pending device authorization and `/authorize` request.
    pub fn approve_all(&self) {
        self.state().approve_all();
    }

    /// Invalidates every access token and refresh token, as if all sign-in sessions ended.
    pub fn revoke_sessions(&self) {
        self.state().revoke_sessions();
    }

    /// The AssumeRole calls so far, in order, with the key that signed each.
    pub fn assume_role_calls(&self) -> Vec<AssumeRoleCall> {
        self.state().assume_role_calls.clone()
    }

    /// The `getSigninToken` requests with valid credentials so far, in order.
    pub fn signin_calls(&self) -> Vec<SigninCall> {
        self.state().signin_calls.clone()
    }

    /// Changes the configuration; takes effect for the following requests.
    pub fn update(&self, f: impl FnOnce(&mut EmulatorConfig)) {
        f(&mut self.state().config);
    }

    /// Stops serving and frees the port; requests in flight (including hanging ones) are
    /// dropped. Dropping the emulator does the same.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // The server thread only ends by itself through a panic, which the test
            // that caused it reports; nothing useful to add here.
            let _ = thread.join();
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Locks the state even if a panicking thread poisoned it: the state stays consistent
/// between statements, and one failed test should not cascade into others.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}
