//! Which notices this shell has shown (SSOENV_NOTICE), so the hook says
//! each thing once rather than at every prompt.

use sha2::{Digest, Sha256};

use super::Env;
use super::plan::Plan;
use super::vars::NOTICE;

/// How many notices are remembered, so alternating between a few
/// directories does not repeat them.
const REMEMBERED: usize = 16;

#[derive(Debug)]
pub struct Notices {
    /// Short hashes of the keys, oldest first: the variable stays small and
    /// says nothing of the paths in it.
    keys: Vec<String>,
    added: bool,
}

impl Notices {
    pub fn of(env: &Env) -> Notices {
        Notices {
            keys: env
                .notices()
                .split(' ')
                .filter(|k| !k.is_empty())
                .map(String::from)
                .collect(),
            added: false,
        }
    }

    /// Whether the notice `key` (a file and its content, an expiry) is new
    /// to this shell; from now on it is not.
    pub fn first_time(&mut self, key: &str) -> bool {
        let key = hex::encode(&Sha256::digest(key.as_bytes())[..8]);
        if self.keys.contains(&key) {
            return false;
        }
        self.keys.push(key);
        self.added = true;
        true
    }

    /// What makes the shell remember them; nothing when nothing is new.
    pub fn remember(&self) -> Plan {
        let mut plan = Plan::default();
        if self.added {
            let start = self.keys.len().saturating_sub(REMEMBERED);
            plan.set(NOTICE, self.keys[start..].join(" "));
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Step;

    fn remembered(notices: &Notices) -> String {
        match notices.remember().steps() {
            [Step::Set(NOTICE, keys)] => keys.clone(),
            other => panic!("expected one SSOENV_NOTICE, got {other:?}"),
        }
    }

    #[test]
    fn each_key_once_across_prompts() {
        let mut first = Notices::of(&Env::default());
        assert!(first.first_time("a"));
        assert!(!first.first_time("a"), "twice in one prompt");
        let keys = remembered(&first);
        let mut next = Notices::of(&Env::from_pairs(&[(NOTICE, &keys)]));
        assert!(!next.first_time("a"), "at the next prompt");
        assert!(
            next.remember().steps().is_empty(),
            "nothing new to remember"
        );
        assert!(next.first_time("b"));
    }

    #[test]
    fn two_notices_in_one_prompt_are_both_remembered() {
        let mut notices = Notices::of(&Env::default());
        assert!(notices.first_time("refused"));
        assert!(notices.first_time("renewal failed"));
        let keys = remembered(&notices);
        let mut next = Notices::of(&Env::from_pairs(&[(NOTICE, &keys)]));
        assert!(!next.first_time("refused") && !next.first_time("renewal failed"));
    }

    #[test]
    fn only_the_latest_are_kept() {
        let mut notices = Notices::of(&Env::default());
        for n in 0..=REMEMBERED {
            assert!(notices.first_time(&n.to_string()));
        }
        let keys = remembered(&notices);
        assert_eq!(keys.split(' ').count(), REMEMBERED);
        let mut next = Notices::of(&Env::from_pairs(&[(NOTICE, &keys)]));
        assert!(next.first_time("0"), "the oldest is forgotten");
        assert!(!next.first_time(&REMEMBERED.to_string()));
    }
}
