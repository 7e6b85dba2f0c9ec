"""Token claims as a REST API's Cognito authorizer hands them to the backend.

``requestContext.authorizer.claims`` is a flat map of strings: numbers as their decimal text, booleans
``"true"``/``"false"``, ``exp``/``iat`` as Java ``Date.toString()`` text (``Thu Nov 28 04:24:11 UTC 2019``),
arrays comma-joined (``cognito:groups`` → ``"anotherGroup,admin"``), objects as JSON text.
(reference §4; API Gateway passes what its Java runtime prints.)
"""

from __future__ import annotations

import json
import time
from typing import Any

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DATE_CLAIMS = frozenset({"exp", "iat"})


def java_date(epoch: float) -> str:
    """``java.util.Date.toString()`` in UTC: ``EEE MMM dd HH:mm:ss zzz yyyy``."""
    t = time.gmtime(epoch)
    return (f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}")


def claim_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ",".join(claim_text(v) for v in value)
    if value is None:
        return "null"
    return json.dumps(value, separators=(",", ":"))


def stringify_claims(claims: dict[str, Any]) -> dict[str, str]:
    """The claims of a verified token, every value a string, as API Gateway's Cognito authorizer passes them."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if name in DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = java_date(value)
        else:
            out[name] = claim_text(value)
    return out
