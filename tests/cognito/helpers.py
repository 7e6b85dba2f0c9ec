"""Helpers for the user-pool tests: fresh pools and clients per test, codes from the outbox, error capture."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from botocore.exceptions import ClientError

from ..support import Server

PASSWORD = "Passw0rd!"
NEW_PASSWORD = "N3w-Passw0rd"
PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
ADMIN_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def new_pool(idp: Any, **params: Any) -> str:
    """A fresh pool (its own name) with ``params`` passed to CreateUserPool; returns its id."""
    return str(idp.create_user_pool(PoolName=unique("pool"), **params)["UserPool"]["Id"])


def new_client(idp: Any, pool_id: str, flows: list[str] | None = None, **params: Any) -> dict[str, Any]:
    """A fresh app client (password and refresh flows unless ``flows`` says otherwise); returns its description."""
    params.setdefault("ExplicitAuthFlows", flows if flows is not None else ADMIN_FLOWS)
    client: dict[str, Any] = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=unique("client"),
                                                         **params)["UserPoolClient"]
    return client


def pool_and_client(idp: Any, pool: dict[str, Any] | None = None, client: dict[str, Any] | None = None
                    ) -> tuple[str, str]:
    pool_id = new_pool(idp, **(pool or {}))
    return pool_id, str(new_client(idp, pool_id, **(client or {}))["ClientId"])


def admin_user(idp: Any, pool_id: str, username: str, password: str = PASSWORD, **attributes: str) -> None:
    """A CONFIRMED user made by an administrator (no codes involved)."""
    attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS",
                          TemporaryPassword=password)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def sign_in(idp: Any, client_id: str, username: str, password: str = PASSWORD, **auth: str) -> dict[str, Any]:
    """USER_PASSWORD_AUTH; returns the AuthenticationResult (fails if a challenge came back)."""
    response = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": username, "PASSWORD": password, **auth})
    assert "AuthenticationResult" in response, response
    result: dict[str, Any] = response["AuthenticationResult"]
    return result


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class AwsError:
    code: str
    message: str
    status: int


def error_of(call: Any, *args: Any, **kwargs: Any) -> AwsError:
    """Call a boto3 operation that must fail; returns its error code, message and HTTP status."""
    try:
        call(*args, **kwargs)
    except ClientError as exc:
        err = exc.response["Error"]
        return AwsError(err["Code"], err.get("Message", ""), exc.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded but was expected to fail")


@dataclass(frozen=True)
class OutboxEntry:
    purpose: str
    username: str
    destination: str
    code: str


def outbox(server: Server, pool_id: str, username: str | None = None) -> list[OutboxEntry]:
    """The outbox of ``pool_id`` as ``poolgate codes`` prints it (oldest first)."""
    cmd = [sys.executable, "-m", "poolgate.cli", "codes", "--pool", pool_id]
    if username:
        cmd += ["--user", username]
    if server.database_url:
        cmd += ["--database-url", server.database_url]
    else:
        cmd += ["--data-dir", str(server.data_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if done.returncode not in (0, 1):
        raise AssertionError(f"poolgate codes failed: {done.stderr}")
    entries = []
    for line in done.stdout.splitlines():
        purpose, user, destination, code = line.split("\t")
        entries.append(OutboxEntry(purpose, user, destination, code))
    return entries


def code_from_outbox(server: Server, pool_id: str, username: str, purpose: str) -> str:
    codes = [e.code for e in outbox(server, pool_id, username) if e.purpose == purpose]
    assert codes, f"no {purpose} code for {username} in the outbox of {pool_id}"
    return codes[-1]


def code_from_log(server: Server, pool_id: str, username: str, purpose: str, wait: float = 5.0) -> str:
    """The latest code the server logged for ``username``: the log line a developer reads."""
    pattern = re.compile(rf"outbox {re.escape(purpose)} {re.escape(pool_id)}/{re.escape(username)} to \S+: (\S+)")
    deadline = time.monotonic() + wait
    while True:
        found = pattern.findall(server.log())
        if found:
            return str(found[-1])
        if time.monotonic() > deadline:
            raise AssertionError(f"no {purpose} code for {username} in the server log")
        time.sleep(0.05)


def signed_up_user(idp: Any, server: Server, pool_id: str, client_id: str, username: str,
                   email: str | None = None, password: str = PASSWORD, stored_as_sub: bool = False) -> str:
    """SignUp + ConfirmSignUp with the code from the log; returns the user's sub.

    ``stored_as_sub``: the pool signs in by e-mail (UsernameAttributes), so the stored username is the sub.
    """
    attrs = [{"Name": "email", "Value": email or (username if "@" in username else f"{username}@example.com")}]
    sub = str(idp.sign_up(ClientId=client_id, Username=username, Password=password, UserAttributes=attrs)["UserSub"])
    code = code_from_log(server, pool_id, sub if stored_as_sub else username, "signup")
    idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    return sub


def raw_call(url: str, target: str | None, body: bytes | str, headers: dict[str, str] | None = None
             ) -> requests.Response:
    """POST a raw JSON 1.1 request (unsigned), as a broken client would."""
    all_headers = {"Content-Type": "application/x-amz-json-1.1", **(headers or {})}
    if target is not None:
        all_headers["X-Amz-Target"] = target
    return requests.post(url + "/", data=body, headers=all_headers, timeout=30)


def renew_all_at_once(clients: list[Any], client_id: str, refresh_token: str) -> list[str]:
    """GetTokensFromRefreshToken of one token by every client at the same moment (a barrier, one thread each);
    each call's outcome, "ok" or its error code."""
    start = threading.Barrier(len(clients))
    outcomes: list[str] = []

    def renew(one: Any) -> None:
        start.wait()
        try:
            one.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=refresh_token)
            outcomes.append("ok")
        except ClientError as err:
            outcomes.append(err.response["Error"]["Code"])

    threads = [threading.Thread(target=renew, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes
