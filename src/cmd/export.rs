use serde_json::json;

use crate::cli::{ExportArgs, Format};
use crate::config::{self, Config, SsoProfile};
use crate::error::Result;
use crate::shell::{self, ShellKind};
use crate::sso::{self, RoleCredentials};

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

/// Variables that would shadow the ones set: botocore prefers a stale
/// AWS_SECURITY_TOKEN over AWS_SESSION_TOKEN.
pub const STALE: &[&str] = &["AWS_SECURITY_TOKEN"];

/// The environment that hands `creds` to AWS tools.
pub fn variables(profile: &SsoProfile, creds: &RoleCredentials) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key.clone()),
        ("AWS_SESSION_TOKEN", creds.session_token.clone()),
        ("AWS_CREDENTIAL_EXPIRATION", creds.expiration.clone()),
    ];
    vars.extend(region_variables(profile));
    vars
}

/// The profile's region for tools that read only the environment; both
/// names, since upstream botocore reads only AWS_DEFAULT_REGION.
pub fn region_variables(profile: &SsoProfile) -> Vec<(&'static str, String)> {
    match &profile.region {
        Some(region) => vec![
            ("AWS_REGION", region.clone()),
            ("AWS_DEFAULT_REGION", region.clone()),
        ],
        None => Vec::new(),
    }
}

/// The credentials as the JSON both hand-out protocols use; only the
/// session token's member name differs between them.
pub fn credentials_document(
    creds: &RoleCredentials,
    session_token_member: &str,
) -> serde_json::Value {
    let mut doc = json!({
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        session_token_member: creds.session_token,
        "Expiration": creds.expiration,
    });
    if let Some(a) = &creds.account_id {
        doc["AccountId"] = json!(a);
    }
    doc
}

/// The credential_process document (Version 1).
pub fn process_json(creds: &RoleCredentials) -> String {
    let mut doc = credentials_document(creds, "SessionToken");
    doc["Version"] = json!(1);
    serde_json::to_string_pretty(&doc).expect("a JSON value always serializes")
}

pub fn render(format: Format, profile: &SsoProfile, creds: &RoleCredentials) -> String {
    let vars = variables(profile, creds);
    let mut out = String::new();
    match (format, format.shell()) {
        (_, Some(kind)) => {
            let sh = kind.shell();
            for (name, value) in &vars {
                out.push_str(&sh.set(name, value));
                out.push('\n');
            }
            for name in STALE {
                out.push_str(&sh.unset(name));
                out.push('\n');
            }
        }
        (Format::Dotenv, None) => {
            for (name, value) in &vars {
                out.push_str(&shell::dotenv_line(name, value));
                out.push('\n');
            }
        }
        _ => {
            out.push_str(&process_json(creds));
            out.push('\n');
        }
    }
    out
}

pub async fn run(args: ExportArgs) -> Result<()> {
    let config = Config::load()?;
    let profile = config.sso_profile(&config::selected_profile(args.profile.as_deref()))?;
    let creds = sso::credentials::get(&profile).await?;
    let format = args.format.unwrap_or_else(Format::from_login_shell);
    print!("{}", render(format, &profile, &creds));
    Ok(())
}
