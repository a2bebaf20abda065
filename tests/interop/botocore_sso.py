"""botocore as the independent reference for the shared cache formats.

Run by tests/interop.rs with HOME, AWS_CONFIG_FILE and the AWS_ENDPOINT_URL_SSO*
variables pointing at the test's sandbox and emulator.

  botocore_sso.py credentials PROFILE [--cli-cache]
      Role credentials through botocore's own SSO provider; with --cli-cache,
      wired to ~/.aws/cli/cache exactly as the AWS CLI v2 does
      (awscli/customizations/sso: sso_provider.cache = JSONFileCache(...)).
  botocore_sso.py token PROFILE
      The SSO token through botocore's SSOTokenProvider, which refreshes it
      (and rewrites the cache file) when under 15 minutes remain.
"""
import json
import os
import sys

import botocore.session
from botocore.tokens import SSOTokenProvider
from botocore.utils import JSONFileCache


def credentials(profile, cli_cache):
    session = botocore.session.Session(profile=profile)
    if cli_cache:
        provider = session.get_component("credential_provider").get_provider("sso")
        provider.cache = JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
    creds = session.get_credentials().get_frozen_credentials()
    return {"AccessKeyId": creds.access_key, "SecretAccessKey": creds.secret_key, "SessionToken": creds.token}


def token(profile):
    session = botocore.session.Session(profile=profile)
    return {"accessToken": SSOTokenProvider(session).load_token().get_frozen_token().token}


def main():
    verb, profile = sys.argv[1], sys.argv[2]
    if verb == "credentials":
        out = credentials(profile, "--cli-cache" in sys.argv[3:])
    elif verb == "token":
        out = token(profile)
    else:
        raise SystemExit(f"unknown verb {verb}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
