"""``/{poolId}/.well-known/jwks.json`` and ``/{poolId}/.well-known/openid-configuration``."""

from __future__ import annotations

import json
from typing import Any

from ..cognito import repo
from ..cognito.hosted_ui import domain_base_url
from ..services import Services

CACHE = ("cache-control", "public, max-age=300")


async def jwks(services: Services, pool_id: str) -> tuple[int, bytes] | None:
    async with services.db.read() as conn:
        pool = await repo.find_pool(conn, pool_id)
    if pool is None:
        return None
    document = await services.keys.jwks(pool.id, services.clock.now())
    return 200, json.dumps(document).encode()


async def openid_configuration(services: Services, pool_id: str) -> tuple[int, bytes] | None:
    async with services.db.read() as conn:
        pool = await repo.find_pool(conn, pool_id)
    if pool is None:
        return None
    base = services.settings.base_url
    issuer = services.tokens.issuer(pool)
    own = f"{base}/{pool.id}"
    domain = pool.config.get("Domain")
    endpoints = domain_base_url(services, domain) if domain else own
    document: dict[str, Any] = {
        "authorization_endpoint": f"{endpoints}/oauth2/authorize",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer,
        "jwks_uri": f"{own}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{endpoints}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{endpoints}/oauth2/userInfo",
    }
    if domain:
        # Cognito lists its domain's /logout as end_session_endpoint (in the discovery document since February 2024,
        # swisstopo/swissgeol-boreholes-suite#1066) and /oauth2/revoke, its revocation endpoint (Cognito Developer
        # Guide, revocation-endpoint.md; that it is listed as revocation_endpoint is UNCONFIRMED). Both are served
        # for the domain (oauth/plane.py), so they are listed only when the pool has one.
        document["end_session_endpoint"] = f"{endpoints}/logout"
        document["revocation_endpoint"] = f"{endpoints}/oauth2/revoke"
    return 200, json.dumps(document).encode()
