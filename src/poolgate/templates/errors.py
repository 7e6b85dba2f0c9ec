"""A template poolgate refuses: the file, the resource, the property and why."""

from __future__ import annotations

from pathlib import Path

from ..config import ConfigError


class TemplateError(ConfigError):
    """Raised deep (reading, resolving, applying), rendered once: ``poolgate: FILE: RESOURCE.PROPERTY: reason``;
    a ConfigError, so a failed start prints it without a traceback (``app._lifespan``)."""

    def __init__(self, file: Path | str, resource: str | None, prop: str | None, problem: str) -> None:
        where = ".".join(part for part in (f"Resources.{resource}" if resource else None, prop) if part) or "$"
        super().__init__(file, where, problem)
        self.resource = resource
        self.prop = prop
        self.problem = problem
