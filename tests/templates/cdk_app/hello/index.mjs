// The console's default Node.js handler shape (ESM), answering with the caller's Cognito claims.
export const handler = async (event) => {
  const claims = event.requestContext?.authorizer?.claims ?? {};
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: claims["cognito:username"] ?? null, path: event.path }),
  };
};
