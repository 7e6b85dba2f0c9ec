"""The PreTokenGeneration trigger: V1 (``claimsOverrideDetails``) and V2 (``claimsAndScopeOverrideDetails``).

What a handler may change (CogDG:user-pool-lambda-pre-token-generation.md): claims added, overridden or
suppressed, groups (and IAM roles) overridden, and in V2 also access-token claims and scopes. Claims
Cognito reserves are left alone.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..services import Services
from . import triggers
from .domain import Client, Pool, User
from .tokens import Session

RESERVED = frozenset({"acr", "amr", "aud", "at_hash", "auth_time", "azp", "c_hash", "exp", "iat", "identities",
                      "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use", "client_id", "scope",
                      "username", "event_id", "version", "cognito:username", "cognito:groups"})


def _additions(details: Any) -> dict[str, Any]:
    add = (details or {}).get("claimsToAddOrOverride") if isinstance(details, dict) else None
    return {k: v for k, v in (add or {}).items() if isinstance(k, str) and k not in RESERVED}


def _suppressions(details: Any) -> set[str]:
    names = (details or {}).get("claimsToSuppress") if isinstance(details, dict) else None
    return {n for n in (names or []) if isinstance(n, str) and n not in RESERVED}


@dataclasses.dataclass(slots=True)
class Customized:
    """What to mint from after the trigger: the user (groups, attributes), session (scopes) and extra claims."""

    user: User
    session: Session
    id_claims: dict[str, Any]
    access_claims: dict[str, Any]


async def customize(services: Services, pool: Pool, client: Client, user: User, session: Session, source: str,
                    metadata: dict[str, str] | None = None) -> Customized:
    """Run the PreTokenGeneration trigger if the pool configures one."""
    if not triggers.configured(pool, "PreTokenGeneration"):
        return Customized(user, session, {}, {})
    v2_config = (pool.config.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    version = {"V2_0": "2", "V3_0": "3"}.get(str(v2_config.get("LambdaVersion")), "1")
    request: dict[str, Any] = {
        "userAttributes": triggers.user_attributes(pool, user),
        "groupConfiguration": {"groupsToOverride": list(user.groups), "iamRolesToOverride": [],
                               "preferredRole": None},
    }
    if metadata:
        request["clientMetadata"] = metadata
    if version != "1":
        request["scopes"] = list(session.scopes)
    key = "claimsOverrideDetails" if version == "1" else "claimsAndScopeOverrideDetails"
    body = triggers.event(pool, client, user.username, source, request, {key: None}, version)
    response = await triggers.invoke(services, pool, "PreTokenGeneration", body) or {}
    details = response.get(key) or {}
    if not isinstance(details, dict):
        return Customized(user, session, {}, {})
    if version == "1":
        id_details: Any = details
        access_details: Any = {}
    else:
        id_details = details.get("idTokenGeneration") or {}
        access_details = details.get("accessTokenGeneration") or {}
    groups = (details.get("groupOverrideDetails") or {}).get("groupsToOverride")
    suppressed = _suppressions(id_details)
    changed = dataclasses.replace(user, attributes={k: v for k, v in user.attributes.items() if k not in suppressed},
                                  groups=list(groups) if isinstance(groups, list) else list(user.groups))
    scopes = list(session.scopes)
    if isinstance(access_details, dict):
        scopes += [s for s in access_details.get("scopesToAdd") or [] if isinstance(s, str) and s not in scopes]
        dropped = set(access_details.get("scopesToSuppress") or [])
        scopes = [s for s in scopes if s not in dropped]
    return Customized(changed, dataclasses.replace(session, scopes=scopes), _additions(id_details),
                      _additions(access_details))
