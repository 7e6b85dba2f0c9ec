"""The stages stored in the database, compiled and served: what every process of one database serves.

Each stage points at a deployment, an immutable snapshot (``apigw/snapshot.py``), compiled here exactly as a
poolgate.yaml API is (``compile_deployment``). A process learns of changes by polling one counter
(``apigw_changes.version``, bumped in the transaction of every write that changes what a stage serves) every
``POLL_SECONDS``; the process that wrote reloads at once. Requests never read the database: the data plane's
``deployments`` map is replaced whole, and compiled deployments are reused while their stage is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, tuple_

from ..apigw import snapshot as snapshots
from ..apigw.domain import RestApi
from ..store.sql.tables import apigw_changes, apigw_deployments, apigw_rest_apis, apigw_stages
from .deployment import Deployment, Misconfigured, compile_deployment
from .plugins import DeploymentError
from .stored_plans import load_usage_plans

if TYPE_CHECKING:
    from .config import Gateway
    from .gateway import DataPlane

log = logging.getLogger("poolgate.dataplane")

POLL_SECONDS = 0.5
_VERSION = select(apigw_changes.c.version).where(apigw_changes.c.id == 1)
_STAGES = select(apigw_stages.c.api_id, apigw_stages.c.name, apigw_stages.c.deployment_id, apigw_stages.c.config,
                 apigw_stages.c.modified, apigw_rest_apis.c.region, apigw_rest_apis.c.account,
                 apigw_rest_apis.c.source).join(apigw_rest_apis, apigw_rest_apis.c.id == apigw_stages.c.api_id)


@dataclass(frozen=True, slots=True)
class _Compiled:
    deployment_id: str
    modified: float
    deployment: Deployment
    misconfigured: bool
    """Some method could not be bound (a function not defined yet…): compiled again at every reload, so a
    function defined later (the lambda API) is served after the next change anyone makes."""


class StoredDeployments:
    """Keeps ``plane.deployments`` equal to the database's stages."""

    def __init__(self, plane: DataPlane, declared: Gateway) -> None:
        self.plane = plane
        self.declared = declared
        """What poolgate.yaml declares (written to the database at start by ``apigw_control/declared.py``)."""
        self.version: int | None = None
        self._apis: dict[tuple[str, str], RestApi] = {}
        """(api id, deployment id) → the snapshot's model (shared by the stages serving it)."""
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.reload()
        if self._task is None:
            self._task = asyncio.create_task(self._poll(), name="poolgate-stored-deployments")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                rows = await self.plane.services.db.rows(_VERSION)
                if rows and rows[0]["version"] != self.version:
                    await self.reload()
            except Exception:  # a database hiccup must not end the polling
                log.exception("reloading the stored deployments failed; retrying")

    async def reload(self) -> None:
        """Read every stage (and the snapshots not compiled yet) and serve them."""
        async with self._lock:
            db = self.plane.services.db
            version_rows = await db.rows(_VERSION)
            stages = await db.rows(_STAGES)
            wanted = {(row["api_id"], row["deployment_id"]) for row in stages}
            missing = wanted - set(self._apis)
            if missing:
                query = select(apigw_deployments.c.api_id, apigw_deployments.c.id, apigw_deployments.c.snapshot) \
                    .where(tuple_(apigw_deployments.c.api_id, apigw_deployments.c.id).in_(list(missing)))
                owners = {(row["api_id"], row["deployment_id"]): row for row in stages}
                for row in await db.rows(query):
                    owner = owners[(row["api_id"], row["id"])]
                    self._apis[(row["api_id"], row["id"])] = snapshots.rest_api(
                        row["snapshot"], owner["region"], owner["account"], owner["source"] or "")
            served: dict[str, dict[str, Deployment]] = {}
            compiled: dict[tuple[str, str], _Compiled] = {}
            for row in stages:
                key = (row["api_id"], row["name"])
                known = self._compiled.get(key)
                if known is None or known.misconfigured or (known.deployment_id, known.modified) != (
                        row["deployment_id"], row["modified"]):
                    deployment = self._compile(row)
                    if deployment is None:
                        continue
                    known = _Compiled(row["deployment_id"], row["modified"], deployment,
                                      any(isinstance(route.integration_state, Misconfigured)
                                          for route in deployment.routes))
                compiled[key] = known
                served.setdefault(row["api_id"], {})[row["name"]] = known.deployment
            self._compiled = compiled
            self._apis = {key: api for key, api in self._apis.items() if key in wanted}
            self.plane.deployments = served
            self.plane.metering.replace(await load_usage_plans(db, self.declared.usage_plans))
            self.plane.metering.forget_except(route for stages_ in served.values()
                                              for deployment in stages_.values() for route in deployment.routes)
            self.version = version_rows[0]["version"] if version_rows else None

    def _compile(self, row: Any) -> Deployment | None:
        api = self._apis.get((row["api_id"], row["deployment_id"]))
        if api is None:
            return None
        stage = snapshots.stage(row["name"], row["config"])
        try:
            return compile_deployment(api, stage, self.plane.functions.functions, row["deployment_id"], strict=False)
        except DeploymentError:
            log.exception("stage %s of API %s cannot be served", row["name"], row["api_id"])
            return None
