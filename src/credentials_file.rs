//! What ssoenv may change in the shared credentials file
//! (`~/.aws/credentials`), where `write-credentials` puts role credentials
//! for tools that cannot speak SSO.
//!
//! People edit this file by hand and other tools rewrite it, so ssoenv
//! changes only the sections it writes: every other byte — comments, blank
//! lines, order, CRLF line endings, a missing final newline, duplicate keys,
//! odd spacing, unknown keys, other profiles — stays as it was. The file is
//! read and edited by `ini`, with botocore's rules; this module is the
//! policy on top: which section is ssoenv's, which keys it owns, and what
//! it must never overwrite. Section names are taken as written between the
//! brackets (`[ dev ]` is " dev "), as botocore takes them.
//!
//! Sections ssoenv writes carry the key `ssoenv_managed = true`. A key rather
//! than a comment: tools that rewrite the file through configparser or go-ini
//! drop comments but keep keys, and every SDK ignores keys it doesn't know.

use crate::error::{Error, Result};
use crate::ini::{self, Document, Section};
use crate::sso::RoleCredentials;
use crate::timestamp::Timestamp;

/// The key that marks a section as written by ssoenv: `true` when ssoenv
/// created the whole section, `keys` when it took over one that was there
/// (then only its own keys are removed again).
pub const MARKER: &str = "ssoenv_managed";
const WHOLE_SECTION: &str = "true";
const KEYS_ONLY: &str = "keys";

/// The keys ssoenv writes, besides `region` (which may be the user's).
const OWNED_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "expiration",
    "x_security_token_expires",
    MARKER,
];

/// Keys ssoenv removes from a section it writes: botocore prefers
/// `aws_security_token` to `aws_session_token`, so a stale one would shadow
/// the fresh token.
const STALE_KEYS: &[&str] = &["aws_security_token"];

/// How much of a section ssoenv wrote, from its marker.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Managed {
    /// ssoenv created it: cleaning removes it.
    WholeSection,
    /// It was there before: cleaning removes ssoenv's keys only.
    KeysOnly,
}

/// Which sections `clean` removes; it only ever removes sections ssoenv wrote.
pub enum Clean<'a> {
    /// Those whose credentials expired before this time (or that carry no
    /// readable expiry).
    ExpiredAt(Timestamp),
    All,
    Named(&'a [String]),
}

/// What a section holds, as `doctor` reports it (see [`CredentialsFile::summary`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSummary {
    pub name: String,
    /// The header's line, counted from 1.
    pub line: usize,
    /// ssoenv wrote it (all of it, or its keys into a section that was there).
    pub managed: bool,
    /// Its `expiration`, when that reads as a time.
    pub expiration: Option<Timestamp>,
    /// Keys that `write-credentials` will not replace without --force.
    pub long_term_keys: bool,
}

pub struct CredentialsFile {
    doc: Document,
}

