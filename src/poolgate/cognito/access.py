"""How unsigned calls find their pool: by app client id (with SECRET_HASH) or by access token."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from ..compare import same_secret
from ..errors import ServiceError, not_authorized
from ..services import Services
from . import repo
from .domain import Client, Pool, User
from .revoke import is_revoked
from .tokens import has_admin_scope


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(client: Client, usernames: list[str], given: str | None) -> None:
    """Clients with a secret must prove it: HMAC-SHA256(secret, username + client id)."""
    if not client.secret:
        return
    if not given:
        raise not_authorized(f"Client {client.client_id} is configured for secret but secret was not received")
    for name in usernames:
        if same_secret(given, secret_hash(client.secret, name, client.client_id)):
            return
    raise not_authorized(f"Unable to verify secret hash for client {client.client_id}")


WRONG_CREDENTIALS = "Incorrect username or password."


SESSION_USER_MISMATCH = "Invalid session provided for the user."
"""AWS's answer to a challenge response whose USERNAME is not the session's user (capture: an
AdminRespondToAuthChallenge with USERNAME "preferred_username:myusername" got "Invalid session provided for the
user. (Status Code: 400; Error Code: NotAuthorizedException)", kdgregory/example-cognito-java#1)."""


async def check_session_user(services: Services, pool: Pool, session_user: str, given: str | None, *,
                             sub: str | None = None, asked: str | None = None) -> None:
    """Refuse a challenge response whose ChallengeResponses.USERNAME names another user than its session's.

    ``given`` is resolved as InitiateAuth resolves USERNAME (the username under the pool's case rules, or an alias
    the pool allows: ``repo.find_signing_in_user``), so an alias of the same user, or its ``sub``, is still that
    user. ``asked``: the session is an unknown user's (``signin/custom.py``), which only the name asked for (or the
    stand-in ``session_user``) matches. No USERNAME at all is not compared (clients that omit it keep working)."""
    if not given or given in (session_user, sub):
        return
    if asked is not None:
        if repo.username_key(pool, given) != repo.username_key(pool, asked):
            raise not_authorized(SESSION_USER_MISMATCH)
        return
    if repo.username_key(pool, given) == repo.username_key(pool, session_user):
        return
    found = await repo.find_signing_in_user(services.db, pool, given)
    if found is None or found.username != session_user:
        raise not_authorized(SESSION_USER_MISMATCH)


async def client_and_pool(services: Services, client_id: str) -> tuple[Pool, Client]:
    return await services.records.client_and_pool(client_id)


async def user_from_access_token(services: Services, token: str, *, need_admin_scope: bool = True
                                 ) -> tuple[Pool, User, dict[str, Any]]:
    """The signed-in user behind an access token; refuses expired, revoked and foreign tokens."""
    now = services.clock.now()

    async def lookup(pool_id: str) -> Pool | None:
        try:
            return await services.records.pool(pool_id)  # the pool cache the sign-in path uses
        except ServiceError:
            return None  # not a pool of ours (unknown pools are not cached)

    pool, claims = await services.tokens.verify_access_token(lookup, token, now)
    if need_admin_scope and not has_admin_scope(claims):
        raise not_authorized("Access Token does not have required scopes")
    async with services.db.read() as conn:
        revoked = await is_revoked(conn, claims.get("origin_jti"))
        user = await repo.find_user(conn, pool, str(claims.get("username")), aliases=False)
    if user is None:
        raise ServiceError("UserNotFoundException", "User does not exist.")
    if revoked or int(claims.get("iat", 0)) < int(user.tokens_valid_after):
        raise not_authorized("Access Token has been revoked")
    if not user.enabled:
        raise not_authorized("User is disabled.")
    return pool, user, claims
