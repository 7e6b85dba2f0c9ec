"""The apigateway control plane over HTTP (REST-JSON): authenticate → route → parse → validate → one
function per operation → serialize. Read-only: APIs are declared in poolgate.yaml.

Errors are sent as API Gateway sends them: the status of the error, ``x-amzn-ErrorType: {code}`` and
``{"message": …}`` (botocore's rest-json parser reads the code from the header).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from ..awsproto import sigv4
from ..awsproto.dispatch import Caller, authenticate
from ..awsproto.validate import validation_errors
from ..errors import ServiceError
from ..http import Request, Send, send_response
from ..services import Services
from . import routes
from .catalog import Catalog, bad_request
from .ops import OPERATIONS

log = logging.getLogger("poolgate.control")

_AUTH_ERRORS = frozenset({"IncompleteSignatureException", "InvalidSignatureException",
                          "UnrecognizedClientException", "MissingAuthenticationTokenException"})
"""SigV4 failures: API Gateway answers them with 403 (its other errors carry their model's status)."""
_PROTOCOL_ERRORS = frozenset({"ValidationException"})
"""Raised by the protocol layer for any operation, declared or not (recorded from AWS for GetIntegrationResponse
with a bad statusCode: ``test_integration_response_invalid_statuscode`` in localstack's snapshot file)."""
SERVED = tuple(sorted(OPERATIONS))


def _refusal(name: str, method: str) -> ServiceError:
    if method == "GET":
        return bad_request(f"{name} is not supported by poolgate: its apigateway API is read-only and serves "
                           f"{', '.join(SERVED)}")
    return bad_request(f"{name} is not supported: poolgate declares REST APIs in poolgate.yaml (apis:) and its "
                       "apigateway API is read-only. Change the file and restart poolgate to change an API.")


class ApiGatewayControl:
    """Answers the apigateway operations that name ``/restapis/…`` (and refuses the others clearly)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.created = services.clock.now()
        self.strict_errors = os.environ.get("POOLGATE_STRICT_ERRORS") == "1"

    @staticmethod
    def claims(request: Request) -> bool:
        """Whether the request names an apigateway operation's path (the data plane's invoke URLs were
        claimed before the request got here)."""
        return routes.is_service_path(request.raw_path.split("?", 1)[0])

    async def handle(self, request: Request, send: Send, request_id: str, dataplane: Any) -> None:
        headers = [("x-amzn-requestid", request_id)]
        try:
            body = json.dumps(self._answer(request, request_id, dataplane), separators=(",", ":")).encode()
            status = 200
        except ServiceError as err:
            status = err.status
            headers.append(("x-amzn-errortype", err.code))
            body = json.dumps({"message": err.message}).encode()
        await send_response(send, status, body, headers)

    def _answer(self, request: Request, request_id: str, dataplane: Any) -> dict[str, Any]:
        settings = self.services.settings
        caller = Caller(region=settings.region, account=settings.account, signed=False, access_key=None,
                        source_ip=request.client_ip, request_id=request_id)
        self._authenticate(request, caller)
        raw_path = request.raw_path.split("?", 1)[0]
        query = request.query()
        found = routes.match(request.method, raw_path, {key for key, _ in query})
        if found is None:
            # Wording UNCONFIRMED: no recorded AWS answer for a path no operation has.
            raise ServiceError("UnknownOperationException",
                               f"No apigateway operation is {request.method} {raw_path}", 404)
        route, params = found
        handler = OPERATIONS.get(route.name)
        if handler is None:
            raise _refusal(route.name, route.method)
        params.update(_query_members(route, query))
        problem = validation_errors(route.model.input_shape, params)
        if problem:
            raise ServiceError("ValidationException", problem, 400)
        deployments = dataplane.deployments if dataplane is not None else {}
        catalog = Catalog.build(deployments, caller.region, caller.account, self.created)
        try:
            return handler(catalog, params)
        except ServiceError as err:
            if self.strict_errors:
                declared = {shape.name for shape in route.model.error_shapes} | _PROTOCOL_ERRORS
                assert err.code in declared, f"{route.name} raised undeclared {err.code}"
            raise

    def _authenticate(self, request: Request, caller: Caller) -> None:
        """SigV4 exactly as the cognito-idp control plane checks it (local mode: any credentials; signed
        mode: configured keys only), plus the credential scope's service; the scope's region picks the APIs."""
        try:
            signed = sigv4.parse_authorization(request)
        except sigv4.SignatureError as err:
            raise ServiceError(err.code, err.message, 403) from err
        if signed is not None and signed.scope.service != routes.SERVICE:
            # The same text the data plane's AWS_IAM check uses (dataplane/authorizers/iam.py).
            raise ServiceError("InvalidSignatureException",
                               f"Credential should be scoped to correct service: '{routes.SERVICE}'. ", 403)
        try:
            authenticate(self.services, request, caller)
        except ServiceError as err:
            if err.code in _AUTH_ERRORS:
                err.status = 403
            raise


def _query_members(route: routes.Route, query: list[tuple[str, str]]) -> dict[str, Any]:
    """The operation's querystring members: lists keep every value, integers are parsed (a non-number is a
    BadRequestException, wording UNCONFIRMED), other strings keep the last value."""
    shape = route.model.input_shape
    if shape is None:
        return {}
    by_name = {member.serialization.get("name"): (name, member) for name, member in shape.members.items()
               if member.serialization.get("location") == "querystring"}
    result: dict[str, Any] = {}
    for key, value in query:
        if key not in by_name:
            continue
        name, member = by_name[key]
        if member.type_name == "list":
            result.setdefault(name, []).append(value)
        elif member.type_name == "integer":
            try:
                result[name] = int(value)
            except ValueError:
                raise bad_request(f"Invalid {key}: {value!r} is not a whole number") from None
        else:
            result[name] = value
    return result
