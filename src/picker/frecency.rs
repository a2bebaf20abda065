//! How often and how recently each target was chosen, so the picker offers
//! the likely one first.
//!
//! One small JSON file in ssoenv's state directory,
//! `{"version":1,"entries":{"prod":{"uses":3.0,"last_used":1767225600}}}`,
//! replaced atomically (0600) on every record. Two shells recording at the
//! same moment may lose one count; the file itself is never torn. A file that
//! cannot be parsed is treated as empty, with one warning, and rewritten at
//! the next record.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

use serde::{Deserialize, Serialize};

use crate::error::Result;

const FILE: &str = "frecency.json";
const VERSION: u32 = 1;
/// Bounds on the file: at most this many targets ...
const MAX_ENTRIES: usize = 200;
/// ... and this many uses in total before every count is aged (below).
const MAX_TOTAL_USES: f64 = 1000.0;
/// Longer keys are not recorded (no target name is anywhere near this).
const MAX_KEY_LEN: usize = 512;

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// The frecency of a target used `uses` times, last at `last_used`, as seen
/// at `now` (epoch seconds).
///
/// zoxide's rule (after z.sh): the count weighted by how recent the last use
/// was — ×4 within the hour, ×2 within the day, ×½ within the week, ×¼ after.
/// Chosen over granted's log10(freq/maxFreq·10) + log10((last−oldest)/(now−oldest)·10)
/// because it depends on this one entry alone (granted's moves every score
/// whenever any other entry changes, and gives the oldest entry −∞), it has
/// no division to guard, and its steps are easy to predict: a profile used
/// twice in the last hour (8) beats one used seven times earlier this week
/// (3.5), but not one used five times earlier today (10). Forgetting comes
/// from ageing the counts (see [`Store::record`]), not from the formula.
pub fn score(uses: f64, last_used: i64, now: i64) -> f64 {
    // A last use in the future (clock changed) counts as just now.
    let age = now.saturating_sub(last_used).max(0);
    let weight = if age < HOUR {
        4.0
    } else if age < DAY {
        2.0
    } else if age < WEEK {
        0.5
    } else {
        0.25
    };
    uses * weight
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Entry {
    uses: f64,
    last_used: i64,
}

impl Entry {
    fn score(&self, now: i64) -> f64 {
        score(self.uses, self.last_used, now)
    }

    /// Higher frecency first; the more recent use breaks a tie.
    fn rank(&self, other: &Entry, now: i64) -> Ordering {
        other
            .score(now)
            .total_cmp(&self.score(now))
            .then(other.last_used.cmp(&self.last_used))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    entries: BTreeMap<String, Entry>,
}

/// The usage history, in memory.
#[derive(Debug, Default, PartialEq)]
pub struct Store {
    entries: BTreeMap<String, Entry>,
}

impl Store {
    /// Parse the file's content. Entries with a count that is not a positive
    /// number are dropped rather than failing the whole file.
    fn parse(bytes: &[u8]) -> Result<Store, String> {
        let file: File = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if file.version != VERSION {
            return Err(format!("unknown version {}", file.version));
        }
        let entries = file
            .entries
            .into_iter()
            .filter(|(k, e)| e.uses.is_finite() && e.uses > 0.0 && k.len() <= MAX_KEY_LEN)
            .collect();
        Ok(Store { entries })
    }

    fn to_json(&self) -> Vec<u8> {
        let file = File {
            version: VERSION,
            entries: self.entries.clone(),
        };
        serde_json::to_vec(&file).expect("plain data always serializes")
    }

    /// Count one use of `key` at `now`. When the counts add up to more than
    /// MAX_TOTAL_USES, all of them shrink to 90% of that total (zoxide's
    /// ageing) and those below one use are forgotten; beyond MAX_ENTRIES
    /// targets, the lowest-ranked go.
    pub fn record(&mut self, key: &str, now: i64) {
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return;
        }
        let entry = self.entries.entry(key.to_string()).or_insert(Entry {
            uses: 0.0,
            last_used: now,
        });
        entry.uses += 1.0;
        entry.last_used = entry.last_used.max(now);

        let total: f64 = self.entries.values().map(|e| e.uses).sum();
        if total > MAX_TOTAL_USES {
            let factor = 0.9 * MAX_TOTAL_USES / total;
            for e in self.entries.values_mut() {
                e.uses *= factor;
            }
            self.entries.retain(|k, e| e.uses >= 1.0 || k == key);
        }
        if self.entries.len() > MAX_ENTRIES {
            let mut ranked: Vec<(String, Entry)> =
                std::mem::take(&mut self.entries).into_iter().collect();
            // The one just used always stays.
            ranked.sort_by(|(ka, a), (kb, b)| (kb == key).cmp(&(ka == key)).then(a.rank(b, now)));
            ranked.truncate(MAX_ENTRIES);
            self.entries = ranked.into_iter().collect();
        }
    }

    /// Sort `items` most frecent first. Items never used keep their relative
    /// order after all the used ones (the sort is stable), so the caller's
    /// order (e.g. by name) shows through.
    pub fn order<T>(&self, items: &mut [T], key: impl Fn(&T) -> &str, now: i64) {
        items.sort_by(
            |a, b| match (self.entries.get(key(a)), self.entries.get(key(b))) {
                (Some(a), Some(b)) => a.rank(b, now),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        );
    }
}

pub fn path() -> Result<PathBuf> {
    Ok(crate::paths::state_dir()?.join(FILE))
}

/// The history as stored; empty when there is none or it cannot be read.
pub fn load() -> Store {
    match path() {
        Ok(p) => load_from(&p),
        Err(_) => Store::default(),
    }
}

fn load_from(path: &Path) -> Store {
    static WARNED: Once = Once::new();
    let problem = match crate::fsutil::read_optional(path) {
        Ok(None) => return Store::default(),
        Ok(Some(bytes)) => match Store::parse(&bytes) {
            Ok(store) => return store,
            Err(e) => format!("{}: {e}", path.display()),
        },
        Err(e) => e.to_string(),
    };
    WARNED.call_once(|| {
        crate::warn!("ignoring the picker's usage history ({problem}); it starts afresh");
    });
    Store::default()
}

/// Count one use of `key` (a target as `ssoenv use` takes it) at `now`.
pub fn record(key: &str, now: i64) -> Result<()> {
    record_in(&path()?, key, now)
}

fn record_in(path: &Path, key: &str, now: i64) -> Result<()> {
    let mut store = load_from(path);
    store.record(key, now);
    crate::fsutil::write_atomic(path, &store.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn recent_use_outweighs_a_few_older_ones() {
        // Twice in the last hour beats seven times earlier this week ...
        assert!(score(2.0, NOW - 600, NOW) > score(7.0, NOW - 3 * DAY, NOW));
        // ... but not five times earlier today.
        assert!(score(2.0, NOW - 600, NOW) < score(5.0, NOW - 5 * HOUR, NOW));
        // Each step down in recency lowers the score for the same count.
        let ages = [0, HOUR, DAY, WEEK, 100 * WEEK];
        let scores: Vec<f64> = ages.iter().map(|a| score(3.0, NOW - a, NOW)).collect();
        assert_eq!(scores, [12.0, 6.0, 1.5, 0.75, 0.75]);
        // More uses at the same time always rank higher.
        assert!(score(4.0, NOW - DAY, NOW) > score(3.0, NOW - DAY, NOW));
        // A last use in the future (clock set back) counts as now.
        assert_eq!(score(1.0, NOW + DAY, NOW), 4.0);
    }

    fn keys_in_order(store: &Store, items: &[&str]) -> Vec<String> {
        let mut items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        store.order(&mut items, |s| s.as_str(), NOW);
        items
    }

    #[test]
    fn order_puts_frecent_first_and_keeps_the_rest_as_given() {
        let mut store = Store::default();
        for _ in 0..3 {
            store.record("often-last-month", NOW - 30 * DAY);
        }
        store.record("once-just-now", NOW);
        store.record("once-yesterday", NOW - 30 * HOUR);
        store.record("gone", NOW); // not offered any more: ignored
        assert_eq!(
            keys_in_order(
                &store,
                &[
                    "a",
                    "once-yesterday",
                    "b",
                    "often-last-month",
                    "once-just-now",
                    "c"
                ]
            ),
            [
                "once-just-now",
                "often-last-month",
                "once-yesterday",
                "a",
                "b",
                "c"
            ]
        );
    }

    #[test]
    fn equal_scores_go_to_the_more_recent() {
        let mut store = Store::default();
        store.record("earlier", NOW - 6 * HOUR);
        store.record("later", NOW - 3 * HOUR);
        store.record("later", NOW - 2 * HOUR); // 2 uses × 2 = 4
        store.record("earlier", NOW - 5 * HOUR); // 2 uses × 2 = 4, but older
        assert_eq!(
            keys_in_order(&store, &["earlier", "later"]),
            ["later", "earlier"]
        );
    }

    #[test]
    fn counts_age_and_the_store_stays_bounded() {
        let mut store = Store::default();
        for i in 0..(MAX_ENTRIES as i64 + 50) {
            store.record(&format!("target-{i}"), NOW - DAY + i);
        }
        assert_eq!(store.entries.len(), MAX_ENTRIES);
        // The newest are kept, the oldest went.
        assert!(
            store
                .entries
                .contains_key(&format!("target-{}", MAX_ENTRIES + 49))
        );
        assert!(!store.entries.contains_key("target-0"));

        for _ in 0..2000 {
            store.record("daily", NOW);
        }
        let total: f64 = store.entries.values().map(|e| e.uses).sum();
        assert!(total <= MAX_TOTAL_USES, "total {total}");
        // Ageing forgot the targets used only once, kept the one in use.
        assert_eq!(store.entries.len(), 1);
        assert!(store.entries["daily"].uses > 800.0);

        store.record(&"x".repeat(MAX_KEY_LEN + 1), NOW);
        store.record("", NOW);
        assert_eq!(store.entries.len(), 1);
    }

    #[cfg(unix)] // file modes
    #[test]
    fn file_round_trip_is_private_and_corruption_starts_afresh() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/ssoenv").join(FILE);
        record_in(&path, "prod", NOW).unwrap();
        record_in(&path, "prod", NOW + 1).unwrap();
        record_in(&path, "dev", NOW + 2).unwrap();
        let store = load_from(&path);
        assert_eq!(
            store.entries["prod"],
            Entry {
                uses: 2.0,
                last_used: NOW + 1
            }
        );
        assert_eq!(
            store.entries["dev"],
            Entry {
                uses: 1.0,
                last_used: NOW + 2
            }
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        for bad in [
            &b"{not json"[..],
            b"",
            b"[]",
            br#"{"version":9,"entries":{}}"#,
        ] {
            std::fs::write(&path, bad).unwrap();
            assert_eq!(load_from(&path), Store::default(), "{bad:?}");
            // Recording replaces the corrupt file with a good one.
            record_in(&path, "prod", NOW).unwrap();
            assert_eq!(load_from(&path).entries.len(), 1);
        }

        // Nonsense counts are dropped, the rest kept.
        std::fs::write(
            &path,
            br#"{"version":1,"entries":{"a":{"uses":-1,"last_used":0},"b":{"uses":2,"last_used":5}}}"#,
        )
        .unwrap();
        let store = load_from(&path);
        assert_eq!(store.entries.keys().collect::<Vec<_>>(), ["b"]);
    }
}
