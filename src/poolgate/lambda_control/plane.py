"""The lambda control plane over HTTP (REST-JSON): authenticate (SigV4, service ``lambda``) → route →
parse → validate against botocore's model → one function per operation → serialize.

Errors are sent as Lambda sends them: the error's status, ``x-amzn-ErrorType: {code}`` and
``{"Type": "User", "message": …}`` (botocore's rest-json parser reads the code from the header).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from typing import Any

from sqlalchemy import select

from ..awsproto import restjson
from ..awsproto.dispatch import Caller
from ..awsproto.validate import validation_errors
from ..errors import ServiceError
from ..http import MAX_BODY, Request, Scope, Send, send_response
from ..services import Services
from ..store.sql.tables import lambda_functions
from . import code_urls, permissions, routes, updates, versions  # noqa: F401  (each module registers its operations)
from .code import folder_of
from .functions import OPERATIONS, Call, define, stored_row

log = logging.getLogger("poolgate.lambda")

_CODE_PREFIX = code_urls.PREFIX
POLL_SECONDS = 0.5
"""How often each process reads the stored functions (changes made through another process)."""
_FUNCTIONS = "/2015-03-31/functions"
MAX_REQUEST = 69905067
"""Lambda's cap on a CreateFunction request: a 50 MB zip in base64 (``Request must be smaller than 69905067
bytes for the CreateFunction operation``; UNCONFIRMED as a capture, quoted from users' reports)."""


