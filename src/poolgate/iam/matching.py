"""IAM pattern matching: ``*``/``?`` globs, ARNs component by component, and policy variables.

Mirrors the IAM User Guide pages "IAM JSON policy elements: Resource" (wildcards in ARNs) and
"IAM policy elements: Variables and tags" (``${aws:username}``, ``${*}``, ``${?}``, ``${$}``, defaults).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

ContextValue = str | bool | int | float | list[str]
"""A request-context value: most keys hold one value, a few (tag keys) hold a list."""

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULTED = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
# Literal ``*``/``?`` (from ``${*}``/``${?}`` or inside a substituted value) are carried through as private-use
# characters so that the glob matcher does not read them as wildcards; ``unescape`` turns them back.
_STAR, _QMARK = "\ue000", "\ue001"
_LITERALS = {"*": _STAR, "?": _QMARK, "$": "$"}


class MissingVariable(Exception):
    """A ``${key}`` whose key is absent from the request context: the element matches nothing."""


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        parts.append(".*" if ch == "*" else "." if ch == "?" else re.escape(unescape(ch)))
    return re.compile("".join(parts), re.DOTALL | (0 if case_sensitive else re.IGNORECASE))


def glob_match(pattern: str, value: str, *, case_sensitive: bool = True) -> bool:
    """``*`` matches any run of characters (including none), ``?`` exactly one; nothing else is special."""
    if "*" not in pattern and "?" not in pattern:
        pattern = unescape(pattern)
        return pattern == value if case_sensitive else pattern.lower() == value.lower()
    return _glob_regex(pattern, case_sensitive).fullmatch(value) is not None


def _arn_parts(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def arn_match(pattern: str, value: str) -> bool:
    """Match an ARN pattern as IAM does: partition, service, region and account one by one (a wildcard never
    crosses a ``:`` there), then the resource part, where ``*`` spans ``/`` and ``:``. A pattern that is
    not a full six-part ARN (``*``, or a prefix like ``arn:aws:execute-api:*``) is matched as one glob."""
    pattern_parts = _arn_parts(pattern)
    value_parts = _arn_parts(value)
    if pattern_parts is None or value_parts is None:
        return glob_match(pattern, value)
    return all(glob_match(p, v) for p, v in zip(pattern_parts, value_parts, strict=True))


def substitute(template: str, context: Mapping[str, ContextValue]) -> str:
    """Replace policy variables with request-context values (keys case-insensitive; ``context`` keys must
    already be lower-case). ``${*}``, ``${?}``, ``${$}`` are literal characters; ``${key, 'default'}``
    falls back to the default. A missing key without default raises ``MissingVariable``. Substituted
    values are literal text: a ``*`` or ``?`` they contain is escaped (see ``unescape``), never a wildcard."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner in _LITERALS:
            return _LITERALS[inner]
        defaulted = _DEFAULTED.match(inner)
        key, default = (defaulted.group(1), defaulted.group(2)) if defaulted else (inner.strip(), None)
        value = context.get(key.lower())
        if value is None or isinstance(value, list):
            if default is not None:
                return _escape(default)
            raise MissingVariable(key)
        return _escape(format_value(value))

    if "${" not in template:
        return template
    return _VARIABLE.sub(replace, template)


def format_value(value: str | bool | int | float) -> str:
    """The string form IAM compares: booleans as ``true``/``false``, numbers without a trailing ``.0``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _escape(text: str) -> str:
    return text.replace("*", _STAR).replace("?", _QMARK)


def unescape(text: str) -> str:
    """Turn escaped literal ``*``/``?`` back into plain characters (for exact, non-glob comparisons)."""
    return text.replace(_STAR, "*").replace(_QMARK, "?")
