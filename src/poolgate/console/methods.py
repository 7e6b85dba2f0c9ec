"""Methods: Create method (Lambda function picked from a list, HTTP, Mock), the method's Method request and
Integration request (edited in integrations.py), its Method request settings (Authorization, authorizer, scopes,
API key required), and Test (TestInvokeMethod: status, latency, response body and headers, log) — apigateway
PutMethod, PutIntegration, PutMethodResponse, PutIntegrationResponse, GetMethod, UpdateMethod, TestInvokeMethod,
and lambda ListFunctions for the list of functions."""

from __future__ import annotations

import json
from typing import Any

from .apis import api_crumbs
from .client import OperationError
from .web import ROUTER, Ctx, Page, error_text, redirect

VERBS = ["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
KINDS = [("LAMBDA", "Lambda function"), ("HTTP", "HTTP"), ("MOCK", "Mock")]


def lambda_uri(region: str, function_arn: str) -> str:
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


async def functions_of(ctx: Ctx) -> list[dict[str, Any]]:
    functions: list[dict[str, Any]] = []
    params: dict[str, Any] = {"MaxItems": 50}
    while True:
        answer = await ctx.call("lambda", "ListFunctions", params)
        functions += answer.get("Functions", [])
        if not answer.get("NextMarker"):
            break
        params["Marker"] = answer["NextMarker"]
    return sorted(functions, key=lambda f: f["FunctionName"])


async def _resource(ctx: Ctx, api_id: str, resource_id: str) -> dict[str, Any]:
    return await ctx.call("apigateway", "GetResource", {"restApiId": api_id, "resourceId": resource_id})


@ROUTER.route("GET", "/apis/{api_id}/resources/{resource_id}/methods/create")
async def method_form(ctx: Ctx, api_id: str, resource_id: str, error: str | None = None, status: int = 200) -> Page:
    resource = await _resource(ctx, api_id, resource_id)
    api, crumbs = await api_crumbs(ctx, api_id, (resource["path"], f"/apis/{api_id}?resource={resource_id}"),
                                   ("Create method", None))
    form = ctx.form() if ctx.request.method == "POST" else {}
    return ctx.render("method_create.html", status, title="Create method", section="apis", api=api,
                      crumbs=crumbs, error=error, resource=resource, verbs=VERBS, kinds=KINDS, form=form,
                      functions=await functions_of(ctx))


@ROUTER.route("POST", "/apis/{api_id}/resources/{resource_id}/methods/create")
async def method_create(ctx: Ctx, api_id: str, resource_id: str) -> Page:
    form = ctx.form()
    verb = form.get("verb", "")
    kind = form.get("kind", "")
    base = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": verb}
    integration: dict[str, Any]
    proxy = form.get("proxy") == "yes"
    if kind == "LAMBDA":
        if not form.get("function"):
            return await method_form(ctx, api_id, resource_id, "Choose a Lambda function.", 400)
        integration = {"type": "AWS_PROXY" if proxy else "AWS", "integrationHttpMethod": "POST",
                       "uri": lambda_uri(ctx.client.identity.region, form["function"])}
    elif kind == "HTTP":
        if not form.get("endpoint", "").strip():
            return await method_form(ctx, api_id, resource_id, "Enter an Endpoint URL.", 400)
        integration = {"type": "HTTP_PROXY" if proxy else "HTTP", "uri": form["endpoint"].strip(),
                       "integrationHttpMethod": form.get("http_method") or verb}
    elif kind == "MOCK":
        proxy = False
        integration = {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}}
    else:
        return await method_form(ctx, api_id, resource_id, "Choose an Integration type.", 400)
    try:
        await ctx.call("apigateway", "PutMethod", {**base, "authorizationType": "NONE"})
        await ctx.call("apigateway", "PutIntegration", {**base, **integration})
        # the console gives every method a 200 method response (Empty model), and a non-proxy integration its
        # default integration response (what the AWS console makes here: UNCONFIRMED, from memory of its defaults)
        await ctx.call("apigateway", "PutMethodResponse", {**base, "statusCode": "200",
                                                           "responseModels": {"application/json": "Empty"}})
        if not proxy:
            await ctx.call("apigateway", "PutIntegrationResponse", {
                **base, "statusCode": "200", "responseTemplates": {"application/json": ""}})
    except OperationError as err:
        return await method_form(ctx, api_id, resource_id, error_text(err), 400)
    return redirect(f"/apis/{api_id}/resources/{resource_id}/methods/{verb}")


