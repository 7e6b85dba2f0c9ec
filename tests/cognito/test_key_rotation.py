"""`poolgate rotate-keys`: new tokens are signed with new keys within seconds in the running server, and
tokens signed before stay verifiable (the old keys stay in the JWKS until their tokens expire)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import jwt
import requests

from ..support import Server
from .helpers import admin_user, pool_and_client, sign_in


def _rotate(server: Server, pool_id: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "poolgate.cli", "rotate-keys", "--pool", pool_id]
    cmd += ["--database-url", server.database_url] if server.database_url else ["--data-dir", str(server.data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def _verify(server: Server, pool_id: str, token: str, audience: str) -> dict[str, Any]:
    jwks = jwt.PyJWKClient(f"{server.url}/{pool_id}/.well-known/jwks.json", cache_keys=False, cache_jwk_set=False)
    key = jwks.get_signing_key_from_jwt(token)
    return dict(jwt.decode(token, key.key, algorithms=["RS256"], audience=audience))


def test_rotation_reaches_the_running_server_and_keeps_old_tokens_valid(server: Server, idp: Any) -> None:
    pool_id, client = pool_and_client(idp)
    admin_user(idp, pool_id, "rita")
    before = sign_in(idp, client, "rita")
    old_kid = jwt.get_unverified_header(before["IdToken"])["kid"]

    done = _rotate(server, pool_id)
    assert done.returncode == 0, done.stderr
    assert _rotate(server, "us-east-1_NoSuchPool").returncode == 1

    deadline = time.monotonic() + 20  # the server re-reads keys every 10 s
    while True:
        keys = requests.get(f"{server.url}/{pool_id}/.well-known/jwks.json", timeout=5).json()["keys"]
        if len(keys) == 4 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(keys) == 4 and len({k["kid"] for k in keys}) == 4  # two retired keys, two new ones

    after = sign_in(idp, client, "rita")
    assert jwt.get_unverified_header(after["IdToken"])["kid"] != old_kid
    for tokens in (before, after):
        assert _verify(server, pool_id, tokens["IdToken"], client)["cognito:username"] == "rita"
        idp.get_user(AccessToken=tokens["AccessToken"])  # the JSON API accepts both generations too
