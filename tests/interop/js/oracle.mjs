// The AWS SDK for JavaScript v3 resolving credentials from what ssoenv set
// up, each provider on its own, and a real client (STS) signing a request
// with them. Run by tests/interop_js.rs with HOME (and the AWS_* variables)
// pointing at the test's sandbox; prints one JSON object.
//
//   oracle.mjs sso PROFILE        fromSSO: the token ssoenv signed in with
//                                 (refreshed first when near expiry)
//   oracle.mjs process PROFILE    fromProcess: the profile's credential_process
//   oracle.mjs container          fromHttp and fromContainerMetadata, under
//                                 `ssoenv exec --server`
//   oracle.mjs ini PROFILE        fromIni: what `write-credentials` wrote
//
// The SSO clients inside fromSSO reach the emulator through
// AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC; STS goes to a
// loopback listener here that records how the request was signed.

import http from "node:http";

import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  fromContainerMetadata,
  fromHttp,
  fromIni,
  fromProcess,
  fromSSO,
} from "@aws-sdk/credential-providers";

const IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:sts::111111111111:assumed-role/Admin/ssoenv</Arn>
<UserId>AROAEXAMPLE:ssoenv</UserId><Account>111111111111</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;

function shown(creds) {
  return {
    AccessKeyId: creds.accessKeyId,
    SecretAccessKey: creds.secretAccessKey,
    SessionToken: creds.sessionToken,
    Expiration: creds.expiration ? creds.expiration.toISOString() : null,
  };
}

// STS's GetCallerIdentity with `provider`, as an application makes it: the
// credentials the client resolved, and the key id and token it signed with.
async function signedCall(provider) {
  const seen = [];
  const server = http.createServer((request, response) => {
    seen.push(request.headers);
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "text/xml" });
      response.end(IDENTITY);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const client = new STSClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${server.address().port}`,
      credentials: provider,
      maxAttempts: 1,
    });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    const headers = seen[0];
    const credential = /Credential=([^/]+)\//.exec(headers.authorization ?? "");
    return {
      ...shown(await client.config.credentials()),
      account: identity.Account,
      signedWith: {
        AccessKeyId: credential ? credential[1] : null,
        SessionToken: headers["x-amz-security-token"] ?? null,
      },
    };
  } finally {
    server.close();
  }
}

const [what, profile] = process.argv.slice(2);
let result;
switch (what) {
  case "sso":
    result = await signedCall(fromSSO({ profile }));
    break;
  case "process":
    result = await signedCall(fromProcess({ profile }));
    break;
  case "ini":
    result = await signedCall(fromIni({ profile }));
    break;
  case "container":
    result = {
      http: await signedCall(fromHttp({})),
      containerMetadata: shown(await fromContainerMetadata({ maxRetries: 0 })()),
    };
    break;
  default:
    throw new Error(`unknown check ${what}`);
}
process.stdout.write(JSON.stringify(result));
