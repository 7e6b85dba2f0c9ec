"""REST APIs written directly in poolgate.yaml (unit tests, no server)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from poolgate.apigw.domain import Cors, Stage
from poolgate.apigw.openapi import load_openapi
from poolgate.apigw.stages import apply_stages
from poolgate.apigw.yamlapi import load_yaml_api
from poolgate.config import ConfigError

from .models import ACCOUNT, DATA, REGION, inline_spec, normalized

FILE = "poolgate.yaml"
PETS_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:000000000000:function:pets/invocations")


def load(spec: dict[str, Any]) -> Any:
    return load_yaml_api(spec, file=FILE, path="$.apis[0]", base_dir=DATA, region=REGION, account=ACCOUNT)


def test_inline_petstore_serves_the_same_as_its_openapi_import() -> None:
    spec = inline_spec()
    inline = load(spec)
    imported = load_openapi(DATA / "petstore-oas3.yaml", api_id="securepets", region=REGION, account=ACCOUNT)
    apply_stages(imported, spec["stages"], FILE, "$.apis[0].stages")
    assert normalized(inline) == normalized(imported)


def test_function_shorthand_default_authorizer_and_opt_out() -> None:
    api = load(inline_spec())
    pool = api.authorizer_by_name("PetsPool")
    assert pool is not None
    pets = api.resources["/pets"].methods["GET"]
    assert pets.integration is not None and pets.integration.uri == PETS_URI
    assert (pets.authorization_type, pets.authorizer_id) == ("COGNITO_USER_POOLS", pool.id)
    assert api.resources["/pets"].methods["OPTIONS"].authorization_type == "NONE"
    token = api.authorizer_by_name("TokenAuth")
    assert token is not None and token.authorizer_uri == PETS_URI.replace(":pets/", ":auth/")
    reports = api.resources["/reports"].methods["GET"].integration
    assert reports is not None and reports.uri == PETS_URI.replace(":pets/", ":reports-${stageVariables.version}/")


def test_http_proxy_placeholder_is_mapped_from_the_path_variable() -> None:
    integration = load(inline_spec()).resources["/files/{proxy+}"].methods["ANY"].integration
    assert integration is not None
    assert (integration.type, integration.http_method) == ("HTTP_PROXY", "ANY")
    assert integration.request_parameters == {"integration.request.path.proxy": "method.request.path.proxy"}


def test_mock_defaults() -> None:
    spec = {"name": "m", "resources": {"/": {"GET": {"integration": {"type": "MOCK"}}},
                                       "/teapot": {"get": {"integration": {
                                           "type": "mock", "statusCode": 418, "body": "short and stout",
                                           "contentType": "text/plain"}}}}}
    api = load(spec)
    root = api.resources["/"].methods["GET"].integration
    assert root is not None and root.mock is not None and root.http_method is None
    assert (root.mock.status_code, root.mock.body, root.mock.headers) == (200, "", {"Content-Type": "application/json"})
    teapot = api.resources["/teapot"].methods["GET"].integration
    assert teapot is not None and teapot.mock is not None
    assert (teapot.mock.status_code, teapot.mock.headers) == (418, {"Content-Type": "text/plain"})


def test_stages_both_spellings_and_method_settings() -> None:
    api = load(inline_spec())
    assert api.stages["prod"] == Stage(name="prod", variables={"version": "v1"})
    assert api.stages["dev"].method_settings == {
        "*/*": {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 50},
        "~1pets/GET": {"cachingEnabled": False, "loggingLevel": "INFO"}}
    as_list = load({**inline_spec(), "stages": ["prod", {"name": "dev", "variables": {"version": 2}}]})
    assert as_list.stages == {"prod": Stage(name="prod"), "dev": Stage(name="dev", variables={"version": "2"})}


def test_cors_forms() -> None:
    base = {"name": "c", "resources": {"/": {"GET": {"integration": {"type": "MOCK"}}}}}
    assert load({**base, "cors": True}).cors == Cors()
    assert load(base).cors is None
    cors = load({**base, "cors": {"allowOrigin": "https://pets.example", "allowMethods": ["get", "POST"],
                                  "allowHeaders": "Authorization, Content-Type", "allowCredentials": True,
                                  "maxAge": 600}}).cors
    assert cors == Cors(allow_origin="https://pets.example", allow_headers="Authorization,Content-Type",
                        allow_methods="GET,POST", allow_credentials=True, max_age=600)


# -- refusals ---------------------------------------------------------------------------------------------------

def minimal() -> dict[str, Any]:
    return {
        "name": "Pets",
        "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": ["us-east-1_SecurePet"]},
                        "Tokens": {"type": "TOKEN", "function": "auth"}},
        "resources": {"/pets": {"GET": {"authorizer": "Pool", "integration": {"type": "AWS_PROXY",
                                                                               "function": "pets"}}}},
    }


def at(*keys: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    """Update the mapping at ``keys`` with ``fields`` (a value of ``...`` deletes the key)."""
    def change(spec: dict[str, Any]) -> None:
        node = spec
        for key in keys:
            node = node[key]
        for key, value in fields.items():
            if value is ...:
                node.pop(key, None)
            else:
                node[key] = value
    return change


GET = ("resources", "/pets", "GET")
WHERE_GET = "$.apis[0].resources./pets.GET"
REFUSALS = [
    ("unknown-api-key", at(openapi="./x.yaml"), "$.apis[0].openapi", "unknown key"),
    ("missing-name", at(name=...), "$.apis[0].name", "non-empty string"),
    ("bad-id", at(id="Pets-API"), "$.apis[0].id", "lowercase"),
    ("unknown-method-key", at(*GET, auth="NONE"), f"{WHERE_GET}.auth", "unknown key"),
    ("bad-verb", at("resources", "/pets", FETCH={}), "$.apis[0].resources./pets.FETCH", "not one of"),
    ("method-without-integration", at(*GET, integration=...), f"{WHERE_GET}.integration",
     "every method needs an integration"),
    ("unknown-integration-type", at(*GET, "integration", type="LAMBDA"), f"{WHERE_GET}.integration.type",
     "unknown integration type"),
    ("function-and-uri", at(*GET, "integration", uri=PETS_URI), f"{WHERE_GET}.integration.function",
     "either function or uri"),
    ("function-on-http", at(*GET, "integration", type="HTTP"), f"{WHERE_GET}.integration.function",
     "only for AWS_PROXY"),
    ("mock-keys-on-proxy", at(*GET, "integration", body="{}"), f"{WHERE_GET}.integration.body", "unknown key"),
    ("bad-function-name", at(*GET, "integration", function="pets!"), f"{WHERE_GET}.integration.function",
     "must be a function name"),
    ("authorizer-not-declared", at(*GET, authorizer="Nope"), f"{WHERE_GET}.authorizer",
     "referenced but not declared"),
    ("cognito-without-authorizer", at(*GET, authorizer=..., authorization="COGNITO_USER_POOLS"),
     f"{WHERE_GET}.authorizer", "required with authorization COGNITO_USER_POOLS"),
    ("authorization-mismatch", at(*GET, authorization="CUSTOM"), f"{WHERE_GET}.authorization",
     "authorization must be COGNITO_USER_POOLS"),
    ("iam-with-authorizer", at(*GET, authorization="AWS_IAM"), f"{WHERE_GET}.authorizer", "not allowed"),
    ("scopes-on-token-authorizer", at(*GET, authorizer="Tokens", authorizationScopes=["a/b"]),
     f"{WHERE_GET}.authorizationScopes", "COGNITO_USER_POOLS authorizers only"),
    ("greedy-not-last", lambda s: s["resources"].update({"/a/{proxy+}/b": s["resources"].pop("/pets")}),
     "$.apis[0].resources./a/{proxy+}/b", "must be the last path part"),
    ("bad-request-parameter", at(*GET, requestParameters={"querystring.q": True}),
     f"{WHERE_GET}.requestParameters.querystring.q", "method.request."),
    ("unknown-authorizer-key", at("authorizers", "Pool", userPool="x"), "$.apis[0].authorizers.Pool.userPool",
     "unknown key"),
    ("cognito-identity-not-a-header", at("authorizers", "Pool", identitySource="method.request.querystring.t"),
     "$.apis[0].authorizers.Pool.identitySource", "one header"),
    ("request-authorizer-needs-identity", at("authorizers", "Tokens", type="REQUEST"),
     "$.apis[0].authorizers.Tokens.identitySource", "required for REQUEST authorizers"),
    ("bad-identity-validation-regex", at("authorizers", "Pool", identityValidationExpression="(["),
     "$.apis[0].authorizers.Pool.identityValidationExpression", "regular expression"),
    ("default-authorizer-not-declared", at(defaultAuthorizer="Nope"), "$.apis[0].defaultAuthorizer",
     "referenced but not declared"),
    ("bad-cors-key", at(cors={"origin": "*"}), "$.apis[0].cors.origin", "unknown key"),
    ("cors-credentials-with-star", at(cors={"allowCredentials": True}), "$.apis[0].cors.allowCredentials",
     "credentials"),
    ("bad-stage-name", at(stages={"pr od": {}}), "$.apis[0].stages.pr od", "stage name"),
    ("bad-stage-variable", at(stages={"prod": {"variables": {"url": "http://x y"}}}),
     "$.apis[0].stages.prod.variables.url", "stage variable value"),
    ("stage-list-without-name", at(stages=[{"variables": {}}]), "$.apis[0].stages[0].name", "non-empty string"),
    ("unknown-stage-key", at(stages={"prod": {"vars": {}}}), "$.apis[0].stages.prod.vars", "unknown key"),
    ("method-setting-unknown-resource", at(stages={"prod": {"methodSettings": {"/cats/GET": {}}}}),
     "$.apis[0].stages.prod.methodSettings./cats/GET", "no resource /cats"),
    ("method-setting-unknown-key", at(stages={"prod": {"methodSettings": {"*/*": {"rate": 1}}}}),
     "$.apis[0].stages.prod.methodSettings.*/*.rate", "unknown key"),
    ("bad-policy", at(policy={"Statement": [{"Effect": "Maybe", "Resource": "*"}]}),
     "$.apis[0].policy.Statement[0].Effect", "not one of Allow, Deny"),
]


@pytest.mark.parametrize(("change", "where", "problem"), [case[1:] for case in REFUSALS],
                         ids=[case[0] for case in REFUSALS])
def test_refusals_name_the_file_path_and_problem(change: Callable[[dict[str, Any]], None], where: str,
                                                 problem: str) -> None:
    spec = copy.deepcopy(minimal())
    change(spec)
    with pytest.raises(ConfigError) as caught:
        load(spec)
    message = str(caught.value)
    assert message.startswith(f"{FILE}: {where}: "), message
    assert problem in message


def test_minimal_spec_loads() -> None:
    """The refusal table's base spec is valid, so each refusal is caused by its own change."""
    api = load(minimal())
    assert set(api.resources) == {"/", "/pets"}


def test_apply_stages_refuses_a_scalar(tmp_path: Path) -> None:
    api = load(minimal())
    with pytest.raises(ConfigError, match=r"api\.yaml: \$\.apis\[1\]\.stages: must be a mapping"):
        apply_stages(api, "prod", tmp_path / "api.yaml", "$.apis[1].stages")
