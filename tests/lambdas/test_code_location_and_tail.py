"""GetFunction's ``Code.Location`` is a signed URL valid for ten minutes (as AWS's presigned S3 URL), and
``Invoke`` with ``LogType: Tail`` carries what the handler printed, on a server whose functions all come from
the lambda API (none declared in poolgate.yaml)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import pytest
import requests

from tests.lambdas.helpers import lambda_client
from tests.support import IN_CI, Server, start_server, stop_server, zip_files

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

PYTHON = """
import sys

def handler(event, context):
    print("py-marker-7731", event["n"], flush=True)
    sys.stdout.write("second line\\n")
    return {"ok": event["n"]}
"""

NODE = """export const handler = async (event) => {
  console.log('node-marker-4417', event.n);
  return { ok: event.n };
};
"""


def signature(key: bytes, account: str, region: str, name: str, code_sha256: str, expires: int) -> str:
    """The URL's signature as the server makes it (HMAC-SHA256 over these fields, one a line)."""
    message = "\n".join((account, region, name, code_sha256, str(expires))).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = start_server("--no-demo")  # nothing declared: every function comes from the lambda API
    try:
        yield running
    finally:
        stop_server(running)


def _tail(response: dict[str, Any]) -> list[str]:
    return base64.b64decode(response["LogResult"]).decode().splitlines()


def _between_start_and_end(lines: list[str], marker: str) -> None:
    start = next(i for i, line in enumerate(lines) if line.startswith("START RequestId: "))
    end = next(i for i, line in enumerate(lines) if line.startswith("END RequestId: "))
    assert any(marker in line for line in lines[start + 1:end]), lines


def test_python_print_output_is_in_the_tail(server: Server) -> None:
    client = lambda_client(server)
    client.create_function(FunctionName="tail-py", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": zip_files({"app.py": PYTHON})})
    response = client.invoke(FunctionName="tail-py", Payload=json.dumps({"n": 5}).encode(), LogType="Tail")
    assert json.loads(response["Payload"].read()) == {"ok": 5}
    lines = _tail(response)
    _between_start_and_end(lines, "py-marker-7731 5")
    _between_start_and_end(lines, "second line")
    assert lines[-1].startswith("REPORT RequestId: ")


def test_node_console_log_is_in_the_tail(server: Server) -> None:
    if shutil.which("node") is None:
        if IN_CI:
            pytest.fail("node is not installed and CI=true")
        pytest.skip("node is not installed")
    client = lambda_client(server)
    client.create_function(FunctionName="tail-node", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
                           Code={"ZipFile": zip_files({"index.mjs": NODE})})
    response = client.invoke(FunctionName="tail-node", Payload=json.dumps({"n": 6}).encode(), LogType="Tail")
    assert json.loads(response["Payload"].read()) == {"ok": 6}
    lines = _tail(response)
    _between_start_and_end(lines, "\tINFO\tnode-marker-4417 6")  # Node's console.log: time, id, INFO, text


def _error(answer: requests.Response) -> tuple[int, str, str]:
    """Status, S3 error code and message (both empty when the answer is not S3's XML error)."""
    if not answer.headers.get("Content-Type", "").startswith("application/xml"):
        return answer.status_code, "", ""
    document = ElementTree.fromstring(answer.content)
    return answer.status_code, document.findtext("Code") or "", document.findtext("Message") or ""


def test_code_location_is_signed_and_expires(server: Server) -> None:
    client = lambda_client(server)
    client.create_function(FunctionName="secret-code", Runtime="python3.12", Role=ROLE, Handler="app.handler",
                           Code={"ZipFile": zip_files({"app.py": PYTHON})})
    location = client.get_function(FunctionName="secret-code")["Code"]["Location"]
    parts = urlsplit(location)
    bare = f"{parts.scheme}://{parts.netloc}{parts.path}"  # the URL without its signature: anyone's to try
    assert _error(requests.get(bare, timeout=10)) == (403, "AccessDenied", "Access Denied")
    query = dict(parse_qsl(parts.query))
    expires = int(query["Expires"])
    assert 590 <= expires - time.time() <= 610  # ten minutes, as AWS's presigned URL
    fetched = requests.get(location, timeout=10)
    assert fetched.status_code == 200 and zipfile.ZipFile(io.BytesIO(fetched.content)).namelist() == ["app.py"]

    unknown = bare.replace("/secret-code/", "/no-such-fn/")
    assert _error(requests.get(unknown, timeout=10)) == (403, "AccessDenied", "Access Denied")  # no name probing
    other = requests.get(f"{unknown}?{parts.query}", timeout=10)  # a signature of another function's code
    assert other.status_code == 403
    tampered = requests.get(f"{bare}?Expires={expires + 3600}&Signature={query['Signature']}", timeout=10)
    status, code, _ = _error(tampered)
    assert (status, code) == (403, "SignatureDoesNotMatch")

    # a correctly signed URL whose ten minutes are over (signed here with the server's own stored key)
    with sqlite3.connect(server.data_dir / "poolgate.db") as db:
        key = bytes.fromhex(db.execute("SELECT value FROM server_secrets WHERE name = 'lambda-code-location'")
                            .fetchone()[0])
        sha = db.execute("SELECT code_sha256 FROM lambda_functions WHERE name = 'secret-code'").fetchone()[0]
    past = int(time.time()) - 1
    assert signature(key, "000000000000", "us-east-1", "secret-code", sha, expires) == query["Signature"]
    expired = f"{bare}?Expires={past}&Signature={signature(key, '000000000000', 'us-east-1', 'secret-code', sha, past)}"
    assert _error(requests.get(expired, timeout=10)) == (403, "AccessDenied", "Request has expired")
