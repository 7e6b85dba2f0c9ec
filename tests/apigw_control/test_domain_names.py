"""Custom domain names and base path mappings through the apigateway API (boto3 over real HTTP): stored per
account and region, returned, kept across a restart; unknown ids, duplicates and mappings to unknown APIs or
stages refused. No network effect (poolgate serves one port). Texts UNCONFIRMED (see apigw_control/domainnames.py)."""

from __future__ import annotations

from pathlib import Path

from ..cognito.helpers import error_of
from ..support import start_server, stop_server
from .test_tutorial import apigateway, write_config
from .test_usage_plans import build_api


def test_domain_names_and_base_path_mappings(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    database = f"sqlite+aiosqlite:///{tmp_path / 'domains.db'}"
    server = start_server("--no-demo", "--config", str(config), database_url=database)
    try:
        apigw = apigateway(server.url)
        api_id = build_api(apigw)
        domain = apigw.create_domain_name(domainName="api.example.com",
                                          certificateArn="arn:aws:acm:us-east-1:000000000000:certificate/abc",
                                          endpointConfiguration={"types": ["REGIONAL"]})
        assert domain["domainName"] == "api.example.com" and domain["domainNameStatus"] == "AVAILABLE"
        assert domain["regionalDomainName"].endswith(".execute-api.us-east-1.amazonaws.com")
        assert error_of(lambda: apigw.create_domain_name(domainName="api.example.com")).code == "ConflictException"
        assert error_of(lambda: apigw.get_domain_name(domainName="nope.example.com")).code == "NotFoundException"

        root = apigw.create_base_path_mapping(domainName="api.example.com", restApiId=api_id, stage="prod")
        assert {k: v for k, v in root.items() if k != "ResponseMetadata"} == {
            "basePath": "(none)", "restApiId": api_id, "stage": "prod"}
        apigw.create_base_path_mapping(domainName="api.example.com", basePath="v1", restApiId=api_id)
        assert error_of(lambda: apigw.create_base_path_mapping(domainName="api.example.com", basePath="v1",
                                                               restApiId=api_id)).code == "ConflictException"
        assert error_of(lambda: apigw.create_base_path_mapping(domainName="api.example.com", basePath="v2",
                                                               restApiId="nosuchapi0")).code == "NotFoundException"
        assert error_of(lambda: apigw.create_base_path_mapping(domainName="api.example.com", basePath="v2",
                                                               restApiId=api_id, stage="nostage")).code == \
            "BadRequestException"
        updated = apigw.update_base_path_mapping(domainName="api.example.com", basePath="v1", patchOperations=[
            {"op": "replace", "path": "/stage", "value": "prod"}])
        assert updated["stage"] == "prod"
        assert apigw.update_domain_name(domainName="api.example.com", patchOperations=[
            {"op": "replace", "path": "/securityPolicy", "value": "TLS_1_0"}])["securityPolicy"] == "TLS_1_0"
        # Another region sees none of it.
        assert apigateway(server.url, region="eu-west-1").get_domain_names()["items"] == []
    finally:
        stop_server(server)

    server = start_server("--no-demo", "--config", str(config), database_url=database, port=server.port)
    try:
        apigw = apigateway(server.url)
        assert [d["domainName"] for d in apigw.get_domain_names()["items"]] == ["api.example.com"]
        mappings = apigw.get_base_path_mappings(domainName="api.example.com")["items"]
        assert [(m["basePath"], m.get("stage")) for m in mappings] == [("(none)", "prod"), ("v1", "prod")]
        apigw.delete_base_path_mapping(domainName="api.example.com", basePath="v1")
        assert error_of(lambda: apigw.get_base_path_mapping(domainName="api.example.com",
                                                            basePath="v1")).code == "NotFoundException"
        apigw.delete_domain_name(domainName="api.example.com")
        assert apigw.get_domain_names()["items"] == []
    finally:
        stop_server(server)
