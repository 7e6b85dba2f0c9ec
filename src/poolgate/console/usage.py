"""API keys and usage plans: Create API key (auto generate or custom value), the key's details with Show key and
Add to usage plan; Create usage plan (throttling rate and burst, quota), its Associated stages (Add stage) and
Associated API keys (Add API key) — apigateway GetApiKeys, CreateApiKey, GetApiKey, GetUsagePlans,
CreateUsagePlan, GetUsagePlan, UpdateUsagePlan (``/apiStages``), GetUsagePlanKeys, CreateUsagePlanKey,
DeleteUsagePlanKey, and GetRestApis/GetStages for the lists to pick from.

The words are the AWS console's (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-create-usage-plans
-with-console.html: Create usage plan, Name, Description, Throttling with Rate and Burst, Quota with Requests per
day, week or month, Add stage with API and Stage, Add API key; api-gateway-setup-api-keys: Create API key,
Auto generate or Custom, Show key, Add to usage plan)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from .client import OperationError
from .web import ROUTER, Ctx, Page, error_text, redirect

KEYS = ("API keys", "/api-keys")
PLANS = ("Usage plans", "/usage-plans")
PERIODS = [("DAY", "Day"), ("WEEK", "Week"), ("MONTH", "Month")]
DONE = {"stage": "Stage added to the usage plan.", "stage-removed": "Stage removed from the usage plan.",
        "key": "API key added to the usage plan.", "key-removed": "API key removed from the usage plan.",
        "created": "Usage plan created.", "key-created": "API key created.",
        "plan": "API key added to the usage plan."}


async def _all(ctx: Ctx, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of an apigateway listing (``items``, ``position``)."""
    items: list[dict[str, Any]] = []
    params = {"limit": 500, **params}
    while True:
        answer = await ctx.call("apigateway", operation, params)
        items += answer.get("items", [])
        if not answer.get("position"):
            return items
        params["position"] = answer["position"]


def _done(ctx: Ctx) -> str | None:
    return DONE.get(ctx.query().get("done", ""))


# --- API keys


@ROUTER.route("GET", "/api-keys")
async def key_list(ctx: Ctx) -> Page:
    keys = sorted(await _all(ctx, "GetApiKeys", {}), key=lambda k: (k.get("name") or "", k["id"]))
    return ctx.render("api_keys.html", title="API keys", section="keys", keys=keys)


@ROUTER.route("GET", "/api-keys/create")
async def key_form(ctx: Ctx, error: str | None = None, status: int = 200) -> Page:
    return ctx.render("api_key_create.html", status, title="Create API key", section="keys", error=error,
                      crumbs=[KEYS, ("Create API key", None)],
                      form=ctx.form() if ctx.request.method == "POST" else {})


@ROUTER.route("POST", "/api-keys/create")
async def key_create(ctx: Ctx) -> Page:
    form = ctx.form()
    params: dict[str, Any] = {"name": form.get("name", "").strip(), "enabled": True}
    if form.get("description", "").strip():
        params["description"] = form["description"].strip()
    if form.get("generate") == "custom":
        if not form.get("value", "").strip():
            return await key_form(ctx, "Enter the API key value, or choose Auto generate.", 400)
        params["value"] = form["value"].strip()
    try:
        key = await ctx.call("apigateway", "CreateApiKey", params)
    except OperationError as err:
        return await key_form(ctx, error_text(err), 400)
    return redirect(f"/api-keys/{quote(key['id'], safe='')}?done=key-created")


@ROUTER.route("GET", "/api-keys/{key_id}")
async def key_details(ctx: Ctx, key_id: str, error: str | None = None, status: int = 200) -> Page:
    """The value only when asked for (Show key, a GET: it changes nothing), as the AWS console hides it."""
    show = ctx.query().get("show") == "1"
    key, member_of, plans = await asyncio.gather(
        ctx.call("apigateway", "GetApiKey", {"apiKey": key_id, "includeValue": show}),
        _all(ctx, "GetUsagePlans", {"keyId": key_id}), _all(ctx, "GetUsagePlans", {}))
    joined = {p["id"] for p in member_of}
    return ctx.render("api_key.html", status, title=key.get("name") or key["id"], section="keys", key=key,
                      crumbs=[KEYS, (key.get("name") or key["id"], None)], show=show, member_of=member_of,
                      plans=[p for p in plans if p["id"] not in joined], error=error, done=_done(ctx))


@ROUTER.route("POST", "/api-keys/{key_id}/usage-plans")
async def key_add_to_plan(ctx: Ctx, key_id: str) -> Page:
    plan_id = ctx.form().get("plan", "")
    if not plan_id:
        return await key_details(ctx, key_id, "Choose a usage plan.", 400)
    try:
        await ctx.call("apigateway", "CreateUsagePlanKey", {"usagePlanId": plan_id, "keyId": key_id,
                                                            "keyType": "API_KEY"})
    except OperationError as err:
        return await key_details(ctx, key_id, error_text(err), 400)
    return redirect(f"/api-keys/{quote(key_id, safe='')}?done=plan")


# --- usage plans


@ROUTER.route("GET", "/usage-plans")
async def plan_list(ctx: Ctx) -> Page:
    plans = sorted(await _all(ctx, "GetUsagePlans", {}), key=lambda p: (p.get("name") or "", p["id"]))
    return ctx.render("usage_plans.html", title="Usage plans", section="plans", plans=plans)


