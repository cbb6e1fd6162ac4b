"""The three wings: present may use figures and data, figures may use data, data uses neither; pages use
present and figures only. Every import counts, including one inside a function.

Also: no circle of imports between any modules of socialwork; the product never imports the tooling (bench/,
cluster/); and every code name the README and docs/ mention in backticks still exists."""

from __future__ import annotations

import ast
import importlib
import re
from functools import cache
from pathlib import Path

import pytest

from socialwork.data import settings

ROOT = settings.REPO_ROOT
PACKAGE = ROOT / "socialwork"
ALLOWED = {"data": {"data"}, "figures": {"data", "figures"}, "present": {"data", "figures", "present"}}
MAX_LINES = 450
TOOLING = ("socialwork.bench", "socialwork.cluster")
# What people run: every wing, the web server, the pages and the entrypoint (cli.py may dispatch to the tooling).
PRODUCT = ("data", "figures", "present", "web")


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
    pages = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py"]
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


# ---------------------------------------------------------------- circles


def modules_of(package: Path) -> dict[str, Path]:
    """Every module of a package by its dotted name (a package by its own, for its __init__.py)."""
    modules = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_names(path: Path, module: str = "") -> set[str]:
    """The absolute dotted names a module's imports name, anywhere in it: `from a import b` names a.b (a module,
    or b in module a); relative imports are resolved from the module's dotted name."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each module's imports of other modules of the package: a name is the longest module it begins with, so
    `from a import b` counts as importing module a.b when there is one, else a (whose b is a function or class)."""
    graph = {}
    for module, path in modules.items():
        imported = set()
        for name in imported_names(path, module):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                imported.add(name)
        graph[module] = imported
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (strongly connected components of
    two or more, Tarjan's algorithm without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, rest = work[-1]
            following = next((m for m in rest if m not in index or m in on_stack), None)
            if following is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
            elif following in index:
                low[module] = min(low[module], index[following])
            else:
                index[following] = low[following] = len(index)
                stack.append(following)
                on_stack.add(following)
                work.append((following, iter(sorted(graph[following]))))
    return sorted(found)


def test_no_modules_import_each_other_round_a_circle():
    assert circles(import_graph(modules_of(PACKAGE))) == []


def test_the_circle_check_sees_a_planted_circle(tmp_path):
    package = tmp_path / "town"
    (package / "rooms").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "a.py": "from town.rooms import b\n",  # b is a module: a imports it
        "rooms/__init__.py": "",
        "rooms/b.py": "def f():\n    from .c import value\n",  # relative, inside a function
        "rooms/c.py": "import town.a\nvalue = 1\n",
        "d.py": "from town.e import thing\n",  # thing is no module: d imports e
        "e.py": "from town import d\nthing = 2\n",
        "f.py": "from town.rooms.c import value\n",  # into the circle, not round it
    }
    for name, text in files.items():
        (package / name).write_text(text, encoding="utf-8")
    assert circles(import_graph(modules_of(package))) == [
        ["town.a", "town.rooms.b", "town.rooms.c"],
        ["town.d", "town.e"],
    ]


def test_the_product_never_imports_the_tooling():
    product = [path for wing in PRODUCT for path in (PACKAGE / wing).rglob("*.py")]
    product += [*sorted((ROOT / "pages").glob("*.py")), ROOT / "dashboard.py"]
    wrong = {
        path.relative_to(ROOT).as_posix(): sorted(
            name for name in imported_names(path) if any(name == t or name.startswith(f"{t}.") for t in TOOLING)
        )
        for path in product
    }
    assert {path: names for path, names in wrong.items() if names} == {}


