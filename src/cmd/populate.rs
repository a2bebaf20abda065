//! `ssoenv populate`: a profile in the AWS config for every account and
//! role an sso-session reaches. What it writes is decided in
//! `src/populate.rs`; here the session is chosen, the list fetched, and
//! the file edited under its lock.
//!
//! Output: one line per profile added (`+`), updated (`~`) or removed
//! (`-`) on stdout — with --dry-run, the ones that would be — and notes
//! and the summary on stderr.

use std::io::Write;
use std::path::Path;

use crate::cli::PopulateArgs;
use crate::config::{Config, SsoSession};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::ini::Document;
use crate::log::printable;
use crate::populate::{self, Report, Request, Template, What};
use crate::sso::discovery::{self, Refresh};
use crate::sso::token;
use crate::user_file::{self, Contents};

pub async fn run(args: PopulateArgs) -> Result<()> {
    let template = Template::parse(&args.template)?;
    if let Some(region) = &args.region {
        check_region(region)?;
    }
    // Through the links first: one another user planted is refused before
    // anything is read through it.
    let path = user_file::resolve(&crate::paths::config_file()?)?;
    let session = chosen_session(&path, args.sso_session.as_deref())?;
    let name = session
        .name
        .clone()
        .expect("populate chooses named sessions");
    token::valid(&session, None).await?;
    let refresh = match args.refresh {
        true => Refresh::Always,
        false => Refresh::IfStale,
    };
    let listing = discovery::assignments(&session, None, refresh).await?;
    let request = Request {
        session: &name,
        template: &template,
        region: args.region.as_deref(),
        prune: args.prune,
    };
    let report = user_file::update(&path, Contents::Plain, |before| {
        let (after, report) = plan(&path, before, &listing.assignments, &request)?;
        match args.dry_run {
            true => Ok((before.to_vec(), report)),
            false => Ok((after, report)),
        }
    })
    .await?;

    let mut out = String::new();
    for change in &report.changes {
        out.push_str(&printable(&change.to_string()));
        out.push('\n');
    }
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| Error::failed(format!("cannot write the changes: {e}")))?;
    for note in &report.notes {
        crate::say!("{}", printable(&note.to_string()));
    }
    if listing.from_cache {
        crate::say!(
            "accounts and roles as listed at {}; --refresh lists them again",
            listing.fetched_at
        );
    }
    crate::say!("{}", summary(&report, &path, &name, args.dry_run));
    Ok(())
}

/// `--sso-session`, else the config's only [sso-session].
fn chosen_session(path: &Path, asked: Option<&str>) -> Result<SsoSession> {
    let bytes = fsutil::read_optional(path)?.unwrap_or_default();
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::usage(format!("{}: not valid UTF-8", path.display())))?;
    let config = Config::parse(text, path)?;
    if let Some(name) = asked {
        return config.sso_session(name);
    }
    let names = populate::session_names(&Document::parse(&bytes));
    match names.as_slice() {
        [] => Err(Error::usage(format!(
            "{} has no [sso-session]; populate writes profiles that sign in through one \
             (`aws configure sso-session` adds it)",
            path.display()
        ))),
        [one] => config.sso_session(one),
        several => Err(Error::usage(format!(
            "{} has several sso-sessions ({}); name one with --sso-session",
            path.display(),
            several.join(", ")
        ))),
    }
}

/// The file as it would be after populating, and what changed. A file the
/// AWS CLI could not read is refused rather than edited, and so is a
/// result that would not load.
fn plan(
    path: &Path,
    before: &[u8],
    assignments: &[discovery::Assignment],
    request: &Request,
) -> Result<(Vec<u8>, Report)> {
    let text = std::str::from_utf8(before)
        .map_err(|_| Error::usage(format!("{}: not valid UTF-8", path.display())))?;
    Config::parse(text, path)?;
    let mut doc = Document::parse(before);
    let report = populate::populate(&mut doc, assignments, request)
        .map_err(|e| e.context(path.display()))?;
    let after = doc.to_bytes();
    let loads = std::str::from_utf8(&after)
        .map_err(|_| Error::failed("the edited file is not UTF-8"))
        .and_then(|text| Config::parse(text, path));
    if let Err(e) = loads {
        return Err(Error::failed(format!(
            "the profiles would leave {} unreadable, so nothing was written ({e})",
            path.display()
        )));
    }
    Ok((after, report))
}

/// A region as AWS spells them (`eu-west-1`, `us-gov-west-1`): also what a
/// value in the file can hold unchanged.
fn check_region(region: &str) -> Result<()> {
    let valid = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    match valid {
        true => Ok(()),
        false => Err(Error::usage(format!(
            "--region `{}` is not a region name (such as eu-west-1)",
            printable(region)
        ))),
    }
}

fn summary(report: &Report, path: &Path, session: &str, dry_run: bool) -> String {
    let count = |f: fn(&What) -> bool| report.changes.iter().filter(|c| f(&c.what)).count();
    let added = count(|w| matches!(w, What::Added));
    let updated = count(|w| matches!(w, What::Updated(_)));
    let removed = count(|w| matches!(w, What::Removed));
    let file = path.display();
    if report.changes.is_empty() {
        return format!(
            "{file} is up to date: {} generated profiles of sso-session {session}",
            report.unchanged
        );
    }
    match dry_run {
        true => format!(
            "dry run: would add {added}, update {updated} and remove {removed} profiles of \
             sso-session {session} in {file}; nothing written"
        ),
        false => format!(
            "{file}: added {added}, updated {updated} and removed {removed} profiles of \
             sso-session {session}; {} were up to date",
            report.unchanged
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_checked() {
        for good in ["eu-west-1", "us-gov-west-1", "eusc-de-east-1"] {
            check_region(good).unwrap();
        }
        for bad in ["", "eu west", "EU-WEST-1", "x\n", "a;b"] {
            assert_eq!(
                check_region(bad).unwrap_err().kind,
                crate::error::Kind::Usage
            );
        }
    }
}
