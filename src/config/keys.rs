//! Did-you-mean for misspelt keys (`sso_sesion = corp`).
//!
//! The AWS config holds settings for many tools, and every one of them
//! ignores keys it does not know, so ssoenv must too: an unknown key is never
//! an error. It is worth a warning only when it is almost a key that ssoenv
//! reads (`sso_*`, `region`, the role-chain keys), and is not nearer to a key
//! some other tool reads: that is a typo ssoenv pays for, with a profile that
//! "has no sso_session" or "has role_arn but no source_profile". Everything
//! else is left alone.

use std::fmt;
use std::path::PathBuf;

/// A key that looks like a misspelling of one ssoenv reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typo {
    pub file: PathBuf,
    pub line: usize,
    /// `profile dev`, `sso-session corp`, `default`.
    pub section: String,
    pub key: String,
    pub meant: &'static str,
}

/// `FILE:LINE: unknown key `sso_sesion` in [profile dev]; did you mean `sso_session`?`
impl fmt::Display for Typo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: unknown key `{}` in [{}]; did you mean `{}`?",
            self.file.display(),
            self.line,
            self.key,
            self.section,
            self.meant
        )
    }
}

/// Which kind of section a key is in: they read different keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// `[profile NAME]` and `[default]`.
    Profile,
    /// `[sso-session NAME]`.
    SsoSession,
}

/// Keys ssoenv reads in a profile.
const PROFILE_KEYS: &[&str] = &[
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_registration_scopes",
    "region",
    // Roles chained after SSO (config/role.rs), including the two it reads
    // only to refuse: a misspelt one would silently change the chain.
    "role_arn",
    "source_profile",
    "role_session_name",
    "duration_seconds",
    "external_id",
    "mfa_serial",
    "credential_source",
    "web_identity_token_file",
];

/// Keys ssoenv reads in an sso-session.
const SESSION_KEYS: &[&str] = &["sso_start_url", "sso_region", "sso_registration_scopes"];

/// Keys other tools read (the AWS CLI and SDKs' shared settings, and what
/// SSO helpers such as aws-sso-util and granted write), so that a key near
/// one of them is taken for it rather than for one of ssoenv's.
const OTHER_KEYS: &[&str] = &[
    "account_id_endpoint_mode",
    "api_versions",
    "auth_scheme_preference",
    "aws_access_key_id",
    "aws_account_id",
    "aws_secret_access_key",
    "aws_security_token",
    "aws_session_token",
    "ca_bundle",
    "cli_auto_prompt",
    "cli_binary_format",
    "cli_follow_urlparam",
    "cli_history",
    "cli_pager",
    "cli_timestamp_format",
    "credential_process",
    "csm_client_id",
    "csm_enabled",
    "csm_host",
    "csm_port",
    "defaults_mode",
    "disable_request_compression",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "ec2_metadata_v1_disabled",
    "endpoint_discovery_enabled",
    "endpoint_url",
    "granted_sso_account_id",
    "granted_sso_region",
    "granted_sso_role_name",
    "granted_sso_start_url",
    "ignore_configure_endpoint_urls",
    "login_session",
    "max_attempts",
    "metadata_service_num_attempts",
    "metadata_service_timeout",
    "output",
    "parameter_validation",
    "request_checksum_calculation",
    "request_min_compression_size_bytes",
    "response_checksum_validation",
    "retry_mode",
    "s3",
    "sdk_ua_app_id",
    "services",
    "sigv4a_signing_region_set",
    "sso_account_name",
    "sso_auto_populated",
    "sts_regional_endpoints",
    "tcp_keepalive",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
];

/// The key ssoenv reads that `key` is probably a misspelling of, if any.
/// Keys are compared without regard to case, as the config reader does.
pub fn suggest(kind: SectionKind, key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    let ours = match kind {
        SectionKind::Profile => PROFILE_KEYS,
        SectionKind::SsoSession => SESSION_KEYS,
    };
    let known = || PROFILE_KEYS.iter().chain(OTHER_KEYS);
    if known().any(|k| *k == key) {
        return None;
    }
    // The nearest known key; on a tie, another tool's (say nothing).
    let (distance, nearest) = known()
        .map(|k| (strsim::damerau_levenshtein(&key, k), *k))
        .min_by_key(|&(d, k)| (d, ours.contains(&k)))?;
    let allowed = if nearest.len() <= 6 { 1 } else { 2 };
    (distance <= allowed && ours.contains(&nearest)).then_some(nearest)
}

#[cfg(test)]
mod tests {
    use super::SectionKind::{Profile, SsoSession};
    use super::*;

    #[test]
    fn typos_of_keys_ssoenv_reads_are_named() {
        for (typo, meant) in [
            ("sso_sesion", "sso_session"),
            ("sso-session", "sso_session"),
            ("SSO_Sesion", "sso_session"),
            ("sso_start_uri", "sso_start_url"),
            ("sso_accountid", "sso_account_id"),
            ("sso_acount_id", "sso_account_id"),
            ("sso_role_nam", "sso_role_name"),
            ("sso_reigon", "sso_region"),
            ("ssoregion", "sso_region"),
            ("regoin", "region"),
            ("regions", "region"),
            ("sso_registration_scope", "sso_registration_scopes"),
            ("source_profil", "source_profile"),
            ("sourceprofile", "source_profile"),
            ("role_ar", "role_arn"),
            ("rolearn", "role_arn"),
            ("mfa_serail", "mfa_serial"),
            ("external-id", "external_id"),
            ("role_sesion_name", "role_session_name"),
            ("duration_second", "duration_seconds"),
            ("credential_sorce", "credential_source"),
            ("web_identity_token_fle", "web_identity_token_file"),
        ] {
            assert_eq!(suggest(Profile, typo), Some(meant), "{typo}");
        }
        assert_eq!(suggest(SsoSession, "sso_start_ulr"), Some("sso_start_url"));
        assert_eq!(suggest(SsoSession, "sso_regin"), Some("sso_region"));
    }

    #[test]
    fn keys_other_tools_read_are_left_alone() {
        for key in OTHER_KEYS.iter().chain(PROFILE_KEYS) {
            assert_eq!(suggest(Profile, key), None, "{key}");
            assert_eq!(suggest(SsoSession, key), None, "{key}");
        }
        // A profile key in an sso-session is misplaced, not misspelt.
        assert_eq!(suggest(SsoSession, "sso_account_id"), None);
    }

    #[test]
    fn keys_far_from_ssoenvs_say_nothing() {
        for key in [
            "my_team_setting",
            "sso",
            "reg",
            "sso_start",
            "role",
            "ouptut",
            "credentials_process",
            "x_security_token_expires",
        ] {
            assert_eq!(suggest(Profile, key), None, "{key}");
        }
        // Nearer to granted's key than to ssoenv's.
        assert_eq!(suggest(Profile, "granted_sso_regin"), None);
        // Session keys only in an sso-session; role chains are profiles'.
        assert_eq!(suggest(SsoSession, "sso_sesion"), None);
        assert_eq!(suggest(SsoSession, "source_profil"), None);
        assert_eq!(suggest(SsoSession, "regoin"), None);
    }
}
