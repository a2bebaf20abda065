//! The environment the transitions start from, read once at the edge.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use super::plan::Saved;
use super::vars::{
    self, ACCOUNT, DIR, DIR_KEY, EXPIRES, MANAGED, NOTICE, PROFILE, QUIET, READ, RENEW_AT, ROLE,
    SSO_SESSION,
};

/// The one clock (`Timestamp::now`) in the unit the shell variables use,
/// epoch seconds; transitions are given its reading.
pub fn now() -> i64 {
    crate::timestamp::Timestamp::now().unix_seconds()
}

/// One variable of this process's environment, when set and non-empty: for
/// readers at the edge, such as the prompt segment.
pub fn get(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The variables ssoenv manages or reads, as this process was given them.
#[derive(Default)]
pub struct Env {
    vars: BTreeMap<&'static str, String>,
}

/// The directory tree the environment says is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedTree<'a> {
    /// Its root as SSOENV_DIR records it ([`recorded_root`]).
    pub root: &'a str,
    /// Which file (path and content) it was applied from.
    pub key: Option<&'a str>,
}

impl AppliedTree<'_> {
    pub fn is_rooted_at(&self, root: &Path) -> bool {
        self.root == recorded_root(root)
    }
}

/// How SSOENV_DIR records a tree's root: the path itself, except that `%`
/// is written `%25` and each byte that is not UTF-8 `%XX`. Every path gets
/// a recording, and no two paths share one, so the hook knows the applied
/// tree — and so leaves it — whatever bytes its path holds.
pub(super) fn recorded_root(root: &Path) -> String {
    let mut out = String::new();
    for chunk in root.as_os_str().as_encoded_bytes().utf8_chunks() {
        out.push_str(&chunk.valid().replace('%', "%25"));
        for byte in chunk.invalid() {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl Env {
    pub fn from_process() -> Env {
        Env::from_lookup(|name| std::env::var(name).ok())
    }

    /// A snapshot of what `lookup` says of each name ssoenv cares about
    /// (a value that is not UTF-8 counts as unset, as it does for `set`).
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Env {
        let vars = MANAGED
            .iter()
            .chain(READ)
            .filter_map(|&name| lookup(name).map(|value| (name, value)))
            .collect();
        Env { vars }
    }

    #[cfg(test)]
    pub fn from_pairs(pairs: &[(&'static str, &str)]) -> Env {
        Env {
            vars: pairs.iter().map(|&(n, v)| (n, v.to_string())).collect(),
        }
    }

    /// NAME's value when set and non-empty.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The managed variables as they are, empty values included, to be put
    /// back later.
    pub(super) fn saved(&self) -> Saved {
        MANAGED
            .iter()
            .map(|&name| (name, self.vars.get(name).cloned()))
            .collect()
    }

    /// The profile ssoenv switched this shell to, if any.
    pub fn profile(&self) -> Option<&str> {
        self.get(PROFILE)
    }

    /// How to resolve the active target again: the profile's name, or for
    /// an account/role target its account id and role, within its sign-in.
    pub fn active_target(&self) -> Option<(String, Option<&str>)> {
        let name = self.profile()?;
        match self.get(SSO_SESSION) {
            Some(session) => {
                let spelling = format!("{}/{}", self.get(ACCOUNT)?, self.get(ROLE)?);
                Some((spelling, Some(session)))
            }
            None => Some((name.to_string(), None)),
        }
    }

    pub fn is_active(&self) -> bool {
        self.profile().is_some()
    }

    /// The active credentials' expiry as recorded (epoch seconds), or "".
    pub fn expires(&self) -> &str {
        self.get(EXPIRES).unwrap_or_default()
    }

    /// When the active profile is due for renewal; never without one.
    pub fn renew_at(&self) -> Option<i64> {
        self.profile()?;
        self.get(RENEW_AT)?.parse().ok()
    }

    /// SSOENV_RENEW_BEFORE, when it is a whole number of seconds from 0 to
    /// a day (credentials never last longer); else None, for the default. A
    /// negative lead would renew after expiry, and a huge one overflow.
    pub(super) fn renew_before(&self) -> Option<i64> {
        let seconds: u32 = self.get(vars::RENEW_BEFORE)?.parse().ok()?;
        (seconds <= 86_400).then_some(i64::from(seconds))
    }

    pub fn applied_tree(&self) -> Option<AppliedTree<'_>> {
        Some(AppliedTree {
            root: self.get(DIR)?,
            key: self.get(DIR_KEY),
        })
    }

    pub(super) fn notices(&self) -> &str {
        self.get(NOTICE).unwrap_or_default()
    }

    /// Whether SSOENV_QUIET asks the hook not to announce directory
    /// profiles (`SSOENV_QUIET=0` is as good as unset).
    pub fn quiet(&self) -> bool {
        self.get(QUIET).is_some_and(|v| v != "0")
    }
}

// The user's own keys may be in there.
impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_empty_values_but_reads_them_as_unset() {
        let env = Env::from_lookup(|name| match name {
            "AWS_REGION" => Some(String::new()),
            "SSOENV_PROFILE" => Some("dev".into()),
            "HOME" => Some("/home/u".into()),
            _ => None,
        });
        assert_eq!(env.get("AWS_REGION"), None);
        assert!(env.saved().contains(&("AWS_REGION", Some(String::new()))));
        assert!(env.saved().contains(&("AWS_PROFILE", None)));
        assert_eq!(env.profile(), Some("dev"));
        assert_eq!(env.get("HOME"), None, "only ssoenv's names are kept");
    }

    #[test]
    fn renewal_time_counts_only_with_an_active_profile() {
        let due = [(PROFILE, "dev"), (RENEW_AT, "100")];
        assert_eq!(Env::from_pairs(&due).renew_at(), Some(100));
        assert_eq!(Env::from_pairs(&[(RENEW_AT, "100")]).renew_at(), None);
        let garbled = [(PROFILE, "dev"), (RENEW_AT, "soon")];
        assert_eq!(Env::from_pairs(&garbled).renew_at(), None);
    }

    #[test]
    fn quiet_is_any_value_but_0() {
        assert!(!Env::default().quiet());
        assert!(!Env::from_pairs(&[(QUIET, "")]).quiet());
        assert!(!Env::from_pairs(&[(QUIET, "0")]).quiet());
        assert!(Env::from_pairs(&[(QUIET, "1")]).quiet());
        assert!(Env::from_pairs(&[(QUIET, "yes")]).quiet());
    }

    #[test]
    fn an_account_role_target_is_found_again_by_id_within_its_sign_in() {
        let profile = [(PROFILE, "dev"), (ACCOUNT, "111111111111"), (ROLE, "Admin")];
        let env = Env::from_pairs(&profile);
        assert_eq!(env.active_target(), Some(("dev".into(), None)));
        let target = [
            (PROFILE, "dev/Admin"),
            (ACCOUNT, "111111111111"),
            (ROLE, "Admin"),
            (SSO_SESSION, "corp"),
        ];
        let env = Env::from_pairs(&target);
        assert_eq!(
            env.active_target(),
            Some(("111111111111/Admin".into(), Some("corp")))
        );
        assert_eq!(Env::from_pairs(&target[1..]).active_target(), None);
    }

    #[cfg(unix)] // only Unix paths can be bytes that are not UTF-8
    #[test]
    fn any_root_is_recorded_and_told_apart() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let path = |b: &[u8]| Path::new(OsStr::from_bytes(b)).to_path_buf();
        let roots = [
            path(b"/home/u/proj"),
            path(b"/home/u/\xff\xfe"),
            path(b"/home/u/%FF%FE"),
            path(b"/home/u/%25FF"),
            path(b"/caf\xc3\xa9 \xe2\x80"),
            path(b"/caf\xc3\xa9 %E2%80"),
        ];
        assert_eq!(recorded_root(&roots[0]), "/home/u/proj", "readable as is");
        assert_eq!(recorded_root(&roots[1]), "/home/u/%FF%FE");
        let recorded: std::collections::BTreeSet<_> =
            roots.iter().map(|r| recorded_root(r)).collect();
        assert_eq!(recorded.len(), roots.len(), "{recorded:?}");
        for root in &roots {
            let value = recorded_root(root);
            let env = Env::from_pairs(&[(DIR, &value)]);
            let applied = env.applied_tree().expect("recorded");
            assert!(applied.is_rooted_at(root), "{value}");
            assert!(
                roots.iter().filter(|r| applied.is_rooted_at(r)).count() == 1,
                "{value}"
            );
        }
    }

    #[test]
    fn debug_shows_names_only() {
        let env = Env::from_pairs(&[(vars::AWS_SECRET_ACCESS_KEY, "users-own")]);
        let debug = format!("{env:?}");
        assert!(debug.contains("AWS_SECRET_ACCESS_KEY") && !debug.contains("users-own"));
    }
}