async def method_page(ctx: Ctx, api_id: str, resource_id: str, verb: str, template: str, title: str,
                       status: int = 200, **values: Any) -> Page:
    resource = await _resource(ctx, api_id, resource_id)
    method = await ctx.call("apigateway", "GetMethod", {"restApiId": api_id, "resourceId": resource_id,
                                                        "httpMethod": verb})
    api, crumbs = await api_crumbs(ctx, api_id, (resource["path"], f"/apis/{api_id}?resource={resource_id}"),
                                   (verb, None if template == "method.html" else
                                    f"/apis/{api_id}/resources/{resource_id}/methods/{verb}"),
                                   *([] if template == "method.html" else [(title, None)]))
    return ctx.render(template, status, title=title, section="apis", api=api, crumbs=crumbs, resource=resource,
                      method=method, verb=verb, **values)


@ROUTER.route("GET", "/apis/{api_id}/resources/{resource_id}/methods/{verb}")
async def method_details(ctx: Ctx, api_id: str, resource_id: str, verb: str, error: str | None = None,
                         status: int = 200) -> Page:
    authorizers = (await ctx.call("apigateway", "GetAuthorizers", {"restApiId": api_id})).get("items", [])
    return await method_page(ctx, api_id, resource_id, verb, "method.html", f"{verb} method", status,
                              authorizers=authorizers, error=error, saved=ctx.query().get("saved", ""))


@ROUTER.route("POST", "/apis/{api_id}/resources/{resource_id}/methods/{verb}")
async def method_request_save(ctx: Ctx, api_id: str, resource_id: str, verb: str) -> Page:
    """Method request settings: the Authorization choice is NONE, AWS_IAM or an authorizer's id."""
    form = ctx.form()
    choice = form.get("authorization", "NONE")
    ops: list[dict[str, str]] = []
    if choice in ("NONE", "AWS_IAM"):
        ops.append({"op": "replace", "path": "/authorizationType", "value": choice})
    else:
        authorizer = await ctx.call("apigateway", "GetAuthorizer", {"restApiId": api_id, "authorizerId": choice})
        kind = "COGNITO_USER_POOLS" if authorizer["type"] == "COGNITO_USER_POOLS" else "CUSTOM"
        ops += [{"op": "replace", "path": "/authorizationType", "value": kind},
                {"op": "replace", "path": "/authorizerId", "value": choice}]
    ops.append({"op": "replace", "path": "/apiKeyRequired", "value": "true" if form.get("api_key") else "false"})
    method = await ctx.call("apigateway", "GetMethod", {"restApiId": api_id, "resourceId": resource_id,
                                                        "httpMethod": verb})
    wanted = form.get("scopes", "").split()
    ops += [{"op": "remove", "path": "/authorizationScopes", "value": s} for s in method.get("authorizationScopes", [])
            if s not in wanted]
    ops += [{"op": "add", "path": "/authorizationScopes", "value": s} for s in wanted
            if s not in method.get("authorizationScopes", [])]
    try:
        await ctx.call("apigateway", "UpdateMethod", {"restApiId": api_id, "resourceId": resource_id,
                                                      "httpMethod": verb, "patchOperations": ops})
    except OperationError as err:
        return await method_details(ctx, api_id, resource_id, verb, error_text(err), 400)
    return redirect(f"/apis/{api_id}/resources/{resource_id}/methods/{verb}?saved=1")


def _pairs_of(text: str, separator: str) -> dict[str, str]:
    """``a=1&b=2`` (query strings) or ``Name: value`` lines (headers) → a dict."""
    out: dict[str, str] = {}
    for line in text.replace("\r", "").split("\n" if separator == ":" else "&"):
        name, found, value = line.partition(separator)
        if found and name.strip():
            out[name.strip()] = value.strip()
    return out


@ROUTER.route("GET", "/apis/{api_id}/resources/{resource_id}/methods/{verb}/test")
async def test_form(ctx: Ctx, api_id: str, resource_id: str, verb: str) -> Page:
    return await method_page(ctx, api_id, resource_id, verb, "method_test.html", "Test method", form={})


@ROUTER.route("POST", "/apis/{api_id}/resources/{resource_id}/methods/{verb}/test")
async def test_run(ctx: Ctx, api_id: str, resource_id: str, verb: str) -> Page:
    form = ctx.form()
    resource = await _resource(ctx, api_id, resource_id)
    path = form.get("path", "").strip() or resource["path"]
    query = form.get("query", "").strip().lstrip("?")
    params: dict[str, Any] = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": verb,
                              "pathWithQueryString": f"{path}?{query}" if query else path,
                              "headers": _pairs_of(form.get("headers", ""), ":")}
    if form.get("body"):
        params["body"] = form["body"]
    result: dict[str, Any] | None = None
    error = None
    try:
        result = await ctx.call("apigateway", "TestInvokeMethod", params)
    except OperationError as err:
        error = error_text(err)
    if result is not None:
        result["pretty"] = pretty_json(result.get("body") or "")
    return await method_page(ctx, api_id, resource_id, verb, "method_test.html", "Test method",
                              200 if error is None else 400, form=form, result=result, error=error)


def pretty_json(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2)
    except ValueError:
        return body
