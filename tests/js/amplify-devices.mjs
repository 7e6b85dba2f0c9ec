// aws-amplify v6 (unmodified) remembering a device against a poolgate endpoint: sign in with SRP and a TOTP code
// (Amplify confirms the NewDeviceMetadata itself, ConfirmDevice), rememberDevice (UpdateDeviceStatus), fetchDevices
// (ListDevices), sign out, sign in again (Amplify sends DEVICE_KEY and answers DEVICE_SRP_AUTH /
// DEVICE_PASSWORD_VERIFIER: no TOTP code asked), refresh (GetTokensFromRefreshToken with DeviceKey).
// stdin, one JSON line each: {"endpoint", "userPoolId", "clientId", "username", "password"}, then one
// {"answer": code} per step printed. stdout, one JSON line each: {"step": nextStep} while a code is needed, then
// {"first", "devices", "second", "secondSteps", "refreshed", "stored"} (exit 0) or {"error", "message"} (exit 1).
import readline from "node:readline";
import { Amplify } from "aws-amplify";
import { confirmSignIn, fetchAuthSession, fetchDevices, rememberDevice, signIn, signOut } from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

// Amplify names the device (ConfirmDevice's DeviceName) from navigator, which Node 20 does not have: without one
// its getNewDeviceMetadata fails silently and no device is confirmed, as in an app without a user agent.
if (!globalThis.navigator) globalThis.navigator = { userAgent: "poolgate-tests/node" };

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const read = async () => JSON.parse((await lines.next()).value);
const say = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const store = new Map(); // Amplify keeps tokens and the device's key, group key and password here
const storage = {
  async setItem(key, value) { store.set(key, value); },
  async getItem(key) { return store.has(key) ? store.get(key) : null; },
  async removeItem(key) { store.delete(key); },
  async clear() { store.clear(); },
};

async function signInAnswering(input, steps) {
  let result = await signIn({ username: input.username, password: input.password,
                              options: { authFlowType: "USER_SRP_AUTH" } });
  while (!result.isSignedIn) {
    steps.push(result.nextStep.signInStep);
    say({ step: result.nextStep });
    result = await confirmSignIn({ challengeResponse: (await read()).answer });
  }
  const session = await fetchAuthSession();
  return { accessToken: session.tokens.accessToken.toString(), idToken: session.tokens.idToken.toString() };
}

try {
  const input = await read();
  Amplify.configure({
    Auth: { Cognito: { userPoolId: input.userPoolId, userPoolClientId: input.clientId,
                       userPoolEndpoint: input.endpoint } },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  const firstSteps = [];
  const first = await signInAnswering(input, firstSteps);
  await rememberDevice();
  const devices = await fetchDevices();
  await signOut();
  const secondSteps = [];
  const second = await signInAnswering(input, secondSteps);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a later iat
  const refreshedSession = await fetchAuthSession({ forceRefresh: true });
  const stored = Object.fromEntries([...store].filter(([key]) => /\.(deviceKey|deviceGroupKey)$/.test(key))
    .map(([key, value]) => [key.split(".").pop(), value]));
  say({ first, firstSteps, devices, second, secondSteps, stored,
        refreshed: { accessToken: refreshedSession.tokens.accessToken.toString() } });
  process.exit(0);
} catch (err) {
  say({ error: err.name, message: err.message });
  process.exit(1);
}
