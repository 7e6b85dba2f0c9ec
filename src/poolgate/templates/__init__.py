"""SAM and CloudFormation templates (``poolgate serve --template``): read and SAM-transformed before the server
starts (``reading.py``; a malformed one is refused then), applied at start through the control planes' own
operations (``apply.py``, ``planes.py``), their Outputs printed as ``sam deploy`` prints them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import TemplateError
from .reading import Stack

__all__ = ["Stack", "TemplateError", "apply_templates", "parse_parameters", "read_stacks"]


def parse_parameters(values: list[str]) -> dict[str, str]:
    """``--parameter KEY=VALUE`` (repeatable) → {KEY: VALUE}."""
    parsed: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise TemplateError("--parameter", None, None, f"{value!r} is not KEY=VALUE")
        parsed[key] = rest
    return parsed


def read_stacks(paths: list[Path], parameters: dict[str, str], region: str, account: str,
                data_dir: Path | None = None) -> list[Stack]:
    """Every template read, transformed and checked (references, conditions, order); a given parameter that no
    template declares is refused. SAM's transforms are kept under ``{data_dir}/templates/transformed/``."""
    from .apply import order
    from .reading import read_stack

    cache = data_dir / "templates" / "transformed" if data_dir is not None else None
    stacks = [read_stack(path, parameters, region, account, cache) for path in paths]
    declared = {name for stack in stacks for name in (stack.template.get("Parameters") or {})}
    declared |= {name for stack in stacks for name in stack.parameters}
    for name in parameters:
        if name not in declared:
            raise TemplateError("--parameter", None, None, f"no template declares a parameter {name}")
    names = [stack.name for stack in stacks]
    for stack in stacks:
        if names.count(stack.name) > 1:
            raise TemplateError(stack.path, None, None, f"two templates make the stack {stack.name}: name the "
                                "files differently")
        order(stack)
    return stacks


async def apply_templates(app: Any, stacks: list[Stack]) -> list[str]:
    """Apply the stacks through ``app``'s planes; the lines to print (warnings, Outputs)."""
    from .apply import apply_stacks
    from .planes import Planes

    return await apply_stacks(stacks, Planes(app.services, app))
