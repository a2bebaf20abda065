//! Sign-in with the OAuth authorization code grant and PKCE (RFC 7636, S256),
//! as the AWS CLI v2 signs in sso-session profiles since 2.22: the browser
//! opens Identity Center's `/authorize` page and comes back to a loopback
//! listener with a code, which CreateToken exchanges (with the verifier only
//! this process knows) for the token. The user never types a code.

use aws_sdk_ssooidc::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

use super::attempt::Attempt;
use super::browser;
use super::callback::{self, Answer, Callback, Listener};
use super::client::{self, Service};
use super::countdown::Countdown;
use super::registration::{self, Flow, Registration};
use super::token::CachedToken;
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// RFC 3986 unreserved characters: the verifier's alphabet (RFC 7636 §4.1),
/// and what stays unescaped in a query value.
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// The AWS CLI's verifier length (RFC 7636 allows 43 to 128).
const VERIFIER_LEN: usize = 64;

/// How the authorization code flow ended.
pub enum Outcome {
    /// The token, and the browser waiting for the page that says so (sent
    /// once the token is stored).
    SignedIn {
        token: CachedToken,
        browser: Box<Callback>,
    },
    /// No browser here can finish it (none started, or no loopback
    /// listener): why, for the device flow to take over.
    Unavailable(String),
}

/// The secrets of one sign-in: the PKCE code verifier (only its hash goes
/// into the URL) and the `state` that ties the callback to this sign-in.
pub struct Secrets {
    verifier: String,
    state: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

impl Secrets {
    pub fn generate() -> Result<Secrets> {
        Ok(Secrets {
            verifier: random_unreserved(VERIFIER_LEN)?,
            state: random_unreserved(32)?,
        })
    }

    /// S256: unpadded base64url of the verifier's SHA-256 (RFC 7636 §4.2).
    pub fn challenge(&self) -> String {
        challenge(&self.verifier)
    }
}

pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// `len` characters from the OS's random source, drawn evenly from the
/// unreserved characters.
fn random_unreserved(len: usize) -> Result<String> {
    // The largest multiple of the alphabet size that fits a byte: bytes
    // above it are dropped so that every character is equally likely.
    let limit = (256 / UNRESERVED.len() * UNRESERVED.len()) as u8;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf)
            .map_err(|e| Error::failed(format!("no random numbers from the OS: {e}")))?;
        for &b in buf.iter().filter(|&&b| b < limit) {
            if out.len() < len {
                out.push(UNRESERVED[usize::from(b) % UNRESERVED.len()] as char);
            }
        }
    }
    Ok(out)
}

/// The `/authorize` URL, parameters in the AWS CLI's order
/// (`SSOTokenFetcherAuth._get_authorization_uri`).
pub fn authorize_url(
    endpoint: &str,
    client_id: &str,
    redirect_uri: &str,
    secrets: &Secrets,
    scopes: &[String],
) -> String {
    let scopes = scopes.join(" ");
    let params = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", &secrets.state),
        ("code_challenge_method", "S256"),
        ("scopes", &scopes),
        ("code_challenge", &secrets.challenge()),
    ];
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
        .collect();
    format!(
        "{}/authorize?{}",
        endpoint.trim_end_matches('/'),
        query.join("&")
    )
}

/// Where `/authorize` is: the OIDC endpoint the SDK resolves for the region
/// (partition suffixes included), or the configured endpoint override.
async fn authorize_endpoint(region: &str) -> Result<String> {
    let params = Params::builder()
        .region(region)
        .set_endpoint(client::endpoint_override(Service::Oidc))
        .build()
        .map_err(|e| Error::failed(format!("no OIDC endpoint for region {region}: {e}")))?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .await
        .map_err(|e| Error::failed(format!("no OIDC endpoint for region {region}: {e}")))?;
    Ok(endpoint.url().to_string())
}

