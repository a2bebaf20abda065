//! `ssoenv export`: a profile's credentials as shell code, lines for a file
//! or JSON, under the format names of `aws configure export-credentials`
//! and a few more.

use clap::ValueEnum;

use crate::activation::{self, Step, handout};
use crate::cli::{ExportArgs, Format};
use crate::config::{self, Config, SsoProfile};
use crate::error::{Error, Result};
use crate::shell::{self, ShellKind};
use crate::sso::assume::Mfa;
use crate::sso::{self, RoleCredentials};
use crate::target;

impl Format {
    /// The format for the user's login shell, when --format is not given.
    fn from_login_shell() -> Format {
        match ShellKind::from_login_shell() {
            Some(ShellKind::Bash) => Format::Bash,
            Some(ShellKind::Zsh) => Format::Zsh,
            Some(ShellKind::Fish) => Format::Fish,
            Some(ShellKind::Powershell) => Format::Powershell,
            None => Format::Env,
        }
    }

    /// The name on the command line, for messages.
    fn name(self) -> String {
        let value = self.to_possible_value().expect("no skipped variants");
        value.get_name().to_string()
    }
}

/// The credentials as `format`; an error naming the variable (never its
/// value) when the format cannot carry a value.
fn render(format: Format, profile: &SsoProfile, creds: &RoleCredentials) -> Result<String> {
    let plan = handout::export(profile, creds);
    let lines = |line: &dyn Fn(&str, &str) -> std::result::Result<String, &'static str>| {
        plan.assignments()
            .map(|(name, value)| {
                line(name, value).map(|l| l + "\n").map_err(|why| {
                    Error::failed(format!(
                        "{name} cannot be written as {}: {why}",
                        format.name()
                    ))
                })
            })
            .collect::<Result<String>>()
    };
    // Line formats that a live shell reads also drop what would shadow the
    // credentials, as the shell formats do.
    let unsets = |unset: fn(&str) -> String| -> String {
        plan.steps()
            .iter()
            .filter_map(|step| match step {
                Step::Unset(name) => Some(unset(name) + "\n"),
                _ => None,
            })
            .collect()
    };
    Ok(match format {
        Format::Bash | Format::Env => plan.render(ShellKind::Bash),
        Format::Zsh => plan.render(ShellKind::Zsh),
        Format::Fish => plan.render(ShellKind::Fish),
        Format::Powershell => plan.render(ShellKind::Powershell),
        Format::EnvNoExport => {
            lines(&|name, value| Ok(shell::posix_assignment(name, value)))?
                + &unsets(|name| ShellKind::Bash.shell().unset(name))
        }
        Format::WindowsCmd => lines(&shell::windows_cmd_set)? + &unsets(shell::windows_cmd_unset),
        Format::Dotenv => lines(&|name, value| Ok(shell::dotenv_line(name, value)))?,
        Format::DockerEnv => lines(&shell::docker_env_line)?,
        Format::Json | Format::Process => activation::process_json(creds) + "\n",
    })
}

pub async fn run(args: ExportArgs) -> Result<()> {
    let config = Config::load()?;
    let spelling = config::selected_profile(args.profile.as_deref());
    let mut chain = target::resolve(&config, &spelling, args.sso_session.as_deref())
        .await?
        .chain;
    if let Some(region) = args.region {
        chain.profile.region = Some(region);
    }
    let creds = sso::assume::credentials(&chain, Mfa::Ask).await?;
    let profile = &chain.profile;
    let format = args.format.unwrap_or_else(Format::from_login_shell);
    print!("{}", render(format, profile, &creds)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::testing::{creds, profile};

    const EXPIRES: i64 = 2_000_000_000;

    fn exported(format: Format) -> Result<String> {
        render(format, &profile("dev", Some("eu-west-1")), &creds(EXPIRES))
    }

    #[test]
    fn aws_cli_shapes() {
        assert_eq!(
            exported(Format::WindowsCmd).unwrap(),
            "set AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n\
             set AWS_SECRET_ACCESS_KEY=secret\n\
             set AWS_SESSION_TOKEN=token\n\
             set AWS_CREDENTIAL_EXPIRATION=2033-05-18T03:33:20Z\n\
             set AWS_REGION=eu-west-1\n\
             set AWS_DEFAULT_REGION=eu-west-1\n\
             set AWS_SECURITY_TOKEN=\n"
        );
        let no_export = exported(Format::EnvNoExport).unwrap();
        assert!(
            no_export.starts_with("AWS_ACCESS_KEY_ID='ASIAEXAMPLE'\n"),
            "{no_export}"
        );
        assert!(
            no_export.ends_with("\nunset -v AWS_SECURITY_TOKEN\n"),
            "{no_export}"
        );
        assert!(!no_export.contains("export"), "{no_export}");
        assert_eq!(
            exported(Format::Process).unwrap(),
            exported(Format::Json).unwrap()
        );
        assert_eq!(
            exported(Format::DockerEnv).unwrap().lines().next(),
            Some("AWS_ACCESS_KEY_ID=ASIAEXAMPLE")
        );
    }

    #[test]
    fn a_value_a_format_cannot_carry_is_an_error_naming_the_variable_only() {
        let mut c = creds(EXPIRES);
        c.session_token = "s3cr3t\nt0ken".into();
        let p = profile("dev", None);
        for format in [Format::DockerEnv, Format::WindowsCmd] {
            let err = render(format, &p, &c).unwrap_err();
            let shown = err.to_string();
            assert!(
                shown.starts_with(&format!(
                    "AWS_SESSION_TOKEN cannot be written as {}: ",
                    format.name()
                )),
                "{shown}"
            );
            assert!(
                !shown.contains("s3cr3t") && !shown.contains("t0ken"),
                "{shown}"
            );
        }
        assert!(render(Format::Dotenv, &p, &c).is_ok(), "dotenv escapes it");
    }
}
