//! The AWS Management Console sign-in through the federation endpoint
//! (wave2.md §1): where the endpoint is for a region, what the console
//! destination is for a service, and the two URLs of the exchange — the
//! `getSigninToken` request made with the role credentials, and the `login`
//! URL the browser opens. Pure functions of their inputs; `cmd/console.rs`
//! makes the request and opens the browser.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use crate::secret::Secret;
use crate::sso::RoleCredentials;

/// Console sessions may last 15 minutes to 12 hours; one hour unless asked.
pub const DEFAULT_MINUTES: u32 = 60;

/// Query values: everything but RFC 3986's unreserved characters is encoded.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(v: &str) -> String {
    utf8_percent_encode(v, VALUE).to_string()
}

/// The partition's sign-in and console domains, from the region's prefix.
fn domains(region: &str) -> (&'static str, &'static str) {
    if region.starts_with("cn-") {
        ("signin.amazonaws.cn", "console.amazonaws.cn")
    } else if region.starts_with("us-gov-") {
        (
            "signin.amazonaws-us-gov.com",
            "console.amazonaws-us-gov.com",
        )
    } else {
        ("signin.aws.amazon.com", "console.aws.amazon.com")
    }
}

/// `https://{region}.signin.aws.amazon.com/federation`, the host bare for
/// each partition's home region (us-east-1, cn-north-1, us-gov-west-1), or
/// the `AWS_ENDPOINT_URL_SIGNIN` override with `/federation` added.
pub fn federation_endpoint(region: &str, endpoint_override: Option<&str>) -> String {
    if let Some(base) = endpoint_override {
        return format!("{}/federation", base.trim_end_matches('/'));
    }
    let (signin, _) = domains(region);
    match region {
        "us-east-1" | "cn-north-1" | "us-gov-west-1" => format!("https://{signin}/federation"),
        _ => format!("https://{region}.{signin}/federation"),
    }
}

/// Console paths for the common service shortcuts (as granted's `-s`).
const SERVICES: &[(&str, &str)] = &[
    ("acm", "acm"),
    ("apigateway", "apigateway"),
    ("athena", "athena"),
    ("billing", "billing"),
    ("cloudformation", "cloudformation"),
    ("cfn", "cloudformation"),
    ("cloudfront", "cloudfront/v4"),
    ("cloudtrail", "cloudtrail"),
    ("cloudwatch", "cloudwatch"),
    ("cw", "cloudwatch"),
    ("codebuild", "codesuite/codebuild"),
    ("codepipeline", "codesuite/codepipeline"),
    ("ddb", "dynamodbv2"),
    ("dynamodb", "dynamodbv2"),
    ("ec2", "ec2/v2"),
    ("ecr", "ecr"),
    ("ecs", "ecs/v2"),
    ("eks", "eks"),
    ("elasticache", "elasticache"),
    ("eventbridge", "events"),
    ("iam", "iamv2"),
    ("kms", "kms"),
    ("l", "lambda"),
    ("lambda", "lambda"),
    ("logs", "cloudwatch"),
    ("organizations", "organizations/v2"),
    ("param", "systems-manager/parameters"),
    ("r53", "route53/v2"),
    ("rds", "rds"),
    ("route53", "route53/v2"),
    ("s3", "s3"),
    ("secretsmanager", "secretsmanager"),
    ("sm", "secretsmanager"),
    ("sns", "sns/v3"),
    ("sqs", "sqs/v3"),
    ("ssm", "systems-manager"),
    ("stepfunctions", "states"),
    ("sfn", "states"),
    ("vpc", "vpc"),
];

/// Where the console opens: the service's home page in `region` (the
/// console's home without a service). The bool says the name is no known
/// shortcut and was used as the path as given.
pub fn destination(service: Option<&str>, region: &str) -> (String, bool) {
    let (_, console) = domains(region);
    let (path, unknown) = match service {
        None => ("console", false),
        Some(s) => match SERVICES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(s))
        {
            Some((_, path)) => (*path, false),
            None => (s.trim_matches('/'), true),
        },
    };
    (
        format!(
            "https://{region}.{console}/{path}/home?region={}",
            encode(region)
        ),
        unknown,
    )
}

