"""Usage plans and their keys: CreateUsagePlan (apiStages, throttle, quota), GetUsagePlan(s) (``keyId``),
UpdateUsagePlan (patch), DeleteUsagePlan, CreateUsagePlanKey, GetUsagePlanKey(s) (``nameQuery``),
DeleteUsagePlanKey, and GetUsage from the data plane's own quota counters.

Stored in ``apigw_usage_plans`` / ``apigw_usage_plan_keys`` (the pair is the primary key: a second
CreateUsagePlanKey is the database's ConflictException); poolgate.yaml's ``usagePlans:`` are listed beside
them, read-only. Writes bump ``apigw_changes`` (``dataplane/stored_plans.py`` serves them).

Recorded from AWS (localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
``TestUsagePlans::test_usage_plan_crud`` and ``test_api_key_required_for_methods``; test_apigateway_extended
``test_get_usage_plan_api_keys``): the shapes (``tags: {}`` from GetUsagePlan and UpdateUsagePlan, not from
Create or the list), the throttle/quota patch paths, "Invalid Usage Plan ID specified", and the apiStages
refusals of UpdateUsagePlan. UNCONFIRMED: the ConflictException text of a duplicate plan key, "Invalid Usage
Plan Key identifier specified", and CreateUsagePlan's refusal of an unknown API stage.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..dataplane.stored_plans import key_ref, plan_stage, quota, throttle
from ..dataplane.usage_plans import UsagePlan, quota_counter
from ..errors import ServiceError
from ..store.counters import QuotaPeriod
from ..store.sql.tables import apigw_api_keys, apigw_usage_plan_keys, apigw_usage_plans
from . import repo
from .apikeys import declared, declared_key, key_row, read_only
from .patch import Patch, integer, invalid_path, patches, unsupported_op
from .registry import Call, Shape, bad_request, conflict, listing, not_found, operation, page

PLAN_NOT_FOUND = "Invalid Usage Plan ID specified"
PLAN_KEY_NOT_FOUND = "Invalid Usage Plan Key identifier specified"
_PATCHABLE = ["/name", "/description", "/productCode", "/apiStages", "/throttle/rateLimit", "/throttle/burstLimit",
              "/throttle", "/quota/limit", "/quota/period", "/quota/offset", "/quota"]


def _limits(plan: UsagePlan) -> Shape:
    shape: Shape = {}
    if plan.throttle is not None:
        shape["throttle"] = {"rateLimit": plan.throttle.rate, "burstLimit": plan.throttle.burst}
    if plan.quota is not None:
        shape["quota"] = {"limit": plan.quota.limit, "offset": plan.quota.offset, "period": plan.quota.period.value}
    return shape


def declared_plan_shape(plan: UsagePlan) -> Shape:
    stages = []
    for item in plan.stages:
        stage: Shape = {"apiId": item.api_id, "stage": item.stage}
        if item.methods:
            stage["throttle"] = {f"{path}/{verb}": {"rateLimit": t.rate, "burstLimit": t.burst}
                                 for (path, verb), t in item.methods.items()}
        stages.append(stage)
    return {"id": plan.plan_id, "name": plan.name, "apiStages": stages, **_limits(plan)}


def plan_shape(row: Any, *, tags: bool = False) -> Shape:
    config = row["config"]
    shape: Shape = {"id": row["id"], "name": row["name"], "apiStages": list(config.get("apiStages", []))}
    for member in ("description", "throttle", "quota", "productCode", "tags"):
        if config.get(member) not in (None, "", {}):
            shape[member] = config[member]
    if tags:
        shape.setdefault("tags", {})
    return shape


def _declared_plan(call: Call, plan_id: str) -> UsagePlan | None:
    return next((plan for plan in declared(call).plans if plan.plan_id == plan_id), None)


async def plan_row(call: Call, plan_id: str) -> Any:
    query = select(apigw_usage_plans).where(apigw_usage_plans.c.id == plan_id,
                                            apigw_usage_plans.c.account == call.caller.account,
                                            apigw_usage_plans.c.region == call.caller.region)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(PLAN_NOT_FOUND)
    return row


async def _check_stage(call: Call, api_id: str, stage: str, plan_id: str = "") -> None:
    """Recorded (UpdateUsagePlan, ``update-wrong-api-stages-wrong-api`` / ``-wrong-stage``): NotFoundException
    naming both and the plan. CreateUsagePlan (no plan id yet) ends the text after "usageplan" (UNCONFIRMED)."""
    try:
        api = await repo.api_row(call, api_id, lock=False)
        await repo.stage(call, api["id"], stage)
    except ServiceError:
        raise not_found(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan "
                        f"{plan_id}".rstrip()) from None


def _throttle_spec(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request("Invalid throttle settings")  # UNCONFIRMED wording
    result: dict[str, Any] = {}
    if "rateLimit" in value:
        result["rateLimit"] = float(value["rateLimit"])
    if "burstLimit" in value:
        result["burstLimit"] = int(value["burstLimit"])
    return result or None


def _quota_spec(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    period = value.get("period")
    if period not in [p.value for p in QuotaPeriod]:
        # UNCONFIRMED wording.
        raise bad_request(f"Invalid quota period {period!r}: must be one of DAY, WEEK, MONTH")
    limit, offset = int(value.get("limit", 0)), int(value.get("offset", 0))
    if limit < 0 or offset < 0 or (offset and offset >= limit):
        raise bad_request("Invalid quota: offset must be less than limit")  # UNCONFIRMED wording
    return {"limit": limit, "offset": offset, "period": period}


async def _api_stages(call: Call, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for item in items:
        await _check_stage(call, item.get("apiId", ""), item.get("stage", ""))
        stage: dict[str, Any] = {"apiId": item["apiId"], "stage": item["stage"]}
        if item.get("throttle"):
            stage["throttle"] = {target: _throttle_spec(limits) for target, limits in item["throttle"].items()}
        result.append(stage)
    return result


def _changed(call: Call) -> None:
    call.served_changed = True


@operation("CreateUsagePlan", writes=True)
async def create_usage_plan(call: Call, params: dict[str, Any]) -> Shape:
    if not params.get("name"):
        raise bad_request("Invalid usage plan name specified")  # UNCONFIRMED wording
    config: dict[str, Any] = {"apiStages": await _api_stages(call, params.get("apiStages", []))}
    for member, value in (("throttle", _throttle_spec(params.get("throttle"))),
                          ("quota", _quota_spec(params.get("quota"))),
                          ("description", params.get("description")), ("tags", params.get("tags"))):
        if value not in (None, "", {}):
            config[member] = value
    plan_id = call.new_id(6)
    await call.conn.execute(insert(apigw_usage_plans).values(id=plan_id, account=call.caller.account,
                                                             region=call.caller.region, name=params["name"],
                                                             config=config, created=call.now))
    await repo.bump(call.conn)
    _changed(call)
    return plan_shape(await plan_row(call, plan_id))


@operation("GetUsagePlan")
async def get_usage_plan(call: Call, params: dict[str, Any]) -> Shape:
    found = _declared_plan(call, params["usagePlanId"])
    if found is not None:
        return declared_plan_shape(found)
    return plan_shape(await plan_row(call, params["usagePlanId"]), tags=True)


@operation("GetUsagePlans")
async def get_usage_plans(call: Call, params: dict[str, Any]) -> Shape:
    key_id = params.get("keyId")
    items = [declared_plan_shape(plan) for plan in declared(call).plans
             if key_id is None or any(declared(call).keys[name].id == key_id for name in plan.keys)]
    query = select(apigw_usage_plans).where(apigw_usage_plans.c.account == call.caller.account,
                                            apigw_usage_plans.c.region == call.caller.region)
    if key_id is not None:
        query = query.where(apigw_usage_plans.c.id.in_(
            select(apigw_usage_plan_keys.c.plan_id).where(apigw_usage_plan_keys.c.key_id == key_id)))
    items += [plan_shape(row) for row in (await call.conn.execute(query)).mappings()]
    items.sort(key=lambda item: item["id"])
    chunk, position = page(items, lambda item: item["id"], params)
    return listing(chunk, position)


async def _apply(call: Call, plan_id: str, config: dict[str, Any], patch: Patch) -> str | None:
    """One patch on a stored plan's config; returns a new name, if the patch renames."""
    path = patch.path
    if path not in _PATCHABLE:
        raise invalid_path(patch, _PATCHABLE)
    if path == "/apiStages":
        api_id, colon, stage = str(patch.value or "").partition(":")
        if not (api_id and colon and stage):  # recorded: update-wrong-api-stages-no-value / -wrong-value
            raise bad_request("Invalid API Stage specified")
        if patch.op in ("add", "remove"):
            await _check_stage(call, api_id, stage, plan_id)
        stages = [item for item in config.get("apiStages", []) if (item["apiId"], item["stage"]) != (api_id, stage)]
        if patch.op == "add":
            stages.append({"apiId": api_id, "stage": stage})
        elif patch.op != "remove":
            raise unsupported_op(patch)
        config["apiStages"] = stages
        return None
    if path in ("/throttle", "/quota"):
        if patch.op != "remove":
            raise unsupported_op(patch)
        config.pop(path[1:], None)
        return None
    if patch.op != "replace":
        raise unsupported_op(patch)
    if path == "/name":
        if not patch.value:
            raise bad_request("Invalid usage plan name specified")  # UNCONFIRMED wording
        return str(patch.value)
    if path.startswith("/throttle/"):
        member = path.rsplit("/", 1)[1]
        config["throttle"] = _throttle_spec({**config.get("throttle", {}), member: patch.value})
    elif path.startswith("/quota/"):
        member = path.rsplit("/", 1)[1]
        value = patch.value if member == "period" else integer(patch)
        config["quota"] = _quota_spec({"period": "DAY", **config.get("quota", {}), member: value})
    else:
        config[path[1:]] = patch.value
    return None


