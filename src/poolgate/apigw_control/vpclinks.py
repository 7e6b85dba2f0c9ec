"""VPC links (Create/Get/Update/DeleteVpcLink, GetVpcLinks) and client certificates
(GenerateClientCertificate, Get/Update/DeleteClientCertificate, GetClientCertificates): stored per account and
region and returned, with no network effect (poolgate reaches backends directly and presents no client
certificate). A VPC link is ``AVAILABLE`` at once; a client certificate is a real self-signed X.509 certificate
(``cryptography``) valid for 365 days, as AWS's are (its private key is not kept). Texts UNCONFIRMED (no AWS
recording found in LocalStack's snapshot files).
"""

from __future__ import annotations

import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import Table, delete, insert, select, update

from ..store.sql.tables import apigw_client_certificates, apigw_vpc_links
from .patch import invalid_path, patches, unsupported_op
from .registry import Call, Shape, bad_request, listing, not_found, operation, page
from .shapes import epoch

LINK_NOT_FOUND = "Invalid VPC link identifier specified"
CERTIFICATE_NOT_FOUND = "Invalid client certificate identifier specified"
_LINK_PATCHABLE = ["/name", "/description"]
_CERTIFICATE_PATCHABLE = ["/description"]
CERTIFICATE_DAYS = 365


async def _row(call: Call, table: Table, item_id: str, missing: str) -> Any:
    query = select(table).where(table.c.id == item_id, table.c.account == call.caller.account,
                                table.c.region == call.caller.region)
    row = (await call.conn.execute(query)).mappings().first()
    if row is None:
        raise not_found(missing)
    return row


async def _rows(call: Call, table: Table) -> list[Any]:
    query = select(table).where(table.c.account == call.caller.account, table.c.region == call.caller.region) \
        .order_by(table.c.id)
    return list((await call.conn.execute(query)).mappings())


async def _patch(call: Call, table: Table, row: Any, params: dict[str, Any], allowed: list[str]) -> None:
    config = dict(row["config"])
    for patch in patches(params):
        if patch.path not in allowed:
            raise invalid_path(patch, allowed)
        if patch.op != "replace":
            raise unsupported_op(patch)
        if patch.path == "/name" and not patch.value:
            raise bad_request("Invalid name: the name must not be empty")
        config[patch.path[1:]] = patch.value
    await call.conn.execute(update(table).where(table.c.id == row["id"]).values(config=config))


def _link_shape(row: Any) -> Shape:
    return {"id": row["id"], **row["config"]}


@operation("CreateVpcLink", writes=True)
async def create_vpc_link(call: Call, params: dict[str, Any]) -> Shape:
    if not params.get("name"):
        raise bad_request("Invalid name: the name must not be empty")
    config: dict[str, Any] = {"name": params["name"], "targetArns": list(params["targetArns"]),
                              "status": "AVAILABLE", "statusMessage": "Your vpc link is ready for use"}
    for member in ("description", "tags"):
        if params.get(member):
            config[member] = params[member]
    link_id = call.new_id(6)
    await call.conn.execute(insert(apigw_vpc_links).values(id=link_id, account=call.caller.account,
                                                           region=call.caller.region, config=config, created=call.now))
    return _link_shape(await _row(call, apigw_vpc_links, link_id, LINK_NOT_FOUND))


@operation("GetVpcLink")
async def get_vpc_link(call: Call, params: dict[str, Any]) -> Shape:
    return _link_shape(await _row(call, apigw_vpc_links, params["vpcLinkId"], LINK_NOT_FOUND))


@operation("GetVpcLinks")
async def get_vpc_links(call: Call, params: dict[str, Any]) -> Shape:
    items = [_link_shape(row) for row in await _rows(call, apigw_vpc_links)]
    chunk, position = page(items, lambda item: item["id"], params)
    return listing(chunk, position)


@operation("UpdateVpcLink", writes=True)
async def update_vpc_link(call: Call, params: dict[str, Any]) -> Shape:
    row = await _row(call, apigw_vpc_links, params["vpcLinkId"], LINK_NOT_FOUND)
    await _patch(call, apigw_vpc_links, row, params, _LINK_PATCHABLE)
    return _link_shape(await _row(call, apigw_vpc_links, row["id"], LINK_NOT_FOUND))


@operation("DeleteVpcLink", writes=True)
async def delete_vpc_link(call: Call, params: dict[str, Any]) -> Shape:
    row = await _row(call, apigw_vpc_links, params["vpcLinkId"], LINK_NOT_FOUND)
    await call.conn.execute(delete(apigw_vpc_links).where(apigw_vpc_links.c.id == row["id"]))
    return {}


def _certificate(now: float, certificate_id: str) -> tuple[str, float]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"poolgate client certificate {certificate_id}")])
    start = datetime.datetime.fromtimestamp(now, datetime.UTC)
    end = start + datetime.timedelta(days=CERTIFICATE_DAYS)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start).not_valid_after(end)
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), end.timestamp()


def _certificate_shape(row: Any) -> Shape:
    config = row["config"]
    shape: Shape = {"clientCertificateId": row["id"], "pemEncodedCertificate": config["pemEncodedCertificate"],
                    "createdDate": epoch(row["created"]), "expirationDate": epoch(config["expires"])}
    for member in ("description", "tags"):
        if config.get(member):
            shape[member] = config[member]
    return shape


@operation("GenerateClientCertificate", writes=True)
async def generate_client_certificate(call: Call, params: dict[str, Any]) -> Shape:
    certificate_id = call.new_id(6)
    pem, expires = _certificate(call.now, certificate_id)
    config: dict[str, Any] = {"pemEncodedCertificate": pem, "expires": expires}
    for member in ("description", "tags"):
        if params.get(member):
            config[member] = params[member]
    await call.conn.execute(insert(apigw_client_certificates).values(
        id=certificate_id, account=call.caller.account, region=call.caller.region, config=config, created=call.now))
    return _certificate_shape(await _row(call, apigw_client_certificates, certificate_id, CERTIFICATE_NOT_FOUND))


@operation("GetClientCertificate")
async def get_client_certificate(call: Call, params: dict[str, Any]) -> Shape:
    return _certificate_shape(await _row(call, apigw_client_certificates, params["clientCertificateId"],
                                         CERTIFICATE_NOT_FOUND))


@operation("GetClientCertificates")
async def get_client_certificates(call: Call, params: dict[str, Any]) -> Shape:
    items = [_certificate_shape(row) for row in await _rows(call, apigw_client_certificates)]
    chunk, position = page(items, lambda item: item["clientCertificateId"], params)
    return listing(chunk, position)


@operation("UpdateClientCertificate", writes=True)
async def update_client_certificate(call: Call, params: dict[str, Any]) -> Shape:
    row = await _row(call, apigw_client_certificates, params["clientCertificateId"], CERTIFICATE_NOT_FOUND)
    await _patch(call, apigw_client_certificates, row, params, _CERTIFICATE_PATCHABLE)
    return _certificate_shape(await _row(call, apigw_client_certificates, row["id"], CERTIFICATE_NOT_FOUND))


@operation("DeleteClientCertificate", writes=True)
async def delete_client_certificate(call: Call, params: dict[str, Any]) -> Shape:
    row = await _row(call, apigw_client_certificates, params["clientCertificateId"], CERTIFICATE_NOT_FOUND)
    await call.conn.execute(delete(apigw_client_certificates).where(apigw_client_certificates.c.id == row["id"]))
    return {}
