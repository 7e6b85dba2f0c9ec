"""IAM policy documents: parsing and single-policy-set evaluation (explicit Deny > Allow > implicit Deny).

Mirrors the IAM User Guide pages "IAM JSON policy element reference" (Version, Id, Statement, Sid, Effect,
Principal/NotPrincipal, Action/NotAction, Resource/NotResource, Condition) and "Policy evaluation logic".
How API Gateway combines identity and resource policies lives in ``invoke.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .conditions import Condition, ConditionError, conditions_hold, parse_condition_block
from .context import ANONYMOUS, Caller
from .matching import ContextValue, MissingVariable, arn_match, glob_match, substitute

VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                   "NotResource", "Condition"}
_ACCOUNT = re.compile(r"^\d{12}$")
_PRINCIPAL_ARN = re.compile(r"^arn:aws[\w-]*:(iam|sts)::(\d{12}):(.+)$")


class PolicyError(ValueError):
    """An invalid policy document; ``path`` is a JSONPath inside it (``$.Statement[0].Effect``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class PolicyKind(StrEnum):
    """Identity policies (users, roles, Lambda authorizer output) name no principal; resource policies must."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    """A role's trust policy (AssumeRolePolicyDocument): names its principals; ``Resource`` may be left out (the
    role itself is the resource)."""


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class Outcome(StrEnum):
    ALLOW = "ALLOW"
    EXPLICIT_DENY = "EXPLICIT_DENY"
    IMPLICIT_DENY = "IMPLICIT_DENY"


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    """A ``Principal``/``NotPrincipal`` value: ``"*"``, or ``{"AWS": [...], "Service": [...], ...}``."""

    everyone: bool = False
    aws: tuple[str, ...] = ()  # 12-digit account ids and principal ARNs (account roots kept as ARNs)
    others: tuple[tuple[str, str], ...] = ()  # (Service|Federated|CanonicalUser, value): never an IAM caller

    def matches(self, caller: Caller) -> bool:
        if self.everyone:
            return True
        if caller.type == "WebIdentity":  # a federated caller is named by its provider (``arn``)
            return ("Federated", caller.arn) in self.others
        if caller.anonymous:
            return False
        for entry in self.aws:
            if _ACCOUNT.match(entry) or entry.endswith(":root"):
                account = entry if _ACCOUNT.match(entry) else entry.split(":")[4]
                if caller.account == account:
                    return True
            elif entry in (caller.arn, caller.principal_arn):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Statement:
    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    sid: str | None = None
    not_action: bool = False  # ``actions`` came from NotAction
    not_resource: bool = False  # ``resources`` came from NotResource
    principal: PrincipalSpec | None = None
    not_principal: bool = False
    conditions: tuple[Condition, ...] = ()

    def applies(self, caller: Caller, action: str, resource: str, context: Mapping[str, ContextValue], *,
                variables: bool = True) -> bool:
        """Whether this statement matches the request (``context`` keys lower-case)."""
        if self.principal is not None and self.principal.matches(caller) == self.not_principal:
            return False
        if any(glob_match(a, action, case_sensitive=False) for a in self.actions) == self.not_action:
            return False
        if self._resource_hit(resource, context, variables) == self.not_resource:
            return False
        return conditions_hold(self.conditions, context, variables=variables)

    def _resource_hit(self, resource: str, context: Mapping[str, ContextValue], variables: bool) -> bool:
        for pattern in self.resources:
            if variables:
                try:
                    pattern = substitute(pattern, context)
                except MissingVariable:
                    continue
            if arn_match(pattern, resource):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed policy document. Build with ``Policy.parse``."""

    statements: tuple[Statement, ...]
    version: str = "2008-10-17"
    id: str | None = None
    kind: PolicyKind = PolicyKind.IDENTITY
    name: str | None = field(default=None, compare=False)  # where it came from, for reasons and logs

    @property
    def variables(self) -> bool:
        """Policy variables (``${aws:username}``) are only substituted in 2012-10-17 policies."""
        return self.version == "2012-10-17"

    @classmethod
    def parse(cls, document: Mapping[str, Any] | str, kind: PolicyKind = PolicyKind.IDENTITY,
              name: str | None = None) -> Policy:
        """Parse a policy document (a mapping or its JSON text); raises ``PolicyError`` with a JSONPath."""
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except json.JSONDecodeError as exc:
                raise PolicyError("$", f"not valid JSON: {exc.msg}") from exc
        if not isinstance(document, Mapping):
            raise PolicyError("$", "a policy document must be a JSON object")
        for key in document:
            if key not in ("Version", "Id", "Statement"):
                raise PolicyError(f"$.{key}", "unknown policy element (expected Version, Id, Statement)")
        version = document.get("Version", "2008-10-17")
        if version not in VERSIONS:
            raise PolicyError("$.Version", f"must be one of {', '.join(VERSIONS)}")
        policy_id = document.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            raise PolicyError("$.Id", "must be a string")
        if "Statement" not in document:
            raise PolicyError("$.Statement", "required")
        raw = document["Statement"]
        items = raw if isinstance(raw, list) else [raw]
        statements = tuple(_parse_statement(item, f"$.Statement[{i}]" if isinstance(raw, list) else "$.Statement",
                                            kind) for i, item in enumerate(items))
        return cls(statements, version, policy_id, kind, name)


