//! Everything ssoenv tells the user on stderr: notices and errors
//! ([`say!`]), warnings ([`warn!`]) and `--verbose` / `SSOENV_LOG` tracing
//! ([`trace!`]). Each line goes through [`for_terminal`], since a directory
//! name, a profile name or a config value can hold terminal escapes.
//!
//! Callers pass only non-secret facts (endpoints, paths, counts, timings):
//! there is deliberately no helper that formats a token or credential.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
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

/// `text` as a terminal can show it without being driven by it: control
/// characters (which retitle the window, move the cursor, erase a line or
/// start a forged one) and the invisible Unicode controls that reorder or
/// break lines are written as escapes (`\n`, `\u{1b}`, `\u{202e}`). For
/// text meant for people only: shell code on stdout is quoted per shell.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => write!(out, "{}", c.escape_unicode()).unwrap(),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` with every character [`for_terminal`] would escape shown as `?`
/// instead: one column for one character, for tables and the picker's
/// lines, where names from the portal must neither drive the terminal nor
/// break the alignment (or, for fzf, the line).
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if needs_escape(c) { '?' } else { c })
        .collect()
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // Line and paragraph separators.
            '\u{2028}' | '\u{2029}'
            // Bidirectional marks, embeddings, overrides and isolates.
            | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// One line on stderr, escaped by [`for_terminal`]. The macros below are
/// the usual way in.
#[allow(clippy::disallowed_macros)] // the one place that writes stderr
pub fn line(text: fmt::Arguments) {
    eprintln!("{}", for_terminal(&text.to_string()));
}

/// A line for the user: `ssoenv: …`.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!("ssoenv: {}", format_args!($($arg)*)))
    };
}

/// Trace line, shown only with `--verbose` or `SSOENV_LOG=1`.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)*) => {
        if $crate::log::enabled() {
            $crate::log::line(format_args!("ssoenv: {}", format_args!($($arg)*)));
        }
    };
}

/// Warning line, always shown.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => {
        $crate::log::line(format_args!("ssoenv: warning: {}", format_args!($($arg)*)))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_untouched() {
        for text in [
            "",
            "~/proj/.ssoenv is not allowed",
            "ünïcödé ✓ 日本",
            "a\\u{1b}b",
        ] {
            assert!(matches!(for_terminal(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn controls_are_escaped_and_nothing_else_changes() {
        assert_eq!(
            for_terminal("/tmp/\u{1b}]0;owned\u{7}x\u{1b}[2K\rok\n\u{9b}31m\u{7f}"),
            "/tmp/\\u{1b}]0;owned\\u{7}x\\u{1b}[2K\\rok\\n\\u{9b}31m\\u{7f}"
        );
        assert_eq!(
            for_terminal("prod\u{202e}dorp\u{2066}\u{2028}\tx"),
            "prod\\u{202e}dorp\\u{2066}\\u{2028}\\tx"
        );
    }

    #[test]
    fn printable_text_keeps_its_width() {
        assert_eq!(printable("a\u{1b}[31mb\u{202e}c\n\td"), "a?[31mb?c??d");
        assert_eq!(printable("ünïcödé 日本"), "ünïcödé 日本");
    }

    #[test]
    fn every_control_character_is_escaped() {
        for c in (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|c| c.is_control())
        {
            let shown = for_terminal(&c.to_string()).into_owned();
            assert!(
                shown.starts_with('\\') && shown.chars().all(|c| c.is_ascii_graphic()),
                "{c:?} -> {shown:?}"
            );
        }
    }
}
