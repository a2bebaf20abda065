//! The cache files' time parser on any text: it never panics, and every
//! time it accepts can be written, read back the same, and computed with.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssoenv::timestamp::Timestamp;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(t) = text.parse::<Timestamp>() else {
        return;
    };
    let written = t.to_string();
    assert_eq!(written.len(), 20, "{written}");
    assert_eq!(written.parse::<Timestamp>(), Ok(t), "{written}");
    assert_eq!(Timestamp::from_unix_seconds(t.unix_seconds()), Some(t));
    for now in [Timestamp::now(), t] {
        let _ = t.describe_expiry(now);
        let _ = now.remaining(t);
    }
    for d in [i64::MIN, -1, 1, i64::MAX] {
        let _ = t.saturating_add(time::Duration::seconds(d)).to_string();
    }
});
