use crate::activation;
use crate::cli::ProfileArg;
use crate::config::Config;
use crate::error::Result;
use crate::sso;
use crate::target;

/// Never signs in: an SDK runs this without a terminal, so a browser sign-in
/// would wait for nobody. A missing session fails at once with the hint.
pub async fn run(args: ProfileArg) -> Result<()> {
    let config = Config::load()?;
    let target = target::resolve(&config, &args.profile, args.sso_session.as_deref()).await?;
    let creds = sso::assume::credentials(&target.chain, sso::assume::Mfa::Never).await?;
    println!("{}", activation::process_json(&creds));
    Ok(())
}
