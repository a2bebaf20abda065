//! The timestamp formats of the shared caches.
//!
//! Writers use `YYYY-MM-DDTHH:MM:SSZ`: the AWS CLI's own format, and the Rust
//! SDK rejects offsets like `+00:00`. Readers accept any RFC 3339 time, since
//! the Rust SDK writes fractional seconds.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub fn format_z(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .expect("a UTC time always formats")
}

pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

pub fn from_epoch_millis(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// "in 7h 59m", "in 45s", "expired 3m ago" — for status output.
pub fn describe_remaining(until: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (until - now).whole_seconds();
    let human = |s: i64| {
        let (h, m) = (s / 3600, (s % 3600) / 60);
        if h > 0 {
            format!("{h}h {m}m")
        } else if m > 0 {
            format!("{m}m")
        } else {
            format!("{s}s")
        }
    };
    if secs >= 0 {
        format!("in {}", human(secs))
    } else {
        format!("expired {} ago", human(-secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_z_without_fraction() {
        let t = parse("2026-11-29T12:38:40.725363Z").unwrap();
        assert_eq!(format_z(t), "2026-11-29T12:38:40Z");
        let t = parse("2026-11-29T13:38:40+01:00").unwrap();
        assert_eq!(format_z(t), "2026-11-29T12:38:40Z");
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse("tomorrow").is_none());
        assert!(parse("2026-11-29 12:00:00").is_none());
    }

    #[test]
    fn millis() {
        let t = from_epoch_millis(1_700_000_000_123).unwrap();
        assert_eq!(format_z(t), "2023-11-14T22:13:20Z");
    }
}
