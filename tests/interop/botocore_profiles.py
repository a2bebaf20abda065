"""botocore resolving the profiles `ssoenv populate` wrote.

Run by tests/populate.rs with HOME, AWS_CONFIG_FILE and the AWS_ENDPOINT_URL_SSO*
variables pointing at the test's sandbox and emulator.

  botocore_profiles.py PROFILE...
      For each profile: the account and role botocore's SSO provider asks
      GetRoleCredentials for (caught as the call is built), the sso-session's
      start URL from the profile's config, and whether credentials came back.
      Prints {PROFILE: {"accountId", "roleName", "startUrl", "credentials"}}.
"""
import json
import sys

import botocore.session


def resolve(profile):
    session = botocore.session.Session(profile=profile)
    asked = {}

    def record(params, **kwargs):
        asked.update(accountId=params["accountId"], roleName=params["roleName"])

    session.register("before-parameter-build.sso.GetRoleCredentials", record)
    creds = session.get_credentials().get_frozen_credentials()
    sso_session = session.get_scoped_config()["sso_session"]
    start_url = session.full_config["sso_sessions"][sso_session]["sso_start_url"]
    return dict(asked, startUrl=start_url, credentials=bool(creds.access_key and creds.token))


def main():
    json.dump({profile: resolve(profile) for profile in sys.argv[1:]}, sys.stdout)


if __name__ == "__main__":
    main()
