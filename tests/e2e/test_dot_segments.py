"""Dot segments never climb out of a ``{proxy+}`` base path upstream (src/poolgate/dataplane/paths.py).

A real upstream on 127.0.0.1 records every request target it receives; requests are sent on raw sockets, since
HTTP clients (urllib3, curl) resolve dot segments before sending. Routing and forwarding must agree: the path is
resolved below the stage before routing, so ``/files/../../admin`` is ``/admin`` for the router, the proxy event
and the upstream alike, and segments that only become dot segments once decoded (``..%2f``) are refused.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from tests.robustness.helpers import raw_http, raw_request
from tests.support import Server, start_server, stop_server

API = "dotsapi001"
PREFIX = f"/restapis/{API}/prod/_user_request_"

HANDLERS = '''
import json


def echo(event, context):
    return {"statusCode": 200, "body": json.dumps({"path": event["path"], "resource": event["resource"],
                                                   "pathParameters": event["pathParameters"],
                                                   "contextPath": event["requestContext"]["path"]})}
'''


class Recorder:
    """An HTTP server on 127.0.0.1 that answers every request with the request target it received, and keeps
    them in ``paths``."""

    def __init__(self) -> None:
        paths: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                paths.append(self.path)
                body = json.dumps({"upstream_path": self.path}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.paths = paths
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    with Recorder() as rec:
        yield rec


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, recorder: Recorder) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp("dots")
    (tmp / "functions").mkdir()
    (tmp / "functions" / "handlers.py").write_text(HANDLERS)
    upstream = f"http://127.0.0.1:{recorder.port}"
    config = {
        "functions": {"echo": {"handler": "handlers.echo", "code": "./functions"}},
        "apis": [{
            "id": API, "name": "dot segments",
            "resources": {
                "/files/{proxy+}": {"ANY": {"integration": {"type": "HTTP_PROXY",
                                                            "uri": f"{upstream}/public/{{proxy}}"}}},
                "/admin": {"GET": {"integration": {"type": "MOCK", "statusCode": 200, "body": '{"admin":true}'}}},
                "/byheader": {"GET": {"requestParameters": {"method.request.header.x-id": False}, "integration": {
                    "type": "HTTP_PROXY", "uri": f"{upstream}/public/{{id}}",
                    "requestParameters": {"integration.request.path.id": "method.request.header.x-id"}}}},
                "/events/{proxy+}": {"ANY": {"integration": {"type": "AWS_PROXY", "function": "echo"}}},
            },
            "stages": {"prod": {}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    srv = start_server("--config", str(path), cwd=str(tmp))
    try:
        yield srv
    finally:
        stop_server(srv)


def _get(server: Server, target: str, headers: list[tuple[bytes, bytes]] | None = None,
         host: bytes | None = None) -> tuple[int, bytes]:
    status, _, body = raw_http(server.port, raw_request(b"GET", target.encode(), server.port, headers or [], b"",
                                                        host))
    return status, body


def _forwarded(recorder: Recorder, since: int) -> list[str]:
    return recorder.paths[since:]


def test_a_plain_proxy_path_reaches_the_upstream_under_its_base(server: Server, recorder: Recorder) -> None:
    before = len(recorder.paths)
    status, body = _get(server, f"{PREFIX}/files/a/b.txt")
    assert status == 200 and json.loads(body) == {"upstream_path": "/public/a/b.txt"}
    assert _forwarded(recorder, before) == ["/public/a/b.txt"]


@pytest.mark.parametrize("target", ["/files/../../admin", "/files/%2e%2e/%2e%2e/admin", "/files/%2E%2E/admin",
                                    "/files/x/./../../admin", "/files/.%2e/admin"])
def test_dot_segments_are_resolved_before_routing(server: Server, recorder: Recorder, target: str) -> None:
    # /files/../../admin is /admin: the router serves /admin's MOCK, and nothing reaches the upstream
    before = len(recorder.paths)
    status, body = _get(server, PREFIX + target)
    assert (status, json.loads(body)) == (200, {"admin": True})
    assert _forwarded(recorder, before) == []


def test_dot_segments_inside_the_proxy_path_stay_inside_it(server: Server, recorder: Recorder) -> None:
    before = len(recorder.paths)
    status, body = _get(server, f"{PREFIX}/files/a/b/../c/./d")
    assert status == 200 and json.loads(body) == {"upstream_path": "/public/a/c/d"}
    assert _forwarded(recorder, before) == ["/public/a/c/d"]


@pytest.mark.parametrize("target", ["/files/..%2f..%2fadmin", "/files/..%2F..%2Fadmin", "/files/a%2f..%2f..%2fx",
                                    "/files/%2e%2e%2fadmin", "/files/..%5c..%5cadmin", "/files/..\\..\\admin",
                                    "/files/..;/..;/admin"])
def test_segments_that_decode_to_dot_segments_are_refused(server: Server, recorder: Recorder, target: str) -> None:
    before = len(recorder.paths)
    status, body = _get(server, PREFIX + target)
    assert status == 400 and json.loads(body) == {"message": "Bad Request"}, (status, body)
    assert _forwarded(recorder, before) == []


def test_a_mapped_header_cannot_put_dot_segments_into_the_upstream_path(server: Server, recorder: Recorder) -> None:
    before = len(recorder.paths)
    assert _get(server, f"{PREFIX}/byheader", [(b"X-Id", b"../../admin")])[0] == 400
    assert _get(server, f"{PREFIX}/byheader", [(b"X-Id", b"..%2fadmin")])[0] == 400
    assert _forwarded(recorder, before) == []
    status, body = _get(server, f"{PREFIX}/byheader", [(b"X-Id", b"item.json")])
    assert status == 200 and json.loads(body) == {"upstream_path": "/public/item.json"}


def test_the_proxy_event_sees_the_resolved_path(server: Server) -> None:
    status, body = _get(server, f"{PREFIX}/events/a/../b/%2e/c")
    assert status == 200
    assert json.loads(body) == {"path": "/events/b/c", "resource": "/events/{proxy+}",
                                "pathParameters": {"proxy": "b/c"}, "contextPath": "/prod/events/b/c"}


def test_dot_segments_never_climb_above_the_stage(server: Server, recorder: Recorder) -> None:
    # by Host header the stage is the first segment; a .. after it stays within the stage
    host = f"{API}.execute-api.localhost:{server.port}".encode()
    before = len(recorder.paths)
    status, body = _get(server, "/prod/../../files/a", host=host)
    assert status == 200 and json.loads(body) == {"upstream_path": "/public/a"}
    status, body = _get(server, f"{PREFIX}/../../../../files/b")
    assert status == 200 and json.loads(body) == {"upstream_path": "/public/b"}
    assert _forwarded(recorder, before) == ["/public/a", "/public/b"]


def test_nothing_the_upstream_received_had_a_dot_segment(server: Server, recorder: Recorder) -> None:
    # runs last in this module: every request target the upstream saw stayed under /public/
    assert recorder.paths
    for path in recorder.paths:
        parts = re.split(r"[/\\]", unquote(path))
        assert path.startswith("/public/") and not {".", ".."} & {p.split(";")[0] for p in parts}, path
