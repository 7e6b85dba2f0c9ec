// Verify a poolgate token with aws-jwt-verify, unmodified.
//
//   node verify.mjs --verifier generic --token-use id|access --client-id ID --issuer ISS --jwks-uri URI TOKEN
//   node verify.mjs --verifier cognito --token-use id|access --client-id ID --pool-id POOL --jwks-uri URI TOKEN
//
// Every option may also come from the environment (VERIFIER, TOKEN_USE, CLIENT_ID, ISSUER, JWKS_URI, POOL_ID,
// TOKEN). Prints the verified payload as JSON and exits 0; prints the error and exits 1 otherwise.
//
// generic: JwtVerifier with poolgate's issuer and JWKS URL. aws-jwt-verify's default fetcher speaks HTTPS only,
//          so a Fetcher over Node's fetch (the library's documented extension point) lets it fetch
//          http://127.0.0.1 itself. ID tokens are checked with `audience`, access tokens with
//          validateCognitoJwtFields (client_id, token_use), as the library's README does for Cognito.
// cognito: CognitoJwtVerifier for a pool whose tokens carry AWS's issuer; its JWKS is loaded from poolgate
//          with cacheJwks(), the documented way to verify against a self-hosted JWKS.
import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

function options(argv) {
  const env = process.env;
  const out = {
    verifier: env.VERIFIER, tokenUse: env.TOKEN_USE, clientId: env.CLIENT_ID, issuer: env.ISSUER,
    jwksUri: env.JWKS_URI, poolId: env.POOL_ID, token: env.TOKEN,
  };
  const names = {
    "--verifier": "verifier", "--token-use": "tokenUse", "--client-id": "clientId", "--issuer": "issuer",
    "--jwks-uri": "jwksUri", "--pool-id": "poolId",
  };
  for (let i = 0; i < argv.length; i++) {
    const name = names[argv[i]];
    if (name) {
      out[name] = argv[++i];
    } else {
      out.token = argv[i];
    }
  }
  for (const required of ["verifier", "tokenUse", "clientId", "jwksUri", "token"]) {
    if (!out[required]) throw new Error(`missing ${required}`);
  }
  return out;
}

class NodeFetcher {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`JWKS fetch ${uri}: status ${response.status}`);
    return response.arrayBuffer();
  }
}

async function verify(opts) {
  if (opts.verifier === "generic") {
    const verifier = JwtVerifier.create(
      {
        issuer: opts.issuer,
        jwksUri: opts.jwksUri,
        audience: opts.tokenUse === "id" ? opts.clientId : null,
        customJwtCheck: ({ payload }) =>
          validateCognitoJwtFields(payload, { tokenUse: opts.tokenUse, clientId: opts.clientId }),
      },
      { jwksCache: new SimpleJwksCache({ fetcher: new NodeFetcher() }) },
    );
    return verifier.verify(opts.token);
  }
  if (opts.verifier === "cognito") {
    const verifier = CognitoJwtVerifier.create({
      userPoolId: opts.poolId,
      clientId: opts.clientId,
      tokenUse: opts.tokenUse,
    });
    const jwks = JSON.parse(Buffer.from(await new NodeFetcher().fetch(opts.jwksUri)).toString("utf8"));
    verifier.cacheJwks(jwks);
    return verifier.verify(opts.token);
  }
  throw new Error(`unknown verifier ${opts.verifier}`);
}

try {
  const payload = await verify(options(process.argv.slice(2)));
  process.stdout.write(JSON.stringify(payload) + "\n");
} catch (err) {
  process.stderr.write(`${err.name}: ${err.message}\n`);
  process.exit(1);
}
