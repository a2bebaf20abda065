//! What the emulated service remembers: registered clients, device authorizations and
//! sign-in sessions, plus the per-operation call counters and fault queues.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::ids::{self, ALNUM, UPPER, URL_SAFE};
use super::{Approval, AssumeRoleCall, EmulatorConfig, Fault, Op, SigninCall};

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_TOKEN_GRANT: &str = "refresh_token";
const AUTHORIZATION_CODE_GRANT: &str = "authorization_code";
/// Grant types RegisterClient accepts.
const KNOWN_GRANTS: [&str; 3] = [
    AUTHORIZATION_CODE_GRANT,
    REFRESH_TOKEN_GRANT,
    DEVICE_CODE_GRANT,
];
/// How long an authorization code may wait for its CreateToken (RFC 6749 §4.1.2 advises at
/// most 10 minutes).
const AUTHORIZATION_CODE_TTL: Duration = Duration::from_secs(5 * 60);

pub(super) struct State {
    pub(super) config: EmulatorConfig,
    /// The emulator's own URL, the base of the verification page.
    pub(super) endpoint: String,
    calls: HashMap<Op, u64>,
    throttled: HashMap<Op, u64>,
    /// The portal's rate limit; None until the first portal request.
    bucket: Option<Bucket>,
    faults: HashMap<Op, VecDeque<Fault>>,
    clients: HashMap<String, Client>,
    /// Keyed by device code. Redeemed codes are removed, which makes a second redemption
    /// an unknown code (InvalidGrantException), as required.
    devices: HashMap<String, Device>,
    access_tokens: HashMap<String, AccessToken>,
    refresh_tokens: HashMap<String, RefreshToken>,
    next_session: u64,
    /// `/authorize` requests waiting for a manual approval, by request number.
    authorizations: HashMap<u64, Authorization>,
    next_authorization: u64,
    /// Authorization codes, kept after redemption so that a second use is recognised.
    codes: HashMap<String, AuthorizationCode>,
    /// Every role credential handed out (GetRoleCredentials, AssumeRole), by access key
    /// id: STS and the federation endpoint accept only these.
    pub(super) issued: HashMap<String, Issued>,
    pub(super) assume_role_calls: Vec<AssumeRoleCall>,
    pub(super) signin_calls: Vec<SigninCall>,
    /// Sign-in tokens from getSigninToken, with the access key id they were made for.
    pub(super) signin_tokens: HashMap<String, String>,
}

/// Role credentials the emulator issued.
pub(super) struct Issued {
    pub(super) secret: String,
    pub(super) session_token: String,
    /// The assumed-role ARN of the session.
    pub(super) arn: String,
    /// From AssumeRole with role-session credentials (role chaining).
    pub(super) chained: bool,
    pub(super) expires: SystemTime,
}

/// A token bucket refilled continuously at the rate limit, holding one second's worth.
struct Bucket {
    tokens: f64,
    updated: Instant,
}

struct Client {
    secret: String,
    expires: Instant,
    /// Empty when the registration named none, which allows every grant type.
    grant_types: Vec<String>,
    /// Where `/authorize` may send the browser back to.
    redirect_uris: Vec<String>,
}

impl Client {
    fn allows(&self, grant_type: &str) -> bool {
        self.grant_types.is_empty() || self.grant_types.iter().any(|g| g == grant_type)
    }
}

struct Device {
    client_id: String,
    user_code: String,
    expires: Instant,
    status: DeviceStatus,
}

/// What an `/authorize` request asked for; the code it yields is bound to all of it.
struct Authorization {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    expires: Instant,
    approved: bool,
}

struct AuthorizationCode {
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    expires: Instant,
    redeemed: bool,
}

enum DeviceStatus {
    /// `polled` once CreateToken answered `authorization_pending` for it.
    Pending {
        polled: bool,
    },
    Approved,
}

/// Tokens belong to a sign-in session (one device authorization, continued by refreshes):
/// Logout ends the whole session, as the real service does.
struct AccessToken {
    session: u64,
    expires: Instant,
}

struct RefreshToken {
    session: u64,
    client_id: String,
}

pub(super) struct Registration {
    pub(super) client_id: String,
    pub(super) client_secret: String,
    pub(super) issued_at: u64,
    pub(super) expires_at: u64,
}

