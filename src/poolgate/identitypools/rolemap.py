"""Which role an identity's credentials are for (Cognito DG "Using role-based access control"):

- a guest: the pool's ``unauthenticated`` role;
- a login with a role mapping for its provider: ``Token`` takes the ID token's ``cognito:preferred_role`` (or the
  ``CustomRoleArn`` asked for, when it is one of ``cognito:roles``); ``Rules`` takes the first rule whose claim
  matches (``Equals``, ``Contains``, ``StartsWith``, ``NotEqual``; a list claim such as ``cognito:groups`` matches
  when one of its values does); when neither decides, ``AmbiguousRoleResolution`` says ``AuthenticatedRole``
  (the default role) or ``Deny``;
- otherwise the pool's ``authenticated`` role.

A poolgate ID token carries no ``cognito:roles``/``cognito:preferred_role`` claims yet, so for a token of a local
user pool they are worked out as Cognito does from the user's groups: the roles of the token's ``cognito:groups``
and, as preferred role, that of the group with the lowest ``Precedence`` (none when two share it).

Errors: NotAuthorizedException "The ambiguous role mapping rules denied this request." (the wording reported from
AWS in aws-amplify/amplify-js#8644); InvalidIdentityPoolConfigurationException "Invalid identity pool
configuration. Check assigned IAM roles for this pool." (AWS's JSON body quoted in awslabs/aws-sdk-ios-samples#274,
its headers in aws-amplify/amplify-swift#3124; also AWS's answer when the role's trust policy refuses, as in
amazon-archives/amazon-cognito-auth-js#167 and #196).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import ServiceError
from ..store.sql.tables import groups
from .logins import Login, provider_pool_id
from .service import Services, not_authorized

AMBIGUOUS_DENIED = "The ambiguous role mapping rules denied this request."
NO_ROLE = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


def no_role() -> ServiceError:
    return ServiceError("InvalidIdentityPoolConfigurationException", NO_ROLE)


def _claim_values(claims: dict[str, Any], claim: str) -> list[str]:
    value = claims.get(claim)
    if isinstance(value, list):
        return [str(v) for v in value]
    if value is None:
        return []
    return ["true" if value is True else "false" if value is False else str(value)]


def rule_matches(rule: dict[str, Any], claims: dict[str, Any]) -> bool:
    values, wanted, kind = _claim_values(claims, rule["Claim"]), rule["Value"], rule["MatchType"]
    if kind == "NotEqual":
        return bool(values) and wanted not in values
    if kind == "Equals":
        return wanted in values
    if kind == "Contains":
        return any(wanted in v for v in values)
    return any(v.startswith(wanted) for v in values)  # StartsWith


async def group_roles(services: Services, login: Login) -> tuple[list[str], str | None]:
    """``cognito:roles`` and ``cognito:preferred_role`` of the login: from its claims, or from the user's groups."""
    claims = login.claims
    if "cognito:roles" in claims or "cognito:preferred_role" in claims:
        preferred = claims.get("cognito:preferred_role")
        return _claim_values(claims, "cognito:roles"), preferred if isinstance(preferred, str) else None
    names = _claim_values(claims, "cognito:groups")
    if not names:
        return [], None
    async with services.db.read() as conn:
        rows = (await conn.execute(select(groups.c.role_arn, groups.c.precedence).where(
            groups.c.pool_id == login.user_pool_id, groups.c.name.in_(names), groups.c.role_arn.is_not(None)
        ))).mappings().all()
    roles = sorted({str(r["role_arn"]) for r in rows})
    ranked = sorted((r["precedence"], str(r["role_arn"])) for r in rows if r["precedence"] is not None)
    preferred = None
    if ranked and (len(ranked) == 1 or ranked[0][0] != ranked[1][0]):
        preferred = ranked[0][1]
    elif not ranked and len(roles) == 1:
        preferred = roles[0]
    return roles, preferred


def _mapping(pool: Any, login: Login) -> dict[str, Any] | None:
    for provider, mapping in pool["roles"].get("RoleMappings", {}).items():
        if provider_pool_id(provider) == provider_pool_id(login.provider):
            return dict(mapping)
    return None


async def role_for(services: Services, pool: Any, login: Login | None, custom_role_arn: str | None) -> str:
    defaults = pool["roles"].get("Roles", {})
    if login is None:
        role = defaults.get("unauthenticated")
        if not role:
            raise no_role()
        return str(role)
    mapping = _mapping(pool, login)
    if mapping is not None:
        chosen: str | None = None
        if mapping["Type"] == "Token":
            roles, preferred = await group_roles(services, login)
            chosen = custom_role_arn if custom_role_arn and custom_role_arn in roles else preferred
        else:
            rules = mapping.get("RulesConfiguration", {}).get("Rules", [])
            chosen = next((r["RoleARN"] for r in rules if rule_matches(r, login.claims)), None)
        if chosen:
            return chosen
        if mapping.get("AmbiguousRoleResolution") == "Deny":
            raise not_authorized(AMBIGUOUS_DENIED)
    role = defaults.get("authenticated")
    if not role:
        raise no_role()
    return str(role)
