"""A ``RestApi`` model (what poolgate.yaml or an OpenAPI document declares) written as a working copy: the
rows the apigateway operations edit. Shared by poolgate.yaml's APIs (``declared.py``) and ImportRestApi /
PutRestApi (``imports.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from ..apigw import snapshot as snapshots
from ..apigw.domain import RestApi
from ..clock import IdGenerator
from ..dataplane.deployment import cors_preflight
from ..store.sql.tables import apigw_authorizers, apigw_integrations, apigw_methods, apigw_resources
from . import render

Ids = dict[str, str]


def rest_api_config(api: RestApi) -> dict[str, Any]:
    """The ``apigw_rest_apis.config`` of a model (AWS's RestApi members, ``x-poolgate-…`` for the rest)."""
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
    return config


async def write_working_copy(conn: AsyncConnection, ids: IdGenerator, api: RestApi, api_id: str, *,
                             existing: Ids | None = None, reuse: Ids | None = None,
                             existing_authorizers: Ids | None = None, reuse_authorizers: Ids | None = None) -> Ids:
    """Insert the model's resources, methods (replacing methods of the same verb), integrations and authorizers
    under the API row ``api_id``; returns path → resource id.

    ``existing``: resources already stored (path → id: kept, not inserted); ``reuse``: ids to give new
    resources of these paths; ``existing_authorizers`` (name → id): stored authorizers, updated in place;
    ``reuse_authorizers``: ids to give new authorizers of these names."""
    existing, reuse = existing or {}, reuse or {}
    existing_authorizers, reuse_authorizers = existing_authorizers or {}, reuse_authorizers or {}
    resource_ids = {path: existing.get(path) or reuse.get(path) or ids.short_id(6) for path in api.resources}
    authorizers: dict[str, str] = {}
    for old, item in api.authorizers.items():
        shape = render.authorizer(item)
        shape.pop("id")
        if item.reject_revoked_tokens:
            shape[snapshots.REJECT_REVOKED] = True
        known = existing_authorizers.get(item.name)
        if known is not None:
            authorizers[old] = known
            await conn.execute(update(apigw_authorizers).where(apigw_authorizers.c.api_id == api_id,
                                                               apigw_authorizers.c.id == known).values(config=shape))
        else:
            authorizers[old] = reuse_authorizers.get(item.name) or ids.short_id(6)
            await conn.execute(insert(apigw_authorizers).values(api_id=api_id, id=authorizers[old], name=item.name,
                                                                config=shape))
    for path in sorted(api.resources, key=lambda p: (p.count("/"), p)):
        resource = api.resources[path]
        resource_id = resource_ids[path]
        if path not in existing:
            parent = None if path == "/" else (path.rsplit("/", 1)[0] or "/")
            part = None if parent is None else resource.path_part
            await conn.execute(insert(apigw_resources).values(
                api_id=api_id, id=resource_id, parent_id=resource_ids[parent] if parent else None, path_part=part,
                path=path, variable_parent=resource_ids[parent] if parent and part and part.startswith("{") else None))
        methods = dict(resource.methods)
        if api.cors is not None and "OPTIONS" not in methods:
            # AWS's "Enable CORS" adds real OPTIONS methods; so does a declared ``cors:``.
            methods["OPTIONS"] = cors_preflight(api, resource)
        for verb, method in sorted(methods.items()):
            shape = render.method_shape(resource_id, method)
            if method.authorizer_id is not None:
                shape["authorizerId"] = authorizers.get(method.authorizer_id, method.authorizer_id)
            wired = shape.pop("methodIntegration", None)
            await conn.execute(delete(apigw_methods).where(
                apigw_methods.c.api_id == api_id, apigw_methods.c.resource_id == resource_id,
                apigw_methods.c.http_method == verb))
            await conn.execute(insert(apigw_methods).values(
                api_id=api_id, resource_id=resource_id, http_method=verb, config=shape,
                responses=shape.pop("methodResponses", {})))
            if wired is not None:
                await conn.execute(insert(apigw_integrations).values(
                    api_id=api_id, resource_id=resource_id, http_method=verb, config=wired,
                    responses=wired.pop("integrationResponses", {})))
    return resource_ids
