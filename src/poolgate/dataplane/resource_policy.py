"""Resource policies, method ARNs and IAM condition context on the hot path (reference §6.3).

Every authorization type consults the API's resource policy (``x-amazon-apigateway-policy`` / ``policy:``),
as API Gateway does (ApiDG "How API Gateway resource policies affect authorization workflow"):

- NONE and COGNITO_USER_POOLS (after the token is accepted): the policy alone decides, an explicit Allow
  is required (``enforce_resource_policy``, run by the ``authorize`` stage);
- Lambda authorizers: an explicit Deny is checked before the function runs, then the function's policy
  and the resource policy combine (``authorizers/lambda_auth.py``);
- AWS_IAM: identity and resource policies combine per account (``authorizers/iam.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import GatewayError
from ..iam import (
    ANONYMOUS,
    Caller,
    Policy,
    PolicyError,
    PolicyKind,
    access_denied_message,
    authorize_invoke,
    request_context,
)
from ..iam import method_arn as build_method_arn
from ..iam.matching import ContextValue
from .plugins import DeploymentError

if TYPE_CHECKING:
    from ..apigw.domain import RestApi
    from .context import InvocationContext


def compile_resource_policy(api: RestApi) -> Policy | None:
    """The API's resource policy, parsed once per deployment; a malformed one refuses the deployment."""
    if api.policy is None:
        return None
    try:
        return Policy.parse(api.policy, PolicyKind.RESOURCE, name=f"resource policy of API {api.id}")
    except PolicyError as exc:
        raise DeploymentError(f"API {api.id}: resource policy {exc.path}: {exc.problem}") from exc


def method_arn(ctx: InvocationContext) -> str:
    """``arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`` for this request (the
    request's own method and path, as API Gateway puts in a Lambda authorizer's ``methodArn``)."""
    deployment = ctx.deployment
    assert deployment is not None
    api = deployment.api
    return build_method_arn(api.region, api.account, api.id, ctx.stage_name or "", ctx.method, ctx.path)


def condition_context(ctx: InvocationContext, caller: Caller = ANONYMOUS) -> dict[str, ContextValue]:
    """The IAM condition keys of this request: aws:SourceIp (the client's address), aws:CurrentTime,
    aws:SecureTransport, aws:UserAgent, aws:Referer, and the principal keys of ``caller``."""
    return request_context(caller, now=ctx.request_time, source_ip=ctx.client_ip,
                           secure_transport=ctx.scope.get("scheme") == "https",
                           user_agent=ctx.header("user-agent"), referer=ctx.header("referer"))


def access_denied(message: str) -> GatewayError:
    """403 AccessDeniedException; AWS quirk: the body's key is ``Message`` (capital M)."""
    return GatewayError("ACCESS_DENIED", 403, message, "AccessDeniedException", message_key="Message")


def enforce_resource_policy(ctx: InvocationContext, policy: Policy) -> None:
    """Resource-policy-only mode (NONE, COGNITO_USER_POOLS): 403 unless the policy explicitly allows."""
    arn = method_arn(ctx)
    decision = authorize_invoke(None, policy, ANONYMOUS, api_account=policy_account(ctx), resource_arn=arn,
                                context=condition_context(ctx))
    if not decision.allowed:
        raise access_denied(access_denied_message(decision, ANONYMOUS, arn))


def policy_account(ctx: InvocationContext) -> str:
    deployment = ctx.deployment
    assert deployment is not None
    return deployment.api.account
