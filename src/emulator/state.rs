//! What the emulated service remembers: registered clients, device authorizations and
//! sign-in sessions, plus the per-operation call counters and fault queues.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::error::ApiError;
use super::ids::{self, ALNUM, BASE64, UPPER, UPPER_DIGITS, URL_SAFE};
use super::{Approval, EmulatorConfig, Fault, Op};

const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_TOKEN_GRANT: &str = "refresh_token";

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
        }
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
        let Some(rate) = self.config.rate_limit.filter(|_| !op.is_oidc()) else {
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

    pub(super) fn register_client(&mut self, grant_types: Vec<String>) -> Registration {
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
            },
        );
        Registration {
            client_id,
            client_secret,
            issued_at,
            expires_at: issued_at + ttl.as_secs(),
        }
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

    /// Approves every pending device authorization; returns how many there were.
    pub(super) fn approve_all(&mut self) -> usize {
        let mut approved = 0;
        for device in self.devices.values_mut() {
            if let DeviceStatus::Pending { .. } = device.status {
                device.status = DeviceStatus::Approved;
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
        &self,
        account_id: &str,
        role_name: &str,
    ) -> Result<RoleCredentials, ApiError> {
        let assigned = self.config.accounts.iter().any(|account| {
            account.id == account_id && account.roles.iter().any(|role| role == role_name)
        });
        if !assigned {
            return Err(ApiError::forbidden());
        }
        let expires = SystemTime::now() + self.config.credentials_ttl;
        let expiration = expires
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis() as u64);
        Ok(match &self.config.credential_values {
            Some(values) => RoleCredentials {
                access_key_id: values.access_key_id.clone(),
                secret_access_key: values.secret_access_key.clone(),
                session_token: values.session_token.clone(),
                expiration,
            },
            None => RoleCredentials {
                access_key_id: format!("ASIA{}", ids::random_string(UPPER_DIGITS, 16)),
                secret_access_key: ids::random_string(BASE64, 40),
                session_token: ids::random_string(BASE64, 356),
                expiration,
            },
        })
    }
}
