"""Custom domain names and base path mappings: Create/Get/Update/DeleteDomainName, GetDomainNames,
Create/Get/Update/DeleteBasePathMapping, GetBasePathMappings. Stored per account and region (the database's
primary keys make a second domain of one name, or a second mapping of one base path, a ConflictException) and
returned; poolgate serves one port and answers no DNS, so they change nothing a request sees.

All texts here are UNCONFIRMED (no AWS recording found in LocalStack's snapshot files); the host names AWS
would assign (``d-….cloudfront.net``, ``d-….execute-api.{region}.amazonaws.com``) are made up in AWS's form.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ServiceError
from ..store.sql.tables import apigw_base_path_mappings, apigw_domain_names
from . import repo
from .patch import invalid_path, patches, unsupported_op
from .registry import Call, Shape, bad_request, conflict, listing, not_found, operation, page

DOMAIN_NOT_FOUND = "Invalid domain name identifier specified"
MAPPING_NOT_FOUND = "Invalid base path mapping identifier specified"
NONE = "(none)"
_DOMAIN_PATCHABLE = ["/certificateName", "/certificateArn", "/regionalCertificateName", "/regionalCertificateArn",
                     "/securityPolicy"]
_MAPPING_PATCHABLE = ["/basePath", "/restapiId", "/stage"]
_KEPT = ("certificateName", "certificateArn", "regionalCertificateName", "regionalCertificateArn", "securityPolicy",
         "tags", "endpointAccessMode")


def _owned(table: Any, call: Call) -> Any:
    return (table.c.account == call.caller.account) & (table.c.region == call.caller.region)


async def _domain(call: Call, name: str) -> Any:
    query = select(apigw_domain_names).where(_owned(apigw_domain_names, call), apigw_domain_names.c.name == name)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(DOMAIN_NOT_FOUND)
    return row


def _domain_shape(row: Any) -> Shape:
    return {"domainName": row["name"], **row["config"]}


@operation("CreateDomainName", writes=True)
async def create_domain_name(call: Call, params: dict[str, Any]) -> Shape:
    name = params["domainName"].lower()
    if not name:
        raise bad_request("Invalid domain name specified")
    types = (params.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
    host = f"d-{call.new_id(10)}"
    config: dict[str, Any] = {key: params[key] for key in _KEPT if params.get(key) not in (None, "")}
    config.setdefault("securityPolicy", "TLS_1_2")
    config.update({"endpointConfiguration": {"types": types}, "domainNameStatus": "AVAILABLE",
                   "domainNameArn": f"arn:aws:apigateway:{call.caller.region}::/domainnames/{name}"})
    if "REGIONAL" in types:
        config["regionalDomainName"] = f"{host}.execute-api.{call.caller.region}.amazonaws.com"
    else:
        config["distributionDomainName"] = f"{host}.cloudfront.net"
    try:
        await call.conn.execute(insert(apigw_domain_names).values(account=call.caller.account,
                                                                  region=call.caller.region, name=name,
                                                                  config=config, created=call.now))
    except IntegrityError:
        raise conflict("The domain name you provided already exists.") from None
    return _domain_shape(await _domain(call, name))


@operation("GetDomainName")
async def get_domain_name(call: Call, params: dict[str, Any]) -> Shape:
    return _domain_shape(await _domain(call, params["domainName"].lower()))


@operation("GetDomainNames")
async def get_domain_names(call: Call, params: dict[str, Any]) -> Shape:
    query = select(apigw_domain_names).where(_owned(apigw_domain_names, call)).order_by(apigw_domain_names.c.name)
    items = [_domain_shape(row) for row in (await call.conn.execute(query)).mappings()]
    chunk, position = page(items, lambda item: item["domainName"], params)
    return listing(chunk, position)


@operation("UpdateDomainName", writes=True)
async def update_domain_name(call: Call, params: dict[str, Any]) -> Shape:
    row = await _domain(call, params["domainName"].lower())
    config = dict(row["config"])
    for patch in patches(params):
        if patch.path not in _DOMAIN_PATCHABLE:
            raise invalid_path(patch, _DOMAIN_PATCHABLE)
        if patch.op != "replace":
            raise unsupported_op(patch)
        config[patch.path[1:]] = patch.value
    await call.conn.execute(update(apigw_domain_names).where(_owned(apigw_domain_names, call),
                                                             apigw_domain_names.c.name == row["name"])
                            .values(config=config))
    return _domain_shape(await _domain(call, row["name"]))


@operation("DeleteDomainName", writes=True)
async def delete_domain_name(call: Call, params: dict[str, Any]) -> Shape:
    row = await _domain(call, params["domainName"].lower())
    await call.conn.execute(delete(apigw_base_path_mappings).where(_owned(apigw_base_path_mappings, call),
                                                                   apigw_base_path_mappings.c.domain == row["name"]))
    await call.conn.execute(delete(apigw_domain_names).where(_owned(apigw_domain_names, call),
                                                             apigw_domain_names.c.name == row["name"]))
    return {}


def _mapping_shape(row: Any) -> Shape:
    shape: Shape = {"basePath": row["base_path"], "restApiId": row["api_id"]}
    if row["stage"]:
        shape["stage"] = row["stage"]
    return shape


async def _mapping(call: Call, domain: str, base_path: str) -> Any:
    query = select(apigw_base_path_mappings).where(_owned(apigw_base_path_mappings, call),
                                                   apigw_base_path_mappings.c.domain == domain,
                                                   apigw_base_path_mappings.c.base_path == base_path)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(MAPPING_NOT_FOUND)
    return row


async def _target(call: Call, api_id: str, stage: str | None) -> None:
    """The mapped API must be the caller's, and a named stage one of its stages."""
    api = await repo.api_row(call, api_id, lock=False)
    if stage:
        try:
            await repo.stage(call, api["id"], stage)
        except ServiceError:
            raise bad_request(f"Invalid stage identifier specified: {stage}") from None


