"""API Gateway's combination of identity and resource policies (ApiDG authorization flow, Tables A and B)."""

from __future__ import annotations

from typing import Any

import pytest

from poolgate.iam import (
    ANONYMOUS,
    Caller,
    Outcome,
    Policy,
    PolicyKind,
    access_denied_message,
    authorize_invoke,
    mask_account,
    method_arn,
    resource_policy_denies,
)
from poolgate.iam.principals import IamUser

API_ACCOUNT = "111122223333"
ARN = method_arn("eu-west-1", API_ACCOUNT, "abc123", "dev", "GET", "/path")
SAME = IamUser(API_ACCOUNT, "x").caller()
OTHER = IamUser("444455556666", "y").caller()


def policy(effect: str | None, kind: PolicyKind) -> Policy:
    """Allow / Deny / None (neither: a statement about another resource)."""
    statement: dict[str, Any] = {"Effect": effect or "Allow", "Action": "execute-api:Invoke",
                                 "Resource": ARN if effect else ARN + "/elsewhere"}
    if kind is PolicyKind.RESOURCE:
        statement["Principal"] = "*"
    return Policy.parse({"Version": "2012-10-17", "Statement": [statement]}, kind)


A, D, N = "Allow", "Deny", None
ALLOW, EXPLICIT, IMPLICIT = Outcome.ALLOW, Outcome.EXPLICIT_DENY, Outcome.IMPLICIT_DENY
TABLE_A = [(A, A, ALLOW), (A, N, ALLOW), (A, D, EXPLICIT), (N, A, ALLOW), (N, N, IMPLICIT), (N, D, EXPLICIT),
           (D, A, EXPLICIT), (D, N, EXPLICIT), (D, D, EXPLICIT)]
TABLE_B = [(A, A, ALLOW), (A, N, IMPLICIT), (A, D, EXPLICIT), (N, A, IMPLICIT), (N, N, IMPLICIT), (N, D, EXPLICIT),
           (D, A, EXPLICIT), (D, N, EXPLICIT), (D, D, EXPLICIT)]


@pytest.mark.parametrize(("identity", "resource", "expected"), TABLE_A, ids=[f"{i}-{r}" for i, r, _ in TABLE_A])
def test_table_a_same_account(identity: str | None, resource: str | None, expected: Outcome) -> None:
    decision = authorize_invoke([policy(identity, PolicyKind.IDENTITY)], policy(resource, PolicyKind.RESOURCE),
                                SAME, None, API_ACCOUNT, ARN)
    assert decision.outcome is expected


@pytest.mark.parametrize(("identity", "resource", "expected"), TABLE_B, ids=[f"{i}-{r}" for i, r, _ in TABLE_B])
def test_table_b_cross_account(identity: str | None, resource: str | None, expected: Outcome) -> None:
    decision = authorize_invoke([policy(identity, PolicyKind.IDENTITY)], policy(resource, PolicyKind.RESOURCE),
                                OTHER, None, API_ACCOUNT, ARN)
    assert decision.outcome is expected


def test_without_resource_policy_identity_decides_and_cross_account_is_denied() -> None:
    allow = [policy(A, PolicyKind.IDENTITY)]
    assert authorize_invoke(allow, None, SAME, None, API_ACCOUNT, ARN).allowed
    assert authorize_invoke([], None, SAME, None, API_ACCOUNT, ARN).outcome is IMPLICIT
    assert authorize_invoke(allow, None, OTHER, None, API_ACCOUNT, ARN).outcome is IMPLICIT


def test_cross_account_grant_to_the_callers_account() -> None:
    """The seed's case: allow only IAM users from another account."""
    grant = Policy.parse({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:root"]},
        "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:eu-west-1:111122223333:abc123/*"}]},
        PolicyKind.RESOURCE)
    allow = [policy(A, PolicyKind.IDENTITY)]
    assert authorize_invoke(allow, grant, OTHER, None, API_ACCOUNT, ARN).allowed
    third = IamUser("999999999999", "z").caller()
    assert authorize_invoke(allow, grant, third, None, API_ACCOUNT, ARN).outcome is IMPLICIT
    # same account: the identity Allow suffices even though the resource policy names another account
    assert authorize_invoke(allow, grant, SAME, None, API_ACCOUNT, ARN).allowed


