"""Deployments: CreateDeployment, GetDeployments, GetDeployment, DeleteDeployment.

A deployment is an immutable snapshot of the working copy (``apigw/snapshot.py``); a stage serves the
deployment it points at, so edits reach callers only with ``CreateDeployment`` (or ``UpdateStage`` to another
deployment), as on AWS.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from ..apigw import snapshot as snapshots
from ..apigw.domain import Stage
from ..dataplane.deployment import compile_deployment
from ..dataplane.plugins import DeploymentError
from ..store.sql.tables import apigw_deployments, apigw_stages
from . import repo, shapes
from .registry import Call, Shape, bad_request, listing, operation, page
from .stages import create_or_point_stage

DEPLOYMENT_ID_LENGTH = 6


def _check_deployable(snapshot: dict[str, Any]) -> None:
    methods = [spec for item in snapshot["resources"] for spec in item["methods"].values()]
    if not methods:
        # Wording UNCONFIRMED (moto's NoMethodDefined; AWS CLI users report the same text).
        raise bad_request("The REST API doesn't contain any methods")
    if any(spec["integration"] is None for spec in methods):
        raise bad_request("No integration defined for method")  # wording UNCONFIRMED (moto's NoIntegrationDefined)


@operation("CreateDeployment", writes=True)
async def create_deployment(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    api = await repo.api_row(call, api_id)
    snapshot = await repo.snapshot(call, api)
    _check_deployable(snapshot)
    if call.dataplane is not None:  # what the data plane would refuse to serve is refused here
        model = snapshots.rest_api(snapshot, api["region"], api["account"])
        try:
            compile_deployment(model, Stage("check"), call.dataplane.functions.functions, "check", strict=False)
        except DeploymentError as exc:
            raise bad_request(f"The API cannot be deployed: {exc}") from None  # wording UNCONFIRMED
    deployment_id = call.new_id(DEPLOYMENT_ID_LENGTH)
    row = {"api_id": api_id, "id": deployment_id, "description": params.get("description"), "snapshot": snapshot,
           "created": call.now}
    await call.conn.execute(insert(apigw_deployments).values(**row))
    if params.get("stageName"):
        settings: dict[str, Any] = {}
        if params.get("stageDescription") is not None:
            settings["description"] = params["stageDescription"]
        for key in ("variables", "tracingEnabled", "cacheClusterEnabled"):
            if params.get(key) is not None:
                settings[key] = params[key]
        await create_or_point_stage(call, api_id, params["stageName"], deployment_id, settings)
    return shapes.deployment(row)


@operation("GetDeployments")
async def get_deployments(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    rows, position = page(await repo.deployments(call, api_id), lambda row: row["id"], params)
    return listing([shapes.deployment(row) for row in rows], position)


@operation("GetDeployment")
async def get_deployment(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    row = await repo.deployment(call, api_id, params["deploymentId"])
    wanted = any(value.strip().lower() == "apisummary" for item in params.get("embed", []) for value in item.split(","))
    return shapes.deployment(row, shapes.api_summary(row["snapshot"]) if wanted else None)


@operation("DeleteDeployment", writes=True)
async def delete_deployment(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    row = await repo.deployment(call, api_id, params["deploymentId"])
    used = (await call.conn.execute(select(apigw_stages.c.name).where(
        apigw_stages.c.api_id == api_id, apigw_stages.c.deployment_id == row["id"]))).first()
    if used is not None:
        # Recorded: localstack test_apigateway_common.snapshot.json ``test_create_delete_deployments``.
        raise bad_request("Active stages pointing to this deployment must be moved or deleted")
    await call.conn.execute(delete(apigw_deployments).where(apigw_deployments.c.api_id == api_id,
                                                            apigw_deployments.c.id == row["id"]))
    return {}
