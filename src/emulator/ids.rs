//! Random identifiers, tokens and credentials, from the operating system's
//! random source.

pub(super) const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub(super) const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(super) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// URL-safe characters, as in real device codes and OAuth tokens.
pub(super) const URL_SAFE: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Standard base64 characters: real secret keys and session tokens contain `/` and `+`,
/// which callers must quote correctly.
pub(super) const BASE64: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `len` characters drawn from `alphabet`.
pub(super) fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut draws = vec![0u8; len * 8];
    fill(&mut draws);
    // Each character from 64 random bits: the modulo bias is ~2^-58.
    draws
        .chunks_exact(8)
        .map(|draw| {
            let draw = u64::from_le_bytes(draw.try_into().expect("chunks of 8"));
            alphabet[(draw % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

/// A UUID-shaped request id, like the real `x-amzn-RequestId`.
pub(super) fn request_id() -> String {
    let mut bytes = [0u8; 16];
    fill(&mut bytes);
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The emulator has no way to go on without random values: a test fails.
fn fill(bytes: &mut [u8]) {
    getrandom::fill(bytes).expect("the operating system's random source works");
}

/// Fresh random credentials (or the configured fixed values, for the SSO portal).
pub(super) fn new_keys(fixed: Option<&super::CredentialValues>) -> (String, String, String) {
    match fixed {
        Some(v) => (
            v.access_key_id.clone(),
            v.secret_access_key.clone(),
            v.session_token.clone(),
        ),
        None => (
            format!("ASIA{}", random_string(UPPER_DIGITS, 16)),
            random_string(BASE64, 40),
            random_string(BASE64, 356),
        ),
    }
}
