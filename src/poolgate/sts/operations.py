"""GetCallerIdentity and AssumeRoleWithWebIdentity.

AssumeRoleWithWebIdentity takes a poolgate user pool's ID token (the Federated principal is the OIDC provider
``arn:aws:iam::{account}:oidc-provider/{issuer without https://}``, its condition keys ``{issuer}:aud`` and
``{issuer}:sub``) or an identity pool's OpenID token from GetOpenIdToken (principal ``cognito-identity.amazonaws.com``
with Cognito's ``aud``/``amr``/``sub`` keys: the "basic flow"). The role must be declared under ``iam: roles:``
with a trust policy that allows it.

AWS's words: AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity" (403; quoted from AWS in many
reports, e.g. aws/amazon-eks-pod-identity-webhook and aws-actions/configure-aws-credentials issues);
ValidationError "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." (a role's
MaxSessionDuration is 3600 seconds unless set; UNCONFIRMED that STS words it so for web identities);
InvalidIdentityToken / ExpiredTokenException texts are UNCONFIRMED.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt

from ..awsproto import sigv4
from ..awsproto.query import QueryService
from ..errors import ServiceError
from ..http import Request
from ..iam import Caller
from ..iam.matching import ContextValue
from ..iam.principals import IamRole
from ..iamapi.store import declared
from ..identitypools.credentials import SessionRefused, issue_credentials, session_key
from ..identitypools.logins import TokenRefused, verified_id_token
from ..identitypools.openid import ISSUER, openid_key
from ..identitypools.trust import PROVIDER, cognito_context, trusts
from ..services import Services

STS = QueryService("sts")
MAX_SESSION_SECONDS = 3600
_REFUSED = {"ExpiredTokenException": ("ExpiredToken", "The security token included in the request is expired"),
            "UnrecognizedClientException": ("InvalidClientTokenId",
                                            "The security token included in the request is invalid.")}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _signature_error(err: sigv4.SignatureError) -> ServiceError:
    return ServiceError(err.code, err.message)  # named as query services name it by awsproto/query.py


async def _signed_caller(services: Services, request: Request) -> Caller:
    """Who signed the request: temporary credentials, an IAM user's key, or (the server's own credentials or, in
    local mode, any key) the account's root."""
    try:
        signed = sigv4.parse_authorization(request)
    except sigv4.SignatureError as err:
        raise _signature_error(err) from None
    if signed is None:
        raise ServiceError("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    key_id, now = signed.scope.access_key, services.clock.now()
    settings = services.settings
    directory = declared(services)
    secret: str | None = None
    caller: Caller | None = None
    if key_id.startswith("ASIA"):
        token = request.header("x-amz-security-token")
        try:
            session = await session_key(services, key_id, token, now)
        except SessionRefused as refused:
            code, message = _REFUSED[refused.code]
            raise ServiceError(code, message, 403) from None
        if session is not None:
            secret, caller = session.secret, session.caller()
    if caller is None:
        owner = directory.by_access_key(key_id)
        if owner is not None and owner.key.active:
            secret, caller = owner.key.secret, owner.caller()
    if caller is None:
        credential = settings.credential(key_id)
        account = credential.account if credential else settings.account
        if credential is not None:
            secret = credential.secret_key
        elif not settings.local_mode:
            raise ServiceError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        caller = Caller(arn=f"arn:aws:iam::{account}:root", account=account, type="Account", userid=account)
    if secret is not None:
        try:
            sigv4.verify(request, signed, lambda k: secret if k == key_id else None, now, service="sts")
        except sigv4.SignatureError as err:
            raise _signature_error(err) from None
    return caller


@STS.operation("GetCallerIdentity")
async def get_caller_identity(services: Services, request: Request, params: dict[str, Any]) -> dict[str, Any]:
    caller = await _signed_caller(services, request)
    return {"UserId": caller.userid, "Account": caller.account, "Arn": caller.arn}


async def _cognito_identity_token(services: Services, token: str) -> dict[str, Any]:
    key = await openid_key(services)
    try:
        if jwt.get_unverified_header(token).get("kid") != key.kid:
            raise jwt.InvalidTokenError("unknown kid")
        claims: dict[str, Any] = jwt.decode(token, key.private_key.public_key(), algorithms=["RS512"],
                                            issuer=ISSUER, options={"verify_aud": False,
                                                                    "require": ["exp", "sub", "aud"]})
    except jwt.ExpiredSignatureError:
        raise ServiceError("ExpiredTokenException", "Token expired: the token's exp is in the past") from None
    except jwt.InvalidTokenError:
        raise ServiceError("InvalidIdentityToken", "Couldn't verify the token's signature") from None  # UNCONFIRMED
    return claims


def _issuer(token: str) -> str:
    try:
        iss = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        raise ServiceError("InvalidIdentityToken", "The ID Token provided is not a valid JWT.") from None
    return iss if isinstance(iss, str) else ""


@STS.operation("AssumeRoleWithWebIdentity")
async def assume_role_with_web_identity(services: Services, request: Request, params: dict[str, Any]
                                        ) -> dict[str, Any]:
    role_arn, session_name, token = params["RoleArn"], params["RoleSessionName"], params["WebIdentityToken"]
    seconds = int(params.get("DurationSeconds", MAX_SESSION_SECONDS))
    if seconds > MAX_SESSION_SECONDS:
        raise ServiceError("ValidationError",
                           "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    identity: dict[str, Any] = {}
    context: dict[str, ContextValue]
    if _issuer(token) == ISSUER:
        claims = await _cognito_identity_token(services, token)
        amr = [str(v) for v in claims.get("amr", [])]
        federated, provider, audience = PROVIDER, PROVIDER, str(claims["aud"])
        context = cognito_context(audience, str(claims["sub"]), amr)
        authenticated = "authenticated" in amr
        identity = {"identity_id": str(claims["sub"]), "pool_id": audience,
                    "auth_type": "authenticated" if authenticated else "unauthenticated",
                    "provider": f"{amr[1]},{amr[2]}" if authenticated and len(amr) >= 3 else None}
    else:
        try:
            _, claims = await verified_id_token(services, token)
        except TokenRefused as refused:
            if refused.reason == "expired":
                raise ServiceError("ExpiredTokenException", "Token expired: the token's exp is in the past") from None
            raise ServiceError("InvalidIdentityToken", refused.message) from None  # UNCONFIRMED wording
        provider = str(claims["iss"]).split("://", 1)[-1]
        federated, audience = f"arn:aws:iam::{account}:oidc-provider/{provider}", str(claims.get("aud", ""))
        context = {f"{provider}:aud": audience, f"{provider}:sub": str(claims["sub"])}
        provider = str(claims["iss"])
    if not await trusts(services, role_arn, federated, context):
        raise ServiceError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403)
    issued = await issue_credentials(
        services, role_arn=role_arn, session_name=session_name, seconds=seconds,
        identity_id=identity.get("identity_id"), pool_id=identity.get("pool_id"),
        auth_type=identity.get("auth_type", "authenticated"), provider=identity.get("provider"))
    name = role_arn.rsplit("/", 1)[-1]
    role_id = IamRole(account, name).role_id
    return {
        "Credentials": {"AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret,
                        "SessionToken": issued.session_token, "Expiration": _iso(issued.expiration)},
        "SubjectFromWebIdentityToken": str(claims["sub"]),
        "AssumedRoleUser": {"Arn": f"arn:aws:sts::{account}:assumed-role/{name}/{session_name}",
                            "AssumedRoleId": f"{role_id}:{session_name}"},
        "Provider": provider,
        "Audience": audience,
    }
