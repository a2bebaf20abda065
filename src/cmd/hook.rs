//! `ssoenv hook SHELL`: what the prompt hook runs when the directory changed
//! or renewal is due. It decides "nothing to do" before reading any
//! configuration, never starts a sign-in, and keeps a prompt waiting at
//! most about 1.5 s, locks included.
//!
//! [`decide`] is the policy: a pure function of the `.ssoenv` found, the
//! tree applied, the renewal time and the clock. The rest carries it out
//! (configuration, network, notices) and prints the plan.
//!
//! Entering a tree says on stderr which profile its file selected, and
//! leaving it says so too, once each time (as direnv does); SSOENV_QUIET=1
//! keeps those two quiet. Warnings are shown once per file and content.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use crate::activation::{self, AppliedTree, Env, Notices, Plan, Tree};
use crate::cli::HookArgs;
use crate::config::{Chain, Config};
use crate::dirprofile::{self, DirFile, Trust};
use crate::error::{Error, Kind, Result};
use crate::sso::assume::Mfa;
use crate::sso::{self, RoleCredentials};
use crate::target::{self, Target};

/// The longest a prompt waits for the hook's network work.
pub(super) const PROMPT_LIMIT: Duration = Duration::from_millis(1500);

/// What the hook does at this prompt.
#[derive(Debug, PartialEq, Eq)]
enum Decision<'a> {
    /// Nothing changed and no renewal is due: not even the config is read.
    Nothing,
    /// Renew the active profile's credentials.
    Renew,
    /// Out of the applied tree: back to how it was before it.
    Leave,
    /// In the tree of `file`, which names `profile`: apply it, if the
    /// config has it and its session gives credentials.
    Enter {
        file: &'a DirFile,
        profile: String,
        otherwise: Otherwise,
    },
    /// In the tree of `file`, which cannot apply: say why, once.
    Refuse {
        file: &'a DirFile,
        notice: Option<String>,
        otherwise: Otherwise,
    },
}

/// What becomes of the current state when a tree's profile is not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Otherwise {
    /// Whatever the new tree holds, the tree applied before is left.
    leave: bool,
    /// The profile in use still needs its renewal.
    renew: bool,
}

fn decide<'a>(
    found: Option<(&'a DirFile, Trust)>,
    applied: Option<AppliedTree>,
    renew_at: Option<i64>,
    now: i64,
) -> Decision<'a> {
    let renew_due = renew_at.is_some_and(|t| now >= t);
    let Some((file, trust)) = found else {
        return match (applied, renew_due) {
            (Some(_), _) => Decision::Leave,
            (None, true) => Decision::Renew,
            (None, false) => Decision::Nothing,
        };
    };
    let key = file.notice_key();
    // Still in the applied tree: nothing to do unless the file was edited,
    // or `deny` revoked it, since it was applied.
    if let Some(tree) = applied
        && tree.is_rooted_at(&file.root)
        && tree.key == Some(key.as_str())
        && trust == Trust::Allowed
    {
        return match renew_due {
            true => Decision::Renew,
            false => Decision::Nothing,
        };
    }
    let otherwise = Otherwise {
        leave: applied.is_some(),
        renew: renew_due,
    };
    let refuse = |notice| Decision::Refuse {
        file,
        notice,
        otherwise,
    };
    match trust {
        Trust::Denied => refuse(None),
        Trust::Unknown => refuse(Some(format!(
            "{} is not allowed; run `ssoenv allow` to trust it (`ssoenv deny` silences this)",
            file.path.display()
        ))),
        Trust::Allowed => match file.profile() {
            Ok(profile) => Decision::Enter {
                file,
                profile,
                otherwise,
            },
            Err(m) => refuse(Some(m)),
        },
    }
}

pub fn run(args: HookArgs) -> Result<()> {
    let env = Env::from_process();
    let cwd = dirprofile::logical_cwd()?;
    let file = dirprofile::find(&cwd);
    let trust = file.as_ref().map(DirFile::trust).transpose()?;
    let found = file.as_ref().zip(trust);
    let mut prompt = Prompt::new(&env);
    match decide(found, env.applied_tree(), env.renew_at(), activation::now()) {
        Decision::Nothing => return Ok(()),
        Decision::Renew => prompt.renew()?,
        Decision::Leave => prompt.leave(None),
        Decision::Enter {
            file,
            profile,
            otherwise,
        } => prompt.enter(file, &profile, otherwise)?,
        Decision::Refuse {
            file,
            notice,
            otherwise,
        } => prompt.refuse(file, notice, otherwise)?,
    }
    print!("{}", prompt.finish().script(args.shell));
    Ok(())
}