pub async fn sign_in(attempt: &Attempt<'_>, opener: Option<&browser::Opener>) -> Result<Outcome> {
    let session = attempt.session;
    // Bound before anything opens the browser, and kept until the end.
    let listener = match Listener::bind().await {
        Ok(l) => l,
        Err(e) => return Ok(Outcome::Unavailable(e.to_string())),
    };
    let oidc = client::oidc(&session.region).await;
    let reg = registration::get_or_register(session, &oidc, Flow::AuthorizationCode).await?;
    let secrets = Secrets::generate()?;
    let scopes = Flow::AuthorizationCode.scopes(session).unwrap_or_default();
    let redirect_uri = listener.redirect_uri().to_string();
    let url = authorize_url(
        &authorize_endpoint(&session.region).await?,
        &reg.client_id,
        &redirect_uri,
        &secrets,
        &scopes,
    );

    crate::say!(
        "signing in to {session} in your browser; if it does not open, open this URL on this computer:"
    );
    crate::log::line(format_args!("  {url}"));
    let visit = {
        let countdown = Countdown::new("the browser", attempt.deadline);
        tokio::select! {
            visit = listener.next() => visit,
            why = browser::open(opener, &url) => return Ok(Outcome::Unavailable(why)),
            () = tokio::time::sleep_until(attempt.deadline) => {
                return Err(attempt.timed_out(
                    "the sign-in was not completed in the browser",
                    ", or add --use-device-code to sign in with a code on any device",
                ));
            }
            never = countdown.run() => match never {},
        }
    };
    let code = match check(&visit.answer, &secrets, attempt) {
        Ok(code) => code.to_string(),
        Err(e) => {
            visit.respond(callback::Page::failed(e.to_string())).await;
            return Err(e);
        }
    };
    match create_token(attempt, &oidc, &reg, &code, &redirect_uri, &secrets).await {
        Ok(token) => Ok(Outcome::SignedIn {
            token,
            browser: Box::new(visit),
        }),
        Err(e) => {
            visit
                .respond(callback::Page::failed(format!(
                    "The sign-in to {session} failed: {e}"
                )))
                .await;
            Err(e)
        }
    }
}

/// The code, if the browser brought one back for this sign-in.
fn check<'a>(answer: &'a Answer, secrets: &Secrets, attempt: &Attempt<'_>) -> Result<&'a str> {
    match answer {
        Answer::Code { code, state } if state.as_deref() == Some(secrets.state.as_str()) => {
            Ok(code.expose())
        }
        Answer::Error { state, .. } | Answer::Code { state, .. }
            if state.as_deref().is_some_and(|s| s != secrets.state) =>
        {
            Err(Error::failed(format!(
                "the browser came back with the `state` of another sign-in (an old tab, or \
                 another program), so nothing was signed in; run `{}` again",
                attempt.retry
            )))
        }
        Answer::Code { .. } => Err(Error::failed(format!(
            "the browser came back without the sign-in's `state`, so nothing was signed in; \
             run `{}` again",
            attempt.retry
        ))),
        Answer::Error {
            error, description, ..
        } => {
            let detail = description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            let what = match error.as_str() {
                "access_denied" => "the sign-in was denied in the browser".to_string(),
                other => format!("the sign-in failed in the browser ({other})"),
            };
            Err(Error::failed(format!(
                "{what} ({error}{detail}); run `{}` to try again",
                attempt.retry
            )))
        }
    }
}

async fn create_token(
    attempt: &Attempt<'_>,
    oidc: &aws_sdk_ssooidc::Client,
    reg: &Registration,
    code: &str,
    redirect_uri: &str,
    secrets: &Secrets,
) -> Result<CachedToken> {
    let session = attempt.session;
    let endpoint = client::endpoint(Service::Oidc, &session.region);
    crate::trace!("CreateToken (authorization_code) at {endpoint}");
    let out = oidc
        .create_token()
        .client_id(&reg.client_id)
        .client_secret(reg.client_secret.expose())
        .grant_type("authorization_code")
        .code(code)
        .redirect_uri(redirect_uri)
        .code_verifier(&secrets.verifier)
        .send()
        .await
        .map_err(|e| client::failure("CreateToken", &endpoint, &e))?;
    CachedToken::issued(session, reg, out, Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_is_rfc_7636_s256() {
        // RFC 7636 Appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn secrets_are_random_unreserved_and_redacted() {
        let a = Secrets::generate().unwrap();
        let b = Secrets::generate().unwrap();
        assert_eq!(a.verifier.len(), 64);
        assert!(a.verifier.bytes().all(|c| UNRESERVED.contains(&c)));
        assert_ne!(a.verifier, b.verifier);
        assert_ne!(a.state, b.state);
        assert!(!format!("{a:?}").contains(&a.verifier));
    }

    #[test]
    fn authorize_url_has_the_aws_cli_parameters() {
        let secrets = Secrets {
            verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
            state: "st-1".into(),
        };
        let url = authorize_url(
            "https://oidc.us-east-1.amazonaws.com/",
            "client-1",
            "http://127.0.0.1:4711/oauth/callback",
            &secrets,
            &[
                "sso:account:access".into(),
                "codewhisperer:completions".into(),
            ],
        );
        assert_eq!(
            url,
            "https://oidc.us-east-1.amazonaws.com/authorize?response_type=code\
             &client_id=client-1\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Foauth%2Fcallback\
             &state=st-1&code_challenge_method=S256\
             &scopes=sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions\
             &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
