"""The cognito-idp JSON service: operations register themselves here (``@COGNITO.operation``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..awsproto.dispatch import Caller, JsonService
from ..errors import ServiceError, invalid_parameter
from ..services import Services

COGNITO = JsonService("cognito-idp")
T = TypeVar("T")

__all__ = ["COGNITO", "Caller", "Services", "listing", "paginate"]


def page_window(limit: int | None, token: str | None, default: int = 60) -> tuple[int, int]:
    """(offset, size) of the page a List* call asks for; the token is opaque to clients."""
    start = 0
    if token:
        try:
            start = int(json.loads(base64.b64decode(token))["o"])
        except (ValueError, KeyError, TypeError) as exc:
            raise invalid_parameter("Invalid pagination token.") from exc
        if start < 0:
            raise invalid_parameter("Invalid pagination token.")
    return start, limit or default


def next_page_token(start: int, size: int, more: bool) -> str | None:
    return base64.b64encode(json.dumps({"o": start + size}).encode()).decode() if more else None


def paginate(items: list[Any], limit: int | None, token: str | None, default: int = 60) -> tuple[list[Any], str | None]:
    """A page of ``items`` and the opaque token of the next one."""
    start, size = page_window(limit, token, default)
    return items[start:start + size], next_page_token(start, size, start + size < len(items))


def listing(items: Sequence[T], key: str, render: Callable[[T], Any], limit: int | None, token: str | None,
            token_name: str = "NextToken") -> dict[str, Any]:
    """A List* output: one page of ``items`` rendered under ``key``, and ``token_name`` when more follow."""
    chunk, next_token = paginate(list(items), limit, token)
    result: dict[str, Any] = {key: [render(item) for item in chunk]}
    if next_token:
        result[token_name] = next_token
    return result


def same_owner(caller: Caller, region: str, account: str, what: str) -> None:
    if caller.region != region or caller.account != account:
        raise ServiceError("ResourceNotFoundException", what)
