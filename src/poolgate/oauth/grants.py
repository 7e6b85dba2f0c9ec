"""``POST /oauth2/token``: authorization_code (with PKCE), refresh_token and client_credentials.

Errors are ``400 {"error": …}`` with Cognito's codes (CogDG token-endpoint.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any
from urllib.parse import unquote

from sqlalchemy import delete, select

from ..cognito import repo
from ..cognito.domain import Client, Pool
from ..cognito.hosted_ui import custom_scopes
from ..cognito.refresh import check_issued_to, check_usable, find_refresh_token, renew, rotation_grace
from ..cognito.tokens import Session, new_refresh_token, token_hash
from ..compare import same_secret
from ..errors import OAuthError, ServiceError
from ..store.sql.tables import oauth_codes, oauth_grants, refresh_tokens
from .authz import mint_tokens, oauth_enabled
from .site import Site
from .web import Response, json_response


def _error(code: str, status: int = 400) -> OAuthError:
    return OAuthError(code, status=status)


def client_credentials_of(site: Site, form: dict[str, str]) -> tuple[str | None, str | None]:
    """(client_id, client_secret) from ``client_secret_basic`` or ``client_secret_post``."""
    header = site.request.header("authorization") or ""
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise _error("invalid_client") from exc
        client_id, sep, secret = decoded.partition(":")
        client_id, secret = unquote(client_id), unquote(secret)
        if not sep or "\x00" in client_id or "\x00" in secret:
            raise _error("invalid_client")
        return client_id, secret
    return form.get("client_id") or None, form.get("client_secret")


async def authenticate_client(site: Site, form: dict[str, str], status: int = 400) -> Client:
    client_id, secret = client_credentials_of(site, form)
    if not client_id:
        raise _error("invalid_request")
    if form.get("client_id") and form["client_id"] != client_id:
        raise _error("invalid_client", status)
    client = await site.client(client_id)
    if client is None:
        raise _error("invalid_client", status)
    if client.secret and not same_secret(secret, client.secret):
        raise _error("invalid_client", status)
    return client


async def token(site: Site) -> Response:
    content_type = (site.request.header("content-type") or "").split(";")[0].strip().lower()
    if site.request.method != "POST" or content_type != "application/x-www-form-urlencoded":
        raise _error("invalid_request")
    form = site.request.form()
    grant_type = form.get("grant_type")
    client = await authenticate_client(site, form)
    if not grant_type:
        raise _error("invalid_request")
    if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
        raise _error("unsupported_grant_type")
    if not oauth_enabled(client) and grant_type != "refresh_token":
        raise _error("unauthorized_client")
    if grant_type == "authorization_code":
        return json_response(200, await _authorization_code(site, client, form))
    if grant_type == "refresh_token":
        return json_response(200, await _refresh(site, client, form))
    return json_response(200, await _client_credentials(site, client, form))


def _pkce_ok(method: str | None, challenge: str, verifier: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return same_secret(challenge, computed)
    return False


async def _authorization_code(site: Site, client: Client, form: dict[str, str]) -> dict[str, Any]:
    if "code" not in (client.config.get("AllowedOAuthFlows") or []):
        raise _error("unauthorized_client")
    code, redirect_uri = form.get("code"), form.get("redirect_uri")
    if not code or not redirect_uri:
        raise _error("invalid_request")
    services = site.services
    now = services.clock.now()
    async with services.db.begin() as conn:
        where = oauth_codes.c.code_hash == token_hash(code)
        row = (await conn.execute(select(oauth_codes).where(where))).mappings().first()
        # Single use: whoever deletes the row owns the code, even under concurrent redemption.
        used = row is not None and (await conn.execute(delete(oauth_codes).where(where))).rowcount == 1
    if not used or row is None or row["expires"] <= now or row["pool_id"] != site.pool.id:
        raise _error("invalid_grant")
    if row["client_id"] != client.client_id:
        raise _error("invalid_grant")
    if row["redirect_uri"] != redirect_uri:
        # AWS quirk: a redirect_uri differing from the authorize request's is unauthorized_client.
        raise _error("unauthorized_client")
    if row["code_challenge"]:
        verifier = form.get("code_verifier")
        if not verifier:
            raise _error("invalid_request")
        if not _pkce_ok(row["code_challenge_method"], row["code_challenge"], verifier):
            raise _error("invalid_grant")
    async with services.db.read() as conn:
        user = await repo.find_user(conn, site.pool, row["username"], aliases=False)
    if user is None or not user.enabled:
        raise _error("invalid_grant")
    scopes = list(row["scopes"])
    refresh = new_refresh_token()
    session = Session(origin_jti=services.ids.uuid(), auth_time=int(row["auth_time"]),
                      event_id=services.ids.uuid(), scopes=scopes, oauth=True, nonce=row["nonce"])
    await store_refresh_token(site, client, user.username, refresh, session, now)
    with_id = "openid" in scopes
    issued = await mint_tokens(site, client, user, session, include_id=with_id)
    out: dict[str, Any] = {}
    if with_id:
        out["id_token"] = issued.id_token
    out.update({"access_token": issued.access_token, "refresh_token": refresh,
                "expires_in": issued.expires_in, "token_type": "Bearer"})
    return out


async def store_refresh_token(site: Site, client: Client, username: str, refresh: str, session: Session,
                              now: float) -> None:
    """Record a refresh token (as ``InitiateAuth`` does) and the OAuth scopes its refreshes carry."""
    expires = now + client.refresh_validity
    async with site.services.db.begin() as conn:
        await conn.execute(refresh_tokens.insert().values(
            token_hash=token_hash(refresh), pool_id=site.pool.id, client_id=client.client_id, username=username,
            origin_jti=session.origin_jti, auth_time=float(session.auth_time), created=now, expires=expires))
        await conn.execute(oauth_grants.insert().values(
            origin_jti=session.origin_jti, pool_id=site.pool.id, scopes=session.scopes, expires=expires))


async def _refresh(site: Site, client: Client, form: dict[str, str]) -> dict[str, Any]:
    # a rotating client has no ALLOW_REFRESH_TOKEN_AUTH ("Refresh token rotation isn't compatible with the
    # authentication flow REFRESH_TOKEN_AUTH", Developer Guide) and still refreshes here
    if not client.allows("REFRESH_TOKEN_AUTH") and rotation_grace(client) is None:
        raise _error("unauthorized_client")
    token_value = form.get("refresh_token")
    if not token_value:
        raise _error("invalid_request")
    services = site.services
    try:
        stored = check_issued_to(await find_refresh_token(services, site.pool, token_value), site.pool, client)
        user = check_usable(stored, client, services.clock.now(), reuse_error=True)
        with_id = stored.oauth_scopes is None or "openid" in stored.oauth_scopes
        renewed = await renew(services, site.pool, client, stored, user, rotate=True, include_id=with_id)
    except ServiceError as err:
        if err.code not in ("NotAuthorizedException", "RefreshTokenReuseException"):
            raise
        raise _error("invalid_grant") from err
    issued = renewed.issued
    out: dict[str, Any] = {}
    if with_id:
        out["id_token"] = issued.id_token
    out.update({"access_token": issued.access_token})
    if renewed.refresh_token is not None:  # with refresh token rotation (Developer Guide, refresh tokens)
        out["refresh_token"] = renewed.refresh_token
    out.update({"expires_in": issued.expires_in, "token_type": "Bearer"})
    return out


async def client_scopes(pool: Pool, client: Client, site: Site) -> list[str]:
    """The client's allowed custom scopes that a resource server of the pool still defines."""
    async with site.services.db.read() as conn:
        defined = await custom_scopes(conn, pool.id)
    return [s for s in client.config.get("AllowedOAuthScopes") or [] if s in defined]


async def _client_credentials(site: Site, client: Client, form: dict[str, str]) -> dict[str, Any]:
    if "client_credentials" not in (client.config.get("AllowedOAuthFlows") or []):
        # capture: a client without the grant (a public code-flow client) gets `400 {"error":"invalid_grant"}`,
        # not unauthorized_client (a live-pool test runbook's capture).
        raise _error("invalid_grant")
    if not client.secret:
        raise _error("invalid_client")
    allowed = await client_scopes(site.pool, client, site)
    requested = (form.get("scope") or "").split()
    if any(s not in allowed for s in requested):
        raise _error("invalid_scope")
    scopes = list(dict.fromkeys(requested)) or allowed
    if not scopes:
        raise _error("invalid_scope")
    issued = await site.services.tokens.mint_client_credentials(site.pool, client, scopes,
                                                               site.services.clock.now())
    return {"access_token": issued.access_token, "expires_in": issued.expires_in, "token_type": "Bearer"}
