//! Points in time as the shared caches keep them, the one clock, and the one
//! place durations are written for people: short for a prompt ("2h05m"), on
//! a clock for a countdown ("9:41"), or spoken in a sentence ("10 minutes").
//!
//! Cache files are read into `Timestamp`s once, when they are deserialized;
//! nothing parses a time string after that. Writers use
//! `YYYY-MM-DDTHH:MM:SSZ`: the AWS CLI's own format, and the Rust SDK rejects
//! offsets like `+00:00`. Readers accept any RFC 3339 time, since the Rust
//! SDK writes fractional seconds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Duration, OffsetDateTime, UtcOffset};

/// A UTC time to the second, from 0000-01-01T00:00:00Z to
/// 9999-12-31T23:59:59Z: exactly what the `…Z` form can write. A time
/// outside that range (`9999-12-31T23:59:59-23:59` is in year 10000 in UTC)
/// is not a Timestamp, so every Timestamp formats, whatever a file held.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

const MIN: OffsetDateTime = datetime!(0000-01-01 00:00:00 UTC);
const MAX: OffsetDateTime = datetime!(9999-12-31 23:59:59 UTC);

impl Timestamp {
    /// The clock: the one place ssoenv asks what time it is. Decisions take
    /// `now` as a parameter instead, so they can be tested at any time.
    pub fn now() -> Timestamp {
        Timestamp::clamped(OffsetDateTime::now_utc())
    }

    /// `t` in UTC with the fraction dropped, when it is in range.
    fn new(t: OffsetDateTime) -> Option<Timestamp> {
        let utc = t.checked_to_offset(UtcOffset::UTC)?;
        let utc = utc.replace_nanosecond(0).ok()?;
        (MIN..=MAX).contains(&utc).then_some(Timestamp(utc))
    }

    fn clamped(t: OffsetDateTime) -> Timestamp {
        Timestamp::new(t).unwrap_or(Timestamp(if t < MIN { MIN } else { MAX }))
    }

    pub fn from_unix_seconds(seconds: i64) -> Option<Timestamp> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()
            .and_then(Timestamp::new)
    }

    /// The SSO portal's form (GetRoleCredentials' `expiration`).
    pub fn from_unix_millis(millis: i64) -> Option<Timestamp> {
        Timestamp::from_unix_seconds(millis.div_euclid(1000))
    }

    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// `self + d`, or the nearest end of the range: a lifetime a server
    /// chose can never overflow.
    pub fn saturating_add(self, d: Duration) -> Timestamp {
        match self.0.checked_add(d) {
            Some(t) => Timestamp::clamped(t),
            None if d.is_negative() => Timestamp(MIN),
            None => Timestamp(MAX),
        }
    }

    /// "18:04" today, "2026-12-02 18:04" on another day: local time, as a
    /// person reads a clock (the `…Z` form where the zone is unknown).
    pub fn local_clock(self, now: Timestamp) -> String {
        match (local(self), local(now)) {
            (Some(e), Some(n)) if (e.tm_year, e.tm_yday) == (n.tm_year, n.tm_yday) => {
                format!("{:02}:{:02}", e.tm_hour, e.tm_min)
            }
            (Some(e), _) => format!(
                "{}-{:02}-{:02} {:02}:{:02}",
                i64::from(e.tm_year) + 1900,
                e.tm_mon + 1,
                e.tm_mday,
                e.tm_hour,
                e.tm_min
            ),
            (None, _) => self.to_string(),
        }
    }

    /// Time left until `self`, as of `now`; negative once it has passed.
    pub fn remaining(self, now: Timestamp) -> Duration {
        self.0 - now.0
    }

    /// "in 2h05m" or "expired 3m ago", for `self` an expiry.
    pub fn describe_expiry(self, now: Timestamp) -> String {
        let left = self.remaining(now);
        match left.is_negative() {
            false => format!("in {}", format_duration(left)),
            true => format!("expired {} ago", format_duration(left)),
        }
    }
}

