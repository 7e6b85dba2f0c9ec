"""Patch operations (``patchOperations``) as the Update* operations take them, and AWS's refusals.

Paths are JSON pointers: ``~1`` stands for ``/`` inside one step (``/variables/a~1b``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ServiceError
from .registry import bad_request


@dataclass(frozen=True, slots=True)
class Patch:
    op: str
    path: str
    value: Any
    source: str | None

    @property
    def steps(self) -> list[str]:
        """The path's steps, unescaped: ``/variables/a~1b`` → ``["variables", "a/b"]``."""
        return [step.replace("~1", "/").replace("~0", "~") for step in self.path.split("/")[1:]]


def patches(params: dict[str, Any]) -> Iterator[Patch]:
    for item in params.get("patchOperations", []):
        yield Patch(item.get("op", ""), item.get("path", ""), item.get("value"), item.get("from"))


def unsupported_op(patch: Patch) -> ServiceError:
    """Recorded: localstack test_apigateway_api.snapshot.json ``test_update_resource_behaviour`` (add-unsupported)."""
    return bad_request(f"Invalid patch path  '{patch.path}' specified for op '{patch.op}'. "
                       "Please choose supported operations")


def invalid_path(patch: Patch, allowed: list[str]) -> ServiceError:
    """Recorded: ``test_update_resource_behaviour`` (invalid-path-part) in the same snapshot file."""
    return bad_request(f"Invalid patch path  '{patch.path}' specified for op '{patch.op}'. "
                       f"Must be one of: [{', '.join(allowed)}]")


def invalid_patch_path(patch: Patch) -> ServiceError:
    """The short form AWS uses for methods and gateway responses (recorded: ``test_update_method_validation``,
    unsupported-path)."""
    return bad_request(f"Invalid patch path {patch.path}")


def boolean(patch: Patch) -> bool:
    text = str(patch.value).lower()
    if text not in ("true", "false"):
        # Wording UNCONFIRMED.
        raise bad_request(f"Invalid value {patch.value!r} for {patch.path}: must be true or false")
    return text == "true"


def integer(patch: Patch) -> int:
    try:
        return int(str(patch.value))
    except ValueError:
        # Wording UNCONFIRMED.
        raise bad_request(f"Invalid value {patch.value!r} for {patch.path}: must be a whole number") from None
