"""Constant-time comparison of secrets (MACs, signatures, codes, client secrets) that never raises on text.

``hmac.compare_digest`` refuses ``str`` arguments holding non-ASCII characters with a TypeError, and every
value compared here can come from a request: compare UTF-8 bytes instead.
"""

from __future__ import annotations

import hmac


def same_secret(given: str | None, expected: str) -> bool:
    """Whether ``given`` equals ``expected``, in time that does not depend on where they differ."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                                                     expected.encode("utf-8", "surrogatepass"))
