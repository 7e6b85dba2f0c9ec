"""The apigateway control plane over HTTP (REST-JSON): authenticate → route → parse → validate → one
function per operation (one transaction) → serialize.

Errors are sent as API Gateway sends them: the status of the error, ``x-amzn-ErrorType: {code}`` and
``{"message": …}`` (botocore's rest-json parser reads the code from the header). A write that changes what
a stage serves makes this process's data plane reload at once; other processes follow within a second
(``dataplane/stored.py``).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from sqlalchemy.exc import OperationalError

from ..awsproto import restjson
from ..awsproto.dispatch import Caller
from ..awsproto.validate import validation_errors
from ..errors import ServiceError
from ..http import Request, Send, send_response
from ..services import Services
from . import (  # noqa: F401  (each module registers its operations)
    apikeys,
    authorizers,
    deployments,
    documentation,
    domainnames,
    export,
    gatewayresponses,
    imports,
    integrations,
    methods,
    models,
    resources,
    restapis,
    routes,
    stages,
    tags,
    testinvoke,
    usageplans,
    vpclinks,
)
from .declared import apply_declared
from .registry import OPERATIONS, PAYLOAD, Call, bad_request

log = logging.getLogger("poolgate.control")

_PROTOCOL_ERRORS = frozenset({"ValidationException", "SerializationException"})
"""Raised by the protocol layer for any operation, declared or not (recorded from AWS for GetIntegrationResponse
with a bad statusCode: ``test_integration_response_invalid_statuscode`` in localstack's snapshot file)."""
SERVED = tuple(sorted(OPERATIONS))


def _refusal(name: str) -> ServiceError:
    return bad_request(f"{name} is not supported by poolgate yet. Its apigateway API serves: {', '.join(SERVED)}")


class ApiGatewayControl:
    """Answers the apigateway operations that name ``/restapis/…`` (and refuses the others clearly)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.strict_errors = os.environ.get("POOLGATE_STRICT_ERRORS") == "1"

    async def start(self, dataplane: Any, *, reset: bool = False) -> None:
        """Write poolgate.yaml's changed APIs to the database (``declared.py``); at start, before the data plane
        loads the stored stages; after a reset, then reload."""
        if dataplane is None or dataplane.stored is None:
            return
        await apply_declared(self.services, dataplane.stored.declared, force_bump=reset)

    @staticmethod
    def claims(request: Request) -> bool:
        """Whether the request names an apigateway operation's path (the data plane's invoke URLs were
        claimed before the request got here)."""
        return routes.is_service_path(request.raw_path.split("?", 1)[0])

    async def handle(self, request: Request, send: Send, request_id: str, dataplane: Any) -> None:
        headers = [("x-amzn-requestid", request_id)]
        content_type = "application/json"
        try:
            status, answer = await self._answer(request, request_id, dataplane)
            if PAYLOAD in answer:  # an output whose body is one blob (GetExport): its headers beside it
                body = answer.pop(PAYLOAD)
                content_type = answer.pop("contentType", "application/octet-stream")
                headers += [(name, value) for name, value in answer.items()]
            else:
                body = json.dumps(answer, separators=(",", ":")).encode() if status != 204 else b""
        except ServiceError as err:
            status = err.status
            headers.append(("x-amzn-errortype", err.code))
            body = json.dumps({"message": err.message}).encode()
        await send_response(send, status, body, headers, content_type)

    async def _answer(self, request: Request, request_id: str, dataplane: Any) -> tuple[int, dict[str, Any]]:
        settings = self.services.settings
        caller = Caller(region=settings.region, account=settings.account, signed=False, access_key=None,
                        source_ip=request.client_ip, request_id=request_id)
        restjson.authenticate_service(self.services, request, caller, routes.SERVICE)
        raw_path = request.raw_path.split("?", 1)[0]
        query = request.query()
        found = routes.match(request.method, raw_path, {key for key, _ in query})
        if found is None:
            # Wording UNCONFIRMED: no recorded AWS answer for a path no operation has.
            raise ServiceError("UnknownOperationException",
                               f"No apigateway operation is {request.method} {raw_path}", 404)
        route, params = found
        operation = OPERATIONS.get(route.name)
        if operation is None:
            raise _refusal(route.name)
        params.update(_query_members(route, query))
        params.update(restjson.header_members(route, request))
        params.update(_body_members(route, request.body))
        problem = validation_errors(route.model.input_shape, params)
        if problem:
            raise ServiceError("ValidationException", problem, 400)
        try:
            answer, changed = await self._run(operation, caller, params, dataplane)
        except ServiceError as err:
            if self.strict_errors:
                declared = {shape.name for shape in route.model.error_shapes} | _PROTOCOL_ERRORS
                assert err.code in declared, f"{route.name} raised undeclared {err.code}"
            raise
        if changed and dataplane is not None:
            await dataplane.reload()
        return int(route.model.http.get("responseCode", 200)), answer

    async def _run(self, operation: Any, caller: Caller, params: dict[str, Any],
                   dataplane: Any) -> tuple[dict[str, Any], bool]:
        """The operation in one transaction (a read-only one for reads)."""
        db = self.services.db
        try:
            if operation.writes:
                async with db.begin() as conn:
                    call = Call(self.services, caller, conn, True, dataplane)
                    answer = await operation.handler(call, params)
            else:
                async with db.read() as conn:
                    call = Call(self.services, caller, conn, False, dataplane)
                    answer = await operation.handler(call, params)
        except OperationalError:
            # A lock wait that ran out (SQLite's busy timeout, PostgreSQL's lock timeout): AWS's answer to
            # concurrent writers it cannot serialise (wording UNCONFIRMED).
            log.warning("apigateway write gave up waiting for a lock", exc_info=True)
            raise ServiceError("TooManyRequestsException", "Too Many Requests", 429) from None
        return answer, call.served_changed


def _query_members(route: routes.Route, query: list[tuple[str, str]]) -> dict[str, Any]:
    """The operation's querystring members: lists keep every value, integers are parsed (a non-number is a
    BadRequestException, wording UNCONFIRMED), other strings keep the last value."""
    shape = route.model.input_shape
    if shape is None:
        return {}
    by_name = {member.serialization.get("name"): (name, member) for name, member in shape.members.items()
               if member.serialization.get("location") == "querystring"}
    rest = next((name for name, member in shape.members.items()
                 if member.serialization.get("location") == "querystring" and member.type_name == "map"), None)
    result: dict[str, Any] = {}
    for key, value in query:
        if key not in by_name:
            if rest is not None and key not in route.fixed_query:
                result.setdefault(rest, {})[key] = value  # a map member takes the other parameters
            continue
        name, member = by_name[key]
        if member.type_name == "list":
            result.setdefault(name, []).append(value)
        elif member.type_name == "integer":
            try:
                result[name] = int(value)
            except ValueError:
                raise bad_request(f"Invalid {key}: {value!r} is not a whole number") from None
        elif member.type_name == "boolean":
            result[name] = value.lower() == "true"
        else:
            result[name] = value
    return result


def _body_members(route: Any, body: bytes) -> dict[str, Any]:
    """The operation's body members (JSON), by member name (``integrationHttpMethod`` is sent as ``httpMethod``);
    an operation whose body is one blob (ImportRestApi's document) gets it as text. A body that is no JSON
    object is AWS's SerializationException (wording UNCONFIRMED)."""
    shape = route.model.input_shape
    if shape is None:
        return {}
    payload = shape.serialization.get("payload")
    if payload is not None:
        return {payload: body.decode("utf-8", "replace")}
    if not body.strip():
        return {}
    try:
        document = json.loads(body)
    except ValueError:
        raise ServiceError("SerializationException", "The request body is not valid JSON", 400) from None
    if not isinstance(document, dict):
        raise ServiceError("SerializationException", "The request body must be a JSON object", 400)
    by_name = {member.serialization.get("name", name): name for name, member in shape.members.items()
               if member.serialization.get("location") is None}
    return {by_name[key]: value for key, value in document.items() if key in by_name}
