//! The modeled errors of SSO OIDC and the SSO portal. `http.rs` renders them in the
//! format of the service that raised them.

#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) status: u16,
    /// The error shape name, sent as `x-amzn-ErrorType`: this is what SDKs match on.
    pub(super) kind: &'static str,
    pub(super) message: String,
}

impl ApiError {
    fn new(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    /// An STS or federation error, named as those services name them.
    pub(super) fn sts(status: u16, kind: &'static str, message: impl Into<String>) -> Self {
        Self::new(status, kind, message)
    }

    /// The error for an injected `Fault::Status(status)` on STS.
    pub(super) fn injected_sts(status: u16) -> Self {
        const MESSAGE: &str = "Injected fault";
        match status {
            403 => Self::new(403, "AccessDenied", MESSAGE),
            429 => Self::new(400, "Throttling", "Rate exceeded"),
            503 => Self::new(503, "ServiceUnavailable", "Service unavailable"),
            500.. => Self::new(status, "InternalFailure", MESSAGE),
            _ => Self::new(status, "ValidationError", MESSAGE),
        }
    }

    pub(super) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidRequestException", message)
    }

    pub(super) fn invalid_client(message: impl Into<String>) -> Self {
        Self::new(401, "InvalidClientException", message)
    }

    pub(super) fn invalid_client_metadata(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidClientMetadataException", message)
    }

    pub(super) fn invalid_redirect_uri(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidRedirectUriException", message)
    }

    pub(super) fn unauthorized_client() -> Self {
        Self::new(
            400,
            "UnauthorizedClientException",
            "Client is not registered for this grant type",
        )
    }

    pub(super) fn unsupported_grant_type(grant_type: &str) -> Self {
        Self::new(
            400,
            "UnsupportedGrantTypeException",
            format!("Unsupported grant type: {grant_type}"),
        )
    }

    pub(super) fn invalid_grant(message: impl Into<String>) -> Self {
        Self::new(400, "InvalidGrantException", message)
    }

    pub(super) fn authorization_pending() -> Self {
        Self::new(
            400,
            "AuthorizationPendingException",
            "Authorization is still pending",
        )
    }

    pub(super) fn slow_down() -> Self {
        Self::new(400, "SlowDownException", "Client is polling too fast")
    }

    pub(super) fn expired_token() -> Self {
        Self::new(400, "ExpiredTokenException", "Device code has expired")
    }

    pub(super) fn access_denied() -> Self {
        Self::new(400, "AccessDeniedException", "Authorization was denied")
    }

    /// The portal's answer to a missing, unknown, expired or revoked access token; the
    /// message is the real service's.
    pub(super) fn unauthorized() -> Self {
        Self::new(
            401,
            "UnauthorizedException",
            "Session token not found or invalid",
        )
    }

    /// The portal's answer for an account or role not assigned to the user (not in the
    /// service model, but what the real service sends).
    pub(super) fn forbidden() -> Self {
        Self::new(403, "ForbiddenException", "No access")
    }

    pub(super) fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "ResourceNotFoundException", message)
    }

    /// The error for an injected `Fault::Status(status)` on an OIDC or portal operation.
    pub(super) fn injected(status: u16, oidc: bool) -> Self {
        const MESSAGE: &str = "Injected fault";
        match status {
            400 => Self::invalid_request(MESSAGE),
            401 if oidc => Self::invalid_client(MESSAGE),
            401 => Self::unauthorized(),
            403 if oidc => Self::new(403, "AccessDeniedException", MESSAGE),
            403 => Self::forbidden(),
            404 => Self::not_found(MESSAGE),
            429 => Self::new(429, "TooManyRequestsException", "Rate exceeded"),
            503 => Self::new(503, "ServiceUnavailableException", "Service unavailable"),
            500.. => Self::new(status, "InternalServerException", MESSAGE),
            _ => Self::new(status, "InvalidRequestException", MESSAGE),
        }
    }

    /// The OAuth `error` code of the OIDC error shapes; `None` for errors that the OIDC
    /// service model does not have, which are sent as a plain `{"message": ...}`.
    pub(super) fn oauth_code(&self) -> Option<&'static str> {
        Some(match self.kind {
            "AuthorizationPendingException" => "authorization_pending",
            "SlowDownException" => "slow_down",
            "ExpiredTokenException" => "expired_token",
            "AccessDeniedException" => "access_denied",
            "InvalidGrantException" => "invalid_grant",
            "InvalidClientException" => "invalid_client",
            "UnauthorizedClientException" => "unauthorized_client",
            "UnsupportedGrantTypeException" => "unsupported_grant_type",
            "InvalidRequestException" => "invalid_request",
            "InvalidClientMetadataException" => "invalid_client_metadata",
            "InvalidRedirectUriException" => "invalid_redirect_uri",
            "InternalServerException" => "server_error",
            _ => return None,
        })
    }
}
