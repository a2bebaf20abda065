//! What `ssoenv populate` writes into the AWS config: a `[profile NAME]`
//! for every account and role an sso-session reaches, named by a template.
//! [`populate`] makes the edits on a [`Document`] in memory and says what it
//! did; reading and replacing the file is `cmd/populate.rs`'s.
//!
//! The sections it writes carry `ssoenv_generated = SESSION`: a key, not a
//! comment, because tools that rewrite the file through configparser or
//! go-ini drop comments but keep keys (as the credentials file's
//! `ssoenv_managed`). Only sections with that marker for the same session
//! are ever changed or removed, and in them only the keys populate owns;
//! every other byte of the file stays as it was. New sections go at the end.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::config::SectionName;
use crate::error::{Error, Result};
use crate::ini::{Document, SectionId};
use crate::sso::discovery::Assignment;

/// The key marking a section populate wrote; its value is the sso-session.
pub const MARKER: &str = "ssoenv_generated";

pub const DEFAULT_TEMPLATE: &str = "{account_name}.{role_name}";

/// Besides letters and digits, what a profile name may hold: nothing a
/// shell (sh, bash, zsh, fish, PowerShell) reads specially within a word,
/// nothing that ends a section header or starts a comment.
const NAME_PUNCTUATION: &str = "-_.@+=:/";

/// What a name may not start with: it would read as an option (`-`), as
/// zsh's `=command`, as PowerShell's `@splat`.
const NOT_FIRST: [char; 3] = ['-', '=', '@'];

/// `--template`: literal text and placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(Field),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    AccountName,
    AccountId,
    RoleName,
    Session,
}

const FIELDS: [(&str, Field); 4] = [
    ("account_name", Field::AccountName),
    ("account_id", Field::AccountId),
    ("role_name", Field::RoleName),
    ("session", Field::Session),
];

impl Template {
    /// A template of text and `{placeholder}`s. The text must already be
    /// what a profile name may hold; only the placeholders' values are
    /// made safe.
    pub fn parse(text: &str) -> Result<Template> {
        let bad = |why: String| Error::usage(format!("--template `{text}`: {why}"));
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(at) = rest.find(['{', '}']) else {
                parts.push(Part::Text(rest.to_string()));
                break;
            };
            if at > 0 {
                parts.push(Part::Text(rest[..at].to_string()));
            }
            if rest[at..].starts_with('}') {
                return Err(bad("a `}` without its `{`".into()));
            }
            let Some(len) = rest[at + 1..].find('}') else {
                return Err(bad("a `{` without its `}`".into()));
            };
            let name = &rest[at + 1..at + 1 + len];
            let Some(&(_, field)) = FIELDS.iter().find(|(n, _)| *n == name) else {
                return Err(bad(format!(
                    "no placeholder {{{name}}}; there are {}",
                    placeholders()
                )));
            };
            parts.push(Part::Field(field));
            rest = &rest[at + len + 2..];
        }
        for part in &parts {
            let Part::Text(text) = part else { continue };
            if let Some(c) = text.chars().find(|&c| !allowed(c)) {
                return Err(bad(format!(
                    "{} cannot be part of a profile name, which holds letters, digits and {}",
                    describe(c),
                    NAME_PUNCTUATION
                        .chars()
                        .map(String::from)
                        .collect::<Vec<_>>()
                        .join(" ")
                )));
            }
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(bad(format!(
                "it has no placeholder, so every profile would get the same name; use {}",
                placeholders()
            )));
        }
        if let Some(Part::Text(first)) = parts.first()
            && first.starts_with(NOT_FIRST)
        {
            return Err(bad(format!(
                "a profile name cannot start with `{}`",
                &first[..1]
            )));
        }
        Ok(Template { parts })
    }

    /// The name of `assignment`'s profile, empty when nothing usable is
    /// left of it.
    fn render(&self, assignment: &Assignment, session: &str) -> String {
        let mut name = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => name.push_str(text),
                Part::Field(field) => name.push_str(&safe(match field {
                    Field::AccountName => &assignment.account_name,
                    Field::AccountId => &assignment.account_id,
                    Field::RoleName => &assignment.role_name,
                    Field::Session => session,
                })),
            }
        }
        name.trim_start_matches(NOT_FIRST).to_string()
    }
}

