//! The shared credentials file: private, the sections `write-credentials`
//! wrote not expired, and long-term keys that ssoenv never touches not
//! under the name of an SSO profile, where tools disagree on which wins
//! (the AWS CLI takes the SSO sign-in, the Go SDK and so Terraform the
//! keys).

use std::path::{Path, PathBuf};

use super::{Area, Check, octal};
use crate::credentials_file::{CredentialsFile, SectionSummary};
use crate::error::Result;
use crate::timestamp::Timestamp;

pub struct Facts {
    pub path: PathBuf,
    /// Its mode; None when there is no file.
    pub mode: Option<u32>,
    /// Its sections, or why it could not be read.
    pub sections: std::result::Result<Vec<SectionSummary>, String>,
    pub sso_profiles: Vec<String>,
}

pub fn gather(sso_profiles: Vec<String>) -> Result<Facts> {
    let path = crate::paths::credentials_file()?;
    let mode = std::fs::metadata(&path)
        .ok()
        .map(|m| crate::platform::mode_and_owner(&path, &m).0);
    let sections = match std::fs::read(&path) {
        Ok(bytes) => Ok(CredentialsFile::parse(&bytes).summary()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e.to_string()),
    };
    Ok(Facts {
        path,
        mode,
        sections,
        sso_profiles,
    })
}

/// The command that makes the credentials file the user's alone, here.
fn private(path: &Path) -> String {
    crate::platform::make_private_command(path, false)
}

pub fn checks(facts: &Facts, now: Timestamp) -> Vec<Check> {
    let file = facts.path.display();
    let Some(mode) = facts.mode else {
        return vec![Check::pass(
            Area::CredentialsFile,
            format!("{file}: none (nothing written there)"),
        )];
    };
    let sections = match &facts.sections {
        Ok(s) => s,
        Err(e) => {
            return vec![Check::fail(
                Area::CredentialsFile,
                format!("cannot read {file}: {e}"),
                format!("`{}` as its owner", private(&facts.path)),
            )];
        }
    };
    let mut out = Vec::new();
    if mode & 0o077 != 0 {
        out.push(Check::fail(
            Area::CredentialsFile,
            format!(
                "{file} is {}: other users can read the keys in it",
                octal(mode)
            ),
            private(&facts.path),
        ));
    }
    let mut current = Vec::new();
    for s in sections {
        let at = format!("[{}] ({file}:{})", s.name, s.line);
        if s.managed {
            match s.expiration {
                Some(e) if e > now => {
                    current.push(format!("[{}] until {}", s.name, e.local_clock(now)))
                }
                expired => out.push(Check::fail(
                    Area::CredentialsFile,
                    match expired {
                        Some(e) => format!(
                            "{at}, written by ssoenv, {}: tools that read it are refused",
                            e.describe_expiry(now)
                        ),
                        None => format!("{at}, written by ssoenv, has no readable expiration"),
                    },
                    "ssoenv write-credentials --clean (removes the expired sections), then write \
                     fresh ones with `ssoenv write-credentials PROFILE`",
                )),
            }
        } else if s.long_term_keys && facts.sso_profiles.contains(&s.name) {
            out.push(Check::fail(
                Area::CredentialsFile,
                format!(
                    "{at} holds long-term keys, and profile {} signs in through Identity \
                     Center: the AWS CLI uses the sign-in, the Go SDK (Terraform, …) the keys",
                    s.name
                ),
                format!("rename or remove [{}] in {file}", s.name),
            ));
        } else if s.long_term_keys {
            out.push(Check::pass(
                Area::CredentialsFile,
                format!("{at} holds long-term keys, which ssoenv never replaces"),
            ));
        }
    }
    if !current.is_empty() {
        out.push(Check::pass(
            Area::CredentialsFile,
            format!("ssoenv wrote {}", current.join(", ")),
        ));
    }
    if out.iter().all(|c| c.status != super::Status::Fail) && mode & 0o077 == 0 {
        out.insert(
            0,
            Check::pass(
                Area::CredentialsFile,
                format!("{file}: private, {} sections", sections.len()),
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn section(
        name: &str,
        managed: bool,
        expires: Option<&str>,
        long_term: bool,
    ) -> SectionSummary {
        SectionSummary {
            name: name.into(),
            line: 1,
            managed,
            expiration: expires.map(|e| e.parse().unwrap()),
            long_term_keys: long_term,
        }
    }

    fn facts(sections: Vec<SectionSummary>) -> Facts {
        Facts {
            path: "/h/.aws/credentials".into(),
            mode: Some(0o100600),
            sections: Ok(sections),
            sso_profiles: vec!["dev".into(), "prod".into()],
        }
    }

    fn failures(f: &Facts) -> Vec<(String, String)> {
        checks(f, now())
            .into_iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| (c.message, c.fix.unwrap()))
            .collect()
    }

    #[test]
    fn current_sections_and_other_keys_pass() {
        let f = facts(vec![
            section("prod", true, Some("2026-06-01T13:00:00Z"), false),
            section("ci-user", false, None, true),
            section("default", false, None, false),
        ]);
        let got: Vec<(Status, String)> = checks(&f, now())
            .into_iter()
            .map(|c| (c.status, c.message))
            .collect();
        assert_eq!(
            got[0],
            (
                Status::Pass,
                "/h/.aws/credentials: private, 3 sections".into()
            )
        );
        assert_eq!(
            got[1],
            (
                Status::Pass,
                "[ci-user] (/h/.aws/credentials:1) holds long-term keys, which ssoenv never replaces"
                    .into()
            )
        );
        assert!(
            got[2].1.starts_with("ssoenv wrote [prod] until "),
            "{}",
            got[2].1
        );
        let none = Facts {
            mode: None,
            ..facts(vec![])
        };
        assert_eq!(checks(&none, now())[0].status, Status::Pass);
    }

    #[test]
    fn expired_open_and_shadowing_sections_fail() {
        let mut f = facts(vec![
            section("staging", true, Some("2026-06-01T11:00:00Z"), false),
            section("broken", true, None, false),
            section("dev", false, None, true),
        ]);
        f.mode = Some(0o100644);
        let failed = failures(&f);
        assert_eq!(failed.len(), 4, "{failed:?}");
        assert_eq!(
            failed[0],
            (
                "/h/.aws/credentials is 0644: other users can read the keys in it".into(),
                private(Path::new("/h/.aws/credentials"))
            )
        );
        assert!(failed[1].0.contains("[staging]"));
        assert!(failed[1].0.contains("expired 1h00m ago"));
        assert!(failed[1].1.starts_with("ssoenv write-credentials --clean"));
        assert!(failed[2].0.contains("has no readable expiration"));
        assert!(
            failed[3]
                .0
                .starts_with("[dev] (/h/.aws/credentials:1) holds long-term keys, and profile dev")
        );
        assert_eq!(failed[3].1, "rename or remove [dev] in /h/.aws/credentials");
    }
}
