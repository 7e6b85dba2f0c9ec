"""``COGNITO_USER_POOLS`` authorizer, as API Gateway runs it (reference §4).

The token comes from the identity-source header, raw or after ``Bearer ``. Its signature and ``iss`` must
belong to one of the authorizer's pools (``providerARNs``: pool ARNs, pool ids, or the issuer URL of a pool
in another poolgate). A method without ``authorizationScopes`` needs an ID token; with scopes, an access
token whose ``scope`` holds any one of them. ``identityValidationExpression`` must match ``aud``.
Failures: 401 ``Unauthorized``; an expired token: 401 ``The incoming token has expired``.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html)

Every refusal records why in ``ctx.authorizer_error`` (no token, malformed, bad signature, expired, wrong
token_use, issuer not accepted, aud refused by the expression, scope missing, revoked …), which the access log
writes at INFO beside the request; the caller only ever sees AWS's ``Unauthorized``. The token is never logged.
A pool named by ARN or id must exist when the server starts (``missing_pools``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...cognito import repo
from ...config import ConfigError
from ...errors import GatewayError
from ..context import InvocationContext
from ..plugins import AuthorizerConfig, DeploymentError, substitute_stage_variables
from ..responses import expired_token, unauthorized
from ..tokens import InvalidToken, VerifiedToken

if TYPE_CHECKING:
    from ...services import Services
    from ..deployment import Deployment

TYPE = "COGNITO_USER_POOLS"

_HEADER_SOURCE = "method.request.header."
_POOL_ARN = re.compile(r"^arn:aws[\w-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/([\w-]+_[0-9a-zA-Z]+)$")
_POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")


@dataclass(frozen=True, slots=True)
class CognitoAuthorizer:
    name: str
    where: str
    """``API {id} stage {stage} authorizer {name!r}``, for errors naming the authorizer."""
    pool_sources: tuple[tuple[str, str], ...]
    """(pool id, the providerARNs entry that named it) for every local pool."""
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
    local: dict[str, str] = {}
    remote = set()
    for entry in authorizer.provider_arns:
        value = substitute_stage_variables(entry, env.variables, where).strip()
        arn = _POOL_ARN.match(value)
        if arn:
            local.setdefault(arn.group(1), value)
        elif _POOL_ID.match(value):
            local.setdefault(value, value)
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
    return CognitoAuthorizer(authorizer.name, f"API {env.api.id} stage {env.stage.name} authorizer {authorizer.name!r}",
                             tuple(local.items()), source[len(_HEADER_SOURCE):].lower(), frozenset(local),
                             frozenset(remote), frozenset(config.method.authorization_scopes), validation,
                             authorizer.reject_revoked_tokens)


async def authorize(ctx: InvocationContext, settings: CognitoAuthorizer) -> None:
    value = ctx.header(settings.header)
    if not value:
        raise _refuse(ctx, settings, "no token in the " + settings.header + " header")
    token = value[7:] if value.startswith("Bearer ") else value
    verifier = ctx.gateway.verifier
    entry = verifier.cached(token)
    if entry is None:
        try:
            entry = await verifier.verify(token, settings.local_pools, settings.remote_issuers)
        except InvalidToken as exc:
            raise _refuse(ctx, settings, exc.reason) from None
    elif entry.local_pool not in settings.local_pools and entry.iss not in settings.remote_issuers:
        raise _refuse(ctx, settings, "issuer not accepted by this authorizer (a token of another pool)")
    if entry.exp <= ctx.request_time:
        ctx.authorizer_error = f"{settings.name}: expired"
        raise expired_token()
    reason = _claims_refusal(entry, settings, ctx)
    if reason is not None:
        raise _refuse(ctx, settings, reason)
    ctx.authorizer = {"claims": dict(entry.claims)}


def _claims_refusal(entry: VerifiedToken, settings: CognitoAuthorizer, ctx: InvocationContext) -> str | None:
    if settings.scopes:
        if entry.token_use != "access":
            return f"token_use {entry.token_use!r}: a method with authorizationScopes needs an access token"
        if settings.scopes.isdisjoint(entry.scopes):
            return "scope missing: the token has none of the method's authorizationScopes"
    elif entry.token_use != "id":
        return f"token_use {entry.token_use!r}: a method without authorizationScopes needs an ID token"
    if settings.validation is not None and (entry.aud is None or not settings.validation.fullmatch(entry.aud)):
        return "client id not allowed: aud does not match identityValidationExpression"
    if settings.reject_revoked and entry.origin_jti is not None and entry.origin_jti in ctx.gateway.revoked:
        return "revoked (the sign-in was signed out or its refresh token revoked)"
    return None


def _refuse(ctx: InvocationContext, settings: CognitoAuthorizer, reason: str) -> GatewayError:
    ctx.authorizer_error = f"{settings.name}: {reason}"
    return unauthorized()


async def missing_pools(authorizers: Iterable[CognitoAuthorizer], exists: Callable[[str], Awaitable[bool]]
                        ) -> list[str]:
    """One line per authorizer pool that does not exist (naming the authorizer and the ARN or id as written)."""
    problems = []
    seen: set[tuple[str, str]] = set()
    for settings in authorizers:
        for pool_id, source in settings.pool_sources:
            if (settings.where, pool_id) in seen:
                continue
            seen.add((settings.where, pool_id))
            if not await exists(pool_id):
                problems.append(f"{settings.where}: user pool {source} does not exist "
                                f"(no pool {pool_id} in poolgate.yaml's userPools or in the database)")
    return problems


async def refuse_missing_pools(deployments: Iterable[Deployment], services: Services) -> None:
    """Refuse to start when an API declared in a file (poolgate.yaml or an OpenAPI document) has a Cognito
    authorizer naming a pool of this poolgate that does not exist: it would answer every request 401. Runs at
    start-up after poolgate.yaml's userPools are applied, so pools the same file declares count. APIs made through
    the apigateway API are not refused here: their requests are logged as ``user pool does not exist``."""
    by_file: dict[str, list[CognitoAuthorizer]] = {}
    for deployment in deployments:
        if not deployment.api.source:
            continue
        for route in deployment.routes:
            if isinstance(route.auth_state, CognitoAuthorizer):
                by_file.setdefault(deployment.api.source, []).append(route.auth_state)
    if not by_file:
        return

    async def exists(pool_id: str) -> bool:
        async with services.db.read() as conn:
            return await repo.find_pool(conn, pool_id) is not None

    for file, authorizers in by_file.items():
        problems = await missing_pools(authorizers, exists)
        if problems:
            raise ConfigError(file, "apis", "; ".join(problems))