fn placeholders() -> String {
    FIELDS
        .iter()
        .map(|(n, _)| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(c: char) -> String {
    match c {
        c if c.is_whitespace() => "white space (write `-`)".into(),
        c if c.is_control() => format!("U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

fn allowed(c: char) -> bool {
    c.is_alphanumeric() || NAME_PUNCTUATION.contains(c)
}

/// A value made fit for a profile name: each run of white space becomes
/// one `-`, and whatever else a name may not hold (brackets, quotes, `;`,
/// `$`, control characters, …) is dropped.
fn safe(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut after_space = false;
    for c in value.chars() {
        if c.is_whitespace() {
            if !after_space {
                out.push('-');
            }
            after_space = true;
        } else if allowed(c) {
            out.push(c);
            after_space = false;
        }
    }
    out
}

/// What `populate` is asked to do.
pub struct Request<'a> {
    /// The `[sso-session NAME]` the profiles sign in through.
    pub session: &'a str,
    pub template: &'a Template,
    /// Written into every generated profile when given; else a region
    /// already there is left alone.
    pub region: Option<&'a str>,
    /// Remove generated profiles of this session whose assignment is gone.
    pub prune: bool,
}

/// What `populate` did to the document, or found it could not do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// In the order they appear in the summary: additions and updates in
    /// the listing's order, then removals in file order.
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    /// Generated profiles that already were as they should be.
    pub unchanged: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Change {
    pub profile: String,
    /// `ACCOUNT_ID/ROLE`, or whatever the removed section named.
    pub target: String,
    pub what: What,
}

#[derive(Debug, PartialEq, Eq)]
pub enum What {
    Added,
    /// The keys that changed or were missing.
    Updated(Vec<String>),
    Removed,
}

/// Something the user should know: a name made unique, a profile skipped,
/// a generated profile left in place.
#[derive(Debug, PartialEq, Eq)]
pub enum Note {
    /// Several assignments would have had one name: each got its own.
    Collision {
        name: String,
        /// (profile, `ACCOUNT_ID/ROLE`) of each.
        profiles: Vec<(String, String)>,
    },
    /// A profile populate did not write (for this session) has the name:
    /// it is left alone, and the assignment gets no profile.
    Clash {
        profile: String,
        line: usize,
        target: String,
        /// The session another populate wrote it for, if any.
        generated_for: Option<String>,
    },
    /// The name would make the profile everyone gets without asking.
    Default { target: String },
    /// Nothing of the name is left once made safe.
    NoName { target: String },
    /// A generated profile whose assignment is gone, kept without --prune.
    Unassigned { profile: String, line: usize },
    /// A generated profile whose assignment now has a profile by another
    /// name (the template changed, or a collision appeared): kept.
    Renamed {
        profile: String,
        line: usize,
        now: String,
    },
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.what {
            What::Added => '+',
            What::Updated(_) => '~',
            What::Removed => '-',
        };
        write!(f, "{sign} [profile {}]  {}", self.profile, self.target)?;
        match &self.what {
            What::Updated(keys) => write!(f, ": {}", keys.join(", ")),
            What::Removed => f.write_str(": no longer assigned"),
            What::Added => Ok(()),
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Collision { name, profiles } => {
                let each: Vec<String> = profiles
                    .iter()
                    .map(|(profile, target)| format!("{profile} ({target})"))
                    .collect();
                write!(
                    f,
                    "{} assignments would be named {name}; they are {}",
                    profiles.len(),
                    each.join(", ")
                )
            }
            Note::Clash {
                profile,
                line,
                target,
                generated_for,
            } => {
                let whose = match generated_for {
                    Some(session) => format!("was generated for sso-session {session}"),
                    None => "was not generated by populate".to_string(),
                };
                write!(
                    f,
                    "skipped {target}: [profile {profile}] (line {line}) {whose}, so it is left \
                     alone; choose other names with --template"
                )
            }
            Note::Default { target } => write!(
                f,
                "skipped {target}: its name would be `default`, the profile used when none is \
                 named; choose other names with --template"
            ),
            Note::NoName { target } => write!(
                f,
                "skipped {target}: nothing of its name is left without the characters a profile \
                 name cannot hold; choose other names with --template"
            ),
            Note::Unassigned { profile, line } => write!(
                f,
                "[profile {profile}] (line {line}) is no longer assigned to you; --prune removes it"
            ),
            Note::Renamed { profile, line, now } => write!(
                f,
                "[profile {profile}] (line {line}) names an assignment that is now [profile {now}]; \
                 it is kept (remove it by hand if nothing uses it)"
            ),
        }
    }
}

/// A profile that is already in the file.
struct Existing {
    id: SectionId,
    line: usize,
    /// Its marker's session, when it has one.
    generated_for: Option<String>,
    account_id: Option<String>,
    role_name: Option<String>,
}

/// Give every assignment of `assignments` a generated profile in `doc`, as
/// `request` says. On an error the document may be half edited: drop it.
pub fn populate(
    doc: &mut Document,
    assignments: &[Assignment],
    request: &Request,
) -> Result<Report> {
    let mut assignments = assignments.to_vec();
    assignments.sort();
    let existing = existing_profiles(doc);
    let (names, mut notes) = names(&assignments, request);
    let mut report = Report::default();
    let mut appended = Vec::new();
    // The names the template gives, and the profile each assignment gets.
    let mut named = HashSet::new();
    let mut now_named = HashMap::new();
    for (assignment, name) in assignments.iter().zip(names) {
        let target = target(assignment);
        if name.is_empty() {
            notes.push(Note::NoName { target });
            continue;
        }
        if name == "default" {
            notes.push(Note::Default { target });
            continue;
        }
        let entries = entries(assignment, request);
        named.insert(name.clone());
        let Some(there) = existing.get(&name) else {
            now_named.insert(target.clone(), name.clone());
            appended.push((name, target, entries));
            continue;
        };
        if there.generated_for.as_deref() != Some(request.session) {
            notes.push(Note::Clash {
                profile: name,
                line: there.line,
                target,
                generated_for: there.generated_for.clone(),
            });
            continue;
        }
        now_named.insert(target.clone(), name.clone());
        let section = doc.section(there.id).expect("found in this document");
        let changed: Vec<String> = entries
            .iter()
            .filter(|(key, value)| section.get(key).is_none_or(|e| e.value() != *value))
            .map(|(key, _)| key.to_string())
            .collect();
        if changed.is_empty() {
            report.unchanged += 1;
            continue;
        }
        doc.set(there.id, &borrowed(&entries))?;
        report.changes.push(Change {
            profile: name,
            target,
            what: What::Updated(changed),
        });
    }

    let mut leftovers: Vec<(&String, &Existing)> = existing
        .iter()
        .filter(|(name, e)| {
            e.generated_for.as_deref() == Some(request.session) && !named.contains(*name)
        })
        .collect();
    leftovers.sort_by_key(|(_, e)| e.line);
    let assigned_targets: HashSet<String> = assignments.iter().map(target).collect();
    for (name, e) in leftovers {
        let target = match (&e.account_id, &e.role_name) {
            (Some(account), Some(role)) => Some(format!("{account}/{role}")),
            _ => None,
        };
        if target
            .as_ref()
            .is_some_and(|t| assigned_targets.contains(t))
        {
            // Still assigned: under its new name, or skipped (then this is
            // the profile it has).
            if let Some(now) = target.and_then(|t| now_named.get(&t)) {
                notes.push(Note::Renamed {
                    profile: name.clone(),
                    line: e.line,
                    now: now.clone(),
                });
            }
        } else if request.prune {
            doc.remove_section(e.id)?;
            report.changes.push(Change {
                profile: name.clone(),
                target: target.unwrap_or_else(|| "no account or role".into()),
                what: What::Removed,
            });
        } else {
            notes.push(Note::Unassigned {
                profile: name.clone(),
                line: e.line,
            });
        }
    }

    for (name, target, entries) in appended {
        doc.append_section(&format!("profile {name}"), &borrowed(&entries))?;
        report.changes.push(Change {
            profile: name,
            target,
            what: What::Added,
        });
    }
    report.notes = notes;
    Ok(report)
}

/// The names of the `[sso-session NAME]` sections, in file order.
pub fn session_names(doc: &Document) -> Vec<String> {
    doc.sections()
        .filter_map(|s| match SectionName::parse(&s.name()) {
            Ok(SectionName::SsoSession(name)) => Some(name),
            _ => None,
        })
        .collect()
}

fn target(assignment: &Assignment) -> String {
    format!("{}/{}", assignment.account_id, assignment.role_name)
}

/// The profiles of the file by name, as the AWS CLI names them (`[default]`
/// is `default`); the first of a name when spelt twice.
fn existing_profiles(doc: &Document) -> HashMap<String, Existing> {
    let mut existing = HashMap::new();
    for section in doc.sections() {
        let name = match SectionName::parse(&section.name()) {
            Ok(SectionName::Profile(name)) => name,
            Ok(SectionName::Default) => "default".to_string(),
            _ => continue,
        };
        let value = |key: &str| section.get(key).map(|e| e.value());
        existing.entry(name).or_insert_with(|| Existing {
            id: section.id(),
            line: section.line(),
            generated_for: value(MARKER),
            account_id: value("sso_account_id"),
            role_name: value("sso_role_name"),
        });
    }
    existing
}

/// Each assignment's name, in order, made unique: the members of a group
/// that would share one are told apart by account id where their accounts
/// differ and by role where their roles differ, then by number, never
/// taking a name the template gives another assignment. Empty names stay
/// empty.
fn names(assignments: &[Assignment], request: &Request) -> (Vec<String>, Vec<Note>) {
    let base: Vec<String> = assignments
        .iter()
        .map(|a| request.template.render(a, request.session))
        .collect();
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for (i, name) in base.iter().enumerate().filter(|(_, n)| !n.is_empty()) {
        let g = *group_of.entry(name).or_insert_with(|| {
            groups.push((name, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    let mut taken: HashSet<String> = base.iter().cloned().collect();
    let mut names = base.clone();
    let mut notes = Vec::new();
    for (name, members) in groups.iter().filter(|(_, m)| m.len() > 1) {
        let varies = |part: fn(&Assignment) -> &str| {
            let first = part(&assignments[members[0]]);
            members.iter().any(|&i| part(&assignments[i]) != first)
        };
        let by_account = varies(|a| &a.account_id);
        let by_role = varies(|a| &a.role_name);
        for &i in members {
            let a = &assignments[i];
            let mut told = name.to_string();
            if by_account {
                told = format!("{told}-{}", safe(&a.account_id));
            }
            if by_role {
                told = format!("{told}-{}", safe(&a.role_name));
            }
            let unique = std::iter::once(told.clone())
                .chain((2..).map(|n| format!("{told}-{n}")))
                .find(|candidate| !taken.contains(candidate))
                .expect("an endless sequence holds a free name");
            taken.insert(unique.clone());
            names[i] = unique;
        }
        notes.push(Note::Collision {
            name: name.to_string(),
            profiles: members
                .iter()
                .map(|&i| (names[i].clone(), target(&assignments[i])))
                .collect(),
        });
    }
    (names, notes)
}

/// The keys of a generated profile, in the order a new one lists them.
fn entries(assignment: &Assignment, request: &Request) -> Vec<(&'static str, String)> {
    let mut entries = vec![
        ("sso_session", request.session.to_string()),
        ("sso_account_id", assignment.account_id.clone()),
        ("sso_role_name", assignment.role_name.clone()),
    ];
    if let Some(region) = request.region {
        entries.push(("region", region.to_string()));
    }
    entries.push((MARKER, request.session.to_string()));
    entries
}

fn borrowed<'a>(entries: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    entries.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    fn assignment(id: &str, name: &str, role: &str) -> Assignment {
        Assignment {
            account_id: id.into(),
            account_name: name.into(),
            role_name: role.into(),
        }
    }

    fn sample() -> Vec<Assignment> {
        vec![
            assignment("111111111111", "dev", "Admin"),
            assignment("111111111111", "dev", "ReadOnly"),
            assignment("222222222222", "Data Lake (EU)", "Admin"),
        ]
    }

    struct Run {
        text: String,
        report: Report,
    }

    fn run_with(
        text: &str,
        assignments: &[Assignment],
        template: &str,
        region: Option<&str>,
        prune: bool,
    ) -> Run {
        let template = Template::parse(template).unwrap();
        let request = Request {
            session: "corp",
            template: &template,
            region,
            prune,
        };
        let mut doc = Document::parse(text.as_bytes());
        let report = populate(&mut doc, assignments, &request).unwrap();
        Run {
            text: String::from_utf8(doc.to_bytes()).unwrap(),
            report,
        }
    }

    fn run(text: &str, assignments: &[Assignment]) -> Run {
        run_with(text, assignments, DEFAULT_TEMPLATE, None, false)
    }

    fn generated(name: &str, id: &str, role: &str) -> String {
        format!(
            "[profile {name}]\nsso_session = corp\nsso_account_id = {id}\nsso_role_name = {role}\n\
             ssoenv_generated = corp\n"
        )
    }

    const SESSION: &str =
        "[sso-session corp]\nsso_start_url = https://x/start\nsso_region = us-east-1\n";

    fn lines(report: &Report) -> Vec<String> {
        report.changes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn values_lose_what_a_name_cannot_hold() {
        assert_eq!(safe("Data Lake (EU)"), "Data-Lake-EU");
        assert_eq!(safe("  a \t b  "), "-a-b-");
        assert_eq!(safe("a ( b"), "a-b");
        assert_eq!(
            safe("[x]; 'q' \"d\" $(rm) `c` \\ | & ! ~ # * ? {} < >"),
            "x-q-d-rm-c-"
        );
        assert_eq!(safe("a\u{1b}[31m\u{202e}b\nc"), "a31mb-c");
        assert_eq!(safe("Ärger_GmbH+co=1@x:y/z."), "Ärger_GmbH+co=1@x:y/z.");
    }

    #[test]
    fn templates_fill_in_placeholders() {
        let a = assignment("111111111111", "My Team", "Power User");
        let render = |t: &str| Template::parse(t).unwrap().render(&a, "corp");
        assert_eq!(render(DEFAULT_TEMPLATE), "My-Team.Power-User");
        assert_eq!(
            render("{session}/{account_id}:{role_name}"),
            "corp/111111111111:Power-User"
        );
        assert_eq!(render("aws-{account_name}"), "aws-My-Team");
        // A value cannot make a name start like an option.
        let odd = assignment("1", "-=@x y", "r");
        assert_eq!(
            Template::parse(DEFAULT_TEMPLATE).unwrap().render(&odd, "s"),
            "x-y.r"
        );
    }

    #[test]
    fn bad_templates_say_what_is_wrong() {
        let err = |t: &str| Template::parse(t).unwrap_err();
        assert!(err("{account}").message.contains(
            "no placeholder {account}; there are {account_name}, {account_id}, {role_name}, {session}"
        ));
        assert!(err("{role_name").message.contains("a `{` without its `}`"));
        assert!(err("role}").message.contains("a `}` without its `{`"));
        assert!(
            err("x {role_name}")
                .message
                .contains("white space (write `-`)")
        );
        assert!(err("[{role_name}]").message.contains("`[` cannot be part"));
        assert!(err("{role_name};x").message.contains("`;` cannot be part"));
        assert!(
            err("fixed")
                .message
                .contains("no placeholder, so every profile")
        );
        assert!(
            err("-{role_name}")
                .message
                .contains("cannot start with `-`")
        );
        assert_eq!(err("{x}").kind, crate::error::Kind::Usage);
    }

    #[test]
    fn any_name_reads_back_as_that_profile() {
        let template = Template::parse("{account_name}").unwrap();
        let mut chars: Vec<char> = (0u32..0x3000).filter_map(char::from_u32).collect();
        chars.extend(['\u{feff}', '\u{202e}', '\u{2028}', '\u{1f600}', '\u{e000}']);
        for chunk in chars.chunks(7) {
            let raw: String = chunk.iter().collect();
            let name = template.render(&assignment("1", &raw, "r"), "s");
            if name.is_empty() {
                continue;
            }
            assert!(!name.starts_with(NOT_FIRST), "{name:?}");
            let header = format!("profile {name}");
            crate::ini::check_section_name(&header).unwrap();
            assert_eq!(
                SectionName::parse(&header),
                Ok(SectionName::Profile(name.clone())),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn new_profiles_go_at_the_end_and_load() {
        let original = format!("# mine\n{SESSION}\n[profile hand]\nregion = x\n");
        let out = run(&original, &sample());
        let expected = format!(
            "{original}{}{}{}",
            generated("Data-Lake-EU.Admin", "222222222222", "Admin"),
            generated("dev.Admin", "111111111111", "Admin"),
            generated("dev.ReadOnly", "111111111111", "ReadOnly"),
        );
        assert_eq!(out.text, expected);
        assert_eq!(
            lines(&out.report),
            [
                "+ [profile Data-Lake-EU.Admin]  222222222222/Admin",
                "+ [profile dev.Admin]  111111111111/Admin",
                "+ [profile dev.ReadOnly]  111111111111/ReadOnly",
            ]
        );
        let config = Config::parse(&out.text, Path::new("/c")).unwrap();
        let p = config.sso_profile("Data-Lake-EU.Admin").unwrap();
        assert_eq!(
            (p.account_id.as_str(), p.role_name.as_str()),
            ("222222222222", "Admin")
        );
        assert_eq!(p.session.name.as_deref(), Some("corp"));
    }

    #[test]
    fn a_second_run_changes_nothing() {
        for original in [
            SESSION.to_string(),
            format!("{SESSION}[profile z]\nx = 1"),
            "[sso-session corp]\r\nsso_start_url = u\r\n\r\n; c\r\n[profile z]\r\nx = 1\r\n".into(),
        ] {
            let first = run_with(
                &original,
                &sample(),
                DEFAULT_TEMPLATE,
                Some("eu-west-1"),
                true,
            );
            assert_eq!(first.report.changes.len(), 3);
            assert!(
                first
                    .text
                    .starts_with(original.trim_end_matches(['\r', '\n']))
            );
            let second = run_with(
                &first.text,
                &sample(),
                DEFAULT_TEMPLATE,
                Some("eu-west-1"),
                true,
            );
            assert_eq!(second.text, first.text);
            assert_eq!(
                second.report,
                Report {
                    unchanged: 3,
                    ..Report::default()
                }
            );
        }
    }

    #[test]
    fn keys_a_person_added_are_kept_and_owned_keys_restored() {
        let first = run(SESSION, &sample()[..1]).text;
        let edited = first.replace(
            "sso_role_name = Admin\n",
            "# my note\nsso_role_name = Changed\noutput = json\nregion = eu-west-1\n",
        );
        let out = run(&edited, &sample()[..1]);
        assert_eq!(
            out.text,
            edited.replace("sso_role_name = Changed", "sso_role_name = Admin")
        );
        assert_eq!(
            lines(&out.report),
            ["~ [profile dev.Admin]  111111111111/Admin: sso_role_name"]
        );
        // Without --region a region is left alone; with one it is set.
        let restored = out.text;
        let out = run_with(
            &restored,
            &sample()[..1],
            DEFAULT_TEMPLATE,
            Some("us-east-2"),
            false,
        );
        assert_eq!(out.text, restored.replace("eu-west-1", "us-east-2"));
        assert_eq!(
            lines(&out.report),
            ["~ [profile dev.Admin]  111111111111/Admin: region"]
        );
    }

    #[test]
    fn hand_written_and_other_sessions_profiles_are_never_touched() {
        let original = format!(
            "{SESSION}[profile dev.Admin]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = x\n\
             [profile \"dev.ReadOnly\"]\nregion = x\n\
             [profile Data-Lake-EU.Admin]\nssoenv_generated = other\n"
        );
        let out = run_with(&original, &sample(), DEFAULT_TEMPLATE, None, true);
        assert_eq!(out.text, original);
        assert!(out.report.changes.is_empty());
        let notes: Vec<String> = out.report.notes.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            notes,
            [
                "skipped 222222222222/Admin: [profile Data-Lake-EU.Admin] (line 10) was generated \
                 for sso-session other, so it is left alone; choose other names with --template",
                "skipped 111111111111/Admin: [profile dev.Admin] (line 4) was not generated by \
                 populate, so it is left alone; choose other names with --template",
                "skipped 111111111111/ReadOnly: [profile dev.ReadOnly] (line 8) was not generated \
                 by populate, so it is left alone; choose other names with --template",
            ]
        );
    }

    #[test]
    fn default_is_never_generated() {
        let out = run_with(
            SESSION,
            &[assignment("1", "default", "r")],
            "{account_name}",
            None,
            false,
        );
        assert_eq!(out.text, SESSION);
        assert_eq!(
            out.report.notes,
            [Note::Default {
                target: "1/r".into()
            }]
        );
        let out = run_with(
            SESSION,
            &[assignment("1", "!!!", "r")],
            "{account_name}",
            None,
            false,
        );
        assert_eq!(
            out.report.notes,
            [Note::NoName {
                target: "1/r".into()
            }]
        );
    }

    #[test]
    fn prune_removes_only_generated_profiles_of_gone_assignments() {
        let first = run(
            &format!("{SESSION}[profile hand]\nsso_account_id = 9\n"),
            &sample(),
        )
        .text;
        let with_others = format!(
            "{first}# other session\n{}",
            generated("x.Admin", "999999999999", "Admin").replace("= corp", "= other")
        );
        let remaining = &sample()[..2];
        // Without --prune the gone one stays, and is named.
        let kept = run(&with_others, remaining);
        assert_eq!(kept.text, with_others);
        assert_eq!(
            kept.report.notes,
            [Note::Unassigned {
                profile: "Data-Lake-EU.Admin".into(),
                line: 6
            }]
        );
        let pruned = run_with(&with_others, remaining, DEFAULT_TEMPLATE, None, true);
        assert_eq!(
            pruned.text,
            with_others.replace(
                &generated("Data-Lake-EU.Admin", "222222222222", "Admin"),
                ""
            )
        );
        assert_eq!(
            lines(&pruned.report),
            ["- [profile Data-Lake-EU.Admin]  222222222222/Admin: no longer assigned"]
        );
        // Nothing assigned at all: every generated profile of the session goes.
        let emptied = run_with(&with_others, &[], DEFAULT_TEMPLATE, None, true);
        assert!(
            emptied
                .text
                .starts_with(&format!("{SESSION}[profile hand]\n"))
        );
        assert!(!emptied.text.contains("= corp\n[") && emptied.text.contains("[profile x.Admin]"));
        assert_eq!(emptied.report.changes.len(), 3);
    }

    #[test]
    fn a_new_template_keeps_the_old_profiles() {
        let first = run(SESSION, &sample()[..1]).text;
        let out = run_with(
            &first,
            &sample()[..1],
            "{account_id}-{role_name}",
            None,
            true,
        );
        assert!(out.text.starts_with(&first));
        assert_eq!(
            out.report.notes,
            [Note::Renamed {
                profile: "dev.Admin".into(),
                line: 4,
                now: "111111111111-Admin".into()
            }]
        );
    }

    #[test]
    fn a_skipped_assignment_keeps_its_old_profile_quietly() {
        let first = run(SESSION, &sample()[..1]).text;
        let text = format!("{first}[profile dev]\nregion = x\n");
        let out = run_with(&text, &sample()[..1], "{account_name}", None, true);
        assert_eq!(out.text, text);
        assert!(
            matches!(out.report.notes.as_slice(), [Note::Clash { profile, .. }] if profile == "dev"),
            "{:?}",
            out.report.notes
        );
    }

    #[test]
    fn collisions_are_told_apart_the_same_way_in_any_order() {
        let mut list = vec![
            assignment("111111111111", "dev", "Admin"),
            assignment("222222222222", "dev", "Admin"),
            assignment("333333333333", "Dev ", "x"),
            assignment("444444444444", "dev-111111111111", "Admin"),
            assignment("444444444444", "dev-111111111111", "Admin!"),
        ];
        let names = |list: &[Assignment], template: &str| {
            let out = run_with(SESSION, list, template, None, false);
            let mut names: Vec<String> = out
                .report
                .changes
                .iter()
                .map(|c| c.profile.clone())
                .collect();
            names.sort();
            (names, out.report.notes)
        };
        let (first, notes) = names(&list, DEFAULT_TEMPLATE);
        assert_eq!(
            first,
            [
                "Dev-.x",
                "dev-111111111111.Admin-Admin",
                "dev-111111111111.Admin-Admin-2",
                "dev.Admin-111111111111",
                "dev.Admin-222222222222",
            ]
        );
        let notes: Vec<String> = notes.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            notes,
            [
                "2 assignments would be named dev.Admin; they are \
                 dev.Admin-111111111111 (111111111111/Admin), \
                 dev.Admin-222222222222 (222222222222/Admin)",
                "2 assignments would be named dev-111111111111.Admin; they are \
                 dev-111111111111.Admin-Admin (444444444444/Admin), \
                 dev-111111111111.Admin-Admin-2 (444444444444/Admin!)"
            ]
        );
        // Roles of one account are told apart by role alone.
        let one_account = [
            assignment("1", "dev", "Admin"),
            assignment("1", "dev", "ReadOnly"),
        ];
        assert_eq!(
            names(&one_account, "{account_name}").0,
            ["dev-Admin", "dev-ReadOnly"]
        );
        list.reverse();
        assert_eq!(names(&list, DEFAULT_TEMPLATE).0, first);
    }

    #[test]
    fn crlf_and_no_final_newline_are_kept() {
        let original = "[sso-session corp]\r\nsso_start_url = u\r\nsso_region = r\r\n; end";
        let out = run(original, &sample()[..1]);
        assert_eq!(
            out.text,
            format!(
                "{original}\r\n{}",
                generated("dev.Admin", "111111111111", "Admin")
                    .replace('\n', "\r\n")
                    .trim_end()
            )
        );
        assert_eq!(run(&out.text, &sample()[..1]).text, out.text);
    }

    #[test]
    fn sessions_are_listed_in_file_order() {
        let doc =
            Document::parse(b"[sso-session b]\n[profile x]\n[sso-session a]\n[sso-session]\n");
        assert_eq!(session_names(&doc), ["b", "a"]);
    }
}
