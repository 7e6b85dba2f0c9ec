"""Edit integration request: the integration type (Lambda function, HTTP, Mock), Lambda proxy integration and
HTTP proxy integration, the Lambda function, HTTP method and Endpoint URL, Request body passthrough and the
mapping templates (by content type) — apigateway GetMethod, PutIntegration, PutIntegrationResponse, and lambda
ListFunctions for the list of functions.

The save is one PutIntegration carrying the form over what the integration had (timeout, request parameters,
content handling, cache keys), as PutIntegration replaces the integration and drops its responses (AWS does the
same); a non-proxy integration then gets its integration responses back (the default 200 one if it had none),
a proxy integration has none. The AWS console's words: docs.aws.amazon.com/apigateway/latest/developerguide/
how-to-method-settings-execution-console.html ("Edit integration request", "Lambda proxy integration",
"HTTP proxy integration", "Endpoint URL", "Request body passthrough", "Mapping templates", "Content type",
"Template body"); the passthrough choices' labels are as remembered: UNCONFIRMED."""

from __future__ import annotations

import re
from typing import Any

from .client import OperationError
from .methods import KINDS, VERBS, functions_of, lambda_uri, method_page
from .web import ROUTER, Ctx, Page, error_text, redirect

PASSTHROUGH = [("WHEN_NO_MATCH", "When no template matches the request content-type header"),
               ("WHEN_NO_TEMPLATES", "When there are no templates defined (recommended)"),
               ("NEVER", "Never")]
_FUNCTION = re.compile(r":lambda:path/[^/]+/functions/(?P<arn>.+)/invocations$")
_CARRIED = ("requestParameters", "timeoutInMillis", "contentHandling", "cacheKeyParameters", "cacheNamespace",
            "credentials", "connectionType", "connectionId", "tlsConfig")


def current(integration: dict[str, Any]) -> dict[str, Any]:
    """The form's values for an integration as GetMethod shows it."""
    kind = integration.get("type", "MOCK")
    found = _FUNCTION.search(integration.get("uri") or "")
    return {"kind": "LAMBDA" if kind in ("AWS", "AWS_PROXY") else "HTTP" if kind.startswith("HTTP") else "MOCK",
            "lambda_proxy": kind == "AWS_PROXY", "http_proxy": kind == "HTTP_PROXY",
            "function": found.group("arn") if found else "",
            "endpoint": integration.get("uri", "") if kind.startswith("HTTP") else "",
            "http_method": integration.get("httpMethod", "") if kind.startswith("HTTP") else "",
            "passthrough": integration.get("passthroughBehavior", "WHEN_NO_MATCH"),
            "templates": dict(integration.get("requestTemplates") or {})}


def _templates(ctx: Ctx, kept: dict[str, str]) -> dict[str, str]:
    """The mapping templates the form keeps: each existing one (``template:{type}``, unless its ``remove:{type}``
    box is checked) and the new one (``content_type`` and ``template_body``)."""
    form = dict(ctx.pairs())
    templates = {kind: form.get(f"template:{kind}", body) for kind, body in kept.items()
                 if not form.get(f"remove:{kind}")}
    new_type = form.get("content_type", "").strip()
    if new_type:
        templates[new_type] = form.get("template_body", "")
    return templates


@ROUTER.route("GET", "/apis/{api_id}/resources/{resource_id}/methods/{verb}/integration")
async def integration_form(ctx: Ctx, api_id: str, resource_id: str, verb: str, error: str | None = None,
                           status: int = 200, values: dict[str, Any] | None = None) -> Page:
    return await method_page(ctx, api_id, resource_id, verb, "integration_edit.html", "Edit integration request",
                             status, error=error, values=values, kinds=KINDS, verbs=VERBS,
                             functions=await functions_of(ctx), passthrough=PASSTHROUGH, current=current)


