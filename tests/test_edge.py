"""The server's edge (edge.py), on real servers: who may call ``POST /_poolgate/reset`` (issue 11 #3) and which
``Host`` names a local-mode server answers (issue 11 #9, DNS rebinding)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .conftest import cognito_client
from .support import Server, start_server, stop_server

KEY = Credentials("AKIDRESETTEST0001", "reset-test-secret-key-0000000000000000000")


def _pools(server: Server) -> int:
    return len(cognito_client(server.url).list_user_pools(MaxResults=60)["UserPools"])


def _new_pool(server: Server) -> str:
    return str(cognito_client(server.url).create_user_pool(PoolName="edge")["UserPool"]["Id"])


@pytest.fixture(scope="module")
def local() -> Iterator[Server]:
    srv = start_server("--no-demo", "--ephemeral")
    try:
        yield srv
    finally:
        stop_server(srv)


def _reset(server: Server, **kwargs: Any) -> requests.Response:
    return requests.post(f"{server.url}/_poolgate/reset", timeout=10, **kwargs)


def _refused(response: requests.Response, status: int = 403) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert response.headers["x-amzn-ErrorType"] == body["__type"]
    return str(body["message"])


# --- issue 11 #3: POST /_poolgate/reset ---

@pytest.mark.parametrize(("headers", "data", "reason"), [
    ({"Content-Type": "text/plain", "Origin": "http://evil.example"}, "{}", "another site"),
    ({"Content-Type": "text/plain"}, "{}", "needs Content-Type: application/json"),
    ({}, None, "needs Content-Type: application/json"),
    ({"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}, "a=b",
     "needs Content-Type: application/json"),
    ({"Content-Type": "application/json", "Origin": "http://evil.example"}, "{}", "another site"),
    ({"Content-Type": "application/json", "Origin": "null"}, "{}", "another site"),
    ({"Content-Type": "application/json", "Origin": "http://127.0.0.1:1"}, "{}", "another site"),
    ({"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, "{}", "Sec-Fetch-Site: cross-site"),
    ({"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, "{}", "Sec-Fetch-Site: same-site"),
], ids=["cross-site-text-plain", "text-plain", "no-body", "form", "json-other-origin", "json-null-origin",
        "json-other-port", "json-cross-site", "json-same-site"])
def test_reset_refuses_what_a_web_page_can_send(local: Server, headers: dict[str, str], data: str | None,
                                                reason: str) -> None:
    _new_pool(local)
    before = _pools(local)
    assert reason in _refused(_reset(local, headers=headers, data=data))
    assert _pools(local) == before  # nothing wiped


def test_reset_accepts_same_origin_json(local: Server) -> None:
    _new_pool(local)
    origin = local.url  # http://127.0.0.1:{port}
    response = _reset(local, json={}, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200, response.text
    assert _pools(local) == 0
    _new_pool(local)
    assert _reset(local, json={}).status_code == 200  # curl / test suites: no Origin at all
    assert _pools(local) == 0
    _new_pool(local)
    local.reset()  # the test-support helper
    assert _pools(local) == 0


def test_reset_accepts_a_sigv4_authorization_header_in_local_mode(local: Server) -> None:
    _new_pool(local)
    url = f"{local.url}/_poolgate/reset"
    request = AWSRequest(method="POST", url=url, data=b"")
    SigV4Auth(Credentials("AKIDANYTHING00000001", "anything-at-all-00000"), "poolgate", "us-east-1").add_auth(request)
    assert requests.post(url, headers=dict(request.headers.items()), timeout=10).status_code == 200
    assert _pools(local) == 0


def _signed_reset(server: Server, key: Credentials, service: str = "poolgate") -> requests.Response:
    url = f"{server.url}/_poolgate/reset"
    request = AWSRequest(method="POST", url=url, data=b"{}", headers={"Content-Type": "application/json"})
    SigV4Auth(key, service, "us-east-1").add_auth(request)
    return requests.post(url, data=b"{}", headers=dict(request.headers.items()), timeout=10)


def test_reset_with_credentials_needs_a_configured_keys_signature() -> None:
    srv = start_server("--no-demo", "--ephemeral", "--credentials", f"{KEY.access_key}:{KEY.secret_key}")
    try:
        idp = boto3.client("cognito-idp", endpoint_url=srv.url, region_name="us-east-1",
                           aws_access_key_id=KEY.access_key, aws_secret_access_key=KEY.secret_key)
        idp.create_user_pool(PoolName="kept")

        def pools() -> int:
            return len(idp.list_user_pools(MaxResults=60)["UserPools"])

        assert _refused(_reset(srv, json={})) == "Missing Authentication Token"
        assert _refused(_reset(srv, json={}, headers={"Origin": srv.url, "Sec-Fetch-Site": "same-origin"})) == (
            "Missing Authentication Token")
        stranger = Credentials("AKIDSTRANGER00001", KEY.secret_key)
        assert _refused(_signed_reset(srv, stranger)) == "The security token included in the request is invalid."
        wrong = Credentials(KEY.access_key, "not-the-secret-key-0000000")
        assert _refused(_signed_reset(srv, wrong)).startswith("The request signature we calculated does not match")
        assert _refused(_signed_reset(srv, KEY, service="cognito-idp")) == (
            "Credential should be scoped to correct service: 'poolgate'. ")
        assert pools() == 1

        assert _signed_reset(srv, KEY).status_code == 200
        assert pools() == 0
        idp.create_user_pool(PoolName="again")
        srv.reset()  # the test-support helper signs with the server's first key
        assert pools() == 0
    finally:
        stop_server(srv)


# --- issue 11 #9: Host names in local mode ---

def _raw(server: Server, host: str, method: str = "GET", path: str = "/_poolgate/health",
         body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """One request with exactly this Host header (requests would fix it up)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else {}
        except ValueError:
            return response.status, {"text": raw.decode("utf-8", "replace")}
    finally:
        conn.close()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example", "localhost.evil",
                                  "attacker.com.", "10.0.0.1:{port}", "[::2]:{port}", "0.0.0.0:{port}"])
