// Signs in with aws-amplify v6 (unmodified) against a poolgate endpoint, then forces a token refresh, which
// Amplify v6 does only through GetTokensFromRefreshToken.
// stdin: {"endpoint", "userPoolId", "clientId", "username", "password", "authFlowType"}
// stdout: {"signedIn": {...tokens}, "refreshed": {...tokens}, "stored": {...}} (exit 0) or {"error", "message"} (exit 1)
// Node 20 has globalThis.crypto (Web Crypto) and fetch, which is all Amplify needs; its default token storage
// is localStorage, so an in-memory one is set (which also lets us read the refresh token it keeps).
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const store = new Map();
const storage = {
  async setItem(key, value) { store.set(key, value); },
  async getItem(key) { return store.has(key) ? store.get(key) : null; },
  async removeItem(key) { store.delete(key); },
  async clear() { store.clear(); },
};

function storedRefreshToken() {
  for (const [key, value] of store) if (key.endsWith(".refreshToken")) return value;
  return null;
}

function tokens(session) {
  return {
    accessToken: session.tokens.accessToken.toString(),
    idToken: session.tokens.idToken.toString(),
    refreshToken: storedRefreshToken(),
  };
}

try {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: input.userPoolId, userPoolClientId: input.clientId,
                       userPoolEndpoint: input.endpoint } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  const result = await signIn({ username: input.username, password: input.password,
                                options: { authFlowType: input.authFlowType } });
  if (!result.isSignedIn) throw Object.assign(new Error(JSON.stringify(result.nextStep)), { name: "NotSignedIn" });
  const signedIn = tokens(await fetchAuthSession());
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a later iat
  const refreshed = tokens(await fetchAuthSession({ forceRefresh: true }));
  process.stdout.write(JSON.stringify({ signedIn, refreshed }));
  process.exit(0);
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.name, message: err.message }));
  process.exit(1);
}
