//! Tokens, client secrets and secret keys: never shown in Debug output (so
//! no trace or panic message can print one), and wiped from memory when
//! dropped, as the Rust SDK keeps its own.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A secret string. Serialized as the plain string it holds, so cache files
/// keep the AWS CLI's layout; reading it takes an explicit `expose`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(Zeroizing::new(s))
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret::from(s.to_string())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_and_serde_keeps_the_value() {
        let s = Secret::from("hunter2");
        assert_eq!(format!("{s:?}"), "** redacted **");
        assert_eq!(format!("{:?}", Some(&s)), "Some(** redacted **)");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#""hunter2""#);
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "hunter2");
    }
}
