"""Input validation driven by botocore's service model, with AWS's own message format.

AWS reports constraint violations as
``1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy constraint: …``.
"""

from __future__ import annotations

import functools
from typing import Any

import regex
from botocore.model import ListShape, MapShape, Shape, StructureShape

_MAX_REPORTED = 10
_NUL = "\x00"
NO_NUL = "not contain null characters"
"""No store keeps U+0000 in text (PostgreSQL refuses it), and the model's patterns that Python cannot compile
(``\\p{L}…``) exclude it, as do nearly all the others."""


@functools.lru_cache(maxsize=2048)
def _pattern(pattern: str) -> regex.Pattern[str] | None:
    r"""The model's (Java-flavoured) pattern: ``regex`` understands its ``\p{L}``-style classes."""
    try:
        return regex.compile(pattern, regex.DOTALL)
    except regex.error:
        return None  # a construct neither understands: the pattern cannot be checked here


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


class _Collector:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.paths: list[str] = []

    def add(self, value: Any, path: str, constraint: str, sensitive: bool) -> None:
        if value is None:
            shown = "Value null at"
        elif sensitive:
            shown = "Value at"
        else:
            shown = f"Value '{value}' at"
        self.errors.append(f"{shown} '{path}' failed to satisfy constraint: Member must {constraint}")
        self.paths.append(path)


def _is_sensitive(shape: Shape) -> bool:
    return bool(shape.serialization.get("sensitive") or getattr(shape, "metadata", {}).get("sensitive"))


def _check(shape: Shape, value: Any, path: str, out: _Collector) -> None:
    sensitive = _is_sensitive(shape)
    kind = shape.type_name
    meta = shape.metadata
    if isinstance(shape, StructureShape) and shape.is_document_type:
        return  # a document (e.g. CompleteWebAuthnRegistration's Credential): any JSON value, handed on as sent
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            out.add("<structure>", path, "be a structure", False)
            return
        for name in shape.required_members:
            if value.get(name) is None:
                member = shape.members[name]
                out.add(None, f"{path}.{_camel(name)}" if path else _camel(name), "not be null",
                        _is_sensitive(member))
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is None or member_value is None:
                continue
            _check(member, member_value, f"{path}.{_camel(name)}" if path else _camel(name), out)
        return
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            out.add("<list>", path, "be a list", False)
            return
        _length(meta, value, len(value), path, out, sensitive, "length")
        for i, item in enumerate(value, start=1):
            _check(shape.member, item, f"{path}.{i}.member", out)
        return
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            out.add("<map>", path, "be a map", False)
            return
        for k, v in value.items():
            if _NUL in k:
                out.add(k, path, NO_NUL, False)
            _check(shape.value, v, f"{path}.{k}", out)
        return
    if kind == "string":
        if not isinstance(value, str):
            out.add(value, path, "be a string", sensitive)
            return
        if _NUL in value:
            out.add(value, path, NO_NUL, sensitive)
            return
        _length(meta, value, len(value), path, out, sensitive, "length")
        enum = meta.get("enum")
        if enum and value not in enum:
            out.add(value, path, f"satisfy enum value set: [{', '.join(enum)}]", sensitive)
        pattern = meta.get("pattern")
        if pattern:
            compiled = _pattern(pattern)
            if compiled is not None and not compiled.fullmatch(value):
                out.add(value, path, f"satisfy regular expression pattern: {pattern}", sensitive)
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            out.add(value, path, "be an integer", sensitive)
            return
        if "min" in meta and value < meta["min"]:
            out.add(value, path, f"have value greater than or equal to {meta['min']}", sensitive)
        if "max" in meta and value > meta["max"]:
            out.add(value, path, f"have value less than or equal to {meta['max']}", sensitive)
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.add(value, path, "be a boolean", sensitive)
    elif kind == "blob" and not isinstance(value, str):  # JSON protocols carry blobs as base64 text
        out.add(value, path, "be a blob", sensitive)
    elif kind == "timestamp" and (isinstance(value, bool) or not isinstance(value, int | float | str)):
        out.add(value, path, "be a timestamp", sensitive)


def _length(meta: dict[str, Any], value: Any, n: int, path: str, out: _Collector, sensitive: bool,
            what: str) -> None:
    if "min" in meta and n < meta["min"]:
        out.add(value, path, f"have {what} greater than or equal to {meta['min']}", sensitive)
    if "max" in meta and n > meta["max"]:
        out.add(value, path, f"have {what} less than or equal to {meta['max']}", sensitive)


def validation_errors(shape: StructureShape | None, params: Any) -> str | None:
    """AWS's validation message for ``params`` against ``shape``, or None when they conform."""
    if shape is None:
        return None
    out = _Collector()
    _check(shape, params, "", out)
    if not out.errors:
        return None
    n = len(out.errors)
    head = f"{n} validation error{'s' if n > 1 else ''} detected: "
    return head + "; ".join(out.errors[:_MAX_REPORTED])


def validation_problems(shape: StructureShape | None, params: Any) -> list[tuple[str, str]]:
    """Each constraint ``params`` violates, as (AWS's path of the member, e.g. ``policies.passwordPolicy``,
    AWS's sentence about it): what ``validation_errors`` joins, for callers that name the place themselves
    (``poolgate.yaml`` names the file's own path)."""
    if shape is None:
        return []
    out = _Collector()
    _check(shape, params, "", out)
    return list(zip(out.paths, out.errors, strict=True))


def conform(shape: Shape | None, value: Any) -> Any:
    """Valid ``value`` as handlers get it: structure members sent as ``null`` or unknown to the model are
    dropped, recursively (AWS's JSON protocols read a ``null`` member as one not sent and ignore unknown
    members), so handlers never see ``None`` for an absent member and never store what the model lacks."""
    if isinstance(shape, StructureShape) and isinstance(value, dict) and not shape.is_document_type:
        return {k: conform(shape.members[k], v) for k, v in value.items() if v is not None and k in shape.members}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [conform(shape.member, item) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: conform(shape.value, v) for k, v in value.items()}
    return value
