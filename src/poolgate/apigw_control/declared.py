"""poolgate.yaml's APIs in the database: one model for the file and the apigateway API.

At every start (and after ``/_poolgate/reset``) each declared API whose declaration changed since it was last
applied (or that is missing) is written as a working copy, one deployment of it, and its declared stages
pointing there — replacing whatever the database held for that API id (working copy, deployments, stages).
An unchanged declaration is left alone, so what the apigateway API changed in a declared API (new resources,
a redeployment, stage variables…) lasts until the file changes. Ids are kept across re-applications where the
path (resources) or the name (authorizers) is the same.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, insert, select

from ..apigw import snapshot as snapshots
from ..apigw.domain import RestApi
from ..dataplane.config import Gateway
from ..dataplane.deployment import cors_preflight
from ..services import Services
from ..store.sql.tables import (
    apigw_authorizers,
    apigw_deployments,
    apigw_integrations,
    apigw_methods,
    apigw_resources,
    apigw_rest_apis,
    apigw_stages,
)
from . import render
from .repo import bump, snapshot


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
    resource_ids = {path: resource_ids.get(path) or ids.short_id(6) for path in api.resources}
    authorizers = {old: authorizer_ids.get(item.name) or ids.short_id(6) for old, item in api.authorizers.items()}
    config: dict[str, Any] = {"apiKeySource": api.api_key_source,
                              "endpointConfiguration": {"types": ["EDGE"], "ipAddressType": "ipv4"},
                              "disableExecuteApiEndpoint": False}
    if api.binary_media_types:
        config["binaryMediaTypes"] = list(api.binary_media_types)
    if api.policy is not None:
        config["policy"] = api.policy
    if api.cors is not None:
        config[snapshots.CORS] = dataclasses.asdict(api.cors)
    if api.gateway_responses:
        config[snapshots.GATEWAY_RESPONSES] = {
            kind: {"statusCode": item.status_code, "responseParameters": item.response_parameters,
                   "responseTemplates": item.response_templates}
            for kind, item in api.gateway_responses.items()}
    await conn.execute(insert(apigw_rest_apis).values(
        id=api.id, account=api.account, region=api.region, name=api.name, root_id=resource_ids["/"], config=config,
        source=str(api.source) or None, source_hash=digest, created=now, modified=now))
    for old, item in api.authorizers.items():
        shape = render.authorizer(item)
        shape.pop("id")
        if item.reject_revoked_tokens:
            shape[snapshots.REJECT_REVOKED] = True
        await conn.execute(insert(apigw_authorizers).values(api_id=api.id, id=authorizers[old], name=item.name,
                                                            config=shape))
    for path in sorted(api.resources, key=lambda p: (p.count("/"), p)):
        resource = api.resources[path]
        parent = None if path == "/" else (path.rsplit("/", 1)[0] or "/")
        part = None if parent is None else resource.path_part
        await conn.execute(insert(apigw_resources).values(
            api_id=api.id, id=resource_ids[path], parent_id=resource_ids[parent] if parent else None, path_part=part,
            path=path, variable_parent=resource_ids[parent] if parent and part and part.startswith("{") else None))
        methods = dict(resource.methods)
        if api.cors is not None and "OPTIONS" not in methods:
            # AWS's "Enable CORS" adds real OPTIONS methods; so does a declared ``cors:``.
            methods["OPTIONS"] = cors_preflight(api, resource)
        for verb, method in sorted(methods.items()):
            shape = render.method_shape(resource_ids[path], method)
            if method.authorizer_id is not None:
                shape["authorizerId"] = authorizers.get(method.authorizer_id, method.authorizer_id)
            wired = shape.pop("methodIntegration", None)
            await conn.execute(insert(apigw_methods).values(
                api_id=api.id, resource_id=resource_ids[path], http_method=verb, config=shape,
                responses=shape.pop("methodResponses", {})))
            if wired is not None:
                await conn.execute(insert(apigw_integrations).values(
                    api_id=api.id, resource_id=resource_ids[path], http_method=verb, config=wired,
                    responses=wired.pop("integrationResponses", {})))
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
