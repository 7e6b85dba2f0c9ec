"""Documentation parts (Create/Get/Update/DeleteDocumentationPart, GetDocumentationParts) and documentation
versions (Create/Get/Update/DeleteDocumentationVersion, GetDocumentationVersions) of a REST API: stored with
the API (deleted with it) and returned; poolgate's GetExport does not include them yet.

Recorded from AWS (localstack tests/aws/services/apigateway/test_apigateway_api.snapshot.json,
``TestApiGatewayApiDocumentationPart``): the part's shape, "Invalid Documentation part identifier specified"
(also for GetDocumentationPart / UpdateDocumentationPart naming an unknown API), "Invalid API identifier
specified …" for Create/GetDocumentationParts/Delete naming an unknown API, ``/properties`` the one patchable
path ("Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations"). A second
part for one location (the database's uniqueness), the version texts and the versions' shape beyond the
model are UNCONFIRMED.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ServiceError
from ..store.sql.tables import apigw_documentation_parts, apigw_documentation_versions, apigw_stages
from . import repo
from .patch import invalid_path, patches, unsupported_op
from .registry import Call, Shape, bad_request, conflict, listing, not_found, operation, page
from .shapes import epoch

PART_NOT_FOUND = "Invalid Documentation part identifier specified"
VERSION_NOT_FOUND = "Invalid Documentation version specified"
_LOCATION = ("type", "path", "method", "statusCode", "name")


def _part_shape(row: Any) -> Shape:
    return {"id": row["id"], "location": row["location"], "properties": row["properties"]}


def _location(value: dict[str, Any]) -> dict[str, Any]:
    return {key: value[key] for key in _LOCATION if value.get(key) not in (None, "")}


def _properties(value: Any) -> str:
    try:
        json.loads(value)
    except (TypeError, ValueError):
        raise bad_request("Invalid documentation content specified: properties must be a JSON string") from None
    return str(value)


async def _part(call: Call, api_id: str, part_id: str) -> Any:
    """Unknown API or part: AWS answers the part's NotFoundException for both (recorded)."""
    try:
        await repo.api_row(call, api_id, lock=call.writes)
    except ServiceError:
        raise not_found(PART_NOT_FOUND) from None
    query = select(apigw_documentation_parts).where(apigw_documentation_parts.c.api_id == api_id,
                                                    apigw_documentation_parts.c.id == part_id)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(PART_NOT_FOUND)
    return row


