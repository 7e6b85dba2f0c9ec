"""The console's calls: the same operations boto3 sends (cognito-idp, apigateway, lambda), serialised and parsed by
botocore from its service models, SigV4-signed with the console session's key, and sent in-process through the
server's own ASGI entry point — the edge checks, the planes' signature checks and their error rendering all run as
for any other client, and nothing the console shows is a private copy of the state."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from ..http import Scope

App = Any  # the ASGI app (PoolgateApp): called as app(scope, receive, send)


@dataclass(frozen=True, slots=True)
class Identity:
    """Whom the console's calls are signed as: an access key and its secret, and the region."""

    access_key: str
    secret_key: str
    region: str


class OperationError(Exception):
    """An operation answered an error: its ``__type`` (code), message and HTTP status, as boto3 shows them."""

    def __init__(self, operation: str, code: str, message: str, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.operation, self.code, self.message, self.status = operation, code, message, status


@lru_cache(maxsize=8)
def _service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


@dataclass(frozen=True, slots=True)
class Answer:
    data: dict[str, Any]
    elapsed_ms: float
    request_id: str = ""
    """The answer's ``x-amzn-RequestId`` (boto3's ``ResponseMetadata.RequestId``)."""


class Client:
    """``await client.call("apigateway", "CreateRestApi", {"name": "x"})`` → the parsed output, as boto3 returns
    it; raises :class:`OperationError` for an error answer (and for input botocore refuses)."""

    def __init__(self, app: App, base_url: str, identity: Identity, host: str) -> None:
        self.app, self.base_url, self.identity, self.host = app, base_url, identity, host

    async def call(self, service: str, operation: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return (await self.timed(service, operation, params)).data

    async def timed(self, service: str, operation: str, params: dict[str, Any] | None = None) -> Answer:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
        from botocore.credentials import Credentials
        from botocore.exceptions import ParamValidationError
        from botocore.parsers import create_parser
        from botocore.serialize import create_serializer

        model = _service_model(service)
        op = model.operation_model(operation)
        protocol = model.metadata["protocol"]
        try:
            request_dict = create_serializer(protocol, include_validation=True).serialize_to_request(
                params or {}, op)
        except ParamValidationError as err:
            raise OperationError(operation, "ValidationException", str(err), 400) from None
        prepare_request_dict(request_dict, endpoint_url=self.base_url)
        request = create_request_object(request_dict)
        request.headers["Host"] = self.host
        SigV4Auth(Credentials(self.identity.access_key, self.identity.secret_key),
                  model.metadata.get("signingName") or model.endpoint_prefix, self.identity.region
                  ).add_auth(request)
        prepared = request.prepare()
        started = time.perf_counter()
        status, headers, body = await self._send(prepared.method, prepared.url, dict(prepared.headers.items()),
                                                 prepared.body or b"")
        elapsed = (time.perf_counter() - started) * 1000
        parsed = create_parser(protocol).parse(  # headers looked up by any case, as botocore's own responses
            {"status_code": status, "headers": HeadersDict(headers), "body": body}, op.output_shape)
        if status >= 300:
            error = parsed.get("Error") or {}
            raise OperationError(operation, str(error.get("Code") or status), str(error.get("Message") or ""),
                                 status)
        metadata = parsed.pop("ResponseMetadata", None) or {}
        return Answer(parsed, elapsed, str(metadata.get("RequestId") or ""))

    async def fetch(self, url: str) -> tuple[int, bytes]:
        """A plain GET of one of this server's own URLs (a ``Code.Location``), in-process."""
        status, _, body = await self._send("GET", url, {"Host": self.host}, b"")
        return status, body

    async def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | str
                    ) -> tuple[int, dict[str, str], bytes]:
        data = body.encode() if isinstance(body, str) else body
        parts = urlsplit(url)
        raw_path = parts.path or "/"
        scope: Scope = {
            "type": "http", "http_version": "1.1", "method": method, "scheme": "http",
            "path": unquote(raw_path), "raw_path": raw_path.encode(), "query_string": parts.query.encode(),
            "root_path": "", "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 0),
            "headers": [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()
                        if k.lower() != "content-length"]
            + [(b"content-length", str(len(data)).encode())],
        }
        sent = False
        answer: dict[str, Any] = {"status": 500, "headers": {}, "body": b""}

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = {k.decode("latin-1").lower(): v.decode("latin-1")
                                     for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                answer["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        return int(answer["status"]), answer["headers"], bytes(answer["body"])
