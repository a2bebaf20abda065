//! The caches: the AWS CLI's (~/.aws/sso/cache, ~/.aws/cli/cache) and
//! ssoenv's own (lists, locks, the picker's history). Each directory and
//! file private to the user (0700, 0600) and owned by them, each file
//! readable and not corrupt; and for each sign-in of the config, whose
//! token the cache holds, until when, and whether its client registration
//! is about to expire.

use std::fs;
use std::path::{Path, PathBuf};

use super::config::Session;
use super::{Area, Check, octal};
use crate::config::SsoSession;
use crate::error::Result;
use crate::secret::Secret;
use crate::sso::cache::why_unreadable;
use crate::sso::credentials::CliCacheEntry;
use crate::sso::registration::{self, Registration};
use crate::sso::token::{self, CachedToken};
use crate::timestamp::Timestamp;

/// A registration that expires sooner than this is about to: once it has,
/// the sign-in cannot renew itself, and sign-ins can last a week.
const REGISTRATION_NOTICE: time::Duration = time::Duration::days(7);

/// What a directory holds, and so what its files should parse as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// ~/.aws/sso/cache: tokens and client registrations.
    SsoCache,
    /// ~/.aws/cli/cache: role credentials.
    CliCache,
    /// ssoenv's own cache directory, which holds the next two.
    Own,
    /// ssoenv's lists of accounts and roles.
    Lists,
    /// ssoenv's lock files (empty).
    Locks,
    /// ssoenv's state (the picker's history).
    State,
}

impl Role {
    /// What a file there holds, for messages.
    fn holds(self) -> &'static str {
        match self {
            Role::SsoCache => "sign-in",
            Role::CliCache => "AWS keys",
            Role::Own => "data",
            Role::Lists => "account list",
            Role::Locks => "lock",
            Role::State => "usage history",
        }
    }

    /// What happens once a corrupt file is removed.
    fn after_removal(self) -> &'static str {
        match self {
            Role::SsoCache => "the next `ssoenv login` writes what is needed",
            Role::CliCache => "the credentials are fetched again when needed",
            Role::Lists => "the next `ssoenv list` fetches it again",
            Role::Own | Role::Locks | Role::State => "it starts afresh",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub mode: u32,
    pub uid: u32,
}

impl Meta {
    fn of(path: &Path, m: &fs::Metadata) -> Meta {
        let (mode, uid) = crate::platform::mode_and_owner(path, m);
        Meta { mode, uid }
    }

    fn private(self) -> bool {
        self.mode & 0o077 == 0
    }
}

/// A file's contents, read once into what they are.
pub enum Content {
    Token(CachedToken),
    Registration,
    Credentials,
    /// JSON of another shape (another tool's), or a file not meant to parse.
    Other,
    /// Not JSON, or cut short: why, in words that never quote it.
    Corrupt(String),
    Unreadable(String),
}

pub struct File {
    pub path: PathBuf,
    pub meta: Meta,
    pub content: Content,
}

pub struct Dir {
    pub path: PathBuf,
    pub role: Role,
    /// None when it does not exist.
    pub meta: Option<Meta>,
    /// Why it could not be listed.
    pub error: Option<String>,
    pub files: Vec<File>,
}

/// A sign-in and the cache files that belong to it.
pub struct SessionFiles {
    pub session: SsoSession,
    pub login: String,
    pub token_path: PathBuf,
    pub registration_path: Option<PathBuf>,
}

pub struct Facts {
    /// The user running doctor, who should own everything here.
    pub uid: u32,
    pub dirs: Vec<Dir>,
    pub sessions: Vec<SessionFiles>,
}

impl Facts {
    fn file(&self, path: &Path) -> Option<&File> {
        self.dirs
            .iter()
            .flat_map(|d| &d.files)
            .find(|f| f.path == path)
    }

    /// The token cached for `session`, while it is valid, for the portal check.
    pub fn usable_token(&self, session: &SsoSession, now: Timestamp) -> Option<Secret> {
        let files = self.sessions.iter().find(|s| &s.session == session)?;
        match &self.file(&files.token_path)?.content {
            Content::Token(t) if t.is_usable(now) => Some(t.access_token.clone()),
            _ => None,
        }
    }
}