@operation("UpdateUsagePlan", writes=True)
async def update_usage_plan(call: Call, params: dict[str, Any]) -> Shape:
    plan_id = params["usagePlanId"]
    if _declared_plan(call, plan_id) is not None:
        raise read_only(f"Usage plan {plan_id}")
    row = await plan_row(call, plan_id)
    name, config = row["name"], dict(row["config"])
    for patch in patches(params):
        name = await _apply(call, plan_id, config, patch) or name
    await call.conn.execute(update(apigw_usage_plans).where(apigw_usage_plans.c.id == plan_id)
                            .values(name=name, config=config))
    await repo.bump(call.conn)
    _changed(call)
    return plan_shape(await plan_row(call, plan_id), tags=True)


@operation("DeleteUsagePlan", writes=True)
async def delete_usage_plan(call: Call, params: dict[str, Any]) -> Shape:
    plan_id = params["usagePlanId"]
    if _declared_plan(call, plan_id) is not None:
        raise read_only(f"Usage plan {plan_id}")
    await plan_row(call, plan_id)
    await call.conn.execute(delete(apigw_usage_plan_keys).where(apigw_usage_plan_keys.c.plan_id == plan_id))
    await call.conn.execute(delete(apigw_usage_plans).where(apigw_usage_plans.c.id == plan_id))
    await repo.bump(call.conn)
    _changed(call)
    return {}


