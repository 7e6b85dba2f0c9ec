"""The cognito-idp JSON service: operations register themselves here (``@COGNITO.operation``)."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..awsproto.dispatch import Caller, JsonService
from ..errors import ServiceError, invalid_parameter
from ..services import Services

COGNITO = JsonService("cognito-idp")

__all__ = ["COGNITO", "Caller", "Services", "page", "paginate"]


def paginate(items: list[Any], limit: int | None, token: str | None, default: int = 60) -> tuple[list[Any], str | None]:
    """A page of ``items`` and the opaque token of the next one."""
    start = 0
    if token:
        try:
            start = int(json.loads(base64.b64decode(token))["o"])
        except (ValueError, KeyError, TypeError) as exc:
            raise invalid_parameter("Invalid pagination token.") from exc
    size = limit or default
    chunk = items[start:start + size]
    more = start + size < len(items)
    next_token = base64.b64encode(json.dumps({"o": start + size}).encode()).decode() if more else None
    return chunk, next_token


def page(result: dict[str, Any], key: str, next_token: str | None, token_name: str = "NextToken") -> dict[str, Any]:
    if next_token:
        result[token_name] = next_token
    return result


def same_owner(caller: Caller, region: str, account: str, what: str) -> None:
    if caller.region != region or caller.account != account:
        raise ServiceError("ResourceNotFoundException", what)
