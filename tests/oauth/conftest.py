"""Fixtures of the hosted-UI tests: a local callback server and Debian's chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from ..chromium import launched_chromium
from ..support import Server, start_server, stop_server
from .helpers import gateway_config


class Callback:
    """A tiny app on 127.0.0.1 that records the requests its callback URLs receive."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        callback = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                callback.requests.append(self.path)
                body = b"<!doctype html><title>callback</title><p>back at the app</p>"
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def callback() -> Iterator[Callback]:
    app = Callback()
    yield app
    app.close()


@pytest.fixture(scope="module")
def ui_server(callback: Callback, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A SQLite server of its own (browser tests exercise pages, not storage backends), configured with
    ``helpers.gateway_config``: a pool with a domain and an API behind its Cognito authorizer."""
    path = tmp_path_factory.mktemp("hosted-ui") / "poolgate.yaml"
    path.write_text(yaml.safe_dump(gateway_config(callback.url), sort_keys=False))
    srv = start_server("--config", str(path))
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def idp_for_ui(ui_server: Server) -> Any:
    from ..conftest import cognito_client

    return cognito_client(ui_server.url)
