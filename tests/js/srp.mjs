// Signs in with amazon-cognito-identity-js (SRP, unmodified) against a poolgate endpoint.
// stdin: {"endpoint", "userPoolId", "clientId", "username", "password"}
// stdout: {"idToken", "accessToken", "refreshToken"} (exit 0) or {"error", "message"} (exit 1)
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const pool = new CognitoUserPool({ UserPoolId: input.userPoolId, ClientId: input.clientId, endpoint: input.endpoint });
const user = new CognitoUser({ Username: input.username, Pool: pool });
user.setAuthenticationFlowType("USER_SRP_AUTH");
user.authenticateUser(new AuthenticationDetails({ Username: input.username, Password: input.password }), {
  onSuccess(session) {
    process.stdout.write(JSON.stringify({
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken: session.getRefreshToken().getToken(),
    }));
    process.exit(0);
  },
  onFailure(err) {
    process.stdout.write(JSON.stringify({ error: err.code || err.name, message: err.message }));
    process.exit(1);
  },
  newPasswordRequired() {
    process.stdout.write(JSON.stringify({ error: "NewPasswordRequired", message: "" }));
    process.exit(1);
  },
});
