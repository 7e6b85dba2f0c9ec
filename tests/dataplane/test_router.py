"""The compiled router: API Gateway's precedence rules (reference §9.3)."""

from __future__ import annotations

import pytest

from poolgate.dataplane.router import RouteConflict, Router


def _router(*paths: tuple[str, list[str]]) -> Router[str]:
    router: Router[str] = Router()
    for path, methods in paths:
        router.add(path, {m: f"{m} {path}" for m in methods})
    return router


ROUTER = _router(
    ("/", ["GET"]),
    ("/pets", ["GET", "POST"]),
    ("/pets/{petId}", ["GET", "ANY"]),
    ("/pets/mine", ["GET"]),
    ("/pets/{petId}/toys", ["GET"]),
    ("/a/b", ["GET"]),
    ("/{x}/c", ["GET"]),
    ("/files/{proxy+}", ["ANY"]),
    ("/files/{proxy+}", ["DELETE"]),
    ("/{proxy+}", ["GET"]),
)

CASES = [
    ("GET", "/", "GET /", None),
    ("GET", "/pets", "GET /pets", None),
    ("GET", "/pets/", "GET /pets", None),  # trailing slash ignored
    ("GET", "/pets/mine", "GET /pets/mine", None),  # literal beats {param}
    ("GET", "/pets/7", "GET /pets/{petId}", {"petId": "7"}),  # explicit method beats ANY
    ("PUT", "/pets/7", "ANY /pets/{petId}", {"petId": "7"}),
    ("PUT", "/pets/mine", "ANY /pets/{petId}", {"petId": "mine"}),  # literal lacks PUT: backtrack to {param}
    ("GET", "/pets/7/toys", "GET /pets/{petId}/toys", {"petId": "7"}),
    ("GET", "/a/c", "GET /{x}/c", {"x": "a"}),  # literal a has no child c: backtrack
    ("GET", "/a/b", "GET /a/b", None),
    ("POST", "/files/x/y/z.txt", "ANY /files/{proxy+}", {"proxy": "x/y/z.txt"}),
    ("DELETE", "/files/x", "DELETE /files/{proxy+}", {"proxy": "x"}),
    ("GET", "/files/a%2Fb", "ANY /files/{proxy+}", {"proxy": "a%2Fb"}),  # stays percent-encoded
    ("GET", "/anything/else/deep", "GET /{proxy+}", {"proxy": "anything/else/deep"}),  # {proxy+} is the last resort
    ("GET", "/pets/7/toys/1", "GET /{proxy+}", {"proxy": "pets/7/toys/1"}),
]


@pytest.mark.parametrize(("method", "path", "expected", "params"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_precedence(method: str, path: str, expected: str, params: dict[str, str] | None) -> None:
    assert ROUTER.match(method, path) == (expected, params)


@pytest.mark.parametrize(("method", "path"), [("POST", "/pets/7/toys"), ("DELETE", "/"), ("GET", "/files"),
                                              ("POST", "/a/b")])
def test_no_match(method: str, path: str) -> None:
    router = _router(("/pets/{petId}/toys", ["GET"]), ("/", ["GET"]), ("/files/{proxy+}", ["ANY"]),
                     ("/a/b", ["GET"]))
    assert router.match(method, path) is None  # the greedy variable never matches its parent path


def test_literal_segments_compare_decoded() -> None:
    assert _router(("/my pets", ["GET"])).match("GET", "/my%20pets") == ("GET /my pets", None)


def test_conflicting_variables_are_refused() -> None:
    router = _router(("/pets/{petId}", ["GET"]))
    with pytest.raises(RouteConflict):
        router.add("/pets/{id}/toys", {"GET": "x"})
    with pytest.raises(RouteConflict):
        router.add("/files/{proxy+}/more", {"GET": "x"})
