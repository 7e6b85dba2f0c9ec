"""The SAM test's stack written with aws-cdk-lib (``cdk_app/app.cjs``: UserPool, RestApi,
CognitoUserPoolsAuthorizer, a Node.js ``lambda.Function`` from an asset folder), synthesized in the test as
``cdk synth`` does (the app run with CDK_OUTDIR and the CLI's context), and its template served unchanged:
the asset folder in ``cdk.out/`` is the function's code (``aws:asset:path``), CDK's bookkeeping is accepted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
import requests

from tests.cognito.helpers import admin_user, sign_in
from tests.conftest import cognito_client
from tests.support import IN_CI, start_server, stop_server

NODE_MODULES = Path(__file__).parents[1] / "js" / "node_modules"
if shutil.which("node") is None or not (NODE_MODULES / "aws-cdk-lib").is_dir():
    if IN_CI:
        pytest.fail("node or tests/js's aws-cdk-lib is not installed and CI=true")
    pytest.skip("node or tests/js's aws-cdk-lib is not installed (npm ci --prefix tests/js)", allow_module_level=True)

APP = Path(__file__).parent / "cdk_app"
PASSWORD = "Passw0rd!cdk"


def _synth(out: Path) -> Path:
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "CDK_OUTDIR": str(out),
           "CDK_CONTEXT_JSON": json.dumps({"aws:cdk:enable-asset-metadata": True})}
    done = subprocess.run(["node", str(APP / "app.cjs")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out / "CdkStack.template.json"


def test_cdk_synth_template_served(tmp_path: Path) -> None:
    template = _synth(tmp_path / "cdk.out")
    (tmp_path / "data").mkdir()
    server = start_server("--template", str(template), data_dir=tmp_path / "data", wait=60)
    try:
        log = server.log()
        outputs = {}
        key = None
        for line in log.splitlines():
            if line.startswith("Key "):
                key = line.split(None, 1)[1]
            elif line.startswith("Value ") and key:
                outputs[key] = line.split(None, 1)[1]
        assert "CloudFormation outputs from deployed stack CdkStack" in log
        endpoint = next(value for name, value in outputs.items() if name.startswith("ApiEndpoint"))
        api_id = endpoint.removeprefix("https://").split(".")[0]
        assert endpoint == f"https://{api_id}.execute-api.us-east-1.amazonaws.com/prod/"
        # the function's and API Gateway's CloudWatch roles are made through the IAM API; CDK's bookkeeping is quiet
        assert not [line for line in log.splitlines() if line.startswith("warning: ")], log
        iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIDTEST",
                           aws_secret_access_key="secret")
        roles = [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("CdkStack-")]
        assert len(roles) == 2, roles

        url = f"{server.url}/restapis/{api_id}/prod/_user_request_/hello"
        assert requests.get(url, timeout=10).status_code == 401
        idp = cognito_client(server.url)
        pool_id, client_id = outputs["UserPoolId"], outputs["ClientId"]
        admin_user(idp, pool_id, "carol", PASSWORD)
        token = sign_in(idp, client_id, "carol", PASSWORD)["IdToken"]
        ok = requests.get(url, headers={"Authorization": token}, timeout=30)
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"user": "carol", "path": "/hello"}
    finally:
        stop_server(server)