@pytest.mark.parametrize(("resource", "expected"), [(None, ALLOW), (A, ALLOW), (N, IMPLICIT), (D, EXPLICIT)])
def test_resource_policy_only_needs_an_explicit_allow(resource: str | None, expected: Outcome) -> None:
    rp = policy(resource, PolicyKind.RESOURCE) if resource or expected is IMPLICIT else None
    assert authorize_invoke(None, rp, ANONYMOUS, None, API_ACCOUNT, ARN).outcome is expected


def test_source_ip_condition_in_resource_policy() -> None:
    rp = Policy.parse({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "arn:aws:execute-api:*:*:abc123/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]}}}]}, PolicyKind.RESOURCE)
    assert authorize_invoke(None, rp, ANONYMOUS, None, API_ACCOUNT, ARN, {"aws:SourceIp": "192.0.2.9"}).allowed
    assert authorize_invoke(None, rp, ANONYMOUS, None, API_ACCOUNT, ARN, {"aws:SourceIp": "2001:db8::9"}).allowed
    denied = authorize_invoke(None, rp, ANONYMOUS, None, API_ACCOUNT, ARN, {"aws:SourceIp": "127.0.0.1"})
    assert denied.explicit_deny
    assert access_denied_message(denied, ANONYMOUS, ARN) == (
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:eu-west-1:********3333:abc123/dev/GET/path with an explicit deny")


def test_lambda_authorizer_flow() -> None:
    rp = policy(D, PolicyKind.RESOURCE)
    pre = resource_policy_denies(rp, ANONYMOUS, ARN)
    assert pre is not None and pre.explicit_deny
    assert resource_policy_denies(policy(A, PolicyKind.RESOURCE), ANONYMOUS, ARN) is None
    assert resource_policy_denies(None, ANONYMOUS, ARN) is None
    # the authorizer's own policy, no resource policy
    returned = policy(D, PolicyKind.IDENTITY)
    denied = authorize_invoke([returned], None, ANONYMOUS, API_ACCOUNT, API_ACCOUNT, ARN)
    assert access_denied_message(denied, ANONYMOUS, ARN, authorizer=True) == (
        "User is not authorized to access this resource with an explicit deny in an identity-based policy")
    silent = authorize_invoke([policy(N, PolicyKind.IDENTITY)], None, ANONYMOUS, API_ACCOUNT, API_ACCOUNT, ARN)
    assert access_denied_message(silent, ANONYMOUS, ARN, authorizer=True) == (
        "User is not authorized to access this resource because no identity-based policy allows the "
        "execute-api:Invoke action")
    # Table A: a silent authorizer policy is rescued by a resource-policy Allow
    rescued = authorize_invoke([policy(N, PolicyKind.IDENTITY)], policy(A, PolicyKind.RESOURCE), ANONYMOUS,
                               API_ACCOUNT, API_ACCOUNT, ARN)
    assert rescued.allowed


def test_iam_denied_message_names_the_user_and_masks_the_account() -> None:
    caller = Caller(arn="arn:aws:iam::123456789012:user/x", account="123456789012", type="User")
    arn = "arn:aws:execute-api:eu-west-1:000011111633:abc123/dev/GET/path"
    denied = authorize_invoke([], None, caller, None, "000011111633", arn)
    assert access_denied_message(denied, caller, arn) == (
        "User: arn:aws:iam::123456789012:user/x is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:eu-west-1:********1633:abc123/dev/GET/path")
    assert mask_account("not-an-arn") == "not-an-arn"


def test_method_arn() -> None:
    assert method_arn("us-east-1", "123456789012", "a1", "prod", "GET", "/") == (
        "arn:aws:execute-api:us-east-1:123456789012:a1/prod/GET/")
    assert method_arn("us-east-1", "123456789012", "a1", "prod", "POST", "/pets/1") == (
        "arn:aws:execute-api:us-east-1:123456789012:a1/prod/POST/pets/1")
