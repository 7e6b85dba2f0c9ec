"""Lambda's runtime identifiers and what each needs in a function's code directory.

The identifiers are AWS's (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html):
``python3.x`` runs in poolgate's own process (``dataplane/functions.py``, the fast path); ``nodejs*.x`` and
``provided.*`` run as child processes that speak the Lambda Runtime API (``instance.py``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..apigw.domain import Function

PYTHON = frozenset({"python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14"})
NODEJS = frozenset({"nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x"})
PROVIDED = frozenset({"provided.al2", "provided.al2023"})
SUPPORTED = PYTHON | NODEJS | PROVIDED
DEFAULT = "python3.12"

_PYTHON_HANDLER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
_NODE_HANDLER = re.compile(r"^[^\s.][^\s]*\.[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
"""``[dir/]module.export[.nested]``, as Lambda's Node.js runtime splits it (the module is the part before the
first dot of the last path segment)."""
NODE_EXTENSIONS = (".js", ".mjs", ".cjs")
"""The files a Node.js handler module may be, in the order the Node.js runtime tries them."""


def out_of_process(runtime: str) -> bool:
    return runtime in NODEJS or runtime in PROVIDED


@dataclass(frozen=True, slots=True)
class HandlerProblem:
    field: str
    """``runtime`` or ``handler``."""
    message: str


def _node_module(function: Function) -> Path:
    handler = function.handler
    head, _, last = handler.rpartition("/")
    module = last.split(".", 1)[0]
    return Path(function.code, head, module) if head else Path(function.code, module)


def node_handler_file(function: Function) -> Path | None:
    """The file a Node.js handler names (``index.handler`` → ``index.js``, ``.mjs`` or ``.cjs``), if any exists."""
    base = _node_module(function)
    for extension in NODE_EXTENSIONS:
        candidate = base.with_name(base.name + extension)
        if candidate.is_file():
            return candidate
    return None


def problem(function: Function, python_handler_file: Path) -> HandlerProblem | None:
    """What keeps ``function`` from running (None when its runtime would find its code)."""
    runtime = function.runtime
    if runtime not in SUPPORTED:
        return HandlerProblem("runtime", f"unsupported runtime {runtime!r}; one of {', '.join(sorted(SUPPORTED))}")
    if runtime in PYTHON:
        if _PYTHON_HANDLER.match(function.handler) is None:
            return HandlerProblem("handler", "must be module.function (e.g. app.handler), as Lambda's Python "
                                             "runtime names it")
        if not python_handler_file.exists():
            return HandlerProblem("handler", f"no file {python_handler_file} for handler {function.handler}")
        return None
    if runtime in NODEJS:
        if _NODE_HANDLER.match(function.handler) is None:
            return HandlerProblem("handler", "must be file.export (e.g. index.handler), as Lambda's Node.js "
                                             "runtime names it")
        if node_handler_file(function) is None:
            base = _node_module(function)
            return HandlerProblem("handler", f"no file {base}.js, .mjs or .cjs for handler {function.handler}")
        return None
    bootstrap = Path(function.code, "bootstrap")
    if not bootstrap.is_file():
        return HandlerProblem("handler", f"no file {bootstrap}: a {runtime} function's code has an executable "
                                         f"named bootstrap")
    if not os.access(bootstrap, os.X_OK):
        return HandlerProblem("handler", f"{bootstrap} is not executable (chmod +x)")
    return None
