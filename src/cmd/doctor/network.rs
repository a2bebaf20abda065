//! The clock and Identity Center: each sso-session's OIDC and portal
//! endpoints answer within the time-out (`--timeout`, one attempt, no
//! retries), the portal still accepts the cached sign-in, and this
//! computer's clock agrees with the `Date` header of the answers.
//!
//! The probes change nothing: the OIDC endpoint gets a CreateToken for a
//! client that does not exist, the portal a ListAccounts of one item (with
//! the cached token while it is valid, else with none that works).

use std::time::{Instant, SystemTime};

use aws_config::retry::RetryConfig;
use tokio::task::JoinSet;

use super::config::Session;
use super::{Area, Check};
use crate::config::SsoSession;
use crate::secret::Secret;
use crate::sso::client::{self, Service};
use crate::timestamp::format_duration;

/// Beyond this, AWS refuses signed requests (RequestTimeTooSkewed) and
/// credentials look valid or expired at the wrong times.
const CLOCK_LIMIT: time::Duration = time::Duration::minutes(5);

const HALF_SECOND: time::Duration = time::Duration::milliseconds(500);

/// What the probes send where a client id, secret or token is required.
const NOBODY: &str = "ssoenv-doctor-probe";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The endpoint answered (an error, as a probe expects).
    Answered { code: Option<String> },
    /// The portal answered the cached token with a listing.
    Accepted,
    /// Why there was no answer.
    NoAnswer(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub endpoint: String,
    /// The variable that points the client at the endpoint, if one does.
    pub set_by: Option<&'static str>,
    pub outcome: Outcome,
    pub millis: u128,
    /// The server's Date minus this computer's clock, when it sent one.
    pub skew: Option<time::Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probes {
    /// `sso-session corp`
    pub session: String,
    pub region: String,
    pub login: String,
    /// Whether the portal was asked with the cached token.
    pub token_sent: bool,
    pub oidc: Probe,
    pub portal: Probe,
}

/// Probe every session at once; each probe is bounded by the time-out.
pub async fn gather(
    sessions: &[Session],
    token: impl Fn(&SsoSession) -> Option<Secret>,
) -> Vec<Probes> {
    let mut tasks = JoinSet::new();
    for (i, s) in sessions.iter().enumerate() {
        let token = token(&s.session);
        let (session, region, login) = (
            s.session.to_string(),
            s.session.region.clone(),
            s.login.clone(),
        );
        tasks.spawn(async move {
            let token_sent = token.is_some();
            let (oidc, portal) = tokio::join!(oidc(&region), portal(&region, token));
            let probes = Probes {
                session,
                region,
                login,
                token_sent,
                oidc,
                portal,
            };
            (i, probes)
        });
    }
    let mut done: Vec<(usize, Probes)> = tasks.join_all().await;
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, p)| p).collect()
}

async fn oidc(region: &str) -> Probe {
    let started = Instant::now();
    let result = client::oidc(region)
        .await
        .create_token()
        .client_id(NOBODY)
        .client_secret(NOBODY)
        .grant_type("refresh_token")
        .refresh_token(NOBODY)
        .customize()
        .config_override(
            aws_sdk_ssooidc::config::Builder::default().retry_config(RetryConfig::disabled()),
        )
        .send()
        .await;
    let endpoint = client::endpoint(Service::Oidc, region);
    let (outcome, date) = match &result {
        Ok(_) => (Outcome::Answered { code: None }, None),
        Err(e) => match e.raw_response() {
            Some(raw) => (
                Outcome::Answered {
                    code: client::error_code(e).map(String::from),
                },
                raw.headers().get("date").map(String::from),
            ),
            None => (
                Outcome::NoAnswer(client::failure("CreateToken", &endpoint, e).message),
                None,
            ),
        },
    };
    probe(Service::Oidc, endpoint, outcome, date, started)
}

