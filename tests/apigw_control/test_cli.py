"""The AWS CLI builds, deploys and deletes an API against poolgate over HTTP (aws apigateway …)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from ..support import start_server, stop_server


def test_aws_cli_builds_an_api(tmp_path: Path) -> None:
    server = start_server("--no-demo")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDCLITEST", "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"}

    def aws(*args: str) -> Any:
        done = subprocess.run([sys.executable, "-m", "awscli", "apigateway", *args, "--endpoint-url", server.url,
                               "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    try:
        api = aws("create-rest-api", "--name", "From the CLI")
        api_id, root = api["id"], api["rootResourceId"]
        ping = aws("create-resource", "--rest-api-id", api_id, "--parent-id", root, "--path-part", "ping")["id"]
        aws("put-method", "--rest-api-id", api_id, "--resource-id", ping, "--http-method", "GET",
            "--authorization-type", "NONE")
        aws("put-integration", "--rest-api-id", api_id, "--resource-id", ping, "--http-method", "GET",
            "--type", "MOCK", "--request-templates", '{"application/json": "{\\"statusCode\\": 200}"}')
        aws("put-integration-response", "--rest-api-id", api_id, "--resource-id", ping, "--http-method", "GET",
            "--status-code", "200", "--response-templates", '{"application/json": "{\\"pong\\":true}"}')
        deployment = aws("create-deployment", "--rest-api-id", api_id, "--stage-name", "dev")
        assert aws("get-stage", "--rest-api-id", api_id, "--stage-name", "dev")["deploymentId"] == deployment["id"]
        url = f"{server.url}/restapis/{api_id}/dev/_user_request_/ping"
        answer = requests.get(url, timeout=15)
        assert (answer.status_code, answer.json()) == (200, {"pong": True})
        aws("delete-rest-api", "--rest-api-id", api_id)
        assert requests.get(url, timeout=15).status_code == 403
        assert aws("get-rest-apis")["items"] == []
    finally:
        stop_server(server)
