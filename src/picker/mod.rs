//! Choosing a target interactively: `ssoenv use` with no argument.
//!
//! The caller hands over candidates (configured profiles, discovered
//! account/roles); [`pick`] puts the most frecent first, lets the user filter
//! them by typing, and returns the key of the one chosen. It draws on the
//! terminal through stderr, never on stdout, which the shell wrapper captures
//! to evaluate. Without a terminal it fails at once, saying how to name a
//! target instead.
//!
//! Built on `console` (terminal size, keys, styles) and `fuzzy-matcher`
//! (the skim scoring), the two crates under dialoguer's `FuzzySelect`,
//! rather than `FuzzySelect` itself: that one re-sorts matches with an
//! unstable sort on the score alone, which loses the frecency order among
//! equal matches, does nothing on Enter until something is typed, and on
//! Ctrl-C raises SIGINT with the cursor hidden and its lines left on screen.

pub mod frecency;
mod fzf;
mod menu;

use std::io::IsTerminal;

use crate::error::{Error, Result};
use crate::log::printable;

/// What a candidate stands for; each line of the picker says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A profile of the AWS config.
    Profile,
    /// An account and role that the sign-in reaches, with or without a profile.
    AccountRole,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::AccountRole => "account",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What [`pick`] returns when this is chosen, and the key of its usage
    /// history: the target as `ssoenv use` takes it (`prod`,
    /// `111111111111/ReadOnly`).
    pub key: String,
    pub kind: Kind,
    /// The profile name, or `account-name/role`.
    pub name: String,
    /// Known from the account list; a profile alone only has the id.
    pub account_name: Option<String>,
    pub account_id: String,
    pub role: String,
}

impl Candidate {
    /// "Production (333333333333)", or the id alone.
    fn account(&self) -> String {
        match &self.account_name {
            Some(n) => format!("{n} ({})", self.account_id),
            None => self.account_id.clone(),
        }
    }

    /// What typing is matched against: everything shown but the kind label,
    /// so typing "pro" does not match every profile.
    fn haystack(&self) -> String {
        let name = self.account_name.as_deref().unwrap_or_default();
        format!("{} {name} {} {}", self.name, self.account_id, self.role)
    }
}

/// The candidates as aligned columns, without the kind label: name,
/// account, role.
fn columns(candidates: &[Candidate]) -> Vec<String> {
    let width = |s: &str| console::measure_text_width(s);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
    let rows: Vec<[String; 3]> = candidates
        .iter()
        .map(|c| [&c.name, &c.account(), &c.role].map(|s| printable(s)))
        .collect();
    let name_w = rows.iter().map(|r| width(&r[0])).max().unwrap_or(0);
    let account_w = rows.iter().map(|r| width(&r[1])).max().unwrap_or(0);
    rows.iter()
        .map(|[name, account, role]| {
            format!("{}  {}  {role}", pad(name, name_w), pad(account, account_w))
        })
        .collect()
}

/// Which picker `SSOENV_PICKER` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Builtin,
    Fzf,
}

/// `SSOENV_PICKER`: unset, empty or `builtin` for the built-in picker, `fzf`
/// for fzf; anything else is the built-in one, with a warning.
fn backend(setting: Option<&str>) -> Backend {
    match setting {
        Some("fzf") => Backend::Fzf,
        None | Some("" | "builtin") => Backend::Builtin,
        Some(other) => {
            crate::warn!(
                "SSOENV_PICKER={other:?} is not `fzf` or `builtin`; using the built-in picker"
            );
            Backend::Builtin
        }
    }
}

/// Ok when there is a terminal to draw on (stderr) and to read keys from
/// (stdin, else the controlling terminal); else the usage error that ends
/// with `name_instead` (how to name a target on the command line). Callers
/// ask before gathering candidates, which may take the network.
pub fn require_terminal(name_instead: &str) -> Result<()> {
    let have = std::io::stderr().is_terminal() && crate::platform::have_key_input();
    match have {
        true => Ok(()),
        false => Err(Error::usage(format!(
            "no terminal to choose on; {name_instead}"
        ))),
    }
}

