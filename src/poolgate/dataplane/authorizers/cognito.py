"""``COGNITO_USER_POOLS`` authorizer, as API Gateway runs it (reference §4).

The token comes from the identity-source header, raw or after ``Bearer ``. Its signature and ``iss`` must
belong to one of the authorizer's pools (``providerARNs``: pool ARNs, pool ids, or the issuer URL of a pool
in another poolgate). A method without ``authorizationScopes`` needs an ID token; with scopes, an access
token whose ``scope`` holds any one of them. ``identityValidationExpression`` must match ``aud``.
Failures: 401 ``Unauthorized``; an expired token: 401 ``The incoming token has expired``.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..context import InvocationContext
from ..plugins import AuthorizerConfig, DeploymentError, substitute_stage_variables
from ..responses import expired_token, unauthorized
from ..tokens import InvalidToken

TYPE = "COGNITO_USER_POOLS"

_HEADER_SOURCE = "method.request.header."
_POOL_ARN = re.compile(r"^arn:aws[\w-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/([\w-]+_[0-9a-zA-Z]+)$")
_POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")


@dataclass(frozen=True, slots=True)
class CognitoAuthorizer:
    header: str
    local_pools: frozenset[str]
    remote_issuers: frozenset[str]
    scopes: frozenset[str]
    validation: re.Pattern[str] | None
    reject_revoked: bool


def validate(config: AuthorizerConfig) -> CognitoAuthorizer:
    authorizer = config.authorizer
    assert authorizer is not None
    env = config.env
    where = f"API {env.api.id} authorizer {authorizer.name!r}"
    source = authorizer.identity_source.strip()
    if not source.startswith(_HEADER_SOURCE) or len(source) == len(_HEADER_SOURCE):
        raise DeploymentError(f"{where}: identitySource must be method.request.header.<name>, got {source!r}")
    if not authorizer.provider_arns:
        raise DeploymentError(f"{where}: providerARNs must name at least one user pool")
    local, remote = set(), set()
    for entry in authorizer.provider_arns:
        value = substitute_stage_variables(entry, env.variables, where).strip()
        arn = _POOL_ARN.match(value)
        if arn:
            local.add(arn.group(1))
        elif _POOL_ID.match(value):
            local.add(value)
        elif value.startswith(("http://", "https://")):
            remote.add(value.rstrip("/"))
        else:
            raise DeploymentError(f"{where}: {value!r} is not a user pool ARN, pool id or issuer URL")
    validation = None
    if authorizer.identity_validation_expression:
        try:
            validation = re.compile(authorizer.identity_validation_expression)
        except re.error as exc:
            raise DeploymentError(f"{where}: identityValidationExpression is not a valid regex: {exc}") from exc
    return CognitoAuthorizer(source[len(_HEADER_SOURCE):].lower(), frozenset(local), frozenset(remote),
                             frozenset(config.method.authorization_scopes), validation,
                             authorizer.reject_revoked_tokens)


async def authorize(ctx: InvocationContext, settings: CognitoAuthorizer) -> None:
    value = ctx.header(settings.header)
    if not value:
        raise unauthorized()
    token = value[7:] if value.startswith("Bearer ") else value
    verifier = ctx.plane.verifier
    entry = verifier.cached(token)
    if entry is None:
        try:
            entry = await verifier.verify(token, settings.local_pools, settings.remote_issuers)
        except InvalidToken:
            raise unauthorized() from None
    elif entry.local_pool not in settings.local_pools and entry.iss not in settings.remote_issuers:
        raise unauthorized()
    if entry.exp <= ctx.request_time:
        raise expired_token()
    if settings.scopes:
        if entry.token_use != "access" or settings.scopes.isdisjoint(entry.scopes):
            raise unauthorized()
    elif entry.token_use != "id":
        raise unauthorized()
    if settings.validation is not None and (entry.aud is None or not settings.validation.fullmatch(entry.aud)):
        raise unauthorized()
    if settings.reject_revoked and entry.origin_jti is not None and entry.origin_jti in ctx.plane.revoked:
        raise unauthorized()
    ctx.authorizer = {"claims": dict(entry.claims)}
