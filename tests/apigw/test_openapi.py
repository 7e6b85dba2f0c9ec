"""OpenAPI 3 / Swagger 2 import with API Gateway's extensions (unit tests, no server)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from poolgate.apigw.openapi import load_openapi
from poolgate.apigw.stages import apply_stages
from poolgate.apigw.uris import expand_policy_resources, lambda_function_name, lambda_invocation_uri
from poolgate.apigw.yamlapi import load_yaml_api
from poolgate.config import ConfigError

from .models import ACCOUNT, DATA, REGION, inline_spec, normalized

PETS_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:000000000000:function:pets/invocations")


def load(name: str, api_id: str | None = "securepets") -> Any:
    return load_openapi(DATA / name, api_id=api_id, region=REGION, account=ACCOUNT)


# -- the petstore, three ways ---------------------------------------------------------------------------------

def test_openapi3_swagger2_and_inline_yaml_give_the_same_model() -> None:
    oas3, swagger2 = load("petstore-oas3.yaml"), load("petstore-swagger2.json")
    spec = inline_spec()
    inline = load_yaml_api(spec, file="poolgate.yaml", path="$.apis[0]", base_dir=DATA, region=REGION,
                           account=ACCOUNT)
    for api in (oas3, swagger2):
        apply_stages(api, spec["stages"], "poolgate.yaml", "$.apis[0].stages")
    assert normalized(oas3) == normalized(inline)
    assert normalized(swagger2) == normalized(inline)


def test_every_path_and_ancestor_is_a_resource_with_aws_shaped_ids() -> None:
    api = load("petstore-oas3.yaml", api_id=None)
    assert re.fullmatch(r"[a-z0-9]{10}", api.id)
    assert set(api.resources) == {"/", "/pets", "/pets/{petId}", "/purchase", "/files", "/files/{proxy+}",
                                  "/legacy", "/legacy/{id}", "/reports", "/admin", "/health"}
    ids = [resource.id for resource in api.resources.values()]
    assert all(re.fullmatch(r"[a-z0-9]{6}", rid) for rid in ids) and len(set(ids)) == len(ids)
    assert api.resources["/files"].methods == {}
    assert set(api.resources["/files/{proxy+}"].methods) == {"ANY"}


def test_cognito_security_id_token_scopes_api_key_and_defaults() -> None:
    api = load("petstore-oas3.yaml")
    pool = api.authorizer_by_name("PetsPool")
    assert pool is not None and pool.type == "COGNITO_USER_POOLS"
    assert pool.provider_arns == ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_SecurePet"]
    assert pool.identity_source == "method.request.header.Authorization"
    pets = api.resources["/pets"].methods["GET"]  # top-level security applies
    assert (pets.authorization_type, pets.authorizer_id, pets.authorization_scopes) == (
        "COGNITO_USER_POOLS", pool.id, [])
    pet = api.resources["/pets/{petId}"].methods["GET"]
    assert pet.authorization_scopes == ["pets/read"]
    purchase = api.resources["/purchase"].methods["POST"]
    assert purchase.api_key_required and purchase.authorizer_id == pool.id
    preflight = api.resources["/purchase"].methods["OPTIONS"]  # security: [] opts out
    assert (preflight.authorization_type, preflight.authorizer_id) == ("NONE", None)
    assert api.resources["/admin"].methods["DELETE"].authorization_type == "AWS_IAM"


def test_lambda_authorizers() -> None:
    api = load("petstore-oas3.yaml")
    token, request = api.authorizer_by_name("TokenAuth"), api.authorizer_by_name("RequestAuth")
    assert token is not None and request is not None
    assert (token.type, token.identity_source, token.authorizer_result_ttl_in_seconds) == (
        "TOKEN", "method.request.header.X-Token", 60)
    assert token.identity_validation_expression == "^Bearer [-0-9a-zA-Z._]+$"
    assert lambda_function_name(token.authorizer_uri or "") == "auth"
    assert (request.type, request.identity_source) == (
        "REQUEST", "method.request.header.X-Tenant, method.request.querystring.key")
    assert api.resources["/legacy/{id}"].methods["GET"].authorization_type == "CUSTOM"


def test_integrations_and_mocks() -> None:
    api = load("petstore-oas3.yaml")
    pets = api.resources["/pets"].methods["GET"].integration
    assert pets is not None and (pets.type, pets.uri, pets.http_method) == ("AWS_PROXY", PETS_URI, "POST")
    files = api.resources["/files/{proxy+}"].methods["ANY"]
    assert files.integration is not None and files.integration.timeout_in_millis == 5000
    assert files.request_parameters == {"method.request.path.proxy": True}
    legacy = api.resources["/legacy/{id}"].methods["GET"]
    assert legacy.request_parameters == {"method.request.path.id": True, "method.request.header.X-Trace": True}
    assert legacy.integration is not None
    assert legacy.integration.request_parameters["integration.request.querystring.source"] == "'poolgate'"
    health = api.resources["/health"].methods["GET"].integration
    assert health is not None and health.mock is not None
    assert (health.mock.status_code, health.mock.body) == (200, '{"ok":true}')
    assert health.mock.headers == {"Cache-Control": "no-store", "Content-Type": "application/json"}
    preflight = api.resources["/pets"].methods["OPTIONS"].integration
    assert preflight is not None and preflight.mock is not None
    assert preflight.mock.headers["Access-Control-Allow-Origin"] == "*"


def test_api_level_extensions() -> None:
    api = load("petstore-oas3.yaml")
    assert api.api_key_source == "HEADER"
    assert api.binary_media_types == ["image/png", "application/octet-stream"]
    assert api.gateway_responses["DEFAULT_4XX"].response_parameters == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    assert api.gateway_responses["UNAUTHORIZED"].status_code == 401
    assert api.policy is not None
    assert api.policy["Statement"][0]["Resource"] == "arn:aws:execute-api:us-east-1:000000000000:securepets/*"
    assert api.policy["Statement"][1]["Resource"] == [
        "arn:aws:execute-api:us-east-1:000000000000:securepets/*/DELETE/admin"]


def test_mock_picks_the_response_matching_the_request_template_status(tmp_path: Path) -> None:
    doc = minimal()
    doc["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"] = {
        "type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 404}'},
        "responses": {"default": {"statusCode": "200"},
                      "4\\d{2}": {"statusCode": "404", "responseTemplates": {"text/plain": "no pets"}}}}
    mock = write_and_load(tmp_path, doc).resources["/pets"].methods["GET"].integration.mock
    assert (mock.status_code, mock.body, mock.headers) == (404, "no pets", {"Content-Type": "text/plain"})


def test_uris() -> None:
    assert lambda_invocation_uri("pets", REGION, ACCOUNT) == PETS_URI
    assert lambda_function_name(PETS_URI) == "pets"
    assert lambda_function_name(PETS_URI.replace(":pets/", ":pets:live/")) == "pets"
    staged = PETS_URI.replace(":pets/", ":${stageVariables.fn}/")
    assert lambda_function_name(staged) == "${stageVariables.fn}"
    assert lambda_function_name("arn:aws:lambda:us-east-1:000000000000:function:pets") == "pets"
    assert lambda_function_name("pets") == "pets"
    assert lambda_function_name("http://127.0.0.1:9000/pets") is None
    assert lambda_function_name("arn:aws:apigateway:us-east-1:s3:path/bucket") is None
    policy = {"Statement": [{"Effect": "Allow", "Resource": "execute-api:/prod/GET/pets"}]}
    assert expand_policy_resources(policy, REGION, ACCOUNT, "abc")["Statement"][0]["Resource"] == (
        "arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/pets")
    assert policy["Statement"][0]["Resource"] == "execute-api:/prod/GET/pets"  # not modified in place


# -- refusals ---------------------------------------------------------------------------------------------------

def minimal() -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "info": {"title": "Pets"},
        "components": {"securitySchemes": {
            "Pool": {"type": "apiKey", "name": "Authorization", "in": "header",
                     "x-amazon-apigateway-authtype": "cognito_user_pools",
                     "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools",
                                                        "providerARNs": ["us-east-1_SecurePet"]}},
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
            "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                      "x-amazon-apigateway-authtype": "awsSigv4"},
            "oauth": {"type": "oauth2", "flows": {}}}},
        "paths": {"/pets": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": PETS_URI}}}},
    }


def write_and_load(tmp_path: Path, doc: Any) -> Any:
    file = tmp_path / "api.json"
    file.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return load_openapi(file, api_id=None, region=REGION, account=ACCOUNT)


def integration(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"].update(fields)
    return change


def op(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["paths"]["/pets"]["get"].update(fields)
    return change


def path(name: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["paths"][name] = doc["paths"].pop("/pets")
    return change


def pool(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["components"]["securitySchemes"]["Pool"]["x-amazon-apigateway-authorizer"].update(fields)
    return change


def top(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc.update(fields)
    return change


def drop_integration(doc: dict[str, Any]) -> None:
    del doc["paths"]["/pets"]["get"]["x-amazon-apigateway-integration"]


def sibling(doc: dict[str, Any]) -> None:
    doc["paths"]["/pets/{id}"] = copy.deepcopy(doc["paths"]["/pets"])
    doc["paths"]["/pets/{petId}"] = copy.deepcopy(doc["paths"]["/pets"])


INTEGRATION = "$.paths./pets.get.x-amazon-apigateway-integration"
POOL = "$.components.securitySchemes.Pool.x-amazon-apigateway-authorizer"
REFUSALS = [
    ("unknown-integration-type", integration(type="lambda"), f"{INTEGRATION}.type", "unknown integration type"),
    ("aws-service-integration", integration(type="aws"), f"{INTEGRATION}.type", "not supported"),
    ("method-without-integration", drop_integration, INTEGRATION, "every method needs an integration"),
    ("unknown-integration-key", integration(uriTemplate="x"), f"{INTEGRATION}.uriTemplate", "unknown key"),
    ("timeout-out-of-range", integration(timeoutInMillis=30000), f"{INTEGRATION}.timeoutInMillis",
     "Timeout should be between 50 ms and 29000 ms"),
    ("aws-proxy-to-a-url", integration(uri="http://127.0.0.1/pets"), f"{INTEGRATION}.uri", "Lambda invocation URI"),
    ("lambda-with-get", integration(httpMethod="GET"), f"{INTEGRATION}.httpMethod", "POST"),
    ("http-to-a-non-url", integration(type="http_proxy", uri="ftp://x"), f"{INTEGRATION}.uri",
     "Invalid HTTP endpoint"),
    ("http-with-templates", integration(type="http", uri="http://x", requestTemplates={"a/b": "$input"}),
     f"{INTEGRATION}.requestTemplates", "only supported for MOCK"),
    ("uri-placeholder-unmapped", integration(type="http_proxy", uri="http://x/{id}"), f"{INTEGRATION}.uri",
     "{id} is neither mapped"),
    ("undeclared-query-mapping", integration(requestParameters={
        "integration.request.querystring.q": "method.request.querystring.q"}),
     f"{INTEGRATION}.requestParameters.integration.request.querystring.q", "not a declared method request"),
    ("bad-mapping-target", integration(requestParameters={"request.header.x": "'1'"}),
     f"{INTEGRATION}.requestParameters.request.header.x", "integration.request"),
    ("mock-dynamic-header", integration(type="mock", responses={"default": {
        "statusCode": "200", "responseParameters": {"method.response.header.X": "integration.response.header.X"}}}),
     f"{INTEGRATION}.responses.default.responseParameters.method.response.header.X", "static value"),
    ("mock-template-without-status", integration(type="mock", requestTemplates={"application/json": "{}"}),
     f"{INTEGRATION}.requestTemplates.application/json", "statusCode"),
    ("mock-vtl", integration(type="mock", responses={"default": {
        "statusCode": "200", "responseTemplates": {"application/json": "$input.json('$')"}}}),
     f"{INTEGRATION}.responses.default.responseTemplates.application/json", "VTL"),
    ("authorizer-not-declared", op(security=[{"Nope": []}]), "$.paths./pets.get.security[0].Nope",
     "referenced but not declared"),
    ("unsupported-scheme-used", op(security=[{"oauth": []}]), "$.paths./pets.get.security[0].oauth",
     "not an API Gateway authorizer"),
    ("iam-and-authorizer", op(security=[{"sigv4": []}, {"Pool": []}]), "$.paths./pets.get.security[1].Pool",
     "one authorizer"),
    ("authorizer-and-iam", op(security=[{"Pool": [], "sigv4": []}]), "$.paths./pets.get.security[0].sigv4",
     "one authorizer"),
    ("scopes-on-api-key", op(security=[{"api_key": ["a/b"]}]), "$.paths./pets.get.security[0].api_key",
     "scopes apply to cognito_user_pools"),
    ("greedy-not-last", path("/files/{proxy+}/x"), "$.paths./files/{proxy+}/x", "must be the last path part"),
    ("bad-path-part", path("/pets/<id>"), "$.paths./pets/<id>", "Resource's path part only allow"),
    ("sibling-variables", sibling, "$.paths./pets/{petId}", "only one is allowed"),
    ("trailing-slash", path("/pets/"), "$.paths./pets/", "must not end with /"),
    ("path-parameter-not-in-path", op(parameters=[{"name": "petId", "in": "path", "required": True}]),
     "$.paths./pets.get.parameters[0].name", "does not appear in the resource path"),
    ("unresolved-ref", op(parameters=[{"$ref": "#/components/parameters/Nope"}]),
     "$.paths./pets.get.parameters[0].$ref", "unresolved reference"),
    ("trace", lambda d: d["paths"]["/pets"].update(trace={}), "$.paths./pets.trace", "TRACE"),
    ("unknown-operation-extension", op(**{"x-amazon-apigateway-integrations": {}}),
     "$.paths./pets.get.x-amazon-apigateway-integrations", "unknown key"),
    ("http-api-cors-extension", top(**{"x-amazon-apigateway-cors": {}}), "$.x-amazon-apigateway-cors", "unknown key"),
    ("cognito-without-pools", pool(providerARNs=[]), f"{POOL}.providerARNs", "required"),
    ("cognito-bad-pool", pool(providerARNs=["SecurePet"]), f"{POOL}.providerARNs[0]", "user pool ARN"),
    ("unknown-authorizer-type", pool(type="jwt"), f"{POOL}.type", "not one of"),
    ("ttl-out-of-range", pool(authorizerResultTtlInSeconds=7200), f"{POOL}.authorizerResultTtlInSeconds", "3600"),
    ("authtype-mismatch", pool(type="token"), "$.components.securitySchemes.Pool.x-amazon-apigateway-authtype",
     "does not match the authorizer type"),
    ("token-authorizer-without-uri", lambda d: (d["components"]["securitySchemes"]["Pool"].update(
        {"x-amazon-apigateway-authtype": "custom"}), pool(type="token", providerARNs=None)(d)),
     f"{POOL}.authorizerUri", "non-empty string"),
    ("token-authorizer-with-pools", lambda d: (d["components"]["securitySchemes"]["Pool"].update(
        {"x-amazon-apigateway-authtype": "custom"}), pool(type="token", authorizerUri=PETS_URI)(d)),
     f"{POOL}.providerARNs", "only for COGNITO_USER_POOLS"),
    ("cognito-authtype-needs-authorizer",
     lambda d: d["components"]["securitySchemes"]["Pool"].pop("x-amazon-apigateway-authorizer"),
     "$.components.securitySchemes.Pool", "needs an x-amazon-apigateway-authorizer"),
    ("unknown-gateway-response", top(**{"x-amazon-apigateway-gateway-responses": {"NOT_FOUND": {}}}),
     "$.x-amazon-apigateway-gateway-responses.NOT_FOUND", "unknown gateway response type"),
    ("gateway-response-bad-parameter", top(**{"x-amazon-apigateway-gateway-responses": {
        "DEFAULT_4XX": {"responseParameters": {"method.response.header.X": "'1'"}}}}),
     "$.x-amazon-apigateway-gateway-responses.DEFAULT_4XX.responseParameters.method.response.header.X",
     "gatewayresponse.header"),
    ("bad-binary-type", top(**{"x-amazon-apigateway-binary-media-types": ["png"]}),
     "$.x-amazon-apigateway-binary-media-types[0]", "media type"),
    ("bad-api-key-source", top(**{"x-amazon-apigateway-api-key-source": "QUERY"}),
     "$.x-amazon-apigateway-api-key-source", "not one of HEADER, AUTHORIZER"),
    ("policy-without-effect", top(**{"x-amazon-apigateway-policy": {"Statement": [{"Resource": "*"}]}}),
     "$.x-amazon-apigateway-policy.Statement[0].Effect", "non-empty string"),
    ("missing-title", lambda d: d["info"].pop("title"), "$.info.title", "non-empty string"),
    ("openapi-2", top(openapi="2.0"), "$.openapi", "only OpenAPI 3.x"),
    ("neither-openapi-nor-swagger", lambda d: d.pop("openapi"), "$", "neither openapi: 3.x nor swagger"),
]


@pytest.mark.parametrize(("change", "where", "problem"), [case[1:] for case in REFUSALS],
                         ids=[case[0] for case in REFUSALS])
def test_refusals_name_the_file_path_and_problem(tmp_path: Path, change: Callable[[dict[str, Any]], None],
                                                 where: str, problem: str) -> None:
    doc = minimal()
    change(doc)
    with pytest.raises(ConfigError) as caught:
        write_and_load(tmp_path, doc)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'api.json'}: {where}: "), message
    assert problem in message


@pytest.mark.parametrize("text", ["- just\n- a list\n", "openapi: [unclosed\n"], ids=["not-a-mapping", "bad-yaml"])
def test_malformed_documents_are_refused_at_the_root(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match=r"api\.json: \$: "):
        write_and_load(tmp_path, text)


def test_minimal_document_loads(tmp_path: Path) -> None:
    """The refusal table's base document is valid, so each refusal is caused by its own change."""
    api = write_and_load(tmp_path, minimal())
    assert set(api.resources) == {"/", "/pets"}
    assert yaml.safe_dump(minimal())  # JSON-able and YAML-able alike
