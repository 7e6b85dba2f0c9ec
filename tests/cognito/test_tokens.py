"""ID and access tokens: signatures checked by PyJWT against the JWKS fetched over HTTP, exact claim sets,
validity from the client's settings, discovery, and AWS's issuer on request."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests
from jwt import PyJWKClient

from ..conftest import cognito_client
from ..support import Server, start_server, stop_server
from .helpers import admin_user, error_of, new_client, new_pool, sign_in

# Golden claim sets (docs: "Understanding the identity token" / "access token"; real tokens from API sign-in).
ID_CLAIMS = {"sub", "email_verified", "iss", "cognito:username", "origin_jti", "aud", "event_id", "token_use",
             "auth_time", "exp", "iat", "jti", "email"}
ACCESS_CLAIMS = {"sub", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope", "auth_time", "exp",
                 "iat", "jti", "username"}


def _header(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


def _verify(token: str, jwks_uri: str, issuer: str, audience: str | None = None) -> dict[str, Any]:
    key = PyJWKClient(jwks_uri, cache_keys=False).get_signing_key_from_jwt(token)
    options = {"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": audience is not None}
    return dict(jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer, audience=audience,
                           options=options))


def _signed_in(idp: Any, pool_params: dict[str, Any] | None = None, **client_params: Any
               ) -> tuple[str, str, dict[str, Any]]:
    pool_id = new_pool(idp, **(pool_params or {}))
    client_id = new_client(idp, pool_id, **client_params)["ClientId"]
    admin_user(idp, pool_id, "carol", email="carol@example.com", email_verified="true")
    return pool_id, client_id, sign_in(idp, client_id, "carol")


def test_tokens_verify_with_jwks_over_http(server: Server, idp: Any) -> None:
    pool_id, client_id, tokens = _signed_in(idp)
    issuer = f"{server.url}/{pool_id}"
    jwks_uri = f"{issuer}/.well-known/jwks.json"
    jwks = requests.get(jwks_uri, timeout=10)
    assert jwks.status_code == 200 and jwks.headers["content-type"].startswith("application/json")
    keys = jwks.json()["keys"]
    assert len(keys) == 2
    for key in keys:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["alg"], key["kty"], key["e"], key["use"]) == ("RS256", "RSA", "AQAB", "sig")
        assert len(base64.b64decode(key["kid"])) == 32

    id_header, access_header = _header(tokens["IdToken"]), _header(tokens["AccessToken"])
    assert set(id_header) == {"kid", "alg"} and id_header["alg"] == "RS256"
    assert set(access_header) == {"kid", "alg"} and access_header["alg"] == "RS256"
    assert id_header["kid"] != access_header["kid"]  # ID and access tokens are signed with different keys
    assert {id_header["kid"], access_header["kid"]} == {k["kid"] for k in keys}

    id_claims = _verify(tokens["IdToken"], jwks_uri, issuer, audience=client_id)
    access_claims = _verify(tokens["AccessToken"], jwks_uri, issuer)
    assert set(id_claims) == ID_CLAIMS
    assert set(access_claims) == ACCESS_CLAIMS
    assert "aud" not in access_claims
    assert id_claims["sub"] == access_claims["sub"]
    assert id_claims["cognito:username"] == access_claims["username"] == "carol"
    assert id_claims["email"] == "carol@example.com" and id_claims["email_verified"] is True
    assert (id_claims["token_use"], access_claims["token_use"]) == ("id", "access")
    assert access_claims["client_id"] == id_claims["aud"] == client_id
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert id_claims["origin_jti"] == access_claims["origin_jti"]
    assert id_claims["event_id"] == access_claims["event_id"]
    assert id_claims["jti"] != access_claims["jti"]
    for claims in (id_claims, access_claims):
        assert claims["exp"] - claims["iat"] == 3600
        assert isinstance(claims["auth_time"], int) and claims["auth_time"] <= claims["iat"]

    # A token from another pool's keys, or a tampered one, does not verify.
    _, _, other = _signed_in(idp)
    with pytest.raises(jwt.PyJWTError):
        _verify(other["IdToken"], jwks_uri, issuer, audience=client_id)
    head, _, signature = tokens["IdToken"].split(".")
    forged = dict(id_claims, **{"cognito:username": "mallory"})
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        _verify(f"{head}.{forged_payload}.{signature}", jwks_uri, issuer, audience=client_id)


def test_groups_claim_in_both_tokens(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    client_id = new_client(idp, pool_id)["ClientId"]
    admin_user(idp, pool_id, "dave", email="dave@example.com")
    for name, precedence in (("readers", 5), ("admins", 1)):
        idp.create_group(UserPoolId=pool_id, GroupName=name, Precedence=precedence)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="dave", GroupName=name)
    tokens = sign_in(idp, client_id, "dave")
    id_claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert set(id_claims) == (ID_CLAIMS - {"email_verified"}) | {"cognito:groups"}  # e-mail set, never verified
    assert set(access_claims) == ACCESS_CLAIMS | {"cognito:groups"}
    assert id_claims["cognito:groups"] == access_claims["cognito:groups"] == ["admins", "readers"]


@pytest.mark.parametrize(("settings", "id_seconds", "access_seconds"), [
    ({"IdTokenValidity": 5, "AccessTokenValidity": 2,
      "TokenValidityUnits": {"IdToken": "minutes"}}, 300, 7200),
    ({"IdTokenValidity": 1, "AccessTokenValidity": 900,
      "TokenValidityUnits": {"IdToken": "days", "AccessToken": "seconds"}}, 86400, 900),
], ids=["minutes-and-default-hours", "days-and-seconds"])
def test_validity_follows_client_settings(server: Server, idp: Any, settings: dict[str, Any], id_seconds: int,
                                          access_seconds: int) -> None:
    _, _, tokens = _signed_in(idp, **settings)
    id_claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert id_claims["exp"] - id_claims["iat"] == id_seconds
    assert access_claims["exp"] - access_claims["iat"] == access_seconds
    assert tokens["ExpiresIn"] == access_seconds


def test_validity_out_of_range_is_refused(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    err = error_of(idp.create_user_pool_client, UserPoolId=pool_id, ClientName="c", AccessTokenValidity=2,
                   TokenValidityUnits={"AccessToken": "days"})
    assert (err.code, err.status) == ("InvalidParameterException", 400)


def test_openid_configuration(server: Server, idp: Any) -> None:
    pool_id = new_pool(idp)
    issuer = f"{server.url}/{pool_id}"
    document = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == issuer
    assert document["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["subject_types_supported"] == ["public"]
    missing = requests.get(f"{server.url}/us-east-1_nosuchpool/.well-known/jwks.json", timeout=10)
    assert missing.status_code == 404


def test_pool_tag_selects_aws_issuer(server: Server, idp: Any) -> None:
    pool_id, client_id, tokens = _signed_in(idp, {"UserPoolTags": {"poolgate:issuer": "aws"}})
    aws_issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    jwks_uri = f"{server.url}/{pool_id}/.well-known/jwks.json"  # still served by poolgate
    assert _verify(tokens["IdToken"], jwks_uri, aws_issuer, audience=client_id)["iss"] == aws_issuer
    assert _verify(tokens["AccessToken"], jwks_uri, aws_issuer)["iss"] == aws_issuer
    document = requests.get(f"{server.url}/{pool_id}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == aws_issuer and document["jwks_uri"] == jwks_uri
    # poolgate still accepts its own tokens with AWS's issuer.
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "carol"


@pytest.fixture(scope="module")
def aws_issuer_server() -> Iterator[Server]:
    srv = start_server("--no-demo", "--aws-issuer", "--region", "eu-central-1")
    try:
        yield srv
    finally:
        stop_server(srv)


def test_server_flag_selects_aws_issuer(aws_issuer_server: Server) -> None:
    idp = cognito_client(aws_issuer_server.url, region="eu-central-1")
    pool_id, client_id, tokens = _signed_in(idp)
    assert pool_id.startswith("eu-central-1_")
    claims = _verify(tokens["IdToken"], f"{aws_issuer_server.url}/{pool_id}/.well-known/jwks.json",
                     f"https://cognito-idp.eu-central-1.amazonaws.com/{pool_id}", audience=client_id)
    assert claims["cognito:username"] == "carol"
    # A pool may opt out of the server-wide default.
    own_pool, _, own = _signed_in(idp, {"UserPoolTags": {"poolgate:issuer": "poolgate"}})
    assert jwt.decode(own["AccessToken"], options={"verify_signature": False})["iss"] == \
        f"{aws_issuer_server.url}/{own_pool}"
