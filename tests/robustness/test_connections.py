"""Connections from slow, silent and oversized clients, on raw sockets (src/poolgate/serving.py).

A client that sends half a request, nothing at all, or half a body is cut off after the serve flags' timeouts
(408, or a silent close for an idle connection), and a request head over API Gateway's quota (10,240 bytes of
request target and header values) or with too many header fields is answered 431. The bounds asserted are on
when connections close (the limit plus a margin), never on speed.
"""

from __future__ import annotations

import json
import select
import selectors
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.support import Server, start_server, stop_server

API = "connsapi01"
PREFIX = f"/restapis/{API}/prod/_user_request_"
MARGIN = 3.0
"""Seconds allowed past a timeout for the server to act on it (the machine is shared and loaded)."""
QUICK = {"header": 1.0, "keep_alive": 1.0, "body": 2.0}

FUNCTIONS = '''
import json, os, time


def record(event, context):
    with open(os.environ["CONNS_RECORD"], "a") as out:
        out.write(json.dumps({"body": event["body"]}) + "\\n")
    return {"statusCode": 200, "body": json.dumps({"length": len(event["body"] or "")})}
'''


def _config(tmp: Path) -> Path:
    (tmp / "functions").mkdir(exist_ok=True)
    (tmp / "functions" / "fns.py").write_text(FUNCTIONS)
    config = {
        "functions": {"record": {"handler": "fns.record", "code": "./functions"}},
        "apis": [{
            "id": API, "name": "connections",
            "resources": {
                "/mock": {"ANY": {"integration": {"type": "MOCK", "statusCode": 200, "body": '{"ok":true}'}}},
                "/record": {"POST": {"integration": {"type": "AWS_PROXY", "function": "record"}}},
            },
            "stages": {"prod": {}},
        }],
    }
    path = tmp / "poolgate.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Default limits: the header quota, 100 fields, keep-alive 5 s."""
    tmp = tmp_path_factory.mktemp("conns-default")
    srv = start_server("--config", str(_config(tmp)), cwd=str(tmp), env={"CONNS_RECORD": str(tmp / "calls")})
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Short timeouts, so the tests that wait for them are quick."""
    tmp = tmp_path_factory.mktemp("conns-quick")
    srv = start_server("--config", str(_config(tmp)), "--header-timeout", str(QUICK["header"]),
                       "--keep-alive-timeout", str(QUICK["keep_alive"]), "--body-timeout", str(QUICK["body"]),
                       cwd=str(tmp), env={"CONNS_RECORD": str(tmp / "calls")})
    srv.extra["calls"] = str(tmp / "calls")
    try:
        yield srv
    finally:
        stop_server(srv)


def _connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=30)


def _head(server: Server, target: str, headers: list[tuple[str, str]] = (), method: str = "GET",  # type: ignore[assignment]
          close: bool = True) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{server.port}",
             *([("Connection: close")] if close else []), *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes the connection; fails at ``deadline``."""
    data = b""
    while True:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"the server kept the connection open past the deadline; it sent {data[:200]!r}")
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def _status(data: bytes) -> int:
    assert data.startswith(b"HTTP/1.1 "), data[:200]
    return int(data.split(b" ", 2)[1])


def _response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return _status(data), headers, body


