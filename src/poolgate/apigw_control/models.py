"""Models and request validators, stored and returned (poolgate's data plane validates no requests yet):
CreateModel, GetModel(s), UpdateModel, DeleteModel, CreateRequestValidator, GetRequestValidator(s),
UpdateRequestValidator, DeleteRequestValidator. Methods may name them (``requestModels``,
``requestValidatorId``). Every API has the ``Empty`` and ``Error`` models from its creation, as on AWS.

Kept in the API's row (``config["models"]`` by name, ``config["requestValidators"]`` by id). Shapes and words
recorded from AWS: localstack tests/aws/services/apigateway/test_apigateway_api.snapshot.json
(``test_model_lifecycle``, ``test_model_validation``, ``test_update_model``, ``test_put_method_model``,
``test_request_validator_lifecycle``, ``test_validators_crud_no_api``,
``test_invalid_update_request_validator_operations``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update

from ..errors import ServiceError
from ..store.sql.tables import apigw_rest_apis
from . import repo
from .patch import boolean, invalid_path, patches, unsupported_op
from .registry import Call, Shape, bad_request, conflict, listing, not_found, operation, page

_DRAFT4 = "http://json-schema.org/draft-04/schema#"
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _default_models(api_id: str) -> dict[str, dict[str, Any]]:
    def stable_id(name: str) -> str:
        number = int.from_bytes(hashlib.sha256(f"{api_id}/{name}".encode()).digest()[:8], "big")
        return "".join(_ALNUM[(number >> (6 * index)) % 36] for index in range(6))

    return {
        "Empty": {"id": stable_id("Empty"), "name": "Empty", "description": "This is a default empty schema model",
                  "schema": json.dumps({"$schema": _DRAFT4, "title": "Empty Schema", "type": "object"}),
                  "contentType": "application/json"},
        "Error": {"id": stable_id("Error"), "name": "Error", "description": "This is a default error schema model",
                  "schema": json.dumps({"$schema": _DRAFT4, "title": "Error Schema", "type": "object",
                                        "properties": {"message": {"type": "string"}}}),
                  "contentType": "application/json"},
    }


def models_of(api_id: str, config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The API's models by name (the defaults unless deleted: a deleted default is stored as None)."""
    stored = config.get("models") or {}
    merged = {**_default_models(api_id), **stored}
    return {name: model for name, model in merged.items() if model is not None}


async def _save(call: Call, api_id: str, config: dict[str, Any], key: str, value: Any) -> None:
    config[key] = value
    await call.conn.execute(update(apigw_rest_apis).where(apigw_rest_apis.c.id == api_id).values(config=config))


def _check_schema(schema: Any) -> None:
    parsed: Any = None
    if isinstance(schema, str) and schema.strip():
        try:
            parsed = json.loads(schema)
        except ValueError:
            parsed = schema
    if not parsed:
        raise bad_request("Model schema must have at least 1 property or array items defined")


@operation("CreateModel", writes=True)
async def create_model(call: Call, params: dict[str, Any]) -> Shape:
    api_id, name = params["restApiId"], params.get("name") or ""
    row = await repo.api_row(call, api_id)
    if not name:
        raise bad_request("Model name must be non-empty")
    _check_schema(params.get("schema"))
    config = dict(row["config"])
    if name in models_of(api_id, config):
        raise conflict("Model name already exists for this REST API")
    model = {"id": call.new_id(6), "name": name, "schema": params["schema"], "contentType": params["contentType"]}
    if params.get("description"):
        model["description"] = params["description"]
    await _save(call, api_id, config, "models", {**(config.get("models") or {}), name: model})
    return dict(model)


def _model(api_id: str, config: Mapping[str, Any], name: str) -> dict[str, Any]:
    model = models_of(api_id, config).get(name)
    if model is None:
        raise not_found(f"Invalid model name specified: {name}")
    return model


@operation("GetModel")
async def get_model(call: Call, params: dict[str, Any]) -> Shape:
    row = await repo.api_row(call, params["restApiId"])
    return dict(_model(row["id"], row["config"], params["modelName"]))


@operation("GetModels")
async def get_models(call: Call, params: dict[str, Any]) -> Shape:
    row = await repo.api_row(call, params["restApiId"])
    models = sorted(models_of(row["id"], row["config"]).values(), key=lambda model: model["name"])
    chunk, position = page(models, lambda model: model["id"], params)
    return listing([dict(model) for model in chunk], position)


