"""AWS_IAM authorization and resource policies end to end (reference §6): requests signed with botocore's
SigV4 signer (header and presigned query forms) from principals declared under ``iam:``, and
``aws:SourceIp`` conditions in a resource policy for unauthenticated methods."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
import requests
import yaml
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

from tests.support import Server, start_server, stop_server

API = "iamapi0001"
IP_API = "ipapi00001"
ACCOUNT = "000000000000"
OTHER = "111122223333"
ALICE = Credentials("AKIAALICE00000000001", "alice-secret-key-0000000000000000000000")
NOBODY = Credentials("AKIANOPOLICY00000001", "nopolicy-secret-key-00000000000000000000")
CAROL = Credentials("AKIACAROL00000000001", "carol-secret-key-0000000000000000000000")
OLD = Credentials("AKIAOLDKEY0000000001", "old-secret-key-000000000000000000000000")
INVOKE_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
                                                      "Resource": "arn:aws:execute-api:*:*:*"}]}

BACKEND = '''
import json


def explode(event, context):
    raise RuntimeError("an authorizer that must not run")


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps({"identity": event["requestContext"]["identity"],
                                                   "body": event["body"]})}
'''


def _statement(effect: str, resource: str, principal: Any = "*", **condition: Any) -> dict[str, Any]:
    statement = {"Effect": effect, "Principal": principal, "Action": "execute-api:Invoke", "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("iam")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "backend.py").write_text(BACKEND)
    echo = {"integration": {"type": "AWS_PROXY", "function": "echo"}}
    iam_method = {"authorization": "AWS_IAM", **echo}
    config = {
        "functions": {"echo": {"handler": "backend.echo", "code": "./functions"},
                      "explode": {"handler": "backend.explode", "code": "./functions"}},
        "iam": {
            "accounts": [ACCOUNT, OTHER],
            "users": [
                {"account": ACCOUNT, "name": "alice", "policies": [INVOKE_ALL],
                 "accessKeys": [{"id": ALICE.access_key, "secret": ALICE.secret_key},
                                {"id": OLD.access_key, "secret": OLD.secret_key, "status": "Inactive"}]},
                {"account": ACCOUNT, "name": "nopolicy",
                 "accessKeys": [{"id": NOBODY.access_key, "secret": NOBODY.secret_key}]},
                {"account": OTHER, "name": "carol", "policies": [INVOKE_ALL],
                 "accessKeys": [{"id": CAROL.access_key, "secret": CAROL.secret_key}]},
            ],
        },
        "apis": [{
            "id": API, "name": "IAM",
            "policy": {"Version": "2012-10-17", "Statement": [
                _statement("Allow", "execute-api:/*/GET/granted", {"AWS": f"arn:aws:iam::{OTHER}:user/carol"}),
                _statement("Allow", "execute-api:/*/GET/shared", "*"),
                _statement("Deny", "execute-api:/*/GET/denied", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}),
            ]},
            "resources": {"/private": {"GET": iam_method, "POST": iam_method}, "/granted": {"GET": iam_method},
                          "/shared": {"GET": iam_method}, "/denied": {"GET": iam_method}},
        }, {
            "id": IP_API, "name": "Source IP",
            "policy": {"Version": "2012-10-17", "Statement": [
                _statement("Allow", "execute-api:/*/GET/open"),
                _statement("Allow", "execute-api:/*/GET/blocked*"),
                _statement("Deny", "execute-api:/*/GET/blocked*", NotIpAddress={"aws:SourceIp": "10.0.0.0/8"}),
                _statement("Allow", "execute-api:/*/GET/elsewhere", IpAddress={"aws:SourceIp": "10.0.0.0/8"}),
            ]},
            "authorizers": {"Explode": {"type": "TOKEN", "function": "explode"}},
            "resources": {"/open": {"GET": echo}, "/blocked": {"GET": echo}, "/elsewhere": {"GET": echo},
                          "/blocked-lambda": {"GET": {"authorizer": "Explode", **echo}}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    srv = start_server("--config", str(path))
    try:
        yield srv
    finally:
        stop_server(srv)


def _url(server: Server, path: str, api: str = API) -> str:
    return f"{server.url}/restapis/{api}/prod/_user_request_{path}"


def _signed(server: Server, credentials: Credentials, path: str, method: str = "GET", body: bytes = b"",
            send_body: bytes | None = None) -> requests.Response:
    url = _url(server, path)
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
    return requests.request(method, url, headers=dict(request.headers.items()),
                            data=body if send_body is None else send_body)


def _error(response: requests.Response, message: str, error_type: str, key: str = "message") -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {key: message}
    assert response.headers["x-amzn-ErrorType"] == error_type


def _denied(user: str, path: str, explicit: bool = False, api: str = API) -> str:
    arn = f"arn:aws:execute-api:us-east-1:********0000:{api}/prod/GET{path}"
    return f"User: {user} is not authorized to perform: execute-api:Invoke on resource: {arn}" + (
        " with an explicit deny" if explicit else "")


def test_same_account_user_with_an_identity_policy(server: Server) -> None:
    response = _signed(server, ALICE, "/private")
    assert response.status_code == 200, response.text
    identity = response.json()["identity"]
    assert identity["accessKey"] == ALICE.access_key
    assert identity["accountId"] == ACCOUNT
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert identity["caller"] == identity["user"]
    assert identity["user"].startswith("AIDA")


def test_signed_body(server: Server) -> None:
    response = _signed(server, ALICE, "/private", "POST", b'{"pet": 1}')
    assert response.status_code == 200, response.text
    assert response.json()["body"] == '{"pet": 1}'


def test_same_account_user_without_policy_needs_a_resource_policy_allow(server: Server) -> None:
    _error(_signed(server, NOBODY, "/private"),
           _denied(f"arn:aws:iam::{ACCOUNT}:user/nopolicy", "/private"), "AccessDeniedException", "Message")
    assert _signed(server, NOBODY, "/shared").status_code == 200


def test_cross_account_user_needs_the_resource_policy_grant(server: Server) -> None:
    carol = f"arn:aws:iam::{OTHER}:user/carol"
    _error(_signed(server, CAROL, "/private"), _denied(carol, "/private"), "AccessDeniedException", "Message")
    assert _signed(server, CAROL, "/granted").status_code == 200
    assert _signed(server, CAROL, "/shared").status_code == 200


def test_resource_policy_explicit_deny_wins(server: Server) -> None:
    _error(_signed(server, ALICE, "/denied"),
           _denied(f"arn:aws:iam::{ACCOUNT}:user/alice", "/denied", explicit=True),
           "AccessDeniedException", "Message")


def test_tampered_body(server: Server) -> None:
    response = _signed(server, ALICE, "/private", "POST", b'{"amount": 1}', send_body=b'{"amount": 1000}')
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    assert response.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
        "Access Key and signing method. Consult the service documentation for details.")


def test_expired_signature(server: Server) -> None:
    then = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    with mock.patch("botocore.auth.get_current_datetime", return_value=then):
        response = _signed(server, ALICE, "/private")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    message = response.json()["message"]
    assert message.startswith(f"Signature expired: {then.strftime('%Y%m%dT%H%M%SZ')} is now earlier than ")
    assert message.endswith(" - 5 min.)")


def test_presigned_query_string(server: Server) -> None:
    url = _url(server, "/private")
    request = AWSRequest(method="GET", url=url)
    SigV4QueryAuth(ALICE, "execute-api", "us-east-1", expires=300).add_auth(request)
    assert "X-Amz-Signature=" in request.url
    response = requests.get(request.url)
    assert response.status_code == 200, response.text
    assert response.json()["identity"]["accessKey"] == ALICE.access_key


@pytest.mark.parametrize("credentials", [Credentials("AKIAUNKNOWN000000001", "x" * 40), OLD],
                         ids=["unknown", "inactive"])
def test_unknown_access_key(server: Server, credentials: Credentials) -> None:
    _error(_signed(server, credentials, "/private"), "The security token included in the request is invalid.",
           "UnrecognizedClientException")


def test_wrong_secret(server: Server) -> None:
    response = _signed(server, Credentials(ALICE.access_key, "wrong-secret"), "/private")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "InvalidSignatureException"


def test_unsigned_request(server: Server) -> None:
    _error(requests.get(_url(server, "/private")), "Missing Authentication Token",
           "MissingAuthenticationTokenException")


def test_bearer_token_on_an_iam_method(server: Server) -> None:
    digest = base64.b64encode(hashlib.sha256(b"Bearer abc").digest()).decode()
    _error(requests.get(_url(server, "/private"), headers={"Authorization": "Bearer abc"}),
           "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded "
           f"with Base64): '{digest}'.", "IncompleteSignatureException")
    # key=value pairs under another scheme: AWS asks for the SigV4 parts instead
    _error(requests.get(_url(server, "/private"), headers={"Authorization": "Basic dXNlcjpwYXNz="}),
           "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' "
           "parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires "
           "existence of either a 'X-Amz-Date' or a 'Date' header.", "IncompleteSignatureException")


@pytest.mark.parametrize(("region", "service", "message"), [
    ("eu-west-1", "execute-api", "Credential should be scoped to a valid region, not 'eu-west-1'. "),
    ("us-east-1", "lambda", "Credential should be scoped to correct service: 'execute-api'. "),
    ("eu-west-1", "lambda", "Credential should be scoped to a valid region, not 'eu-west-1'. "
                            "Credential should be scoped to correct service: 'execute-api'. "),
], ids=["region", "service", "both"])
def test_credential_scope_must_name_the_apis_region_and_service(server: Server, region: str, service: str,
                                                                message: str) -> None:
    url = _url(server, "/private")
    request = AWSRequest(method="GET", url=url, headers={"Content-Type": "application/json"})
    SigV4Auth(ALICE, service, region).add_auth(request)
    _error(requests.get(url, headers=dict(request.headers.items())), message, "InvalidSignatureException")


def test_secret_keys_never_reach_the_log(server: Server) -> None:
    _signed(server, ALICE, "/private")
    _signed(server, Credentials(ALICE.access_key, "wrong-secret"), "/private")
    log = server.log()
    for secret in (ALICE.secret_key, NOBODY.secret_key, CAROL.secret_key, OLD.secret_key):
        assert secret not in log


def test_source_ip_allowed(server: Server) -> None:
    assert requests.get(_url(server, "/open", IP_API)).status_code == 200


def test_source_ip_explicit_deny(server: Server) -> None:
    _error(requests.get(_url(server, "/blocked", IP_API)), _denied("anonymous", "/blocked", True, IP_API),
           "AccessDeniedException", "Message")


def test_source_ip_allow_for_another_range_only(server: Server) -> None:
    _error(requests.get(_url(server, "/elsewhere", IP_API)), _denied("anonymous", "/elsewhere", False, IP_API),
           "AccessDeniedException", "Message")


def test_lambda_authorizer_is_not_called_when_the_resource_policy_denies(server: Server) -> None:
    # the authorizer function raises: had it run, the answer would be a 500
    _error(requests.get(_url(server, "/blocked-lambda", IP_API), headers={"Authorization": "t"}),
           _denied("anonymous", "/blocked-lambda", True, IP_API), "AccessDeniedException", "Message")


# --- issue 11 #21: a space in the query string (botocore, requests-aws4auth and Postman got 403 before) ---

@pytest.mark.parametrize("params", [{"q": "a b"}, {"q": "two  spaces + plus", "name": "zoë"}, {"q": "a b", "r": ""}],
                         ids=["space", "plus-and-utf8", "empty-value"])
def test_botocore_signed_query_with_spaces(server: Server, params: dict[str, str]) -> None:
    """The URL as botocore's serializers write it (``percent_encode_sequence``: a space is %20), signed by
    SigV4Auth."""
    url = f"{_url(server, '/private')}?{percent_encode_sequence(params)}"
    assert "%20" in url
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(ALICE, "execute-api", "us-east-1").add_auth(request)
    response = requests.get(url, headers=dict(request.headers.items()), timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["identity"]["accessKey"] == ALICE.access_key


@pytest.mark.parametrize("params", [{"q": "a b"}, {"q": "two  spaces + plus", "name": "zoë"}],
                         ids=["space", "plus-and-utf8"])
def test_requests_aws4auth_signed_query_with_spaces(server: Server, params: dict[str, str]) -> None:
    from requests_aws4auth import AWS4Auth

    auth = AWS4Auth(ALICE.access_key, ALICE.secret_key, "us-east-1", "execute-api")
    response = requests.get(_url(server, "/private"), params=params, auth=auth, timeout=10)
    assert "+" in (response.request.url or "")  # requests writes a space as '+'
    assert response.status_code == 200, response.text


def test_presigned_query_with_a_space(server: Server) -> None:
    request = AWSRequest(method="GET", url=_url(server, "/private") + "?q=a%20b")
    SigV4QueryAuth(ALICE, "execute-api", "us-east-1", expires=300).add_auth(request)
    assert requests.get(request.url, timeout=10).status_code == 200


# --- issue 11 #5: host and every x-amz-* header must be signed on AWS_IAM methods too ---

class _SkippingSigner(SigV4Auth):
    def __init__(self, skip: str) -> None:
        super().__init__(ALICE, "execute-api", "us-east-1")
        self.skip = skip

    def headers_to_sign(self, request: AWSRequest) -> Any:
        full = super().headers_to_sign(request)
        for name in list(full.keys()):
            if name.lower() == self.skip:
                del full[name]
        return full


@pytest.mark.parametrize(("skip", "extra", "message"), [
    ("host", {}, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."),
    ("x-amz-security-token", {"X-Amz-Security-Token": "token"},
     "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."),
], ids=["host", "x-amz-header"])
def test_unsigned_host_or_x_amz_header(server: Server, skip: str, extra: dict[str, str], message: str) -> None:
    url = _url(server, "/private")
    request = AWSRequest(method="GET", url=url, headers=extra)
    _SkippingSigner(skip).add_auth(request)
    _error(requests.get(url, headers=dict(request.headers.items()), timeout=10), message,
           "InvalidSignatureException")


def test_signature_scoped_to_s3(server: Server) -> None:
    url = _url(server, "/private")
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(ALICE, "s3", "us-east-1").add_auth(request)
    _error(requests.get(url, headers=dict(request.headers.items()), timeout=10),
           "Credential should be scoped to correct service: 'execute-api'. ", "InvalidSignatureException")