/// The work of one prompt.
struct Prompt<'a> {
    env: &'a Env,
    /// One deadline for all the network work of this prompt.
    deadline: tokio::time::Instant,
    notices: Notices,
    plan: Plan,
}

impl Prompt<'_> {
    fn new(env: &Env) -> Prompt<'_> {
        Prompt {
            env,
            deadline: tokio::time::Instant::now() + PROMPT_LIMIT,
            notices: Notices::of(env),
            plan: Plan::default(),
        }
    }

    /// Run network work until the deadline: None when it took longer (the
    /// dropped future has released its locks by then).
    fn within<T>(&self, work: impl Future<Output = T>) -> Result<Option<T>> {
        super::block_on(async { Ok(tokio::time::timeout_at(self.deadline, work).await.ok()) })
    }

    /// Show `message` once per `key` (a file and its content, or an
    /// expiry), not at every prompt.
    fn notice(&mut self, key: &str, message: &str) {
        if self.notices.first_time(key) {
            crate::say!("{message}");
        }
    }

    /// Say what became of a directory profile, unless SSOENV_QUIET.
    fn announce(&self, message: &str) {
        if !self.env.quiet() {
            crate::say!("{message}");
        }
    }

    /// Back to the environment from before the applied tree, and say so.
    /// `here` is the `.ssoenv` that governs the current directory, if any.
    fn leave(&mut self, here: Option<&DirFile>) {
        self.plan.extend(activation::leave_tree());
        if let Some(applied) = self.env.applied_tree() {
            let inside = here.is_some_and(|f| applied.is_rooted_at(&f.root));
            // As SSOENV_DIR records it: readable, and any bytes escaped.
            self.announce(&left(Path::new(applied.root), inside));
        }
    }

    fn enter(&mut self, file: &DirFile, name: &str, otherwise: Otherwise) -> Result<()> {
        match self.within(tree_profile(file, name))?.transpose()? {
            Some(Ok((chain, creds))) => {
                let key = file.notice_key();
                let tree = Tree {
                    root: &file.root,
                    key: &key,
                };
                let now = activation::now();
                let entered = activation::enter_tree(self.env, now, tree, &chain, &creds);
                self.plan.extend(entered);
                self.announce(&selected(file, &chain.profile.name));
            }
            Some(Err(refusal)) => self.refuse(file, Some(refusal), otherwise)?,
            None => {
                if otherwise.leave {
                    self.leave(Some(file));
                } else if otherwise.renew {
                    self.plan
                        .extend(activation::retry_renewal(activation::now()));
                }
                let message = format!(
                    "{} took too long to apply; leave and re-enter the directory to try again",
                    file.path.display()
                );
                self.notice(&format!("slow-{}", file.notice_key()), &message);
            }
        }
        Ok(())
    }

    fn refuse(
        &mut self,
        file: &DirFile,
        notice: Option<String>,
        otherwise: Otherwise,
    ) -> Result<()> {
        if otherwise.leave {
            self.leave(Some(file));
        }
        if let Some(message) = notice {
            self.notice(&file.notice_key(), &message);
        }
        if otherwise.renew {
            self.renew()?;
        }
        Ok(())
    }

    fn renew(&mut self) -> Result<()> {
        let name = self.env.profile().unwrap_or_default();
        match self.within(renewal(self.env))? {
            Some(Ok((target, creds))) => {
                let renewed = activation::renew(self.env, activation::now(), &target, &creds);
                self.plan.extend(renewed);
                return Ok(());
            }
            Some(Err(failure)) => {
                let (key, message) = renewal_notice(name, self.env.expires(), &failure);
                self.notice(&key, &message);
            }
            None => {
                let message = format!("renewing credentials for {name} is slow; retrying later");
                self.notice(&format!("slow-{name}"), &message);
            }
        }
        self.plan
            .extend(activation::retry_renewal(activation::now()));
        Ok(())
    }

    fn finish(mut self) -> Plan {
        self.plan.extend(self.notices.remember());
        self.plan
    }
}

