"""``AWS_IAM`` authorization: SigV4-signed requests from principals declared under ``iam:`` (reference §6).

The signature is checked with ``awsproto.sigv4`` (AWS's canonical request, botocore's signer; header and
query-string forms; 5-minute skew; ``host`` and every ``x-amz-*`` header signed; the scope names the API's region
and ``execute-api``, each fault listed as AWS lists them: Kong/insomnia#713, r7kamura/aws-signer-v4#1), the
access key resolved in the ``IamDirectory`` (``ctx.gateway.iam``) or among the IAM API's users (``iamapi.find_key``,
remembered per process for a second), then ``execute-api:Invoke`` on the
method ARN is decided from the principal's identity policies and the API's resource policy: in the API's
account either side's Allow suffices unless the other denies; from another account both must allow.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/permissions.html)

Failures are 403s with AWS's messages and ``x-amzn-ErrorType``; secret keys never reach a log or a body.
"""

from __future__ import annotations

from typing import Any

from ...awsproto import sigv4
from ...errors import GatewayError
from ...http import Request
from ...iam import access_denied_message, authorize_invoke
from ...iamapi.store import find_key
from ...identitypools.credentials import SessionKey, SessionRefused, session_key
from ..context import InvocationContext
from ..plugins import AuthorizerConfig
from ..resource_policy import access_denied, condition_context, method_arn
from ..responses import missing_authentication_token

TYPE = "AWS_IAM"

_RESPONSE_TYPES = {"InvalidSignatureException": "INVALID_SIGNATURE",
                   "IncompleteSignatureException": "INVALID_SIGNATURE",
                   "UnrecognizedClientException": "INVALID_SIGNATURE"}
_SERVICE = "execute-api"


def validate(config: AuthorizerConfig) -> None:
    return None


def _signature_error(err: sigv4.SignatureError) -> GatewayError:
    response_type = _RESPONSE_TYPES.get(err.code, "INVALID_SIGNATURE")
    if err.message.startswith("Signature expired"):
        response_type = "EXPIRED_TOKEN"
    return GatewayError(response_type, 403, err.message, err.code)


def _request(ctx: InvocationContext) -> Request:
    scope = ctx.scope
    raw = scope.get("raw_path")
    full_path = raw.decode("latin-1") if raw else scope["path"]
    return Request(ctx.method, scope["path"], full_path, ctx.query_string, ctx.headers, ctx.body, ctx.client_ip,
                   scope.get("scheme", "http"))


async def _session(ctx: InvocationContext, request: Request, key_id: str) -> SessionKey | None:
    """Temporary credentials of a Cognito identity (``ASIA…``, identitypools/credentials.py): the session token
    comes in ``X-Amz-Security-Token`` (a header, or the query of a presigned request)."""
    if not key_id.startswith("ASIA"):
        return None
    token = request.header("x-amz-security-token")
    if token is None:
        token = next((v for k, v in request.query() if k == "X-Amz-Security-Token"), None)
    try:
        return await session_key(ctx.gateway.services, key_id, token, ctx.request_time)
    except SessionRefused as err:
        response_type = "EXPIRED_TOKEN" if err.code == "ExpiredTokenException" else _RESPONSE_TYPES[err.code]
        raise GatewayError(response_type, 403, err.message, err.code) from None


async def authorize(ctx: InvocationContext, compiled: Any) -> None:
    request = _request(ctx)
    try:
        signed = sigv4.parse_authorization(request)
    except sigv4.SignatureError as err:
        raise _signature_error(err) from None
    if signed is None:
        raise missing_authentication_token()
    directory = ctx.gateway.iam
    owner = directory.by_access_key(signed.scope.access_key)
    if owner is None and not signed.scope.access_key.startswith("ASIA"):  # a key made with CreateAccessKey
        owner = await find_key(ctx.gateway.services, signed.scope.access_key)
    if owner is not None and not owner.key.active:
        owner = None
    session = await _session(ctx, request, signed.scope.access_key) if owner is None else None

    def secret_for(key_id: str) -> str | None:
        if session is not None:
            return session.secret if key_id == session.access_key_id else None
        return owner.key.secret if owner is not None and key_id == owner.key.id else None

    deployment = ctx.deployment
    assert deployment is not None
    try:
        # The scope must name the API's region and execute-api; host and every x-amz-* header must be signed.
        sigv4.verify(request, signed, secret_for, ctx.request_time, service=_SERVICE, region=deployment.api.region)
    except sigv4.SignatureError as err:
        raise _signature_error(err) from None
    if session is not None:
        caller, access_key = session.caller(), session.access_key_id
        policies = await session.policies(ctx.gateway.services)
    else:
        assert owner is not None
        caller, policies, access_key = owner.caller(), list(owner.principal.policies), owner.key.id
    arn = method_arn(ctx)
    decision = authorize_invoke(policies, deployment.resource_policy, caller,
                                api_account=deployment.api.account, resource_arn=arn,
                                context=condition_context(ctx, caller))
    if not decision.allowed:
        raise access_denied(access_denied_message(decision, caller, arn))
    ctx.identity.update({"accessKey": access_key, "accountId": caller.account, "caller": caller.userid,
                         "user": caller.userid, "userArn": caller.arn})
    if session is not None:
        ctx.identity.update(session.identity_fields())