/// The `getSigninToken` request: the credentials as the `Session` JSON, and
/// `SessionDuration` in seconds when given (only for credentials from an
/// AssumeRole made with long-term or SSO credentials: AWS refuses it for
/// chained ones). A secret: it carries the keys.
pub fn signin_token_url(
    endpoint: &str,
    creds: &RoleCredentials,
    session_minutes: Option<u32>,
) -> Secret {
    let session = json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key.expose(),
        "sessionToken": creds.session_token.expose(),
    });
    let mut url = format!("{endpoint}?Action=getSigninToken");
    if let Some(m) = session_minutes {
        url.push_str(&format!("&SessionDuration={}", u64::from(m) * 60));
    }
    url.push_str(&format!("&Session={}", encode(&session.to_string())));
    url.into()
}

/// The URL that signs the browser in: the token, where to go, and
/// `Issuer`, where the console sends the user when the session ends.
pub fn login_url(endpoint: &str, issuer: &str, destination: &str, token: &str) -> String {
    format!(
        "{endpoint}?Action=login&Issuer={}&Destination={}&SigninToken={}",
        encode(issuer),
        encode(destination),
        encode(token)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_follow_the_partition_and_region() {
        assert_eq!(
            federation_endpoint("us-east-1", None),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            federation_endpoint("eu-west-1", None),
            "https://eu-west-1.signin.aws.amazon.com/federation"
        );
        assert_eq!(
            federation_endpoint("cn-northwest-1", None),
            "https://cn-northwest-1.signin.amazonaws.cn/federation"
        );
        assert_eq!(
            federation_endpoint("us-gov-west-1", None),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            federation_endpoint("eu-west-1", Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9/federation"
        );
    }

    #[test]
    fn destinations_for_shortcuts_and_unknown_names() {
        assert_eq!(
            destination(None, "eu-west-1"),
            (
                "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1".into(),
                false
            )
        );
        assert_eq!(
            destination(Some("EC2"), "us-east-1").0,
            "https://us-east-1.console.aws.amazon.com/ec2/v2/home?region=us-east-1"
        );
        assert_eq!(
            destination(Some("quicksight"), "cn-north-1"),
            (
                "https://cn-north-1.console.amazonaws.cn/quicksight/home?region=cn-north-1".into(),
                true
            )
        );
    }

    #[test]
    fn every_query_value_is_encoded() {
        let creds = RoleCredentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: "a+b/c=".into(),
            session_token: "t&k=1".into(),
            expiration: "2026-01-01T00:00:00Z".parse().unwrap(),
            account_id: None,
        };
        let url = signin_token_url("https://s/federation", &creds, Some(60));
        assert_eq!(
            url.expose(),
            "https://s/federation?Action=getSigninToken&SessionDuration=3600&Session=\
             %7B%22sessionId%22%3A%22ASIAX%22%2C%22sessionKey%22%3A%22a%2Bb%2Fc%3D%22%2C\
             %22sessionToken%22%3A%22t%26k%3D1%22%7D"
        );
        assert!(!format!("{url:?}").contains("ASIAX"));
        let url = signin_token_url("https://s/federation", &creds, None);
        assert!(!url.expose().contains("SessionDuration"));
        assert_eq!(
            login_url(
                "https://s/federation",
                "https://d-1.awsapps.com/start",
                "https://x/?a=b&c",
                "T+/"
            ),
            "https://s/federation?Action=login&Issuer=https%3A%2F%2Fd-1.awsapps.com%2Fstart\
             &Destination=https%3A%2F%2Fx%2F%3Fa%3Db%26c&SigninToken=T%2B%2F"
        );
    }
}
