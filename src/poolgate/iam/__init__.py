"""IAM for the data plane: principals from ``poolgate.yaml``, the policy language, and API Gateway's rules
for combining identity and resource policies on ``execute-api:Invoke``.

    principals.py  IamDirectory / IamUser / IamRole / AccessKey, parsed from the ``iam:`` section
    policy.py      Policy.parse, evaluate(policies, Request) -> Decision
    conditions.py  condition operators, IfExists, ForAnyValue/ForAllValues
    matching.py    globs, ARN matching, policy variables
    context.py     Caller, request_context (aws:SourceIp, aws:PrincipalArn, …)
    invoke.py      authorize_invoke (Tables A/B), resource_policy_denies, access_denied_message
"""

from .context import ANONYMOUS, Caller, request_context
from .invoke import (
    INVOKE,
    access_denied_message,
    authorize_invoke,
    decided_by_resource_policy,
    mask_account,
    method_arn,
    resource_policy_denies,
)
from .policy import Decision, Outcome, Policy, PolicyError, PolicyKind, Request, evaluate
from .principals import AccessKey, IamConfigError, IamDirectory, IamRole, IamUser, KeyOwner

__all__ = [
    "ANONYMOUS",
    "INVOKE",
    "AccessKey",
    "Caller",
    "Decision",
    "IamConfigError",
    "IamDirectory",
    "IamRole",
    "IamUser",
    "KeyOwner",
    "Outcome",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "Request",
    "access_denied_message",
    "authorize_invoke",
    "decided_by_resource_policy",
    "evaluate",
    "mask_account",
    "method_arn",
    "request_context",
    "resource_policy_denies",
]
