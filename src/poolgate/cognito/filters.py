"""ListUsers ``Filter``: ``AttributeName Filter-Type "AttributeValue"`` with ``=`` or ``^=``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import invalid_parameter
from .domain import User

SEARCHABLE = {"username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username",
              "cognito:user_status", "status", "sub"}
_FILTER = re.compile(r'^\s*([\w:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$')


@dataclass(frozen=True, slots=True)
class UserFilter:
    attribute: str
    prefix: bool
    value: str

    def matches(self, user: User) -> bool:
        actual = _value_of(user, self.attribute)
        if actual is None:
            return False
        wanted = self.value
        if self.attribute in ("cognito:user_status", "status"):
            actual, wanted = actual.lower(), wanted.lower()
        return actual.startswith(wanted) if self.prefix else actual == wanted


def _value_of(user: User, attribute: str) -> str | None:
    getters: dict[str, Callable[[User], str | None]] = {
        "username": lambda u: u.username,
        "sub": lambda u: u.sub,
        "cognito:user_status": lambda u: u.status,
        "status": lambda u: "Enabled" if u.enabled else "Disabled",
    }
    getter = getters.get(attribute)
    return getter(user) if getter else user.attributes.get(attribute)


def parse_filter(text: str | None) -> UserFilter | None:
    if text is None or not text.strip():
        return None
    match = _FILTER.match(text)
    if match is None:
        raise invalid_parameter("Error while parsing filter.")
    attribute, op, raw = match.groups()
    if attribute not in SEARCHABLE:
        raise invalid_parameter(f"Invalid search attribute: {attribute}")
    value = re.sub(r"\\(.)", r"\1", raw)
    return UserFilter(attribute, op == "^=", value)
