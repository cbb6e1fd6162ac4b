"""The three wings: present may use figures and data, figures may use data, data uses neither; pages use
present and figures only. Every import counts, including one inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from socialwork.data import settings

PACKAGE = settings.REPO_ROOT / "socialwork"
ALLOWED = {"data": {"data"}, "figures": {"data", "figures"}, "present": {"data", "figures", "present"}}
MAX_LINES = 450


def imported_wings(path: Path) -> set[str]:
    """Every wing a file imports from (socialwork.<wing>...), anywhere in the file."""
    wings = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "socialwork" and len(parts) > 1 and parts[1] in ALLOWED:
                wings.add(parts[1])
    return wings


@pytest.mark.parametrize("wing", sorted(ALLOWED))
def test_a_wing_imports_only_the_wings_below_it(wing):
    wrong = {
        path.relative_to(PACKAGE).as_posix(): sorted(imported_wings(path) - ALLOWED[wing])
        for path in (PACKAGE / wing).rglob("*.py")
        if imported_wings(path) - ALLOWED[wing]
    }
    assert wrong == {}


def test_pages_use_present_and_figures_only():
    pages = [*sorted((settings.REPO_ROOT / "pages").glob("*.py")), settings.REPO_ROOT / "dashboard.py"]
    wrong = {path.name: sorted(imported_wings(path) - {"present", "figures"}) for path in pages}
    assert {name: wings for name, wings in wrong.items() if wings} == {}


def test_the_check_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from socialwork.present import charts\n", encoding="utf-8")
    assert imported_wings(bad) == {"present"}


def test_no_module_is_too_long_to_read():
    long = {
        path.relative_to(PACKAGE).as_posix(): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The package's modules a file imports, anywhere in it (a name imported from a package may be a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {name for name in names if name in known}
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(settings.REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round about (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_circles_in_the_data_wing():
    paths = {module_name(path): path for path in (PACKAGE / "data").rglob("*.py")}
    graph = {name: imported_modules(path, set(paths)) - {name} for name, path in paths.items()}
    assert circles(graph) == []


def test_the_circle_check_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
