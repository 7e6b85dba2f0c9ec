"""Integrations and integration responses: PutIntegration, GetIntegration, UpdateIntegration, DeleteIntegration,
PutIntegrationResponse, GetIntegrationResponse, DeleteIntegrationResponse.

Recorded words and shapes: localstack tests/aws/services/apigateway/test_apigateway_integrations.snapshot.json
(``test_put_integration_validation``) and test_apigateway_lambda.snapshot.json
(``test_put_integration_aws_proxy_uri``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import insert

from ..store.sql.tables import apigw_integrations
from . import repo, shapes
from .methods import HTTP_METHODS, delete_stored_response, stored_response
from .patch import Patch, integer, invalid_patch_path, patches
from .registry import RESOURCE_NOT_FOUND, Call, Shape, bad_request, operation

TYPES = ("HTTP", "HTTP_PROXY", "AWS", "AWS_PROXY", "MOCK")
_NEEDS_HTTP_METHOD = ("HTTP", "HTTP_PROXY", "AWS")
_HTTP_URI = re.compile(r"^(?:https?://|\$\{stageVariables\.[A-Za-z0-9_]+\})")
_AWS_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[^:]*:(?P<service>[^:]+):(?:path|action)/")
_MIN_TIMEOUT, _MAX_TIMEOUT = 50, 29000


def _check(config: dict[str, Any]) -> None:
    kind, uri = config["type"], config.get("uri")
    if kind in _NEEDS_HTTP_METHOD and not config.get("httpMethod"):
        # Recorded: ``test_put_integration_validation`` (required-integration-method-HTTP).
        raise bad_request("Enumeration value for HttpMethod must be non-empty")
    if config.get("httpMethod") and config["httpMethod"] not in HTTP_METHODS:
        raise bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY")
    if kind in ("HTTP", "HTTP_PROXY") and (not uri or not _HTTP_URI.match(uri)):
        raise bad_request("Invalid HTTP endpoint specified for URI")  # recorded: invalid-uri-HTTP
    if kind in ("AWS", "AWS_PROXY"):
        if not uri or not uri.startswith("arn:"):
            raise bad_request("Invalid ARN specified in the request")  # recorded: invalid-uri-not-an-arn
        found = _AWS_URI.match(uri)
        if found is None:
            # Recorded: invalid-uri-invalid-arn; and a bare Lambda ARN (``put-integration-lambda-uri``).
            raise bad_request("AWS ARN for integration must contain path or action")
        if kind == "AWS_PROXY" and found.group("service") not in ("lambda", "firehose"):
            # Recorded: test_apigateway_dynamodb.snapshot.json ``test_error_aws_proxy_not_supported``.
            raise bad_request("Integrations of type 'AWS_PROXY' currently only supports Lambda function and "
                              "Firehose stream invocations.")
    timeout = config.get("timeoutInMillis", _MAX_TIMEOUT)
    if not _MIN_TIMEOUT <= timeout <= _MAX_TIMEOUT:
        # Wording UNCONFIRMED.
        raise bad_request(f"Timeout should be between {_MIN_TIMEOUT} ms and {_MAX_TIMEOUT} ms")


def _config(resource_id: str, params: dict[str, Any]) -> dict[str, Any]:
    kind = params["type"]
    config: dict[str, Any] = {"type": kind}
    http_method = params.get("integrationHttpMethod")
    if kind == "AWS_PROXY" and not http_method:
        http_method = "POST"
    if http_method and kind != "MOCK":
        config["httpMethod"] = http_method
    if params.get("uri") and kind != "MOCK":
        config["uri"] = params["uri"]
    if kind in ("HTTP", "HTTP_PROXY"):
        config["connectionType"] = params.get("connectionType", "INTERNET")
    for key in ("connectionId", "credentials", "requestParameters", "requestTemplates", "contentHandling",
                "tlsConfig"):
        if params.get(key):
            config[key] = params[key]
    config["passthroughBehavior"] = params.get("passthroughBehavior", "WHEN_NO_MATCH")
    config["timeoutInMillis"] = params.get("timeoutInMillis", _MAX_TIMEOUT)
    config["cacheNamespace"] = params.get("cacheNamespace") or resource_id
    config["cacheKeyParameters"] = list(params.get("cacheKeyParameters", []))
    return config


@operation("PutIntegration", writes=True)
async def put_integration(call: Call, params: dict[str, Any]) -> Shape:
    """Creates or replaces the method's integration (and drops the replaced one's responses, as AWS does)."""
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    await repo.method(call, api_id, resource_id, verb)
    config = _config(resource_id, params)
    _check(config)
    await repo.delete_integration(call, api_id, resource_id, verb)
    await call.conn.execute(insert(apigw_integrations).values(api_id=api_id, resource_id=resource_id,
                                                              http_method=verb, config=config, responses={}))
    return shapes.integration({"config": config, "responses": {}})


@operation("GetIntegration")
async def get_integration(call: Call, params: dict[str, Any]) -> Shape:
    api_id = params["restApiId"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    return shapes.integration(await repo.integration(call, api_id, params["resourceId"], params["httpMethod"]))


_REPLACEABLE = ("/uri", "/httpMethod", "/timeoutInMillis", "/passthroughBehavior", "/contentHandling",
                "/connectionType", "/connectionId", "/credentials", "/cacheNamespace")


def _apply(config: dict[str, Any], patch: Patch) -> None:
    steps = patch.steps
    if patch.op == "replace" and patch.path in _REPLACEABLE:
        key = steps[0]
        if key == "timeoutInMillis":
            config[key] = integer(patch)
        elif patch.value in (None, ""):
            config.pop(key, None)
        else:
            config[key] = str(patch.value)
        return
    if len(steps) == 2 and steps[0] in ("requestParameters", "requestTemplates") and patch.op in (
            "add", "remove", "replace"):
        values = dict(config.get(steps[0], {}))
        if patch.op == "remove":
            values.pop(steps[1], None)
        else:
            values[steps[1]] = str(patch.value)
        config[steps[0]] = values
        if not values:
            del config[steps[0]]
        return
    if steps[:1] == ["cacheKeyParameters"] and patch.op in ("add", "remove"):
        keys = [key for key in config.get("cacheKeyParameters", []) if key != patch.value]
        config["cacheKeyParameters"] = keys + ([str(patch.value)] if patch.op == "add" else [])
        return
    raise invalid_patch_path(patch)  # wording as UpdateMethod's (recorded); for integrations UNCONFIRMED


@operation("UpdateIntegration", writes=True)
async def update_integration(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await repo.integration(call, api_id, resource_id, verb)
    config = dict(row["config"])
    for patch in patches(params):
        _apply(config, patch)
    _check(config)
    await repo.save_integration(call, api_id, resource_id, verb, config, row["responses"])
    return shapes.integration({"config": config, "responses": row["responses"]})


@operation("DeleteIntegration", writes=True)
async def delete_integration(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    await repo.integration(call, api_id, resource_id, verb)
    await repo.delete_integration(call, api_id, resource_id, verb)
    return {}


@operation("PutIntegrationResponse", writes=True)
async def put_integration_response(call: Call, params: dict[str, Any]) -> Shape:
    api_id, resource_id, verb = params["restApiId"], params["resourceId"], params["httpMethod"]
    await repo.api_row(call, api_id, missing=RESOURCE_NOT_FOUND)
    row = await repo.integration(call, api_id, resource_id, verb)
    status = params["statusCode"]
    response: Shape = {"statusCode": status}
    for key in ("selectionPattern", "responseParameters", "responseTemplates", "contentHandling"):
        if params.get(key) is not None and params.get(key) != {}:
            response[key] = params[key]
    await repo.save_integration(call, api_id, resource_id, verb, row["config"], {**row["responses"], status: response})
    return response


@operation("GetIntegrationResponse")
async def get_integration_response(call: Call, params: dict[str, Any]) -> Shape:
    return await stored_response(call, params, repo.integration)


@operation("DeleteIntegrationResponse", writes=True)
async def delete_integration_response(call: Call, params: dict[str, Any]) -> Shape:
    return await delete_stored_response(call, params, repo.integration, repo.save_integration)
