"""Every cognito-idp operation, fed bad input over raw HTTP: always a 4xx JSON error of a type the operation's
botocore model declares (or a protocol-level one), never a 500 or a traceback (POOLGATE_STRICT_ERRORS=1 turns an
undeclared error type into a 500, so that is caught too)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poolgate.cognito import ops  # noqa: F401  (registers the operations)
from poolgate.cognito.service import COGNITO
from tests.conftest import cognito_client
from tests.support import Server, start_server, stop_server

from .helpers import HOSTILE_STRINGS, MALFORMED_TOKENS, WRONG_TYPES, assert_no_traceback

TARGET = "AWSCognitoIdentityProviderService."
PROTOCOL_ERRORS = {"InvalidParameterException", "SerializationException", "MissingAuthenticationTokenException",
                   "UnknownOperationException", "IncompleteSignatureException", "InvalidSignatureException",
                   "UnrecognizedClientException"}
PASSWORD = "Passw0rd!robust"
OPERATIONS = sorted(COGNITO.operations)
UNKNOWN_POOL = "us-east-1_NoSuchPool9"
UNKNOWN_CLIENT = "nosuchclient00000000000000"


@dataclass
class World:
    server: Server
    pool_id: str
    client_id: str
    access_token: str
    refresh_token: str


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    server = start_server("--no-demo")
    try:
        idp = cognito_client(server.url)
        pool_id = idp.create_user_pool(PoolName="robust")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="robust",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
        idp.create_group(UserPoolId=pool_id, GroupName="staff")
        tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})["AuthenticationResult"]
        yield World(server, pool_id, client_id, tokens["AccessToken"], tokens["RefreshToken"])
    finally:
        stop_server(server)


def call(world: World, operation: str, body: bytes | str, headers: dict[str, str] | None = None,
         sign: bool = True) -> requests.Response:
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    all_headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1", **(headers or {})}
    if sign:
        request = AWSRequest("POST", world.server.url + "/", data=data, headers=all_headers)
        SigV4Auth(Credentials("AKIDROBUST", "secret"), "cognito-idp", "us-east-1").add_auth(request)
        all_headers = dict(request.headers.items())
    return requests.post(world.server.url + "/", data=data, headers=all_headers, timeout=30)


def declared(operation: str) -> set[str]:
    return {shape.name for shape in COGNITO.operations[operation].model.error_shapes} | PROTOCOL_ERRORS


def assert_aws_error(response: requests.Response, operation: str, allow_ok: bool = True) -> None:
    """A clean answer: 200, or a 4xx JSON body with ``__type`` and ``message`` the operation may send."""
    assert_no_traceback(response.text)
    assert response.status_code < 500, (operation, response.status_code, response.text[:1000])
    if response.status_code == 200 and allow_ok:
        return
    assert response.status_code == 400, (operation, response.status_code, response.text[:1000])
    body = response.json()
    assert "__type" in body and "message" in body, body
    error_type = body["__type"].rsplit("#", 1)[-1]
    assert error_type in declared(operation), (operation, body)
    assert response.headers["x-amzn-errortype"] == f"{error_type}:"


# --- values a member may get -------------------------------------------------------------------------------

def plausible(world: World, shape: Shape, name: str, destructive: bool) -> st.SearchStrategy[Any]:
    """Valid-looking values naming unknown things (or, for harmless operations, the world's pool and client)."""
    if name == "UserPoolId":
        return st.sampled_from([UNKNOWN_POOL] if destructive else [UNKNOWN_POOL, world.pool_id])
    if name == "ClientId":
        return st.sampled_from([UNKNOWN_CLIENT] if destructive else [UNKNOWN_CLIENT, world.client_id])
    if name in ("AccessToken", "Session", "Token", "RefreshToken", "IdToken"):
        tampered = world.access_token.rsplit(".", 1)[0] + ".c2lnbmF0dXJl"
        return st.sampled_from([*MALFORMED_TOKENS, tampered, world.access_token[:-5]])
    if name in ("Username", "GroupName"):
        return st.sampled_from(["nobody-" + name.lower(), "alice@example.com", "staff-not"])
    if isinstance(shape, StructureShape):
        return st.fixed_dictionaries({}, optional={k: plausible(world, v, k, destructive)
                                                   for k, v in list(shape.members.items())[:12]})
    if isinstance(shape, ListShape):
        return st.lists(plausible(world, shape.member, name, destructive), max_size=2)
    if isinstance(shape, MapShape):
        return st.dictionaries(st.sampled_from(["k", "USERNAME", "PASSWORD", "SECRET_HASH", "REFRESH_TOKEN"]),
                               plausible(world, shape.value, name, destructive), max_size=3)
    kind = shape.type_name
    if kind == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        return st.sampled_from(["value", "Passw0rd!x", "123456", "https://example.com/cb"])
    if kind in ("integer", "long"):
        return st.integers(-2, 100)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.integers(0, 2**31)
    return st.just("AAAA")


HOSTILE_VALUE = st.one_of(
    st.sampled_from(WRONG_TYPES), st.sampled_from(HOSTILE_STRINGS),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                 max_leaves=6),
)
"""Wrong JSON types, over-long and hostile strings, nested garbage."""


