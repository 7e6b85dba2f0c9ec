"""Methods and method responses: PutMethod, GetMethod, UpdateMethod, DeleteMethod, PutMethodResponse,
GetMethodResponse, DeleteMethodResponse.

Recorded words: localstack tests/aws/services/apigateway/test_apigateway_api.snapshot.json
(``test_put_method_validation``, ``test_update_method_validation``, ``test_method_lifecycle``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from ..store.sql.tables import apigw_methods
from . import repo, shapes
from .models import models_of
from .patch import Patch, boolean, invalid_patch_path, patches
from .registry import RESOURCE_NOT_FOUND, STATUS_NOT_FOUND, Call, Shape, bad_request, conflict, not_found, operation

Load = Callable[[Call, str, str, str], Awaitable[repo.Row]]
Save = Callable[[Call, str, str, str, Mapping[str, Any], Mapping[str, Any]], Awaitable[None]]

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")
AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
_NEEDS_AUTHORIZER = ("CUSTOM", "COGNITO_USER_POOLS")


def check_verb(verb: str) -> None:
    if verb not in HTTP_METHODS:
        # Recorded: ``test_put_method_validation`` (wrong-method).
        raise bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")


async def _check_authorization(call: Call, api_id: str, config: dict[str, Any]) -> None:
    kind = config.get("authorizationType", "NONE")
    if kind not in AUTHORIZATION_TYPES:
        # Wording UNCONFIRMED.
        raise bad_request(f"Invalid authorization type specified. Valid options are {','.join(AUTHORIZATION_TYPES)}")
    if kind not in _NEEDS_AUTHORIZER:
        # The authorizerId is kept, unused, so that it may be set before the type (order UNCONFIRMED on AWS).
        return
    authorizer_id = config.get("authorizerId")
    found = None
    if authorizer_id:
        found = next((row for row in await repo.authorizers(call, api_id) if row["id"] == authorizer_id), None)
    expected = ("COGNITO_USER_POOLS",) if kind == "COGNITO_USER_POOLS" else ("TOKEN", "REQUEST")
    if found is None or found["config"].get("type") not in expected:
        # Recorded: ``test_put_method_validation`` (missing-authorizer-id).
        raise bad_request("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                          "COGNITO_USER_POOLS requires a valid authorizer.")


def _check_models(api: Any, models: dict[str, str]) -> None:
    known = models_of(api["id"], api["config"])
    for name in models.values():
        if name not in known:
            # Recorded: ``test_put_method_validation`` (invalid-model-name).
            raise bad_request(f"Invalid model identifier specified: {name}")


def _check_validator(api: Any, validator_id: str | None) -> None:
    if validator_id and validator_id not in (api["config"].get("requestValidators") or {}):
        # Recorded: ``test_put_method_validation`` (invalid-request-validator).
        raise bad_request("Invalid Request Validator identifier specified")


@operation("PutMethod", writes=True)
async def put_method(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    api = await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)  # recorded: wrong-api
    await repo.resource(call, api_id, resource_id)
    check_verb(verb)
    config: dict[str, Any] = {"httpMethod": verb, "authorizationType": params["authorizationType"]}
    if params.get("authorizerId"):
        config["authorizerId"] = params["authorizerId"]
    config["apiKeyRequired"] = bool(params.get("apiKeyRequired", False))
    await _check_authorization(call, api_id, config)
    _check_validator(api, params.get("requestValidatorId"))
    for key in ("operationName", "requestParameters", "requestModels", "authorizationScopes", "requestValidatorId"):
        if params.get(key):
            config[key] = params[key]
    _check_models(api, config.get("requestModels", {}))
    try:
        await call.conn.execute(insert(apigw_methods).values(api_id=api_id, resource_id=resource_id,
                                                             http_method=verb, config=config, responses={}))
    except IntegrityError:
        # Wording UNCONFIRMED (moto's, and AWS CLI users' reports).
        raise conflict("Method already exists for this resource") from None
    return shapes.method({"config": config, "responses": {}}, None)


@operation("GetMethod")
async def get_method(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await repo.method(call, api_id, resource_id, verb)
    wired = (await repo.integrations(call, api_id, resource_id)).get((resource_id, verb))
    return shapes.method(row, wired)


_REPLACEABLE = ("/authorizationType", "/authorizerId", "/apiKeyRequired", "/operationName", "/requestValidatorId")


def _apply(config: dict[str, Any], patch: Patch) -> None:
    steps = patch.steps
    if patch.op == "replace" and patch.path in _REPLACEABLE:
        key = steps[0]
        if key == "apiKeyRequired":
            config[key] = boolean(patch)
        elif patch.value in (None, ""):
            config.pop(key, None)
        else:
            config[key] = str(patch.value)
        return
    if len(steps) == 2 and steps[0] in ("requestParameters", "requestModels") and patch.op in ("add", "remove",
                                                                                                  "replace"):
        values = dict(config.get(steps[0], {}))
        if patch.op == "remove":
            values.pop(steps[1], None)
        elif steps[0] == "requestParameters":
            values[steps[1]] = boolean(patch)
        else:
            values[steps[1]] = str(patch.value)
        config[steps[0]] = values
        return
    if steps[:1] == ["authorizationScopes"] and patch.op in ("add", "remove"):
        if not patch.value:
            raise bad_request("Invalid value for /authorizationScopes: it must not be empty")  # wording UNCONFIRMED
        scopes = list(config.get("authorizationScopes", []))
        if patch.op == "add" and patch.value not in scopes:
            scopes.append(str(patch.value))
        elif patch.op == "remove" and patch.value in scopes:
            scopes.remove(patch.value)
        config["authorizationScopes"] = scopes
        return
    # Recorded: ``test_update_method_validation`` (unsupported-path, wrong-path-request-parameters).
    raise invalid_patch_path(patch)


@operation("UpdateMethod", writes=True)
async def update_method(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    api = await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)  # recorded: ``test_update_method_validation``
    row = await repo.method(call, api_id, resource_id, verb)
    config = dict(row["config"])
    for patch in patches(params):
        _apply(config, patch)
    await _check_authorization(call, api_id, config)
    _check_validator(api, config.get("requestValidatorId"))
    _check_models(api, config.get("requestModels", {}))
    for key in ("requestParameters", "requestModels", "authorizationScopes"):
        if key in config and not config[key]:
            del config[key]
    await repo.save_method(call, api_id, resource_id, verb, config, row["responses"])
    wired = (await repo.integrations(call, api_id, resource_id)).get((resource_id, verb))
    return shapes.method({"config": config, "responses": row["responses"]}, wired)


@operation("DeleteMethod", writes=True)
async def delete_method(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    await repo.method(call, api_id, resource_id, verb)
    await call.conn.execute(delete(apigw_methods).where(
        apigw_methods.c.api_id == api_id, apigw_methods.c.resource_id == resource_id,
        apigw_methods.c.http_method == verb))
    return {}


def _method_response(status: str, params: dict[str, Any]) -> Shape:
    shape: Shape = {"statusCode": status}
    for key in ("responseParameters", "responseModels"):
        if params.get(key):
            shape[key] = dict(params[key])
    return shape


@operation("PutMethodResponse", writes=True)
async def put_method_response(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    api = await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await repo.method(call, api_id, resource_id, verb)
    _check_models(api, params.get("responseModels", {}))
    response = _method_response(params["statusCode"], params)
    await repo.save_method(call, api_id, resource_id, verb, row["config"],
                           {**row["responses"], params["statusCode"]: response})
    return response


async def stored_response(call: Call, params: dict[str, Any], load: Load) -> Shape:
    """Get{Method,Integration}Response: the response of ``statusCode`` kept with the row ``load`` reads."""
    api_id = params["restApiId"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await load(call, api_id, params["resourceId"], params["httpMethod"])
    response = row["responses"].get(params["statusCode"])
    if response is None:
        raise not_found(STATUS_NOT_FOUND)  # recorded: ``test_integration_response_wrong_status_code``
    return dict(response)


async def delete_stored_response(call: Call, params: dict[str, Any], load: Load, save: Save) -> Shape:
    """Delete{Method,Integration}Response: the row ``load`` reads, saved by ``save`` without ``statusCode``."""
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await load(call, api_id, resource_id, verb)
    responses = dict(row["responses"])
    if responses.pop(params["statusCode"], None) is None:
        raise not_found(STATUS_NOT_FOUND)
    await save(call, api_id, resource_id, verb, row["config"], responses)
    return {}


@operation("GetMethodResponse")
async def get_method_response(call: Call, params: dict[str, Any]) -> Shape:
    return await stored_response(call, params, repo.method)


@operation("DeleteMethodResponse", writes=True)
async def delete_method_response(call: Call, params: dict[str, Any]) -> Shape:
    return await delete_stored_response(call, params, repo.method, repo.save_method)