/// Let the user choose one of `candidates` (given in the caller's order,
/// e.g. by name; the most frecent at `now` go first). Returns the chosen
/// key, or None after Esc or Ctrl-C. Without a terminal, a usage error that
/// ends with `name_instead` (how to name a target on the command line).
pub fn pick(
    prompt: &str,
    mut candidates: Vec<Candidate>,
    name_instead: &str,
    now: i64,
) -> Result<Option<String>> {
    require_terminal(name_instead)?;
    if candidates.is_empty() {
        return Err(Error::usage(format!(
            "nothing to choose from; {name_instead}"
        )));
    }
    frecency::load().order(&mut candidates, |c| &c.key, now);
    let lines = columns(&candidates);
    let setting = std::env::var("SSOENV_PICKER").ok();
    let chosen = match backend(setting.as_deref()) {
        Backend::Fzf => {
            let tagged: Vec<String> = candidates
                .iter()
                .zip(&lines)
                .map(|(c, l)| format!("{}\t {l}", c.kind.label()))
                .collect();
            match fzf::run(prompt, &tagged) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    crate::warn!(
                        "SSOENV_PICKER=fzf, but fzf is not installed; using the built-in picker"
                    );
                    builtin(prompt, &candidates, &lines)?
                }
                other => other.map_err(|e| Error::failed(format!("picker: {e}")))?,
            }
        }
        Backend::Builtin => builtin(prompt, &candidates, &lines)?,
    };
    Ok(chosen.map(|i| candidates.swap_remove(i).key))
}

fn builtin(prompt: &str, candidates: &[Candidate], lines: &[String]) -> Result<Option<usize>> {
    let shown: Vec<String> = candidates
        .iter()
        .zip(lines)
        .map(|(c, l)| format!("{:<7}  {l}", c.kind.label()))
        .collect();
    let haystacks: Vec<String> = candidates.iter().map(Candidate::haystack).collect();
    menu::run(prompt, &shown, &haystacks).map_err(|e| Error::failed(format!("picker: {e}")))
}

/// The line to print on stderr after a choice: the command that selects the
/// same thing without the picker. `args` are ssoenv's arguments, e.g.
/// `["use", "prod"]`; they are quoted for a POSIX shell (fish reads such
/// quoting too).
pub fn shortcut(args: &[&str]) -> String {
    let command = shell_words::join(args);
    format!(
        "next time, without the picker: ssoenv {}",
        printable(&command)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(
        kind: Kind,
        name: &str,
        account_name: Option<&str>,
        id: &str,
        role: &str,
    ) -> Candidate {
        Candidate {
            key: name.into(),
            kind,
            name: name.into(),
            account_name: account_name.map(Into::into),
            account_id: id.into(),
            role: role.into(),
        }
    }

    #[test]
    fn lines_align_and_say_which_account() {
        let cs = [
            candidate(Kind::Profile, "dev", None, "111111111111", "Admin"),
            candidate(
                Kind::AccountRole,
                "Production/ReadOnly",
                Some("Production"),
                "333333333333",
                "ReadOnly",
            ),
        ];
        assert_eq!(
            columns(&cs),
            [
                "dev                  111111111111               Admin",
                "Production/ReadOnly  Production (333333333333)  ReadOnly",
            ]
        );
        assert_eq!(cs[0].haystack(), "dev  111111111111 Admin");
        // Nothing from a name reaches the terminal as a control sequence,
        // nor splits a line for fzf.
        let odd = candidate(Kind::AccountRole, "a\x1b[2J/b", Some("x\ty\nz"), "1", "R");
        assert_eq!(columns(&[odd]), ["a?[2J/b  x?y?z (1)  R"]);
        assert_eq!(
            cs[1].haystack(),
            "Production/ReadOnly Production 333333333333 ReadOnly"
        );
    }

    #[test]
    fn picker_setting() {
        assert_eq!(backend(None), Backend::Builtin);
        assert_eq!(backend(Some("")), Backend::Builtin);
        assert_eq!(backend(Some("builtin")), Backend::Builtin);
        assert_eq!(backend(Some("fzf")), Backend::Fzf);
        assert_eq!(backend(Some("skim")), Backend::Builtin);
    }

    #[test]
    fn shortcut_is_a_command_to_paste() {
        assert_eq!(
            shortcut(&["use", "prod"]),
            "next time, without the picker: ssoenv use prod"
        );
        assert_eq!(
            shortcut(&["use", "My Account/Admin", "--sso-session", "corp"]),
            "next time, without the picker: ssoenv use 'My Account/Admin' --sso-session corp"
        );
        assert!(!shortcut(&["use", "a\x1b]0;x\x07"]).contains('\x1b'));
    }
}