/// A duration's size, as short as a prompt needs: "2h05m", "59m", "42s".
pub fn format_duration(d: Duration) -> String {
    let secs = d.whole_seconds().unsigned_abs();
    match (secs / 3600, (secs % 3600) / 60) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

/// "9:41": minutes and seconds, rounded up so that 0:00 means the end.
pub fn clock(d: std::time::Duration) -> String {
    let secs = whole_seconds(d);
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// "10 minutes", "1 minute", "90 seconds" rounded up as [`clock`] is, and
/// the clock ("1:30") where neither unit is whole.
pub fn spoken(d: std::time::Duration) -> String {
    match whole_seconds(d) {
        60 => "1 minute".into(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        1 => "1 second".into(),
        s if s < 60 => format!("{s} seconds"),
        _ => clock(d),
    }
}

/// `d` in seconds, a fraction counting as one more: what [`clock`] and
/// [`spoken`] show, so that a countdown deciding when to speak agrees with
/// what it says.
pub fn whole_seconds(d: std::time::Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `YYYY-MM-DDTHH:MM:SSZ`. Written field by field: the range invariant makes
/// it infallible, with no formatter that could report otherwise.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

/// The reason a time was refused. It never quotes the text: it came from a
/// file, and the message ends up in a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected an RFC 3339 time between years 0000 and 9999 in UTC")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    fn from_str(s: &str) -> Result<Timestamp, InvalidTimestamp> {
        OffsetDateTime::parse(s, &Rfc3339)
            .ok()
            .and_then(Timestamp::new)
            .ok_or(InvalidTimestamp)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 time")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Timestamp, E> {
                s.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// The local calendar time (per TZ) of `t`.
fn local(t: Timestamp) -> Option<libc::tm> {
    crate::platform::local_time(t.unix_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn writes_z_without_fraction() {
        assert_eq!(
            ts("2026-11-29T12:38:40.725363Z").to_string(),
            "2026-11-29T12:38:40Z"
        );
        assert_eq!(
            ts("2026-11-29T13:38:40+01:00").to_string(),
            "2026-11-29T12:38:40Z"
        );
        assert_eq!(
            serde_json::to_string(&ts("2026-11-29T12:38:40-00:30")).unwrap(),
            r#""2026-11-29T13:08:40Z""#
        );
        let read: Timestamp = serde_json::from_str(r#""2026-11-29T12:38:40.5Z""#).unwrap();
        assert_eq!(read, ts("2026-11-29T12:38:40Z"));
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "tomorrow",
            "2026-11-29 12:00:00",
            "2026-11-29T12:00:00",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00+24:00",
            "2026-01-01T00:00:00+1:00",
            "+12026-01-01T00:00:00Z",
            "２０２６-01-01T00:00:00Z",
        ] {
            assert_eq!(s.parse::<Timestamp>(), Err(InvalidTimestamp), "{s:?}");
        }
        let not_a_string = serde_json::from_str::<Timestamp>("1767225600");
        assert!(not_a_string.is_err());
    }

    /// Times that are valid RFC 3339 but leave the range once in UTC, and
    /// others at the edges: refused or read, never a panic, and whatever is
    /// read writes back as itself.
    #[test]
    fn crafted_times_never_panic() {
        let huge_fraction = format!("2026-01-01T00:00:00.{}Z", "9".repeat(100_000));
        let cases = [
            ("9999-12-31T23:59:59-23:59", None),
            ("9999-12-31T23:59:59-00:01", None),
            ("9999-12-31T23:59:59+23:59", Some("9999-12-31T00:00:59Z")),
            (
                "9999-12-31T23:59:59.999999999Z",
                Some("9999-12-31T23:59:59Z"),
            ),
            ("0000-01-01T00:00:00+23:59", None),
            ("0000-01-01T00:00:00+00:01", None),
            ("0000-01-01T00:00:00-23:59", Some("0000-01-01T23:59:00Z")),
            ("0000-01-01T00:00:00Z", Some("0000-01-01T00:00:00Z")),
            ("2026-01-01T00:00:00-00:00", Some("2026-01-01T00:00:00Z")),
            ("2026-01-01t00:00:00z", Some("2026-01-01T00:00:00Z")),
            (huge_fraction.as_str(), Some("2026-01-01T00:00:00Z")),
        ];
        for (text, want) in cases {
            let got = text.parse::<Timestamp>().ok().map(|t| t.to_string());
            assert_eq!(got.as_deref(), want, "{:.40}", text);
            if let Some(t) = got {
                assert_eq!(ts(&t).to_string(), t);
            }
        }
    }

    /// Every one-character change to a valid time, from a small alphabet of
    /// digits, separators and signs: parsing never panics, and every result
    /// round-trips through its `…Z` form.
    #[test]
    fn mutated_times_never_panic() {
        let seeds = ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00.123+23:59"];
        let alphabet = "0123456789+-:.TZz \u{0}é";
        let mut read = 0;
        for seed in seeds {
            let chars: Vec<char> = seed.chars().collect();
            for i in 0..chars.len() {
                for c in alphabet.chars() {
                    let mut mutated = chars.clone();
                    mutated[i] = c;
                    let text: String = mutated.iter().collect();
                    if let Ok(t) = text.parse::<Timestamp>() {
                        read += 1;
                        assert_eq!(ts(&t.to_string()), t, "{text}");
                    }
                }
            }
        }
        assert!(read > 0, "some mutations are valid times");
    }

    #[test]
    fn arithmetic_stays_in_range() {
        let t = ts("2026-01-01T00:00:00Z");
        assert_eq!(
            t.saturating_add(Duration::seconds(61)).to_string(),
            "2026-01-01T00:01:01Z"
        );
        assert_eq!(
            t.saturating_add(Duration::MAX).to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            t.saturating_add(Duration::MIN).to_string(),
            "0000-01-01T00:00:00Z"
        );
        let far = ts("9999-12-31T23:59:59Z");
        assert_eq!(far.saturating_add(Duration::days(2)), far);
        let first = ts("0000-01-01T00:00:00Z");
        assert!(far.remaining(first) > Duration::days(365 * 9999));
        assert!(first.remaining(far) < -Duration::days(365 * 9999));
        assert!(far.describe_expiry(first).starts_with("in "));
        assert!(first.describe_expiry(far).starts_with("expired "));
    }

    #[test]
    fn unix_times() {
        let t = Timestamp::from_unix_millis(1_700_000_000_123).unwrap();
        assert_eq!(t.to_string(), "2023-11-14T22:13:20Z");
        assert_eq!(t.unix_seconds(), 1_700_000_000);
        assert_eq!(Timestamp::from_unix_seconds(i64::MAX), None);
        assert_eq!(Timestamp::from_unix_millis(i64::MIN), None);
        let before_year_0 = ts("0000-01-01T00:00:00Z").unix_seconds() - 1;
        assert_eq!(Timestamp::from_unix_seconds(before_year_0), None);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(format_duration(Duration::seconds(42)), "42s");
        assert_eq!(format_duration(Duration::seconds(59 * 60 + 5)), "59m");
        assert_eq!(
            format_duration(Duration::seconds(2 * 3600 + 5 * 60)),
            "2h05m"
        );
        assert_eq!(format_duration(Duration::seconds(-180)), "3m");
        let now = ts("2026-01-01T00:00:00Z");
        assert_eq!(ts("2026-01-01T07:59:30Z").describe_expiry(now), "in 7h59m");
        assert_eq!(
            ts("2025-12-31T23:57:00Z").describe_expiry(now),
            "expired 3m ago"
        );
    }

    #[test]
    fn countdowns_read_on_a_clock() {
        use std::time::Duration;
        assert_eq!(clock(Duration::from_secs(581)), "9:41");
        assert_eq!(clock(Duration::from_millis(600_000)), "10:00");
        assert_eq!(clock(Duration::from_millis(59_100)), "1:00");
        assert_eq!(clock(Duration::from_secs(3725)), "62:05");
        assert_eq!(clock(Duration::ZERO), "0:00");
        assert_eq!(whole_seconds(Duration::from_millis(59_001)), 60);
        assert_eq!(whole_seconds(Duration::from_secs(59)), 59);
    }

    #[test]
    fn waits_read_as_said_in_a_sentence() {
        use std::time::Duration;
        assert_eq!(spoken(Duration::from_secs(600)), "10 minutes");
        assert_eq!(spoken(Duration::from_secs(60)), "1 minute");
        assert_eq!(spoken(Duration::from_millis(59_500)), "1 minute");
        assert_eq!(spoken(Duration::from_millis(1500)), "2 seconds");
        assert_eq!(spoken(Duration::from_millis(300)), "1 second");
        assert_eq!(spoken(Duration::from_secs(90)), "1:30");
    }
}
