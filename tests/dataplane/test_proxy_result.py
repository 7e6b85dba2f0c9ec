"""Lambda proxy results as API Gateway maps them (reference §9.2, recorded against AWS by localstack)."""

from __future__ import annotations

from typing import Any

import pytest

from poolgate.dataplane.integrations.aws_proxy import proxy_result


@pytest.mark.parametrize(("result", "status", "headers", "body"), [
    ({"statusCode": 200}, 200, [], b""),
    ({"headers": {"X-A": "1"}}, 200, [("X-A", "1")], b""),
    ({"statusCode": "201", "body": "hi"}, 201, [], b"hi"),
    ({"statusCode": 200, "headers": {"X-Flag": True}}, 200, [("X-Flag", "true")], b""),
    ({"statusCode": 200, "headers": None}, 200, [], b""),
    ({"statusCode": 200, "multiValueHeaders": {"h": ["a", "b"]}}, 200, [("h", "a, b")], b""),
    ({"statusCode": 200, "headers": {"test-multi": "value-solo"}, "multiValueHeaders": {"tesT-Multi": ["value-multi"]}},
     200, [("tesT-Multi", "value-multi, value-solo")], b""),
    ({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}, 200, [], b"aGk="),
], ids=["status only", "headers only", "string status", "bool header", "null headers", "multi", "merge", "b64"])
def test_valid_results(result: dict[str, Any], status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    mapped = proxy_result(result)
    assert mapped is not None
    assert (mapped.status, mapped.headers, mapped.body) == (status, headers, body)


@pytest.mark.parametrize("result", [
    {"statusCode": 200, "wrongValue": 1}, {}, "a bare string", None, {"statusCode": "abc"},
    {"statusCode": 200, "multiValueHeaders": {"h": "not-a-list"}}, {"statusCode": True},
    {"statusCode": 200, "body": {}},
], ids=["extra key", "empty", "string", "none", "non-numeric status", "multi not list", "bool status", "dict body"])
def test_malformed_results(result: Any) -> None:
    assert proxy_result(result) is None


def test_base64_decoded_only_for_binary_requests() -> None:
    mapped = proxy_result({"statusCode": 200, "body": "aGk=", "isBase64Encoded": True}, decode_base64=True)
    assert mapped is not None and mapped.body == b"hi"
