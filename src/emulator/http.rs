//! Routes, request parsing and the wire format of responses.
//!
//! OIDC operations take JSON bodies with camelCase members and answer errors as
//! `{"error": <oauth code>, "error_description": ...}`; portal operations take query
//! parameters and the `x-amz-sso_bearer_token` header and answer errors as
//! `{"message": ...}`. Both carry the error shape in `x-amzn-ErrorType`, which is what the
//! SDKs use to tell errors apart. STS and the federation endpoint are in `sts.rs`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::header::{DATE, HeaderValue, LOCATION};
use hyper::http::request::Parts;
use hyper::{Method, Request, StatusCode};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::state::{AuthorizeError, AuthorizeRequest, Authorized, Grant, State};
use super::{Fault, Op, ids, lock, sts};
use crate::loopback::{self, Reply};

/// Page size of the list operations when the request has no `max_result`.
const DEFAULT_PAGE_SIZE: usize = 10;

/// The namespace the real OIDC service appends to `x-amzn-ErrorType`; clients strip it.
const OIDC_ERROR_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/";

const BEARER_HEADER: &str = "x-amz-sso_bearer_token";

enum Route {
    Api(Op),
    /// The verification page a human opens to approve a sign-in.
    DevicePage,
    /// The authorization code flow's page, which sends the browser back to the client.
    Authorize,
    /// `getSigninToken` (an API call) or `login` (the browser's visit).
    Federation,
    AdminCalls,
    AdminThrottled,
    AdminApprove,
    AdminRevoke,
    NotFound,
}

fn route(method: &Method, path: &str, body: &[u8]) -> Route {
    match (method.as_str(), path) {
        // The Query protocol: one path, the operation in the form body.
        ("POST", "/") => match sts::form(body).iter().find(|(k, _)| k == "Action") {
            Some((_, action)) if action == "AssumeRole" => Route::Api(Op::AssumeRole),
            _ => Route::NotFound,
        },
        ("GET", "/federation") => Route::Federation,
        ("POST", "/client/register") => Route::Api(Op::RegisterClient),
        ("POST", "/device_authorization") => Route::Api(Op::StartDeviceAuthorization),
        ("POST", "/token") => Route::Api(Op::CreateToken),
        ("GET", "/federation/credentials") => Route::Api(Op::GetRoleCredentials),
        ("GET", "/assignment/accounts") => Route::Api(Op::ListAccounts),
        ("GET", "/assignment/roles") => Route::Api(Op::ListAccountRoles),
        ("POST", "/logout") => Route::Api(Op::Logout),
        ("GET", "/device" | "/device/") => Route::DevicePage,
        ("GET", "/authorize") => Route::Authorize,
        ("GET", "/__emulator/calls") => Route::AdminCalls,
        ("GET", "/__emulator/throttled") => Route::AdminThrottled,
        ("POST", "/__emulator/approve") => Route::AdminApprove,
        ("POST", "/__emulator/revoke") => Route::AdminRevoke,
        _ => Route::NotFound,
    }
}

pub(super) async fn handle(state: &Mutex<State>, request: Request<Incoming>) -> Reply {
    let mut reply = answer(state, request).await;
    // hyper writes the true time into a Date header that is not there yet.
    let offset = lock(state).config.date_offset;
    if !offset.is_zero() {
        let now = std::time::SystemTime::now();
        let date = match offset.is_positive() {
            true => now.checked_add(offset.unsigned_abs()),
            false => now.checked_sub(offset.unsigned_abs()),
        }
        .map(httpdate::fmt_http_date);
        if let Some(value) = date.and_then(|d| HeaderValue::from_str(&d).ok()) {
            reply.headers_mut().insert(DATE, value);
        }
    }
    reply
}

