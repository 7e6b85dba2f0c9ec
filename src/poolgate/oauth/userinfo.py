"""``/oauth2/userInfo`` (claims of the access token's user, by scope) and ``/oauth2/revoke``."""

from __future__ import annotations

from typing import Any

from ..cognito import repo
from ..cognito.domain import ADMIN_SCOPE
from ..cognito.revoke import is_revoked, revoke_refresh_token
from ..errors import OAuthError, ServiceError
from .grants import authenticate_client
from .site import Site
from .web import Response, json_response

_BAD_REQUEST = "Bad OAuth2 request at UserInfo Endpoint"
_BAD_TOKEN = "Access token is expired, disabled, or deleted, or the user has globally signed out."
_EMAIL = ("email", "email_verified")
_PHONE = ("phone_number", "phone_number_verified")


def _userinfo_error(status: int, error: str, description: str) -> Response:
    header = f'Bearer error="{error}", error_description="{description}"'
    return json_response(status, {"error": error, "error_description": description},
                         [("www-authenticate", header)])


async def userinfo(site: Site) -> Response:
    header = site.request.header("authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _userinfo_error(400, "invalid_request", _BAD_REQUEST)
    services = site.services
    now = services.clock.now()

    async def lookup(pool_id: str) -> Any:
        return site.pool if pool_id == site.pool.id else None

    try:
        _, claims = await services.tokens.verify_access_token(lookup, token.strip(), now)
    except ServiceError:
        return _userinfo_error(401, "invalid_token", _BAD_TOKEN)
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes or "username" not in claims:
        return _userinfo_error(400, "invalid_request", _BAD_REQUEST)
    async with services.db.read() as conn:
        revoked = await is_revoked(conn, claims.get("origin_jti"))
        user = await repo.find_user(conn, site.pool, str(claims["username"]), aliases=False)
        client = await site.client(str(claims.get("client_id")))
    if (user is None or not user.enabled or revoked
            or int(claims.get("iat", 0)) < int(user.tokens_valid_after)):
        return _userinfo_error(401, "invalid_token", _BAD_TOKEN)
    readable = client.read_attributes if client else None
    out: dict[str, Any] = {"sub": user.sub}
    for name, value in user.attributes.items():
        if readable is not None and name not in readable:
            continue
        # AWS quirk: userInfo returns *_verified as the strings "true"/"false", not JSON booleans.
        if ADMIN_SCOPE in scopes:
            wanted = True
        elif name in _EMAIL:
            wanted = "email" in scopes
        elif name in _PHONE:
            wanted = "phone" in scopes
        else:
            wanted = "profile" in scopes and not name.startswith("custom:")
        if wanted:
            out[name] = value
    out["username"] = user.username
    return json_response(200, out)


async def revoke(site: Site) -> Response:
    form = site.request.form()
    token = form.get("token")
    client = await authenticate_client(site, form, status=401)
    if not token:
        raise OAuthError("invalid_request")
    if not client.config.get("EnableTokenRevocation", True):
        raise OAuthError("invalid_request")
    if token.count(".") == 2:
        raise OAuthError("unsupported_token_type")
    await revoke_refresh_token(site.services, client.client_id, token)  # another client's token: 200 as well
    return Response(200, b"", None, [])
