"""How API Gateway decides ``execute-api:Invoke``: identity-side policies combined with the API's resource policy.

Mirrors ApiDG "How API Gateway resource policies affect authorization workflow" (Tables A and B):

- resource policy only (NONE, COGNITO_USER_POOLS after authentication): an explicit Allow is required;
- Lambda authorizer: the resource policy's explicit Deny is checked *before* the authorizer runs
  (``resource_policy_denies``), then the authorizer's policy and the resource policy combine per Table A;
- AWS_IAM, caller in the API's account (Table A): an Allow from either side suffices unless either Denies;
- AWS_IAM, caller in another account (Table B): both sides must Allow; silence on either side denies.

No resource policy at all means the identity side alone decides (and a cross-account caller is denied).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from .context import ANONYMOUS, Caller
from .matching import ContextValue
from .policy import Decision, Outcome, Policy, Request, evaluate

INVOKE = "execute-api:Invoke"


def method_arn(region: str, account: str, api_id: str, stage: str, method: str, path: str) -> str:
    """``arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`` (``path`` without its leading
    ``/``; the root resource gives a trailing ``/``)."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method}/{path.lstrip('/')}"


def mask_account(arn: str) -> str:
    """AWS quirk: access-denied messages show the API's account as ``********1633`` (last four digits)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and len(parts[4]) > 4:
        parts[4] = "*" * (len(parts[4]) - 4) + parts[4][-4:]
    return ":".join(parts)


def resource_policy_denies(resource_policy: Policy | None, principal: Caller, resource_arn: str,
                           context: Mapping[str, ContextValue] | None = None) -> Decision | None:
    """The pre-authorizer phase for Lambda authorizers: an EXPLICIT_DENY decision, or None to go on."""
    if resource_policy is None:
        return None
    decision = evaluate([resource_policy], Request(INVOKE, resource_arn, principal, context or {}))
    return _tag(decision, "resource") if decision.explicit_deny else None


def _tag(decision: Decision, side: str) -> Decision:
    return replace(decision, reason=f"{side}: {decision.reason}")


def authorize_invoke(
    identity_policies: Sequence[Policy] | None,
    resource_policy: Policy | None,
    principal: Caller = ANONYMOUS,
    caller_account: str | None = None,
    api_account: str = "",
    resource_arn: str = "",
    context: Mapping[str, ContextValue] | None = None,
) -> Decision:
    """Decide ``execute-api:Invoke`` on ``resource_arn`` (a method ARN).

    ``identity_policies``: the IAM user's/role's policies (AWS_IAM) or the Lambda authorizer's returned
    policy (CUSTOM); ``None`` when the authorization type has no identity side (NONE, COGNITO_USER_POOLS),
    which is "resource policy only" mode. An empty list means an IAM principal with no policies.
    ``caller_account``: the IAM caller's account (defaults to ``principal.account``); for a Lambda authorizer
    pass the API's account (poolgate's functions live in it). The decision's ``reason`` starts with the side
    that decided (``identity:`` or ``resource:``) so callers can pick AWS's message wording."""
    request = Request(INVOKE, resource_arn, principal, context or {})
    account = caller_account if caller_account is not None else principal.account
    cross_account = bool(account) and account != api_account
    resource = _tag(evaluate([resource_policy], request), "resource") if resource_policy else None

    if identity_policies is None:
        if resource is None:
            return Decision(Outcome.ALLOW, reason="no policy applies to this authorization type")
        if resource.outcome is Outcome.IMPLICIT_DENY:
            return replace(resource, reason="resource: no resource-based policy allows the execute-api:Invoke action")
        return resource

    identity = _tag(evaluate(identity_policies, request), "identity")
    if identity.explicit_deny:
        return identity
    if resource is not None and resource.explicit_deny:
        return resource
    resource_allows = resource is not None and resource.allowed
    if cross_account:
        if identity.allowed and resource_allows:
            return identity
        if not identity.allowed:
            return identity
        return Decision(Outcome.IMPLICIT_DENY, reason="resource: cross-account access needs an Allow in the "
                                                      "API's resource policy")
    if identity.allowed:
        return identity
    if resource_allows:
        assert resource is not None
        return resource
    return identity


def decided_by_resource_policy(decision: Decision) -> bool:
    """Whether the resource policy (rather than the identity side) produced this decision."""
    return decision.reason.startswith("resource:")


def access_denied_message(decision: Decision, principal: Caller, resource_arn: str, *,
                          authorizer: bool = False) -> str:
    """The ``Message`` of API Gateway's 403 AccessDeniedException body for a denied decision.

    A Lambda authorizer's own policy gives ``User is not authorized to access this resource`` and, as AWS words
    it now, ``with an explicit deny in an identity-based policy`` or ``because no identity-based policy allows
    the execute-api:Invoke action`` (aws-behavior §5; 2025-26 captures of live APIs); IAM and resource policies
    give ``User: {arn|anonymous} is not authorized to perform: execute-api:Invoke on resource: {arn with masked
    account}[ with an explicit deny]`` (aws-behavior §6)."""
    explicit = " with an explicit deny" if decision.explicit_deny else ""
    if authorizer and not decided_by_resource_policy(decision):
        reason = (" with an explicit deny in an identity-based policy" if decision.explicit_deny
                  else f" because no identity-based policy allows the {INVOKE} action")
        return f"User is not authorized to access this resource{reason}"
    return (f"User: {principal.label} is not authorized to perform: {INVOKE} on resource: "
            f"{mask_account(resource_arn)}{explicit}")
