"""Gateway responses: PutGatewayResponse, GetGatewayResponse(s), UpdateGatewayResponse, DeleteGatewayResponse.

Part of the working copy (callers see a change after the next deployment, as on AWS), stored with the API
as the data plane's gateway-response overrides (``apigw/snapshot.py``'s ``x-poolgate-gatewayResponses``, the
same overrides poolgate.yaml's ``gatewayResponses:`` declares). Shapes and words recorded from AWS: localstack
tests/aws/services/apigateway/test_apigateway_api.snapshot.json (``test_gateway_response_crud``,
``test_gateway_response_validation``, ``test_update_gateway_response``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ..apigw import snapshot as snapshots
from ..dataplane.responses import DEFAULT_STATUS
from ..store.sql.tables import apigw_rest_apis
from . import repo
from .patch import Patch, invalid_patch_path, patches
from .registry import Call, Shape, bad_request, not_found, operation

DEFAULT_TEMPLATES = {"application/json": '{"message":$context.error.messageString}'}


def _shape(kind: str, stored: dict[str, Any] | None) -> Shape:
    if stored is None:
        return {"responseType": kind, "statusCode": str(DEFAULT_STATUS[kind]), "responseParameters": {},
                "responseTemplates": dict(DEFAULT_TEMPLATES), "defaultResponse": True}
    status = stored.get("statusCode")
    shape: Shape = {"responseType": kind}
    if status is not None:
        shape["statusCode"] = str(status)
    shape.update(responseParameters=dict(stored.get("responseParameters") or {}),
                 responseTemplates=dict(stored.get("responseTemplates") or DEFAULT_TEMPLATES), defaultResponse=False)
    return shape


async def _overrides(call: Call, api_id: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    row = await repo.api_row(call, api_id)
    config = dict(row["config"])
    return config, dict(config.get(snapshots.GATEWAY_RESPONSES) or {})


async def _save(call: Call, api_id: str, config: dict[str, Any], overrides: dict[str, dict[str, Any]]) -> None:
    config[snapshots.GATEWAY_RESPONSES] = overrides
    await call.conn.execute(update(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id).values(config=config))


def _status(value: Any) -> int:
    try:
        status = int(str(value))
    except ValueError:
        status = 0
    if not 100 <= status <= 599:
        raise bad_request(f"Invalid status code specified: {value}")  # wording UNCONFIRMED
    return status


def _check_parameters(parameters: dict[str, str]) -> None:
    for name in parameters:
        if not name.startswith("gatewayresponse.header."):
            raise bad_request(f"Invalid parameter name specified: {name}")  # wording UNCONFIRMED


@operation("PutGatewayResponse", writes=True)
async def put_gateway_response(call: Call, params: dict[str, Any]) -> Shape:
    api_id, kind = params["restApiId"], params["responseType"]
    config, overrides = await _overrides(call, api_id)
    stored: dict[str, Any] = {"statusCode": _status(params["statusCode"]) if params.get("statusCode") else None,
                              "responseParameters": dict(params.get("responseParameters") or {}),
                              "responseTemplates": dict(params.get("responseTemplates") or {})}
    _check_parameters(stored["responseParameters"])
    overrides[kind] = stored
    await _save(call, api_id, config, overrides)
    return _shape(kind, stored)


@operation("GetGatewayResponse")
async def get_gateway_response(call: Call, params: dict[str, Any]) -> Shape:
    _, overrides = await _overrides(call, params["restApiId"])
    return _shape(params["responseType"], overrides.get(params["responseType"]))


@operation("GetGatewayResponses")
async def get_gateway_responses(call: Call, params: dict[str, Any]) -> Shape:
    """Every type, the API's own or AWS's default, by type (paging: UNCONFIRMED, AWS lists them all)."""
    _, overrides = await _overrides(call, params["restApiId"])
    return {"item": [_shape(kind, overrides.get(kind)) for kind in sorted(DEFAULT_STATUS)]}


def _apply(stored: dict[str, Any], patch: Patch) -> None:
    steps = patch.steps
    if patch.path == "/statusCode" and patch.op == "replace":
        stored["statusCode"] = _status(patch.value)
        return
    if len(steps) == 2 and steps[0] in ("responseParameters", "responseTemplates") and patch.op in (
            "add", "replace", "remove"):
        values = dict(stored.get(steps[0]) or ({} if steps[0] == "responseParameters" else DEFAULT_TEMPLATES))
        if patch.op == "remove":
            values.pop(steps[1], None)
        else:
            if patch.value in (None, ""):
                # Recorded: ``test_update_gateway_response`` (update-gateway-replace-invalid-parameter-*-none).
                raise bad_request(f"Invalid null or empty value in {steps[0]}")
            if patch.op == "replace" and steps[1] not in values:
                # Recorded: ``test_update_gateway_response`` (update-gateway-replace-invalid-parameter).
                raise not_found("Invalid parameter name specified")
            values[steps[1]] = str(patch.value)
        stored[steps[0]] = values
        return
    if not patch.path:
        raise bad_request("Invalid patch path null")  # recorded: update-gateway-no-path
    raise invalid_patch_path(patch)  # recorded: update-gateway-add-status-code, update-gateway-wrong-path


@operation("UpdateGatewayResponse", writes=True)
async def update_gateway_response(call: Call, params: dict[str, Any]) -> Shape:
    """An unset type starts from AWS's default (recorded: update-gateway-response-not-set)."""
    api_id, kind = params["restApiId"], params["responseType"]
    config, overrides = await _overrides(call, api_id)
    stored = dict(overrides.get(kind) or {"statusCode": DEFAULT_STATUS[kind], "responseParameters": {},
                                         "responseTemplates": dict(DEFAULT_TEMPLATES)})
    for patch in patches(params):
        _apply(stored, patch)
    _check_parameters(stored.get("responseParameters") or {})
    overrides[kind] = stored
    await _save(call, api_id, config, overrides)
    return _shape(kind, stored)


@operation("DeleteGatewayResponse", writes=True)
async def delete_gateway_response(call: Call, params: dict[str, Any]) -> Shape:
    api_id, kind = params["restApiId"], params["responseType"]
    config, overrides = await _overrides(call, api_id)
    if overrides.pop(kind, None) is None:
        # Recorded: ``test_gateway_response_validation`` (delete-gateway-response-not-set).
        raise not_found("Gateway response type not defined on api")
    await _save(call, api_id, config, overrides)
    return {}