@operation("UpdateModel", writes=True)
async def update_model(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    row = await repo.api_row(call, api_id)
    config = dict(row["config"])
    model = dict(_model(api_id, config, params["modelName"]))
    for patch in patches(params):
        if patch.op != "replace":
            raise unsupported_op(patch)
        if patch.path not in ("/description", "/schema"):
            raise invalid_path(patch, ["/description", "/schema"])
        if patch.path == "/schema":
            _check_schema(patch.value)
        model[patch.path[1:]] = patch.value
    await _save(call, api_id, config, "models", {**(config.get("models") or {}), model["name"]: model})
    return model


def _method_using(call_methods: dict[str, dict[str, Any]], paths: dict[str, str], name: str) -> str | None:
    for resource_id, verbs in call_methods.items():
        for verb, method in sorted(verbs.items()):
            if name in (method["config"].get("requestModels") or {}).values():
                path = paths.get(resource_id, "")
                return f"//{verb}" if path == "/" else f"{path}/{verb}"
    return None


@operation("DeleteModel", writes=True)
async def delete_model(call: Call, params: dict[str, Any]) -> Shape:
    api_id, name = params["restApiId"], params["modelName"]
    row = await repo.api_row(call, api_id)
    config = dict(row["config"])
    _model(api_id, config, name)
    paths = {resource["id"]: resource["path"] for resource in await repo.resources(call, api_id)}
    used = _method_using(dict(await repo.methods(call, api_id)), paths, name)
    if used is not None:
        # Recorded: ``test_put_method_model`` (delete-model-used: "…referenced in method request: //ANY").
        raise conflict(f"Cannot delete model '{name}', is referenced in method request: {used}")
    stored = dict(config.get("models") or {})
    if name in _default_models(api_id):
        stored[name] = None
    else:
        stored.pop(name, None)
    await _save(call, api_id, config, "models", stored)
    return {}


# -- request validators ------------------------------------------------------------------------------------

def _validator(config: Mapping[str, Any], validator_id: str) -> dict[str, Any]:
    found = (config.get("requestValidators") or {}).get(validator_id)
    if found is None:
        raise not_found("Invalid Request Validator identifier specified")
    return dict(found)


@operation("CreateRequestValidator", writes=True)
async def create_request_validator(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    try:
        row = await repo.api_row(call, api_id)
    except ServiceError:
        # AWS quirk, recorded: ``test_validators_crud_no_api`` (wrong-rest-api-id-create-validator).
        raise bad_request("Invalid REST API identifier specified") from None
    config = dict(row["config"])
    validator = {"id": call.new_id(6), "name": params.get("name") or "",
                 "validateRequestBody": bool(params.get("validateRequestBody", False)),
                 "validateRequestParameters": bool(params.get("validateRequestParameters", False))}
    await _save(call, api_id, config, "requestValidators",
                {**(config.get("requestValidators") or {}), validator["id"]: validator})
    return validator


@operation("GetRequestValidator")
async def get_request_validator(call: Call, params: dict[str, Any]) -> Shape:
    row = await repo.api_row(call, params["restApiId"])
    return _validator(row["config"], params["requestValidatorId"])


@operation("GetRequestValidators")
async def get_request_validators(call: Call, params: dict[str, Any]) -> Shape:
    row = await repo.api_row(call, params["restApiId"])
    validators = sorted((row["config"].get("requestValidators") or {}).values(), key=lambda item: item["id"])
    chunk, position = page(validators, lambda item: item["id"], params)
    return listing([dict(item) for item in chunk], position)


_VALIDATOR_PATHS = ["/name", "/validateRequestParameters", "/validateRequestBody"]


@operation("UpdateRequestValidator", writes=True)
async def update_request_validator(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    row = await repo.api_row(call, api_id)
    config = dict(row["config"])
    validator = _validator(config, params["requestValidatorId"])
    for patch in patches(params):
        if patch.path not in _VALIDATOR_PATHS:
            raise invalid_path(patch, _VALIDATOR_PATHS)
        if patch.op != "replace":
            raise unsupported_op(patch)
        if patch.path == "/name":
            if not patch.value:
                raise bad_request("Request Validator name cannot be blank")  # recorded
            validator["name"] = str(patch.value)
        else:  # recorded: a replace without a value sets false (update-request-validator-without-value)
            validator[patch.path[1:]] = boolean(patch) if patch.value is not None else False
    await _save(call, api_id, config, "requestValidators",
                {**(config.get("requestValidators") or {}), validator["id"]: validator})
    return validator


@operation("DeleteRequestValidator", writes=True)
async def delete_request_validator(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    row = await repo.api_row(call, api_id)
    config = dict(row["config"])
    validator = _validator(config, params["requestValidatorId"])
    validators = dict(config.get("requestValidators") or {})
    del validators[validator["id"]]
    await _save(call, api_id, config, "requestValidators", validators)
    return {}
