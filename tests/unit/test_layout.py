"""The package's shape: data flows one way, no import cycle, no private reach-ins, small files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "casegraph"
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import statement in a file, at any depth (lazy ones too)."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names]))
    return found


def edges() -> dict[str, set[str]]:
    """casegraph module -> the casegraph modules it imports (a name that is a submodule counts)."""
    out: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for target, names in imports(path):
            if not target.startswith("casegraph"):
                continue
            for name in names:
                if f"{target}.{name}" in MODULES:
                    out[mod].add(f"{target}.{name}")
            if target in MODULES and (
                not names or any(f"{target}.{n}" not in MODULES for n in names)
            ):
                out[mod].add(target)
        out[mod].discard(mod)
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_package() -> None:
    assert find_cycle(edges()) is None


def test_no_module_imports_a_private_name_of_another() -> None:
    offenders = [
        f"{mod}: {target}.{name}"
        for mod, path in MODULES.items()
        for target, names in imports(path)
        if target.startswith("casegraph")
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("casegraph.graph", "casegraph.backends"),
        ("casegraph.graph", "casegraph.queries"),
        ("casegraph.loaders", "casegraph.backends"),
        ("casegraph.loaders", "casegraph.queries"),
        ("casegraph.backends", "casegraph.queries"),
        ("casegraph.queries", "casegraph.views"),
        ("casegraph.queries", "casegraph.cli"),
        ("casegraph.views", "casegraph.cli"),
        ("casegraph.backends.sqlite", "casegraph.backends.neo4j"),
        ("casegraph.backends.neo4j", "casegraph.backends.sqlite"),
    ],
)
def test_data_flows_one_way(lower: str, upper: str) -> None:
    """loader -> facts -> resolver -> store -> question -> result -> view -> CLI: no layer
    imports one above it, and neither backend imports the other."""
    bad = [
        f"{mod} -> {dep}"
        for mod, deps in edges().items()
        if mod == lower or mod.startswith(lower + ".")
        for dep in deps
        if dep == upper or dep.startswith(upper + ".")
    ]
    assert bad == []


def test_stores_are_used_through_their_contract() -> None:
    """No getattr on a store, no SQL or sqlite3 outside the SQLite backend."""
    for mod, path in MODULES.items():
        text = path.read_text("utf-8")
        assert "getattr(store" not in text, mod
        if not mod.startswith("casegraph.backends.sqlite"):
            assert "import sqlite3" not in text, mod


def test_no_file_is_too_long_to_read_in_one_sitting() -> None:
    long = {
        mod: n
        for mod, p in MODULES.items()
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