def _plan_key_shape(row: Any) -> Shape:
    shape: Shape = {"id": row["id"], "type": "API_KEY", "value": row["value"]}
    if row["name"]:
        shape["name"] = row["name"]
    return shape


async def _plan_keys(call: Call, plan_id: str) -> list[Shape]:
    plan = _declared_plan(call, plan_id)
    if plan is not None:
        keys = declared(call).keys
        return [{"id": keys[name].id, "type": "API_KEY", "value": keys[name].value, "name": name}
                for name in plan.keys]
    await plan_row(call, plan_id)
    query = select(apigw_api_keys).join(apigw_usage_plan_keys, apigw_usage_plan_keys.c.key_id == apigw_api_keys.c.id) \
        .where(apigw_usage_plan_keys.c.plan_id == plan_id)
    return [_plan_key_shape(row) for row in (await call.conn.execute(query)).mappings()]


@operation("CreateUsagePlanKey", writes=True)
async def create_usage_plan_key(call: Call, params: dict[str, Any]) -> Shape:
    plan_id, key_id = params["usagePlanId"], params["keyId"]
    if params.get("keyType") != "API_KEY":
        raise bad_request(f"Invalid key type {params.get('keyType')!r}: only API_KEY is supported")  # UNCONFIRMED
    if _declared_plan(call, plan_id) is not None:
        raise read_only(f"Usage plan {plan_id}")
    await plan_row(call, plan_id)
    if declared_key(call, key_id) is not None:
        raise read_only(f"API key {key_id}")
    key = await key_row(call, key_id)
    try:
        await call.conn.execute(insert(apigw_usage_plan_keys).values(plan_id=plan_id, key_id=key_id))
    except IntegrityError:  # the primary key (plan, key): the database decides, also between processes
        raise conflict(f"Usage Plan {plan_id} cannot be added because API Key {key_id} "
                       "is already associated with this Usage Plan") from None  # UNCONFIRMED wording
    await repo.bump(call.conn)
    _changed(call)
    return _plan_key_shape(key)