pub fn gather(sessions: &[Session]) -> Result<Facts> {
    let list_dir = crate::paths::list_cache_dir()?;
    let lock_dir = crate::paths::lock_dir()?;
    let mut dirs = vec![
        (crate::paths::sso_cache_dir()?, Role::SsoCache),
        (crate::paths::cli_cache_dir()?, Role::CliCache),
    ];
    // ssoenv's cache directory itself, then what is in it.
    if let Some(own) = list_dir.parent() {
        dirs.push((own.to_path_buf(), Role::Own));
    }
    dirs.extend([
        (list_dir, Role::Lists),
        (lock_dir, Role::Locks),
        (crate::paths::state_dir()?, Role::State),
    ]);
    let sessions = sessions
        .iter()
        .map(|s| {
            Ok(SessionFiles {
                token_path: token::path(&s.session)?,
                registration_path: match s.session.name {
                    Some(_) => Some(
                        crate::paths::sso_cache_dir()?
                            .join(format!("{}.json", registration::cache_key(&s.session))),
                    ),
                    None => None,
                },
                session: s.session.clone(),
                login: s.login.clone(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Facts {
        uid: crate::platform::user_id(),
        dirs: dirs
            .into_iter()
            .map(|(path, role)| read_dir(path, role))
            .collect(),
        sessions,
    })
}

fn read_dir(path: PathBuf, role: Role) -> Dir {
    let mut dir = Dir {
        meta: fs::symlink_metadata(&path)
            .ok()
            .map(|m| Meta::of(&path, &m)),
        path,
        role,
        error: None,
        files: Vec::new(),
    };
    if dir.meta.is_none() {
        return dir;
    }
    let entries = match fs::read_dir(&dir.path) {
        Ok(e) => e,
        Err(e) => {
            dir.error = Some(e.to_string());
            return dir;
        }
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        // Subdirectories are checked as directories of their own, if at all.
        if !meta.is_file() {
            continue;
        }
        let content = match fs::read(&path) {
            Ok(bytes) => classify(role, &bytes),
            Err(e) => Content::Unreadable(e.to_string()),
        };
        dir.files.push(File {
            meta: Meta::of(&path, &meta),
            path,
            content,
        });
    }
    dir
}

fn classify(role: Role, bytes: &[u8]) -> Content {
    let json = match role {
        Role::Own | Role::Locks => return Content::Other,
        _ => match serde_json::from_slice::<serde_json::Value>(bytes) {
            Ok(v) => v,
            Err(e) => return Content::Corrupt(why_unreadable(&e)),
        },
    };
    let is = |member: &str| json.get(member).is_some();
    match role {
        Role::SsoCache if is("accessToken") => match serde_json::from_value(json) {
            Ok(t) => Content::Token(t),
            Err(e) => Content::Corrupt(why_unreadable(&e)),
        },
        Role::SsoCache if is("clientSecret") => {
            match serde_json::from_value::<Registration>(json) {
                Ok(_) => Content::Registration,
                Err(e) => Content::Corrupt(why_unreadable(&e)),
            }
        }
        Role::CliCache if is("Credentials") => {
            match serde_json::from_value::<CliCacheEntry>(json) {
                Ok(_) => Content::Credentials,
                Err(e) => Content::Corrupt(why_unreadable(&e)),
            }
        }
        _ => Content::Other,
    }
}

pub fn checks(facts: &Facts, now: Timestamp) -> Vec<Check> {
    let mut out = Vec::new();
    let token_paths: Vec<&Path> = facts.sessions.iter().map(|s| &*s.token_path).collect();
    for dir in &facts.dirs {
        out.extend(dir_checks(dir, facts.uid, &token_paths));
    }
    for session in &facts.sessions {
        out.extend(session_checks(facts, session, now));
    }
    out
}

/// The commands that make a directory or file the user's alone, here.
fn private_dir(path: &Path) -> String {
    crate::platform::make_private_command(path, true)
}

fn private_file(path: &Path) -> String {
    crate::platform::make_private_command(path, false)
}

fn dir_checks(dir: &Dir, uid: u32, token_paths: &[&Path]) -> Vec<Check> {
    let shown = dir.path.display();
    let Some(meta) = dir.meta else {
        return vec![Check::pass(
            Area::Caches,
            format!("{shown}: not there yet (nothing cached)"),
        )];
    };
    let mut out = Vec::new();
    if meta.uid != uid {
        out.push(Check::fail(
            Area::Caches,
            format!("{shown} belongs to another user (uid {})", meta.uid),
            format!("find out who made it; as root, `chown {uid} {shown}`"),
        ));
    }
    if let Some(e) = &dir.error {
        out.push(Check::fail(
            Area::Caches,
            format!("cannot read {shown}: {e}"),
            format!("`{}` as its owner", private_dir(&dir.path)),
        ));
        return out;
    }
    if !meta.private() {
        out.push(Check::fail(
            Area::Caches,
            format!(
                "{shown} is {}: other users can see what is cached",
                octal(meta.mode)
            ),
            private_dir(&dir.path),
        ));
    }
    let mut problems = false;
    for file in &dir.files {
        let path = file.path.display();
        let holds = dir.role.holds();
        if file.meta.uid != uid {
            problems = true;
            out.push(Check::fail(
                Area::Caches,
                format!(
                    "{path} belongs to another user (uid {}): it may be planted",
                    file.meta.uid
                ),
                format!("rm {path}; {}", dir.role.after_removal()),
            ));
        }
        if !file.meta.private() {
            problems = true;
            out.push(Check::fail(
                Area::Caches,
                format!(
                    "{path} is {}: other users can read the {holds} in it",
                    octal(file.meta.mode)
                ),
                private_file(&file.path),
            ));
        }
        match &file.content {
            Content::Unreadable(e) => {
                problems = true;
                out.push(Check::fail(
                    Area::Caches,
                    format!("cannot read {path}: {e}"),
                    format!("`{}` as its owner", private_file(&file.path)),
                ));
            }
            // A token of the config's sign-ins is judged with the sign-in.
            Content::Corrupt(_) if token_paths.contains(&&*file.path) => problems = true,
            Content::Corrupt(why) => {
                problems = true;
                out.push(Check::fail(
                    Area::Caches,
                    format!("{path} is corrupt ({why}): no tool can use it"),
                    format!("rm {path}; {}", dir.role.after_removal()),
                ));
            }
            _ => {}
        }
    }
    if !problems && meta.private() {
        let files = match dir.files.len() {
            0 => "empty".to_string(),
            1 => "1 file, private and readable".to_string(),
            n => format!("{n} files, each private and readable"),
        };
        out.push(Check::pass(
            Area::Caches,
            format!("{shown}: private ({}), {files}", octal(meta.mode)),
        ));
    }
    out
}

fn session_checks(facts: &Facts, files: &SessionFiles, now: Timestamp) -> Vec<Check> {
    let session = &files.session;
    let login = &files.login;
    let token = match facts.file(&files.token_path).map(|f| &f.content) {
        None => {
            return vec![Check::fail(
                Area::Caches,
                format!("{session}: not signed in (no token cached)"),
                login.clone(),
            )];
        }
        Some(Content::Token(t)) => t,
        Some(Content::Corrupt(why)) => {
            return vec![Check::fail(
                Area::Caches,
                format!(
                    "{session}: its token, {}, is corrupt ({why})",
                    files.token_path.display()
                ),
                format!("{login} (writes it anew)"),
            )];
        }
        // Unreadable: reported with the file.
        Some(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    let issued_for = token.start_url.as_deref().unwrap_or(&session.start_url);
    if issued_for != session.start_url {
        out.push(Check::fail(
            Area::Caches,
            format!(
                "{session}: the cached token was issued for {issued_for}, but the config now \
                 names {}",
                session.start_url
            ),
            format!("{login} --force"),
        ));
    }
    let expiry = format!(
        "{} ({})",
        token.expires_at.local_clock(now),
        token.expires_at.describe_expiry(now)
    );
    let refreshable = token.can_refresh(session, now);
    if token.is_usable(now) {
        let renews = match refreshable {
            true => "renews itself",
            false => "then sign in again",
        };
        out.push(Check::pass(
            Area::Caches,
            format!("{session}: signed in until {expiry}; {renews}"),
        ));
    } else if refreshable {
        out.push(Check::pass(
            Area::Caches,
            format!(
                "{session}: the token {}; it renews itself at the next use",
                token.expires_at.describe_expiry(now)
            ),
        ));
    } else {
        out.push(Check::fail(
            Area::Caches,
            format!(
                "{session}: the sign-in {}",
                token.expires_at.describe_expiry(now)
            ),
            login.clone(),
        ));
        return out;
    }
    // The registration the token renews with.
    if let (Some(expires), Some(_), Some(file)) = (
        token.registration_expires_at,
        &token.refresh_token,
        &files.registration_path,
    ) {
        let left = expires.remaining(now);
        let when = format!(
            "{} ({})",
            expires.local_clock(now),
            expires.describe_expiry(now)
        );
        if left <= time::Duration::ZERO {
            out.push(Check::fail(
                Area::Caches,
                format!(
                    "{session}: its client registration {}: the sign-in cannot renew itself",
                    expires.describe_expiry(now)
                ),
                format!("{login} --force (registers a new client)"),
            ));
        } else if left < REGISTRATION_NOTICE {
            out.push(Check::fail(
                Area::Caches,
                format!(
                    "{session}: its client registration expires {when}; after that the sign-in \
                     cannot renew itself"
                ),
                format!(
                    "rm {} && {login} --force (registers a new client now)",
                    file.display()
                ),
            ));
        } else {
            out.push(Check::pass(
                Area::Caches,
                format!(
                    "{session}: client registration valid until {}",
                    expires.local_clock(now)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    const UID: u32 = 1000;

    fn now() -> Timestamp {
        "2026-06-01T12:00:00Z".parse().unwrap()
    }

    fn session() -> SsoSession {
        SsoSession {
            name: Some("corp".into()),
            start_url: "https://d-0000000000.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: None,
        }
    }

    fn token(expires_in: time::Duration, registration: time::Duration) -> CachedToken {
        CachedToken {
            start_url: Some(session().start_url),
            region: Some("us-east-1".into()),
            access_token: "a".into(),
            expires_at: now().saturating_add(expires_in),
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            registration_expires_at: Some(now().saturating_add(registration)),
            refresh_token: Some("r".into()),
        }
    }

    fn private(uid: u32) -> Meta {
        Meta {
            mode: 0o100600,
            uid,
        }
    }

    fn facts(files: Vec<File>) -> Facts {
        Facts {
            uid: UID,
            dirs: vec![Dir {
                path: "/h/.aws/sso/cache".into(),
                role: Role::SsoCache,
                meta: Some(Meta {
                    mode: 0o40700,
                    uid: UID,
                }),
                error: None,
                files,
            }],
            sessions: vec![SessionFiles {
                session: session(),
                login: "ssoenv login --sso-session corp".into(),
                token_path: "/h/.aws/sso/cache/t.json".into(),
                registration_path: Some("/h/.aws/sso/cache/r.json".into()),
            }],
        }
    }

    fn token_file(t: CachedToken) -> File {
        File {
            path: "/h/.aws/sso/cache/t.json".into(),
            meta: private(UID),
            content: Content::Token(t),
        }
    }

    fn judged(f: &Facts) -> Vec<(Status, String, Option<String>)> {
        checks(f, now())
            .into_iter()
            .map(|c| (c.status, c.message, c.fix))
            .collect()
    }

    fn failures(f: &Facts) -> Vec<(String, String)> {
        judged(f)
            .into_iter()
            .filter(|(s, ..)| *s == Status::Fail)
            .map(|(_, m, fix)| (m, fix.unwrap()))
            .collect()
    }

    #[test]
    fn a_valid_sign_in_passes() {
        let hours = time::Duration::hours;
        let f = facts(vec![token_file(token(hours(8), time::Duration::days(80)))]);
        assert_eq!(failures(&f), []);
        let messages: Vec<String> = judged(&f).into_iter().map(|(_, m, _)| m).collect();
        assert_eq!(
            messages[0],
            "/h/.aws/sso/cache: private (0700), 1 file, private and readable"
        );
        assert!(messages[1].starts_with("sso-session corp: signed in until "));
        assert!(
            messages[1].ends_with("(in 8h00m); renews itself"),
            "{}",
            messages[1]
        );
        assert!(messages[2].starts_with("sso-session corp: client registration valid until "));
        // Expired, but the refresh token renews it.
        let f = facts(vec![token_file(token(-hours(1), time::Duration::days(80)))]);
        assert_eq!(failures(&f), []);
        assert_eq!(
            judged(&f)[1].1,
            "sso-session corp: the token expired 1h00m ago; it renews itself at the next use"
        );
    }

    #[test]
    fn missing_expired_and_corrupt_tokens_say_sign_in() {
        let login = "ssoenv login --sso-session corp".to_string();
        assert_eq!(
            failures(&facts(vec![])),
            [(
                "sso-session corp: not signed in (no token cached)".into(),
                login.clone()
            )]
        );
        let mut legacy_like = token(-time::Duration::hours(2), time::Duration::days(80));
        legacy_like.refresh_token = None;
        assert_eq!(
            failures(&facts(vec![token_file(legacy_like)])),
            [(
                "sso-session corp: the sign-in expired 2h00m ago".into(),
                login.clone()
            )]
        );
        let corrupt = File {
            content: Content::Corrupt("cut short at line 1 column 9".into()),
            ..token_file(token(time::Duration::hours(1), time::Duration::days(80)))
        };
        assert_eq!(
            failures(&facts(vec![corrupt])),
            [(
                "sso-session corp: its token, /h/.aws/sso/cache/t.json, is corrupt (cut short at \
                 line 1 column 9)"
                    .into(),
                format!("{login} (writes it anew)")
            )]
        );
    }

    #[test]
    fn a_registration_about_to_expire_needs_a_new_one() {
        let f = facts(vec![token_file(token(
            time::Duration::hours(8),
            time::Duration::days(2),
        ))]);
        let failed = failures(&f);
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0].0.contains("its client registration expires"),
            "{failed:?}"
        );
        assert_eq!(
            failed[0].1,
            "rm /h/.aws/sso/cache/r.json && ssoenv login --sso-session corp --force \
             (registers a new client now)"
        );
        let f = facts(vec![token_file(token(
            time::Duration::hours(8),
            -time::Duration::days(2),
        ))]);
        assert_eq!(
            failures(&f),
            [(
                "sso-session corp: its client registration expired 48h00m ago: the sign-in \
                 cannot renew itself"
                    .into(),
                "ssoenv login --sso-session corp --force (registers a new client)".into()
            )]
        );
    }

    #[test]
    fn a_token_for_another_start_url_is_named() {
        let mut t = token(time::Duration::hours(8), time::Duration::days(80));
        t.start_url = Some("https://old.awsapps.com/start".into());
        let failed = failures(&facts(vec![token_file(t)]));
        assert_eq!(failed.len(), 1);
        assert!(
            failed[0]
                .0
                .contains("issued for https://old.awsapps.com/start")
        );
        assert_eq!(failed[0].1, "ssoenv login --sso-session corp --force");
    }

    #[test]
    fn files_and_directories_must_be_private_owned_and_whole() {
        let mut f = facts(vec![
            token_file(token(time::Duration::hours(8), time::Duration::days(80))),
            File {
                path: "/h/.aws/sso/cache/open.json".into(),
                meta: Meta {
                    mode: 0o100644,
                    uid: UID,
                },
                content: Content::Other,
            },
            File {
                path: "/h/.aws/sso/cache/torn.json".into(),
                meta: private(UID),
                content: Content::Corrupt("not JSON at line 1 column 1".into()),
            },
            File {
                path: "/h/.aws/sso/cache/planted.json".into(),
                meta: private(0),
                content: Content::Other,
            },
        ]);
        f.dirs[0].meta = Some(Meta {
            mode: 0o40755,
            uid: UID,
        });
        let d = "/h/.aws/sso/cache";
        assert_eq!(
            failures(&f),
            [
                (
                    format!("{d} is 0755: other users can see what is cached"),
                    private_dir(Path::new(d))
                ),
                (
                    format!("{d}/open.json is 0644: other users can read the sign-in in it"),
                    private_file(Path::new(&format!("{d}/open.json")))
                ),
                (
                    format!(
                        "{d}/torn.json is corrupt (not JSON at line 1 column 1): no tool can use it"
                    ),
                    format!("rm {d}/torn.json; the next `ssoenv login` writes what is needed")
                ),
                (
                    format!("{d}/planted.json belongs to another user (uid 0): it may be planted"),
                    format!("rm {d}/planted.json; the next `ssoenv login` writes what is needed")
                ),
            ]
        );
    }

    #[test]
    fn contents_are_read_for_what_they_are() {
        let token = br#"{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z"}"#;
        assert!(matches!(classify(Role::SsoCache, token), Content::Token(_)));
        let registration =
            br#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2026-01-01T00:00:00Z"}"#;
        assert!(matches!(
            classify(Role::SsoCache, registration),
            Content::Registration
        ));
        let bad_time = br#"{"accessToken": "a", "expiresAt": "soon"}"#;
        assert!(matches!(
            classify(Role::SsoCache, bad_time),
            Content::Corrupt(_)
        ));
        assert!(matches!(
            classify(Role::SsoCache, br#"{"x": 1}"#),
            Content::Other
        ));
        assert!(matches!(
            classify(Role::Lists, b"{\"a\": [1"),
            Content::Corrupt(_)
        ));
        assert!(matches!(classify(Role::Locks, b"\x00"), Content::Other));
        let keys = br#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-01-01T00:00:00Z"}}"#;
        assert!(matches!(
            classify(Role::CliCache, keys),
            Content::Credentials
        ));
    }
}
