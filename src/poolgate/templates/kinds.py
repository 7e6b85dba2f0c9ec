"""What every resource type's applier shares: the record kept per logical id, the registry of types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .planes import Planes


@dataclass(slots=True)
class Record:
    """What a resource became: its physical id (``Ref``), its attributes (``Fn::GetAtt``), the digest of the
    properties it was made from, and the read (plane, operation, parameters) that tells it still exists."""

    type: str
    id: str
    attrs: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    probe: list[Any] | None = None
    retain: bool = False
    """The template's ``DeletionPolicy`` was ``Retain`` (or ``RetainExceptOnCreate``): when the resource leaves the
    template it is left in place, no longer the stack's."""

    def dump(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "attrs": self.attrs, "digest": self.digest, "probe": self.probe,
                "retain": self.retain}

    @classmethod
    def load(cls, data: dict[str, Any]) -> Record:
        return cls(data["type"], data["id"], dict(data.get("attrs") or {}), data.get("digest", ""),
                   data.get("probe"), bool(data.get("retain")))


@dataclass(slots=True)
class Target:
    """The resource being applied."""

    stack: str
    logical: str
    type: str
    region: str
    account: str
    code: dict[str, Path] = field(default_factory=dict)
    """The stack's local code: placeholder S3 key → folder or file (``reading.Stack.code``)."""
    retain_replaced: bool = False
    """``UpdateReplacePolicy: Retain``: what an update replaces by a new physical resource is left in place."""

    def default_name(self, limit: int = 64) -> str:
        """A name for a resource whose template names none (CloudFormation's ``{stack}-{logical}-{suffix}``,
        here without the random suffix so that it is the same at every start)."""
        return f"{self.stack}-{self.logical}"[:limit]


class PropertyError(Exception):
    """A property the applier refuses before any call: the property's name and why."""

    def __init__(self, prop: str, problem: str) -> None:
        super().__init__(problem)
        self.prop = prop
        self.problem = problem


Applier = Callable[[Planes, Target, dict[str, Any], "Record | None"], Awaitable[Record]]
"""Create the resource, or, given its previous record (the resource exists, its properties changed), update it."""

APPLIERS: dict[str, Applier] = {}


Remover = Callable[[Planes, Record], Awaitable[None]]
"""Delete what a record names (its resource left the template); already gone is fine."""

REMOVERS: dict[str, Remover] = {}


def removes(*types: str) -> Callable[[Remover], Remover]:
    def register(function: Remover) -> Remover:
        for kind in types:
            REMOVERS[kind] = function
        return function
    return register


def applies(*types: str) -> Callable[[Applier], Applier]:
    def register(function: Applier) -> Applier:
        for kind in types:
            APPLIERS[kind] = function
        return function
    return register


def require(props: dict[str, Any], *names: str) -> None:
    for name in names:
        if props.get(name) in (None, ""):
            raise PropertyError(name, "required property is missing")


def known(props: dict[str, Any], allowed: set[str]) -> None:
    for name in props:
        if name not in allowed:
            raise PropertyError(name, f"not a property poolgate applies; it knows {', '.join(sorted(allowed))}")


def camel(props: dict[str, Any], renames: dict[str, str] | None = None) -> dict[str, Any]:
    """CloudFormation's PascalCase properties as the apigateway API's camelCase members."""
    renames = renames or {}
    return {renames.get(key, key[:1].lower() + key[1:]): value for key, value in props.items()}