pub(super) struct DeviceAuthorization {
    pub(super) device_code: String,
    pub(super) user_code: String,
    pub(super) expires_in: u64,
    pub(super) interval: u32,
}

/// The grants of CreateToken that the emulator supports.
pub(super) enum Grant<'a> {
    DeviceCode(&'a str),
    RefreshToken(&'a str),
    AuthorizationCode {
        code: &'a str,
        redirect_uri: &'a str,
        code_verifier: &'a str,
    },
}

/// The parameters of `GET /authorize` (absent ones are None).
pub(super) struct AuthorizeRequest<'a> {
    pub(super) client_id: Option<&'a str>,
    pub(super) redirect_uri: Option<&'a str>,
    pub(super) response_type: Option<&'a str>,
    pub(super) code_challenge: Option<&'a str>,
    pub(super) code_challenge_method: Option<&'a str>,
}

/// Where an `/authorize` request stands.
pub(super) enum Authorized {
    /// Approved: send the browser back with this code.
    Code(String),
    /// Waiting for a manual approval; ask again with [`State::poll_authorization`].
    Pending(u64),
}

/// Why an `/authorize` request fails.
pub(super) enum AuthorizeError {
    /// The redirect URI cannot be trusted (unknown client, unregistered URI): tell the user
    /// on a page instead of sending the browser anywhere (RFC 6749 §4.1.2.1).
    Page(ApiError),
    /// Send the browser back to the client with this OAuth `error` and description.
    Redirect(&'static str, &'static str),
}

pub(super) struct Tokens {
    pub(super) access_token: String,
    pub(super) expires_in: u64,
    pub(super) refresh_token: Option<String>,
}

pub(super) struct RoleCredentials {
    pub(super) access_key_id: String,
    pub(super) secret_access_key: String,
    pub(super) session_token: String,
    /// Epoch milliseconds, as on the wire.
    pub(super) expiration: u64,
}

fn epoch_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

impl State {
    pub(super) fn new(config: EmulatorConfig, endpoint: String) -> Self {
        State {
            config,
            endpoint,
            calls: HashMap::new(),
            throttled: HashMap::new(),
            bucket: None,
            faults: HashMap::new(),
            clients: HashMap::new(),
            devices: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            next_session: 0,
            authorizations: HashMap::new(),
            next_authorization: 0,
            codes: HashMap::new(),
            issued: HashMap::new(),
            assume_role_calls: Vec::new(),
            signin_calls: Vec::new(),
            signin_tokens: HashMap::new(),
        }
    }

    /// Records new credentials for the session `arn`, valid for `lifetime`.
    pub(super) fn issue(
        &mut self,
        arn: String,
        lifetime: Duration,
        chained: bool,
    ) -> (String, &Issued) {
        let fixed = self.config.credential_values.as_ref().filter(|_| !chained);
        let (key, secret, session_token) = ids::new_keys(fixed);
        let issued = Issued {
            secret,
            session_token,
            arn,
            chained,
            expires: SystemTime::now() + lifetime,
        };
        self.issued.insert(key.clone(), issued);
        let issued = &self.issued[&key];
        (key, issued)
    }

    /// Counts a request to `op` and returns the fault it should get: a 429 past the rate
    /// limit (which uses up no queued fault), else any fault queued.
    pub(super) fn record_call(&mut self, op: Op) -> Option<Fault> {
        *self.calls.entry(op).or_default() += 1;
        if !self.admit(op, Instant::now()) {
            *self.throttled.entry(op).or_default() += 1;
            return Some(Fault::Status(429));
        }
        self.faults.get_mut(&op)?.pop_front()
    }

    /// Whether the rate limit lets a request to `op` through at `now`; OIDC is not limited.
    fn admit(&mut self, op: Op, now: Instant) -> bool {
        let Some(rate) = self.config.rate_limit.filter(|_| op.is_portal()) else {
            return true;
        };
        let capacity = f64::from(rate);
        let bucket = self.bucket.get_or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let refill = now.duration_since(bucket.updated).as_secs_f64() * capacity;
        bucket.tokens = (bucket.tokens + refill).min(capacity);
        bucket.updated = now;
        if bucket.tokens < 1.0 {
            return false;
        }
        bucket.tokens -= 1.0;
        true
    }