async fn portal(region: &str, token: Option<Secret>) -> Probe {
    let started = Instant::now();
    let result = client::portal(region)
        .await
        .list_accounts()
        .access_token(token.as_ref().map_or(NOBODY, Secret::expose))
        .max_results(1)
        .customize()
        .config_override(
            aws_sdk_sso::config::Builder::default().retry_config(RetryConfig::disabled()),
        )
        .send()
        .await;
    let endpoint = client::endpoint(Service::Portal, region);
    let (outcome, date) = match &result {
        Ok(_) => (Outcome::Accepted, None),
        Err(e) => match e.raw_response() {
            Some(raw) => (
                Outcome::Answered {
                    code: client::error_code(e).map(String::from),
                },
                raw.headers().get("date").map(String::from),
            ),
            None => (
                Outcome::NoAnswer(client::failure("ListAccounts", &endpoint, e).message),
                None,
            ),
        },
    };
    probe(Service::Portal, endpoint, outcome, date, started)
}

fn probe(
    service: Service,
    endpoint: String,
    outcome: Outcome,
    date: Option<String>,
    started: Instant,
) -> Probe {
    let now = SystemTime::now();
    // A Date names a whole second: take the middle of it.
    let skew = date
        .and_then(|d| httpdate::parse_http_date(&d).ok())
        .and_then(|date| match date.duration_since(now) {
            Ok(ahead) => time::Duration::try_from(ahead).ok(),
            Err(behind) => time::Duration::try_from(behind.duration()).ok().map(|d| -d),
        })
        .map(|skew| skew + HALF_SECOND);
    Probe {
        endpoint,
        set_by: client::endpoint_override_var(service),
        outcome,
        millis: started.elapsed().as_millis(),
        skew,
    }
}