@operation("GetUsagePlanKey")
async def get_usage_plan_key(call: Call, params: dict[str, Any]) -> Shape:
    keys = await _plan_keys(call, params["usagePlanId"])
    found = next((item for item in keys if item["id"] == params["keyId"]), None)
    if found is None:
        if declared_key(call, params["keyId"]) is None:
            await key_row(call, params["keyId"])  # an unknown key: Invalid API Key identifier
        raise not_found(PLAN_KEY_NOT_FOUND)
    return found


@operation("GetUsagePlanKeys")
async def get_usage_plan_keys(call: Call, params: dict[str, Any]) -> Shape:
    items = await _plan_keys(call, params["usagePlanId"])
    if params.get("nameQuery"):
        items = [item for item in items if item.get("name", "").startswith(params["nameQuery"])]
    items.sort(key=lambda item: item["id"])
    chunk, position = page(items, lambda item: item["id"], params)
    return listing(chunk, position)


@operation("DeleteUsagePlanKey", writes=True)
async def delete_usage_plan_key(call: Call, params: dict[str, Any]) -> Shape:
    plan_id, key_id = params["usagePlanId"], params["keyId"]
    if _declared_plan(call, plan_id) is not None:
        raise read_only(f"Usage plan {plan_id}")
    await plan_row(call, plan_id)
    gone = await call.conn.execute(delete(apigw_usage_plan_keys).where(apigw_usage_plan_keys.c.plan_id == plan_id,
                                                                       apigw_usage_plan_keys.c.key_id == key_id))
    if gone.rowcount == 0:
        await key_row(call, key_id)
        raise not_found(PLAN_KEY_NOT_FOUND)
    await repo.bump(call.conn)
    _changed(call)
    return {}


def _day(text: str, member: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise bad_request(f"Invalid {member}: {text!r} is not a date yyyy-MM-dd") from None  # UNCONFIRMED


@operation("GetUsage")
async def get_usage(call: Call, params: dict[str, Any]) -> Shape:
    """Per key, one ``[used, remaining]`` per day from ``startDate`` to ``endDate``. poolgate counts requests per
    quota period only (the counters the data plane admits by), so the current period's count is reported on
    today's entry and earlier days show 0 used (UNCONFIRMED against AWS, which keeps daily history). A plan
    without a quota counts nothing: its entries are [0, 0]."""
    plan_id = params["usagePlanId"]
    start, end = _day(params["startDate"], "startDate"), _day(params["endDate"], "endDate")
    if end < start:
        raise bad_request("The end date must not be before the start date")  # UNCONFIRMED wording
    plan = _declared_plan(call, plan_id)
    if plan is None:
        row = await plan_row(call, plan_id)
        config = row["config"]
        plan = UsagePlan(row["name"], [plan_stage(s) for s in config.get("apiStages", [])],
                         throttle(config.get("throttle")), quota(config.get("quota")), [], id=row["id"])
        refs = {item["id"]: key_ref(item["id"]) for item in await _plan_keys(call, plan_id)}
    else:
        keys = declared(call).keys
        refs = {keys[name].id: name for name in plan.keys}
    if params.get("keyId"):
        refs = {key: ref for key, ref in refs.items() if key == params["keyId"]}
    counters = call.dataplane.counters if call.dataplane is not None else None
    now = call.now
    today = datetime.datetime.fromtimestamp(now, datetime.UTC).date()
    items: dict[str, list[list[int]]] = {}
    for key_id, ref in sorted(refs.items()):
        used = 0
        if plan.quota is not None and counters is not None:
            used = await counters.used(quota_counter(plan, ref), plan.quota.period, now)
        limit = plan.quota.limit - plan.quota.offset if plan.quota is not None else 0
        days = []
        day = start
        while day <= end:
            counted = used if day == today else 0
            days.append([counted, max(0, limit - used)])
            day += datetime.timedelta(days=1)
        items[key_id] = days
    # The wire name of ``items`` is ``values`` (botocore's Usage shape).
    return {"usagePlanId": plan_id, "startDate": start.isoformat(), "endDate": end.isoformat(), "values": items}
