"""SigV4 as a server started with ``--credentials`` checks it, over raw HTTP (issue 11 #5): the scope must name the
plane's service, ``host`` and every ``x-amz-*`` header (``X-Amz-Target`` above all) must be signed, and the body
is hashed as received — on the cognito-idp JSON plane and the apigateway REST plane."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ..support import Server, start_server, stop_server

KEY = Credentials("AKIDSIGNEDMODE0001", "signed-mode-secret-key-000000000000000000")
ACCOUNT = "111122223333"
TARGET = "AWSCognitoIdentityProviderService."
JSON_11 = "application/x-amz-json-1.1"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = start_server("--no-demo", "--credentials", f"{KEY.access_key}:{KEY.secret_key}:{ACCOUNT}",
                       allow_reset=False)
    try:
        yield srv
    finally:
        stop_server(srv)


class _Signer(SigV4Auth):
    """botocore's signer, signing only the headers ``keep`` accepts (a hand-rolled or careless client)."""

    def __init__(self, keep: Callable[[str], bool], service: str) -> None:
        super().__init__(KEY, service, "us-east-1")
        self.keep = keep

    def headers_to_sign(self, request: AWSRequest) -> Any:
        full = super().headers_to_sign(request)
        for name in list(full.keys()):
            if not self.keep(name.lower()):
                del full[name]
        return full


def _call(server: Server, operation: str, params: dict[str, Any], *, service: str = "cognito-idp",
          keep: Callable[[str], bool] = lambda name: True, extra: dict[str, str] | None = None,
          swap_target: str | None = None, body: bytes | None = None) -> requests.Response:
    """A cognito-idp call signed by botocore, then sent as is, or with its target or body swapped."""
    data = json.dumps(params).encode()
    request = AWSRequest(method="POST", url=f"{server.url}/", data=data,
                         headers={"X-Amz-Target": TARGET + operation, "Content-Type": JSON_11, **(extra or {})})
    _Signer(keep, service).add_auth(request)
    headers = dict(request.headers.items())
    if swap_target:
        headers["X-Amz-Target"] = TARGET + swap_target
    return requests.post(f"{server.url}/", data=data if body is None else body, headers=headers, timeout=10)


def _error(response: requests.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["__type"], body["message"]


@pytest.fixture(scope="module")
def pool_id(server: Server) -> str:
    response = _call(server, "CreateUserPool", {"PoolName": "signed-mode"})
    assert response.status_code == 200, response.text
    return str(response.json()["UserPool"]["Id"])


def test_a_properly_signed_call_passes(server: Server, pool_id: str) -> None:
    response = _call(server, "DescribeUserPool", {"UserPoolId": pool_id})
    assert response.status_code == 200, response.text
    assert response.json()["UserPool"]["Arn"].endswith(f":{ACCOUNT}:userpool/{pool_id}")


def test_a_signature_scoped_to_s3_is_refused(server: Server, pool_id: str) -> None:
    assert _error(_call(server, "DescribeUserPool", {"UserPoolId": pool_id}, service="s3")) == (
        400, "InvalidSignatureException", "Credential should be scoped to correct service: 'cognito-idp'. ")


def test_a_signature_without_host_is_refused(server: Server, pool_id: str) -> None:
    assert _error(_call(server, "DescribeUserPool", {"UserPoolId": pool_id}, keep=lambda name: name != "host")) == (
        400, "InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")


def test_a_describe_replayed_as_delete_does_not_delete(server: Server) -> None:
    """A signature that leaves X-Amz-Target out no longer passes, so it cannot be replayed as another operation."""
    pool = _call(server, "CreateUserPool", {"PoolName": "replay-victim"}).json()["UserPool"]["Id"]
    unsigned_target = lambda name: name != "x-amz-target"  # noqa: E731
    replay = _call(server, "DescribeUserPool", {"UserPoolId": pool}, keep=unsigned_target,
                   swap_target="DeleteUserPool")
    assert _error(replay) == (400, "InvalidSignatureException",
                              "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.")
    assert _call(server, "DescribeUserPool", {"UserPoolId": pool}).status_code == 200  # still there


def test_an_unsigned_x_amz_header_is_refused(server: Server, pool_id: str) -> None:
    response = _call(server, "DescribeUserPool", {"UserPoolId": pool_id},
                     keep=lambda name: name != "x-amz-meta-note", extra={"X-Amz-Meta-Note": "added later"})
    assert _error(response) == (400, "InvalidSignatureException",
                                "'X-Amz-Meta-Note' must be a 'SignedHeader' in the AWS Authorization.")


def test_the_body_must_be_the_one_signed_whatever_x_amz_content_sha256_claims(server: Server) -> None:
    victim = _call(server, "CreateUserPool", {"PoolName": "body-swap-victim"}).json()["UserPool"]["Id"]
    decoy = _call(server, "CreateUserPool", {"PoolName": "body-swap-decoy"}).json()["UserPool"]["Id"]
    signed_body = json.dumps({"UserPoolId": decoy}).encode()
    claim = {"X-Amz-Content-SHA256": hashlib.sha256(signed_body).hexdigest()}
    response = _call(server, "DeleteUserPool", {"UserPoolId": decoy}, extra=claim,
                     body=json.dumps({"UserPoolId": victim}).encode())
    status, code, message = _error(response)
    assert (status, code) == (400, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match the signature you provided.")
    assert _call(server, "DescribeUserPool", {"UserPoolId": victim}).status_code == 200


def _apigateway(server: Server, *, service: str = "apigateway", keep: Callable[[str], bool] = lambda name: True,
                extra: dict[str, str] | None = None) -> requests.Response:
    url = f"{server.url}/restapis"
    request = AWSRequest(method="GET", url=url, headers=extra or {})
    _Signer(keep, service).add_auth(request)
    return requests.get(url, headers=dict(request.headers.items()), timeout=10)


def test_apigateway_plane() -> None:
    """The REST plane answers SigV4 failures with 403, ``x-amzn-ErrorType`` and ``{"message"}``."""
    srv = start_server("--no-demo", "--credentials", f"{KEY.access_key}:{KEY.secret_key}:{ACCOUNT}",
                       allow_reset=False)
    try:
        assert _apigateway(srv).status_code == 200

        def refused(response: requests.Response) -> tuple[int, str, str]:
            return response.status_code, response.headers["x-amzn-ErrorType"], response.json()["message"]

        assert refused(_apigateway(srv, service="s3")) == (
            403, "InvalidSignatureException", "Credential should be scoped to correct service: 'apigateway'. ")
        assert refused(_apigateway(srv, keep=lambda name: name != "host")) == (
            403, "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
        assert refused(_apigateway(srv, keep=lambda name: name != "x-amz-user-agent",
                                   extra={"X-Amz-User-Agent": "aws-sdk-js/3"})) == (
            403, "InvalidSignatureException",
            "'X-Amz-User-Agent' must be a 'SignedHeader' in the AWS Authorization.")
    finally:
        stop_server(srv)