def _exchange(server: Server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    with _connect(server) as sock:
        sock.sendall(request)
        data = _read_until_closed(sock, time.monotonic() + 30)
    return _response(data)


# timeouts

def test_half_sent_head_is_answered_408_within_the_header_timeout(quick: Server) -> None:
    with _connect(quick) as sock:
        sock.sendall(f"GET {PREFIX}/mock HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".encode())
        started = time.monotonic()
        data = _read_until_closed(sock, started + QUICK["header"] + MARGIN)
    status, headers, body = _response(data)
    assert status == 408 and headers["connection"] == "close", data
    assert body == b"Request Timeout"


def test_a_head_trickled_byte_by_byte_still_ends_at_the_header_timeout(quick: Server) -> None:
    # each byte arrives well inside the header timeout, but the head as a whole may not take longer than it
    request = _head(quick, f"{PREFIX}/mock")
    with _connect(quick) as sock:
        started = time.monotonic()
        for i in range(len(request) - 1):  # never the whole head
            if select.select([sock], [], [], 0.1)[0]:  # the server has answered: stop sending
                break
            sock.sendall(request[i:i + 1])
        data = _read_until_closed(sock, started + QUICK["header"] + MARGIN)
    assert _status(data) == 408, data


def test_a_silent_connection_is_closed_after_the_keep_alive_timeout(server: Server, quick: Server) -> None:
    for srv, timeout in ((server, 5.0), (quick, QUICK["keep_alive"])):
        with _connect(srv) as sock:
            data = _read_until_closed(sock, time.monotonic() + timeout + MARGIN)
        assert data == b"", data  # no answer to a request never made


def test_an_idle_keep_alive_connection_is_closed(quick: Server) -> None:
    with _connect(quick) as sock:
        sock.sendall(_head(quick, f"{PREFIX}/mock", close=False))
        data = b""
        while b'{"ok":true}' not in data:
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        assert _status(data) == 200
        rest = _read_until_closed(sock, time.monotonic() + QUICK["keep_alive"] + MARGIN)
    assert rest == b""


def test_blank_lines_do_not_keep_a_connection_open(quick: Server) -> None:
    with _connect(quick) as sock:
        sock.sendall(b"\r\n")
        data = _read_until_closed(sock, time.monotonic() + QUICK["keep_alive"] + MARGIN)
    assert data == b""


def test_an_unfinished_body_is_answered_408_and_never_run(quick: Server) -> None:
    calls = Path(quick.extra["calls"])
    with _connect(quick) as sock:
        sock.sendall(_head(quick, f"{PREFIX}/record", [("Content-Length", "100"), ("Content-Type", "text/plain")],
                           method="POST") + b"0123456789")
        data = _read_until_closed(sock, time.monotonic() + QUICK["body"] + MARGIN)
    status, _, body = _response(data)
    assert status == 408 and body == b"Request Timeout", data
    time.sleep(0.5)
    assert not calls.exists() or '"0123456789"' not in calls.read_text(), "a partial body reached the function"


def test_a_client_that_leaves_mid_body_is_not_run(quick: Server) -> None:
    calls = Path(quick.extra["calls"])
    with _connect(quick) as sock:
        sock.sendall(_head(quick, f"{PREFIX}/record", [("Content-Length", "100")], method="POST") + b"abandoned!")
        time.sleep(0.3)
    time.sleep(1.0)
    assert not calls.exists() or "abandoned!" not in calls.read_text(), "a partial body reached the function"
    assert "Traceback" not in quick.log()


def test_a_body_sent_in_pieces_each_within_the_timeout_is_read_whole(quick: Server) -> None:
    pieces = [b"x" * 10] * 6  # 6 pieces 0.5 s apart: 3 s in all, longer than the 2 s body timeout
    with _connect(quick) as sock:
        sock.sendall(_head(quick, f"{PREFIX}/record", [("Content-Length", str(sum(map(len, pieces))))],
                           method="POST"))
        for piece in pieces:
            time.sleep(0.5)
            sock.sendall(piece)
        data = _read_until_closed(sock, time.monotonic() + 30)
    status, _, body = _response(data)
    assert status == 200 and json.loads(body) == {"length": 60}, data


def test_two_hundred_half_open_connections_are_all_closed_in_time(quick: Server) -> None:
    selector = selectors.DefaultSelector()
    socks: list[socket.socket] = []
    answers: list[bytearray] = []
    try:
        for i in range(200):
            sock = _connect(quick)
            sock.sendall(f"POST {PREFIX}/record HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half-{i}: ".encode())
            sock.setblocking(False)
            answers.append(bytearray())
            selector.register(sock, selectors.EVENT_READ, answers[-1])
            socks.append(sock)
        deadline = time.monotonic() + QUICK["header"] + MARGIN
        open_ = len(socks)
        while open_ and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.2):
                sock = key.fileobj  # type: ignore[assignment]
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                if chunk:
                    key.data.extend(chunk)
                else:
                    selector.unregister(sock)
                    key.data.extend(b"<closed>")
                    open_ -= 1
        assert open_ == 0, f"{open_} of 200 half-open connections still open after the header timeout"
    finally:
        for sock in socks:
            sock.close()
        selector.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") and answer.endswith(b"<closed>") for answer in answers), \
        [bytes(a[:40]) for a in answers if not a.startswith(b"HTTP/1.1 408 ")][:5]
    # and the server still serves
    assert _exchange(quick, _head(quick, f"{PREFIX}/mock"))[0] == 200


