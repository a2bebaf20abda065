//! `ssoenv console --url` against the emulator's federation endpoint: which
//! credentials signed in, whether SessionDuration was sent, and the URL.

mod common;

use std::collections::HashMap;

use common::bounded::BoundedCommand;
use common::served::get_text;
use common::{Env, stderr};
use ssoenv::emulator::{DEFAULT_START_URL, Op};

/// The printed URL's address before `?` and its decoded query.
fn parse(url: &str) -> (String, HashMap<String, String>) {
    let (base, query) = url.trim().split_once('?').unwrap();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .into_owned()
    };
    let pairs = query
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect();
    (base.to_string(), pairs)
}

#[test]
fn an_sso_profile_signs_in_with_a_session_duration() {
    let env = Env::new();
    env.login();
    let creds = env.credentials("dev");
    let out = env.ok(&["console", "dev", "--url", "-s", "ec2", "--duration", "120"]);
    let (base, q) = parse(&out);
    assert_eq!(base, format!("{}/federation", env.emulator.endpoint()));
    assert_eq!(q["Action"], "login");
    assert_eq!(q["Issuer"], DEFAULT_START_URL);
    assert_eq!(
        q["Destination"],
        "https://eu-west-1.console.aws.amazon.com/ec2/v2/home?region=eu-west-1"
    );
    assert!(!q["SigninToken"].is_empty());
    let calls = env.emulator.signin_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].access_key_id,
        creds["AccessKeyId"].as_str().unwrap()
    );
    assert_eq!(calls[0].session_duration, Some(7200));
    assert!(calls[0].issued);

    env.ok(&["console", "dev", "--url"]);
    assert_eq!(env.emulator.signin_calls()[1].session_duration, Some(3600));
}

#[test]
fn a_chained_profile_signs_in_without_a_session_duration() {
    let env = Env::new();
    env.login();
    let creds = env.credentials("deploy");
    let out = env.run(&[
        "console",
        "deploy",
        "--url",
        "--region",
        "us-west-2",
        "-s",
        "lambda",
        "--duration",
        "120",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("--duration does not apply to a chained role"));
    let (_, q) = parse(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(
        q["Destination"],
        "https://us-west-2.console.aws.amazon.com/lambda/home?region=us-west-2"
    );
    let calls = env.emulator.signin_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].access_key_id,
        creds["AccessKeyId"].as_str().unwrap()
    );
    assert_eq!(calls[0].session_duration, None);
    assert_eq!(env.emulator.calls(Op::AssumeRole), 1);
}

#[test]
fn unknown_services_pass_through_and_destinations_are_taken_as_given() {
    let env = Env::new();
    env.login();
    let out = env.run(&["console", "prod", "--url", "-s", "quicksight"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("`quicksight` is not a known service shortcut"));
    let (_, q) = parse(&String::from_utf8(out.stdout).unwrap());
    // prod has no region: the SSO region.
    assert_eq!(
        q["Destination"],
        "https://us-east-1.console.aws.amazon.com/quicksight/home?region=us-east-1"
    );
    let given = "https://console.aws.amazon.com/s3/buckets?a=1&b=2";
    let (_, q) = parse(&env.ok(&["console", "prod", "--url", "--destination", given]));
    assert_eq!(q["Destination"], given);
}

/// AWS refuses SessionDuration for chained credentials; so does the emulator.
#[test]
fn the_endpoint_refuses_a_session_duration_for_chained_credentials() {
    let env = Env::new();
    env.login();
    let get = |creds: &serde_json::Value, duration: &str| {
        let session = serde_json::json!({
            "sessionId": creds["AccessKeyId"],
            "sessionKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
        })
        .to_string();
        let session =
            percent_encoding::utf8_percent_encode(&session, percent_encoding::NON_ALPHANUMERIC);
        let host = env.emulator.addr();
        get_text(
            &format!("http://{host}/federation?Action=getSigninToken{duration}&Session={session}"),
            None,
        )
        .0
    };
    let chained = env.credentials("deploy");
    assert_eq!(get(&chained, "&SessionDuration=3600"), 400);
    assert_eq!(get(&chained, ""), 200);
    let sso = env.credentials("dev");
    assert_eq!(get(&sso, "&SessionDuration=3600"), 200);
    let mut forged = sso.clone();
    forged["SecretAccessKey"] = "not-the-key".into();
    assert_eq!(get(&forged, ""), 400);
}

/// Without --url the URL goes to BROWSER, and it signs the browser in.
#[test]
fn the_browser_opens_a_url_that_signs_in() {
    let env = Env::new();
    env.login();
    let opened = env.home().join("opened");
    let ssoenv = std::path::Path::new(env!("CARGO_BIN_EXE_ssoenv"));
    let browser = ssoenv::emulator::browser::hand_off_command(ssoenv, &opened);
    let out = env
        .cmd(&["console", "deploy"])
        .env("BROWSER", browser)
        .bounded_output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the URL goes to the browser only");
    assert!(
        stderr(&out).contains("opened the console as Deploy in account 222222222222"),
        "{}",
        stderr(&out)
    );
    let url = std::fs::read_to_string(&opened).unwrap();
    let path = url.trim().strip_prefix(&env.emulator.endpoint()).unwrap();
    let (status, page) = get_text(&format!("http://{}{path}", env.emulator.addr()), None);
    assert_eq!(status, 200, "{page}");
    let key = env.emulator.assume_role_calls()[0].issued.clone().unwrap();
    assert!(page.contains(&format!("Signed in to the emulated console with {key}")));
}
