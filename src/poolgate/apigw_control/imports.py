"""ImportRestApi and PutRestApi: an OpenAPI 3 / Swagger 2 document (JSON or YAML, with API Gateway's
extensions) read by the same importer as poolgate.yaml's ``openapi:`` entries (``apigw/openapi.py``) and
written as a working copy (``writer.py``). PutRestApi ``overwrite`` replaces the working copy (the root
resource, deployments and stages stay); ``merge`` adds the document's resources and replaces its methods and
same-named authorizers, leaving the rest. Nothing is deployed, as on AWS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update

from ..apigw.domain import RestApi
from ..apigw.openapi import load_openapi
from ..config import ConfigError
from ..store.sql.tables import apigw_authorizers, apigw_methods, apigw_resources, apigw_rest_apis
from . import repo, shapes
from .registry import Call, Shape, bad_request, operation
from .restapis import API_ID_LENGTH
from .writer import rest_api_config, write_working_copy

_DOCUMENT = Path("<imported document>")


def _read(call: Call, params: dict[str, Any], api_id: str) -> RestApi:
    text = params.get("body") or ""
    try:
        return load_openapi(_DOCUMENT, text=text, api_id=api_id, region=call.caller.region,
                            account=call.caller.account)
    except ConfigError as exc:
        problem = str(exc).removeprefix(f"{_DOCUMENT}: ")
        if problem.startswith("$: "):  # no document at all: not YAML/JSON, or not a mapping
            # Recorded: localstack test_apigateway_import.snapshot.json ``test_import_api_bad_file``.
            raise bad_request("Invalid OpenAPI input.") from None
        # Wording UNCONFIRMED: AWS lists the importer's findings after this sentence.
        raise bad_request(f"Errors found during import:\n\t{problem}") from None


@operation("ImportRestApi", writes=True)
async def import_rest_api(call: Call, params: dict[str, Any]) -> Shape:
    api_id = call.new_id(API_ID_LENGTH)
    api = _read(call, params, api_id)
    root = call.new_id(6)
    await call.conn.execute(insert(apigw_rest_apis).values(
        id=api_id, account=call.caller.account, region=call.caller.region, name=api.name, root_id=root,
        config=rest_api_config(api), source=None, source_hash=None, created=call.now, modified=call.now))
    await write_working_copy(call.conn, call.services.ids, api, api_id, reuse={"/": root})
    return shapes.rest_api(await repo.api_row(call, api_id, lock=False))


@operation("PutRestApi", writes=True)
async def put_rest_api(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    row = await repo.api_row(call, api_id)
    mode = params.get("mode", "merge")
    if mode not in ("merge", "overwrite"):
        raise bad_request(f"Invalid mode {mode}: must be merge or overwrite")  # wording UNCONFIRMED
    api = _read(call, params, api_id)
    conn = call.conn
    stored = {r["path"]: r["id"] for r in await repo.resources(call, api_id)}
    authorizers = {r["name"]: r["id"] for r in await repo.authorizers(call, api_id)}
    if mode == "overwrite":
        await conn.execute(delete(apigw_resources).where(apigw_resources.c.api_id == api_id,
                                                         apigw_resources.c.parent_id == row["root_id"]))
        await conn.execute(delete(apigw_methods).where(apigw_methods.c.api_id == api_id,
                                                       apigw_methods.c.resource_id == row["root_id"]))
        await conn.execute(delete(apigw_authorizers).where(apigw_authorizers.c.api_id == api_id))
        config = {**rest_api_config(api), **{key: row["config"][key] for key in ("description", "version", "tags")
                                            if key in row["config"]}}
        await write_working_copy(conn, call.services.ids, api, api_id, existing={"/": row["root_id"]},
                                 reuse=stored, reuse_authorizers=authorizers)
        name = api.name
    else:
        config = {**row["config"], **{key: value for key, value in rest_api_config(api).items()
                                      if key not in ("apiKeySource", "endpointConfiguration",
                                                     "disableExecuteApiEndpoint")}}
        await write_working_copy(conn, call.services.ids, api, api_id, existing=stored,
                                 existing_authorizers=authorizers)
        name = row["name"]
    await conn.execute(update(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id).values(name=name, config=config))
    fresh = (await conn.execute(select(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id))).mappings().one()
    return shapes.rest_api(fresh)
