"""UserMigration is a path that creates users too (issue 11 item 1: uniqueness in every path): sign-ins of one
unknown legacy user fired at once (a double-clicked button, two tabs) make one user, and every one of them signs
in, instead of the losers failing on the username the winner just took."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from ..conftest import cognito_client
from .conftest import LiveServer, make_pool

AT_ONCE = 16


def test_concurrent_sign_ins_of_one_legacy_user_migrate_it_once(live: LiveServer) -> None:
    idp = cognito_client(live.url, max_pool_connections=AT_ONCE)
    pool, client, _ = make_pool(idp, triggers=["UserMigration"])
    barrier = threading.Barrier(AT_ONCE)

    def sign_in(password: str) -> str:
        barrier.wait(timeout=30)
        try:
            result: dict[str, Any] = idp.initiate_auth(
                ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "gil", "PASSWORD": password})
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "tokens" if "AuthenticationResult" in result else "challenge"

    with ThreadPoolExecutor(AT_ONCE) as threads:
        outcomes = list(threads.map(sign_in, ["Legacy-Passw0rd!"] * AT_ONCE))
    assert outcomes == ["tokens"] * AT_ONCE
    users = idp.list_users(UserPoolId=pool)["Users"]
    assert [u["Username"] for u in users] == ["gil"]
