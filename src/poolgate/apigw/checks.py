"""Type checks for declarative API definitions, each failing with a ``ConfigError`` that names the file, the
path inside the document (``$.paths./pets.get.x-amazon-apigateway-integration.type``) and the problem."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

from ..config import ConfigError


class Checker:
    """Validates values of one file; every method takes the value and its path in the document."""

    def __init__(self, file: Path | str) -> None:
        self.file = file

    def fail(self, path: str, problem: str) -> NoReturn:
        raise ConfigError(self.file, path, problem)

    def expect(self, condition: bool, path: str, problem: str) -> None:
        if not condition:
            self.fail(path, problem)

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if value is None:
            return {}
        self.expect(isinstance(value, dict), path, "must be a mapping")
        for key in value:
            self.expect(isinstance(key, str), f"{path}.{key}", "keys must be strings")
        return value

    def only_keys(self, value: dict[str, Any], path: str, allowed: Iterable[str], *, vendor: bool = False) -> None:
        """Refuse keys outside ``allowed``; with ``vendor``, other ``x-…`` extensions pass (but not
        ``x-amazon-apigateway-…`` ones, which poolgate must understand or refuse)."""
        allowed = set(allowed)
        for key in value:
            if key in allowed:
                continue
            if vendor and key.startswith("x-") and not key.startswith("x-amazon-apigateway-"):
                continue
            expected = ", ".join(sorted(allowed))
            self.fail(f"{path}.{key}", f"unknown key (expected one of {expected})")

    def string(self, value: Any, path: str) -> str:
        self.expect(isinstance(value, str) and value != "", path, "must be a non-empty string")
        return value

    def optional_string(self, value: Any, path: str) -> str | None:
        return None if value is None else self.string(value, path)

    def string_list(self, value: Any, path: str) -> list[str]:
        if value is None:
            return []
        self.expect(isinstance(value, list), path, "must be a list of strings")
        return [self.string(item, f"{path}[{i}]") for i, item in enumerate(value)]

    def string_map(self, value: Any, path: str) -> dict[str, str]:
        """A mapping of strings to strings; numbers and booleans are accepted as their text."""
        result = {}
        for key, item in self.mapping(value, path).items():
            result[key] = self.scalar_text(item, f"{path}.{key}")
        return result

    def scalar_text(self, value: Any, path: str) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        self.expect(isinstance(value, str | int | float), path, "must be a string")
        return str(value)

    def boolean(self, value: Any, path: str, default: bool = False) -> bool:
        if value is None:
            return default
        self.expect(isinstance(value, bool), path, "must be true or false")
        return bool(value)

    def integer(self, value: Any, path: str, low: int, high: int) -> int:
        """An integer in [low, high]; digit strings (``statusCode: "200"`` in OpenAPI) are accepted."""
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        self.expect(isinstance(value, int) and not isinstance(value, bool) and low <= value <= high, path,
                    f"must be an integer from {low} to {high}")
        return int(value)

    def one_of(self, value: Any, path: str, choices: Iterable[str], *, upper: bool = True) -> str:
        """One of ``choices`` (compared upper-cased when ``upper``), returned in its canonical spelling."""
        choices = list(choices)
        text = self.string(value, path)
        key = text.upper() if upper else text
        self.expect(key in choices, path, f"{text!r} is not one of {', '.join(choices)}")
        return key