    pub(super) fn calls(&self, op: Op) -> u64 {
        self.calls.get(&op).copied().unwrap_or(0)
    }

    pub(super) fn throttled(&self, op: Op) -> u64 {
        self.throttled.get(&op).copied().unwrap_or(0)
    }

    pub(super) fn inject(&mut self, op: Op, fault: Fault, times: u32) {
        let queue = self.faults.entry(op).or_default();
        queue.extend(std::iter::repeat_n(fault, times as usize));
    }

    /// Registers a public client. One that may use the authorization code grant must name
    /// its redirect URIs (loopback `http` or `https`) and the issuer URL (the start URL).
    pub(super) fn register_client(
        &mut self,
        grant_types: Vec<String>,
        redirect_uris: Vec<String>,
        issuer_url: Option<&str>,
    ) -> Result<Registration, ApiError> {
        if let Some(unknown) = grant_types
            .iter()
            .find(|grant| !KNOWN_GRANTS.contains(&grant.as_str()))
        {
            return Err(ApiError::unsupported_grant_type(unknown));
        }
        if grant_types.iter().any(|g| g == AUTHORIZATION_CODE_GRANT) {
            if redirect_uris.is_empty() {
                return Err(ApiError::invalid_redirect_uri(
                    "The authorization_code grant needs redirectUris",
                ));
            }
            if let Some(bad) = redirect_uris.iter().find(|uri| !acceptable_redirect(uri)) {
                return Err(ApiError::invalid_redirect_uri(format!(
                    "Invalid redirect URI: {bad}"
                )));
            }
            if issuer_url.is_none_or(str::is_empty) {
                return Err(ApiError::invalid_request(
                    "The authorization_code grant needs an issuerUrl",
                ));
            }
        }
        let client_id = ids::random_string(URL_SAFE, 22);
        let client_secret = ids::random_string(ALNUM, 64);
        let ttl = self.config.registration_ttl;
        let issued_at = epoch_seconds(SystemTime::now());
        self.clients.insert(
            client_id.clone(),
            Client {
                secret: client_secret.clone(),
                expires: Instant::now() + ttl,
                grant_types,
                redirect_uris,
            },
        );
        Ok(Registration {
            client_id,
            client_secret,
            issued_at,
            expires_at: issued_at + ttl.as_secs(),
        })
    }

