"""GetExport: a stage's deployment as an OpenAPI 3 (``oas30``) or Swagger 2 (``swagger``) document, JSON or YAML
(``Accept: application/yaml``), with API Gateway's extensions when ``parameters={"extensions": "apigateway"}``
(also ``integrations`` / ``authorizers``, which AWS documents as the same set here). The document is what
``apigw/openapi.py`` imports, so an export re-imported serves the same
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-export-api.html).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import yaml

from ..apigw import snapshot as snapshots
from . import repo
from .registry import PAYLOAD, Call, Shape, bad_request, operation

_X = "x-amazon-apigateway-"
_VERB_KEYS = {"ANY": f"{_X}any-method"}
_LOCATIONS = {"path": "path", "querystring": "query", "header": "header"}
_PARAMETER = re.compile(r"^method\.request\.(path|querystring|header)\.(.+)$")


def _scheme(authorizer: dict[str, Any]) -> dict[str, Any]:
    kind = authorizer["type"]
    source = authorizer.get("identitySource") or ""
    header = source.removeprefix("method.request.header.") if kind != "REQUEST" else "Unused"
    spec: dict[str, Any] = {"type": "apiKey", "name": header, "in": "header",
                            f"{_X}authtype": "cognito_user_pools" if kind == "COGNITO_USER_POOLS" else "custom"}
    inner: dict[str, Any] = {"type": kind.lower()}
    for key in ("providerARNs", "authorizerUri", "authorizerCredentials", "identityValidationExpression",
                "authorizerResultTtlInSeconds"):
        if authorizer.get(key) is not None:
            inner[key] = authorizer[key]
    if kind == "REQUEST" and source:
        inner["identitySource"] = source
    spec[f"{_X}authorizer"] = inner
    if authorizer.get(snapshots.REJECT_REVOKED):
        spec["x-poolgate-reject-revoked-tokens"] = True
    return spec


def _integration(config: dict[str, Any], responses: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": config["type"].lower()}
    for key in ("httpMethod", "uri", "connectionType", "requestParameters", "requestTemplates",
                "passthroughBehavior", "timeoutInMillis", "contentHandling", "cacheNamespace", "cacheKeyParameters"):
        if config.get(key) not in (None, {}, []):
            spec[key] = config[key]
    if responses:
        spec["responses"] = {}
        for status, response in responses.items():
            entry = {key: value for key, value in response.items() if key not in ("selectionPattern",)}
            spec["responses"][response.get("selectionPattern") or "default"] = {**entry, "statusCode": status}
    return spec


def _operation(spec: dict[str, Any], names: dict[str, str], extensions: bool, version: int) -> dict[str, Any]:
    method = spec["method"]
    operation: dict[str, Any] = {}
    parameters = []
    for key, required in sorted(method.get("requestParameters", {}).items()):
        found = _PARAMETER.match(key)
        if found:
            parameter: dict[str, Any] = {"name": found.group(2), "in": _LOCATIONS[found.group(1)],
                                         "required": bool(required) or found.group(1) == "path"}
            if version == 3:
                parameter["schema"] = {"type": "string"}
            else:
                parameter["type"] = "string"
            parameters.append(parameter)
    if parameters:
        operation["parameters"] = parameters
    operation["responses"] = {status: {"description": f"{status} response"}
                              for status in sorted(spec.get("responses", {}))}
    security = []
    kind = method.get("authorizationType", "NONE")
    if kind in ("COGNITO_USER_POOLS", "CUSTOM") and method.get("authorizerId") in names:
        security.append({names[method["authorizerId"]]: list(method.get("authorizationScopes", []))})
    elif kind == "AWS_IAM":
        security.append({"sigv4": []})
    if method.get("apiKeyRequired"):
        security.append({"api_key": []})
    if security:
        operation["security"] = security
    if extensions and spec.get("integration") is not None:
        operation[f"{_X}integration"] = _integration(spec["integration"], spec.get("integrationResponses", {}))
    return operation


def document(snapshot: dict[str, Any], export_type: str, extensions: bool, server: str, stage: str,
             created: float) -> dict[str, Any]:
    api = snapshot["api"]
    version = 3 if export_type == "oas30" else 2
    names = {item["id"]: item["name"] for item in snapshot["authorizers"]}
    when = datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    info = {"title": api.get("name", ""), "version": when}
    if api.get("description"):
        info["description"] = api["description"]
    doc: dict[str, Any] = {"openapi": "3.0.1", "info": info} if version == 3 else {"swagger": "2.0", "info": info}
    if version == 3:
        doc["servers"] = [{"url": f"{server}/{{basePath}}", "variables": {"basePath": {"default": stage}}}]
    else:
        host, _, _ = server.removeprefix("http://").removeprefix("https://").partition("/")
        doc.update(host=host, basePath=f"/{stage}", schemes=["http"])
    paths: dict[str, Any] = {}
    for item in snapshot["resources"]:
        if item["methods"]:
            paths[item["path"]] = {_VERB_KEYS.get(verb, verb.lower()): _operation(spec, names, extensions, version)
                                   for verb, spec in sorted(item["methods"].items())}
    doc["paths"] = paths
    schemes: dict[str, Any] = {}
    used = json.dumps(paths)
    for item in snapshot["authorizers"]:
        if extensions:
            schemes[item["name"]] = _scheme(item)
    if '"api_key"' in used:
        schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    if '"sigv4"' in used:
        schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header", f"{_X}authtype": "awsSigv4"}
    if schemes:
        if version == 3:
            doc["components"] = {"securitySchemes": schemes}
        else:
            doc["securityDefinitions"] = schemes
    if extensions:
        if api.get("apiKeySource", "HEADER") != "HEADER":
            doc[f"{_X}api-key-source"] = api["apiKeySource"]
        if api.get("binaryMediaTypes"):
            doc[f"{_X}binary-media-types"] = list(api["binaryMediaTypes"])
        if api.get("policy") is not None:
            doc[f"{_X}policy"] = api["policy"]
        if api.get(snapshots.GATEWAY_RESPONSES):
            doc[f"{_X}gateway-responses"] = {
                kind: {key: value for key, value in spec.items() if value not in (None, {})}
                for kind, spec in api[snapshots.GATEWAY_RESPONSES].items()}
    return doc


@operation("GetExport")
async def get_export(call: Call, params: dict[str, Any]) -> Shape:
    api_id, export_type = params["restApiId"], params["exportType"]
    row = await repo.api_row(call, api_id)
    stage = await repo.stage(call, api_id, params["stageName"])
    if export_type not in ("oas30", "swagger"):
        raise bad_request(f"Invalid export type specified: {export_type}. Supported: oas30, swagger")  # UNCONFIRMED
    deployment = await repo.deployment(call, api_id, stage["deployment_id"])
    wanted = (params.get("parameters") or {}).get("extensions", "")
    extensions = any(part.strip() in ("apigateway", "integrations", "authorizers") for part in wanted.split(","))
    server = f"{call.services.settings.base_url}/restapis/{row['id']}"
    doc = document(deployment["snapshot"], export_type, extensions, server, stage["name"], deployment["created"])
    accepts = (params.get("accepts") or "application/json").lower()
    extension = "yaml" if "yaml" in accepts else "json"
    body = (yaml.safe_dump(doc, sort_keys=False) if extension == "yaml" else json.dumps(doc, indent=2)).encode()
    kind = "oas30" if export_type == "oas30" else "swagger"
    return {PAYLOAD: body, "contentType": f"application/{extension}",
            "Content-Disposition": f'attachment; filename="{kind}_{stage["created"]:.0f}.{extension}"'}
