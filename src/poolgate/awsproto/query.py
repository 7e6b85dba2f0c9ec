"""AWS's query protocol (STS, IAM): ``POST /`` with a form body (``Action=…&Version=…``), answers in XML
(``<{Action}Response xmlns="{namespace}"><{Action}Result>…``) and errors as ``<ErrorResponse><Error><Type>Sender
</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`` (the STS and IAM API
references' "Common Errors", and what botocore's query parser reads). A service is chosen by the form's
``Version``; its operations register with ``@SERVICE.operation(name)``; the form is typed and validated against
botocore's input shape (top-level strings, integers and booleans; lists are ``Name.member.N``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any
from xml.etree import ElementTree

from ..errors import ServiceError
from ..http import Request, Send, send_response
from .dispatch import service_model
from .validate import validation_errors

Operation = Callable[[Any, Request, dict[str, Any]], Awaitable[dict[str, Any] | None]]

QUERY_CODES = {"InvalidSignatureException": ("SignatureDoesNotMatch", 403),
               "IncompleteSignatureException": ("IncompleteSignature", 400),
               "UnrecognizedClientException": ("InvalidClientTokenId", 403),
               "MissingAuthenticationTokenException": ("MissingAuthenticationToken", 403)}
"""The JSON services' authentication errors (awsproto/sigv4.py, dispatch.authenticate) as the query services name
them (STS and IAM API references, "Common Errors"); the messages are the same texts."""


class QueryService:
    def __init__(self, name: str) -> None:
        self.name = name
        self.model = service_model(name)
        self.version: str = self.model.metadata["apiVersion"]
        self.namespace: str = self.model.metadata["xmlNamespace"]
        self.operations: dict[str, Operation] = {}

    def operation(self, name: str) -> Callable[[Operation], Operation]:
        self.model.operation_model(name)  # a typo fails at import

        def register(handler: Operation) -> Operation:
            self.operations[name] = handler
            return handler
        return register

    def params(self, action: str, form: dict[str, str]) -> dict[str, Any]:
        shape = self.model.operation_model(action).input_shape
        params: dict[str, Any] = {}
        if shape is None:
            return params
        for name, member in shape.members.items():
            if member.type_name == "list":
                items = sorted(((int(m.group(1)), v) for k, v in form.items()
                                if (m := re.fullmatch(rf"{name}\.member\.(\d+)", k))), key=lambda kv: kv[0])
                if items:
                    params[name] = [v for _, v in items]
                continue
            if name not in form:
                continue
            value: Any = form[name]
            if member.type_name == "integer":
                with contextlib.suppress(ValueError):  # not a number: the validation below words it
                    value = int(value)
            elif member.type_name == "boolean":
                value = {"true": True, "false": False}.get(value, value)
            if member.type_name in ("string", "integer", "boolean"):
                params[name] = value
        problem = validation_errors(shape, params)
        if problem:
            raise ServiceError("ValidationError", problem)
        return params


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            if item is not None:
                _element(child, key, item)
    elif isinstance(value, list):
        for item in value:
            _element(child, "member", item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    else:
        child.text = str(value)


def result_body(service: QueryService, action: str, result: dict[str, Any] | None, request_id: str) -> bytes:
    root = ElementTree.Element(f"{action}Response", xmlns=service.namespace)
    if result is not None:
        _element(root, f"{action}Result", result)
    _element(root, "ResponseMetadata", {"RequestId": request_id})
    return ElementTree.tostring(root, encoding="utf-8")


def error_body(namespace: str, code: str, message: str, request_id: str) -> bytes:
    root = ElementTree.Element("ErrorResponse", xmlns=namespace)
    _element(root, "Error", {"Type": "Sender", "Code": code, "Message": message})
    _element(root, "RequestId", request_id)
    return ElementTree.tostring(root, encoding="utf-8")


class QueryPlane:
    """The query-protocol services, by API version."""

    def __init__(self, services: Any, query_services: list[QueryService]) -> None:
        self.services = services
        self.by_version = {s.version: s for s in query_services}

    @staticmethod
    def claims(request: Request) -> bool:
        """``POST /`` with a form naming an action (the JSON services are routed by X-Amz-Target first)."""
        if request.method != "POST" or request.path != "/":
            return False
        return "x-www-form-urlencoded" in (request.header("content-type") or "") and "Action" in request.form()

    async def handle(self, request: Request, send: Send, request_id: str) -> None:
        form = request.form()
        service = self.by_version.get(form.get("Version", ""))
        namespace = service.namespace if service else "https://sts.amazonaws.com/doc/2011-06-15/"
        try:
            status, body = 200, await self._answer(service, form, request, request_id)
        except ServiceError as err:
            code, status = QUERY_CODES.get(err.code, (err.code, err.status))
            body = error_body(namespace, code, err.message, request_id)
        await send_response(send, status, body, [("x-amzn-requestid", request_id)], "text/xml")

    async def _answer(self, service: QueryService | None, form: dict[str, str], request: Request,
                      request_id: str) -> bytes:
        action = form.get("Action", "")
        handler = service.operations.get(action) if service else None
        if service is None or handler is None:
            # AWS's query services: "Could not find operation {Action} for version {Version}" (UNCONFIRMED wording).
            raise ServiceError("InvalidAction", f"Could not find operation {action} for version {form.get('Version')}")
        params = service.params(action, form)
        return result_body(service, action, await handler(self.services, request, params), request_id)
