"""The policy evaluator: a table of cases, one readable id each (IAM policy evaluation logic)."""

from __future__ import annotations

from typing import Any

import pytest

from poolgate.iam import ANONYMOUS, Caller, Outcome, Policy, PolicyError, PolicyKind, Request, evaluate
from poolgate.iam.principals import IamRole, IamUser

ARN = "arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/pets/42"
INVOKE = "execute-api:Invoke"
ALICE = IamUser("111122223333", "alice", "/eng/").caller()
BOB = IamUser("444455556666", "bob").caller()
DEPLOYER = IamRole("111122223333", "deployer").caller("ci")


def stmt(effect: str = "Allow", action: Any = INVOKE, resource: Any = ARN, **extra: Any) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect, **extra}
    if action is not None:
        s["Action"] = action
    if resource is not None:
        s["Resource"] = resource
    return s


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


CASES: list[tuple[str, list[dict[str, Any]], str, str, Outcome]] = [
    ("exact-allow", [stmt()], INVOKE, ARN, Outcome.ALLOW),
    ("nothing-applies", [stmt(resource=ARN + "/x")], INVOKE, ARN, Outcome.IMPLICIT_DENY),
    ("no-statements", [], INVOKE, ARN, Outcome.IMPLICIT_DENY),
    ("explicit-deny-wins", [stmt(), stmt("Deny")], INVOKE, ARN, Outcome.EXPLICIT_DENY),
    ("deny-first-still-wins", [stmt("Deny"), stmt()], INVOKE, ARN, Outcome.EXPLICIT_DENY),
    ("deny-elsewhere-irrelevant", [stmt(), stmt("Deny", resource=ARN.replace("GET", "POST"))], INVOKE, ARN,
     Outcome.ALLOW),
    ("action-case-insensitive", [stmt(action="Execute-API:invoke")], INVOKE, ARN, Outcome.ALLOW),
    ("action-wildcard-service", [stmt(action="execute-api:*")], INVOKE, ARN, Outcome.ALLOW),
    ("action-star", [stmt(action="*")], INVOKE, ARN, Outcome.ALLOW),
    ("action-other", [stmt(action="execute-api:ManageConnections")], INVOKE, ARN, Outcome.IMPLICIT_DENY),
    ("action-question-mark", [stmt(action="execute-api:Invok?")], INVOKE, ARN, Outcome.ALLOW),
    ("not-action-excludes", [stmt(action=None, NotAction=INVOKE)], INVOKE, ARN, Outcome.IMPLICIT_DENY),
    ("not-action-covers-others", [stmt(action=None, NotAction="s3:*")], INVOKE, ARN, Outcome.ALLOW),
    ("deny-not-action", [stmt(), stmt("Deny", action=None, NotAction="s3:*")], INVOKE, ARN,
     Outcome.EXPLICIT_DENY),
    ("resource-star", [stmt(resource="*")], INVOKE, ARN, Outcome.ALLOW),
    ("resource-stage-wildcard", [stmt(resource="arn:aws:execute-api:us-east-1:111122223333:abc123/*")], INVOKE,
     ARN, Outcome.ALLOW),
    ("resource-method-wildcard", [stmt(resource="arn:aws:execute-api:*:*:abc123/*/GET/pets/*")], INVOKE, ARN,
     Outcome.ALLOW),
    ("resource-wrong-method", [stmt(resource="arn:aws:execute-api:*:*:abc123/*/POST/*")], INVOKE, ARN,
     Outcome.IMPLICIT_DENY),
    ("resource-question-mark", [stmt(resource=ARN[:-1] + "?")], INVOKE, ARN, Outcome.ALLOW),
    ("resource-case-sensitive", [stmt(resource=ARN.replace("pets", "Pets"))], INVOKE, ARN, Outcome.IMPLICIT_DENY),
    ("resource-list", [stmt(resource=["arn:aws:execute-api:*:*:other/*", ARN])], INVOKE, ARN, Outcome.ALLOW),
    ("resource-other-api", [stmt(resource="arn:aws:execute-api:*:*:abc124/*")], INVOKE, ARN, Outcome.IMPLICIT_DENY),
    ("not-resource", [stmt(resource=None, NotResource="arn:aws:execute-api:*:*:abc123/*/DELETE/*")], INVOKE, ARN,
     Outcome.ALLOW),
    ("not-resource-excludes", [stmt(resource=None, NotResource="arn:aws:execute-api:*:*:abc123/prod/*")], INVOKE,
     ARN, Outcome.IMPLICIT_DENY),
    ("deny-not-resource", [stmt(resource="*"), stmt("Deny", resource=None, NotResource=ARN)], INVOKE, ARN,
     Outcome.ALLOW),
    ("deny-not-resource-other", [stmt(resource="*"), stmt("Deny", resource=None, NotResource=ARN + "x")], INVOKE,
     ARN, Outcome.EXPLICIT_DENY),
    ("condition-false-no-allow", [stmt(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], INVOKE, ARN,
     Outcome.IMPLICIT_DENY),
    ("condition-true-deny", [stmt(), stmt("Deny", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
     INVOKE, ARN, Outcome.EXPLICIT_DENY),
    ("variable-in-resource", [stmt(resource="arn:aws:execute-api:*:*:abc123/prod/GET/${aws:username}/*")], INVOKE,
     ARN.replace("pets", "alice"), Outcome.ALLOW),
    ("variable-other-user", [stmt(resource="arn:aws:execute-api:*:*:abc123/prod/GET/${aws:username}/*")], INVOKE,
     ARN, Outcome.IMPLICIT_DENY),
]


@pytest.mark.parametrize(("statements", "action", "resource", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_identity_policy(statements: list[dict[str, Any]], action: str, resource: str, expected: Outcome) -> None:
    policy = Policy.parse(doc(*statements))
    context = {"aws:SourceIp": "203.0.113.7", "aws:username": "alice"}
    assert evaluate([policy], Request(action, resource, ALICE, context)).outcome is expected


def test_statements_across_several_policies_combine() -> None:
    allow = Policy.parse(doc(stmt()))
    deny = Policy.parse(doc(stmt("Deny", resource="*")))
    assert evaluate([allow], Request(INVOKE, ARN)).allowed
    decision = evaluate([allow, deny], Request(INVOKE, ARN))
    assert decision.explicit_deny and decision.policy is deny


def test_single_statement_object_and_json_text() -> None:
    policy = Policy.parse('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", '
                          '"Resource": "*", "Sid": "All"}}')
    decision = evaluate([policy], Request(INVOKE, ARN))
    assert decision.allowed and decision.statement is not None and decision.statement.sid == "All"


def test_variables_are_literal_in_2008_policies() -> None:
    resource = "arn:aws:execute-api:*:*:abc123/prod/GET/${aws:username}"
    old = Policy.parse({"Version": "2008-10-17", "Statement": [stmt(resource=resource)]})
    ctx = {"aws:username": "alice"}
    assert not evaluate([old], Request(INVOKE, resource.replace("${aws:username}", "alice"), ALICE, ctx)).allowed
    assert evaluate([old], Request(INVOKE, resource, ALICE, ctx)).allowed


def resource_policy(principal: Any, effect: str = "Allow", key: str = "Principal") -> Policy:
    return Policy.parse(doc(stmt(effect, **{key: principal})), PolicyKind.RESOURCE)


PRINCIPALS: list[tuple[str, Any, Caller, bool]] = [
    ("star-anonymous", "*", ANONYMOUS, True),
    ("aws-star", {"AWS": "*"}, BOB, True),
    ("account-id", {"AWS": "111122223333"}, ALICE, True),
    ("account-id-other", {"AWS": "111122223333"}, BOB, False),
    ("account-id-anonymous", {"AWS": "111122223333"}, ANONYMOUS, False),
    ("account-root", {"AWS": "arn:aws:iam::444455556666:root"}, BOB, True),
    ("account-list", {"AWS": ["123456789012", "444455556666"]}, BOB, True),
    ("user-arn", {"AWS": "arn:aws:iam::111122223333:user/eng/alice"}, ALICE, True),
    ("user-arn-other", {"AWS": "arn:aws:iam::111122223333:user/eng/alice"}, BOB, False),
    ("role-arn-session", {"AWS": "arn:aws:iam::111122223333:role/deployer"}, DEPLOYER, True),
    ("session-arn", {"AWS": "arn:aws:sts::111122223333:assumed-role/deployer/ci"}, DEPLOYER, True),
    ("service-never-iam", {"Service": "lambda.amazonaws.com"}, ALICE, False),
]


@pytest.mark.parametrize(("principal", "caller", "matches"), [c[1:] for c in PRINCIPALS],
                         ids=[c[0] for c in PRINCIPALS])
def test_resource_policy_principal(principal: Any, caller: Caller, matches: bool) -> None:
    allowed = evaluate([resource_policy(principal)], Request(INVOKE, ARN, caller)).allowed
    assert allowed is matches
    excluded = evaluate([resource_policy(principal, key="NotPrincipal")], Request(INVOKE, ARN, caller)).allowed
    assert excluded is not matches


BAD: list[tuple[str, Any, PolicyKind, str, str]] = [
    ("not-json", "{nope", PolicyKind.IDENTITY, "$", "not valid JSON"),
    ("not-object", ["x"], PolicyKind.IDENTITY, "$", "JSON object"),
    ("bad-version", {"Version": "2020-01-01", "Statement": []}, PolicyKind.IDENTITY, "$.Version", "must be one of"),
    ("no-statement", {"Version": "2012-10-17"}, PolicyKind.IDENTITY, "$.Statement", "required"),
    ("unknown-top", {"Statement": [], "Foo": 1}, PolicyKind.IDENTITY, "$.Foo", "unknown policy element"),
    ("bad-effect", doc(stmt("allow")), PolicyKind.IDENTITY, "$.Statement[0].Effect", "Allow"),
    ("no-action", doc(stmt(action=None)), PolicyKind.IDENTITY, "$.Statement[0]", "Action or NotAction"),
    ("both-actions", doc(stmt(NotAction="s3:*")), PolicyKind.IDENTITY, "$.Statement[0]", "both Action"),
    ("no-resource", doc(stmt(resource=None)), PolicyKind.IDENTITY, "$.Statement[0]", "Resource or NotResource"),
    ("bad-action", doc(stmt(action="Invoke")), PolicyKind.IDENTITY, "$.Statement[0].Action", "service:action"),
    ("empty-resource-list", doc(stmt(resource=[])), PolicyKind.IDENTITY, "$.Statement[0].Resource", "non-empty"),
    ("unknown-element", doc(stmt(Resources="*")), PolicyKind.IDENTITY, "$.Statement[0].Resources", "unknown"),
    ("principal-in-identity", doc(stmt(Principal="*")), PolicyKind.IDENTITY, "$.Statement[0].Principal",
     "must not name a principal"),
    ("no-principal-in-resource", doc(stmt()), PolicyKind.RESOURCE, "$.Statement[0]", "Principal or NotPrincipal"),
    ("partial-wildcard-principal", doc(stmt(Principal={"AWS": "arn:aws:iam::111122223333:user/*"})),
     PolicyKind.RESOURCE, "$.Statement[0].Principal.AWS", "wildcards"),
    ("bad-principal-type", doc(stmt(Principal={"Users": "x"})), PolicyKind.RESOURCE,
     "$.Statement[0].Principal.Users", "unknown principal type"),
    ("bad-condition", doc(stmt(Condition={"IpAddress": {"aws:SourceIp": "nope"}})), PolicyKind.IDENTITY,
     "$.Statement[0].Condition.IpAddress.aws:SourceIp", "CIDR"),
]


@pytest.mark.parametrize(("document", "kind", "path", "problem"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_invalid_documents(document: Any, kind: PolicyKind, path: str, problem: str) -> None:
    with pytest.raises(PolicyError, match=problem) as info:
        Policy.parse(document, kind)
    assert info.value.path == path