pub fn checks(probes: &[Probes]) -> Vec<Check> {
    let mut out = Vec::new();
    for p in probes {
        let session = &p.session;
        for (what, probe) in [("OIDC", &p.oidc), ("portal", &p.portal)] {
            let ep = &probe.endpoint;
            out.push(match &probe.outcome {
                Outcome::Accepted => Check::pass(
                    Area::Network,
                    format!("{session}: the {what} endpoint {ep} answers and accepts the sign-in"),
                ),
                Outcome::Answered { code }
                    if p.token_sent
                        && what == "portal"
                        && code.as_deref() == Some("UnauthorizedException") =>
                {
                    Check::fail(
                        Area::Network,
                        format!(
                            "{session}: the portal {ep} refuses the cached sign-in: it was ended \
                             or revoked"
                        ),
                        format!("{} --force", p.login),
                    )
                }
                Outcome::Answered { .. } => Check::pass(
                    Area::Network,
                    format!(
                        "{session}: the {what} endpoint {ep} answers ({} ms)",
                        probe.millis
                    ),
                ),
                Outcome::NoAnswer(why) => Check::fail(
                    Area::Network,
                    format!("{session}: {why}"),
                    match probe.set_by {
                        Some(var) => format!(
                            "{var} points ssoenv at {ep}: check that address, or unset {var}"
                        ),
                        None => format!(
                            "check the network (HTTPS_PROXY, if you need a proxy) and sso_region \
                             = {} of {session}",
                            p.region
                        ),
                    },
                ),
            });
        }
    }
    let dated = probes
        .iter()
        .flat_map(|p| [&p.oidc, &p.portal])
        .find_map(|probe| Some((probe.skew?, &probe.endpoint)));
    match dated {
        Some((skew, ep)) if skew.abs() > CLOCK_LIMIT => out.push(Check::fail(
            Area::Network,
            format!(
                "this computer's clock is {} {} Identity Center's (the Date of {ep}'s answer): \
                 tokens and keys seem to expire at the wrong times, and AWS refuses signed requests",
                format_duration(time::Duration::seconds(skew.as_seconds_f64().round() as i64)),
                if skew.is_positive() { "behind" } else { "ahead of" }
            ),
            "set the clock right, and keep it so: `sudo timedatectl set-ntp true` (Linux), \
             \"Set time and date automatically\" (macOS, Windows)",
        )),
        Some((skew, ep)) => {
            // The server's time was anywhere in the second the Date names.
            let bound = (skew.abs() + HALF_SECOND).as_seconds_f64().ceil() as i64;
            out.push(Check::pass(
                Area::Network,
                format!(
                    "the clock agrees with Identity Center's (the Date of {ep}'s answer) to \
                     within {}",
                    format_duration(time::Duration::seconds(bound))
                ),
            ));
        }
        None if !probes.is_empty() => out.push(Check::skip(
            Area::Network,
            "no answer carried a Date header, so the clock could not be compared",
            None,
        )),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    fn probe(outcome: Outcome, skew: Option<i64>) -> Probe {
        Probe {
            endpoint: "https://oidc.us-east-1.amazonaws.com".into(),
            set_by: None,
            outcome,
            millis: 12,
            skew: skew.map(time::Duration::seconds),
        }
    }

    fn answered(code: &str) -> Outcome {
        Outcome::Answered {
            code: Some(code.into()),
        }
    }

    fn probes(oidc: Probe, portal: Probe, token_sent: bool) -> Vec<Probes> {
        vec![Probes {
            session: "sso-session corp".into(),
            region: "us-east-1".into(),
            login: "ssoenv login --sso-session corp".into(),
            token_sent,
            oidc,
            portal,
        }]
    }

    fn judged(p: &[Probes]) -> Vec<(Status, String, Option<String>)> {
        checks(p)
            .into_iter()
            .map(|c| (c.status, c.message, c.fix))
            .collect()
    }

    #[test]
    fn answering_endpoints_and_a_good_clock_pass() {
        let got = judged(&probes(
            probe(answered("InvalidClientException"), Some(0)),
            probe(Outcome::Accepted, None),
            true,
        ));
        assert!(got.iter().all(|c| c.0 == Status::Pass), "{got:?}");
        assert!(got[1].1.contains("answers and accepts the sign-in"));
        assert_eq!(
            got[2].1,
            "the clock agrees with Identity Center's (the Date of \
             https://oidc.us-east-1.amazonaws.com's answer) to within 1s"
        );
    }

    #[test]
    fn skew_beyond_five_minutes_fails_either_way() {
        for (skew, words) in [(3600, "1h00m behind"), (-600, "10m ahead of")] {
            let got = judged(&probes(
                probe(answered("InvalidClientException"), Some(skew)),
                probe(answered("UnauthorizedException"), Some(skew)),
                false,
            ));
            let clock = &got[2];
            assert_eq!(clock.0, Status::Fail);
            assert!(clock.1.contains(words), "{}", clock.1);
            assert!(
                clock
                    .2
                    .as_deref()
                    .unwrap()
                    .contains("timedatectl set-ntp true")
            );
        }
        let got = judged(&probes(
            probe(answered("x"), Some(299)),
            probe(answered("x"), None),
            false,
        ));
        assert_eq!(got[2].0, Status::Pass);
    }

    #[test]
    fn silence_and_a_refused_sign_in_fail_with_a_fix() {
        let mut oidc = probe(
            Outcome::NoAnswer("CreateToken: cannot reach http://127.0.0.1:9".into()),
            None,
        );
        oidc.set_by = Some("AWS_ENDPOINT_URL_SSO_OIDC");
        oidc.endpoint = "http://127.0.0.1:9".into();
        let got = judged(&probes(
            oidc,
            probe(answered("UnauthorizedException"), None),
            true,
        ));
        assert_eq!(
            got[0],
            (
                Status::Fail,
                "sso-session corp: CreateToken: cannot reach http://127.0.0.1:9".into(),
                Some(
                    "AWS_ENDPOINT_URL_SSO_OIDC points ssoenv at http://127.0.0.1:9: check that \
                     address, or unset AWS_ENDPOINT_URL_SSO_OIDC"
                        .into()
                )
            )
        );
        assert_eq!(got[1].0, Status::Fail);
        assert!(got[1].1.contains("refuses the cached sign-in"));
        assert_eq!(
            got[1].2.as_deref(),
            Some("ssoenv login --sso-session corp --force")
        );
        assert_eq!(got[2].0, Status::Skip);
        // Without a token, the portal's refusal only shows it answers.
        let got = judged(&probes(
            probe(answered("x"), None),
            probe(answered("UnauthorizedException"), None),
            false,
        ));
        assert_eq!(got[1].0, Status::Pass);
        let unset = judged(&probes(
            probe(Outcome::NoAnswer("CreateToken: no answer".into()), None),
            probe(answered("x"), None),
            false,
        ));
        assert!(
            unset[0]
                .2
                .as_deref()
                .unwrap()
                .contains("sso_region = us-east-1 of sso-session corp")
        );
    }
}