# ---------------------------------------------------------------- names in the docs

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SKIPPED_DIRS = {".git", ".venv", ".bench", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}
CODE_SUFFIXES = {".py", ".sql", ".toml", ".sh", ".cfg", ".txt", ".json", ".html", ".css", ".js"}
SOURCE_FILE = re.compile(r"(\./)?(?P<path>[\w.-]+(/[\w.-]+)*\.(py|sql|md|toml|sh))")
FOLDER = re.compile(r"(\./)?(?P<path>[\w-]+(/[\w.-]+)*/)")
MODULE_PATH_ATTRIBUTE = re.compile(r"(?P<path>\w+(/\w+)+)\.(?P<rest>\w+(\.\w+)*)")  # metrics/levels.figures
DOTTED = re.compile(r"(?P<name>[A-Za-z_]\w*(\.[A-Za-z_]\w*)+)(\(\))?")
IDENTIFIER = re.compile(r"(?P<name>[A-Za-z_]\w*)(\(\))?")
# `divisions.parquet`, `boundaries.geojson`: files a store or a download holds, not code.
DATA_SUFFIXES = {"parquet", "json", "geojson", "csv", "xlsx", "pptx", "pdf", "docx", "txt", "gz", "br", "png", "svg",
                 "html", "yml", "yaml", "log", "js", "css", "toml", "cfg", "ini", "db"}  # fmt: skip
CAMEL_CASE = re.compile(r"[a-z]+[A-Z]\w*")  # another program's setting (Streamlit's `server.fileWatcherType`)


