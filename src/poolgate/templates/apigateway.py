"""``AWS::ApiGateway::*`` through the apigateway operations: RestApi (``Body``/``DefinitionBody`` as
ImportRestApi, then PutRestApi ``overwrite`` when it changes), Resource, Method (PutMethod, PutIntegration and
their responses), Authorizer, Deployment, Stage, GatewayResponse
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_ApiGateway.html).

A changed Resource, Method, Authorizer or Deployment is made anew, as CloudFormation replaces it; a Stage is
pointed at its new deployment and variables with UpdateStage."""

from __future__ import annotations

import json
from typing import Any

from ..errors import ServiceError
from .kinds import PropertyError, Record, Target, applies, camel, known, require
from .planes import NOT_FOUND, Planes


async def _quietly(planes: Planes, name: str, params: dict[str, Any]) -> None:
    """A delete of what an update replaces; already gone is fine."""
    try:
        await planes.apigateway(name, params)
    except ServiceError as err:
        if err.code not in NOT_FOUND:
            raise


@applies("AWS::ApiGateway::RestApi")
async def rest_api(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    known(props, {"Name", "Description", "Body", "BinaryMediaTypes", "ApiKeySourceType", "EndpointConfiguration",
                  "Policy", "MinimumCompressionSize", "FailOnWarnings", "Parameters", "Mode", "Tags",
                  "DisableExecuteApiEndpoint"})
    if "Body" in props:
        body = props["Body"] if isinstance(props["Body"], str) else json.dumps(props["Body"])
        extra = {k: v for k, v in {"failOnWarnings": props.get("FailOnWarnings"),
                                   "parameters": props.get("Parameters")}.items() if v is not None}
        if old is None:
            api = await planes.apigateway("ImportRestApi", {"body": body, **extra})
        else:
            api = await planes.apigateway("PutRestApi", {"restApiId": old.id, "mode": props.get("Mode", "overwrite"),
                                                         "body": body, **extra})
        if props.get("Name") and api.get("name") != props["Name"]:
            api = await planes.apigateway("UpdateRestApi", {"restApiId": api["id"], "patchOperations": [
                {"op": "replace", "path": "/name", "value": props["Name"]}]})
    elif old is None:
        require(props, "Name")
        params = camel({k: v for k, v in props.items() if k not in ("FailOnWarnings", "Parameters", "Mode")},
                       {"ApiKeySourceType": "apiKeySource"})
        if isinstance(params.get("policy"), dict):
            params["policy"] = json.dumps(params["policy"])
        if isinstance(params.get("tags"), list):
            params["tags"] = {tag["Key"]: tag["Value"] for tag in params["tags"]}
        api = await planes.apigateway("CreateRestApi", params)
    else:
        patches = [{"op": "replace", "path": f"/{key.lower()}", "value": str(props[key])}
                   for key in ("Name", "Description") if props.get(key) is not None]
        api = await planes.apigateway("UpdateRestApi", {"restApiId": old.id, "patchOperations": patches})
    return Record(target.type, api["id"], {"RestApiId": api["id"], "RootResourceId": api["rootResourceId"]},
                  probe=["apigateway", "GetRestApi", {"restApiId": api["id"]}])


@applies("AWS::ApiGateway::Resource")
async def resource(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "RestApiId", "ParentId", "PathPart")
    known(props, {"RestApiId", "ParentId", "PathPart"})
    if old is not None and not target.retain_replaced:
        await _quietly(planes, "DeleteResource", {"restApiId": old.attrs["RestApiId"], "resourceId": old.id})
    made = await planes.apigateway("CreateResource", camel(props))
    return Record(target.type, made["id"], {"RestApiId": props["RestApiId"], "ResourceId": made["id"]},
                  probe=["apigateway", "GetResource", {"restApiId": props["RestApiId"], "resourceId": made["id"]}])


_METHOD = {"RestApiId", "ResourceId", "HttpMethod", "AuthorizationType", "AuthorizerId", "ApiKeyRequired",
           "AuthorizationScopes", "OperationName", "RequestParameters", "RequestModels", "RequestValidatorId",
           "Integration", "MethodResponses"}
_INTEGRATION_RENAMES = {"IntegrationHttpMethod": "integrationHttpMethod"}


@applies("AWS::ApiGateway::Method")
async def method(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "RestApiId", "ResourceId", "HttpMethod")
    known(props, _METHOD)
    key = {"restApiId": props["RestApiId"], "resourceId": props["ResourceId"],
           "httpMethod": str(props["HttpMethod"]).upper()}
    if old is not None:
        await _quietly(planes, "DeleteMethod", {"restApiId": old.attrs["RestApiId"],
                                                "resourceId": old.attrs["ResourceId"],
                                                "httpMethod": old.attrs["HttpMethod"]})
    method_params = camel({k: v for k, v in props.items() if k not in ("Integration", "MethodResponses",
                                                                         "HttpMethod", "RestApiId", "ResourceId")})
    method_params.setdefault("authorizationType", "NONE")
    await planes.apigateway("PutMethod", {**key, **method_params})
    for response in props.get("MethodResponses") or []:
        if not isinstance(response, dict) or "StatusCode" not in response:
            raise PropertyError("MethodResponses", "each method response has a StatusCode")
        await planes.apigateway("PutMethodResponse", {**key, **camel(response)})
    integration = props.get("Integration")
    if integration is not None:
        if not isinstance(integration, dict) or "Type" not in integration:
            raise PropertyError("Integration", "an integration has a Type")
        responses = integration.get("IntegrationResponses") or []
        params = camel({k: v for k, v in integration.items() if k != "IntegrationResponses"}, _INTEGRATION_RENAMES)
        await planes.apigateway("PutIntegration", {**key, **params})
        for response in responses:
            await planes.apigateway("PutIntegrationResponse", {**key, **camel(response)})
    attrs = {"RestApiId": key["restApiId"], "ResourceId": key["resourceId"], "HttpMethod": key["httpMethod"]}
    return Record(target.type, f"{key['resourceId']}/{key['httpMethod']}", attrs,
                  probe=["apigateway", "GetMethod", key])


@applies("AWS::ApiGateway::Authorizer")
async def authorizer(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "RestApiId", "Type")
    known(props, {"RestApiId", "Name", "Type", "ProviderARNs", "IdentitySource", "AuthorizerUri", "AuthType",
                  "AuthorizerCredentials", "AuthorizerResultTtlInSeconds", "IdentityValidationExpression"})
    params = camel(props)
    params.setdefault("name", target.logical)
    if old is not None:
        patches = [{"op": "replace", "path": f"/{name}", "value": str(value)} for name, value in params.items()
                   if name not in ("restApiId", "providerARNs", "type")]
        try:
            await planes.apigateway("UpdateAuthorizer", {"restApiId": old.attrs["RestApiId"], "authorizerId": old.id,
                                                         "patchOperations": patches})
            made = {"id": old.id}
        except ServiceError as err:
            if err.code not in NOT_FOUND:
                raise
            made = await planes.apigateway("CreateAuthorizer", params)
    else:
        made = await planes.apigateway("CreateAuthorizer", params)
    return Record(target.type, made["id"], {"RestApiId": props["RestApiId"], "AuthorizerId": made["id"]},
                  probe=["apigateway", "GetAuthorizer", {"restApiId": props["RestApiId"], "authorizerId": made["id"]}])


@applies("AWS::ApiGateway::Deployment")
async def deployment(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "RestApiId")
    known(props, {"RestApiId", "Description", "StageName", "StageDescription"})
    params: dict[str, Any] = {"restApiId": props["RestApiId"]}
    if props.get("Description"):
        params["description"] = props["Description"]
    if props.get("StageName"):
        params["stageName"] = props["StageName"]
    stage = props.get("StageDescription") or {}
    if isinstance(stage, dict):
        if stage.get("Description"):
            params["stageDescription"] = stage["Description"]
        if stage.get("Variables"):
            params["variables"] = stage["Variables"]
    made = await planes.apigateway("CreateDeployment", params)
    return Record(target.type, made["id"], {"RestApiId": props["RestApiId"], "DeploymentId": made["id"]},
                  probe=["apigateway", "GetDeployment", {"restApiId": props["RestApiId"], "deploymentId": made["id"]}])


@applies("AWS::ApiGateway::Stage")
async def stage(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "RestApiId", "DeploymentId")
    known(props, {"RestApiId", "StageName", "DeploymentId", "Description", "Variables", "MethodSettings",
                  "TracingEnabled", "CacheClusterEnabled", "CacheClusterSize", "Tags", "AccessLogSetting"})
    api_id, name = props["RestApiId"], props.get("StageName") or target.logical
    key = {"restApiId": api_id, "stageName": name}
    try:
        current = await planes.apigateway("GetStage", key)
    except ServiceError as err:
        if err.code not in NOT_FOUND:
            raise
        current = None
    variables = {k: str(v) for k, v in (props.get("Variables") or {}).items()}
    if current is None:
        params: dict[str, Any] = {**key, "deploymentId": props["DeploymentId"]}
        if props.get("Description"):
            params["description"] = props["Description"]
        if variables:
            params["variables"] = variables
        await planes.apigateway("CreateStage", params)
    else:  # made by a Deployment's StageName, or changed: point it at the template's deployment and variables
        patches = [{"op": "replace", "path": "/deploymentId", "value": props["DeploymentId"]}]
        if props.get("Description") is not None:
            patches.append({"op": "replace", "path": "/description", "value": props["Description"]})
        for gone in set(current.get("variables") or {}) - set(variables):
            patches.append({"op": "remove", "path": f"/variables/{gone}"})
        patches += [{"op": "replace", "path": f"/variables/{k}", "value": v} for k, v in variables.items()]
        await planes.apigateway("UpdateStage", {**key, "patchOperations": patches})
    return Record(target.type, name, {"RestApiId": api_id}, probe=["apigateway", "GetStage", key])


@applies("AWS::ApiGateway::GatewayResponse")
async def gateway_response(planes: Planes, target: Target, props: dict[str, Any], old: Record | None) -> Record:
    require(props, "RestApiId", "ResponseType")
    known(props, {"RestApiId", "ResponseType", "StatusCode", "ResponseParameters", "ResponseTemplates"})
    params = camel(props)
    await planes.apigateway("PutGatewayResponse", params)
    return Record(target.type, f"{props['RestApiId']}/{props['ResponseType']}", {}, probe=None)
