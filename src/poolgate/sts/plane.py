"""STS's wire format: ``POST /`` with a form body (``Action=…&Version=2011-06-15``), answers in XML
(``<{Action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">``) and errors as
``<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId>``
(the STS API reference's "Common Errors" and the query protocol botocore's parser reads)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from xml.etree import ElementTree

from ..awsproto.dispatch import service_model
from ..awsproto.validate import validation_errors
from ..errors import ServiceError
from ..http import Request, Send, send_response
from ..services import Services

log = logging.getLogger("poolgate.sts")

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSION = "2011-06-15"
Operation = Callable[[Services, Request, dict[str, Any]], Awaitable[dict[str, Any]]]
OPERATIONS: dict[str, Operation] = {}
_STATUS = {"AccessDenied": 403, "InvalidClientTokenId": 403, "SignatureDoesNotMatch": 403,
           "IncompleteSignature": 400, "MissingAuthenticationToken": 403}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(handler: Operation) -> Operation:
        OPERATIONS[name] = handler
        return handler
    return register


def _element(parent: ElementTree.Element, name: str, value: Any) -> None:
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(child, key, item)
    else:
        child.text = str(value)


def _xml(root: ElementTree.Element) -> bytes:
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)


def result_body(action: str, result: dict[str, Any], request_id: str) -> bytes:
    root = ElementTree.Element(f"{action}Response", xmlns=NAMESPACE)
    _element(root, f"{action}Result", result)
    _element(root, "ResponseMetadata", {"RequestId": request_id})
    return _xml(root)


def error_body(code: str, message: str, request_id: str) -> bytes:
    root = ElementTree.Element("ErrorResponse", xmlns=NAMESPACE)
    _element(root, "Error", {"Type": "Sender", "Code": code, "Message": message})
    _element(root, "RequestId", request_id)
    return _xml(root)


class StsPlane:
    def __init__(self, services: Services) -> None:
        self.services = services

    @staticmethod
    def claims(request: Request) -> bool:
        """``POST /`` with a form naming an STS action (the JSON services are routed by X-Amz-Target first)."""
        if request.method != "POST" or request.path != "/":
            return False
        return "x-www-form-urlencoded" in (request.header("content-type") or "") and "Action" in request.form()

    async def handle(self, request: Request, send: Send, request_id: str) -> None:
        headers = [("x-amzn-requestid", request_id)]
        try:
            status, body = 200, await self._answer(request, request_id)
        except ServiceError as err:
            status, body = _STATUS.get(err.code, err.status), error_body(err.code, err.message, request_id)
        await send_response(send, status, body, headers, "text/xml")

    async def _answer(self, request: Request, request_id: str) -> bytes:
        form = request.form()
        action = form.get("Action", "")
        handler = OPERATIONS.get(action)
        if handler is None or form.get("Version") != VERSION:
            # AWS's query services: "Could not find operation {Action} for version {Version}" (UNCONFIRMED for STS).
            raise ServiceError("InvalidAction", f"Could not find operation {action} for version {form.get('Version')}")
        params = _params(action, form)
        return result_body(action, await handler(self.services, request, params), request_id)


def _params(action: str, form: dict[str, str]) -> dict[str, Any]:
    """The form's top-level members of the operation's input, typed and validated by botocore's model (the list
    members, PolicyArns, are not read: session policies are not supported)."""
    shape = service_model("sts").operation_model(action).input_shape
    params: dict[str, Any] = {}
    if shape is None:
        return params
    for name, member in shape.members.items():
        if name not in form:
            continue
        value: Any = form[name]
        if member.type_name == "integer":
            with contextlib.suppress(ValueError):  # not a number: the validation below words it
                value = int(value)
        if member.type_name in ("string", "integer"):
            params[name] = value
    problem = validation_errors(shape, params)
    if problem:
        raise ServiceError("ValidationError", problem)
    return params