def test_pipelined_requests_are_still_answered_in_order(quick: Server) -> None:
    one = _head(quick, f"{PREFIX}/mock?n=1", close=False)
    two = _head(quick, f"{PREFIX}/mock?n=2")
    with _connect(quick) as sock:
        sock.sendall(one + two)
        data = _read_until_closed(sock, time.monotonic() + 30)
    assert data.count(b"HTTP/1.1 200 OK") == 2, data


# sizes

def test_a_one_megabyte_header_is_answered_431(server: Server) -> None:
    status, headers, body = _exchange(server, _head(server, f"{PREFIX}/mock", [("X-Big", "a" * 1024 * 1024)]))
    assert status == 431 and headers["connection"] == "close"
    assert body == b"HTTP header is larger than 10240 bytes."


def test_a_one_megabyte_header_name_is_answered_431(server: Server) -> None:
    status, _, _ = _exchange(server, _head(server, f"{PREFIX}/mock", [("X" * 1024 * 1024, "1")]))
    assert status == 431


def test_long_header_names_count_against_the_whole_head(server: Server) -> None:
    # 90 names of 1,000 bytes: values are tiny, but the head (90 KB) is over the 64 KiB backstop
    headers = [(f"X-{i:03}-" + "n" * 994, "1") for i in range(90)]
    assert _exchange(server, _head(server, f"{PREFIX}/mock", headers))[0] == 431
    assert _exchange(server, _head(server, f"{PREFIX}/mock", headers[:50]))[0] == 200


def test_ten_thousand_headers_are_answered_431(server: Server) -> None:
    headers = [(f"X-H{i}", "1") for i in range(10000)]
    status, _, body = _exchange(server, _head(server, f"{PREFIX}/mock", headers))
    assert status == 431 and body == b"HTTP request has more than 100 header fields.", body


def test_the_control_plane_is_covered_too(server: Server) -> None:
    status, _, _ = _exchange(server, _head(server, "/", [("X-Big", "a" * 20000)], method="POST"))
    assert status == 431


def _padded(server: Server, target: str, total: int) -> bytes:
    """A request whose target and header values come to exactly ``total`` bytes."""
    host = f"127.0.0.1:{server.port}"
    pad = total - len(target) - len(host) - len("close")
    return _head(server, target, [("X-Pad", "p" * pad)])


def test_a_request_just_under_the_limits_is_served(server: Server) -> None:
    target = f"{PREFIX}/mock"
    assert _exchange(server, _padded(server, target, 10240))[0] == 200
    assert _exchange(server, _padded(server, target, 10241))[0] == 431
    # 100 fields in all (Host and Connection included) pass; 101 do not
    assert _exchange(server, _head(server, target, [(f"X-H{i}", "1") for i in range(98)]))[0] == 200
    assert _exchange(server, _head(server, target, [(f"X-H{i}", "1") for i in range(99)]))[0] == 431


def test_a_long_request_target_counts_against_the_quota(server: Server) -> None:
    target = f"{PREFIX}/mock?q=" + "q" * 11000
    assert _exchange(server, _head(server, target))[0] == 431