async fn answer(state: &Mutex<State>, request: Request<Incoming>) -> Reply {
    let (parts, body) = request.into_parts();
    // Read the whole body before answering: a response that leaves it unread costs the
    // client its keep-alive connection.
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            let error = ApiError::invalid_request("Could not read the request body");
            return message_error(&error);
        }
    };
    match route(&parts.method, parts.uri.path(), &body) {
        Route::Api(op) => api(state, op, &parts, &body).await,
        Route::DevicePage => device_page(state, &parts),
        Route::Authorize => authorize(state, &parts).await,
        Route::Federation => match Query::parse(parts.uri.query()).get("Action") {
            Some("login") => console_page(state, &parts),
            _ => api(state, Op::GetSigninToken, &parts, &body).await,
        },
        Route::AdminCalls => {
            let state = lock(state);
            let calls: Map<String, Value> = Op::ALL
                .iter()
                .map(|&op| (op.name().to_string(), state.calls(op).into()))
                .collect();
            json_reply(&Value::Object(calls))
        }
        Route::AdminThrottled => {
            let state = lock(state);
            let throttled: Map<String, Value> = Op::ALL
                .iter()
                .map(|&op| (op.name().to_string(), state.throttled(op).into()))
                .collect();
            json_reply(&Value::Object(throttled))
        }
        Route::AdminApprove => json_reply(&json!({ "approved": lock(state).approve_all() })),
        Route::AdminRevoke => {
            lock(state).revoke_sessions();
            json_reply(&json!({}))
        }
        Route::NotFound => message_error(&ApiError {
            status: 404,
            kind: "UnknownOperationException",
            message: format!("No route for {} {}", parts.method, parts.uri.path()),
        }),
    }
}

