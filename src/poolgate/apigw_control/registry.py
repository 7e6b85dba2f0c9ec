"""What every apigateway operation module shares: the registry, the call context, paging and AWS's errors."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from ..awsproto.dispatch import Caller
from ..errors import ServiceError
from ..services import Services

Shape = dict[str, Any]
T = TypeVar("T")

PAYLOAD = "__payload__"
"""An answer holding this key is sent as these bytes, ``contentType`` as its Content-Type and its other keys
as headers (operations whose output is one blob: GetExport)."""

DEFAULT_LIMIT = 25
MAX_LIMIT = 500
"""https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html: default 25, at most 500."""


@dataclass(slots=True)
class Call:
    """One operation call: who calls, and the connection of its one transaction (read-only for reads)."""

    services: Services
    caller: Caller
    conn: AsyncConnection
    writes: bool = False
    dataplane: Any = None
    """The data plane (``DataPlane``), whose compiler and plug-ins the test invocations run."""
    served_changed: bool = field(default=False)
    """Set by writes that change what some stage serves: the data plane reloads after the commit."""

    @property
    def now(self) -> float:
        return self.services.clock.now()

    def new_id(self, length: int) -> str:
        return self.services.ids.short_id(length)


Handler = Callable[[Call, dict[str, Any]], Awaitable[Shape]]


@dataclass(frozen=True, slots=True)
class Operation:
    handler: Handler
    writes: bool


OPERATIONS: dict[str, Operation] = {}


def operation(name: str, *, writes: bool = False) -> Callable[[Handler], Handler]:
    """Register the handler of AWS operation ``name`` (the model's operation name); ``writes`` runs it in a
    write transaction."""

    def register(handler: Handler) -> Handler:
        OPERATIONS[name] = Operation(handler, writes)
        return handler

    return register


def not_found(message: str) -> ServiceError:
    return ServiceError("NotFoundException", message, 404)


def bad_request(message: str) -> ServiceError:
    return ServiceError("BadRequestException", message, 400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ConflictException", message, 409)


def api_not_found(call: Call, api_id: str) -> ServiceError:
    """AWS's NotFoundException naming the account and the id (recorded: localstack
    tests/aws/services/apigateway/test_apigateway_api.snapshot.json, ``test_get_api_case_insensitive``)."""
    return not_found(f"Invalid API identifier specified {call.caller.account}:{api_id}")


RESOURCE_NOT_FOUND = "Invalid Resource identifier specified"
METHOD_NOT_FOUND = "Invalid Method identifier specified"
INTEGRATION_NOT_FOUND = "Invalid Integration identifier specified"
STATUS_NOT_FOUND = "Invalid Response status code specified"
STAGE_NOT_FOUND = "Invalid stage identifier specified"
DEPLOYMENT_NOT_FOUND = "Invalid Deployment identifier specified"
AUTHORIZER_NOT_FOUND = "Invalid Authorizer identifier specified"


def _position(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def page(items: Sequence[T], key: Callable[[T], str], params: dict[str, Any]) -> tuple[list[T], str | None]:
    """One page of ``items`` from ``position`` (opaque: its first item's key, encoded) and the next position.

    Out-of-range limits and unknown positions are BadRequestExceptions (wording UNCONFIRMED against AWS).
    """
    limit = params.get("limit", DEFAULT_LIMIT)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"Invalid limit {limit}: must be between 1 and {MAX_LIMIT}")
    start = 0
    position = params.get("position")
    if position is not None:
        keys = [_position(key(item)) for item in items]
        if position not in keys:
            raise bad_request(f"Invalid position parameter: {position}")
        start = keys.index(position)
    chunk = list(items[start:start + limit])
    following = start + limit
    return chunk, _position(key(items[following])) if following < len(items) else None


def listing(items: list[Shape], position: str | None) -> Shape:
    """A paginated list output: ``{"item": [...]}`` plus ``position`` when more follow."""
    result: Shape = {"item": items}
    if position is not None:
        result["position"] = position
    return result


def embeds(params: dict[str, Any], what: str) -> bool:
    return any(value.strip().lower() == what for item in params.get("embed", []) for value in item.split(","))
