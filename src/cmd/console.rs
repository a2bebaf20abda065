//! `ssoenv console`: the AWS Management Console, signed in as a profile's
//! role, through the federation endpoint (see `console.rs` for the URLs).

use std::time::Duration;

use aws_smithy_http_client::{Connector, tls};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use http_body_util::BodyExt;
use serde::Deserialize;

use crate::cli::ConsoleArgs;
use crate::config::{self, Config};
use crate::console;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::sso::assume::{self, Mfa};
use crate::sso::{RoleCredentials, browser, client};
use crate::target;

/// Redirects the federation endpoint, as AWS_ENDPOINT_URL_STS does STS.
const ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_SIGNIN";

pub async fn run(args: ConsoleArgs) -> Result<()> {
    let config = Config::load()?;
    let spelling = config::selected_profile(args.profile.as_deref());
    let chain = target::resolve(&config, &spelling, args.sso_session.as_deref())
        .await?
        .chain;
    let creds = assume::credentials(&chain, Mfa::Ask).await?;
    let region = args
        .region
        .or_else(|| chain.profile.region.clone())
        .unwrap_or_else(|| chain.root.session.region.clone());
    let minutes = match (chain.is_chained(), args.duration) {
        (false, minutes) => Some(minutes.unwrap_or(console::DEFAULT_MINUTES)),
        (true, Some(_)) => {
            crate::say!(
                "note: --duration does not apply to a chained role; the console session lasts as long as its credentials ({})",
                creds
                    .expiration
                    .describe_expiry(crate::timestamp::Timestamp::now())
            );
            None
        }
        (true, None) => None,
    };
    let endpoint_override = std::env::var(ENDPOINT_VAR).ok().filter(|v| !v.is_empty());
    let endpoint = console::federation_endpoint(&region, endpoint_override.as_deref());
    let token = signin_token(&endpoint, &creds, minutes).await?;
    let destination = match args.destination {
        Some(d) => d,
        None => {
            let (d, unknown) = console::destination(args.service.as_deref(), &region);
            if unknown {
                crate::say!(
                    "note: `{}` is not a known service shortcut; opening {d}",
                    args.service.as_deref().unwrap_or_default()
                );
            }
            d
        }
    };
    let url = console::login_url(
        &endpoint,
        &chain.root.session.start_url,
        &destination,
        token.expose(),
    );
    if args.url {
        println!("{url}");
        return Ok(());
    }
    let opener = browser::Surroundings::from_env().opener();
    match browser::launch(opener.as_ref(), &url).await {
        Ok(()) => crate::say!(
            "opened the console as {} in account {}",
            chain.profile.role_name,
            chain.profile.account_id
        ),
        Err(why) => {
            crate::say!("cannot open a browser ({why}); open this URL:");
            println!("{url}");
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct SigninToken {
    #[serde(rename = "SigninToken")]
    signin_token: Secret,
}

/// `getSigninToken` over the SDK's own HTTPS stack (there is no generated
/// client for the federation endpoint), bounded by the call budget.
async fn signin_token(
    endpoint: &str,
    creds: &RoleCredentials,
    minutes: Option<u32>,
) -> Result<Secret> {
    let url = console::signin_token_url(endpoint, creds, minutes);
    crate::trace!("getSigninToken at {endpoint}");
    let failed = |what: String| Error::failed(format!("getSigninToken at {endpoint}: {what}"));
    let budget = client::budget();
    let connector = Connector::builder()
        .connector_settings(
            HttpConnectorSettings::builder()
                .connect_timeout(budget.min(Duration::from_secs(3)))
                .read_timeout(budget)
                .build(),
        )
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build();
    let request = HttpRequest::get(url.expose()).map_err(|e| failed(e.to_string()))?;
    let exchange = async {
        let response = connector
            .call(request)
            .await
            .map_err(|_| failed("cannot reach the endpoint".into()))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| failed("the answer was cut off".into()))?
            .to_bytes();
        Ok::<_, Error>((status, body))
    };
    let (status, body) = tokio::time::timeout(budget, exchange)
        .await
        .map_err(|_| failed(format!("no answer within {}s", budget.as_secs_f32())))??;
    if status != 200 {
        // The body says little more than the status; never echo it whole.
        return Err(failed(format!(
            "HTTP {status} (AWS answers 400 for credentials it does not accept)"
        )));
    }
    serde_json::from_slice::<SigninToken>(&body)
        .map(|t| t.signin_token)
        .map_err(|_| failed("the answer has no SigninToken".into()))
}
