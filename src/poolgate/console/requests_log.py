"""Request log ("why was this refused?"): the recent requests of an API's stages as this server process's data
plane answered them (``AccessLog.recent``), newest first, filterable by stage and by outcome: method, path,
status, latency, the authorizer's refusal reason (never the token) and the integration's status. Only after
GetRestApi answered the API for the session's key, so a key sees only its own account's APIs' requests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..dataplane.accesslog import RECENT_FIELDS
from .apis import api_crumbs
from .web import ROUTER, Ctx, Page

_INDEX = {name: i for i, name in enumerate(RECENT_FIELDS)}


def _row(values: tuple[Any, ...], refusal: str | None, answered: float) -> dict[str, Any]:
    row = {name: values[i] for name, i in _INDEX.items()}
    epoch = row["requestTimeEpoch"]
    timed = isinstance(epoch, int | float)
    row["time"] = datetime.fromtimestamp(epoch / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S") if timed else ""
    row["latency"] = max(0, round(answered * 1000 - epoch)) if timed else ""
    row["refusal"] = refusal or ""
    return row


@ROUTER.route("GET", "/apis/{api_id}/requests")
async def request_log(ctx: Ctx, api_id: str) -> Page:
    api, crumbs = await api_crumbs(ctx, api_id, ("Request log", None))
    plane = getattr(ctx.client.app, "dataplane", None)
    recent = list(plane.access_log.recent) if plane is not None else []
    rows = [_row(values, refusal, answered) for values, refusal, answered in reversed(recent)
            if values[_INDEX["apiId"]] == api_id]
    stages = sorted({str(r["stage"]) for r in rows if r["stage"]})
    query = ctx.query()
    stage, outcome = query.get("stage", ""), query.get("outcome", "")
    if stage:
        rows = [r for r in rows if r["stage"] == stage]
    if outcome == "refused":
        rows = [r for r in rows if isinstance(r["status"], int) and r["status"] >= 400]
    elif outcome == "authorizer":
        rows = [r for r in rows if r["refusal"]]
    return ctx.render("requests.html", title="Request log", section="apis", api=api, crumbs=crumbs, rows=rows,
                      stages=stages, stage=stage, outcome=outcome, tab="requests")
