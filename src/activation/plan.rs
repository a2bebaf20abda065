//! A change to the shell's state as data: what a transition decided, before
//! it is written as code for one shell. Tests read plans; shells read code.

use std::fmt;

use super::vars::{self, DIR_RESTORE, MANAGED, RESTORE};
use crate::shell::ShellKind;

/// The first line of every script the shell integration evaluates. The
/// wrapper evaluates what `use`, `off` and the hook printed only when it
/// starts with this line, and shows anything else (help, a version, a usage
/// message) as printed: help exits 0 too, so the status cannot tell them
/// apart. A comment in every shell's syntax.
pub const SENTINEL: &str = "# ssoenv shell code";

/// Where a shell keeps a saved environment: a global shell variable that is
/// never exported, so no child process (and no ssoenv run) sees the secrets
/// it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// The environment from before the first `use`; `off` goes back to it.
    BeforeUse,
    /// The environment from before entering a directory tree; leaving the
    /// tree goes back to it.
    BeforeTree,
}

impl Slot {
    fn variable(self) -> &'static str {
        match self {
            Slot::BeforeUse => RESTORE,
            Slot::BeforeTree => DIR_RESTORE,
        }
    }
}

/// The managed variables as a snapshot had them; `None` for unset.
pub type Saved = Vec<(&'static str, Option<String>)>;

#[derive(Clone, PartialEq, Eq)]
pub enum Step {
    /// Export NAME=value.
    Set(&'static str, String),
    /// Remove NAME from the environment.
    Unset(&'static str),
    /// Keep `saved` in `slot`, as code that sets back what was set and
    /// unsets what was not. With `once`, only when the slot is empty: the
    /// shell knows, the binary cannot see unexported variables.
    Save {
        slot: Slot,
        once: bool,
        saved: Saved,
    },
    /// Go back to what `slot` holds and empty it. With nothing saved,
    /// unset every managed variable when `or_unset_all`, else change nothing.
    Restore { slot: Slot, or_unset_all: bool },
    /// Empty `slot` without going back to it.
    Forget(Slot),
}

/// Steps run in order by the shell that evaluates them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Plan {
    steps: Vec<Step>,
}

impl Plan {
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Then what `next` does.
    pub fn extend(&mut self, next: Plan) {
        self.steps.extend(next.steps);
    }

    pub(super) fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    pub(super) fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.push(Step::Set(name, value.into()));
    }

    pub(super) fn unset(&mut self, name: &'static str) {
        self.push(Step::Unset(name));
    }

    /// The variables set, in order: all a `.env` file can say.
    pub fn assignments(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.steps.iter().filter_map(|step| match step {
            Step::Set(name, value) => Some((*name, value.as_str())),
            _ => None,
        })
    }

    /// The plan as the shell integration evaluates it: the [`SENTINEL`]
    /// line, then the code; nothing at all when there is nothing to do.
    pub fn script(&self, kind: ShellKind) -> String {
        match self.steps.is_empty() {
            true => String::new(),
            false => format!("{SENTINEL}\n{}", self.render(kind)),
        }
    }

    /// The plan as code for `kind`, one statement a line.
    pub fn render(&self, kind: ShellKind) -> String {
        let sh = kind.shell();
        let mut code = String::new();
        for step in &self.steps {
            let statement = match step {
                Step::Set(name, value) => sh.set(name, value),
                Step::Unset(name) => sh.unset(name),
                Step::Save { slot, once, saved } => {
                    let restore: Vec<String> = saved
                        .iter()
                        .map(|(name, value)| match value {
                            Some(v) => sh.set(name, v),
                            None => sh.unset(name),
                        })
                        .collect();
                    let restore = restore.join("\n");
                    match once {
                        true => sh.set_local_once(slot.variable(), &restore),
                        false => sh.set_local(slot.variable(), &restore),
                    }
                }
                Step::Restore { slot, or_unset_all } => {
                    let otherwise = match or_unset_all {
                        true => MANAGED
                            .iter()
                            .map(|name| sh.unset(name))
                            .collect::<Vec<_>>()
                            .join("\n"),
                        false => String::new(),
                    };
                    sh.run_saved(slot.variable(), &otherwise)
                }
                Step::Forget(slot) => sh.drop_saved(slot.variable()),
            };
            code.push_str(&statement);
            code.push('\n');
        }
        code
    }
}

/// A value as Debug may show it.
fn shown<'a>(name: &str, value: &'a str) -> &'a str {
    if vars::is_secret(name) {
        "<redacted>"
    } else {
        value
    }
}

