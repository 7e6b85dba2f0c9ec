"""Authorizers: list, Create authorizer (Cognito: user pool picked from a list; Lambda: TOKEN or REQUEST), and
Test (TestInvokeAuthorizer: paste a token, see its claims or why it was refused) — apigateway GetAuthorizers,
CreateAuthorizer, GetAuthorizer, TestInvokeAuthorizer, cognito-idp ListUserPools/DescribeUserPool for the pools."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from .apis import api_crumbs
from .client import OperationError
from .methods import functions_of, lambda_uri
from .web import ROUTER, Ctx, Page, error_text, redirect


async def pools_of(ctx: Ctx) -> list[dict[str, Any]]:
    listed = (await ctx.call("cognito-idp", "ListUserPools", {"MaxResults": 60})).get("UserPools", [])
    described = await asyncio.gather(*(ctx.call("cognito-idp", "DescribeUserPool", {"UserPoolId": p["Id"]})
                                       for p in listed))
    return sorted((d["UserPool"] for d in described), key=lambda p: p["Name"])


def _header_name(identity_source: str) -> str | None:
    prefix = "method.request.header."
    first = identity_source.split(",")[0].strip()
    return first[len(prefix):] if first.startswith(prefix) else None


@ROUTER.route("GET", "/apis/{api_id}/authorizers")
async def authorizer_list(ctx: Ctx, api_id: str) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Authorizers", None))
    items = (await ctx.call("apigateway", "GetAuthorizers", {"restApiId": api_id})).get("items", [])
    return ctx.render("authorizers.html", title="Authorizers", section="apis", api=api, crumbs=crumbs,
                      authorizers=items, tab="authorizers")


@ROUTER.route("GET", "/apis/{api_id}/authorizers/create")
async def authorizer_form(ctx: Ctx, api_id: str, error: str | None = None, status: int = 200) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Authorizers", f"/apis/{api_id}/authorizers"),
                                   ("Create authorizer", None))
    form = ctx.form() if ctx.request.method == "POST" else {}
    return ctx.render("authorizer_create.html", status, title="Create authorizer", section="apis", api=api,
                      crumbs=crumbs, error=error, form=form, pools=await pools_of(ctx),
                      functions=await functions_of(ctx))


@ROUTER.route("POST", "/apis/{api_id}/authorizers/create")
async def authorizer_create(ctx: Ctx, api_id: str) -> Page:
    form = ctx.form()
    kind = form.get("type", "COGNITO_USER_POOLS")
    source = form.get("token_source", "").strip() or "Authorization"
    params: dict[str, Any] = {"restApiId": api_id, "name": form.get("name", "").strip(), "type": kind,
                              "identitySource": source if source.startswith("method.") else
                              f"method.request.header.{source}"}
    if form.get("validation", "").strip():
        params["identityValidationExpression"] = form["validation"].strip()
    if kind == "COGNITO_USER_POOLS":
        if not form.get("pool"):
            return await authorizer_form(ctx, api_id, "Choose a Cognito user pool.", 400)
        params["providerARNs"] = [form["pool"]]
    else:
        if not form.get("function"):
            return await authorizer_form(ctx, api_id, "Choose a Lambda function.", 400)
        params["authorizerUri"] = lambda_uri(ctx.client.identity.region, form["function"])
    try:
        authorizer = await ctx.call("apigateway", "CreateAuthorizer", params)
    except OperationError as err:
        return await authorizer_form(ctx, api_id, error_text(err), 400)
    return redirect(f"/apis/{api_id}/authorizers/{authorizer['id']}")


@ROUTER.route("GET", "/apis/{api_id}/authorizers/{authorizer_id}")
async def authorizer_details(ctx: Ctx, api_id: str, authorizer_id: str, status: int = 200,
                             **values: Any) -> Page:
    authorizer = await ctx.call("apigateway", "GetAuthorizer", {"restApiId": api_id, "authorizerId": authorizer_id})
    api, crumbs = await api_crumbs(ctx, api_id, ("Authorizers", f"/apis/{api_id}/authorizers"),
                                   (authorizer["name"], None))
    return ctx.render("authorizer.html", status, title=authorizer["name"], section="apis", api=api, crumbs=crumbs,
                      authorizer=authorizer, header=_header_name(authorizer.get("identitySource", "")) or "",
                      **values)


@ROUTER.route("POST", "/apis/{api_id}/authorizers/{authorizer_id}")
async def authorizer_test(ctx: Ctx, api_id: str, authorizer_id: str) -> Page:
    form = ctx.form()
    authorizer = await ctx.call("apigateway", "GetAuthorizer", {"restApiId": api_id, "authorizerId": authorizer_id})
    header = _header_name(authorizer.get("identitySource", "")) or "Authorization"
    token = form.get("token_value", "").strip()
    try:
        result = await ctx.call("apigateway", "TestInvokeAuthorizer", {
            "restApiId": api_id, "authorizerId": authorizer_id, "headers": {header: token} if token else {}})
    except OperationError as err:
        return await authorizer_details(ctx, api_id, authorizer_id, 400, error=error_text(err))
    status = result.get("clientStatus")
    result["allowed"] = status in (0, 200)
    if result.get("claims"):
        result["claims_text"] = json.dumps(result["claims"], indent=2, sort_keys=True)
    # the refusal's reason: the log line between "Starting authorizer" and "Authorizer completed"
    lines = [line.split(" : ", 1)[-1] for line in (result.get("log") or "").splitlines()]
    result["reason"] = next((line for line in lines[2:] if not line.startswith("Authorizer completed")), "")
    return await authorizer_details(ctx, api_id, authorizer_id, result=result)
