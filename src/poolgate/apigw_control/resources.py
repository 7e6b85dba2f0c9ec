"""Resources: GetResources, GetResource, CreateResource, UpdateResource, DeleteResource.

The tree's rules are API Gateway's, with its recorded words (localstack
tests/aws/services/apigateway/test_apigateway_api.snapshot.json, test names cited): one name per parent
(ConflictException), one variable path part per parent, nothing below a greedy ``{name+}``, no cycles, and
the root stays the root. The database enforces the first two (unique constraints), so concurrent creators
cannot both win.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from ..store.sql.tables import apigw_resources
from . import repo, shapes
from .patch import invalid_path, patches, unsupported_op
from .registry import RESOURCE_NOT_FOUND, Call, Shape, bad_request, conflict, embeds, listing, operation, page
from .restapis import RESOURCE_ID_LENGTH

_PATH_PART = re.compile(r"^(?:[A-Za-z0-9._-]+|\{[A-Za-z0-9._-]+\+?\})$")
_PATH_PART_PROBLEM = ("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
                      "and an optional plus sign before the closing brace.")  # AWS's own message (apigw/build.py)


def _is_variable(part: str | None) -> bool:
    return bool(part) and part.startswith("{")  # type: ignore[union-attr]


def _duplicate(part: str) -> Exception:
    """Recorded: ``test_update_resource_behaviour`` (existing-future-sibling-path)."""
    return conflict(f"Another resource with the same parent already has this name: {part}")


def _check_part(part: str, parent: Any, siblings: Sequence[Any], moving_id: str | None = None) -> None:
    if not _PATH_PART.match(part):
        raise bad_request(_PATH_PART_PROBLEM)
    if (parent["path_part"] or "").endswith("+}"):
        # Recorded: ``test_create_proxy_resource_validation`` (create-proxy-static-child-resource).
        raise bad_request(f"Cannot create a child of a resource with a greedy path variable: {parent['path_part']}")
    for sibling in siblings:
        if sibling["id"] == moving_id:
            continue
        if sibling["path_part"] == part:
            raise _duplicate(part)
        if _is_variable(part) and _is_variable(sibling["path_part"]):
            # Recorded: ``test_create_proxy_resource_validation`` (create-proxy-dynamic-sibling-resource).
            raise bad_request(f"A sibling ({sibling['path_part']}) of this resource already has a variable path "
                              "part -- only one is allowed")


def _join(parent_path: str, part: str) -> str:
    return f"{parent_path.rstrip('/')}/{part}"


async def _embedded(call: Call, api_id: str, rows: Sequence[Any], embed: bool,
                    resource_id: str | None = None) -> list[Shape]:
    by_resource = await repo.methods(call, api_id, resource_id)
    wired = await repo.integrations(call, api_id, resource_id) if embed else {}
    return [shapes.resource(row, by_resource.get(row["id"], {}), wired, embed) for row in rows]


@operation("GetResources")
async def get_resources(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id)
    rows, position = page(await repo.resources(call, api_id), lambda row: row["id"], params)
    return listing(await _embedded(call, api_id, rows, embeds(params, "methods")), position)


@operation("GetResource")
async def get_resource(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await repo.resource(call, api_id, params["resourceId"])
    return (await _embedded(call, api_id, [row], embeds(params, "methods"), row["id"]))[0]


@operation("CreateResource", writes=True)
async def create_resource(call: Call, params: dict[str, Any]) -> Shape:
    api_id, part = params["restApiId"], params["pathPart"]
    # AWS names the resource when the API is unknown (as for PutMethod, recorded ``test_put_method_validation``
    # wrong-api); for CreateResource itself UNCONFIRMED.
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    rows = await repo.resources(call, api_id)
    parent = next((row for row in rows if row["id"] == params["parentId"]), None)
    if parent is None:
        raise repo.not_found(RESOURCE_NOT_FOUND)  # recorded: ``test_create_resource_parent_invalid``
    _check_part(part, parent, [row for row in rows if row["parent_id"] == parent["id"]])
    resource_id = call.new_id(RESOURCE_ID_LENGTH)
    values = {"api_id": api_id, "id": resource_id, "parent_id": parent["id"], "path_part": part,
              "path": _join(parent["path"], part), "variable_parent": parent["id"] if _is_variable(part) else None}
    try:
        await call.conn.execute(insert(apigw_resources).values(**values))
    except IntegrityError:
        raise _duplicate(part) from None
    return shapes.resource(values, {}, {}, False)


@operation("UpdateResource", writes=True)
async def update_resource(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    rows = await repo.resources(call, api_id)
    by_id = {row["id"]: row for row in rows}
    current = by_id.get(params["resourceId"])
    if current is None:
        raise repo.not_found(RESOURCE_NOT_FOUND)  # recorded: ``test_update_resource_behaviour`` nonexistent-resource
    parent_id, part = current["parent_id"], current["path_part"]
    for patch in patches(params):
        if patch.path not in ("/parentId", "/pathPart"):
            raise invalid_path(patch, ["/parentId", "/pathPart"])
        if patch.op != "replace":
            raise unsupported_op(patch)
        if parent_id is None:
            # Recorded: ``test_update_resource_on_root``.
            raise bad_request(f"Root resource cannot update its {patch.path[1:]}.")
        if not patch.value:
            raise bad_request(f"Invalid value for {patch.path}: it must not be empty")  # wording UNCONFIRMED
        if patch.path == "/pathPart":
            part = str(patch.value)
        else:
            parent_id = str(patch.value)
    parent = by_id.get(parent_id or "")
    if parent is None:
        raise repo.not_found(RESOURCE_NOT_FOUND)  # recorded: ``test_update_resource_behaviour`` invalid-parent-id
    ancestor: Any = parent
    while ancestor is not None:
        if ancestor["id"] == current["id"]:
            raise bad_request("Resources cannot be cyclical.")  # recorded: update-parent-id-to-subresource-id
        ancestor = by_id.get(ancestor["parent_id"] or "")
    _check_part(part, parent, [row for row in rows if row["parent_id"] == parent["id"]], current["id"])
    children = repo.children_of(rows)
    new_paths: dict[str, str] = {}

    def walk(row_id: str, path: str) -> None:
        new_paths[row_id] = path
        for child in children.get(row_id, []):
            walk(child["id"], _join(path, child["path_part"]))

    walk(current["id"], _join(parent["path"], part))
    try:
        await call.conn.execute(update(apigw_resources).where(
            apigw_resources.c.api_id == api_id, apigw_resources.c.id == current["id"]).values(
            parent_id=parent["id"], path_part=part, variable_parent=parent["id"] if _is_variable(part) else None))
    except IntegrityError:
        raise _duplicate(part) from None
    for row_id, path in new_paths.items():
        await call.conn.execute(update(apigw_resources).where(
            apigw_resources.c.api_id == api_id, apigw_resources.c.id == row_id).values(path=path))
    row = await repo.resource(call, api_id, current["id"])
    return (await _embedded(call, api_id, [row], False, row["id"]))[0]


@operation("DeleteResource", writes=True)
async def delete_resource(call: Call, params: dict[str, Any]) -> Shape:
    """Deletes the subtree and its methods (the database cascades)."""
    api_id = params["restApiId"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await repo.resource(call, api_id, params["resourceId"])
    if row["parent_id"] is None:
        raise bad_request("Cannot delete root resource")  # wording UNCONFIRMED
    await call.conn.execute(delete(apigw_resources).where(apigw_resources.c.api_id == api_id,
                                                          apigw_resources.c.id == row["id"]))
    return {}
