"""botocore reading what `write-credentials` and the credential server hand out.

Run by tests/write_credentials.rs and tests/credential_server.rs with HOME
pointing at the test's sandbox.

  botocore_credentials.py shared PROFILE EMPTY_CONFIG
      The profile's credentials from botocore's default chain with
      AWS_CONFIG_FILE=EMPTY_CONFIG, so that only the shared credentials file
      can supply them (botocore cannot use SSO without the config).
  botocore_credentials.py container
      Run under `ssoenv exec --server`: the default chain's credentials, read
      twice (two-minute credentials are inside botocore's refresh window, so
      the second read fetches again), and the endpoint's answers to requests
      without the token and with a wrong one.
"""
import json
import os
import sys
import urllib.error
import urllib.request

import botocore.session


def frozen(creds):
    f = creds.get_frozen_credentials()
    return {"AccessKeyId": f.access_key, "SecretAccessKey": f.secret_key, "SessionToken": f.token}


def shared(profile, empty_config):
    os.environ["AWS_CONFIG_FILE"] = empty_config
    creds = botocore.session.Session(profile=profile).get_credentials()
    return dict(frozen(creds), method=creds.method)


def status_of(token):
    request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    if token is not None:
        request.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def container():
    creds = botocore.session.Session().get_credentials()
    first = frozen(creds)
    second = frozen(creds)
    return {
        "method": creds.method,
        "first": first,
        "second": second,
        "without_token": status_of(None),
        "wrong_token": status_of("0" * 64),
        "env": {k: os.environ.get(k) for k in (
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
            "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI")},
    }


def main():
    verb = sys.argv[1]
    if verb == "shared":
        out = shared(sys.argv[2], sys.argv[3])
    elif verb == "container":
        out = container()
    else:
        raise SystemExit(f"unknown verb {verb}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
