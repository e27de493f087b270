"""The package's layout: imports go one way along the data flow, modules stay small.

The flow is sources → import → store → analysis → render → CLI (see ``geo/__init__.py``).
Each sub-package has a rank; a module may import only from packages of a lower rank, never
from its own rank's siblings, and the module graph has no cycle. Function-level imports
count as much as top-level ones: a lazy import hides a dependency, it does not remove it.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "geo"

#: rank of each top-level part of the package, in the order data flows through it
RANKS = {
    "settings": 0,
    "errors": 0,
    "data": 0,
    "templates": 0,
    "domain": 1,
    "io": 2,
    "store": 3,
    "ingest": 4,
    "analysis": 4,
    "render": 5,
    "cli": 6,
}
#: the demo writes source files, as a user would: it needs the vocabulary and nothing after
DEMO_MAY_IMPORT = {"settings", "errors", "data", "domain", "io"}

#: the size a module should stay under; a longer one needs its reason here
MAX_LINES = 600
LONGER_MODULES: dict[str, str] = {}
#: modules other than the store that may use sqlite3, and why
SQLITE_READERS = {"geo.render.webmap": "reads .mbtiles tile files (SQLite), not the store"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``geo.…`` module *path* imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: use absolute imports (from geo.… import …)"
            if node.module == "geo":
                found.update(f"geo.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
    return {name for name in found if name == "geo" or name.startswith("geo.")}


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "geo"


def test_the_scan_finds_the_packages_and_their_imports():
    # guards the guard: a scan that found nothing would pass every test below
    assert set(RANKS) - {"data", "templates"} <= {_part(m) for m in MODULES}
    assert "geo.store" in GRAPH["geo.ingest.importer"] or any(
        dep.startswith("geo.store") for dep in GRAPH["geo.ingest.importer"]
    )
    assert all(_part(m) in RANKS or m in ("geo", "geo.demo") or _part(m) == "demo" for m in MODULES)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _part(m) != "geo"))
def test_imports_go_down_the_flow(module):
    part = _part(module)
    wrong = []
    for dep in sorted(GRAPH[module]):
        target = _part(dep)
        if target in (part, "geo"):
            continue
        if part == "demo":
            if target not in DEMO_MAY_IMPORT:
                wrong.append(dep)
        elif target == "demo":
            if part != "cli":
                wrong.append(dep)
        elif RANKS[target] >= RANKS[part]:
            wrong.append(dep)
    assert not wrong, (
        f"{module} ({part}, rank {RANKS.get(part)}) imports {wrong}: move the shared code "
        "down the flow (domain or io) or pass the value in as an argument"
    )


def test_no_import_cycles():
    graph = {m: {d for d in deps if d in MODULES and d != m} for m, deps in GRAPH.items()}
    # a package's __init__ re-exporting its own modules is not a cycle of the data flow
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    graphlib.TopologicalSorter(graph).static_order()  # raises CycleError on a cycle


def test_the_flow_check_catches_an_upward_import(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text("def f():\n    from geo.render.webmap import build_map\n", encoding="utf-8")
    assert _imports(source) == {"geo.render.webmap"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    if module in LONGER_MODULES:
        assert lines > MAX_LINES, f"{module} is small again: drop it from LONGER_MODULES"
        return
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by job (max {MAX_LINES})"


def test_only_the_cli_imports_click_and_only_the_store_imports_sqlite():
    offenders = []
    for name, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        if _part(name) != "cli" and ("import click" in text or "from click" in text):
            offenders.append((name, "click"))
        reader = any(name == m or name.startswith(m + ".") for m in SQLITE_READERS)
        if _part(name) != "store" and not reader and "import sqlite3" in text:
            offenders.append((name, "sqlite3"))
    assert not offenders