def _strings(raw: Any, path: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise PolicyError(path, "must be a non-empty string or a non-empty list of non-empty strings")
    return tuple(items)


def _one_of(statement: Mapping[str, Any], positive: str, negative: str, path: str,
            required: bool = True) -> tuple[str | None, Any]:
    if positive in statement and negative in statement:
        raise PolicyError(path, f"a statement cannot have both {positive} and {negative}")
    if positive in statement:
        return positive, statement[positive]
    if negative in statement:
        return negative, statement[negative]
    if required:
        raise PolicyError(path, f"a statement needs {positive} or {negative}")
    return None, None


def _parse_principal(raw: Any, path: str) -> PrincipalSpec:
    if raw == "*":
        return PrincipalSpec(everyone=True)
    if not isinstance(raw, Mapping) or not raw:
        raise PolicyError(path, 'must be "*" or a mapping like {"AWS": ["123456789012"]}')
    aws: list[str] = []
    others: list[tuple[str, str]] = []
    for kind, values in raw.items():
        where = f"{path}.{kind}"
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise PolicyError(where, "unknown principal type (expected AWS, Service, Federated or CanonicalUser)")
        for value in _strings(values, where):
            if kind != "AWS":
                others.append((kind, value))
            elif value == "*":
                return PrincipalSpec(everyone=True)
            elif _ACCOUNT.match(value) or (_PRINCIPAL_ARN.match(value) and "*" not in value and "?" not in value):
                aws.append(value)
            else:
                raise PolicyError(where, f"{value!r} is not an account id or a principal ARN "
                                         "(wildcards are only allowed as a lone \"*\")")
    return PrincipalSpec(aws=tuple(aws), others=tuple(others))


def _parse_statement(raw: Any, path: str, kind: PolicyKind) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyError(path, "a statement must be a JSON object")
    for key in raw:
        if key not in _STATEMENT_KEYS:
            raise PolicyError(f"{path}.{key}", "unknown statement element")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{path}.Effect", 'required, "Allow" or "Deny"')
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{path}.Sid", "must be a string")
    action_key, actions = _one_of(raw, "Action", "NotAction", path)
    parsed_actions = _strings(actions, f"{path}.{action_key}")
    for action in parsed_actions:
        if action != "*" and ":" not in action:
            raise PolicyError(f"{path}.{action_key}", f"{action!r} is not service:action (e.g. execute-api:Invoke)")
    resource_key, resources = _one_of(raw, "Resource", "NotResource", path, required=kind is not PolicyKind.TRUST)
    parsed_resources = _strings(resources, f"{path}.{resource_key}") if resource_key else ("*",)
    principal_key, principal = _one_of(raw, "Principal", "NotPrincipal", path, required=kind is not PolicyKind.IDENTITY)
    if kind is PolicyKind.IDENTITY and principal_key is not None:
        raise PolicyError(f"{path}.{principal_key}", "an identity-based policy must not name a principal")
    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        try:
            conditions = parse_condition_block(raw["Condition"])
        except ConditionError as exc:
            raise PolicyError(f"{path}.Condition{exc.path}", exc.problem) from exc
    return Statement(
        effect=Effect(effect),
        actions=parsed_actions,
        resources=parsed_resources,
        sid=sid,
        not_action=action_key == "NotAction",
        not_resource=resource_key == "NotResource",
        principal=_parse_principal(principal, f"{path}.{principal_key}") if principal_key else None,
        not_principal=principal_key == "NotPrincipal",
        conditions=conditions,
    )


@dataclass(frozen=True, slots=True)
class Request:
    """What is being authorized. ``context`` may use any key case; ``evaluate`` lower-cases it."""

    action: str
    resource: str
    caller: Caller = ANONYMOUS
    context: Mapping[str, ContextValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome, the statement that decided it (None for an implicit deny), and a human reason."""

    outcome: Outcome
    statement: Statement | None = None
    policy: Policy | None = None
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW

    @property
    def explicit_deny(self) -> bool:
        return self.outcome is Outcome.EXPLICIT_DENY


def _describe(policy: Policy, statement: Statement) -> str:
    where = policy.name or f"{policy.kind} policy"
    return f"{where} statement {statement.sid!r}" if statement.sid else f"{where}"


def evaluate(policies: Iterable[Policy], request: Request) -> Decision:
    """Evaluate a set of policies together: any applicable Deny → EXPLICIT_DENY; else any applicable
    Allow → ALLOW; else IMPLICIT_DENY. Principal elements are only checked in resource policies."""
    context = {key.lower(): value for key, value in request.context.items()}
    allow: Decision | None = None
    for policy in policies:
        for statement in policy.statements:
            if allow is not None and statement.effect is Effect.ALLOW:
                continue
            if not statement.applies(request.caller, request.action, request.resource, context,
                                     variables=policy.variables):
                continue
            if statement.effect is Effect.DENY:
                return Decision(Outcome.EXPLICIT_DENY, statement, policy, f"denied by {_describe(policy, statement)}")
            allow = Decision(Outcome.ALLOW, statement, policy, f"allowed by {_describe(policy, statement)}")
    return allow or Decision(Outcome.IMPLICIT_DENY, reason="no statement allows the request")
