"""TestInvokeMethod and TestInvokeAuthorizer: the console's "Test" buttons, run on the working copy.

Both compile the working copy with the data plane's own compiler and plug-ins and run them on a request built
from the call's parameters, so a test answers what a deployment of the working copy would answer.
TestInvokeMethod skips authorization, as the console's test does
(https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-test-method.html); TestInvokeAuthorizer
runs the authorizer only (for Lambda authorizers without the result cache).
"""

from __future__ import annotations

import json
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from ..apigw import snapshot as snapshots
from ..apigw.domain import Integration, Method, Resource, RestApi, Stage
from ..dataplane.authorizers import lambda_auth
from ..dataplane.context import InvocationContext
from ..dataplane.deployment import Deployment, compile_deployment
from ..dataplane.gateway import integrate, respond, route
from ..dataplane.plugins import DeploymentError
from ..dataplane.responses import render_gateway_error
from ..errors import GatewayError
from . import repo
from .registry import RESOURCE_NOT_FOUND, Call, Shape, bad_request, not_found, operation

TEST_STAGE = "test-invoke-stage"
"""The stage name the console's tests run in (``$context.stage``)."""


def _plane(call: Call) -> Any:
    plane = call.dataplane
    if plane is None:
        raise bad_request("Test invocations need poolgate's data plane, which this server does not run")
    return plane


def _request(call: Call, plane: Any, api: RestApi, verb: str, params: dict[str, Any], default_path: str,
             deployment: Deployment) -> InvocationContext:
    path_query = params.get("pathWithQueryString") or default_path
    raw_path, _, query = path_query.partition("?")
    headers = [(name.lower(), value) for name, value in (params.get("headers") or {}).items()]
    for name, values in (params.get("multiValueHeaders") or {}).items():
        headers.extend((name.lower(), value) for value in values)
    scope = {"type": "http", "method": verb, "path": unquote(raw_path), "raw_path": raw_path.encode(),
             "query_string": query.encode(), "headers": [(k.encode(), v.encode()) for k, v in headers],
             "client": ("127.0.0.1", 0)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    ctx = InvocationContext(plane, scope, receive, call.services.ids.uuid(), call.now, verb,
                            f"{api.id}.execute-api.localhost", "127.0.0.1", headers, api_id=api.id,
                            stage_name=TEST_STAGE, path=unquote(raw_path), raw_path=raw_path)
    ctx.body = (params.get("body") or "").encode()
    ctx.deployment = deployment
    return ctx


def _log_time(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


async def _working_copy(call: Call, api_id: str) -> RestApi:
    row = await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    return snapshots.rest_api(await repo.snapshot(call, row), row["region"], row["account"], row["source"] or "")


@operation("TestInvokeMethod")
async def test_invoke_method(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    api = await _working_copy(call, api_id)
    resource = next((item for item in api.resources.values() if item.id == resource_id), None)
    if resource is None:
        raise not_found(RESOURCE_NOT_FOUND)
    if verb not in resource.methods:
        raise not_found("Invalid Method identifier specified")
    plane = _plane(call)
    stage = Stage(TEST_STAGE, dict(params.get("stageVariables") or {}))
    deployment = compile_deployment(api, stage, plane.functions.functions, "test-invoke-deployment-id", strict=False)
    started = time.perf_counter()
    ctx = _request(call, plane, api, "GET" if verb == "ANY" else verb, params, resource.path, deployment)
    lines = [f"Execution log for request {ctx.request_id}",
             f"{_log_time(ctx.request_time)} : Starting execution for request: {ctx.request_id}",
             f"{_log_time(ctx.request_time)} : HTTP Method: {verb}, Resource Path: {ctx.path}",
             f"{_log_time(ctx.request_time)} : Method request path: {ctx.path}",
             f"{_log_time(ctx.request_time)} : Method request query string: {ctx.query_string or '{}'}",
             f"{_log_time(ctx.request_time)} : Method request body before transformations: "
             f"{ctx.body.decode(errors='replace')}"]
    try:
        await route(ctx)
        await integrate(ctx)
        result = ctx.result
        if result is None:
            raise GatewayError("API_CONFIGURATION_ERROR", 500, "Internal server error", "InternalServerErrorException")
    except GatewayError as err:
        lines.append(f"{_log_time(ctx.request_time)} : Execution failed: {err}")
        result = render_gateway_error(ctx, err)
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await respond(ctx, result, send)
    latency = int((time.perf_counter() - started) * 1000)
    multi: dict[str, list[str]] = {}
    for name, value in sent[0]["headers"]:
        if name.lower() in (b"content-length", b"x-amzn-requestid", b"x-amz-apigw-id"):
            continue
        multi.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    body = sent[1]["body"].decode("utf-8", "replace")
    lines += [f"{_log_time(ctx.request_time)} : Method response body after transformations: {body}",
              f"{_log_time(ctx.request_time)} : Method completed with status: {ctx.status}"]
    return {"status": ctx.status, "body": body, "headers": {name: values[-1] for name, values in multi.items()},
            "multiValueHeaders": multi, "log": "\n".join(lines) + "\n", "latency": latency}


@operation("TestInvokeAuthorizer")
async def test_invoke_authorizer(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    full = await _working_copy(call, api_id)
    authorizer = full.authorizers.get(params["authorizerId"])
    if authorizer is None:
        raise not_found("Invalid Authorizer identifier specified")
    authorizer.authorizer_result_ttl_in_seconds = 0  # a test is never answered from the result cache
    kind = "COGNITO_USER_POOLS" if authorizer.type == "COGNITO_USER_POOLS" else "CUSTOM"
    method = Method("GET", kind, authorizer.id, integration=Integration("MOCK"))
    root = Resource("test", "/", {"GET": method})
    api = RestApi(full.id, full.name, full.region, full.account, resources={"/": root},
                  authorizers={authorizer.id: authorizer}, policy=full.policy, source=full.source)
    plane = _plane(call)
    stage = Stage(TEST_STAGE, dict(params.get("stageVariables") or {}))
    try:
        deployment = compile_deployment(api, stage, plane.functions.functions, "test-invoke-deployment-id")
    except DeploymentError as exc:
        raise bad_request(f"The authorizer cannot run: {exc}") from None
    ctx = _request(call, plane, api, "GET", params, "/", deployment)
    ctx.route = deployment.routes[0]
    started = time.perf_counter()
    answer: Shape = {}
    status = 0
    log = [f"Execution log for request {ctx.request_id}",
           f"{_log_time(ctx.request_time)} : Starting authorizer: {authorizer.id} for request: {ctx.request_id}"]
    try:
        if authorizer.type == "COGNITO_USER_POOLS":
            assert ctx.route.auth is not None
            await ctx.route.auth.authorize(ctx, ctx.route.auth_state)
            answer["claims"] = dict((ctx.authorizer or {}).get("claims", {}))
        else:
            output, _ = await lambda_auth.test_invoke(ctx, ctx.route.auth_state)
            answer["principalId"] = str(output["principalId"])
            answer["policy"] = json.dumps(output["policyDocument"])
            # The authorizer's context, as lists of strings (where AWS puts it in this answer: UNCONFIRMED).
            answer["authorization"] = {key: [str(value)] for key, value in (output.get("context") or {}).items()}
    except GatewayError as err:
        status = err.status
        log.append(f"{_log_time(ctx.request_time)} : {ctx.authorizer_error or err}")
    latency = int((time.perf_counter() - started) * 1000)
    log.append(f"{_log_time(ctx.request_time)} : Authorizer completed with client status: {status}")
    return {"clientStatus": status, "log": "\n".join(log) + "\n", "latency": latency, **answer}
