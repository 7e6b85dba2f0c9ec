"""One server holding two pools: ``Upstream`` (a poolgate pool acting as an OIDC provider, by its issuer URL on the
same server) and ``App`` (which federates to it, serves the app's hosted UI, and guards an API with its Cognito
authorizer)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..chromium import launched_chromium
from ..conftest import cognito_client
from ..oauth.conftest import Callback
from ..oauth.helpers import PASSWORD
from ..support import Server, free_port, start_server, stop_server, temporary_postgres_database

UPSTREAM_POOL = "us-east-1_Upstream1"
UPSTREAM_DOMAIN = "upstream-idp"
UPSTREAM_CLIENT = "upstreamfederation00000000a"
UPSTREAM_SECRET = "upstreamfederationsecret000000000000000000000000001"
APP_POOL = "us-east-1_AppPool1"
APP_DOMAIN = "app-login"
APP_CLIENT = "appfederatedclient0000000a"
APP_API = "fedapi1"
SCOPES = ["openid", "email", "profile"]


def federation_config(url: str, callback_url: str) -> dict[str, Any]:
    mock = {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}'}
    return {
        "userPools": [
            {"id": UPSTREAM_POOL, "name": "Upstream", "domain": UPSTREAM_DOMAIN,
             "clients": [{"id": UPSTREAM_CLIENT, "name": "federation", "secret": UPSTREAM_SECRET, "settings": {
                 "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": SCOPES,
                 "CallbackURLs": [f"{url}/_domains/{APP_DOMAIN}/oauth2/idpresponse"],
                 "SupportedIdentityProviders": ["COGNITO"]}}],
             "users": [{"username": "carol", "password": PASSWORD,
                        "attributes": {"email": "carol@example.com", "email_verified": True,
                                       "name": "Carol Upstream"}}]},
            {"id": APP_POOL, "name": "App", "domain": APP_DOMAIN,
             "identityProviders": [{"name": "Upstream", "type": "OIDC", "details": {
                 "client_id": UPSTREAM_CLIENT, "client_secret": UPSTREAM_SECRET, "authorize_scopes": " ".join(SCOPES),
                 "attributes_request_method": "GET", "oidc_issuer": f"{url}/{UPSTREAM_POOL}"},
                 "attributeMapping": {"email": "email", "email_verified": "email_verified", "name": "name"},
                 "idpIdentifiers": ["upstream.example"]}],
             "clients": [{"id": APP_CLIENT, "name": "web", "settings": {
                 "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": SCOPES,
                 "CallbackURLs": [f"{callback_url}/callback"],
                 "SupportedIdentityProviders": ["COGNITO", "Upstream"]}}]},
        ],
        "apis": [{
            "id": APP_API, "name": "Federated API",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [APP_POOL]}},
            "resources": {"/me": {"GET": {"authorizer": "Pool", "integration": mock}}},
            "stages": {"prod": {}},
        }],
    }


@pytest.fixture(scope="module")
def callback() -> Iterator[Callback]:
    app = Callback()
    yield app
    app.close()


@contextmanager
def _federation_server(callback: Callback, folder: Path, database_url: str | None) -> Iterator[Server]:
    port = free_port()
    path = folder / "poolgate.yaml"
    path.write_text(yaml.safe_dump(federation_config(f"http://127.0.0.1:{port}", callback.url), sort_keys=False))
    srv = start_server("--config", str(path), port=port, database_url=database_url)
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def fed_server(backend: str, callback: Callback, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The two pools on SQLite and on PostgreSQL (the sign-in's user and link writes race in the database)."""
    folder = tmp_path_factory.mktemp("federation")
    if backend == "postgres":
        with temporary_postgres_database() as url, _federation_server(callback, folder, url) as srv:
            yield srv
    else:
        with _federation_server(callback, folder, None) as srv:
            yield srv


@pytest.fixture(scope="module")
def sqlite_fed_server(callback: Callback, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The two pools on SQLite, for the browser (which exercises pages, not storage backends)."""
    with _federation_server(callback, tmp_path_factory.mktemp("federation"), None) as srv:
        yield srv


@pytest.fixture(scope="module")
def fed_idp(fed_server: Server) -> Any:
    return cognito_client(fed_server.url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium
