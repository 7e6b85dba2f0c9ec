"""Functions: the list (ListFunctions), a function's configuration and handler file (GetFunction, its
``Code.Location`` read in-process), Test with an event (Invoke with LogType Tail: status, function error,
response, log output), the API Gateway proxy event as the template, and the function's recent invocations with
their log lines (``invocation_log``: this process's, shown after GetFunction answered for the session's key)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from .. import invocation_log
from .client import OperationError
from .methods import functions_of, pretty_json
from .web import ROUTER, Ctx, Page, error_text

CRUMB = ("Functions", "/functions")
MAX_SHOWN = 200_000
"""The handler file is shown up to this many bytes."""
SUFFIXES = (".py", ".mjs", ".js", ".cjs", ".ts", ".rb", ".sh")
EVENT = {
    "resource": "/users", "path": "/users", "httpMethod": "GET",
    "headers": {"Accept": "application/json", "Host": "example.execute-api.localhost"},
    "multiValueHeaders": {"Accept": ["application/json"], "Host": ["example.execute-api.localhost"]},
    "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
    "stageVariables": None,
    "requestContext": {"resourcePath": "/users", "httpMethod": "GET", "path": "/prod/users", "stage": "prod",
                       "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "accountId": "000000000000",
                       "apiId": "example", "protocol": "HTTP/1.1", "identity": {"sourceIp": "127.0.0.1"}},
    "body": None, "isBase64Encoded": False,
}


@ROUTER.route("GET", "/functions")
async def function_list(ctx: Ctx) -> Page:
    return ctx.render("functions.html", title="Functions", section="functions", functions=await functions_of(ctx))


def _handler_file(zipped: bytes, handler: str) -> tuple[str, str] | None:
    """The handler's file (``app.handler`` → ``app.py``, ``app.mjs``…) and its text, from the function's zip."""
    module = handler.rsplit(".", 1)[0]
    try:
        with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
            names = set(archive.namelist())
            for name in [module + suffix for suffix in SUFFIXES] + ["bootstrap"]:
                if name in names:
                    text = archive.read(name)[:MAX_SHOWN].decode("utf-8", "replace")
                    return name, text
    except zipfile.BadZipFile:
        return None
    return None


async def _details(ctx: Ctx, name: str, status: int = 200, **values: Any) -> Page:
    answer = await ctx.call("lambda", "GetFunction", {"FunctionName": name})
    config = answer["Configuration"]
    code = None
    location = (answer.get("Code") or {}).get("Location")
    if location:
        fetched, body = await ctx.client.fetch(location)
        if fetched == 200:
            code = _handler_file(body, config.get("Handler") or "")
    invocations = [{"request_id": i.request_id, "lines": i.lines, "dropped": i.dropped,
                    "time": datetime.fromtimestamp(i.started, UTC).strftime("%Y-%m-%d %H:%M:%S")}
                   for i in invocation_log.recent(config["FunctionName"])]
    return ctx.render("function.html", status, title=config["FunctionName"], section="functions", config=config,
                      crumbs=[CRUMB, (config["FunctionName"], None)], code=code, invocations=invocations,
                      event=values.pop("event", None) or json.dumps(EVENT, indent=2), **values)


@ROUTER.route("GET", "/functions/{name}")
async def function_details(ctx: Ctx, name: str) -> Page:
    return await _details(ctx, name)


@ROUTER.route("POST", "/functions/{name}")
async def function_test(ctx: Ctx, name: str) -> Page:
    event = ctx.form().get("event", "")
    try:
        json.loads(event or "{}")
    except ValueError as err:
        return await _details(ctx, name, 400, event=event, error=f"The event is not JSON: {err}")
    try:
        answer = await ctx.client.timed("lambda", "Invoke", {"FunctionName": name, "LogType": "Tail",
                                                             "Payload": (event or "{}").encode()})
    except OperationError as err:
        return await _details(ctx, name, 400, event=event, error=error_text(err))
    result = answer.data
    payload = result.get("Payload") or b""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    text = pretty_json(text)
    log = base64.b64decode(result["LogResult"]).decode("utf-8", "replace") if result.get("LogResult") else ""
    if log.startswith("START RequestId: ") and answer.request_id:
        # a whole log (the tail's 4 KB held all of it): the in-process runtime writes START, END and REPORT only here
        invocation_log.record(name, answer.request_id, log.splitlines())
    return await _details(ctx, name, event=event, result={
        "status": result.get("StatusCode"), "error": result.get("FunctionError"), "response": text, "log": log,
        "duration": round(answer.elapsed_ms)})


@ROUTER.route("GET", "/")
async def home(ctx: Ctx) -> Page:
    return ctx.render("home.html", title="poolgate console", base_url=ctx.settings.base_url,
                      local_mode=ctx.settings.local_mode)
