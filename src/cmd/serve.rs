//! `ssoenv serve`: the credential endpoint of `exec --server` on its own, in
//! the foreground, for another shell or a container on the host network.

use std::io::Write;

use crate::activation::handout;
use crate::cli::ServeArgs;
use crate::config::Config;
use crate::credential_server::CredentialServer;
use crate::error::Result;
use crate::shell::ShellKind;
use crate::target;

pub async fn run(args: ServeArgs) -> Result<()> {
    let config = Config::load()?;
    let mut chain = target::resolve(&config, &args.profile, args.sso_session.as_deref())
        .await?
        .chain;
    if let Some(region) = args.region {
        chain.profile.region = Some(region);
    }
    let profile = &chain.profile;
    let restart = format!("ssoenv serve {}", shell_words::quote(&profile.name));
    let server = CredentialServer::bind(chain.clone(), args.port, restart).await?;
    let kind = args
        .shell
        .or_else(ShellKind::from_login_shell)
        .unwrap_or(ShellKind::Bash);
    let out = handout::serve(profile, &server.endpoint()).render(kind);
    print!("{out}");
    std::io::stdout()
        .flush()
        .map_err(|e| crate::error::Error::io("write to stdout", e))?;
    crate::say!(
        "serving credentials of profile {} until Ctrl-C; set the variables above where they are needed",
        profile.name
    );
    tokio::select! {
        never = server.serve() => match never {},
        stopped = super::until_stopped() => stopped,
    }
}
