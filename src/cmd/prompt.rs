//! `ssoenv prompt`: the prompt segment. Reads only environment variables —
//! no files, no network — so it is as cheap as a process can be.

use crate::activation::{self, ACCOUNT, EXPIRES, PROFILE, ROLE};
use crate::cli::PromptArgs;
use crate::error::Result;

pub fn run(args: PromptArgs) -> Result<()> {
    let Some(profile) = activation::get(PROFILE) else {
        return Ok(());
    };
    let ttl = match activation::get(EXPIRES).and_then(|e| e.parse::<i64>().ok()) {
        Some(e) if e > activation::now() => human(e - activation::now()),
        Some(_) => "expired".to_string(),
        None => String::new(),
    };
    let out = args
        .format
        .replace("{profile}", &profile)
        .replace("{account}", &activation::get(ACCOUNT).unwrap_or_default())
        .replace("{role}", &activation::get(ROLE).unwrap_or_default())
        .replace("{ttl}", &ttl);
    println!("{out}");
    Ok(())
}

/// 2h05m, 59m, 42s.
fn human(secs: i64) -> String {
    match (secs / 3600, (secs % 3600) / 60) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_durations() {
        assert_eq!(super::human(42), "42s");
        assert_eq!(super::human(59 * 60 + 5), "59m");
        assert_eq!(super::human(2 * 3600 + 5 * 60), "2h05m");
    }
}
