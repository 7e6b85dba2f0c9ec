"""The ``Logins`` map of GetId, GetCredentialsForIdentity and GetOpenIdToken: provider name → ID token.

A user pool's provider name is AWS's ``cognito-idp.{region}.amazonaws.com/{poolId}``, or poolgate's own issuer
without its scheme (``127.0.0.1:8788/{poolId}``). The ID token is read by ``cognito/jws.py`` (the one strict
parser and RS256 check) with the key from the pool's key store, its issuer must be the pool's, ``token_use`` must
be ``id``, ``aud`` the provider's ``ClientId`` when the identity pool names one, and ``exp`` in the future; a token
whose session was signed out globally (revoked ``origin_jti``) is refused too.

AWS's words (NotAuthorizedException): "Invalid login token. Issuer doesn't match providerName" (reported from
AWS in amazon-archives/amazon-cognito-identity-js#407, #40, aws-amplify/aws-sdk-android#444, MitocGroup/
deep-framework#593 with the full JSON body). UNCONFIRMED: "Invalid login token. Token expired: {now} >= {exp}",
"Invalid login token. Incorrect token audience.", "Invalid login token. Not a valid OpenId Connect identity
token." and "Token is not from a supported provider of this identity pool." (quoted from memory of AWS answers;
no recorded capture found).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..cognito import jws
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
    now = services.clock.now()
    try:
        token_jws = jws.parse(token)
    except jws.InvalidToken:
        raise not_authorized("Invalid login token. Not a valid OpenId Connect identity token.") from None
    try:
        user_pool = await services.records.pool(user_pool_id)
    except ServiceError:
        raise not_authorized(ISSUER_MISMATCH) from None
    if token_jws.iss != services.tokens.issuer(user_pool):
        raise not_authorized(ISSUER_MISMATCH)
    jwk = await services.keys.public_key(user_pool.id, token_jws.kid, now)
    try:
        if jwk is None:
            raise jws.InvalidToken(jws.UNKNOWN_KID)
        jws.check_signature(token_jws, jws.public_key(jwk))
    except jws.InvalidToken:
        raise not_authorized("Invalid login token. Not a valid OpenId Connect identity token.") from None
    claims = token_jws.claims
    sub, exp = claims.get("sub"), claims.get("exp")
    if claims.get("token_use") != "id" or not isinstance(sub, str) or not sub or not _number(exp):
        raise not_authorized("Invalid login token. Not a valid OpenId Connect identity token.")
    assert isinstance(exp, int | float)
    if exp <= now:
        raise not_authorized(f"Invalid login token. Token expired: {int(now)} >= {int(exp)}")
    client_id = provider.get("ClientId")
    if client_id and claims.get("aud") != client_id:
        raise not_authorized("Invalid login token. Incorrect token audience.")
    async with services.db.read() as conn:
        if await is_revoked(conn, claims.get("origin_jti")):
            raise not_authorized("Invalid login token. Token has been revoked.")  # UNCONFIRMED wording
    return Login(provider["ProviderName"], sub, claims, user_pool.id)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
