use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::cli::{ApprovalArg, EmulatorArgs};
use crate::emulator::{Approval, DEFAULT_START_URL, Emulator, EmulatorConfig, browser, sample};
use crate::error::{Error, Result};

/// Serve until interrupted; prints the variables that point clients at it.
pub fn run(args: EmulatorArgs) -> Result<()> {
    if args.print_config {
        print!("{}", sample::config(DEFAULT_START_URL));
        return Ok(());
    }
    if let (Some(file), Some(url)) = (&args.hand_off, &args.url) {
        return browser::hand_off(file, url)
            .map_err(|e| Error::io(format!("hand the URL to {}", file.display()), e));
    }
    let mut config = EmulatorConfig {
        approval: match args.approval {
            ApprovalArg::Auto => Approval::Auto,
            ApprovalArg::Manual => Approval::Manual,
            ApprovalArg::Deny => Approval::Deny,
        },
        credentials_ttl: Duration::from_secs(args.credentials_ttl),
        access_token_ttl: Duration::from_secs(args.token_ttl),
        latency: Duration::from_millis(args.latency_ms),
        rate_limit: args.rate_limit,
        ..EmulatorConfig::default()
    };
    // Distinct accounts, so that each profile has its own cache entry and a
    // benchmark measures one fetch per profile.
    config.accounts.extend(sample::extra_accounts(
        args.extra_accounts,
        args.roles_per_account,
    ));
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let emulator = Emulator::start_on(addr, config)
        .map_err(|e| Error::failed(format!("cannot listen on {addr}: {e}")))?;
    let endpoint = emulator.endpoint();
    println!("AWS_ENDPOINT_URL_SSO={endpoint}");
    println!("AWS_ENDPOINT_URL_SSO_OIDC={endpoint}");
    println!("AWS_ENDPOINT_URL_STS={endpoint}");
    println!("AWS_ENDPOINT_URL_SIGNIN={endpoint}");
    let _ = std::io::stdout().flush();
    crate::say!("Identity Center emulator listening on {endpoint}; Ctrl-C stops it");
    super::block_on(super::until_stopped())?;
    emulator.shutdown();
    Ok(())
}
