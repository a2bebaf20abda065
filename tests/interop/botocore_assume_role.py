"""botocore as the oracle for role profiles chained after SSO.

Run by tests/chain.rs with HOME pointing at the test's sandbox.

  botocore_assume_role.py key ARGS_JSON
      The AWS CLI's cache key for an AssumeRole call with these arguments
      (RoleArn plus any of RoleSessionName, ExternalId, SerialNumber,
      DurationSeconds), from botocore's own AssumeRoleCredentialFetcher.
  botocore_assume_role.py resolve PROFILE
      The profile's credentials as the AWS CLI v2 resolves them: botocore's
      default chain, with the assume-role provider caching in
      ~/.aws/cli/cache as awscli/customizations/assumerole.py sets it up.
"""
import json
import os
import sys

import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher
from botocore.utils import JSONFileCache


def key(args):
    args = json.loads(args)
    role_arn = args.pop("RoleArn")
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=None, source_credentials=None, role_arn=role_arn, extra_args=args
    )
    return {"key": fetcher._create_cache_key()}


def resolve(profile):
    session = botocore.session.Session(profile=profile)
    provider = session.get_component("credential_provider").get_provider("assume-role")
    provider.cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
    creds = session.get_credentials()
    f = creds.get_frozen_credentials()
    return {"AccessKeyId": f.access_key, "method": creds.method}


if __name__ == "__main__":
    command, arg = sys.argv[1], sys.argv[2]
    print(json.dumps({"key": key, "resolve": resolve}[command](arg)))