@ROUTER.route("POST", "/apis/{api_id}/resources/{resource_id}/methods/{verb}/integration")
async def integration_save(ctx: Ctx, api_id: str, resource_id: str, verb: str) -> Page:
    form = ctx.form()
    base = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": verb}
    method = await ctx.call("apigateway", "GetMethod", base)
    before: dict[str, Any] = method.get("methodIntegration") or {}
    templates = _templates(ctx, current(before)["templates"])
    values = {**form, "lambda_proxy": form.get("lambda_proxy") == "yes", "http_proxy": form.get("http_proxy") == "yes",
              "templates": templates}

    async def refused(message: str) -> Page:
        return await integration_form(ctx, api_id, resource_id, verb, message, 400, values)

    kind = form.get("kind", "")
    params: dict[str, Any] = {**base, **{k: before[k] for k in _CARRIED if before.get(k) not in (None, "", [], {})}}
    if kind == "LAMBDA":
        if not form.get("function"):
            return await refused("Choose a Lambda function.")
        proxy = values["lambda_proxy"]
        params.update(type="AWS_PROXY" if proxy else "AWS", integrationHttpMethod="POST",
                      uri=lambda_uri(ctx.client.identity.region, form["function"]))
        params.pop("connectionType", None)
    elif kind == "HTTP":
        if not form.get("endpoint", "").strip():
            return await refused("Enter an Endpoint URL.")
        proxy = values["http_proxy"]
        params.update(type="HTTP_PROXY" if proxy else "HTTP", uri=form["endpoint"].strip(),
                      integrationHttpMethod=form.get("http_method") or verb)
    elif kind == "MOCK":
        proxy = False
        params.update(type="MOCK")
        params.pop("connectionType", None)
        templates = templates or {"application/json": '{"statusCode": 200}'}
    else:
        return await refused("Choose an Integration type.")
    if form.get("passthrough") in dict(PASSTHROUGH):
        params["passthroughBehavior"] = form["passthrough"]
    if templates and not proxy:
        params["requestTemplates"] = templates
    responses = list((before.get("integrationResponses") or {}).values())
    try:
        await ctx.call("apigateway", "PutIntegration", params)
        if not proxy:  # PutIntegration dropped them: put back what there was, or the console's default 200
            for response in responses or [{"statusCode": "200", "responseTemplates": {"application/json": ""}}]:
                await ctx.call("apigateway", "PutIntegrationResponse", {**base, **{
                    k: v for k, v in response.items() if k in (
                        "statusCode", "selectionPattern", "responseParameters", "responseTemplates",
                        "contentHandling")}})
    except OperationError as err:
        return await refused(error_text(err))
    return redirect(f"/apis/{api_id}/resources/{resource_id}/methods/{verb}?saved=integration")


@ROUTER.route("GET", "/apis/{api_id}/resources/{resource_id}/methods/{verb}/integration-responses/{status}")
async def response_form(ctx: Ctx, api_id: str, resource_id: str, verb: str, status: str, error: str | None = None,
                        code: int = 200) -> Page:
    """Edit integration response: its HTTP status regex and one mapping template (for a Mock, the body it
    answers with)."""
    response = await ctx.call("apigateway", "GetIntegrationResponse", {
        "restApiId": api_id, "resourceId": resource_id, "httpMethod": verb, "statusCode": status})
    templates = response.get("responseTemplates") or {}
    kind, body = next(iter(templates.items()), ("application/json", ""))
    form = ctx.form() if ctx.request.method == "POST" else {
        "pattern": response.get("selectionPattern", ""), "content_type": kind, "template_body": body}
    return await method_page(ctx, api_id, resource_id, verb, "integration_response_edit.html",
                             "Edit integration response", code, error=error, response=response, form=form)


@ROUTER.route("POST", "/apis/{api_id}/resources/{resource_id}/methods/{verb}/integration-responses/{status}")
async def response_save(ctx: Ctx, api_id: str, resource_id: str, verb: str, status: str) -> Page:
    form = ctx.form()
    base = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": verb, "statusCode": status}
    response = await ctx.call("apigateway", "GetIntegrationResponse", base)
    params: dict[str, Any] = {**base, **{k: response[k] for k in ("responseParameters", "contentHandling")
                                         if response.get(k)}}
    if form.get("pattern", "").strip():
        params["selectionPattern"] = form["pattern"].strip()
    kind = form.get("content_type", "").strip()
    if kind:
        params["responseTemplates"] = {kind: form.get("template_body", "")}
    try:
        await ctx.call("apigateway", "PutIntegrationResponse", params)
    except OperationError as err:
        return await response_form(ctx, api_id, resource_id, verb, status, error_text(err), 400)
    return redirect(f"/apis/{api_id}/resources/{resource_id}/methods/{verb}?saved=response")
