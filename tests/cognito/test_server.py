"""Server modes for test suites and safety: --ephemeral, POST /_poolgate/reset, non-loopback refusal."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

from ..conftest import cognito_client
from ..support import free_port, start_server, stop_server
from .helpers import error_of, new_pool


def test_ephemeral_leaves_nothing_behind_and_reset_wipes_state(tmp_path: Path) -> None:
    temp_root = tmp_path / "tmp"
    workdir = tmp_path / "work"
    temp_root.mkdir()
    workdir.mkdir()
    srv = start_server("--no-demo", "--ephemeral", env={"TMPDIR": str(temp_root)}, cwd=str(workdir))
    try:
        idp = cognito_client(srv.url)
        pool_id = new_pool(idp)
        assert any(temp_root.iterdir())  # the temporary store lives under TMPDIR while the server runs
        assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id

        response = requests.post(f"{srv.url}/_poolgate/reset", json={}, timeout=10)
        assert response.status_code == 200
        err = error_of(idp.describe_user_pool, UserPoolId=pool_id)
        assert (err.code, err.message) == ("ResourceNotFoundException", f"User pool {pool_id} does not exist.")
        assert idp.list_user_pools(MaxResults=60)["UserPools"] == []
        new_pool(idp)  # the server keeps working after a reset
    finally:
        stop_server(srv)
    assert srv.process.returncode == 0
    assert list(temp_root.iterdir()) == []
    assert list(workdir.iterdir()) == []
    assert [p.name for p in srv.data_dir.iterdir()] == [srv.log_path.name]  # no database in --data-dir


def test_reset_is_404_without_allow_reset() -> None:
    srv = start_server("--no-demo", "--ephemeral", allow_reset=False)
    try:
        idp = cognito_client(srv.url)
        pool_id = new_pool(idp)
        response = requests.post(f"{srv.url}/_poolgate/reset", timeout=10)
        assert response.status_code == 404
        assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    finally:
        stop_server(srv)


def test_non_loopback_without_credentials_is_refused() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k != "POOLGATE_CREDENTIALS"}
        done = subprocess.run([sys.executable, "-m", "poolgate.cli", "serve", "--host", "0.0.0.0", "--port",
                               str(free_port()), "--data-dir", data_dir, "--no-demo"],
                              capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode != 0
        assert "refusing to listen on 0.0.0.0 without credentials" in done.stderr
        assert "--credentials" in done.stderr
        assert list(Path(data_dir).iterdir()) == []  # refused before touching storage