def bodies(world: World, operation: str) -> st.SearchStrategy[dict[str, Any]]:
    model = COGNITO.operations[operation].model.input_shape
    destructive = operation.startswith(("Delete", "AdminDelete", "Update", "AdminDisable", "Set", "AdminSet",
                                        "AdminUserGlobal", "AdminRemove", "GlobalSignOut", "RevokeToken"))
    members = dict(model.members) if model is not None else {}
    base = st.fixed_dictionaries({}, optional={k: plausible(world, v, k, destructive) for k, v in members.items()})
    if not members:
        return base

    @st.composite
    def spoiled(draw: st.DrawFn) -> dict[str, Any]:
        body = draw(base)
        for name in draw(st.lists(st.sampled_from(sorted(members)), min_size=1, max_size=3, unique=True)):
            body[name] = draw(HOSTILE_VALUE)
        return body

    return st.one_of(base, spoiled())


# --- the tests ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("operation", OPERATIONS)
def test_empty_and_non_object_bodies(world: World, operation: str) -> None:
    unsigned = COGNITO.operations[operation].unsigned
    for body in (b"{}", b"", b"[]", b"null", b'"x"', b"12", b"{", b"\xff\xfe", b'{"a":' * 40):
        assert_aws_error(call(world, operation, body, sign=not unsigned), operation)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_hostile_members(world: World, operation: str) -> None:
    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(body=bodies(world, operation))
    def check(body: dict[str, Any]) -> None:
        text = json.dumps(body)
        assert_aws_error(call(world, operation, text, sign=not COGNITO.operations[operation].unsigned), operation)

    check()


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_member_with_each_wrong_type(world: World, operation: str) -> None:
    model = COGNITO.operations[operation].model.input_shape
    if model is None:
        pytest.skip(f"{operation} takes no input")
    unsigned = COGNITO.operations[operation].unsigned
    rng = random.Random(operation)
    for name in model.members:
        value = rng.choice([*WRONG_TYPES, *HOSTILE_STRINGS])
        body = {"UserPoolId": UNKNOWN_POOL, "ClientId": UNKNOWN_CLIENT, name: value}
        assert_aws_error(call(world, operation, json.dumps(body), sign=not unsigned), operation)


def test_unsigned_call_of_a_signed_operation(world: World) -> None:
    response = call(world, "ListUserPools", b'{"MaxResults": 1}', sign=False)
    assert response.status_code == 400
    assert response.json()["__type"] == "MissingAuthenticationTokenException"


@pytest.mark.parametrize("authorization", [
    "", "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "Bearer x",
    "AWS4-HMAC-SHA512 Credential=a/b/c/d/aws4_request",
    "AWS4-HMAC-SHA256 Credential=a/b/aws4_request, SignedHeaders=host, Signature=00", "AWS4-HMAC-SHA256 ,,,=,=",
], ids=["empty", "algorithm-only", "empty-credential", "bearer", "unknown-algorithm", "short-scope", "garbage-pairs"])
def test_malformed_sigv4_is_a_signature_error(world: World, authorization: str) -> None:
    response = call(world, "ListUserPools", b'{"MaxResults": 1}', sign=False,
                    headers={"Authorization": authorization, "X-Amz-Date": "20240101T000000Z"})
    assert response.status_code == 400, response.text
    assert response.json()["__type"] in {"IncompleteSignatureException", "MissingAuthenticationTokenException"}


@pytest.mark.parametrize("target", ["", "Nope", TARGET, TARGET + "NoSuchOperation", TARGET + "ListUserPools.x",
                                    "Other.ListUserPools"])
def test_unknown_targets(world: World, target: str) -> None:
    response = requests.post(world.server.url + "/", data=b"{}", headers={"X-Amz-Target": target}, timeout=10)
    assert response.status_code in (400, 404), response.text
    assert_no_traceback(response.text)


# --- regressions: each of these answered 500 before its fix ----------------------------------------------------

def test_control_characters_in_the_error_message_header(world: World) -> None:
    # The validation message quotes the value; a NUL or CR in it made the x-amzn-errormessage header invalid,
    # and uvicorn dropped the connection.
    response = call(world, "CreateUserPool", json.dumps({"PoolName": "bad\r\nname\x01"}))
    assert_aws_error(response, "CreateUserPool", allow_ok=False)
    assert "\n" not in response.headers["x-amzn-errormessage"]


