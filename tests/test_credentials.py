"""``--credentials`` / ``POOLGATE_CREDENTIALS`` checked at start (issue 11 #4): an empty or short key used to
pass the loopback guard (``--host 0.0.0.0 --credentials :``) and a call signed with an empty secret was accepted."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .support import free_port, start_server, stop_server

GOOD = "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def _serve(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as data_dir:
        base = {k: v for k, v in os.environ.items() if k != "POOLGATE_CREDENTIALS"}
        done = subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--host", "0.0.0.0", "--port",
                               str(free_port()), "--data-dir", data_dir, "--no-demo", *args],
                              capture_output=True, text=True, timeout=60, env={**base, **(env or {})})
        assert list(Path(data_dir).iterdir()) == []  # refused before touching storage
        return done


@pytest.mark.parametrize(("args", "env", "expected"), [
    (["--credentials", ":"], None, "--credentials entry 1: the access key id must be 16-128"),
    (["--credentials", "a:"], None, "--credentials entry 1: the access key id must be 16-128"),
    (["--credentials", "AKIAIOSFODNN7EXAMPLE:"], None, "the secret key of AKIAIOSFODNN7EXAMPLE must be at least 16"),
    (["--credentials", "AKIAIOSFODNN7EXAMPLE:short"], None, "must be at least 16 characters"),
    (["--credentials", "AKIAIOSFODNN7EXAMPLE"], None, "--credentials entry 1 must be ACCESS_KEY:SECRET_KEY"),
    (["--credentials", GOOD, "--credentials", "b:"], None, "--credentials entry 2"),
    (["--credentials", f"{GOOD}:12"], None, "must be 12 digits"),
    ([], {"POOLGATE_CREDENTIALS": ":"}, "POOLGATE_CREDENTIALS entry 1: the access key id"),
    ([], {"POOLGATE_CREDENTIALS": f"{GOOD},"}, "POOLGATE_CREDENTIALS entry 2"),
    ([], {"POOLGATE_CREDENTIALS": "AKIAIOSFODNN7EXAMPLE: "}, "must be at least 16 characters"),
], ids=["colon", "a-colon", "empty-secret", "short-secret", "no-secret", "second-entry", "bad-account",
        "env-colon", "env-trailing-comma", "env-blank-secret"])
def test_empty_or_short_keys_are_refused_at_start(args: list[str], env: dict[str, str] | None,
                                                  expected: str) -> None:
    done = _serve(*args, env=env)
    assert done.returncode == 2, done.stderr
    assert "poolgate: refusing to start:" in done.stderr and expected in done.stderr
    assert "wJalrXUtnFEMI" not in done.stderr + done.stdout  # secrets are never echoed


def test_good_keys_start_and_sign() -> None:
    srv = start_server("--no-demo", "--ephemeral", "--credentials", GOOD, allow_reset=False)
    try:
        import boto3

        idp = boto3.client("cognito-idp", endpoint_url=srv.url, region_name="us-east-1",
                           aws_access_key_id=GOOD.split(":")[0], aws_secret_access_key=GOOD.split(":")[1])
        assert idp.list_user_pools(MaxResults=10)["UserPools"] == []
    finally:
        stop_server(srv)


def test_parse_credentials() -> None:
    from poolgate.settings import CredentialError, parse_credentials

    [cred] = parse_credentials([f"{GOOD}:123456789012"], "--credentials")
    assert (cred.access_key, cred.account) == ("AKIAIOSFODNN7EXAMPLE", "123456789012")
    assert "wJalr" not in repr(cred)
    with pytest.raises(CredentialError, match="entry 1"):
        parse_credentials(["AKIAIOSFODNN7EXAMPLE:a:b:c"], "--credentials")