def test_local_mode_refuses_other_host_names(local: Server, host: str) -> None:
    status, body = _raw(local, host.format(port=local.port))
    assert status == 421
    assert body["__type"] == "MisdirectedRequest"
    assert "local mode" in body["message"] and "--public-url" in body["message"]


def test_a_junk_signed_control_plane_call_for_another_host_is_refused(local: Server) -> None:
    """What DNS rebinding sends: before, ``Host: evil.example`` with any signature was answered 200."""
    headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
               "Content-Type": "application/x-amz-json-1.1", "X-Amz-Date": "20260101T000000Z",
               "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDJUNK/20260101/us-east-1/cognito-idp/aws4_request, "
                                "SignedHeaders=host, Signature=00"}
    status, body = _raw(local, f"evil.example:{local.port}", "POST", "/", b'{"MaxResults": 10}', headers)
    assert (status, body["__type"]) == (421, "MisdirectedRequest")
    status, _ = _raw(local, f"evil.example:{local.port}", "GET", "/restapis/x/prod/_user_request_/")
    assert status == 421  # the data plane too
    status, body = _raw(local, f"127.0.0.1:{local.port}", "POST", "/", b'{"MaxResults": 10}', headers)
    assert status == 200 and "UserPools" in body


@pytest.mark.parametrize("host", ["localhost", "localhost:{port}", "LOCALHOST:{port}", "127.0.0.1:{port}",
                                  "127.1.2.3:{port}", "[::1]:{port}", "app.localhost:{port}", "localhost."])
def test_local_mode_answers_loopback_names(local: Server, host: str) -> None:
    status, body = _raw(local, host.format(port=local.port))
    assert (status, body) == (200, {"status": "ok"})


def test_hosted_ui_localhost_names_reach_the_identity_plane(local: Server) -> None:
    status, body = _raw(local, f"mydomain.auth.localhost:{local.port}", path="/login")
    assert status == 404 and "user pool domain mydomain" in body["text"]  # the hosted UI's own answer


def test_execute_api_localhost_reaches_the_data_plane(local: Server) -> None:
    status, body = _raw(local, f"nosuchapi.execute-api.localhost:{local.port}", path="/prod/x")
    assert status == 403 and body == {"message": "Forbidden"}  # the data plane's answer for an unknown API


def test_public_url_host_is_answered() -> None:
    srv = start_server("--no-demo", "--ephemeral", "--public-url", "http://poolgate.test:9999")
    try:
        assert _raw(srv, "poolgate.test:9999")[0] == 200
        assert _raw(srv, "other.test:9999")[0] == 421
    finally:
        stop_server(srv)


def test_signed_mode_answers_any_host() -> None:
    """With --credentials every call is verified, and poolgate may sit behind any name."""
    srv = start_server("--no-demo", "--ephemeral", "--credentials", f"{KEY.access_key}:{KEY.secret_key}",
                       allow_reset=False)
    try:
        assert _raw(srv, "gateway.example.com")[0] == 200
    finally:
        stop_server(srv)
