//! STS AssumeRole (the Query protocol: a form body, XML answers) and the console
//! federation endpoint (`GET /federation?Action=getSigninToken`). Both accept only
//! credentials this emulator issued, as AWS accepts only its own: the caller's access key
//! id comes from the SigV4 `Authorization` header (`Credential=AKID/...`), its session
//! token from `X-Amz-Security-Token`, and every call is recorded with who made it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::StatusCode;
use hyper::http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::ids::{self, UPPER_DIGITS, URL_SAFE};
use super::state::{Issued, State};
use super::{AssumeRoleCall, SigninCall};
use crate::timestamp::Timestamp;

const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
/// IAM's limit for a role session assumed with another role session's credentials.
const CHAINED_MAX: u64 = 3600;

/// The caller's access key id, from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/...`.
pub(super) fn signing_key(parts: &Parts) -> Option<&str> {
    let auth = parts.headers.get("authorization")?.to_str().ok()?;
    let credential = auth
        .split([' ', ','])
        .find_map(|p| p.strip_prefix("Credential="))?;
    credential.split('/').next().filter(|k| !k.is_empty())
}

/// Decoded `application/x-www-form-urlencoded` pairs.
pub(super) fn form(body: &[u8]) -> Vec<(String, String)> {
    crate::loopback::form_pairs(&String::from_utf8_lossy(body))
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The credentials a request presents, checked against those issued.
fn authenticate<'a>(
    state: &'a State,
    key: Option<&str>,
    session_token: Option<&str>,
) -> Result<&'a Issued, ApiError> {
    let Some(key) = key else {
        return Err(ApiError::sts(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ));
    };
    let issued = state
        .issued
        .get(key)
        .filter(|i| Some(i.session_token.as_str()) == session_token)
        .ok_or_else(|| {
            ApiError::sts(
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )
        })?;
    if SystemTime::now() >= issued.expires {
        return Err(ApiError::sts(
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    Ok(issued)
}

/// `Action=AssumeRole`: the XML response, or an error for [`sts_error`].
pub(super) fn assume_role(
    state: &mut State,
    parts: &Parts,
    body: &[u8],
) -> Result<String, ApiError> {
    let form = form(body);
    let token = parts
        .headers
        .get("x-amz-security-token")
        .and_then(|v| v.to_str().ok());
    let caller = authenticate(state, signing_key(parts), token)?;
    let caller_key = signing_key(parts).unwrap_or_default().to_string();
    let caller_arn = caller.arn.clone();
    let validation = |m: String| ApiError::sts(400, "ValidationError", m);
    let role_arn = field(&form, "RoleArn")
        .ok_or_else(|| validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null".into()))?
        .to_string();
    let session_name = field(&form, "RoleSessionName")
        .ok_or_else(|| validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null".into()))?
        .to_string();
    let duration = match field(&form, "DurationSeconds") {
        None => None,
        Some(d) => Some(
            d.parse::<u64>()
                .map_err(|_| validation(format!("Invalid DurationSeconds: {d}")))?,
        ),
    };
    let mut call = AssumeRoleCall {
        caller: caller_key,
        role_arn: role_arn.clone(),
        role_session_name: session_name.clone(),
        duration_seconds: duration,
        external_id: field(&form, "ExternalId").map(str::to_string),
        serial_number: field(&form, "SerialNumber").map(str::to_string),
        token_code: field(&form, "TokenCode").map(str::to_string),
        issued: None,
    };
    let outcome = check_assume_role(state, &call, &caller_arn);
    let result = outcome.map(|(account, role_name)| {
        let lifetime = duration
            .unwrap_or(CHAINED_MAX)
            .min(state.config.credentials_ttl.as_secs());
        let (key, issued) = state.issue(
            format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"),
            Duration::from_secs(lifetime),
            true,
        );
        call.issued = Some(key.clone());
        response(&key, issued, &session_name)
    });
    state.assume_role_calls.push(call);
    result
}

/// Whether the caller may assume the role as asked: the account and role name, or the
/// error AWS gives.
fn check_assume_role(
    state: &State,
    call: &AssumeRoleCall,
    caller_arn: &str,
) -> Result<(String, String), ApiError> {
    let validation = |m: &str| ApiError::sts(400, "ValidationError", m);
    match call.duration_seconds {
        Some(d) if d < 900 => {
            return Err(validation(
                "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
            ));
        }
        // Every credential this emulator issues is a role session, so every AssumeRole is
        // role chaining.
        Some(d) if d > CHAINED_MAX => {
            return Err(validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            ));
        }
        _ => {}
    }
    let parts: Vec<&str> = call.role_arn.split(':').collect();
    let (account, role_name) = match parts.as_slice() {
        [_, _, "iam", "", account, resource] if resource.starts_with("role/") => (
            account.to_string(),
            resource.rsplit('/').next().unwrap_or_default().to_string(),
        ),
        _ => return Err(validation(&format!("{} is invalid", call.role_arn))),
    };
    let denied = || {
        ApiError::sts(
            403,
            "AccessDenied",
            format!(
                "User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {}",
                call.role_arn
            ),
        )
    };
    if !state.config.assumable_roles.contains(&call.role_arn) {
        return Err(denied());
    }
    if call.serial_number.is_some()
        && !call
            .token_code
            .as_deref()
            .is_some_and(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(ApiError::sts(
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        ));
    }
    Ok((account, role_name))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn response(key: &str, issued: &Issued, session_name: &str) -> String {
    let expiration = issued
        .expires
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| Timestamp::from_unix_seconds(d.as_secs() as i64))
        .map(|t| t.to_string())
        .unwrap_or_default();
    let role_id = format!("AROA{}", ids::random_string(UPPER_DIGITS, 17));
    let e = xml_escape;
    format!(
        "<AssumeRoleResponse xmlns=\"{STS_NAMESPACE}\">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n      \
         <AssumedRoleId>{}:{}</AssumedRoleId>\n      <Arn>{}</Arn>\n    </AssumedRoleUser>\n    <Credentials>\n      \
         <AccessKeyId>{}</AccessKeyId>\n      <SecretAccessKey>{}</SecretAccessKey>\n      \
         <SessionToken>{}</SessionToken>\n      <Expiration>{expiration}</Expiration>\n    </Credentials>\n  \
         </AssumeRoleResult>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n\
         </AssumeRoleResponse>\n",
        role_id,
        e(session_name),
        e(&issued.arn),
        e(key),
        e(&issued.secret),
        e(&issued.session_token),
        ids::request_id(),
    )
}

/// An STS error in the Query protocol's XML.
pub(super) fn sts_error_body(error: &ApiError) -> String {
    let kind = if error.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{STS_NAMESPACE}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    \
         <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        error.kind,
        xml_escape(&error.message),
        ids::request_id()
    )
}

pub(super) fn sts_status(error: &ApiError) -> StatusCode {
    StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    session_id: String,
    session_key: String,
    session_token: String,
}

/// `GET /federation?Action=getSigninToken&Session=...[&SessionDuration=...]`.
pub(super) fn get_signin_token(
    state: &mut State,
    query: impl Fn(&str) -> Option<String>,
) -> Result<Value, ApiError> {
    let invalid = || ApiError::sts(400, "InvalidRequest", "Invalid credentials parameter");
    if query("Action").as_deref() != Some("getSigninToken") {
        return Err(ApiError::sts(400, "InvalidRequest", "Unsupported Action"));
    }
    let session: Session = query("Session")
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or_else(invalid)?;
    let issued = state
        .issued
        .get(&session.session_id)
        .filter(|i| i.secret == session.session_key && i.session_token == session.session_token)
        .filter(|i| SystemTime::now() < i.expires)
        .ok_or_else(invalid)?;
    let chained = issued.chained;
    let duration = match query("SessionDuration") {
        None => None,
        Some(d) => Some(
            d.parse::<u64>()
                .ok()
                .filter(|d| (900..=43200).contains(d))
                .ok_or_else(invalid)?,
        ),
    };
    // AWS accepts SessionDuration only for sessions of a role assumed with long-term or
    // SSO credentials, not for chained ones (wave2.md §1.1).
    let refused = chained && duration.is_some();
    state.signin_calls.push(SigninCall {
        access_key_id: session.session_id.clone(),
        session_duration: duration,
        issued: !refused,
    });
    if refused {
        return Err(invalid());
    }
    let token = ids::random_string(URL_SAFE, 200);
    state
        .signin_tokens
        .insert(token.clone(), session.session_id);
    Ok(json!({ "SigninToken": token }))
}
