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


MAX_OFFSET = 2**31 - 1
"""No page starts further in (and no offset too large for a database integer reaches SQL)."""


def bad_page_token(token: str, request_id: str) -> ServiceError:
    """AWS's answer to a pagination token it did not issue: "Paging marker <token> is invalid for request
    <request id>", captured from ListUsers (aws/aws-sdk-js#3705); an InvalidParameterException, the error callers
    catch for it (aws-solutions/research-service-workbench-on-aws#1103). UNCONFIRMED for the NextToken operations
    (ListGroups, ListUsersInGroup …), which share this code."""
    return invalid_parameter(f"Paging marker {token} is invalid for request {request_id}")


def page_window(limit: int | None, token: str | None, request_id: str, default: int = 60) -> tuple[int, int]:
    """(offset, size) of the page a List* call asks for. The token is opaque to clients; only one exactly as
    ``next_page_token`` writes it is accepted (no garbage, whitespace, floats or other keys: never a 500)."""
    start = 0
    if token:
        try:
            decoded = json.loads(base64.b64decode(token, validate=True))
        except ValueError:
            decoded = None
        offset: Any = decoded.get("o") if isinstance(decoded, dict) else None
        if type(offset) is not int or not 0 < offset <= MAX_OFFSET or next_page_token(offset, 0, True) != token:
            raise bad_page_token(token, request_id)
        start = offset
    return start, limit or default


def next_page_token(start: int, size: int, more: bool) -> str | None:
    return base64.b64encode(json.dumps({"o": start + size}).encode()).decode() if more else None


def paginate(items: list[Any], limit: int | None, token: str | None, request_id: str, default: int = 60
             ) -> tuple[list[Any], str | None]:
    """A page of ``items`` and the opaque token of the next one."""
    start, size = page_window(limit, token, request_id, default)
    return items[start:start + size], next_page_token(start, size, start + size < len(items))


def listing(items: Sequence[T], key: str, render: Callable[[T], Any], limit: int | None, token: str | None,
            request_id: str, token_name: str = "NextToken") -> dict[str, Any]:
    """A List* output: one page of ``items`` rendered under ``key``, and ``token_name`` when more follow.
    ``request_id`` (the caller's) goes into the error for a bad token, as AWS writes it."""
    chunk, next_token = paginate(list(items), limit, token, request_id)
    result: dict[str, Any] = {key: [render(item) for item in chunk]}
    if next_token:
        result[token_name] = next_token
    return result


def same_owner(caller: Caller, region: str, account: str, what: str) -> None:
    if caller.region != region or caller.account != account:
        raise ServiceError("ResourceNotFoundException", what)
