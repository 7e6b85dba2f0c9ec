"""aws-amplify v6 from npm, unmodified (tests/js/amplify.mjs): sign in, then a forced token refresh, which Amplify
v6 makes only with GetTokensFromRefreshToken (@aws-amplify/auth refreshAuthTokens); without it every Amplify
session ends when its tokens expire."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jwt
import pytest

from .conftest import PASSWORD, LiveServer, make_pool, make_user

JS_DIR = Path(__file__).resolve().parents[1] / "js"
IN_CI = os.environ.get("CI") == "true"


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "aws-amplify").exists():
        if IN_CI:
            pytest.fail("node and tests/js/node_modules (aws-amplify) are required with CI=true")
        pytest.skip("node or aws-amplify (npm install in tests/js) not available")
    return node


def _amplify(live: LiveServer, pool: str, client: str, username: str, flow: str) -> dict[str, Any]:
    run = subprocess.run([_node(), str(JS_DIR / "amplify.mjs")], cwd=JS_DIR, capture_output=True, text=True,
                         timeout=120, input=json.dumps({"endpoint": live.url + "/", "userPoolId": pool,
                                                        "clientId": client, "username": username,
                                                        "password": PASSWORD, "authFlowType": flow}))
    assert run.returncode == 0, (run.stdout, run.stderr)
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.mark.node
@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_amplify_refreshes_its_session(live: LiveServer, idp: Any, flow: str) -> None:
    pool, client, _ = make_pool(idp)
    make_user(idp, pool, "amy", attributes={"email": "amy@example.com"})
    out = _amplify(live, pool, client, "amy", flow)
    before, after = out["signedIn"], out["refreshed"]
    assert after["accessToken"] != before["accessToken"] and after["idToken"] != before["idToken"]
    old, new = _claims(before["accessToken"]), _claims(after["accessToken"])
    assert new["iat"] > old["iat"] and new["origin_jti"] == old["origin_jti"]
    assert _claims(after["idToken"])["email"] == "amy@example.com"
    assert after["refreshToken"] == before["refreshToken"]  # no rotation: Amplify keeps its refresh token
    assert idp.get_user(AccessToken=after["accessToken"])["Username"] == "amy"


@pytest.mark.node
def test_amplify_keeps_the_rotated_refresh_token(live: LiveServer, idp: Any) -> None:
    pool, _, _ = make_pool(idp)
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="amplify", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0})["UserPoolClient"]["ClientId"]
    make_user(idp, pool, "rey")
    out = _amplify(live, pool, client, "rey", "USER_SRP_AUTH")
    before, after = out["signedIn"], out["refreshed"]
    assert after["refreshToken"] and after["refreshToken"] != before["refreshToken"]
    renewed = idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=after["refreshToken"])
    assert renewed["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(idp.exceptions.RefreshTokenReuseException):
        idp.get_tokens_from_refresh_token(ClientId=client, RefreshToken=before["refreshToken"])
