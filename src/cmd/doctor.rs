//! `ssoenv doctor`: why doesn't it work? It checks the AWS config, the
//! caches, the shell integration, the credentials file, the clock and the
//! Identity Center endpoints, changing nothing, and prints each check with
//! ✓ or ✗ and, under each ✗, the fix. A check that cannot be made from here
//! shows `–` and how to make it by hand; it does not fail. Exits 0 when
//! nothing failed, 1 otherwise.
//!
//! Each area has a `gather`, which reads files, the environment or the
//! network into facts, and a `checks`, a pure function of those facts and
//! the clock that judges them.

mod caches;
mod config;
mod credentials;
mod network;
mod shell;

use std::io::Write;

use serde::Serialize;
use serde_json::json;

use crate::cli::DoctorArgs;
use crate::error::Result;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Could not be checked from here (or there is nothing to judge).
    Skip,
}

impl Status {
    fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Skip => "–",
        }
    }
}

/// What a check is about; the report groups checks by it, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Area {
    Config,
    Caches,
    Shell,
    CredentialsFile,
    Network,
}

impl Area {
    fn title(self) -> &'static str {
        match self {
            Area::Config => "AWS config",
            Area::Caches => "Caches",
            Area::Shell => "Shell integration",
            Area::CredentialsFile => "Credentials file",
            Area::Network => "Clock and Identity Center",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub area: Area,
    pub status: Status,
    pub message: String,
    /// For a failure, the fix; for a skip, how to check by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn pass(area: Area, message: impl Into<String>) -> Check {
        Check {
            area,
            status: Status::Pass,
            message: message.into(),
            fix: None,
        }
    }

    fn fail(area: Area, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            area,
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }

    fn skip(area: Area, message: impl Into<String>, how: Option<String>) -> Check {
        Check {
            area,
            status: Status::Skip,
            message: message.into(),
            fix: how,
        }
    }
}

pub async fn run(args: DoctorArgs) -> Result<()> {
    let now = Timestamp::now();
    let config = config::gather()?;
    let mut checks = config::checks(&config);
    let sessions = config.sessions();
    let caches = caches::gather(&sessions)?;
    checks.extend(caches::checks(&caches, now));
    checks.extend(shell::checks(&shell::gather()));
    let profiles = config.sso_profile_names();
    checks.extend(credentials::checks(&credentials::gather(profiles)?, now));
    let probes = network::gather(&sessions, |s| caches.usable_token(s, now)).await;
    checks.extend(network::checks(&probes));

    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let out = match args.json {
        true => {
            let report = json!({ "ok": failed == 0, "problems": failed, "checks": checks });
            serde_json::to_string_pretty(&report).expect("JSON serializes") + "\n"
        }
        false => human(&checks, failed),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush());
    // The report is the whole answer: no error line after it.
    match failed {
        0 => Ok(()),
        _ => std::process::exit(crate::error::exit::ERROR.into()),
    }
}

/// The checks under a title per area, each ✗ followed by its fix.
fn human(checks: &[Check], failed: usize) -> String {
    let mut out = String::new();
    let mut area = None;
    for check in checks {
        if area != Some(check.area) {
            area = Some(check.area);
            out.push_str(check.area.title());
            out.push('\n');
        }
        out.push_str(&format!("  {} {}\n", check.status.mark(), check.message));
        match (&check.fix, check.status) {
            (Some(fix), Status::Fail) => out.push_str(&format!("    fix: {fix}\n")),
            (Some(how), _) => out.push_str(&format!("    {how}\n")),
            (None, _) => {}
        }
    }
    match failed {
        0 => out.push_str("\nAll checks passed.\n"),
        1 => out.push_str("\n1 problem; the ✗ above says how to fix it.\n"),
        n => out.push_str(&format!(
            "\n{n} problems; each ✗ above says how to fix it.\n"
        )),
    }
    out
}

/// `rw-r--r--` as `0644`.
fn octal(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_puts_each_fix_under_its_failure() {
        let checks = [
            Check::pass(Area::Config, "it parses"),
            Check::fail(Area::Config, "a typo", "rename it"),
            Check::skip(Area::Shell, "cannot see", Some("look yourself".into())),
        ];
        assert_eq!(
            human(&checks, 1),
            "AWS config\n  ✓ it parses\n  ✗ a typo\n    fix: rename it\n\
             Shell integration\n  – cannot see\n    look yourself\n\
             \n1 problem; the ✗ above says how to fix it.\n"
        );
        assert!(human(&checks[..1], 0).ends_with("\nAll checks passed.\n"));
        let json = serde_json::to_value(&checks[1]).unwrap();
        assert_eq!(
            json,
            json!({"area": "config", "status": "fail", "message": "a typo", "fix": "rename it"})
        );
        assert_eq!(octal(0o100644), "0644");
    }
}
