"""poolgate's tokens verified by awslabs' aws-jwt-verify from npm, unmodified (tests/js/verify.mjs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ..support import IN_CI, Server
from .helpers import admin_user, new_client, new_pool, sign_in

JS_DIR = Path(__file__).resolve().parent.parent / "js"
SCRIPT = JS_DIR / "verify.mjs"


@pytest.fixture(scope="module")
def node() -> str:
    binary = shutil.which("node")
    installed = (JS_DIR / "node_modules" / "aws-jwt-verify").is_dir()
    if binary is None or not installed:
        reason = ("node is not installed" if binary is None
                  else "tests/js/node_modules missing: npm ci --prefix tests/js")
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return binary


def _run(node: str, token: str, **options: str) -> subprocess.CompletedProcess[str]:
    args = [node, str(SCRIPT)]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", value]
    return subprocess.run([*args, token], capture_output=True, text=True, timeout=60)


def _tamper(token: str) -> str:
    head, payload, signature = token.split(".")
    flipped = "A" if signature[10] != "A" else "B"
    return f"{head}.{payload}.{signature[:10]}{flipped}{signature[11:]}"


def _session(idp: Any, **pool: Any) -> tuple[str, str, dict[str, Any]]:
    pool_id = new_pool(idp, **pool)
    client_id = new_client(idp, pool_id)["ClientId"]
    admin_user(idp, pool_id, "erin", email="erin@example.com", email_verified="true")
    return pool_id, client_id, sign_in(idp, client_id, "erin")


def test_generic_verifier_with_poolgate_issuer(node: str, server: Server, idp: Any) -> None:
    pool_id, client_id, tokens = _session(idp)
    issuer = f"{server.url}/{pool_id}"
    common = {"verifier": "generic", "client_id": client_id, "issuer": issuer,
              "jwks_uri": f"{issuer}/.well-known/jwks.json"}
    for use, token in (("id", tokens["IdToken"]), ("access", tokens["AccessToken"])):
        done = _run(node, token, token_use=use, **common)
        assert done.returncode == 0, done.stderr
        assert f'"token_use":"{use}"' in done.stdout
        tampered = _run(node, _tamper(token), token_use=use, **common)
        assert tampered.returncode == 1 and "signature" in tampered.stderr.lower(), tampered.stderr
    # The verifier's own checks hold: an ID token is not an access token, another client is refused.
    wrong_use = _run(node, tokens["IdToken"], token_use="access", **common)
    assert wrong_use.returncode == 1, wrong_use.stdout
    other_client = _run(node, tokens["AccessToken"], token_use="access", **{**common, "client_id": "x" * 26})
    assert other_client.returncode == 1, other_client.stdout


def test_cognito_verifier_with_aws_issuer(node: str, server: Server, idp: Any) -> None:
    pool_id, client_id, tokens = _session(idp, UserPoolTags={"poolgate:issuer": "aws"})
    common = {"verifier": "cognito", "client_id": client_id, "pool_id": pool_id,
              "jwks_uri": f"{server.url}/{pool_id}/.well-known/jwks.json"}
    for use, token in (("id", tokens["IdToken"]), ("access", tokens["AccessToken"])):
        done = _run(node, token, token_use=use, **common)
        assert done.returncode == 0, done.stderr
        assert f'"iss":"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"' in done.stdout
        tampered = _run(node, _tamper(token), token_use=use, **common)
        assert tampered.returncode == 1, tampered.stdout