/// One API request: counted, then faulted or answered, after the configured latency.
async fn api(state: &Mutex<State>, op: Op, parts: &Parts, body: &[u8]) -> Reply {
    let (fault, mut delay) = {
        let mut state = lock(state);
        (state.record_call(op), state.config.latency)
    };
    let injected = match fault {
        None => None,
        // Never resolves; the server drops this future when it shuts down.
        Some(Fault::Hang) => return std::future::pending().await,
        Some(Fault::Delay(extra)) => {
            delay += extra;
            None
        }
        Some(Fault::Status(status)) if op == Op::AssumeRole => {
            Some(api_error(op, &ApiError::injected_sts(status)))
        }
        Some(Fault::Status(status)) => {
            Some(api_error(op, &ApiError::injected(status, op.is_oidc())))
        }
        Some(Fault::SlowDown) => Some(api_error(op, &ApiError::slow_down())),
        Some(Fault::MalformedBody) => Some(reply(
            StatusCode::OK,
            "application/json",
            &b"{\"malformed\": tru"[..],
        )),
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(injected) = injected {
        return injected;
    }
    let mut state = lock(state);
    if op == Op::AssumeRole {
        return match sts::assume_role(&mut state, parts, body) {
            Ok(xml) => reply(StatusCode::OK, "text/xml", xml),
            Err(error) => api_error(op, &error),
        };
    }
    match dispatch(&mut state, op, parts, body) {
        Ok(Some(value)) => json_reply(&value),
        // Logout answers 200 with no body.
        Ok(None) => reply(StatusCode::OK, "application/json", Bytes::new()),
        Err(error) => api_error(op, &error),
    }
}

fn dispatch(
    state: &mut State,
    op: Op,
    parts: &Parts,
    body: &[u8],
) -> Result<Option<Value>, ApiError> {
    let query = Query::parse(parts.uri.query());
    let bearer = parts
        .headers
        .get(BEARER_HEADER)
        .and_then(|value| value.to_str().ok());
    match op {
        Op::RegisterClient => register_client(state, parse_body(body)?).map(Some),
        Op::StartDeviceAuthorization => {
            start_device_authorization(state, parse_body(body)?).map(Some)
        }
        Op::CreateToken => create_token(state, parse_body(body)?).map(Some),
        Op::GetRoleCredentials => get_role_credentials(state, bearer, &query).map(Some),
        Op::ListAccounts => list_accounts(state, bearer, &query).map(Some),
        Op::ListAccountRoles => list_account_roles(state, bearer, &query).map(Some),
        Op::Logout => state.logout(bearer).map(|()| None),
        Op::GetSigninToken => {
            sts::get_signin_token(state, |name| query.get(name).map(str::to_string)).map(Some)
        }
        Op::AssumeRole => Err(ApiError::invalid_request("AssumeRole is answered in XML")),
        Op::Authorize => Err(ApiError::invalid_request(
            "GET /authorize is a browser page, not an API operation",
        )),
    }
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientRequest {
    client_name: Option<String>,
    client_type: Option<String>,
    grant_types: Option<Vec<String>>,
    redirect_uris: Option<Vec<String>>,
    issuer_url: Option<String>,
}

fn register_client(state: &mut State, request: RegisterClientRequest) -> Result<Value, ApiError> {
    required(&request.client_name, "clientName")?;
    if required(&request.client_type, "clientType")? != "public" {
        return Err(ApiError::invalid_client_metadata(
            "Invalid client type: only public clients are supported",
        ));
    }
    let registration = state.register_client(
        request.grant_types.unwrap_or_default(),
        request.redirect_uris.unwrap_or_default(),
        request.issuer_url.as_deref(),
    )?;
    Ok(json!({
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "clientIdIssuedAt": registration.issued_at,
        "clientSecretExpiresAt": registration.expires_at,
    }))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    start_url: Option<String>,
}

fn start_device_authorization(
    state: &mut State,
    request: StartDeviceAuthorizationRequest,
) -> Result<Value, ApiError> {
    let client_id = required(&request.client_id, "clientId")?;
    let client_secret = required(&request.client_secret, "clientSecret")?;
    required(&request.start_url, "startUrl")?;
    let device = state.start_device_authorization(client_id, client_secret)?;
    let verification_uri = format!("{}/device", state.endpoint);
    Ok(json!({
        "deviceCode": device.device_code,
        "userCode": device.user_code,
        "verificationUriComplete": format!("{verification_uri}?user_code={}", device.user_code),
        "verificationUri": verification_uri,
        "expiresIn": device.expires_in,
        "interval": device.interval,
    }))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    device_code: Option<String>,
    refresh_token: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

fn create_token(state: &mut State, request: CreateTokenRequest) -> Result<Value, ApiError> {
    let client_id = required(&request.client_id, "clientId")?;
    let client_secret = required(&request.client_secret, "clientSecret")?;
    let grant = match required(&request.grant_type, "grantType")? {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            Grant::DeviceCode(required(&request.device_code, "deviceCode")?)
        }
        "refresh_token" => Grant::RefreshToken(required(&request.refresh_token, "refreshToken")?),
        "authorization_code" => Grant::AuthorizationCode {
            code: required(&request.code, "code")?,
            redirect_uri: required(&request.redirect_uri, "redirectUri")?,
            code_verifier: required(&request.code_verifier, "codeVerifier")?,
        },
        other => return Err(ApiError::unsupported_grant_type(other)),
    };
    let tokens = state.create_token(client_id, client_secret, grant)?;
    let mut reply = json!({
        "accessToken": tokens.access_token,
        "tokenType": "Bearer",
        "expiresIn": tokens.expires_in,
    });
    // Absent rather than null: clients copy the member into their token cache as is.
    if let Some(refresh_token) = tokens.refresh_token {
        reply["refreshToken"] = refresh_token.into();
    }
    Ok(reply)
}

fn get_role_credentials(
    state: &mut State,
    bearer: Option<&str>,
    query: &Query,
) -> Result<Value, ApiError> {
    state.authorize(bearer)?;
    let role_name = query.required("role_name")?;
    let account_id = query.required("account_id")?;
    let credentials = state.role_credentials(account_id, role_name)?;
    Ok(json!({
        "roleCredentials": {
            "accessKeyId": credentials.access_key_id,
            "secretAccessKey": credentials.secret_access_key,
            "sessionToken": credentials.session_token,
            "expiration": credentials.expiration,
        }
    }))
}

fn list_accounts(state: &State, bearer: Option<&str>, query: &Query) -> Result<Value, ApiError> {
    state.authorize(bearer)?;
    let accounts: Vec<Value> = state
        .config
        .accounts
        .iter()
        .map(|account| {
            json!({
                "accountId": account.id,
                "accountName": account.name,
                "emailAddress": account.email,
            })
        })
        .collect();
    let (page, next_token) = paginate(accounts, query, state.config.page_size_limit)?;
    Ok(json!({ "accountList": page, "nextToken": next_token }))
}

fn list_account_roles(
    state: &State,
    bearer: Option<&str>,
    query: &Query,
) -> Result<Value, ApiError> {
    state.authorize(bearer)?;
    let account_id = query.required("account_id")?;
    // An account the user has no assignment in simply has no roles.
    let roles: Vec<Value> = state
        .config
        .accounts
        .iter()
        .filter(|account| account.id == account_id)
        .flat_map(|account| &account.roles)
        .map(|role| json!({ "roleName": role, "accountId": account_id }))
        .collect();
    let (page, next_token) = paginate(roles, query, state.config.page_size_limit)?;
    Ok(json!({ "roleList": page, "nextToken": next_token }))
}

/// One page of `items` per the `next_token` and `max_result` parameters, of at most
/// `limit` items. The token is opaque to clients; a null `nextToken` ends pagination in
/// every SDK.
fn paginate(
    items: Vec<Value>,
    query: &Query,
    limit: usize,
) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let page_size = match query.get("max_result") {
        None => DEFAULT_PAGE_SIZE,
        Some(value) => value
            .parse()
            .ok()
            .filter(|size| (1..=100).contains(size))
            .ok_or_else(|| ApiError::invalid_request("max_result must be between 1 and 100"))?,
    };
    let start = match query.get("next_token") {
        None => 0,
        Some(token) => token
            .strip_prefix("page-")
            .and_then(|offset| offset.parse().ok())
            .filter(|&offset| offset <= items.len())
            .ok_or_else(|| ApiError::invalid_request("Invalid next token"))?,
    };
    let end = items.len().min(start + page_size.min(limit.max(1)));
    let next_token = (end < items.len()).then(|| format!("page-{end}"));
    Ok((items[start..end].to_vec(), next_token))
}

/// `GET /device?user_code=...`: what a human sees after opening `verificationUriComplete`.
fn device_page(state: &Mutex<State>, parts: &Parts) -> Reply {
    let query = Query::parse(parts.uri.query());
    let (status, text) = match query.get("user_code") {
        None => (
            StatusCode::OK,
            "<form><label>Code <input name=\"user_code\"></label> <button>Approve</button></form>",
        ),
        Some(code) if lock(state).approve_user_code(code) => (
            StatusCode::OK,
            "<p>Request approved. You can close this window.</p>",
        ),
        Some(_) => (StatusCode::NOT_FOUND, "<p>Unknown or expired code.</p>"),
    };
    let page = format!(
        "<!doctype html>\n<html><head><title>SSO emulator</title></head><body>{text}</body></html>\n"
    );
    reply(status, "text/html; charset=utf-8", page)
}

/// `GET /federation?Action=login&SigninToken=...`: the console the browser lands on.
fn console_page(state: &Mutex<State>, parts: &Parts) -> Reply {
    let query = Query::parse(parts.uri.query());
    let token = query.get("SigninToken").unwrap_or_default();
    match lock(state).signin_tokens.get(token) {
        Some(key) => html_page(
            StatusCode::OK,
            &format!(
                "Signed in to the emulated console with {key}; destination {}",
                query.get("Destination").unwrap_or("(none)")
            ),
        ),
        None => html_page(StatusCode::BAD_REQUEST, "Invalid or expired sign-in token."),
    }
}

/// How often a manual `/authorize` request looks for its approval.
const APPROVAL_POLL: Duration = Duration::from_millis(20);

/// `GET /authorize?response_type=code&client_id=...&redirect_uri=...&state=...
/// &code_challenge_method=S256&code_challenge=...`: the page the client opens in the
/// browser. Approved, it redirects to `redirect_uri` with `code` and `state`; denied, with
/// `error=access_denied`; a request whose redirect URI cannot be trusted gets an error page.
async fn authorize(state: &Mutex<State>, parts: &Parts) -> Reply {
    let (fault, mut delay) = {
        let mut state = lock(state);
        (state.record_call(Op::Authorize), state.config.latency)
    };
    match fault {
        None => {}
        Some(Fault::Hang) => return std::future::pending().await,
        Some(Fault::Delay(extra)) => delay += extra,
        Some(_) => return html_page(StatusCode::INTERNAL_SERVER_ERROR, "Injected fault."),
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let query = Query::parse(parts.uri.query());
    let request = AuthorizeRequest {
        client_id: query.get("client_id"),
        redirect_uri: query.get("redirect_uri"),
        response_type: query.get("response_type"),
        code_challenge: query.get("code_challenge"),
        code_challenge_method: query.get("code_challenge_method"),
    };
    let mut outcome = lock(state).authorize_request(&request);
    let decided = loop {
        match outcome {
            Ok(Authorized::Pending(id)) => {
                tokio::time::sleep(APPROVAL_POLL).await;
                outcome = lock(state).poll_authorization(id);
            }
            Ok(Authorized::Code(code)) => break Ok(code),
            Err(error) => break Err(error),
        }
    };
    // Checked by authorize(): a redirect only goes to a registered URI.
    let redirect_uri = request.redirect_uri.unwrap_or_default();
    let state_param = query.get("state");
    match decided {
        Ok(code) => redirect(
            redirect_uri,
            &[("code", Some(&code)), ("state", state_param)],
        ),
        Err(AuthorizeError::Redirect(error, description)) => redirect(
            redirect_uri,
            &[
                ("error", Some(error)),
                ("error_description", Some(description)),
                ("state", state_param),
            ],
        ),
        Err(AuthorizeError::Page(error)) => {
            let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
            html_page(status, &format!("{}: {}", error.kind, error.message))
        }
    }
}

/// A 302 to `uri` with the given query parameters added (absent ones left out).
fn redirect(uri: &str, params: &[(&str, Option<&str>)]) -> Reply {
    const VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let mut location = uri.to_string();
    let mut separator = if uri.contains('?') { '&' } else { '?' };
    for (name, value) in params {
        if let Some(value) = value {
            let value = percent_encoding::utf8_percent_encode(value, VALUE);
            location.push_str(&format!("{separator}{name}={value}"));
            separator = '&';
        }
    }
    let mut response = reply(StatusCode::FOUND, "text/html; charset=utf-8", Bytes::new());
    match HeaderValue::try_from(location) {
        Ok(location) => {
            response.headers_mut().insert(LOCATION, location);
            response
        }
        Err(_) => html_page(StatusCode::BAD_REQUEST, "Invalid redirect URI."),
    }
}

/// A minimal HTML page with `text` (plain text, escaped here).
fn html_page(status: StatusCode, text: &str) -> Reply {
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let page = format!(
        "<!doctype html>\n<html><head><title>SSO emulator</title></head><body><p>{text}</p></body></html>\n"
    );
    reply(status, "text/html; charset=utf-8", page)
}

/// Decoded query parameters.
struct Query(HashMap<String, String>);

impl Query {
    fn parse(query: Option<&str>) -> Self {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(name), percent_decode(value))
            });
        Query(pairs.collect())
    }

    /// The parameter's value; an empty value counts as absent.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::invalid_request(format!("Missing required parameter: {name}")))
    }
}

