"""Helpers for the hosted-UI tests: a pool with a domain and OAuth clients, PKCE, and an HTTP sign-in."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from ..support import Server

PASSWORD = "Passw0rd!"
USER_SCOPES = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class OAuthPool:
    server: Server
    pool_id: str
    domain: str
    client_id: str
    """A public client: code and implicit grants, the user scopes."""
    secret_client_id: str
    secret: str
    """A confidential client: client_credentials with ``api/read`` (``api/write`` exists but is not allowed)."""
    callback: str
    logout: str

    @property
    def base(self) -> str:
        return f"{self.server.url}/_domains/{self.domain}"


def oauth_pool(server: Server, idp: Any, callback: str = "http://127.0.0.1:9/callback",
               logout: str = "http://127.0.0.1:9/signed-out", user: str | None = "alice") -> OAuthPool:
    pool_id = idp.create_user_pool(
        PoolName=unique("Pets"), AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )["UserPool"]["Id"]
    domain = unique("pets")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    idp.create_resource_server(UserPoolId=pool_id, Identifier="api", Name="Pets API", Scopes=[
        {"ScopeName": "read", "ScopeDescription": "read pets"},
        {"ScopeName": "write", "ScopeDescription": "write pets"}])
    public = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code", "implicit"], AllowedOAuthScopes=USER_SCOPES, CallbackURLs=[callback],
        LogoutURLs=[logout], SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    confidential = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="worker", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]
    if user:
        idp.admin_create_user(UserPoolId=pool_id, Username=user, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{user}@example.com"},
                                              {"Name": "email_verified", "Value": "true"}],
                              TemporaryPassword=PASSWORD)
        idp.admin_set_user_password(UserPoolId=pool_id, Username=user, Password=PASSWORD, Permanent=True)
    return OAuthPool(server, pool_id, domain, public["ClientId"], confidential["ClientId"],
                     confidential["ClientSecret"], callback, logout)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def authorize_params(pool: OAuthPool, **extra: str) -> dict[str, str]:
    return {"client_id": pool.client_id, "redirect_uri": pool.callback, "response_type": "code",
            "scope": "openid email", "state": "st-123", **extra}


def sign_in_http(pool: OAuthPool, session: requests.Session, params: dict[str, str], username: str = "alice",
                 password: str = PASSWORD) -> requests.Response:
    """authorize → login page → POST the form; returns the final 302 (to the callback)."""
    first = session.get(f"{pool.base}/oauth2/authorize", params=params, allow_redirects=False, timeout=10)
    assert first.status_code == 302, first.text
    login_url = first.headers["location"]
    assert login_url.startswith(f"/_domains/{pool.domain}/login?")
    page = session.get(f"{pool.server.url}{login_url}", timeout=10)
    assert page.status_code == 200, page.text
    return session.post(f"{pool.server.url}{login_url}", data={
        "_csrf": csrf_of(page.text), "username": username, "password": password}, allow_redirects=False,
        timeout=10)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def fragment_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}


def code_for(pool: OAuthPool, username: str = "alice", **extra: str) -> str:
    response = sign_in_http(pool, requests.Session(), authorize_params(pool, **extra), username=username)
    assert response.status_code == 302, response.text
    return query_of(response.headers["location"])["code"]


def token_call(pool: OAuthPool, data: dict[str, str], auth: tuple[str, str] | None = None) -> requests.Response:
    return requests.post(f"{pool.base}/oauth2/token", data=data, auth=auth, timeout=10)


def outbox_code(server: Server, pool_id: str, username: str, purpose: str = "signup") -> str:
    """The newest code of ``purpose`` for ``username``, read with ``poolgate codes``."""
    out = subprocess.run([sys.executable, "-m", "poolgate.cli", "codes", "--pool", pool_id, "--user", username,
                          "--data-dir", str(server.data_dir),
                          *(["--database-url", server.database_url] if server.database_url else [])],
                         capture_output=True, text=True, timeout=60, check=True)
    codes = [line.split("\t") for line in out.stdout.splitlines() if line.startswith(purpose)]
    assert codes, out.stdout
    return codes[-1][-1]


GATEWAY_POOL = "us-east-1_HostedUi1"
GATEWAY_DOMAIN = "hosted-ui"
GATEWAY_CLIENT = "hosteduiclient00000000000a"
GATEWAY_WORKER = "hosteduiworker00000000000a"
GATEWAY_SECRET = "hostedworkersecret0000000000000000000000000000000001"
GATEWAY_API = "hostedapi1"


def gateway_config(callback_url: str) -> dict[str, Any]:
    """poolgate.yaml: a pool with a domain, a web client and a worker client, and an API behind its authorizer
    (``/me`` takes an ID token; ``/pets`` an access token with ``api/read``)."""
    mock = {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}'}
    return {
        "userPools": [{
            "id": GATEWAY_POOL, "name": "Hosted UI", "domain": GATEWAY_DOMAIN,
            "settings": {"AutoVerifiedAttributes": ["email"], "Schema": [
                {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}]},
            "resourceServers": [{"identifier": "api", "name": "API", "scopes": ["read", "write"]}],
            "clients": [
                {"id": GATEWAY_CLIENT, "name": "web", "settings": {
                    "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code", "implicit"],
                    "AllowedOAuthScopes": [*USER_SCOPES, "api/read"], "CallbackURLs": [f"{callback_url}/callback"],
                    "LogoutURLs": [f"{callback_url}/bye"], "SupportedIdentityProviders": ["COGNITO"]}},
                {"id": GATEWAY_WORKER, "name": "worker", "secret": GATEWAY_SECRET, "settings": {
                    "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
                    "AllowedOAuthScopes": ["api/read", "api/write"], "SupportedIdentityProviders": ["COGNITO"]}},
            ],
        }],
        "apis": [{
            "id": GATEWAY_API, "name": "Hosted UI API",
            "authorizers": {"Pool": {"type": "COGNITO_USER_POOLS", "providerARNs": [GATEWAY_POOL]}},
            "resources": {"/me": {"GET": {"authorizer": "Pool", "integration": mock}},
                          "/pets": {"GET": {"authorizer": "Pool", "authorizationScopes": ["api/read"],
                                            "integration": mock}}},
            "stages": {"prod": {}},
        }],
    }


def gateway_pool(server: Server, callback_url: str) -> OAuthPool:
    return OAuthPool(server, GATEWAY_POOL, GATEWAY_DOMAIN, GATEWAY_CLIENT, GATEWAY_WORKER, GATEWAY_SECRET,
                     f"{callback_url}/callback", f"{callback_url}/bye")


def call_api(server: Server, path: str, token: str) -> requests.Response:
    return requests.get(f"{server.url}/restapis/{GATEWAY_API}/prod/_user_request_{path}",
                        headers={"Authorization": token}, timeout=10)
