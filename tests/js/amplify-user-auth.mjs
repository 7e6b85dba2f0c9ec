// Choice-based sign-in (authFlowType USER_AUTH) with aws-amplify v6 (unmodified) against a poolgate endpoint.
// stdin, one JSON line each: first {"endpoint", "userPoolId", "clientId", "username", "password"?,
// "preferredChallenge"?}; then, after each step this script prints, {"answer": "..."}: the challengeResponse the
// test chose (a first factor, a password, or a code it read from the outbox).
// stdout, one JSON line each: {"step": nextStep} while not signed in, then {"signedIn": {accessToken, idToken}}
// (exit 0), or {"error", "message"} (exit 1).
import { createInterface } from "node:readline";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, signIn } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function readJson() {
  const { value, done } = await lines.next();
  if (done) throw new Error("stdin closed");
  return JSON.parse(value);
}
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const store = new Map();
const storage = {
  async setItem(key, value) { store.set(key, value); },
  async getItem(key) { return store.has(key) ? store.get(key) : null; },
  async removeItem(key) { store.delete(key); },
  async clear() { store.clear(); },
};

try {
  const input = await readJson();
  Amplify.configure({
    Auth: { Cognito: { userPoolId: input.userPoolId, userPoolClientId: input.clientId,
                       userPoolEndpoint: input.endpoint } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  const options = { authFlowType: "USER_AUTH" };
  if (input.preferredChallenge) options.preferredChallenge = input.preferredChallenge;
  let result = await signIn({ username: input.username, password: input.password, options });
  while (!result.isSignedIn) {
    say({ step: result.nextStep });
    const { answer } = await readJson();
    result = await confirmSignIn({ challengeResponse: answer });
  }
  const session = await fetchAuthSession();
  say({ signedIn: { accessToken: session.tokens.accessToken.toString(), idToken: session.tokens.idToken.toString() } });
  process.exit(0);
} catch (err) {
  say({ error: err.name, message: err.message });
  process.exit(1);
}
