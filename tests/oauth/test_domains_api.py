"""Domains, resource servers and UI customization over the cognito-idp JSON API (boto3), and poolgate.yaml."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from ..support import Server, start_server, stop_server
from .helpers import authorize_params, oauth_pool, unique

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                       "AAAABJRU5ErkJggg==")


def _error(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_domain_lifecycle(server: Server, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName=unique("p"))["UserPool"]["Id"]
    domain = unique("d")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    described = idp.describe_user_pool_domain(Domain=domain)["DomainDescription"]
    assert described["UserPoolId"] == pool_id and described["Domain"] == domain and described["Status"] == "ACTIVE"
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == domain
    other = idp.create_user_pool(PoolName=unique("p"))["UserPool"]["Id"]
    assert _error(idp.create_user_pool_domain, UserPoolId=other, Domain=domain)[0] == "InvalidParameterException"
    assert _error(idp.create_user_pool_domain, UserPoolId=pool_id, Domain=unique("d"))[0] == \
        "InvalidParameterException"
    assert _error(idp.delete_user_pool_domain, UserPoolId=other, Domain=domain)[0] == "InvalidParameterException"
    assert _error(idp.create_user_pool_domain, UserPoolId=other, Domain="Bad_Domain")[0] == \
        "InvalidParameterException"
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    assert idp.describe_user_pool_domain(Domain=domain)["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert requests.get(f"{server.url}/_domains/{domain}/login", timeout=10).status_code == 404


def test_resource_servers(server: Server, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName=unique("p"))["UserPool"]["Id"]
    scopes = [{"ScopeName": "read", "ScopeDescription": "Read"}]
    created = idp.create_resource_server(UserPoolId=pool_id, Identifier="https://api.example", Name="API",
                                         Scopes=scopes)["ResourceServer"]
    assert created == {"UserPoolId": pool_id, "Identifier": "https://api.example", "Name": "API", "Scopes": scopes}
    assert _error(idp.create_resource_server, UserPoolId=pool_id, Identifier="https://api.example",
                  Name="API")[0] == "InvalidParameterException"
    assert idp.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example")["ResourceServer"] \
        == created
    idp.create_resource_server(UserPoolId=pool_id, Identifier="second", Name="Second")
    listed = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=1)
    assert len(listed["ResourceServers"]) == 1 and "NextToken" in listed
    updated = idp.update_resource_server(UserPoolId=pool_id, Identifier="second", Name="2nd",
                                         Scopes=scopes)["ResourceServer"]
    assert updated["Name"] == "2nd" and updated["Scopes"] == scopes
    idp.delete_resource_server(UserPoolId=pool_id, Identifier="second")
    assert _error(idp.describe_resource_server, UserPoolId=pool_id, Identifier="second")[0] == \
        "ResourceNotFoundException"


def test_ui_customization_shows_on_the_pages(server: Server, idp: Any) -> None:
    pool = oauth_pool(server, idp, user=None)
    other = idp.create_user_pool(PoolName=unique("p"))["UserPool"]["Id"]
    assert _error(idp.set_ui_customization, UserPoolId=other, CSS=".x{}")[0] == "InvalidParameterException"
    result = idp.set_ui_customization(UserPoolId=pool.pool_id, CSS=".banner-customizable{background:#123}",
                                      ImageFile=PNG)["UICustomization"]
    assert result["ClientId"] == "ALL" and result["CSS"].startswith(".banner") and "ImageUrl" in result
    assert idp.get_ui_customization(UserPoolId=pool.pool_id, ClientId=pool.client_id)["UICustomization"]["CSS"] \
        == result["CSS"]
    page = requests.get(f"{pool.base}/login", params=authorize_params(pool), timeout=10).text
    assert "/static/custom.css?" in page and "/static/logo?" in page
    css = requests.get(f"{pool.base}/static/custom.css", params={"client_id": pool.client_id}, timeout=10)
    assert css.text == ".banner-customizable{background:#123}" and css.headers["content-type"].startswith("text/css")
    logo = requests.get(result["ImageUrl"], timeout=10)
    assert logo.content == PNG and logo.headers["content-type"] == "image/png"
    assert _error(idp.set_ui_customization, UserPoolId=pool.pool_id, ImageFile=b"GIF89a....")[0] == \
        "InvalidParameterException"


def test_config_file_declares_a_domain_and_resource_servers(tmp_path: Path) -> None:
    config = tmp_path / "poolgate.yaml"
    config.write_text(textwrap.dedent("""
        userPools:
          - id: us-east-1_Hosted1
            name: Hosted
            domain: hosted-pets
            resourceServers:
              - identifier: pets
                name: Pets API
                scopes: [read, {name: write, description: Write pets}]
            clients:
              - id: hostedclient0000000000000a
                name: web
                settings:
                  AllowedOAuthFlowsUserPoolClient: true
                  AllowedOAuthFlows: [code]
                  AllowedOAuthScopes: [openid, pets/read]
                  CallbackURLs: [http://localhost:3000/cb]
                  SupportedIdentityProviders: [COGNITO]
    """))
    srv = start_server("--config", str(config))
    try:
        response = requests.get(f"{srv.url}/_domains/hosted-pets/oauth2/authorize", params={
            "client_id": "hostedclient0000000000000a", "redirect_uri": "http://localhost:3000/cb",
            "response_type": "code", "scope": "openid pets/read"}, allow_redirects=False, timeout=10)
        assert response.status_code == 302 and response.headers["location"].startswith("/_domains/hosted-pets/login")
    finally:
        stop_server(srv)
