"""The identity plane's hosted UI and OAuth 2.0 / OpenID Connect endpoints of a user pool domain.

Served at ``/_domains/{domain}/…`` and by Host ``{domain}.auth.localhost[:port]``; ``plane.OAuthPlane`` is
the entry point. Errors are ``errors.OAuthError`` (token-style JSON), ``PageError`` (an HTML error page:
never a redirect to an unvalidated URI), ``ErrorPageRedirect`` (a redirect to the domain's own ``/error`` page)
or ``RedirectError`` (``error=`` on a validated redirect URI).
"""
