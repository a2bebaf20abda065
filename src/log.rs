//! `--verbose` / `SSOENV_LOG` tracing to stderr.
//!
//! Callers pass only non-secret facts (endpoints, paths, counts, timings):
//! there is deliberately no helper that formats a token or credential.

use std::sync::atomic::{AtomicBool, Ordering};

static VERBOSE: AtomicBool = AtomicBool::new(false);

pub fn init(verbose: bool) {
    let from_env = std::env::var("SSOENV_LOG")
        .map(|v| !v.is_empty() && v != "0" && v != "off")
        .unwrap_or(false);
    VERBOSE.store(verbose || from_env, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Trace line, shown only with `--verbose` or `SSOENV_LOG=1`.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)*) => {
        if $crate::log::enabled() {
            eprintln!("ssoenv: {}", format_args!($($arg)*));
        }
    };
}

/// Warning line, always shown.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => {
        eprintln!("ssoenv: warning: {}", format_args!($($arg)*));
    };
}
