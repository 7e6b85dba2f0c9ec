"""The apigateway tables as the operations use them: one API's rows, locked for a write, and the snapshot.

Every write first *touches* its API's row (``lock_api``): that is the ownership check (account and region of
the caller) and, in one statement, the write lock that serialises writers of one API on PostgreSQL (row lock)
and SQLite (the database's write lock), so concurrent writers end in a consistent state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from ..store.sql.tables import (
    apigw_authorizers,
    apigw_changes,
    apigw_deployments,
    apigw_integrations,
    apigw_methods,
    apigw_resources,
    apigw_rest_apis,
    apigw_stages,
)
from .registry import Call, api_not_found, not_found

Row = RowMapping


def _conn(source: Call | AsyncConnection) -> AsyncConnection:
    return source.conn if isinstance(source, Call) else source


def _owned(call: Call, api_id: str) -> Any:
    return and_(apigw_rest_apis.c.id == api_id, apigw_rest_apis.c.account == call.caller.account,
                apigw_rest_apis.c.region == call.caller.region)


async def api_row(call: Call, api_id: str, *, missing: str | None = None, lock: bool | None = None) -> Row:
    """The caller's API ``api_id``, locked in a write (``lock`` defaults to whether the call writes): one
    ``UPDATE … RETURNING``. Unknown → NotFoundException (``missing`` replaces AWS's API wording where AWS names
    the resource instead)."""
    if call.writes if lock is None else lock:
        statement: Any = update(apigw_rest_apis).where(_owned(call, api_id)).values(modified=call.now) \
            .returning(*apigw_rest_apis.c)
    else:
        statement = select(apigw_rest_apis).where(_owned(call, api_id))
    row = (await call.conn.execute(statement)).mappings().first()
    if row is None:
        raise not_found(missing) if missing is not None else api_not_found(call, api_id)
    return row


async def resources(call: Call | AsyncConnection, api_id: str) -> Sequence[Row]:
    query = select(apigw_resources).where(apigw_resources.c.api_id == api_id).order_by(apigw_resources.c.path)
    return (await _conn(call).execute(query)).mappings().all()


async def resource(call: Call, api_id: str, resource_id: str) -> Row:
    query = select(apigw_resources).where(apigw_resources.c.api_id == api_id, apigw_resources.c.id == resource_id)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found("Invalid Resource identifier specified")
    return row


async def methods(call: Call | AsyncConnection, api_id: str,
                  resource_id: str | None = None) -> dict[str, dict[str, Row]]:
    """Resource id → verb → method row."""
    query = select(apigw_methods).where(apigw_methods.c.api_id == api_id)
    if resource_id is not None:
        query = query.where(apigw_methods.c.resource_id == resource_id)
    result: dict[str, dict[str, Row]] = {}
    for row in (await _conn(call).execute(query)).mappings():
        result.setdefault(row["resource_id"], {})[row["http_method"]] = row
    return result


async def integrations(call: Call | AsyncConnection, api_id: str,
                       resource_id: str | None = None) -> dict[tuple[str, str], Row]:
    """(resource id, verb) → integration row."""
    query = select(apigw_integrations).where(apigw_integrations.c.api_id == api_id)
    if resource_id is not None:
        query = query.where(apigw_integrations.c.resource_id == resource_id)
    return {(row["resource_id"], row["http_method"]): row for row in (await _conn(call).execute(query)).mappings()}


def _method_key(table: Any, api_id: str, resource_id: str, verb: str) -> Any:
    return and_(table.c.api_id == api_id, table.c.resource_id == resource_id, table.c.http_method == verb)


async def method(call: Call, api_id: str, resource_id: str, verb: str) -> Row:
    """The method; its resource unknown → Invalid Resource, the method unknown → Invalid Method."""
    query = select(apigw_methods).where(_method_key(apigw_methods, api_id, resource_id, verb))
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        await resource(call, api_id, resource_id)
        raise not_found("Invalid Method identifier specified")
    return row


async def integration(call: Call, api_id: str, resource_id: str, verb: str) -> Row:
    query = select(apigw_integrations).where(_method_key(apigw_integrations, api_id, resource_id, verb))
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        await method(call, api_id, resource_id, verb)
        raise not_found("Invalid Integration identifier specified")
    return row


async def save_method(call: Call, api_id: str, resource_id: str, verb: str, config: Mapping[str, Any],
                      responses: Mapping[str, Any]) -> None:
    await call.conn.execute(update(apigw_methods).where(_method_key(apigw_methods, api_id, resource_id, verb))
                            .values(config=dict(config), responses=dict(responses)))


async def save_integration(call: Call, api_id: str, resource_id: str, verb: str, config: Mapping[str, Any],
                           responses: Mapping[str, Any]) -> None:
    await call.conn.execute(update(apigw_integrations)
                            .where(_method_key(apigw_integrations, api_id, resource_id, verb))
                            .values(config=dict(config), responses=dict(responses)))


async def delete_integration(call: Call, api_id: str, resource_id: str, verb: str) -> None:
    await call.conn.execute(delete(apigw_integrations).where(_method_key(apigw_integrations, api_id, resource_id,
                                                                         verb)))


async def authorizers(call: Call | AsyncConnection, api_id: str) -> Sequence[Row]:
    query = select(apigw_authorizers).where(apigw_authorizers.c.api_id == api_id).order_by(apigw_authorizers.c.id)
    return (await _conn(call).execute(query)).mappings().all()


async def _api_item(call: Call, table: Table, api_id: str, item_id: str, missing: str) -> Row:
    """The row of ``table`` with this id under the API, or NotFoundException with ``missing``."""
    query = select(table).where(table.c.api_id == api_id, table.c.id == item_id)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(missing)
    return row


async def authorizer(call: Call, api_id: str, authorizer_id: str) -> Row:
    return await _api_item(call, apigw_authorizers, api_id, authorizer_id, "Invalid Authorizer identifier specified")


async def deployments(call: Call, api_id: str) -> Sequence[Row]:
    query = select(apigw_deployments.c.api_id, apigw_deployments.c.id, apigw_deployments.c.description,
                   apigw_deployments.c.created).where(apigw_deployments.c.api_id == api_id) \
        .order_by(apigw_deployments.c.created, apigw_deployments.c.id)
    return (await call.conn.execute(query)).mappings().all()


async def deployment(call: Call, api_id: str, deployment_id: str) -> Row:
    return await _api_item(call, apigw_deployments, api_id, deployment_id, "Invalid Deployment identifier specified")


async def stages(call: Call, api_id: str) -> Sequence[Row]:
    query = select(apigw_stages).where(apigw_stages.c.api_id == api_id).order_by(apigw_stages.c.name)
    return (await call.conn.execute(query)).mappings().all()


async def stage(call: Call, api_id: str, name: str) -> Row:
    query = select(apigw_stages).where(apigw_stages.c.api_id == api_id, apigw_stages.c.name == name)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found("Invalid stage identifier specified")
    return row


async def bump(conn: AsyncConnection) -> None:
    """Tell every process that what some stage serves changed (``dataplane/stored.py`` polls the version)."""
    await conn.execute(update(apigw_changes).where(apigw_changes.c.id == 1)
                       .values(version=apigw_changes.c.version + 1))


def children_of(rows: Sequence[Row]) -> dict[str | None, list[Row]]:
    result: dict[str | None, list[Row]] = {}
    for row in rows:
        result.setdefault(row["parent_id"], []).append(row)
    return result


async def snapshot(call: Call | AsyncConnection, api: Row) -> dict[str, Any]:
    """The working copy as ``apigw/snapshot.py`` describes it (read in the caller's write transaction, after
    the API's row was locked: no writer of this API interleaves)."""
    api_id = api["id"]
    by_resource = await methods(call, api_id)
    wired = await integrations(call, api_id)
    items = []
    for row in await resources(call, api_id):
        verbs = {}
        for verb, method_row in sorted(by_resource.get(row["id"], {}).items()):
            found = wired.get((row["id"], verb))
            verbs[verb] = {"method": method_row["config"], "responses": method_row["responses"],
                           "integration": found["config"] if found is not None else None,
                           "integrationResponses": found["responses"] if found is not None else {}}
        items.append({"id": row["id"], "parentId": row["parent_id"], "pathPart": row["path_part"],
                      "path": row["path"], "methods": verbs})
    authorizer_items = [{"id": row["id"], **row["config"]} for row in await authorizers(call, api_id)]
    return {"api": {"id": api_id, "name": api["name"], **api["config"]}, "resources": items,
            "authorizers": authorizer_items}
