// The SAM test's stack written with aws-cdk-lib: a user pool and client, a Node.js function from an asset
// folder, a REST API whose GET /hello is behind a CognitoUserPoolsAuthorizer. `node app.cjs` is what
// `cdk synth` runs (CDK_OUTDIR and CDK_CONTEXT_JSON as the CLI sets them).
const path = require("node:path");
const cdk = require("aws-cdk-lib");
const cognito = require("aws-cdk-lib/aws-cognito");
const apigw = require("aws-cdk-lib/aws-apigateway");
const lambda = require("aws-cdk-lib/aws-lambda");

const app = new cdk.App();
const stack = new cdk.Stack(app, "CdkStack");
const pool = new cognito.UserPool(stack, "Users", { userPoolName: "cdk-users" });
const client = pool.addClient("Web", { authFlows: { userPassword: true, adminUserPassword: true } });
const fn = new lambda.Function(stack, "Hello", {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: "index.handler",
  code: lambda.Code.fromAsset(path.join(__dirname, "hello")),
});
const api = new apigw.RestApi(stack, "Api", { deployOptions: { stageName: "prod" } });
const authorizer = new apigw.CognitoUserPoolsAuthorizer(stack, "Auth", { cognitoUserPools: [pool] });
api.root.addResource("hello").addMethod("GET", new apigw.LambdaIntegration(fn), {
  authorizer, authorizationType: apigw.AuthorizationType.COGNITO,
});
new cdk.CfnOutput(stack, "UserPoolId", { value: pool.userPoolId });
new cdk.CfnOutput(stack, "ClientId", { value: client.userPoolClientId });
app.synth();