// Plans carry live credentials, and saved environments the user's own keys.
impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Set(name, value) => write!(f, "Set({name}={:?})", shown(name, value)),
            Step::Unset(name) => write!(f, "Unset({name})"),
            Step::Save { slot, once, saved } => {
                let saved: Vec<String> = saved
                    .iter()
                    .map(|(name, value)| match value {
                        Some(v) => format!("{name}={:?}", shown(name, v)),
                        None => format!("!{name}"),
                    })
                    .collect();
                write!(f, "Save({slot:?}, once: {once}, {saved:?})")
            }
            Step::Restore { slot, or_unset_all } => {
                write!(f, "Restore({slot:?}, or_unset_all: {or_unset_all})")
            }
            Step::Forget(slot) => write!(f, "Forget({slot:?})"),
        }
    }
}

impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.steps).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_step_for_the_shell() {
        let mut plan = Plan::default();
        plan.set(vars::AWS_PROFILE, "dev");
        plan.unset(vars::AWS_SECURITY_TOKEN);
        plan.push(Step::Save {
            slot: Slot::BeforeTree,
            once: true,
            saved: vec![
                (vars::AWS_PROFILE, Some("mine".into())),
                (vars::AWS_REGION, None),
            ],
        });
        plan.push(Step::Restore {
            slot: Slot::BeforeTree,
            or_unset_all: false,
        });
        plan.push(Step::Forget(Slot::BeforeUse));
        let sh = ShellKind::Bash.shell();
        let expected = [
            sh.set("AWS_PROFILE", "dev"),
            sh.unset("AWS_SECURITY_TOKEN"),
            sh.set_local_once(
                "__ssoenv_dir_restore",
                &format!(
                    "{}\n{}",
                    sh.set("AWS_PROFILE", "mine"),
                    sh.unset("AWS_REGION")
                ),
            ),
            sh.run_saved("__ssoenv_dir_restore", ""),
            sh.drop_saved("__ssoenv_restore"),
        ];
        assert_eq!(plan.render(ShellKind::Bash), expected.join("\n") + "\n");
    }

    #[test]
    fn a_script_is_the_sentinel_line_then_the_code_or_nothing() {
        assert_eq!(Plan::default().script(ShellKind::Bash), "");
        let mut plan = Plan::default();
        plan.set(vars::AWS_PROFILE, "dev");
        for kind in [ShellKind::Bash, ShellKind::Fish, ShellKind::Powershell] {
            let script = plan.script(kind);
            assert_eq!(script, format!("{SENTINEL}\n{}", plan.render(kind)));
        }
    }

    #[test]
    fn restoring_with_nothing_saved_can_unset_everything_managed() {
        let mut plan = Plan::default();
        plan.push(Step::Restore {
            slot: Slot::BeforeUse,
            or_unset_all: true,
        });
        let code = plan.render(ShellKind::Fish);
        for name in MANAGED {
            assert!(code.contains(name), "{name} is not unset:\n{code}");
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut plan = Plan::default();
        plan.set(vars::AWS_ACCESS_KEY_ID, "ASIAEXAMPLE");
        plan.set(vars::AWS_SECRET_ACCESS_KEY, "s3cret");
        plan.set(vars::AWS_SESSION_TOKEN, "t0ken");
        plan.push(Step::Save {
            slot: Slot::BeforeUse,
            once: false,
            saved: vec![(vars::AWS_SECRET_ACCESS_KEY, Some("users-own".into()))],
        });
        let debug = format!("{plan:?}");
        assert!(debug.contains("ASIAEXAMPLE"), "{debug}");
        for secret in ["s3cret", "t0ken", "users-own"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
