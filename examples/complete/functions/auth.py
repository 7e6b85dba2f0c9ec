"""The ``Tokens`` Lambda authorizer (TOKEN): allows the bearer token ``let-me-in``, refuses every other one."""

from __future__ import annotations

from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("authorizationToken") != "Bearer let-me-in":
        raise Exception("Unauthorized")  # API Gateway answers 401
    return {"principalId": "partner",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