class LambdaControl:
    """Answers the lambda operations (``/2015-03-31/functions…``) and refuses the others clearly."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.defined: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self.strict_errors = os.environ.get("POOLGATE_STRICT_ERRORS") == "1"

    async def start(self) -> None:
        """At start, before the data plane compiles the stored stages: every function the lambda API made is
        known to the runtime, so a REST API's integration can name it (the runtime knows functions by name:
        two accounts' functions of one name are one function to the gateway, UNCONFIRMED as a need). Then,
        every ``POLL_SECONDS``, what other processes of the database changed (new, updated, deleted)."""
        runtime = self.services.extras.get("function_runtime")
        if runtime is None:
            return
        await self.sync(runtime)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._poll(runtime))
            self.services.extras.setdefault("on_shutdown", []).append(self.stop)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _poll(self, runtime: Any) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self.sync(runtime)
            except Exception:  # a database hiccup: try again next time
                log.warning("reading the stored lambda functions failed", exc_info=True)

    async def sync(self, runtime: Any) -> None:
        """Make the runtime's stored functions what the database holds (one read of the table)."""
        async with self.services.db.read() as conn:
            rows = (await conn.execute(select(lambda_functions))).all()
        seen: set[str] = set()
        for row in rows:
            if row.name in runtime.functions and row.name not in self.defined:
                continue  # declared in poolgate.yaml: the file's is served (CreateFunction refuses the name)
            seen |= define(runtime, self.services.settings.data_dir, row, self.defined)
        for name in [name for name in self.defined if name not in seen]:
            runtime.forget(name)
            del self.defined[name]

    @staticmethod
    def max_body(scope: Scope) -> int:
        """The request size this plane takes: a zip upload (CreateFunction, UpdateFunctionCode) may be 50 MB,
        base64 in JSON; other requests keep the server's cap."""
        path = scope.get("path", "")
        return MAX_REQUEST if path.startswith(_FUNCTIONS) else MAX_BODY

    @staticmethod
    def claims(request: Request) -> bool:
        path = request.raw_path.split("?", 1)[0]
        return routes.is_service_path(path) or path.startswith(_CODE_PREFIX)

    async def handle(self, request: Request, send: Send, request_id: str) -> None:
        headers = [("x-amzn-requestid", request_id)]
        try:
            status, body, extra, content_type = await self._answer(request, request_id)
            headers += extra
        except ServiceError as err:
            status = err.status
            headers.append(("x-amzn-errortype", err.code))
            document = {"Type": "User" if status < 500 else "Service", "message": err.message,
                        **getattr(err, "extra", {})}
            body = json.dumps(document).encode()
            content_type = "application/json"
        await send_response(send, status, body, headers, content_type)

    async def _answer(self, request: Request, request_id: str) -> tuple[int, bytes, list[tuple[str, str]], str]:
        settings = self.services.settings
        caller = Caller(region=settings.region, account=settings.account, signed=False, access_key=None,
                        source_ip=request.client_ip, request_id=request_id)
        raw_path = request.raw_path.split("?", 1)[0]
        if raw_path.startswith(_CODE_PREFIX) and request.method == "GET":
            return await self._code(request, raw_path, request_id)
        restjson.authenticate_service(self.services, request, caller, routes.SERVICE)
        found = routes.match(request.method, raw_path)
        if found is None:
            raise ServiceError("UnknownOperationException", f"No lambda operation is {request.method} {raw_path}",
                               404)  # wording UNCONFIRMED
        route = found[0]
        handler = OPERATIONS.get(route.name)
        if handler is None:
            raise ServiceError("InvalidParameterValueException",
                               f"{route.name} is not supported by poolgate yet. Its lambda API serves: "
                               f"{', '.join(sorted(OPERATIONS))}", 400)
        params: dict[str, Any] = dict(found[1])
        params.update(_query_members(route, request))
        params.update(restjson.header_members(route, request))
        payload_member = route.model.output_shape is not None and route.name == "Invoke"
        if route.name == "Invoke":
            body_params: dict[str, Any] = {}
        else:
            body_params = _body_members(request.body)
        params.update(body_params)
        problem = validation_errors(route.model.input_shape, params)
        if problem:
            raise ServiceError("ValidationException", problem, 400)
        if route.name == "Invoke":
            params["Payload"] = request.body
        call = Call(self.services, caller, self.services.extras.get("function_runtime"), self.defined)
        try:
            answer = await handler(call, params)
        except ServiceError as err:
            if self.strict_errors and err.code not in ("ValidationException", "UnknownOperationException"):
                declared = {shape.name for shape in route.model.error_shapes}
                assert err.code in declared, f"{route.name} raised undeclared {err.code}"
            raise
        if payload_member:
            status, body, headers = answer
            return status, body, headers, "application/json"
        status = int(route.model.http.get("responseCode", 200))
        if answer is None:
            return 204, b"", [], "application/json"
        return status, json.dumps(answer, separators=(",", ":")).encode(), [], "application/json"

    async def _code(self, request: Request, raw_path: str, request_id: str
                    ) -> tuple[int, bytes, list[tuple[str, str]], str]:
        """GetFunction's ``Code.Location``: the function's zip as it was uploaded, to a signed, unexpired URL
        only (``code_urls``); S3's XML error otherwise."""
        try:
            account, region, name = code_urls.path_parts(raw_path)
            call = Call(self.services, Caller(region=region, account=account, signed=False, access_key=None,
                                              source_ip="", request_id=""), None)
            row = await stored_row(call, name)
            await code_urls.check(self.services, request.query(), account, region, name,
                                  None if row is None else row.code_sha256)
            folder = folder_of(self.services.settings.data_dir, account, region, name, row.code_sha256)
            zipped = folder.with_name(f"{row.code_sha256}.zip")
            if not zipped.is_file():
                raise code_urls.CodeDenied("NoSuchKey", "The specified key does not exist.", 404)
        except code_urls.CodeDenied as denied:
            return denied.status, code_urls.error_document(denied, request_id), [], "application/xml"
        return 200, zipped.read_bytes(), [], "application/zip"


def _query_members(route: routes.Route, request: Request) -> dict[str, Any]:
    shape = route.model.input_shape
    if shape is None:
        return {}
    by_name = {member.serialization.get("name"): (name, member) for name, member in shape.members.items()
               if member.serialization.get("location") == "querystring"}
    result: dict[str, Any] = {}
    for key, value in request.query():
        if key not in by_name:
            continue
        name, member = by_name[key]
        if member.type_name == "list":
            result.setdefault(name, []).append(value)
        elif member.type_name == "integer":
            try:
                result[name] = int(value)
            except ValueError:
                raise ServiceError("InvalidParameterValueException", f"Invalid {key}: {value!r}", 400) from None
        else:
            result[name] = value
    return result


def _body_members(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        raise ServiceError("InvalidRequestContentException", "Could not parse request body into json", 400) from None
    if not isinstance(parsed, dict):
        raise ServiceError("InvalidRequestContentException", "Could not parse request body into json", 400)
    return parsed

