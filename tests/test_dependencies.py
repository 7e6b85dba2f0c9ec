"""The dependency rules of docs/design.md §4b, checked over the import graph of ``src/poolgate``.

The graph is read with ``ast`` from the sources, so an import inside a function counts as much as one at the top
of a module (the sign-in circle this test was written against was made of 19 such imports). An edge goes to the
module imported (``from . import repo`` → ``cognito.repo``; ``from .x import name`` → ``x``); the packages a
module's parents implicitly import are not edges.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "poolgate"

Graph = dict[str, set[str]]


def _module_name(root: Path, path: Path, package: str) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, package: str) -> Graph:
    """Every module of the package under ``root`` and the modules of the same package it imports."""
    modules = {_module_name(root, p, package): p for p in sorted(root.rglob("*.py"))}
    graph: Graph = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else (node.module or "")
                targets += [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        edges = set()
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def circles(graph: Graph) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def forbidden(graph: Graph, importers: Iterable[str], allowed: Iterable[str], within: str) -> list[tuple[str, str]]:
    """(importer, imported) for every import by a module under one of ``importers`` of a module under ``within``
    that is not under one of ``allowed`` (each a module name or a package prefix)."""
    def under(name: str, prefixes: Iterable[str]) -> bool:
        return any(name == p or name.startswith(p + ".") for p in prefixes)

    importers, allowed = tuple(importers), tuple(allowed)
    return sorted((a, b) for a, targets in graph.items() if under(a, importers)
                  for b in targets if under(b, (within,)) and not under(b, allowed))


# --- the rules ---

GRAPH = import_graph(SRC, "poolgate")

TEMPORARY_CIRCLES: dict[str, tuple[str, ...]] = {
    # Areas still open when the rules were written (issue 14): a circle is excused while all its modules are under
    # one entry's modules or packages. Each entry must go; none may be added.
    # The data plane: InvocationContext.plane closes a circle through the stages (issue 14, "GatewayServices";
    # being reworked by the start-up/composition-root area).
    "dataplane": ("poolgate.dataplane",),
}


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


SIGNIN_MAY_IMPORT = (
    "poolgate.cognito.signin", "poolgate.cognito.domain", "poolgate.cognito.repo", "poolgate.cognito.users",
    "poolgate.cognito.access", "poolgate.cognito.credentials", "poolgate.cognito.passwords",
    "poolgate.cognito.schema", "poolgate.cognito.mfa", "poolgate.cognito.srp", "poolgate.cognito.triggers",
    "poolgate.cognito.hooks", "poolgate.cognito.pretoken", "poolgate.cognito.sender", "poolgate.cognito.tokens",
    "poolgate.cognito.refresh", "poolgate.cognito.unknown_users", "poolgate.cognito.passkeys", "poolgate.store",
    "poolgate.cognito.devices", "poolgate.errors", "poolgate.services", "poolgate.compare", "poolgate.clock",
)

OPERATION_IMPORTERS = {
    # Existing users of operation modules outside cognito/ops (issue 14: "one entry point per service" removes them).
    ("poolgate.app", "poolgate.cognito.ops"),  # imports the package to register the operations
    ("poolgate.declared", "poolgate.cognito.ops.clients"),  # poolgate.yaml applied through the operations
    ("poolgate.declared", "poolgate.cognito.ops.domains"),
    ("poolgate.declared", "poolgate.cognito.ops.groups"),
    ("poolgate.declared", "poolgate.cognito.ops.pools"),
    ("poolgate.declared", "poolgate.cognito.ops.resource_servers"),
}


def test_no_import_circles_but_the_named_temporary_ones() -> None:
    found = circles(GRAPH)
    unexcused = [sorted(c) for c in found if not any(all(_under(m, zone) for m in c)
                                                      for zone in TEMPORARY_CIRCLES.values())]
    assert not unexcused, f"import circles: {unexcused}"
    gone = [name for name, zone in TEMPORARY_CIRCLES.items() if not any(all(_under(m, zone) for m in c)
                                                                         for c in found)]
    assert not gone, f"no circle left there, remove from TEMPORARY_CIRCLES: {gone}"


def test_the_sign_in_engine_imports_only_the_pools_domain_storage_trigger_and_token_modules() -> None:
    assert forbidden(GRAPH, ["poolgate.cognito.signin"], SIGNIN_MAY_IMPORT, "poolgate") == []


def test_only_operation_modules_import_operation_modules() -> None:
    ops = "poolgate.cognito.ops"
    found = {(a, b) for a, b in forbidden(GRAPH, ["poolgate"], [], ops) if not (a == ops or a.startswith(ops + "."))}
    assert found - OPERATION_IMPORTERS == set()
    assert OPERATION_IMPORTERS - found == set(), "no longer imported: remove from OPERATION_IMPORTERS"


# --- the checker itself, on a package made up for it ---

def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "pkg"


def test_the_checker_finds_a_circle_made_of_an_import_inside_a_function(tmp_path: Path) -> None:
    clean = {"__init__.py": "", "low.py": "X = 1\n", "high.py": "from .low import X\n",
             "sub/__init__.py": "", "sub/deep.py": "from ..high import X\nfrom .. import low\n"}
    assert circles(import_graph(_package(tmp_path / "a", clean), "pkg")) == []
    looped = {**clean, "low.py": "X = 1\n\n\ndef later():\n    from .sub import deep\n    return deep\n"}
    graph = import_graph(_package(tmp_path / "b", looped), "pkg")
    assert graph["pkg.sub.deep"] == {"pkg.high", "pkg.low"}
    assert circles(graph) == [frozenset({"pkg.low", "pkg.sub.deep", "pkg.high"})]


@pytest.mark.parametrize(("line", "flagged"), [
    ("from ..ops import auth\n", [("pkg.engine.core", "pkg.ops.auth")]),
    ("import pkg.ops.auth\n", [("pkg.engine.core", "pkg.ops.auth")]),
    ("from ..domain import User\n", []),
])
def test_the_checker_flags_a_forbidden_import(tmp_path: Path, line: str, flagged: list[tuple[str, str]]) -> None:
    root = _package(tmp_path, {"__init__.py": "", "domain.py": "User = 1\n", "ops/__init__.py": "",
                               "ops/auth.py": "from ..domain import User\n", "engine/__init__.py": "",
                               "engine/core.py": f"def f():\n    {line}"})
    graph = import_graph(root, "pkg")
    assert forbidden(graph, ["pkg.engine"], ["pkg.engine", "pkg.domain"], "pkg") == flagged
