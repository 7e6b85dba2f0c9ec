"""Documentation parts and versions through the apigateway API (boto3 over real HTTP), against AWS's answers
recorded in LocalStack's tests/aws/services/apigateway/test_apigateway_api.snapshot.json
(``TestApiGatewayApiDocumentationPart``: test_documentation_part_lifecycle, test_invalid_get_documentation_part,
test_invalid_update_documentation_part, test_invalid_delete_documentation_part, test_doc_parts_crud_no_api).
Versions: UNCONFIRMED texts."""

from __future__ import annotations

import json
from pathlib import Path

from ..cognito.helpers import error_of
from ..support import start_server, stop_server
from .test_tutorial import apigateway, write_config
from .test_usage_plans import build_api

PROPERTIES = '{ "description": "Sample API description" }'
UPDATED = '{ "description": "Updated Sample API description" }'


def test_documentation_parts_and_versions(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    database = f"sqlite+aiosqlite:///{tmp_path / 'docs.db'}"
    server = start_server("--no-demo", "--config", str(config), database_url=database)
    try:
        apigw = apigateway(server.url)
        api_id = build_api(apigw)
        part = apigw.create_documentation_part(restApiId=api_id, location={"type": "API"}, properties=PROPERTIES)
        part_id = part["id"]
        assert part["location"] == {"type": "API"} and json.loads(part["properties"]) == {
            "description": "Sample API description"}
        assert [p["id"] for p in apigw.get_documentation_parts(restApiId=api_id)["items"]] == [part_id]
        updated = apigw.update_documentation_part(restApiId=api_id, documentationPartId=part_id, patchOperations=[
            {"op": "replace", "path": "/properties", "value": UPDATED}])
        assert json.loads(updated["properties"]) == {"description": "Updated Sample API description"}

        missing_part = ("NotFoundException", "Invalid Documentation part identifier specified", 404)
        for thunk in (lambda: apigw.get_documentation_part(restApiId="api_id", documentationPartId=part_id),
                      lambda: apigw.get_documentation_part(restApiId=api_id, documentationPartId="nopart"),
                      lambda: apigw.update_documentation_part(restApiId="api_id", documentationPartId=part_id,
                                                              patchOperations=[{"op": "replace",
                                                                                "path": "/properties",
                                                                                "value": UPDATED}])):
            failure = error_of(thunk)
            assert (failure.code, failure.message, failure.status) == missing_part
        assert error_of(lambda: apigw.update_documentation_part(
            restApiId=api_id, documentationPartId=part_id,
            patchOperations=[{"op": "add", "path": "/properties", "value": UPDATED}])).message == (
            "Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations")
        assert error_of(lambda: apigw.update_documentation_part(
            restApiId=api_id, documentationPartId=part_id,
            patchOperations=[{"op": "replace", "path": "/invalidPath", "value": UPDATED}])).message == (
            "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/properties]")
        for thunk in (lambda: apigw.get_documentation_parts(restApiId="api_id"),
                      lambda: apigw.create_documentation_part(restApiId="api_id", location={"type": "API"},
                                                              properties=PROPERTIES),
                      lambda: apigw.delete_documentation_part(restApiId="api_id", documentationPartId=part_id)):
            failure = error_of(thunk)
            assert (failure.code, failure.message) == ("NotFoundException",
                                                       "Invalid API identifier specified 000000000000:api_id")
        assert error_of(lambda: apigw.create_documentation_part(
            restApiId=api_id, location={"type": "API"}, properties=PROPERTIES)).code == "ConflictException"

        version = apigw.create_documentation_version(restApiId=api_id, documentationVersion="v1",
                                                     description="first", stageName="prod")
        assert (version["version"], version["description"]) == ("v1", "first")
        assert apigw.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "v1"
        assert error_of(lambda: apigw.create_documentation_version(restApiId=api_id,
                                                                   documentationVersion="v1")).code == \
            "ConflictException"
    finally:
        stop_server(server)

    server = start_server("--no-demo", "--config", str(config), database_url=database, port=server.port)
    try:
        apigw = apigateway(server.url)
        assert [p["id"] for p in apigw.get_documentation_parts(restApiId=api_id)["items"]] == [part_id]
        assert [v["version"] for v in apigw.get_documentation_versions(restApiId=api_id)["items"]] == ["v1"]
        apigw.delete_documentation_part(restApiId=api_id, documentationPartId=part_id)
        failure = error_of(lambda: apigw.delete_documentation_part(restApiId=api_id, documentationPartId=part_id))
        assert (failure.code, failure.message) == ("NotFoundException",
                                                   "Invalid Documentation part identifier specified")
        apigw.delete_documentation_version(restApiId=api_id, documentationVersion="v1")
        assert apigw.get_documentation_versions(restApiId=api_id)["items"] == []
    finally:
        stop_server(server)