    /// Checks a `GET /authorize` request and decides it per the approval mode.
    pub(super) fn authorize_request(
        &mut self,
        request: &AuthorizeRequest<'_>,
    ) -> Result<Authorized, AuthorizeError> {
        let now = Instant::now();
        let (client_id, client) = request
            .client_id
            .and_then(|id| self.clients.get_key_value(id))
            .filter(|(_, client)| now < client.expires)
            .ok_or_else(|| {
                AuthorizeError::Page(ApiError::invalid_client("Invalid client provided"))
            })?;
        let redirect_uri = request
            .redirect_uri
            .filter(|uri| {
                client
                    .redirect_uris
                    .iter()
                    .any(|registered| redirect_matches(registered, uri))
            })
            .ok_or_else(|| {
                AuthorizeError::Page(ApiError::invalid_redirect_uri(
                    "The redirect_uri is not registered for this client",
                ))
            })?;
        if !client.allows(AUTHORIZATION_CODE_GRANT) {
            return Err(AuthorizeError::Redirect(
                "unauthorized_client",
                "Client is not registered for the authorization_code grant",
            ));
        }
        if request.response_type != Some("code") {
            return Err(AuthorizeError::Redirect(
                "unsupported_response_type",
                "response_type must be code",
            ));
        }
        if request.code_challenge_method != Some("S256") {
            return Err(AuthorizeError::Redirect(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
        let Some(code_challenge) = request.code_challenge else {
            return Err(AuthorizeError::Redirect(
                "invalid_request",
                "Missing code_challenge",
            ));
        };
        let authorization = Authorization {
            client_id: client_id.clone(),
            redirect_uri: redirect_uri.to_string(),
            code_challenge: code_challenge.to_string(),
            expires: now + self.config.device_code_ttl,
            approved: false,
        };
        match self.config.approval {
            Approval::Auto => Ok(Authorized::Code(self.issue_code(authorization))),
            Approval::Deny => Err(denied()),
            Approval::Manual => {
                self.next_authorization += 1;
                let id = self.next_authorization;
                self.authorizations.insert(id, authorization);
                Ok(Authorized::Pending(id))
            }
        }
    }

    /// Where a pending `/authorize` request stands now: approved, still waiting, denied (the
    /// mode changed to Deny) or expired.
    pub(super) fn poll_authorization(&mut self, id: u64) -> Result<Authorized, AuthorizeError> {
        let Entry::Occupied(entry) = self.authorizations.entry(id) else {
            return Err(AuthorizeError::Redirect(
                "server_error",
                "Unknown authorization request",
            ));
        };
        if self.config.approval == Approval::Deny {
            entry.remove();
            return Err(denied());
        }
        if Instant::now() >= entry.get().expires {
            entry.remove();
            return Err(AuthorizeError::Redirect(
                "access_denied",
                "The authorization request expired",
            ));
        }
        if !entry.get().approved {
            return Ok(Authorized::Pending(id));
        }
        let authorization = entry.remove();
        Ok(Authorized::Code(self.issue_code(authorization)))
    }

    fn issue_code(&mut self, authorization: Authorization) -> String {
        let code = ids::random_string(URL_SAFE, 64);
        self.codes.insert(
            code.clone(),
            AuthorizationCode {
                client_id: authorization.client_id,
                redirect_uri: authorization.redirect_uri,
                code_challenge: authorization.code_challenge,
                expires: Instant::now() + AUTHORIZATION_CODE_TTL,
                redeemed: false,
            },
        );
        code
    }

    /// Redeems an authorization code: once, by the client it was issued to, with the same
    /// redirect URI, and with the verifier whose S256 hash is the challenge (RFC 7636 §4.6).
    fn redeem_authorization_code(
        &mut self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<u64, ApiError> {
        let entry = match self.codes.get_mut(code) {
            Some(entry) if entry.client_id == client_id => entry,
            _ => {
                return Err(ApiError::invalid_grant(
                    "Invalid authorization code provided",
                ));
            }
        };
        if entry.redeemed {
            return Err(ApiError::invalid_grant(
                "Authorization code has already been used",
            ));
        }
        if Instant::now() >= entry.expires {
            return Err(ApiError::invalid_grant("Authorization code has expired"));
        }
        if entry.redirect_uri != redirect_uri {
            return Err(ApiError::invalid_grant(
                "redirectUri does not match the authorization request",
            ));
        }
        if !valid_verifier(code_verifier) || s256(code_verifier) != entry.code_challenge {
            return Err(ApiError::invalid_grant(
                "Code verifier does not match the code challenge",
            ));
        }
        entry.redeemed = true;
        self.next_session += 1;
        Ok(self.next_session)
    }

    /// The registered client with these credentials, if its registration has not expired.
    fn client(&self, client_id: &str, client_secret: &str) -> Result<&Client, ApiError> {
        match self.clients.get(client_id) {
            Some(client) if client.secret != client_secret => {
                Err(ApiError::invalid_client("Invalid client secret provided"))
            }
            Some(client) if Instant::now() >= client.expires => {
                Err(ApiError::invalid_client("Client registration has expired"))
            }
            Some(client) => Ok(client),
            None => Err(ApiError::invalid_client("Invalid client provided")),
        }
    }

    pub(super) fn start_device_authorization(
        &mut self,
        client_id: &str,
        client_secret: &str,
    ) -> Result<DeviceAuthorization, ApiError> {
        if !self
            .client(client_id, client_secret)?
            .allows(DEVICE_CODE_GRANT)
        {
            return Err(ApiError::unauthorized_client());
        }
        let user_code = loop {
            let code = format!(
                "{}-{}",
                ids::random_string(UPPER, 4),
                ids::random_string(UPPER, 4)
            );
            if !self.devices.values().any(|device| device.user_code == code) {
                break code;
            }
        };
        let device_code = ids::random_string(URL_SAFE, 86);
        let ttl = self.config.device_code_ttl;
        self.devices.insert(
            device_code.clone(),
            Device {
                client_id: client_id.to_string(),
                user_code: user_code.clone(),
                expires: Instant::now() + ttl,
                status: DeviceStatus::Pending { polled: false },
            },
        );
        Ok(DeviceAuthorization {
            device_code,
            user_code,
            expires_in: ttl.as_secs(),
            interval: self.config.poll_interval,
        })
    }

    pub(super) fn create_token(
        &mut self,
        client_id: &str,
        client_secret: &str,
        grant: Grant<'_>,
    ) -> Result<Tokens, ApiError> {
        let grant_type = match grant {
            Grant::DeviceCode(_) => DEVICE_CODE_GRANT,
            Grant::RefreshToken(_) => REFRESH_TOKEN_GRANT,
            Grant::AuthorizationCode { .. } => AUTHORIZATION_CODE_GRANT,
        };
        if !self.client(client_id, client_secret)?.allows(grant_type) {
            return Err(ApiError::unauthorized_client());
        }
        let session = match grant {
            Grant::DeviceCode(code) => self.redeem_device_code(client_id, code)?,
            // Rotation: a refresh token works once, then its replacement takes over.
            Grant::RefreshToken(token) => match self.refresh_tokens.entry(token.to_string()) {
                Entry::Occupied(entry) if entry.get().client_id == client_id => {
                    entry.remove().session
                }
                _ => return Err(ApiError::invalid_grant("Invalid refresh token provided")),
            },
            Grant::AuthorizationCode {
                code,
                redirect_uri,
                code_verifier,
            } => self.redeem_authorization_code(client_id, code, redirect_uri, code_verifier)?,
        };
        Ok(self.issue_tokens(session, client_id))
    }

    /// Answers a device-code poll: a new session id once approved, else the OAuth error.
    fn redeem_device_code(&mut self, client_id: &str, code: &str) -> Result<u64, ApiError> {
        let approval = self.config.approval;
        let device = match self.devices.get_mut(code) {
            Some(device) if device.client_id == client_id => device,
            _ => return Err(ApiError::invalid_grant("Invalid device code provided")),
        };
        if Instant::now() >= device.expires {
            return Err(ApiError::expired_token());
        }
        if approval == Approval::Deny {
            return Err(ApiError::access_denied());
        }
        match &mut device.status {
            DeviceStatus::Approved => {}
            DeviceStatus::Pending { polled: true } if approval == Approval::Auto => {}
            DeviceStatus::Pending { polled } => {
                *polled = true;
                return Err(ApiError::authorization_pending());
            }
        }
        self.devices.remove(code);
        self.next_session += 1;
        Ok(self.next_session)
    }

    fn issue_tokens(&mut self, session: u64, client_id: &str) -> Tokens {
        let access_token = format!("aoa{}", ids::random_string(URL_SAFE, 120));
        let ttl = self.config.access_token_ttl;
        self.access_tokens.insert(
            access_token.clone(),
            AccessToken {
                session,
                expires: Instant::now() + ttl,
            },
        );
        let refresh_token = self.config.issue_refresh_tokens.then(|| {
            let token = format!("aor{}", ids::random_string(URL_SAFE, 120));
            let refresh = RefreshToken {
                session,
                client_id: client_id.to_string(),
            };
            self.refresh_tokens.insert(token.clone(), refresh);
            token
        });
        Tokens {
            access_token,
            expires_in: ttl.as_secs(),
            refresh_token,
        }
    }

    /// Approves every pending device authorization and `/authorize` request; returns how
    /// many there were.
    pub(super) fn approve_all(&mut self) -> usize {
        let mut approved = 0;
        for device in self.devices.values_mut() {
            if let DeviceStatus::Pending { .. } = device.status {
                device.status = DeviceStatus::Approved;
                approved += 1;
            }
        }
        for authorization in self.authorizations.values_mut() {
            if !authorization.approved {
                authorization.approved = true;
                approved += 1;
            }
        }
        approved
    }

    /// Approves the unexpired device authorization with this user code (case-insensitive,
    /// as typed by a human); false if there is none.
    pub(super) fn approve_user_code(&mut self, user_code: &str) -> bool {
        let now = Instant::now();
        let device = self.devices.values_mut().find(|device| {
            device.user_code.eq_ignore_ascii_case(user_code.trim()) && now < device.expires
        });
        match device {
            Some(device) => {
                device.status = DeviceStatus::Approved;
                true
            }
            None => false,
        }
    }

    pub(super) fn revoke_sessions(&mut self) {
        self.access_tokens.clear();
        self.refresh_tokens.clear();
    }

    /// The session of a valid `x-amz-sso_bearer_token`.
    fn session(&self, bearer: Option<&str>) -> Result<u64, ApiError> {
        bearer
            .and_then(|token| self.access_tokens.get(token))
            .filter(|token| Instant::now() < token.expires)
            .map(|token| token.session)
            .ok_or_else(ApiError::unauthorized)
    }

    pub(super) fn authorize(&self, bearer: Option<&str>) -> Result<(), ApiError> {
        self.session(bearer).map(drop)
    }

    /// Ends the bearer's session: its access and refresh tokens stop working.
    pub(super) fn logout(&mut self, bearer: Option<&str>) -> Result<(), ApiError> {
        let session = self.session(bearer)?;
        self.access_tokens
            .retain(|_, token| token.session != session);
        self.refresh_tokens
            .retain(|_, token| token.session != session);
        Ok(())
    }

    /// Credentials for a role assigned to the user (the caller checks the bearer token).
    pub(super) fn role_credentials(
        &mut self,
        account_id: &str,
        role_name: &str,
    ) -> Result<RoleCredentials, ApiError> {
        let assigned = self.config.accounts.iter().any(|account| {
            account.id == account_id && account.roles.iter().any(|role| role == role_name)
        });
        if !assigned {
            return Err(ApiError::forbidden());
        }
        let arn = format!(
            "arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_{role_name}_0123456789abcdef/user@example.com"
        );
        let (key, issued) = self.issue(arn, self.config.credentials_ttl, false);
        let expiration = issued
            .expires
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as u64);
        Ok(RoleCredentials {
            access_key_id: key,
            secret_access_key: issued.secret.clone(),
            session_token: issued.session_token.clone(),
            expiration,
        })
    }
}

fn denied() -> AuthorizeError {
    AuthorizeError::Redirect("access_denied", "The user denied the request")
}

/// The PKCE S256 transformation: unpadded base64url of the SHA-256 of the verifier.
fn s256(code_verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()))
}

/// RFC 7636 §4.1: 43 to 128 unreserved characters.
fn valid_verifier(code_verifier: &str) -> bool {
    (43..=128).contains(&code_verifier.len())
        && code_verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// `https://...`, or plain `http` to a loopback address, where nothing leaves the machine.
fn acceptable_redirect(uri: &str) -> bool {
    uri.starts_with("https://") || loopback_parts(uri).is_some()
}

/// Whether a requested redirect URI matches a registered one: exactly, or for loopback
/// addresses with any port, since a native app listens on whatever port it gets
/// (RFC 8252 §7.3).
fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    match (loopback_parts(registered), loopback_parts(requested)) {
        (Some((host_a, path_a)), Some((host_b, path_b))) => host_a == host_b && path_a == path_b,
        _ => false,
    }
}

/// The host and path of an `http` URI to a loopback address, the port left out.
fn loopback_parts(uri: &str) -> Option<(&str, &str)> {
    let rest = uri.strip_prefix("http://")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = match authority.strip_prefix('[') {
        Some(v6) => &authority[..v6.find(']')? + 2],
        None => authority.split(':').next()?,
    };
    matches!(host, "127.0.0.1" | "[::1]" | "localhost").then_some((host, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port() {
        let registered = "http://127.0.0.1/oauth/callback";
        assert!(redirect_matches(
            registered,
            "http://127.0.0.1:4711/oauth/callback"
        ));
        assert!(redirect_matches(registered, registered));
        assert!(!redirect_matches(registered, "http://127.0.0.1:4711/other"));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.2:4711/oauth/callback"
        ));
        assert!(!redirect_matches(
            registered,
            "http://evil.example/oauth/callback"
        ));
        assert!(!redirect_matches(
            registered,
            "http://127.0.0.1.evil.example/oauth/callback"
        ));
        assert!(redirect_matches("http://[::1]/cb", "http://[::1]:8080/cb"));
        assert!(!redirect_matches(
            "https://example.com/cb",
            "https://example.com:8443/cb"
        ));
    }

    #[test]
    fn s256_matches_rfc_7636() {
        // RFC 7636 Appendix B.
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(valid_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!valid_verifier("short"));
        assert!(!valid_verifier(&"a b".repeat(20)));
    }
}