impl CredentialsFile {
    pub fn parse(bytes: &[u8]) -> CredentialsFile {
        CredentialsFile {
            doc: Document::parse(bytes),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.doc.to_bytes()
    }

    /// Write role credentials into section `name`, creating it at the end of
    /// the file or updating it in place. A section that holds long-term keys
    /// ssoenv did not write is replaced only with `force`.
    pub fn write_credentials(
        &mut self,
        name: &str,
        creds: &RoleCredentials,
        region: Option<&str>,
        force: bool,
    ) -> Result<()> {
        ini::check_section_name(name)?;
        let expiration = creds.expiration.to_string();
        let mut set = vec![
            ("aws_access_key_id", creds.access_key_id.as_str()),
            ("aws_secret_access_key", creds.secret_access_key.expose()),
            ("aws_session_token", creds.session_token.expose()),
            // Prompts show the expiry from these (starship reads both).
            ("expiration", expiration.as_str()),
            ("x_security_token_expires", expiration.as_str()),
        ];
        set.extend(region.map(|r| ("region", r)));
        let sections: Vec<Section> = self.doc.sections().filter(|s| s.name() == name).collect();
        match sections.as_slice() {
            [] => {
                set.push((MARKER, WHOLE_SECTION));
                self.doc.append_section(name, &set)?;
            }
            [s] => {
                let marker = match managed(s) {
                    Some(Managed::WholeSection) => WHOLE_SECTION,
                    Some(Managed::KeysOnly) | None => KEYS_ONLY,
                };
                set.push((MARKER, marker));
                if !force && holds_long_term_keys(s) {
                    return Err(Error::failed(format!(
                        "[{name}] holds long-term access keys that ssoenv did not write; \
                         write under another name with --as NAME, or replace them with --force"
                    )));
                }
                let id = s.id();
                self.doc.set(id, &set)?;
                self.doc.remove_keys(id, STALE_KEYS)?;
            }
            [first, second, ..] => {
                return Err(Error::failed(format!(
                    "[{name}] appears more than once (lines {} and {}); merge them first",
                    first.line(),
                    second.line()
                )));
            }
        }
        Ok(())
    }

    /// Remove the sections ssoenv wrote that `which` selects; returns their
    /// names in file order.
    pub fn clean(&mut self, which: Clean) -> Result<Vec<String>> {
        if let Clean::Named(names) = which
            && let Some(s) = self
                .doc
                .sections()
                .find(|s| names.iter().any(|n| *n == s.name()) && managed(s).is_none())
        {
            return Err(Error::failed(format!(
                "[{}] was not written by ssoenv; remove it by hand if you mean to",
                s.name()
            )));
        }
        let doomed: Vec<(ini::SectionId, String, Managed, bool)> = self
            .doc
            .sections()
            .filter_map(|s| managed(&s).map(|m| (s, m)))
            .filter(|(s, _)| match &which {
                Clean::All => true,
                Clean::Named(names) => names.iter().any(|n| *n == s.name()),
                Clean::ExpiredAt(now) => s
                    .get("expiration")
                    .and_then(|e| e.value().parse::<Timestamp>().ok())
                    .is_none_or(|e| e <= *now),
            })
            .map(|(s, m)| (s.id(), s.name().into_owned(), m, s.holds_only(OWNED_KEYS)))
            .collect();
        for (id, _, managed, only_owned) in &doomed {
            // A section that was there before keeps what ssoenv did not
            // write; one with nothing else left goes whole.
            match *managed == Managed::WholeSection || *only_owned {
                true => self.doc.remove_section(*id)?,
                false => self.doc.remove_keys(*id, OWNED_KEYS)?,
            }
        }
        Ok(doomed.into_iter().map(|(_, name, _, _)| name).collect())
    }

    /// Every section, in file order, read without changing anything.
    pub fn summary(&self) -> Vec<SectionSummary> {
        self.doc
            .sections()
            .map(|s| SectionSummary {
                name: s.name().into_owned(),
                line: s.line(),
                managed: managed(&s).is_some(),
                expiration: s.get("expiration").and_then(|e| e.value().parse().ok()),
                long_term_keys: holds_long_term_keys(&s),
            })
            .collect()
    }
}

/// Whether ssoenv wrote the section, and how much of it.
fn managed(section: &Section) -> Option<Managed> {
    let value = section.get(MARKER)?.value();
    if value.eq_ignore_ascii_case(WHOLE_SECTION) {
        Some(Managed::WholeSection)
    } else if value.eq_ignore_ascii_case(KEYS_ONLY) {
        Some(Managed::KeysOnly)
    } else {
        None
    }
}

/// Keys of an IAM user (AKIA…), or any keys without a session token:
/// replacing them would lose something that cannot be fetched again.
fn holds_long_term_keys(section: &Section) -> bool {
    let value = |k: &str| section.get(k).map(|e| e.value()).filter(|v| !v.is_empty());
    let Some(key_id) = value("aws_access_key_id") else {
        return false;
    };
    let has_token = ["aws_session_token", "aws_security_token"]
        .iter()
        .any(|k| value(k).is_some());
    managed(section).is_none() && (key_id.starts_with("AKIA") || !has_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds(n: u32) -> RoleCredentials {
        RoleCredentials {
            access_key_id: format!("ASIA{n:016}"),
            secret_access_key: format!("secret{n}").into(),
            session_token: format!("token{n}").into(),
            expiration: "2030-01-01T00:00:00Z".parse().unwrap(),
            account_id: None,
        }
    }

    fn written(n: u32) -> String {
        format!(
            "[p{n}]\naws_access_key_id = ASIA{n:016}\naws_secret_access_key = secret{n}\n\
             aws_session_token = token{n}\nexpiration = 2030-01-01T00:00:00Z\n\
             x_security_token_expires = 2030-01-01T00:00:00Z\nssoenv_managed = true\n"
        )
    }

    fn write(text: &str, name: &str, n: u32) -> Result<String> {
        let mut file = CredentialsFile::parse(text.as_bytes());
        file.write_credentials(name, &creds(n), None, false)?;
        Ok(String::from_utf8(file.to_bytes()).unwrap())
    }

    fn clean(text: &str, which: Clean) -> (String, Vec<String>) {
        let mut file = CredentialsFile::parse(text.as_bytes());
        let removed = file.clean(which).unwrap();
        (String::from_utf8(file.to_bytes()).unwrap(), removed)
    }

    const ADVERSARIAL: &str = "\u{feff}# team keys [p1] = not a section\n\
        ; [p2]\n\
        [default]\n\
        aws_access_key_id=AKIAOLD\n\
        aws_secret_access_key  =   s = with = signs\n\
        region:eu-west-1\n\
        region = us-east-1\n\
        \n\
        # production follows\n\
        [ prod ]   \n\
        \tweird_indent = 1\n\
        unknown_key = x\n\
        \n\
        \n";

    #[test]
    fn unchanged_bytes_round_trip() {
        for text in [
            "",
            "\n",
            "[a]\r\nk = v\r\n",
            "[a]\nk = v",
            "no newline at all",
            "mixed\r\nendings\n\r\n",
            "trailing cr\r",
            ADVERSARIAL,
        ] {
            let file = CredentialsFile::parse(text.as_bytes());
            assert_eq!(file.to_bytes(), text.as_bytes(), "{text:?}");
        }
    }

    #[test]
    fn a_new_section_goes_at_the_end_and_leaves_the_rest_alone() {
        assert_eq!(write("", "p1", 1).unwrap(), written(1));
        let out = write(ADVERSARIAL, "p1", 1).unwrap();
        assert_eq!(out, format!("{ADVERSARIAL}{}", written(1)));
        let out = write(ADVERSARIAL, "p2", 2).unwrap();
        assert!(out.starts_with(ADVERSARIAL));
    }

    #[test]
    fn writing_then_cleaning_restores_the_file_exactly() {
        for original in [
            "",
            "[a]\nk = v\n",
            "[a]\nk = v",
            "[a]\r\nk = v\r\n",
            "[a]\r\nk = v",
            "[a]\nk = v\n\n",
            ADVERSARIAL,
        ] {
            let mut text = write(original, "p1", 1).unwrap();
            text = write(&text, "p2", 2).unwrap();
            text = write(&text, "p1", 3).unwrap();
            let (cleaned, removed) = clean(&text, Clean::All);
            assert_eq!(cleaned, original, "{original:?} via {text:?}");
            assert_eq!(removed, ["p1", "p2"]);
        }
    }

    #[test]
    fn crlf_files_get_crlf_lines_and_keep_a_missing_final_newline() {
        let out = write("[a]\r\nk = v", "p1", 1).unwrap();
        assert_eq!(
            out,
            format!("[a]\r\nk = v\r\n{}", written(1).replace('\n', "\r\n"))
                .strip_suffix("\r\n")
                .unwrap()
        );
        let out = write("[a]\nk = v", "p1", 1).unwrap();
        assert!(out.ends_with("ssoenv_managed = true"), "{out:?}");
    }

    #[test]
    fn an_existing_section_is_updated_in_place() {
        let original = "[other]\nx = 1\n\n\
            [p1]\n\
            # my note\n\
            AWS_ACCESS_KEY_ID=ASIAOLD\n\
            output = json\n\
            aws_session_token   =  old\n  continued\n\
            aws_session_token = duplicate\n\
            aws_security_token = stale\n\
            \n\
            # about next\n\
            [next]\n\
            y = 2";
        let out = write(original, "p1", 1).unwrap();
        assert_eq!(
            out,
            "[other]\nx = 1\n\n\
            [p1]\n\
            # my note\n\
            AWS_ACCESS_KEY_ID=ASIA0000000000000001\n\
            output = json\n\
            aws_session_token   =  token1\n\
            aws_secret_access_key = secret1\n\
            expiration = 2030-01-01T00:00:00Z\n\
            x_security_token_expires = 2030-01-01T00:00:00Z\n\
            ssoenv_managed = keys\n\
            \n\
            # about next\n\
            [next]\n\
            y = 2"
        );
        // A second write changes the values only.
        let again = write(&out, "p1", 2).unwrap();
        assert_eq!(again.len(), out.len());
        assert!(again.contains("AWS_ACCESS_KEY_ID=ASIA0000000000000002\n"));
    }

    #[test]
    fn region_only_when_asked() {
        let mut file = CredentialsFile::parse(b"");
        file.write_credentials("p1", &creds(1), Some("eu-west-1"), false)
            .unwrap();
        let text = String::from_utf8(file.to_bytes()).unwrap();
        assert!(text.contains("\nregion = eu-west-1\n"), "{text}");
        assert!(!written(1).contains("region"));
    }

    #[test]
    fn long_term_keys_are_kept_unless_forced() {
        for text in [
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
            "[default]\naws_access_key_id = AKIAX\naws_secret_access_key = x\naws_session_token = t\n",
            "[default]\naws_access_key_id = LOCALKEY\naws_secret_access_key = x\n",
        ] {
            let err = write(text, "default", 1).unwrap_err();
            assert!(err.message.contains("long-term access keys"), "{err}");
            assert!(err.message.contains("--force"), "{err}");
            let mut file = CredentialsFile::parse(text.as_bytes());
            file.write_credentials("default", &creds(1), None, true)
                .unwrap();
        }
        // Session credentials someone else wrote (the seed's script) are replaced.
        write(
            "[default]\naws_access_key_id = ASIAX\naws_secret_access_key = x\naws_session_token = t\n",
            "default",
            1,
        )
        .unwrap();
        write("[default]\nregion = eu-west-1\n", "default", 1).unwrap();
        // Once written by ssoenv, a section is rewritten without --force.
        let forced = {
            let mut file =
                CredentialsFile::parse(b"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
            file.write_credentials("default", &creds(1), None, true)
                .unwrap();
            String::from_utf8(file.to_bytes()).unwrap()
        };
        write(&forced, "default", 2).unwrap();
    }

    #[test]
    fn comments_and_look_alikes_are_not_sections() {
        let text = "# [p1]\n; [p1]\n  # [p1] = x\n[p1\n";
        let out = write(text, "p1", 1).unwrap();
        assert_eq!(out, format!("{text}{}", written(1)));
        // An indented line after a key continues it, even one like a header.
        let text = "[a]\nk = v\n  [p1]\n";
        assert_eq!(
            write(text, "p1", 1).unwrap(),
            format!("{text}{}", written(1))
        );
    }

    #[test]
    fn headers_match_as_written_with_trailing_text() {
        // botocore reads `[ p1 ]` as a profile named " p1 ", so it is not p1.
        let text = "[ p1 ]  ; note\naws_access_key_id = ASIAOLD\naws_session_token = t\n";
        let out = write(text, "p1", 1).unwrap();
        assert!(out.starts_with(text), "{out}");
        assert_eq!(out.matches("[p1]").count(), 1);
        let text = "[p1]  ; note\naws_access_key_id = ASIAOLD\naws_session_token = t\n";
        let out = write(text, "p1", 1).unwrap();
        assert!(
            out.starts_with("[p1]  ; note\naws_access_key_id = ASIA0000000000000001\n"),
            "{out}"
        );
    }

    #[test]
    fn keys_indented_alike_are_separate_keys() {
        // configparser continues a value only with lines indented deeper
        // than its key: these are three keys, and the AKIA key is seen.
        let text = "[dev]\n    output = json\n    aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n    aws_secret_access_key = s\n";
        assert!(
            write(text, "dev", 1).is_err(),
            "long-term keys must be found"
        );
        let deeper = "[dev]\nnote = a\n    aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n";
        assert!(
            write(deeper, "dev", 1).is_ok(),
            "a deeper line continues `note`"
        );
    }

    #[test]
    fn cleaning_a_taken_over_section_keeps_the_users_lines() {
        let text =
            "[dev] # mine\nregion = x\naws_access_key_id = ASIAOLD\naws_session_token = old\n";
        let written = write(text, "dev", 1).unwrap();
        assert!(written.contains("ssoenv_managed = keys"), "{written}");
        let (cleaned, names) = clean(&written, Clean::All);
        assert_eq!(names, ["dev"]);
        assert_eq!(cleaned, "[dev] # mine\nregion = x\n");
    }

    #[test]
    fn default_is_not_a_section_to_write() {
        assert!(write("", "DEFAULT", 1).is_err());
    }

    #[test]
    fn duplicate_sections_are_refused() {
        let err = write("[p1]\nk = v\n[x]\n[p1]\nj = w\n", "p1", 1).unwrap_err();
        assert!(err.message.contains("lines 1 and 4"), "{err}");
    }

    #[test]
    fn clean_selects_expired_all_or_named() {
        let mut text = String::from("[keep]\nk = v\n");
        for n in 1..=3 {
            text = write(&text, &format!("p{n}"), n).unwrap();
        }
        text = text.replacen("2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z", 1);
        let (out, removed) = clean(&text, Clean::ExpiredAt(Timestamp::now()));
        assert_eq!(removed, ["p1"]);
        assert!(out.starts_with("[keep]\nk = v\n[p2]"), "{out}");
        let (out, removed) = clean(&text, Clean::Named(&["p2".into(), "absent".into()]));
        assert_eq!(removed, ["p2"]);
        assert!(out.contains("[p1]") && out.contains("[p3]") && !out.contains("[p2]"));
        let (out, _) = clean(&text, Clean::All);
        assert_eq!(out, "[keep]\nk = v\n");
        let mut file = CredentialsFile::parse(text.as_bytes());
        let err = file.clean(Clean::Named(&["keep".into()])).unwrap_err();
        assert!(err.message.contains("not written by ssoenv"), "{err}");
    }

    #[test]
    fn a_section_in_the_middle_is_removed_with_its_keys_only() {
        let text = "[a]\nx = 1\n\n[p1]\nssoenv_managed = true\nexpiration = 2020-01-01T00:00:00Z\n\n# b\n[b]\ny = 2\n";
        let (out, _) = clean(text, Clean::ExpiredAt(Timestamp::now()));
        assert_eq!(out, "[a]\nx = 1\n\n\n# b\n[b]\ny = 2\n");
    }

    #[test]
    fn bad_names_and_values_are_refused() {
        for name in ["", " p", "p ", "a]b", "[a", "#x", "a\nb"] {
            assert!(write("", name, 1).is_err(), "{name:?}");
        }
        let mut bad = creds(1);
        bad.session_token = "a\nb".into();
        let mut file = CredentialsFile::parse(b"");
        assert!(file.write_credentials("p1", &bad, None, false).is_err());
    }

    #[test]
    fn summary_names_managed_expired_and_long_term_sections() {
        let file = CredentialsFile::parse(
            b"[user]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\n\
              [dev]\naws_access_key_id = ASIA\naws_secret_access_key = s\n\
              aws_session_token = t\nexpiration = 2026-01-01T00:00:00Z\nssoenv_managed = true\n\
              [region-only]\nregion = eu-west-1\n",
        );
        let summary = file.summary();
        let names: Vec<(&str, usize, bool, bool)> = summary
            .iter()
            .map(|s| (s.name.as_str(), s.line, s.managed, s.long_term_keys))
            .collect();
        assert_eq!(
            names,
            [
                ("user", 1, false, true),
                ("dev", 5, true, false),
                ("region-only", 11, false, false)
            ]
        );
        assert_eq!(
            summary[1].expiration,
            Some("2026-01-01T00:00:00Z".parse().unwrap())
        );
        assert_eq!(summary[0].expiration, None);
    }

    #[test]
    fn random_files_get_a_section_that_cleaning_takes_away_exactly() {
        let seed = crate::proptest_cases::seed();
        let count = crate::proptest_cases::count(crate::ini::tests::DEFAULT_FILES);
        let files = crate::ini::tests::random_files(seed).take(count);
        for (case, original) in files.enumerate() {
            std::panic::catch_unwind(|| {
                let written = write(&original, "p1", 1).unwrap();
                assert!(written.starts_with(&original));
                let (cleaned, removed) = clean(&written, Clean::All);
                assert_eq!(cleaned, original);
                assert_eq!(removed, ["p1"]);
                // Taking over a section may fail (long-term keys, a
                // duplicate, a line that would read differently), but never
                // panics.
                let mut file = CredentialsFile::parse(original.as_bytes());
                if file
                    .write_credentials("a", &creds(2), Some("r"), true)
                    .is_ok()
                {
                    file.clean(Clean::All).unwrap();
                }
            })
            .unwrap_or_else(|_| panic!("seed {seed}, case {case}: {original:?}"));
        }
    }
}
