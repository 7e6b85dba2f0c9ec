"""Dot segments in request paths: removed before routing, so that routing and forwarding see one path.

``/files/../../admin`` used to be routed as a ``{proxy+}`` value of ``../../admin`` and forwarded to an
``HTTP_PROXY`` upstream as ``/public/../../admin``, which any RFC 3986 server resolves to ``/admin``: outside the
base path the API exposes. Here the path below the stage is resolved first, as RFC 3986 §5.2.4 says
(``remove_dot_segments``), with ``%2E``/``%2e`` read as ``.`` (an unreserved character, §2.3 and §6.2.2.2); a
``..`` never climbs above the stage. Every later stage (router, ``$context.path``, proxy events, method ARNs,
``HTTP_PROXY`` URLs) sees the resolved path.

A segment that is no dot segment for RFC 3986 but turns into one once an upstream decodes ``%2F``/``%5C`` or
cuts ``;`` parameters (``..%2f``, ``%2e%2e%5c``, ``..;``; nginx decodes before resolving, Tomcat strips ``;``)
is refused with 400 rather than forwarded. So is such a value mapped into an upstream path from a header or
query string (``integration.request.path.*``).

What API Gateway itself does with dot segments is not documented or captured: UNCONFIRMED. CloudFront, in
front of edge-optimized APIs, documents that it "normalizes URI paths consistent with RFC 3986" to pick a
behavior and then sends the raw path on (CloudFront Developer Guide, cache behavior settings, "Path
normalization"); curl, browsers and urllib3 resolve dot segments before sending, so ordinary clients never
send them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from ..errors import GatewayError

_SEPARATORS = re.compile(r"[/\\]")


def ambiguous_path() -> GatewayError:
    """A path segment that hides a dot segment: 400 (UNCONFIRMED: no capture of AWS's answer)."""
    return GatewayError("DEFAULT_4XX", 400, "Bad Request", "BadRequestException")


def _is_dot(segment: str) -> str | None:
    """``"."`` or ``".."`` when ``segment`` (raw) is a dot segment, with ``%2E`` read as ``.``."""
    plain = segment.replace("%2e", ".").replace("%2E", ".") if "%" in segment else segment
    return plain if plain in (".", "..") else None


def hides_dot_segment(segment: str) -> bool:
    """Whether a (raw) segment that is not a dot segment becomes one, or holds one, for an upstream that decodes
    ``%2F``/``%5C``, treats ``\\`` as a separator or cuts ``;`` parameters."""
    if "%" not in segment and "\\" not in segment and ";" not in segment:
        return False
    return any(part.split(";", 1)[0] in (".", "..") for part in _SEPARATORS.split(unquote(segment)))


def resolve_dot_segments(raw_path: str) -> str:
    """``raw_path`` (percent-encoded, from ``/``) with its dot segments removed, never above ``/``; raises
    ``GatewayError`` 400 for a segment that ``hides_dot_segment``."""
    if "/." not in raw_path and "%" not in raw_path and "\\" not in raw_path and ";" not in raw_path:
        return raw_path  # the common case: nothing to resolve or refuse
    segments = raw_path.split("/")[1:]
    out: list[str] = []
    last = len(segments) - 1
    for i, segment in enumerate(segments):
        dot = _is_dot(segment)
        if dot is None:
            if hides_dot_segment(segment):
                raise ambiguous_path()
            out.append(segment)
            continue
        if dot == ".." and out:
            out.pop()
        if i == last:  # "/a/b/.." is "/a/": the path ends as a directory
            out.append("")
    return "/" + "/".join(out)


def has_dot_segment(value: str) -> bool:
    """Whether ``value``, placed in an upstream path, would add a dot segment to it (any of its ``/``-separated
    parts is one, or hides one)."""
    if "." not in value and "%" not in value:
        return False
    return any(_is_dot(part) is not None or hides_dot_segment(part) for part in value.split("/"))
