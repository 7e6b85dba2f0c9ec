"""The console at ``/_console/``: server-rendered pages over the cognito-idp, apigateway and lambda operations.

Modules: plane (entry point, sessions, cross-site checks), client (the operations, signed and sent in-process
through the server's own ASGI entry point), sessions, web (routes, templates), pools, apis, methods, authorizers,
functions (the pages)."""