def code_spans(text: str) -> list[str]:
    """The inline `code` of a markdown text, fenced blocks (commands, listings) left out."""
    prose = re.sub(r"^(```|~~~).*?^\1[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    return [span.strip() for span in re.findall(r"(?<!`)`([^`\n]+)`(?!`)", prose)]


@cache
def repository(root: Path) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(files, folders, words): every file's and folder's path from the root, and every word of the code."""
    files, folders, words = set(), set(), set()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if SKIPPED_DIRS & set(relative.parts):
            continue
        (folders if path.is_dir() else files).add(relative.as_posix())
        if path.is_file() and path.suffix in CODE_SUFFIXES and path.stat().st_size < 2_000_000:
            words |= set(re.findall(r"\w+", path.read_text(encoding="utf-8", errors="replace")))
    return frozenset(files), frozenset(folders), frozenset(words)


def path_exists(path: str, root: Path) -> bool | None:
    """A source file or a folder named from the repository, from socialwork/ or queries/, or by its tail: `figures/
    db.py`, `cards.py` and `socialwork/present/` exist while some file or folder ends so. A folder whose first
    part is none of the repository's (`manifests/`, `.replaced/` in a store) is not ours: None."""
    files, folders, _ = repository(root)
    name = path.rstrip("/")
    if path.endswith("/"):
        first = name.split("/")[0]
        if not any(folder == first or folder.endswith(f"/{first}") for folder in folders):
            return None
        return any(folder == name or folder.endswith(f"/{name}") for folder in folders)
    return any(file == name or file.endswith(f"/{name}") for file in files)


def module_attribute_exists(name: str, modules: dict[str, Path]) -> bool | None:
    """`db.run`, `metrics.kpi_report`, `socialwork.present.screen.cards`: None when the first part names no module
    of ours (`st.navigation`, `pd.DataFrame`); else whether some module ending so has the rest as attributes."""
    parts = name.split(".")
    candidates = []
    for count in range(len(parts), 0, -1):
        head = ".".join(parts[:count])
        candidates = [m for m in modules if m == head or m.endswith(f".{head}")]
        if candidates:
            break
    if not candidates:
        return None
    for module in candidates:
        value = importlib.import_module(module)
        try:
            for attribute in parts[count:]:
                value = getattr(value, attribute)
        except AttributeError:
            continue
        return True
    return False


def class_member_exists(name: str, classes: dict[str, set[str]]) -> bool | None:
    """`Filters.scope_places`: None when the first part is no class of ours; else whether the class has it."""
    owner, _, member = name.partition(".")
    if owner not in classes or "." in member:
        return None
    return member in classes[owner]


def classes_of(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Each class our modules define, with the names its body defines (fields, methods, constants)."""
    classes: dict[str, set[str]] = {}
    for path in modules.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                members = classes.setdefault(node.name, set())
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        members.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        members.add(item.target.id)
                    elif isinstance(item, ast.Assign):
                        members |= {target.id for target in item.targets if isinstance(target, ast.Name)}
    return classes


def stale_names(doc: Path, root: Path, modules: dict[str, Path], classes: dict[str, set[str]]) -> list[str]:
    """The code names a doc mentions in backticks that no longer exist. A code name is:
    - a source file (.py, .sql, .md, .toml, .sh) or a folder of the repository: it must exist (path_exists);
    - a dotted name whose first part is one of our modules or classes (`db.run`, `metrics/levels.figures`,
      `Filters.scope_places`): the module must have it, or the class must define it. Other dotted names are
      another program's (`st.navigation`, Streamlit's `server.fileWatcherType`) or a file (`divisions.parquet`);
    - a bare identifier with an underscore (`kpi_report`, `budget_wan`): some code, query or configuration file
      must still use the word (a doc names functions, columns, parameters and settings alike). Another
      program's is named with its module (`streamlit.….create_starlette_app`), as a dotted name.
    Spans with spaces, placeholders (`<area>`) or wildcards are prose or patterns, not names."""
    _, _, words = repository(root)
    stale = []
    for span in code_spans(doc.read_text(encoding="utf-8")):
        if re.search(r"[\s<>*{}$]", span) or span.startswith(("http", "s3:")):
            continue
        if match := SOURCE_FILE.fullmatch(span) or FOLDER.fullmatch(span):
            exists = path_exists(match["path"], root)
        elif match := MODULE_PATH_ATTRIBUTE.fullmatch(span):
            exists = module_attribute_exists(f"{match['path'].replace('/', '.')}.{match['rest']}", modules)
        elif (match := DOTTED.fullmatch(span)) and not _another_programs(match["name"]):
            found = module_attribute_exists(match["name"], modules)
            exists = class_member_exists(match["name"], classes) if found is None else found
        elif (match := IDENTIFIER.fullmatch(span)) and "_" in match["name"].strip("_"):
            exists = match["name"] in words
        else:
            continue
        if exists is False:
            stale.append(span)
    return stale


def _another_programs(name: str) -> bool:
    """A file's name (`divisions.parquet`) or another program's setting (`runner.magicEnabled`)."""
    parts = name.split(".")
    return parts[-1] in DATA_SUFFIXES or any(CAMEL_CASE.fullmatch(part) for part in parts[1:])


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_code_name_a_doc_mentions_exists(doc):
    modules = modules_of(PACKAGE)
    assert stale_names(doc, ROOT, modules, classes_of(modules)) == []


def test_the_name_check_sees_stale_names(tmp_path):
    (tmp_path / "socialwork" / "figures").mkdir(parents=True)
    (tmp_path / "socialwork" / "figures" / "db.py").write_text("def run(): budget_wan = 1\n", encoding="utf-8")
    doc = tmp_path / "README.md"
    doc.write_text(
        "`figures/db.py` and `./figures/gone.py`; `db.run` and `db.walk`; `figures/db.run` and `figures/db.walk`;"
        " `Filters.scope` and `Filters.scope_places`; `budget_wan` and `figures_in_townships`; `socialwork/figures/`"
        " and `socialwork/gone/`; `st.navigation`, `server.fileWatcherType`, `db.parquet`, `manifests/`,"
        " `two words`, `<area>.sql`.\n"
        "```\npython -m socialwork `kpis` figures/nowhere.py\n```\n",
        encoding="utf-8",
    )
    modules = modules_of(PACKAGE)
    classes = {"Filters": {"scope"}}
    stale = stale_names(doc, tmp_path, modules, classes)
    assert stale == [
        "./figures/gone.py", "db.walk", "figures/db.walk", "Filters.scope_places", "figures_in_townships",
        "socialwork/gone/",
    ]  # fmt: skip
