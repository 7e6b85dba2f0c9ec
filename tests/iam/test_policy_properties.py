"""Property: the evaluator agrees with a brute-force oracle — it never allows when an applicable statement
denies, and never allows without an applicable Allow.

The oracle below shares no code with poolgate.iam: its glob is a naive recursive matcher, its ARN match
splits components by hand, and each condition operator is spelled out for the few keys generated here.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from poolgate.iam import Caller, Outcome, Policy, PolicyKind, Request, evaluate

REGIONS = ["us-east-1", "eu-west-1"]
ACCOUNTS = ["111122223333", "444455556666"]
APIS, STAGES, METHODS, PATHS = ["abc", "abd"], ["prod", "dev"], ["GET", "POST"], ["pets", "pets/1", ""]
ACTIONS = ["execute-api:Invoke", "execute-api:ManageConnections", "s3:GetObject"]
ACTION_PATTERNS = ["execute-api:Invoke", "execute-api:*", "*", "execute-api:Inv?ke", "EXECUTE-API:invoke",
                   "s3:*", "execute-api:Manage*", "*:Invoke"]
IPS = ["192.0.2.10", "198.51.100.7", "2001:db8::1", "10.1.2.3"]
CIDRS = ["192.0.2.0/24", "10.0.0.0/8", "2001:db8::/32", "198.51.100.7/32", "0.0.0.0/0"]
USERS = ["alice", "bob"]


# ---------------------------------------------------------------- the oracle (independent of poolgate.iam)

def naive_glob(pattern: str, text: str) -> bool:
    if not pattern:
        return not text
    if pattern[0] == "*":
        return any(naive_glob(pattern[1:], text[i:]) for i in range(len(text) + 1))
    if not text:
        return False
    return (pattern[0] == "?" or pattern[0] == text[0]) and naive_glob(pattern[1:], text[1:])


def oracle_resource(pattern: str, arn: str) -> bool:
    if pattern == "*":
        return True
    p, a = pattern.split(":", 5), arn.split(":", 5)
    return len(p) == len(a) == 6 and all(naive_glob(x, y) for x, y in zip(p, a, strict=True))


def oracle_condition(op: str, key: str, values: list[str], ctx: dict[str, Any]) -> bool:
    present = key in ctx
    value = ctx.get(key)
    if op == "StringEquals":
        return present and value in values
    if op == "StringNotEquals":
        return not present or value not in values
    if op == "StringEqualsIfExists":
        return not present or value in values
    if op == "StringLike":
        return present and any(naive_glob(v, value) for v in values)
    if op == "IpAddress" or op == "NotIpAddress":
        inside = present and any(
            ipaddress.ip_address(value).version == ipaddress.ip_network(v).version
            and ipaddress.ip_address(value) in ipaddress.ip_network(v) for v in values)
        return inside if op == "IpAddress" else not present or not inside
    if op == "Bool":
        return present and ("true" if value else "false") in values
    if op == "Null":
        return (not present) == (values[0] == "true")
    raise AssertionError(op)


def oracle_principal(spec: Any, caller: Caller | None) -> bool:
    if spec == "*":
        return True
    if caller is None:
        return False
    return any(entry in (caller.account, caller.arn) for entry in spec["AWS"])


def oracle_applies(statement: dict[str, Any], action: str, arn: str, ctx: dict[str, Any], caller: Caller | None,
                   resource_kind: bool) -> bool:
    if resource_kind:
        hit = oracle_principal(statement.get("Principal", statement.get("NotPrincipal")), caller)
        if hit != ("Principal" in statement):
            return False
    actions = statement.get("Action", statement.get("NotAction"))
    if any(naive_glob(p.lower(), action.lower()) for p in actions) != ("Action" in statement):
        return False
    resources = statement.get("Resource", statement.get("NotResource"))
    if any(oracle_resource(p, arn) for p in resources) != ("Resource" in statement):
        return False
    return all(oracle_condition(op, key, vals, ctx)
               for op, tests in statement.get("Condition", {}).items() for key, vals in tests.items())


# ---------------------------------------------------------------- generators

def component(choices: list[str]) -> st.SearchStrategy[str]:
    literal = st.sampled_from(choices)
    questioned = st.tuples(literal, st.integers(0, 20)).map(
        lambda t: t[0] if not t[0] else t[0][: t[1] % len(t[0])] + "?" + t[0][t[1] % len(t[0]) + 1:])
    starred = st.tuples(literal, st.integers(0, 20)).map(lambda t: t[0][: t[1] % (len(t[0]) + 1)] + "*")
    return st.one_of(literal, questioned, starred, st.just("*"))


resource_part = st.tuples(component(APIS), component(STAGES), component(METHODS), component(PATHS)).map("/".join)
resource_pattern = st.one_of(
    st.just("*"),
    st.tuples(component(REGIONS), component(ACCOUNTS), resource_part).map(
        lambda t: f"arn:aws:execute-api:{t[0]}:{t[1]}:{t[2]}"),
    st.tuples(component(REGIONS), component(ACCOUNTS), st.sampled_from(APIS)).map(
        lambda t: f"arn:aws:execute-api:{t[0]}:{t[1]}:{t[2]}/*"),
)

condition = st.one_of(
    st.tuples(st.sampled_from(["StringEquals", "StringNotEquals", "StringEqualsIfExists"]),
              st.just("aws:username"), st.lists(st.sampled_from(USERS), min_size=1, max_size=2)),
    st.tuples(st.just("StringLike"), st.just("aws:username"), st.lists(component(USERS), min_size=1, max_size=2)),
    st.tuples(st.sampled_from(["IpAddress", "NotIpAddress"]), st.just("aws:SourceIp"),
              st.lists(st.sampled_from(CIDRS), min_size=1, max_size=2)),
    st.tuples(st.just("Bool"), st.just("aws:SecureTransport"), st.sampled_from([["true"], ["false"]])),
    st.tuples(st.just("Null"), st.just("aws:username"), st.sampled_from([["true"], ["false"]])),
)
principal = st.one_of(st.just("*"), st.fixed_dictionaries({"AWS": st.lists(st.sampled_from(
    [*ACCOUNTS, "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::444455556666:user/bob"]), min_size=1,
    max_size=2)}))


@st.composite
def statement(draw: st.DrawFn, resource_kind: bool) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    s[draw(st.sampled_from(["Action", "NotAction"]))] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1,
                                                                       max_size=3))
    s[draw(st.sampled_from(["Resource", "NotResource"]))] = draw(st.lists(resource_pattern, min_size=1, max_size=3))
    if resource_kind:
        s[draw(st.sampled_from(["Principal", "NotPrincipal"]))] = draw(principal)
    tests: dict[str, dict[str, list[str]]] = {}
    for op, key, values in draw(st.lists(condition, max_size=3)):
        tests.setdefault(op, {})[key] = values  # one key per operator here, like most real policies
    if tests:
        s["Condition"] = tests
    return s


@st.composite
def scenario(draw: st.DrawFn) -> tuple[bool, list[list[dict[str, Any]]], str, str, dict[str, Any], Caller | None]:
    resource_kind = draw(st.booleans())
    policies = draw(st.lists(st.lists(statement(resource_kind), max_size=4), min_size=1, max_size=3))
    arn = "arn:aws:execute-api:{}:{}:{}/{}/{}/{}".format(*(draw(st.sampled_from(c)) for c in (
        REGIONS, ACCOUNTS, APIS, STAGES, METHODS, PATHS)))
    action = draw(st.sampled_from(ACTIONS))
    ctx: dict[str, Any] = {}
    if draw(st.booleans()):
        ctx["aws:SourceIp"] = draw(st.sampled_from(IPS))
    if draw(st.booleans()):
        ctx["aws:SecureTransport"] = draw(st.booleans())
    caller: Caller | None = None
    who = draw(st.sampled_from([None, *USERS]))
    if who is not None:
        account = ACCOUNTS[USERS.index(who)]
        caller = Caller(arn=f"arn:aws:iam::{account}:user/{who}", account=account, type="User", username=who)
        ctx["aws:username"] = who
    return resource_kind, policies, action, arn, ctx, caller


@settings(max_examples=400, deadline=None)
@given(scenario())
def test_evaluator_agrees_with_the_oracle(case: tuple[bool, list[list[dict[str, Any]]], str, str, dict[str, Any],
                                                      Caller | None]) -> None:
    resource_kind, documents, action, arn, ctx, caller = case
    kind = PolicyKind.RESOURCE if resource_kind else PolicyKind.IDENTITY
    policies = [Policy.parse({"Version": "2012-10-17", "Statement": d}, kind) for d in documents]
    request = Request(action, arn, caller, ctx) if caller else Request(action, arn, context=ctx)
    decision = evaluate(policies, request)

    applicable = [s for d in documents for s in d if oracle_applies(s, action, arn, ctx, caller, resource_kind)]
    any_deny = any(s["Effect"] == "Deny" for s in applicable)
    any_allow = any(s["Effect"] == "Allow" for s in applicable)
    if any_deny:
        assert decision.outcome is Outcome.EXPLICIT_DENY  # never allows when an applicable statement denies
    elif any_allow:
        assert decision.outcome is Outcome.ALLOW
    else:
        assert decision.outcome is Outcome.IMPLICIT_DENY  # never allows without an applicable Allow
