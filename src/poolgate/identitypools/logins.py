"""The ``Logins`` map of GetId, GetCredentialsForIdentity and GetOpenIdToken: provider name → ID token.

A user pool's provider name is AWS's ``cognito-idp.{region}.amazonaws.com/{poolId}``, or poolgate's own issuer
without its scheme (``127.0.0.1:8788/{poolId}``). The ID token is read by ``cognito/jws.py`` (the one strict
parser and RS256 check) with the key from the pool's key store, its issuer must be the pool's, ``token_use`` must
be ``id``, ``aud`` the provider's ``ClientId`` when the identity pool names one, and ``exp`` in the future; a token
whose session was signed out globally (revoked ``origin_jti``) is refused too.

AWS's words (NotAuthorizedException): "Invalid login token. Issuer doesn't match providerName" (reported from
AWS in amazon-archives/amazon-cognito-identity-js#407, #40, aws-amplify/aws-sdk-android#444, MitocGroup/
deep-framework#593 with the full JSON body); "Token is not from a supported provider of this identity pool."
(aws-amplify/amplify-flutter#851 with its status 400 and code, aws-amplify/amplify-js#2067); "Invalid login token.
Token expired: {now} >= {exp}" (aws-amplify/aws-sdk-ios#2570: "Token expired: 1589092400 >= 1589092129", the
current time first). UNCONFIRMED: "Invalid login token. Incorrect token audience." and "Invalid login token. Not a
valid OpenId Connect identity token." (AWS also answers "Invalid login token. Not a Cognito token."
in aws-amplify/aws-sdk-android#1431, for a case not known).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..cognito import jws
from ..cognito.domain import Pool
from ..cognito.revoke import is_revoked
from ..errors import ServiceError
from .service import Services, not_authorized

_AWS_HOST = "cognito-idp.{region}.amazonaws.com"
ISSUER_MISMATCH = "Invalid login token. Issuer doesn't match providerName"
NOT_A_PROVIDER = "Token is not from a supported provider of this identity pool."


@dataclass(frozen=True, slots=True)
class Login:
    """One checked login: the provider as the identity pool names it, the token's subject and claims."""

    provider: str
    subject: str
    claims: dict[str, Any]
    user_pool_id: str

    def authentication_provider(self) -> str:
        """``cognitoAuthenticationProvider`` of the proxy event, as API Gateway writes it for a user pool:
        ``{provider},{provider}:CognitoSignIn:{sub}`` (ApiDG "$context variables",
        ``$context.identity.cognitoAuthenticationProvider``)."""
        return f"{self.provider},{self.provider}:CognitoSignIn:{self.subject}"


def provider_pool_id(provider: str) -> str:
    """The user pool id a provider name ends with (``…/us-east-1_abc`` → ``us-east-1_abc``)."""
    return provider.rsplit("/", 1)[-1]


def _host_allowed(services: Services, host: str, pool_id: str) -> bool:
    region = pool_id.split("_", 1)[0]
    return host in (_AWS_HOST.format(region=region), urlsplit(services.settings.base_url).netloc)


def configured_provider(pool: Any, key: str) -> dict[str, Any] | None:
    """The identity pool's CognitoIdentityProviders entry the ``Logins`` key names (either spelling)."""
    wanted = provider_pool_id(key)
    for provider in pool["config"].get("CognitoIdentityProviders", []):
        if provider_pool_id(provider["ProviderName"]) == wanted:
            return dict(provider)
    return None


async def check_logins(services: Services, pool: Any, logins: dict[str, str]) -> list[Login]:
    """Every login verified, or NotAuthorizedException naming the first that fails."""
    return [await _check(services, pool, key, token) for key, token in logins.items()]


async def _check(services: Services, pool: Any, key: str, token: str) -> Login:
    provider = configured_provider(pool, key)
    host, _, user_pool_id = key.rpartition("/")
    if provider is None or not _host_allowed(services, host, user_pool_id):
        raise not_authorized(NOT_A_PROVIDER)
    try:
        user_pool, claims = await verified_id_token(services, token, user_pool_id)
    except TokenRefused as refused:
        raise not_authorized(refused.message) from None
    sub = claims["sub"]
    client_id = provider.get("ClientId")
    if client_id and claims.get("aud") != client_id:
        raise not_authorized("Invalid login token. Incorrect token audience.")
    return Login(provider["ProviderName"], sub, claims, user_pool.id)


class TokenRefused(Exception):
    """An ID token a reader may not accept: ``reason`` (stable words: malformed, issuer, expired, revoked) for
    callers that word it their own way (sts), ``message`` in cognito-identity's words."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


_NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."


async def verified_id_token(services: Services, token: str, user_pool_id: str | None = None
                            ) -> tuple[Pool, dict[str, Any]]:
    """The user pool and claims of a valid ID token of one of our user pools (of ``user_pool_id`` when given):
    parsed and RS256-checked by ``cognito/jws.py`` with the key from the pool's key store, ``token_use`` ``id``,
    ``exp`` in the future, its session not signed out globally. TokenRefused otherwise."""
    now = services.clock.now()
    try:
        token_jws = jws.parse(token)
    except jws.InvalidToken:
        raise TokenRefused("malformed", _NOT_OIDC) from None
    iss = token_jws.iss or ""
    pool_id = user_pool_id or iss.rsplit("/", 1)[-1]
    try:
        user_pool = await services.records.pool(pool_id)
    except ServiceError:
        raise TokenRefused("issuer", ISSUER_MISMATCH) from None
    if iss != services.tokens.issuer(user_pool):
        raise TokenRefused("issuer", ISSUER_MISMATCH)
    jwk = await services.keys.public_key(user_pool.id, token_jws.kid, now)
    try:
        if jwk is None:
            raise jws.InvalidToken(jws.UNKNOWN_KID)
        jws.check_signature(token_jws, jws.public_key(jwk))
    except jws.InvalidToken:
        raise TokenRefused("signature", _NOT_OIDC) from None
    claims = token_jws.claims
    sub, exp = claims.get("sub"), claims.get("exp")
    if claims.get("token_use") != "id" or not isinstance(sub, str) or not sub or not _number(exp):
        raise TokenRefused("malformed", _NOT_OIDC)
    assert isinstance(exp, int | float)
    if exp <= now:
        raise TokenRefused("expired", f"Invalid login token. Token expired: {int(now)} >= {int(exp)}")
    async with services.db.read() as conn:
        if await is_revoked(conn, claims.get("origin_jti")):
            raise TokenRefused("revoked", "Invalid login token. Token has been revoked.")  # UNCONFIRMED wording
    return user_pool, claims


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
