"""API keys and usage plans made through the apigateway API (``apigw_control/apikeys.py``, ``usageplans.py``),
read with the stored stages (``stored.py``: at start and whenever ``apigw_changes`` moves) and served beside
the ones poolgate.yaml declares: the data plane enforces both alike and never reads the database per request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..store.counters import QuotaPeriod
from ..store.db import Database
from ..store.sql.tables import apigw_api_keys, apigw_usage_plan_keys, apigw_usage_plans
from .usage_plans import ApiKey, PlanStage, Quota, Throttle, UsagePlan, UsagePlans


def key_ref(key_id: str) -> str:
    """A stored key's entry in ``UsagePlans.keys`` (declared keys are entered by name)."""
    return f"id:{key_id}"


def throttle(spec: Any) -> Throttle | None:
    if not isinstance(spec, dict) or ("rateLimit" not in spec and "burstLimit" not in spec):
        return None
    return Throttle(float(spec.get("rateLimit", 0.0)), int(spec.get("burstLimit", 0)))


def quota(spec: Any) -> Quota | None:
    if not isinstance(spec, dict) or "limit" not in spec:
        return None
    return Quota(int(spec["limit"]), QuotaPeriod(spec.get("period", "DAY")), int(spec.get("offset", 0)))


def plan_stage(spec: dict[str, Any]) -> PlanStage:
    stage = PlanStage(spec["apiId"], spec["stage"])
    for target, limits in (spec.get("throttle") or {}).items():
        path, _, method = str(target).rpartition("/")
        found = throttle(limits)
        if found is not None:
            stage.methods[(path or "/", method)] = found
    return stage


async def load_usage_plans(db: Database, declared: UsagePlans) -> UsagePlans:
    """The declared keys and plans plus the stored ones (declared key objects shared: their generated values)."""
    result = UsagePlans(dict(declared.keys), list(declared.plans))
    for row in await db.rows(select(apigw_api_keys)):
        result.keys[key_ref(row["id"])] = ApiKey(row["name"], row["value"], bool(row["enabled"]),
                                                  row["config"].get("description", ""), key_id=row["id"])
    members: dict[str, list[str]] = {}
    for row in await db.rows(select(apigw_usage_plan_keys)):
        members.setdefault(row["plan_id"], []).append(key_ref(row["key_id"]))
    for row in await db.rows(select(apigw_usage_plans)):
        config = row["config"]
        result.plans.append(UsagePlan(row["name"], [plan_stage(s) for s in config.get("apiStages", [])],
                                      throttle(config.get("throttle")), quota(config.get("quota")),
                                      sorted(members.get(row["id"], [])), id=row["id"], created=row["created"]))
    return result