@ROUTER.route("GET", "/usage-plans/create")
async def plan_form(ctx: Ctx, error: str | None = None, status: int = 200) -> Page:
    return ctx.render("usage_plan_create.html", status, title="Create usage plan", section="plans", error=error,
                      crumbs=[PLANS, ("Create usage plan", None)], periods=PERIODS,
                      form=ctx.form() if ctx.request.method == "POST" else {})


def _number(text: str, label: str, *, whole: bool) -> float | int:
    """A form's number, or ValueError naming the field."""
    value = text.strip()
    try:
        number: float | int = int(value) if whole else float(value)
    except ValueError:
        raise ValueError(f"{label} must be a {'whole ' if whole else ''}number.") from None
    if number < 0 or number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{label} must be zero or more.")
    return number


def _limits(form: dict[str, str]) -> dict[str, Any]:
    """CreateUsagePlan's throttle and quota members from the form; ValueError for a field that is not a number."""
    params: dict[str, Any] = {}
    if form.get("throttling") == "yes":
        params["throttle"] = {"rateLimit": float(_number(form.get("rate", ""), "Rate", whole=False)),
                              "burstLimit": int(_number(form.get("burst", ""), "Burst", whole=True))}
    if form.get("quota") == "yes":
        period = form.get("period", "")
        if period not in dict(PERIODS):
            raise ValueError("Choose the quota's period: Day, Week or Month.")
        params["quota"] = {"limit": int(_number(form.get("requests", ""), "Requests", whole=True)),
                           "period": period}
    return params


@ROUTER.route("POST", "/usage-plans/create")
async def plan_create(ctx: Ctx) -> Page:
    form = ctx.form()
    params: dict[str, Any] = {"name": form.get("name", "").strip()}
    if form.get("description", "").strip():
        params["description"] = form["description"].strip()
    try:
        params.update(_limits(form))
    except ValueError as err:
        return await plan_form(ctx, str(err), 400)
    try:
        plan = await ctx.call("apigateway", "CreateUsagePlan", params)
    except OperationError as err:
        return await plan_form(ctx, error_text(err), 400)
    return redirect(f"/usage-plans/{quote(plan['id'], safe='')}?done=created")


@ROUTER.route("GET", "/usage-plans/{plan_id}")
async def plan_details(ctx: Ctx, plan_id: str, error: str | None = None, status: int = 200) -> Page:
    plan, members, keys, apis = await asyncio.gather(
        ctx.call("apigateway", "GetUsagePlan", {"usagePlanId": plan_id}),
        _all(ctx, "GetUsagePlanKeys", {"usagePlanId": plan_id}), _all(ctx, "GetApiKeys", {}),
        _all(ctx, "GetRestApis", {}))
    names = {a["id"]: a["name"] for a in apis}
    stages = [{**s, "apiName": names.get(s["apiId"], s["apiId"])} for s in plan.get("apiStages", [])]
    joined = {m["id"] for m in members}
    form = ctx.form() if ctx.request.method == "POST" else {}
    return ctx.render("usage_plan.html", status, title=plan["name"], section="plans", plan=plan,
                      crumbs=[PLANS, (plan["name"], None)], stages=stages, members=members,
                      keys=[k for k in keys if k["id"] not in joined], apis=sorted(apis, key=lambda a: a["name"]),
                      periods=dict(PERIODS), error=error, done=_done(ctx), form=form)


@ROUTER.route("POST", "/usage-plans/{plan_id}/stages")
async def plan_stage(ctx: Ctx, plan_id: str) -> Page:
    """Add stage (``add /apiStages apiId:stage``) or remove one."""
    form = ctx.form()
    api_id, stage = form.get("api", ""), form.get("stage", "").strip()
    if not api_id or not stage:
        return await plan_details(ctx, plan_id, "Choose an API and enter its Stage.", 400)
    remove = bool(form.get("remove"))
    try:
        await ctx.call("apigateway", "UpdateUsagePlan", {"usagePlanId": plan_id, "patchOperations": [
            {"op": "remove" if remove else "add", "path": "/apiStages", "value": f"{api_id}:{stage}"}]})
    except OperationError as err:
        return await plan_details(ctx, plan_id, error_text(err), 400)
    return redirect(f"/usage-plans/{quote(plan_id, safe='')}?done={'stage-removed' if remove else 'stage'}")


@ROUTER.route("POST", "/usage-plans/{plan_id}/keys")
async def plan_key(ctx: Ctx, plan_id: str) -> Page:
    """Add API key (CreateUsagePlanKey) or remove one (DeleteUsagePlanKey)."""
    form = ctx.form()
    key_id = form.get("key", "")
    if not key_id:
        return await plan_details(ctx, plan_id, "Choose an API key.", 400)
    remove = bool(form.get("remove"))
    try:
        if remove:
            await ctx.call("apigateway", "DeleteUsagePlanKey", {"usagePlanId": plan_id, "keyId": key_id})
        else:
            await ctx.call("apigateway", "CreateUsagePlanKey", {"usagePlanId": plan_id, "keyId": key_id,
                                                                "keyType": "API_KEY"})
    except OperationError as err:
        return await plan_details(ctx, plan_id, error_text(err), 400)
    return redirect(f"/usage-plans/{quote(plan_id, safe='')}?done={'key-removed' if remove else 'key'}")
