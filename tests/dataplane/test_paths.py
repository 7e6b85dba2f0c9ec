"""Dot segments in request paths (src/poolgate/dataplane/paths.py): resolved as RFC 3986 §5.2.4 says, never above
the stage, with ``%2E`` read as ``.``; segments that hide one behind ``%2F``, ``%5C``, ``\\`` or ``;`` refused."""

from __future__ import annotations

import pytest

from poolgate.dataplane.paths import has_dot_segment, resolve_dot_segments
from poolgate.dataplane.upstream import compile_uri
from poolgate.errors import GatewayError

RESOLVED = [
    ("plain", "/files/a/b.txt", "/files/a/b.txt"),
    ("encoded-chars-kept", "/files/a%20b/c%2Bd", "/files/a%20b/c%2Bd"),
    ("encoded-slash-kept", "/files/a%2Fb", "/files/a%2Fb"),
    ("dotfile", "/files/.hidden/..x/x..", "/files/.hidden/..x/x.."),
    ("parent", "/files/a/../b", "/files/b"),
    ("climb-out", "/files/../../admin", "/admin"),
    ("climb-above-root", "/../../../admin", "/admin"),
    ("current", "/files/./a/./b", "/files/a/b"),
    ("trailing-parent", "/files/a/b/..", "/files/a/"),
    ("trailing-current", "/files/a/.", "/files/a/"),
    ("only-parent", "/..", "/"),
    ("encoded-lower", "/files/%2e%2e/%2e%2e/admin", "/admin"),
    ("encoded-upper", "/files/%2E%2E/admin", "/admin"),
    ("encoded-mixed", "/files/.%2e/a/%2E./b", "/b"),
    ("encoded-current", "/files/%2e/a", "/files/a"),
    ("empty-segments-kept", "/files//a/../b", "/files//b"),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in RESOLVED], ids=[c[0] for c in RESOLVED])
def test_dot_segments_are_resolved(raw: str, expected: str) -> None:
    assert resolve_dot_segments(raw) == expected


REFUSED = [
    ("dotdot-encoded-slash", "/files/..%2f..%2fadmin"),
    ("dotdot-encoded-slash-upper", "/files/..%2F..%2Fadmin"),
    ("inside-a-segment", "/files/a%2f..%2f..%2fadmin"),
    ("encoded-dots-and-slash", "/files/%2e%2e%2fadmin"),
    ("encoded-backslash", "/files/..%5cadmin"),
    ("literal-backslash", "/files/..\\..\\admin"),
    ("tomcat-parameters", "/files/..;/admin"),
    ("tomcat-parameters-value", "/files/..;jsessionid=1/admin"),
]


@pytest.mark.parametrize("raw", [c[1] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_hidden_dot_segments_are_refused(raw: str) -> None:
    with pytest.raises(GatewayError) as caught:
        resolve_dot_segments(raw)
    assert caught.value.status == 400


@pytest.mark.parametrize(("value", "expected"), [
    ("a/b", False), ("file.txt", False), ("a%2Fb", False), ("..x", False), ("", False),
    ("..", True), ("a/../b", True), (".", True), ("%2e%2e", True), ("..%2fadmin", True), ("a\\..", True),
])
def test_values_placed_in_an_upstream_path(value: str, expected: bool) -> None:
    assert has_dot_segment(value) is expected


def test_upstream_uri_refuses_a_dot_segment_in_the_path_only() -> None:
    uri = compile_uri("http://127.0.0.1:9/public/{id}/x?q={q}#{f}", {}, "test")
    assert uri.path_slots == 1
    assert uri.render({"id": "a.b", "q": "../x", "f": ".."}) == "http://127.0.0.1:9/public/a.b/x?q=../x#.."
    with pytest.raises(GatewayError):
        uri.render({"id": "../../admin", "q": "x"})