/// What entering the tree of `file` says.
fn selected(file: &DirFile, profile: &str) -> String {
    format!("{} selected profile {profile}", file.path.display())
}

/// What leaving the tree applied at `root` says; `inside` when the shell is
/// still in it, its file denied, edited or broken.
fn left(root: &Path, inside: bool) -> String {
    let root = root.display();
    match inside {
        false => format!("left {root}: back to the environment from before it"),
        true => {
            format!("{root} no longer selects a profile: back to the environment from before it")
        }
    }
}

/// The tree's profile and its credentials, or why they cannot be had.
async fn tree_profile(
    file: &DirFile,
    name: &str,
) -> Result<std::result::Result<(Chain, RoleCredentials), String>> {
    let path = file.path.display();
    let config = Config::load()?;
    if !config.has_profile(name) {
        let config_path = config.path().display();
        return Ok(Err(format!(
            "{path} names profile `{name}`, which is not in {config_path}"
        )));
    }
    let chain = match config.chain(name) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.message)),
    };
    match sso::assume::credentials(&chain, Mfa::Never).await {
        Ok(creds) => Ok(Ok((chain, creds))),
        Err(e) => Ok(Err(format!("{path} uses profile {name}: {e}"))),
    }
}

enum RenewalFailure {
    Config(Error),
    Credentials(Error),
}

/// The active target found again (an account/role by id, within its
/// sign-in), and fresh credentials for it. An account list of any age
/// will do for that, rather than listing again within a prompt's time.
async fn renewal(env: &Env) -> std::result::Result<(Target, RoleCredentials), RenewalFailure> {
    let (spelling, session) = env.active_target().unwrap_or_default();
    let config = Config::load().map_err(RenewalFailure::Config)?;
    let target = match target::resolve_cached(&config, &spelling, session) {
        Ok(target) => target,
        Err(_) => target::resolve(&config, &spelling, session)
            .await
            .map_err(RenewalFailure::Config)?,
    };
    let creds = sso::assume::credentials(&target.chain, Mfa::Never)
        .await
        .map_err(RenewalFailure::Credentials)?;
    Ok((target, creds))
}

