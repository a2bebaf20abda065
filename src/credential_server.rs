//! The credential endpoint of `exec --server` and `serve`: role credentials
//! over loopback HTTP in the container-credentials format, which every SDK
//! reads through AWS_CONTAINER_CREDENTIALS_FULL_URI (botocore's
//! ContainerProvider, the Go, Java and Rust SDKs, Terraform's provider).
//!
//! SDKs come back for new credentials before the old ones expire, so a
//! command that runs for hours never holds expired keys, and no key sits in
//! its environment. Every request goes through the SSO core: cached
//! credentials while they last, a fresh fetch near expiry, and nothing once
//! the SSO session has ended.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use hyper::body::Incoming;
use hyper::header::AUTHORIZATION;
use hyper::{Method, Request, StatusCode};
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;

use crate::activation::{self, handout::Endpoint};
use crate::config::Chain;
use crate::error::{Error, Kind, Result};
use crate::loopback::{self, Limits, Reply};
use crate::sso::{self, RoleCredentials, assume::Mfa};

/// The one path served.
const PATH: &str = "/credentials";

/// The SDKs of one process tree make a request or two at a time: room for
/// many more, far below any file-descriptor limit.
const LIMITS: Limits = Limits {
    connections: 64,
    header_timeout: loopback::HEADER_TIMEOUT,
};

pub struct CredentialServer {
    listener: TcpListener,
    url: String,
    state: Arc<State>,
}

struct State {
    profile: Chain,
    token: String,
    /// The command that started the server, for the hint when a request
    /// needs a new MFA code.
    restart: String,
    /// The last failure shown on stderr: SDKs retry, and one line per
    /// failure is enough.
    reported: Mutex<Option<String>>,
}

impl CredentialServer {
    /// Get the credentials once, now, then listen on 127.0.0.1:`port` (0
    /// picks a free one) with a new random token. Loopback only: the one
    /// plain-http host SDKs accept, and out of reach of other machines.
    ///
    /// Now is when an MFA code may be asked for, in the foreground at a
    /// terminal, and when a missing session fails (exit 3) rather than on
    /// the first request. Requests never ask: `restart`, the command that
    /// started the server, is what they name when they need a new code.
    pub async fn bind(profile: Chain, port: u16, restart: String) -> Result<CredentialServer> {
        credentials(&profile, Mfa::Ask).await?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::io(format_args!("listen on {addr}"), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(format_args!("listen on {addr}"), e))?;
        Ok(CredentialServer {
            listener,
            url: format!("http://{addr}{PATH}"),
            state: Arc::new(State {
                profile,
                token: random_token()?,
                restart,
                reported: Mutex::new(None),
            }),
        })
    }

    /// Where SDKs reach this server, and the token they must send.
    pub fn endpoint(&self) -> Endpoint<'_> {
        Endpoint {
            url: &self.url,
            token: &self.state.token,
        }
    }

    /// Serve until this future is dropped.
    pub async fn serve(self) -> Infallible {
        let state = self.state;
        loopback::serve(self.listener, LIMITS, move |request| {
            let state = state.clone();
            async move { answer(&state, request).await }
        })
        .await
    }
}

/// Role credentials, but only while the SSO session lasts: its token must
/// still be valid (it is refreshed when it can be), so that credentials
/// cached earlier are not handed out once the session has ended. They are
/// said to expire no later than the token, so that SDKs come back by then
/// and learn whether the session still holds.
async fn credentials(chain: &Chain, mfa: Mfa<'_>) -> Result<RoleCredentials> {
    let root = &chain.root;
    let token = sso::token::valid(&root.session, Some(&root.name)).await?;
    let mut creds = sso::assume::credentials(chain, mfa).await?;
    creds.expiration = creds.expiration.min(token.expires_at);
    Ok(creds)
}

async fn answer(state: &State, request: Request<Incoming>) -> Reply {
    // The token first: without it a client learns nothing, not even the path.
    match request.headers().get(AUTHORIZATION) {
        None => {
            return error(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "send the AWS_CONTAINER_AUTHORIZATION_TOKEN of this ssoenv run as the Authorization header",
            );
        }
        // Compared in constant time: response times say nothing about how
        // much of a guess was right. (The length is no secret.)
        Some(sent) if !bool::from(sent.as_bytes().ct_eq(state.token.as_bytes())) => {
            return error(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "wrong authorization token",
            );
        }
        Some(_) => {}
    }
    if request.uri().path() != PATH {
        return error(StatusCode::NOT_FOUND, "NotFound", "no such path");
    }
    if request.method() != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "only GET is served",
        );
    }
    match credentials(&state.profile, Mfa::NeverRestart(&state.restart)).await {
        Ok(creds) => {
            crate::trace!(
                "served credentials of {} expiring {}",
                state.profile.profile.name,
                creds.expiration
            );
            *state.reported() = None;
            // The container credentials format names the session token `Token`.
            let doc = activation::credentials_document(&creds, "Token");
            loopback::json(StatusCode::OK, &doc)
        }
        Err(e) => {
            state.report(&e);
            // Any status but 200 fails the SDK's fetch with this body; 5xx
            // says "try again", which works once someone signs in.
            let (status, code) = match e.kind {
                Kind::LoginRequired => (StatusCode::SERVICE_UNAVAILABLE, "LoginRequired"),
                _ => (StatusCode::BAD_GATEWAY, "CredentialsUnavailable"),
            };
            error(status, code, &e.message)
        }
    }
}

impl State {
    fn reported(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.reported.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tell the person at the terminal what went wrong (an SDK may show only
    /// a generic error), once rather than on every retry.
    fn report(&self, e: &Error) {
        let mut last = self.reported();
        if last.as_deref() != Some(e.message.as_str()) {
            crate::say!("{e}");
            *last = Some(e.message.clone());
        }
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    loopback::json(status, &json!({ "code": code, "message": message }))
}

/// 32 random bytes, hex: unguessable, and safe in a header and a shell.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::failed(format!("cannot get random bytes from the system: {e}")))?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_fresh() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