/// Decodes `%XX` escapes; `+` stays as is, since AWS clients escape it as `%2B`.
fn percent_decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Parses a JSON request body; an empty body is an empty object.
fn parse_body<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|err| ApiError::invalid_request(format!("Malformed request body: {err}")))
}

fn required<'a>(member: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    member
        .as_deref()
        .filter(|value| !value.is_empty())
        .ok_or_else(|| ApiError::invalid_request(format!("Missing required member: {name}")))
}

/// A response with a request id, as every real one has.
fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = loopback::reply(status, content_type, body);
    let request_id = HeaderValue::try_from(ids::request_id()).expect("request ids are ASCII");
    response
        .headers_mut()
        .insert("x-amzn-requestid", request_id);
    response
}

fn json_reply(value: &Value) -> Reply {
    reply(StatusCode::OK, "application/json", value.to_string())
}

/// An error of `op`, in its service's format.
fn api_error(op: Op, error: &ApiError) -> Reply {
    if op == Op::AssumeRole {
        return reply(
            sts::sts_status(error),
            "text/xml",
            sts::sts_error_body(error),
        );
    }
    match error.oauth_code().filter(|_| op.is_oidc()) {
        Some(code) => {
            let body = json!({ "error": code, "error_description": error.message });
            let kind = format!("{}:{OIDC_ERROR_NAMESPACE}", error.kind);
            error_reply(error.status, &kind, &body)
        }
        None => message_error(error),
    }
}