/// The notice key and message for a renewal that failed. Never a browser
/// from a prompt: one hint per expiry, then quiet retries that pick up a
/// sign-in made anywhere else.
fn renewal_notice(name: &str, expires: &str, failure: &RenewalFailure) -> (String, String) {
    match failure {
        RenewalFailure::Config(e) => (
            format!("renew-{name}-{expires}"),
            format!("cannot renew credentials: {e}"),
        ),
        RenewalFailure::Credentials(e) if e.kind == Kind::LoginRequired => (
            format!("login-{name}-{expires}"),
            format!("credentials for {name} cannot be renewed: {e}"),
        ),
        RenewalFailure::Credentials(e) => (
            format!("renew-{name}-{expires}"),
            format!("renewing credentials for {name} failed ({e}); retrying"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn file(root: &str, content: &str) -> DirFile {
        DirFile {
            root: root.into(),
            // Spelled with `/` on every platform, as the expected notices are.
            path: format!("{root}/.ssoenv").into(),
            content: content.into(),
        }
    }

    fn applied<'a>(root: &'a str, key: &'a str) -> Option<AppliedTree<'a>> {
        Some(AppliedTree {
            root,
            key: Some(key),
        })
    }

    const DUE: Option<i64> = Some(NOW);
    const LATER: Option<i64> = Some(NOW + 1);

    #[test]
    fn outside_any_tree_only_renewal_is_work() {
        assert_eq!(decide(None, None, None, NOW), Decision::Nothing);
        assert_eq!(decide(None, None, LATER, NOW), Decision::Nothing);
        assert_eq!(decide(None, None, DUE, NOW), Decision::Renew);
    }

    #[test]
    fn out_of_the_applied_tree_is_leaving_it_renewal_due_or_not() {
        let gone = applied("/p", "k");
        assert_eq!(decide(None, gone, None, NOW), Decision::Leave);
        assert_eq!(decide(None, gone, DUE, NOW), Decision::Leave);
    }

    #[test]
    fn inside_the_applied_tree_unchanged_only_renewal_is_work() {
        let f = file("/p", "profile = dev\n");
        let key = f.notice_key();
        let found = Some((&f, Trust::Allowed));
        assert_eq!(
            decide(found, applied("/p", &key), LATER, NOW),
            Decision::Nothing
        );
        assert_eq!(
            decide(found, applied("/p", &key), DUE, NOW),
            Decision::Renew
        );
    }

    #[test]
    fn an_allowed_file_not_applied_yet_is_entered() {
        let f = file("/p", "profile = dev\n");
        let key = f.notice_key();
        let enter = |leave, renew| Decision::Enter {
            file: &f,
            profile: "dev".into(),
            otherwise: Otherwise { leave, renew },
        };
        let found = Some((&f, Trust::Allowed));
        assert_eq!(decide(found, None, None, NOW), enter(false, false));
        assert_eq!(decide(found, None, DUE, NOW), enter(false, true));
        // Edited (and allowed again) since it was applied.
        assert_eq!(
            decide(found, applied("/p", "old"), None, NOW),
            enter(true, false)
        );
        // From another tree.
        assert_eq!(
            decide(found, applied("/q", &key), DUE, NOW),
            enter(true, true)
        );
        // Applied, but which file it came from was lost.
        let no_key = Some(AppliedTree {
            root: "/p",
            key: None,
        });
        assert_eq!(decide(found, no_key, None, NOW), enter(true, false));
    }

    #[test]
    fn a_denied_file_is_refused_silently_even_when_applied() {
        let f = file("/p", "profile = dev\n");
        let key = f.notice_key();
        let found = Some((&f, Trust::Denied));
        assert_eq!(
            decide(found, applied("/p", &key), DUE, NOW),
            Decision::Refuse {
                file: &f,
                notice: None,
                otherwise: Otherwise {
                    leave: true,
                    renew: true
                },
            }
        );
    }

    #[test]
    fn an_unknown_or_malformed_file_is_refused_with_a_notice() {
        let f = file("/p", "profile = dev\n");
        let Decision::Refuse {
            notice: Some(notice),
            otherwise,
            ..
        } = decide(Some((&f, Trust::Unknown)), None, None, NOW)
        else {
            panic!("an untrusted file must be refused");
        };
        assert!(notice.contains("/p/.ssoenv is not allowed; run `ssoenv allow`"));
        assert_eq!(
            otherwise,
            Otherwise {
                leave: false,
                renew: false
            }
        );
        let bad = file("/p", "profile dev\n");
        let Decision::Refuse {
            notice: Some(notice),
            ..
        } = decide(Some((&bad, Trust::Allowed)), None, None, NOW)
        else {
            panic!("a malformed file must be refused");
        };
        assert_eq!(notice, "/p/.ssoenv:1: expected `profile = NAME`");
    }

    #[test]
    fn entering_and_leaving_say_which_tree_and_profile() {
        let f = file("/p", "profile = dev\n");
        assert_eq!(selected(&f, "dev"), "/p/.ssoenv selected profile dev");
        assert_eq!(
            left(Path::new("/p"), false),
            "left /p: back to the environment from before it"
        );
        assert_eq!(
            left(Path::new("/p"), true),
            "/p no longer selects a profile: back to the environment from before it"
        );
    }

    #[test]
    fn a_failed_renewal_is_told_once_per_expiry_and_kind() {
        let login = RenewalFailure::Credentials(Error::login_required("no session", " dev"));
        let (key, message) = renewal_notice("dev", "123", &login);
        assert_eq!(key, "login-dev-123");
        assert!(message.starts_with("credentials for dev cannot be renewed: no session"));
        let network = RenewalFailure::Credentials(Error::failed("timed out"));
        let (key, message) = renewal_notice("dev", "123", &network);
        assert_eq!(key, "renew-dev-123");
        assert_eq!(
            message,
            "renewing credentials for dev failed (timed out); retrying"
        );
        let config = RenewalFailure::Config(Error::usage("no profile dev"));
        let (key, message) = renewal_notice("dev", "123", &config);
        assert_eq!(key, "renew-dev-123");
        assert_eq!(message, "cannot renew credentials: no profile dev");
    }
}