@operation("CreateDocumentationPart", writes=True)
async def create_documentation_part(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    location = _location(params["location"])
    part_id = call.new_id(6)
    try:
        await call.conn.execute(insert(apigw_documentation_parts).values(
            api_id=api_id, id=part_id, location=location, properties=_properties(params["properties"]),
            location_key=json.dumps(location, sort_keys=True)))
    except IntegrityError:
        raise conflict("Documentation part already exists for the specified location") from None
    return _part_shape(await _part(call, api_id, part_id))


@operation("GetDocumentationPart")
async def get_documentation_part(call: Call, params: dict[str, Any]) -> Shape:
    return _part_shape(await _part(call, params["restApiId"], params["documentationPartId"]))


@operation("GetDocumentationParts")
async def get_documentation_parts(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    query = select(apigw_documentation_parts).where(apigw_documentation_parts.c.api_id == api_id) \
        .order_by(apigw_documentation_parts.c.id)
    items = [_part_shape(row) for row in (await call.conn.execute(query)).mappings()]
    for member in ("type", "path"):
        if params.get(member):
            items = [item for item in items if item["location"].get(member) == params[member]]
    if params.get("nameQuery"):
        items = [item for item in items if params["nameQuery"] in item["location"].get("name", "")]
    chunk, position = page(items, lambda item: item["id"], params)
    return listing(chunk, position)


@operation("UpdateDocumentationPart", writes=True)
async def update_documentation_part(call: Call, params: dict[str, Any]) -> Shape:
    row = await _part(call, params["restApiId"], params["documentationPartId"])
    properties = row["properties"]
    for patch in patches(params):
        if patch.op != "replace":
            raise unsupported_op(patch)
        if patch.path != "/properties":
            raise invalid_path(patch, ["/properties"])
        properties = _properties(patch.value)
    await call.conn.execute(update(apigw_documentation_parts).where(
        apigw_documentation_parts.c.api_id == row["api_id"], apigw_documentation_parts.c.id == row["id"])
        .values(properties=properties))
    return _part_shape(await _part(call, row["api_id"], row["id"]))


@operation("DeleteDocumentationPart", writes=True)
async def delete_documentation_part(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    row = await _part(call, api_id, params["documentationPartId"])
    await call.conn.execute(delete(apigw_documentation_parts).where(
        apigw_documentation_parts.c.api_id == api_id, apigw_documentation_parts.c.id == row["id"]))
    return {}


def _version_shape(row: Any) -> Shape:
    shape: Shape = {"version": row["version"], "createdDate": epoch(row["created"])}
    if row["description"]:
        shape["description"] = row["description"]
    return shape


async def _version(call: Call, api_id: str, version: str) -> Any:
    query = select(apigw_documentation_versions).where(apigw_documentation_versions.c.api_id == api_id,
                                                       apigw_documentation_versions.c.version == version)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(VERSION_NOT_FOUND)
    return row


@operation("CreateDocumentationVersion", writes=True)
async def create_documentation_version(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    if params.get("stageName"):
        await repo.stage(call, api_id, params["stageName"])
    query = select(apigw_documentation_parts).where(apigw_documentation_parts.c.api_id == api_id)
    parts = [_part_shape(row) for row in (await call.conn.execute(query)).mappings()]
    try:
        await call.conn.execute(insert(apigw_documentation_versions).values(
            api_id=api_id, version=params["documentationVersion"], description=params.get("description"),
            parts=parts, created=call.now))
    except IntegrityError:
        raise conflict(f"Documentation version {params['documentationVersion']} already exists") from None
    if params.get("stageName"):
        stage = await repo.stage(call, api_id, params["stageName"])
        config = {**stage["config"], "documentationVersion": params["documentationVersion"]}
        await call.conn.execute(update(apigw_stages).where(apigw_stages.c.api_id == api_id,
                                                           apigw_stages.c.name == params["stageName"])
                                .values(config=config))
    return _version_shape(await _version(call, api_id, params["documentationVersion"]))


@operation("GetDocumentationVersion")
async def get_documentation_version(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    return _version_shape(await _version(call, api_id, params["documentationVersion"]))


@operation("GetDocumentationVersions")
async def get_documentation_versions(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    query = select(apigw_documentation_versions).where(apigw_documentation_versions.c.api_id == api_id) \
        .order_by(apigw_documentation_versions.c.version)
    items = [_version_shape(row) for row in (await call.conn.execute(query)).mappings()]
    chunk, position = page(items, lambda item: item["version"], params)
    return listing(chunk, position)


@operation("UpdateDocumentationVersion", writes=True)
async def update_documentation_version(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    row = await _version(call, api_id, params["documentationVersion"])
    description = row["description"]
    for patch in patches(params):
        if patch.op != "replace":
            raise unsupported_op(patch)
        if patch.path != "/description":
            raise invalid_path(patch, ["/description"])
        description = patch.value
    await call.conn.execute(update(apigw_documentation_versions).where(
        apigw_documentation_versions.c.api_id == api_id, apigw_documentation_versions.c.version == row["version"])
        .values(description=description))
    return _version_shape(await _version(call, api_id, row["version"]))


@operation("DeleteDocumentationVersion", writes=True)
async def delete_documentation_version(call: Call, params: dict[str, Any]) -> Shape:
    api_id = (await repo.api_row(call, params["restApiId"]))["id"]
    row = await _version(call, api_id, params["documentationVersion"])
    await call.conn.execute(delete(apigw_documentation_versions).where(
        apigw_documentation_versions.c.api_id == api_id, apigw_documentation_versions.c.version == row["version"]))
    return {}