def _base_path(value: Any) -> str:
    text = str(value or "").strip("/")
    return text or NONE


@operation("CreateBasePathMapping", writes=True)
async def create_base_path_mapping(call: Call, params: dict[str, Any]) -> Shape:
    domain = (await _domain(call, params["domainName"].lower()))["name"]
    await _target(call, params["restApiId"], params.get("stage"))
    base_path = _base_path(params.get("basePath"))
    try:
        await call.conn.execute(insert(apigw_base_path_mappings).values(
            account=call.caller.account, region=call.caller.region, domain=domain, base_path=base_path,
            api_id=params["restApiId"], stage=params.get("stage") or None))
    except IntegrityError:
        raise conflict("Base path already exists for this domain name") from None
    return _mapping_shape(await _mapping(call, domain, base_path))


@operation("GetBasePathMapping")
async def get_base_path_mapping(call: Call, params: dict[str, Any]) -> Shape:
    domain = (await _domain(call, params["domainName"].lower()))["name"]
    return _mapping_shape(await _mapping(call, domain, _base_path(params["basePath"])))


@operation("GetBasePathMappings")
async def get_base_path_mappings(call: Call, params: dict[str, Any]) -> Shape:
    domain = (await _domain(call, params["domainName"].lower()))["name"]
    query = select(apigw_base_path_mappings).where(_owned(apigw_base_path_mappings, call),
                                                   apigw_base_path_mappings.c.domain == domain) \
        .order_by(apigw_base_path_mappings.c.base_path)
    items = [_mapping_shape(row) for row in (await call.conn.execute(query)).mappings()]
    chunk, position = page(items, lambda item: item["basePath"], params)
    return listing(chunk, position)


@operation("UpdateBasePathMapping", writes=True)
async def update_base_path_mapping(call: Call, params: dict[str, Any]) -> Shape:
    domain = (await _domain(call, params["domainName"].lower()))["name"]
    row = await _mapping(call, domain, _base_path(params["basePath"]))
    values = {"base_path": row["base_path"], "api_id": row["api_id"], "stage": row["stage"]}
    for patch in patches(params):
        if patch.path not in _MAPPING_PATCHABLE:
            raise invalid_path(patch, _MAPPING_PATCHABLE)
        if patch.op != "replace":
            raise unsupported_op(patch)
        column = {"/basePath": "base_path", "/restapiId": "api_id", "/stage": "stage"}[patch.path]
        values[column] = _base_path(patch.value) if column == "base_path" else (patch.value or None)
    await _target(call, str(values["api_id"]), values["stage"])
    try:
        await call.conn.execute(update(apigw_base_path_mappings).where(
            _owned(apigw_base_path_mappings, call), apigw_base_path_mappings.c.domain == domain,
            apigw_base_path_mappings.c.base_path == row["base_path"]).values(**values))
    except IntegrityError:
        raise conflict("Base path already exists for this domain name") from None
    return _mapping_shape(await _mapping(call, domain, str(values["base_path"])))


@operation("DeleteBasePathMapping", writes=True)
async def delete_base_path_mapping(call: Call, params: dict[str, Any]) -> Shape:
    domain = (await _domain(call, params["domainName"].lower()))["name"]
    row = await _mapping(call, domain, _base_path(params["basePath"]))
    await call.conn.execute(delete(apigw_base_path_mappings).where(
        _owned(apigw_base_path_mappings, call), apigw_base_path_mappings.c.domain == domain,
        apigw_base_path_mappings.c.base_path == row["base_path"]))
    return {}
