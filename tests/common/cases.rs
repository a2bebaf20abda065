//! How much generated input a property test gets, and from which seed: a
//! fixed seed by default, so every run (CI's included) checks the same
//! input and a failure reproduces; SSOENV_PROPTEST_SEED and
//! SSOENV_PROPTEST_CASES for other or more, as in
//! `SSOENV_PROPTEST_CASES=100000 SSOENV_PROPTEST_SEED=$RANDOM cargo test`.
//!
//! Shared by the integration tests (tests/properties.rs, through the
//! toolkit) and the library's own property tests (src/ini, src/credentials_file.rs),
//! which include this file by path; so it uses std only.

const DEFAULT_SEED: u64 = 0x5350_5345_4e56; // "SSOENV"

pub fn seed() -> u64 {
    match std::env::var("SSOENV_PROPTEST_SEED") {
        Ok(s) => s.parse().expect("SSOENV_PROPTEST_SEED: a number"),
        Err(_) => DEFAULT_SEED,
    }
}

/// SSOENV_PROPTEST_CASES, else `default`: each property picks its own by
/// what one case costs.
pub fn count(default: usize) -> usize {
    match std::env::var("SSOENV_PROPTEST_CASES") {
        Ok(s) => s.parse().expect("SSOENV_PROPTEST_CASES: a number"),
        Err(_) => default,
    }
}