/// An error as `{"message": ...}`: the portal's format, also used outside the models.
fn message_error(error: &ApiError) -> Reply {
    error_reply(
        error.status,
        error.kind,
        &json!({ "message": error.message }),
    )
}

fn error_reply(status: u16, kind: &str, body: &Value) -> Reply {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = reply(status, "application/json", body.to_string());
    if let Ok(kind) = HeaderValue::try_from(kind) {
        response.headers_mut().insert("x-amzn-errortype", kind);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("Admin%2BOps%40x"), "Admin+Ops@x");
        assert_eq!(percent_decode("a+b%"), "a+b%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn pagination_walks_every_item_once() {
        let items: Vec<Value> = (0..5).map(Value::from).collect();
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let query = match &token {
                Some(token) => format!("max_result=2&next_token={token}"),
                None => "max_result=2".to_string(),
            };
            let (page, next) = paginate(items.clone(), &Query::parse(Some(&query)), 100).unwrap();
            seen.extend(page);
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, items);
        let bad = Query::parse(Some("max_result=0"));
        assert!(paginate(items.clone(), &bad, 100).is_err());
        let bad = Query::parse(Some("next_token=bogus"));
        assert!(paginate(items.clone(), &bad, 100).is_err());
        // The server's own page limit wins over a larger max_result.
        let (page, next) = paginate(items, &Query::parse(Some("max_result=4")), 3).unwrap();
        assert_eq!((page.len(), next.as_deref()), (3, Some("page-3")));
    }
}
