use crate::activation::{self, handout};
use crate::cli::{ExportArgs, Format};
use crate::config::{self, Config, SsoProfile};
use crate::error::Result;
use crate::shell::{self, ShellKind};
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

    fn shell(self) -> Option<ShellKind> {
        match self {
            Format::Bash | Format::Env => Some(ShellKind::Bash),
            Format::Zsh => Some(ShellKind::Zsh),
            Format::Fish => Some(ShellKind::Fish),
            Format::Powershell => Some(ShellKind::Powershell),
            Format::Dotenv | Format::Json => None,
        }
    }
}

fn render(format: Format, profile: &SsoProfile, creds: &RoleCredentials) -> String {
    let plan = handout::export(profile, creds);
    match (format, format.shell()) {
        (_, Some(kind)) => plan.render(kind),
        (Format::Dotenv, None) => plan
            .assignments()
            .map(|(name, value)| shell::dotenv_line(name, value) + "\n")
            .collect(),
        _ => activation::process_json(creds) + "\n",
    }
}

pub async fn run(args: ExportArgs) -> Result<()> {
    let config = Config::load()?;
    let spelling = config::selected_profile(args.profile.as_deref());
    let mut profile = target::resolve(&config, &spelling, args.sso_session.as_deref())
        .await?
        .profile;
    if let Some(region) = args.region {
        profile.region = Some(region);
    }
    let creds = sso::credentials::get(&profile).await?;
    let format = args.format.unwrap_or_else(Format::from_login_shell);
    print!("{}", render(format, &profile, &creds));
    Ok(())
}