def test_blob_of_the_wrong_type(world: World) -> None:
    # SetUICustomization's ImageFile is a blob (base64 text): a number reached base64.b64decode.
    response = call(world, "SetUICustomization", json.dumps({"UserPoolId": world.pool_id, "ImageFile": 12}))
    assert_aws_error(response, "SetUICustomization", allow_ok=False)
    assert response.json()["__type"] == "InvalidParameterException"


def test_null_member_is_an_absent_member(world: World) -> None:
    # SignUp with "Password": null passed the "Password" in params check and reached len(None).
    response = call(world, "SignUp", json.dumps({"ClientId": world.client_id, "Username": "nully",
                                                  "Password": None}), sign=False)
    assert_aws_error(response, "SignUp", allow_ok=False)


def test_null_members_are_not_stored(world: World) -> None:
    # Before: the client's config kept every member as sent, so "EnableTokenRevocation": null turned revocation
    # off and unknown members were stored and echoed back.
    response = call(world, "CreateUserPoolClient", json.dumps({
        "UserPoolId": world.pool_id, "ClientName": "nulls", "ExplicitAuthFlows": None, "TokenValidityUnits": None,
        "AccessTokenValidity": None, "EnableTokenRevocation": None, "Garbage": {"x": [1]}}))
    assert response.status_code == 200, response.text
    client_id = response.json()["UserPoolClient"]["ClientId"]
    described = call(world, "DescribeUserPoolClient", json.dumps({"UserPoolId": world.pool_id,
                                                                  "ClientId": client_id})).json()["UserPoolClient"]
    assert "Garbage" not in described
    assert None not in described.values(), described


@pytest.mark.parametrize("body", [
    '{"ClientId": "%s", "Username": "\\ud800", "Password": "Passw0rd!x"}',
    '{"ClientId": "%s", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "\\udfff", "PASSWORD": "x"}}',
], ids=["signup", "initiate-auth"])
def test_lone_surrogates(world: World, body: str) -> None:
    # Legal JSON escapes, but no UTF-8 store or hash takes them: a UnicodeEncodeError in find_user.
    operation = "SignUp" if "Password" in body else "InitiateAuth"
    response = call(world, operation, body % world.client_id, sign=False)
    assert_aws_error(response, operation, allow_ok=False)
    assert response.json()["__type"] == "SerializationException"


def test_nul_characters(world: World) -> None:
    # PostgreSQL refuses U+0000 in text (CharacterNotInRepertoireError): rejected by validation for every backend.
    response = call(world, "AdminGetUser", json.dumps({"UserPoolId": world.pool_id, "Username": "a\x00b"}))
    assert_aws_error(response, "AdminGetUser", allow_ok=False)
    assert response.json()["__type"] == "InvalidParameterException"
    response = call(world, "InitiateAuth", json.dumps({
        "ClientId": world.client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "alice\x00", "PASSWORD": PASSWORD}}), sign=False)
    assert response.json()["__type"] == "InvalidParameterException"


@pytest.mark.parametrize("body", [b"[" * 100000 + b"]" * 100000, b'{"a":' * 100000 + b"1" + b"}" * 100000],
                         ids=["lists", "objects"])
def test_deeply_nested_json(world: World, body: bytes) -> None:
    # json.loads raised RecursionError, which is not a ValueError.
    response = call(world, "ListUserPools", body)
    assert_aws_error(response, "ListUserPools", allow_ok=False)
    assert response.json()["__type"] == "SerializationException"


def test_revoke_token_with_an_unknown_client(world: World) -> None:
    # RevokeToken declares no ResourceNotFoundException.
    response = call(world, "RevokeToken", json.dumps({"ClientId": UNKNOWN_CLIENT, "Token": "eyJj.a.b.c.d"}),
                    sign=False)
    assert_aws_error(response, "RevokeToken", allow_ok=False)
    assert response.json()["__type"] == "UnauthorizedException"


def test_stored_data_survives(world: World) -> None:
    """After all the above (same module, same server), the pool, its client and user still work."""
    idp = cognito_client(world.server.url)
    assert idp.describe_user_pool(UserPoolId=world.pool_id)["UserPool"]["Id"] == world.pool_id
    idp.list_users(UserPoolId=world.pool_id)
    idp.list_groups(UserPoolId=world.pool_id)
    idp.list_user_pools(MaxResults=60)
    for client in idp.list_user_pool_clients(UserPoolId=world.pool_id, MaxResults=60)["UserPoolClients"]:
        idp.describe_user_pool_client(UserPoolId=world.pool_id, ClientId=client["ClientId"])
    idp.get_ui_customization(UserPoolId=world.pool_id)
    tokens = idp.initiate_auth(ClientId=world.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                               AuthParameters={"REFRESH_TOKEN": world.refresh_token})
    assert tokens["AuthenticationResult"]["AccessToken"]
