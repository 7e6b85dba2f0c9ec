"""The ``Condition`` element of an IAM policy statement: operators, ``...IfExists``, set qualifiers.

Mirrors the IAM User Guide pages "IAM JSON policy elements: Condition operators" and "Conditions with
multiple context keys or values":

- several operators, and several keys under one operator, are ANDed; several values for one key are ORed,
  except under a negated operator (``StringNotEquals``, ``NotIpAddress`` …) where they are NORed;
- a key absent from the request context makes a condition false, or true under a negated operator;
  ``...IfExists`` makes an absent key true; ``Null`` tests presence itself;
- ``ForAnyValue:`` is true when some context value satisfies the operator (false when the key is absent),
  ``ForAllValues:`` when every context value does (true when the key is absent);
- condition keys are case-insensitive; policy variables (``${aws:username}``) work in string and ARN operators.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .matching import ContextValue, MissingVariable, arn_match, format_value, glob_match, substitute, unescape


class ConditionError(ValueError):
    """An invalid ``Condition`` element; ``path`` points inside it (``.StringEquals.aws:SourceIp``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_date(text: str) -> float | None:
    """An IAM date value: ISO 8601 (``2024-01-31``, ``2024-01-31T12:00:00Z``) or epoch seconds."""
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _in_network(policy: str, context: str) -> bool:
    network = _network(policy)
    try:
        address = ipaddress.ip_address(context.strip())
    except ValueError:
        return False
    return network is not None and address.version == network.version and address in network


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def match(policy: str, context: str) -> bool:
        a, b = _number(context), _number(policy)
        return a is not None and b is not None and compare(a, b)
    return match


def _dated(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def match(policy: str, context: str) -> bool:
        a, b = parse_date(context), parse_date(policy)
        return a is not None and b is not None and compare(a, b)
    return match


@dataclass(frozen=True, slots=True)
class _Operator:
    match: Callable[[str, str], bool]  # (policy value, context value) -> matches
    negated: bool = False
    variables: bool = False  # policy variables are substituted in policy values
    check: Callable[[str], bool] | None = None  # validates a policy value at parse time
    expected: str = ""


def _eq(a: float, b: float) -> bool:
    return a == b


def _lt(a: float, b: float) -> bool:
    return a < b


def _le(a: float, b: float) -> bool:
    return a <= b


def _gt(a: float, b: float) -> bool:
    return a > b


def _ge(a: float, b: float) -> bool:
    return a >= b


def _string_equals(p: str, c: str) -> bool:
    return unescape(p) == c


def _string_equals_ignore_case(p: str, c: str) -> bool:
    return unescape(p).lower() == c.lower()


def _string_like(p: str, c: str) -> bool:
    return glob_match(p, c)


def _bool(p: str, c: str) -> bool:
    return p.lower() == c.lower()


def _is_number(text: str) -> bool:
    return _number(text) is not None


def _is_date(text: str) -> bool:
    return parse_date(text) is not None


def _is_network(text: str) -> bool:
    return _network(text) is not None


def _num_op(compare: Callable[[float, float], bool], negated: bool = False) -> _Operator:
    return _Operator(_numeric(compare), negated=negated, check=_is_number, expected="a number")


def _date_op(compare: Callable[[float, float], bool], negated: bool = False) -> _Operator:
    return _Operator(_dated(compare), negated=negated, check=_is_date, expected="an ISO 8601 date or epoch seconds")


OPERATORS: dict[str, _Operator] = {
    "StringEquals": _Operator(_string_equals, variables=True),
    "StringNotEquals": _Operator(_string_equals, negated=True, variables=True),
    "StringEqualsIgnoreCase": _Operator(_string_equals_ignore_case, variables=True),
    "StringNotEqualsIgnoreCase": _Operator(_string_equals_ignore_case, negated=True, variables=True),
    "StringLike": _Operator(_string_like, variables=True),
    "StringNotLike": _Operator(_string_like, negated=True, variables=True),
    "NumericEquals": _num_op(_eq),
    "NumericNotEquals": _num_op(_eq, negated=True),
    "NumericLessThan": _num_op(_lt),
    "NumericLessThanEquals": _num_op(_le),
    "NumericGreaterThan": _num_op(_gt),
    "NumericGreaterThanEquals": _num_op(_ge),
    "DateEquals": _date_op(_eq),
    "DateNotEquals": _date_op(_eq, negated=True),
    "DateLessThan": _date_op(_lt),
    "DateLessThanEquals": _date_op(_le),
    "DateGreaterThan": _date_op(_gt),
    "DateGreaterThanEquals": _date_op(_ge),
    "Bool": _Operator(_bool, check=lambda v: v.lower() in ("true", "false"), expected="true or false"),
    "BinaryEquals": _Operator(_string_equals),
    "IpAddress": _Operator(_in_network, check=_is_network, expected="an IP address or CIDR block"),
    "NotIpAddress": _Operator(_in_network, negated=True, check=_is_network, expected="an IP address or CIDR block"),
    "ArnEquals": _Operator(arn_match, variables=True),
    "ArnLike": _Operator(arn_match, variables=True),
    "ArnNotEquals": _Operator(arn_match, negated=True, variables=True),
    "ArnNotLike": _Operator(arn_match, negated=True, variables=True),
}
_BY_LOWER = {name.lower(): name for name in [*OPERATORS, "Null"]}
QUALIFIERS = ("ForAnyValue", "ForAllValues")


@dataclass(frozen=True, slots=True)
class Condition:
    """One ``operator: {key: values}`` test of a statement's ``Condition`` element."""

    operator: str  # canonical base name, e.g. ``StringLike`` or ``Null``
    key: str  # lower-case: condition keys are case-insensitive
    values: tuple[str, ...]
    qualifier: str | None = None  # ``ForAnyValue`` | ``ForAllValues``
    if_exists: bool = False

    def holds(self, context: Mapping[str, ContextValue], *, variables: bool = True) -> bool:
        """Whether the request context (lower-case keys) satisfies this test; ``variables`` is False for
        2008-10-17 policies, where ``${…}`` is literal text."""
        raw = context.get(self.key)
        present: list[str] = ([format_value(v) for v in raw] if isinstance(raw, list)
                              else [] if raw is None else [format_value(raw)])
        if self.operator == "Null":
            absent = not present
            return any((value.lower() == "true") == absent for value in self.values)
        spec = OPERATORS[self.operator]
        if not present:
            if self.if_exists:
                return True
            if self.qualifier == "ForAllValues":
                return True
            if self.qualifier == "ForAnyValue":
                return False
            return spec.negated
        patterns = self._patterns(spec, context, variables)

        def satisfied(value: str) -> bool:
            hit = any(spec.match(pattern, value) for pattern in patterns)
            return not hit if spec.negated else hit

        if self.qualifier == "ForAllValues":
            return all(satisfied(value) for value in present)
        if self.qualifier == "ForAnyValue" or not spec.negated:
            return any(satisfied(value) for value in present)
        return all(satisfied(value) for value in present)  # negated, unqualified: no value may match

    def _patterns(self, spec: _Operator, context: Mapping[str, ContextValue], variables: bool) -> list[str]:
        if not (spec.variables and variables):
            return list(self.values)
        patterns = []
        for value in self.values:
            try:
                patterns.append(substitute(value, context))
            except MissingVariable:
                continue  # AWS: a value whose variable cannot be resolved matches nothing
        return patterns


def _values(raw: Any, path: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, str | bool | int | float):
            out.append(format_value(item))
        else:
            raise ConditionError(path, "condition values must be strings, numbers or booleans")
    if not out:
        raise ConditionError(path, "needs at least one value")
    return tuple(out)


def parse_operator(name: str, path: str) -> tuple[str, str | None, bool]:
    """``ForAnyValue:StringLikeIfExists`` → (``StringLike``, ``ForAnyValue``, True)."""
    qualifier: str | None = None
    base = name
    if ":" in name:
        prefix, base = name.split(":", 1)
        qualifier = next((q for q in QUALIFIERS if q.lower() == prefix.lower()), None)
        if qualifier is None:
            raise ConditionError(path, f"unknown set qualifier {prefix!r} (expected ForAnyValue or ForAllValues)")
    if_exists = base.lower().endswith("ifexists") and base.lower() != "ifexists"
    if if_exists:
        base = base[: -len("IfExists")]
    canonical = _BY_LOWER.get(base.lower())
    if canonical is None:
        raise ConditionError(path, f"unknown condition operator {name!r}")
    if canonical == "Null" and (if_exists or qualifier):
        raise ConditionError(path, "Null takes neither IfExists nor a set qualifier")
    return canonical, qualifier, if_exists


def parse_condition_block(block: Any) -> tuple[Condition, ...]:
    """Parse a statement's ``Condition`` mapping; raises ``ConditionError`` naming the bad part."""
    if not isinstance(block, dict):
        raise ConditionError("", "must be a mapping of condition operators")
    conditions = []
    for name, tests in block.items():
        path = f".{name}"
        operator, qualifier, if_exists = parse_operator(str(name), path)
        if not isinstance(tests, dict) or not tests:
            raise ConditionError(path, "must be a non-empty mapping of condition keys to values")
        for key, raw in tests.items():
            where = f"{path}.{key}"
            if not isinstance(key, str) or not key:
                raise ConditionError(where, "condition keys must be non-empty strings")
            values = _values(raw, where)
            if operator == "Null":
                bad = [v for v in values if v.lower() not in ("true", "false")]
                if bad:
                    raise ConditionError(where, "Null takes true or false")
            else:
                spec = OPERATORS[operator]
                if spec.check is not None:
                    for value in values:
                        if not spec.check(value):
                            raise ConditionError(where, f"{value!r} is not {spec.expected}")
            conditions.append(Condition(operator, key.lower(), values, qualifier, if_exists))
    return tuple(conditions)


def conditions_hold(conditions: tuple[Condition, ...], context: Mapping[str, ContextValue], *,
                    variables: bool = True) -> bool:
    """All conditions must hold (logical AND); an empty tuple holds trivially."""
    return all(condition.holds(context, variables=variables) for condition in conditions)
