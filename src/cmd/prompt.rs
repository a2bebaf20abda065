//! `ssoenv prompt`: the prompt segment. Reads only environment variables —
//! no files, no network — so it is as cheap as a process can be.

use crate::activation::{self, ACCOUNT, ACCOUNT_NAME, EXPIRES, PROFILE, ROLE};
use crate::cli::PromptArgs;
use crate::error::Result;
use crate::timestamp::{self, Timestamp};

pub fn run(args: PromptArgs) -> Result<()> {
    let Some(profile) = activation::get(PROFILE) else {
        return Ok(());
    };
    let expires = activation::get(EXPIRES)
        .and_then(|e| e.parse::<i64>().ok())
        .and_then(Timestamp::from_unix_seconds);
    let get = |name| activation::get(name).unwrap_or_default();
    let values = [
        ("{profile}", profile),
        ("{account}", get(ACCOUNT)),
        ("{account_name}", get(ACCOUNT_NAME)),
        ("{role}", get(ROLE)),
        ("{ttl}", ttl(expires, Timestamp::now())),
    ];
    let out = fill(&args.format, &values);
    println!("{out}");
    Ok(())
}

/// `format` with each placeholder replaced by its value, in one pass: a
/// value (an account name from the portal) that looks like a placeholder
/// stays as it is.
fn fill(format: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(format.len());
    let mut rest = format;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        match values.iter().find(|(p, _)| rest.starts_with(p)) {
            Some((placeholder, value)) => {
                out.push_str(value);
                rest = &rest[placeholder.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Time left ("2h05m", "42s"), "expired", or nothing when unknown.
fn ttl(expires: Option<Timestamp>, now: Timestamp) -> String {
    match expires {
        Some(e) if e > now => timestamp::format_duration(e.remaining(now)),
        Some(_) => "expired".to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once() {
        let values = [
            ("{profile}", "{role}/x".to_string()),
            ("{account_name}", "Prod".to_string()),
            ("{account}", "333333333333".to_string()),
            ("{role}", "Admin".to_string()),
        ];
        assert_eq!(
            fill("[{profile} {account_name} {account}] {ro{role}}", &values),
            "[{role}/x Prod 333333333333] {roAdmin}"
        );
    }

    #[test]
    fn ttl_shows_time_left() {
        let now = Timestamp::from_unix_seconds(1_800_000_000).unwrap();
        let at = |s: i64| Timestamp::from_unix_seconds(1_800_000_000 + s);
        assert_eq!(ttl(at(2 * 3600 + 5 * 60), now), "2h05m");
        assert_eq!(ttl(at(42), now), "42s");
        assert_eq!(ttl(at(0), now), "expired");
        assert_eq!(ttl(at(-5), now), "expired");
        assert_eq!(ttl(None, now), "");
    }
}
