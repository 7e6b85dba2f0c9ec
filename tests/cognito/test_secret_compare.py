"""Client secrets and SECRET_HASH are compared in constant time, and odd text is a refusal, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from poolgate.cognito.access import same_secret


@pytest.mark.parametrize(("given", "expected", "same"), [
    ("s3cret", "s3cret", True),
    ("s3cret", "s3cres", False),
    ("", "s3cret", False),
    (None, "s3cret", False),
    ("s3crét", "s3cret", False),  # non-ASCII: hmac.compare_digest refuses str, so bytes are compared
    ("s3crét", "s3crét", True),
], ids=["equal", "different", "empty", "missing", "non-ascii-given", "non-ascii-both"])
def test_same_secret(given: str | None, expected: str, same: bool) -> None:
    assert same_secret(given, expected) is same


def test_non_ascii_secret_hash_is_not_authorized(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="secret-compare")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="confidential", GenerateSecret=True,
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                            "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    with pytest.raises(ClientError) as caught:
        idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "nobody", "PASSWORD": "Passw0rd!", "SECRET_HASH": "hésitant"})
    error = caught.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "NotAuthorizedException", f"Unable to verify secret hash for client {client['ClientId']}")
    with pytest.raises(ClientError) as caught:
        idp.revoke_token(Token="not-a-token", ClientId=client["ClientId"], ClientSecret="é" * 32)
    assert caught.value.response["Error"]["Code"] == "UnauthorizedException"
