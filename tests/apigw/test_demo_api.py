"""The embedded SecurePets demo: its OpenAPI document and its ``pets`` function (unit tests, no server)."""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import poolgate.demo
from poolgate.apigw.openapi import load_openapi
from poolgate.apigw.uris import lambda_function_name

from .models import ACCOUNT, REGION

DEMO = Path(poolgate.demo.__file__).parent


@pytest.fixture(scope="module")
def pets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_pets", DEMO / "functions" / "pets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_route_is_behind_the_securepets_pool_except_preflights() -> None:
    api = load_openapi(DEMO / "petstore.yaml", api_id="securepets", region=REGION, account=ACCOUNT)
    pool = api.authorizer_by_name("SecurePetsPool")
    assert pool is not None and pool.provider_arns == [
        "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_SecurePet"]
    routes = {(path, verb): method for path, resource in api.resources.items()
              for verb, method in resource.methods.items()}
    assert set(routes) == {("/pets", "GET"), ("/pets", "OPTIONS"), ("/pets/{petId}", "GET"),
                           ("/pets/{petId}", "OPTIONS"), ("/purchase", "POST"), ("/purchase", "OPTIONS")}
    for (_, verb), method in routes.items():
        assert method.integration is not None
        if verb == "OPTIONS":
            assert method.authorization_type == "NONE" and method.integration.type == "MOCK"
            assert method.integration.mock is not None
            assert method.integration.mock.headers["Access-Control-Allow-Origin"] == "*"
        else:
            assert (method.authorization_type, method.authorizer_id, method.authorization_scopes) == (
                "COGNITO_USER_POOLS", pool.id, [])
            assert method.integration.type == "AWS_PROXY"
            assert lambda_function_name(method.integration.uri or "") == "pets"


def event(method: str, resource: str, *, path_parameters: dict[str, str] | None = None, body: str | None = None,
          query: dict[str, str] | None = None, username: str = "demo", base64_body: bool = False) -> dict[str, Any]:
    if base64_body and body is not None:
        body = base64.b64encode(body.encode()).decode()
    return {"httpMethod": method, "resource": resource, "path": resource, "pathParameters": path_parameters,
            "queryStringParameters": query, "body": body, "isBase64Encoded": base64_body,
            "requestContext": {"authorizer": {"claims": {"cognito:username": username, "sub": "x"}}}}


def call(pets: ModuleType, evt: dict[str, Any]) -> tuple[int, Any]:
    result = pets.handler(evt, None)
    assert result["headers"]["Access-Control-Allow-Origin"] == "*"
    assert result["headers"]["Content-Type"] == "application/json"
    return result["statusCode"], json.loads(result["body"])


def test_list_and_get_pets(pets: ModuleType) -> None:
    status, body = call(pets, event("GET", "/pets"))
    assert status == 200 and len(body) >= 3 and {"id", "name"} <= set(body[0])
    status, body = call(pets, event("GET", "/pets", query={"type": "cat"}))
    assert status == 200 and [pet["type"] for pet in body] == ["cat"]
    status, body = call(pets, event("GET", "/pets/{petId}", path_parameters={"petId": "1"}))
    assert (status, body["id"]) == (200, "1")
    status, body = call(pets, event("GET", "/pets/{petId}", path_parameters={"petId": "999"}))
    assert (status, body) == (404, {"message": "Pet 999 not found"})


@pytest.mark.parametrize("base64_body", [False, True])
def test_purchase_names_the_buyer_from_the_id_token_claims(pets: ModuleType, base64_body: bool) -> None:
    status, body = call(pets, event("POST", "/purchase", body='{"petId": "2"}', username="alice",
                                    base64_body=base64_body))
    assert status == 200 and body["buyer"] == "alice" and body["pet"]["id"] == "2"
    assert body["message"] == "alice bought Tom"


@pytest.mark.parametrize(("body", "status"), [("not json", 400), ("[1]", 400), (None, 400), ('{"petId": "77"}', 404)])
def test_bad_purchases(pets: ModuleType, body: str | None, status: int) -> None:
    assert call(pets, event("POST", "/purchase", body=body))[0] == status


def test_unknown_route(pets: ModuleType) -> None:
    assert call(pets, event("DELETE", "/pets"))[0] == 404
