//! ssoenv: IAM Identity Center (AWS SSO) credentials for shells and tools,
//! sharing the AWS CLI v2's token and credential caches.

pub mod activation;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod console;
pub mod credential_server;
pub mod credentials_file;
pub mod dirprofile;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod error;
pub mod fsutil;
pub mod ini;
pub mod log;
pub mod loopback;
pub mod paths;
pub mod picker;
pub mod platform;
pub mod populate;
pub mod secret;
pub mod shell;
pub mod sso;
pub mod target;
pub mod timestamp;
pub mod user_file;

/// The property tests' seed and case count (SSOENV_PROPTEST_SEED,
/// SSOENV_PROPTEST_CASES), read as the integration tests read them.
#[cfg(test)]
#[path = "../tests/common/cases.rs"]
mod proptest_cases;
