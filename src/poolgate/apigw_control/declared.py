"""poolgate.yaml's APIs in the database: one model for the file and the apigateway API.

At every start (and after ``/_poolgate/reset``) each declared API whose declaration changed since it was last
applied (or that is missing) is written as a working copy, one deployment of it, and its declared stages
pointing there — replacing whatever the database held for that API id (working copy, deployments, stages).
An unchanged declaration is left alone, so what the apigateway API changed in a declared API (new resources,
a redeployment, stage variables…) lasts until the file changes. Ids are kept across re-applications where the
path (resources) or the name (authorizers) is the same.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from ..apigw.domain import RestApi
from ..dataplane.config import Gateway
from ..services import Services
from ..store.sql.tables import apigw_authorizers, apigw_deployments, apigw_resources, apigw_rest_apis, apigw_stages
from .repo import bump, snapshot
from .writer import rest_api_config, write_working_copy


async def apply_declared(services: Services, gateway: Gateway, *, force_bump: bool = False) -> None:
    """Write the declared APIs that changed; one transaction per API."""
    changed = force_bump
    for api in gateway.apis:
        digest = gateway.digests.get(api.id, "")
        async with services.db.begin() as conn:
            row = (await conn.execute(select(apigw_rest_apis.c.source_hash)
                                      .where(apigw_rest_apis.c.id == api.id))).first()
            if row is not None and row[0] == digest:
                continue
            resource_ids = {r["path"]: r["id"] for r in (await conn.execute(
                select(apigw_resources.c.path, apigw_resources.c.id)
                .where(apigw_resources.c.api_id == api.id))).mappings()}
            authorizer_ids = {r["name"]: r["id"] for r in (await conn.execute(
                select(apigw_authorizers.c.name, apigw_authorizers.c.id)
                .where(apigw_authorizers.c.api_id == api.id))).mappings()}
            await conn.execute(delete(apigw_rest_apis).where(apigw_rest_apis.c.id == api.id))
            await _write(conn, services, api, digest, resource_ids, authorizer_ids)
            await bump(conn)
            changed = True
    if changed and not gateway.apis:
        async with services.db.begin() as conn:
            await bump(conn)


async def _write(conn: Any, services: Services, api: RestApi, digest: str, resource_ids: dict[str, str],
                 authorizer_ids: dict[str, str]) -> None:
    now = services.clock.now()
    ids = services.ids
    root = resource_ids.get("/") or ids.short_id(6)
    await conn.execute(insert(apigw_rest_apis).values(
        id=api.id, account=api.account, region=api.region, name=api.name, root_id=root, config=rest_api_config(api),
        source=str(api.source) or None, source_hash=digest, created=now, modified=now))
    await write_working_copy(conn, ids, api, api.id, reuse={**resource_ids, "/": root},
                             reuse_authorizers=authorizer_ids)
    deployment_id = ids.short_id(6)
    snapshot = await _snapshot(conn, api.id)
    await conn.execute(insert(apigw_deployments).values(api_id=api.id, id=deployment_id,
                                                        description="poolgate.yaml", snapshot=snapshot, created=now))
    for stage in api.stages.values():
        stage_config: dict[str, Any] = {}
        if stage.variables:
            stage_config["variables"] = dict(stage.variables)
        if stage.method_settings:
            stage_config["methodSettings"] = {key: dict(value) for key, value in stage.method_settings.items()}
        await conn.execute(insert(apigw_stages).values(api_id=api.id, name=stage.name, deployment_id=deployment_id,
                                                       config=stage_config, created=now, modified=now))


async def _snapshot(conn: Any, api_id: str) -> dict[str, Any]:
    api = (await conn.execute(select(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id))).mappings().one()
    return await snapshot(conn, api)
