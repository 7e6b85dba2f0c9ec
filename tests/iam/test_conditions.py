"""Condition operators, one readable case per row (IAM User Guide: Condition operators)."""

from __future__ import annotations

from typing import Any

import pytest

from poolgate.iam.conditions import ConditionError, conditions_hold, parse_condition_block

CTX: dict[str, Any] = {
    "aws:sourceip": "203.0.113.7",
    "aws:username": "alice",
    "aws:principalarn": "arn:aws:iam::111122223333:user/eng/alice",
    "aws:principalaccount": "111122223333",
    "aws:currenttime": "2024-06-01T12:00:00Z",
    "aws:epochtime": 1717243200,
    "aws:securetransport": True,
    "aws:useragent": "Boto3/1.34 Python/3.11",
    "aws:principaltype": "User",
    "tags": ["prod", "blue"],
    "count": 7,
}

CASES: list[tuple[str, dict[str, Any], bool]] = [
    # strings
    ("string-equals", {"StringEquals": {"aws:username": "alice"}}, True),
    ("string-equals-is-case-sensitive", {"StringEquals": {"aws:username": "Alice"}}, False),
    ("string-equals-values-or", {"StringEquals": {"aws:username": ["bob", "alice"]}}, True),
    ("condition-keys-case-insensitive", {"StringEquals": {"AWS:UserName": "alice"}}, True),
    ("string-not-equals", {"StringNotEquals": {"aws:username": "bob"}}, True),
    ("string-not-equals-values-nor", {"StringNotEquals": {"aws:username": ["bob", "alice"]}}, False),
    ("string-equals-ignore-case", {"StringEqualsIgnoreCase": {"aws:username": "ALICE"}}, True),
    ("string-not-equals-ignore-case", {"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}, False),
    ("string-like-star", {"StringLike": {"aws:useragent": "Boto3/*"}}, True),
    ("string-like-question", {"StringLike": {"aws:username": "al?ce"}}, True),
    ("string-like-no-partial", {"StringLike": {"aws:username": "ali"}}, False),
    ("string-not-like", {"StringNotLike": {"aws:useragent": "curl/*"}}, True),
    ("string-not-like-matching", {"StringNotLike": {"aws:useragent": ["curl/*", "Boto3*"]}}, False),
    # numbers
    ("numeric-equals", {"NumericEquals": {"count": "7"}}, True),
    ("numeric-not-equals", {"NumericNotEquals": {"count": 7}}, False),
    ("numeric-less-than", {"NumericLessThan": {"count": "8"}}, True),
    ("numeric-less-than-equals", {"NumericLessThanEquals": {"count": "7"}}, True),
    ("numeric-greater-than", {"NumericGreaterThan": {"count": "7"}}, False),
    ("numeric-greater-than-equals", {"NumericGreaterThanEquals": {"count": "7.0"}}, True),
    ("numeric-on-non-number-context", {"NumericEquals": {"aws:username": "1"}}, False),
    # dates (ISO and epoch, on both aws:CurrentTime and aws:EpochTime)
    ("date-less-than", {"DateLessThan": {"aws:currenttime": "2024-12-31T23:59:59Z"}}, True),
    ("date-less-than-past", {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}}, False),
    ("date-less-than-equals", {"DateLessThanEquals": {"aws:currenttime": "2024-06-01T12:00:00Z"}}, True),
    ("date-greater-than", {"DateGreaterThan": {"aws:currenttime": "2024-06-01"}}, True),
    ("date-greater-than-equals-epoch", {"DateGreaterThanEquals": {"aws:epochtime": "1717243200"}}, True),
    ("date-equals", {"DateEquals": {"aws:epochtime": "2024-06-01T12:00:00Z"}}, True),
    ("date-not-equals", {"DateNotEquals": {"aws:currenttime": "2024-06-01T12:00:00+00:00"}}, False),
    # bool
    ("bool-true", {"Bool": {"aws:securetransport": "true"}}, True),
    ("bool-false", {"Bool": {"aws:SecureTransport": False}}, False),
    ("bool-missing-key", {"Bool": {"aws:multifactorauthpresent": "true"}}, False),
    # IP addresses
    ("ip-v4-cidr", {"IpAddress": {"aws:sourceip": "203.0.113.0/24"}}, True),
    ("ip-v4-single", {"IpAddress": {"aws:sourceip": "203.0.113.7"}}, True),
    ("ip-v4-outside", {"IpAddress": {"aws:sourceip": ["192.0.2.0/24", "198.51.100.0/24"]}}, False),
    ("ip-v6-network-v4-caller", {"IpAddress": {"aws:sourceip": "2001:db8::/32"}}, False),
    ("not-ip-address", {"NotIpAddress": {"aws:sourceip": "192.0.2.0/24"}}, True),
    ("not-ip-address-inside", {"NotIpAddress": {"aws:sourceip": ["192.0.2.0/24", "203.0.113.0/25"]}}, False),
    # ARNs
    ("arn-equals", {"ArnEquals": {"aws:principalarn": "arn:aws:iam::111122223333:user/eng/alice"}}, True),
    ("arn-like", {"ArnLike": {"aws:principalarn": "arn:aws:iam::*:user/*"}}, True),
    ("arn-like-account-component", {"ArnLike": {"aws:principalarn": "arn:aws:iam::2*:user/*"}}, False),
    ("arn-not-equals", {"ArnNotEquals": {"aws:principalarn": "arn:aws:iam::111122223333:user/bob"}}, True),
    ("arn-not-like", {"ArnNotLike": {"aws:principalarn": "arn:aws:iam::111122223333:*"}}, False),
    # missing keys
    ("missing-key-positive-is-false", {"StringEquals": {"aws:referer": "x"}}, False),
    ("missing-key-negated-is-true", {"StringNotEquals": {"aws:referer": "x"}}, True),
    ("missing-key-not-ip-is-true", {"NotIpAddress": {"aws:sourcevpc": "10.0.0.0/8"}}, True),
    ("if-exists-missing-key-true", {"StringEqualsIfExists": {"aws:referer": "x"}}, True),
    ("if-exists-present-key-tested", {"StringEqualsIfExists": {"aws:username": "bob"}}, False),
    ("if-exists-ip-present", {"IpAddressIfExists": {"aws:sourceip": "203.0.113.0/24"}}, True),
    ("null-true-absent", {"Null": {"aws:referer": "true"}}, True),
    ("null-true-present", {"Null": {"aws:username": "true"}}, False),
    ("null-false-present", {"Null": {"aws:username": False}}, True),
    # set qualifiers
    ("for-any-value", {"ForAnyValue:StringEquals": {"tags": ["prod", "dev"]}}, True),
    ("for-any-value-none", {"ForAnyValue:StringEquals": {"tags": ["dev"]}}, False),
    ("for-any-value-missing-key", {"ForAnyValue:StringEquals": {"nope": ["dev"]}}, False),
    ("for-all-values", {"ForAllValues:StringLike": {"tags": ["prod", "b*"]}}, True),
    ("for-all-values-one-outside", {"ForAllValues:StringEquals": {"tags": ["prod"]}}, False),
    ("for-all-values-missing-key", {"ForAllValues:StringEquals": {"nope": ["dev"]}}, True),
    ("for-any-value-negated", {"ForAnyValue:StringNotEquals": {"tags": ["prod"]}}, True),
    ("for-all-values-negated", {"ForAllValues:StringNotEquals": {"tags": ["prod"]}}, False),
    ("for-any-value-if-exists-missing", {"ForAnyValue:StringEqualsIfExists": {"nope": "x"}}, True),
    # several operators and keys: AND
    ("and-all-hold", {"StringEquals": {"aws:username": "alice", "aws:principaltype": "User"},
                      "IpAddress": {"aws:sourceip": "203.0.113.0/24"}}, True),
    ("and-one-fails", {"StringEquals": {"aws:username": "alice", "aws:principaltype": "Role"}}, False),
    ("and-across-operators", {"StringEquals": {"aws:username": "alice"}, "Bool": {"aws:securetransport": "false"}},
     False),
    # policy variables
    ("variable", {"StringLike": {"aws:principalarn": "arn:aws:iam::*:user/*/${aws:username}"}}, True),
    ("variable-missing", {"StringEquals": {"aws:username": "${aws:referer}"}}, False),
    ("variable-default", {"StringEquals": {"aws:username": "${aws:referer, 'alice'}"}}, True),
    ("variable-literal-star", {"StringLike": {"aws:username": "${*}"}}, False),
]


@pytest.mark.parametrize(("block", "expected"), [(b, e) for _, b, e in CASES], ids=[c[0] for c in CASES])
def test_condition(block: dict[str, Any], expected: bool) -> None:
    assert conditions_hold(parse_condition_block(block), CTX) is expected


def test_variables_are_literal_in_2008_policies() -> None:
    block = {"StringEquals": {"aws:username": "${aws:username}"}}
    assert conditions_hold(parse_condition_block(block), CTX) is True
    assert conditions_hold(parse_condition_block(block), CTX, variables=False) is False


def test_ipv6_source() -> None:
    ctx = {"aws:sourceip": "2001:db8:1234::1"}
    assert conditions_hold(parse_condition_block({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}), ctx)
    assert not conditions_hold(parse_condition_block({"IpAddress": {"aws:SourceIp": "2001:db9::/32"}}), ctx)
    assert not conditions_hold(parse_condition_block({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}), ctx)
    assert conditions_hold(parse_condition_block({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), ctx)


BAD = [
    ("unknown-operator", {"StringEqual": {"a": "b"}}, "unknown condition operator"),
    ("unknown-qualifier", {"ForSomeValues:StringEquals": {"a": "b"}}, "unknown set qualifier"),
    ("bad-cidr", {"IpAddress": {"aws:SourceIp": "300.1.2.3/8"}}, "not an IP address or CIDR block"),
    ("bad-number", {"NumericLessThan": {"n": "ten"}}, "not a number"),
    ("bad-date", {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}, "not an ISO 8601 date"),
    ("bad-bool", {"Bool": {"aws:SecureTransport": "yes"}}, "true or false"),
    ("bad-null", {"Null": {"aws:Referer": "maybe"}}, "Null takes true or false"),
    ("null-if-exists", {"NullIfExists": {"aws:Referer": "true"}}, "Null takes neither"),
    ("not-a-mapping", {"StringEquals": "x"}, "non-empty mapping"),
    ("nested-value", {"StringEquals": {"a": {"b": "c"}}}, "strings, numbers or booleans"),
    ("empty-values", {"StringEquals": {"a": []}}, "at least one value"),
]


@pytest.mark.parametrize(("block", "problem"), [(b, p) for _, b, p in BAD], ids=[c[0] for c in BAD])
def test_invalid_condition_blocks(block: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConditionError, match=problem):
        parse_condition_block(block)
