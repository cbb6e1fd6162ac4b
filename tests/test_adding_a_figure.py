"""docs/adding-a-figure.md says which files each kind of change touches: here each change is made in a copy of the
repository as a developer would make it, and the files it touched are counted against the doc's table.

The copy holds the tracked files (the committed demo store aside) in a git repository of its own. The declarations
are inserted beside the ones already there, in whichever module defines them (found through the objects, so the
test follows the contract, the demo and the fixture wherever they move), then `python -m socialwork generate` runs
in the copy. The files git sees changed must be exactly the table's rows marked *by hand* and `generate`; and the
new figure must be real: the copy computes it for the hand-checkable county (tests/fixture_county.py).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from socialwork.data import contract, demo, settings
from socialwork.data.contract.tables import TABLES_BY_NAME
from tests import fixture_county

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "adding-a-figure.md"
GENERATE = "python -m socialwork generate"
BY_HAND = "by hand"

# The declarations the cases insert (the doc's worked example and its siblings).
RATIO = """Figure("resident_workers_per_station", "站均驻站社工", "Resident social workers per operating station.",
       ratio=("station_resident_workers", "stations_operating"), unit="人/站", decimals=1, group="{group}"),"""
ADDITIVE = """Figure("training_hours_this_year", "本年督导培训时长", "Hours of this year's supervision and training.",
       "activities", "sum(hours) filter (where activity_kind in ('supervision', 'training'))", type="DOUBLE",
       unit="小时", decimals=1, annual=True, group="training"),"""
COLUMN = """Column("station_volunteer_hours", "DOUBLE", "本年志愿服务时长", "Volunteer hours logged at the station "
       "this year.", nullable=True, minimum=0, since={version}),"""
COUNTED = """Figure("station_volunteer_hours", "社工站志愿服务时长", "Volunteer hours logged at operating stations "
       "this year.", "townships", "sum(station_volunteer_hours) filter (where has_station)", type="DOUBLE",
       since={version}),"""
GROUP = '"volunteering": "志愿服务",'
VOLUNTEER_HOURS = {fixture_county.T1: "120.5", fixture_county.T2: "80.0", fixture_county.T3: "None"}


# ---------------------------------------------------------------- the doc's tables


def doc_rows(title: str) -> dict[str, str]:
    """The table under `### {title}` in the doc: each file (in backticks) and how it changes."""
    section = DOC.read_text(encoding="utf-8").split(f"\n### {title}\n", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and (file := re.fullmatch(r"`([^`]+)`", cells[0])):
            rows[file.group(1)] = cells[1]
    return rows


def counted(rows: dict[str, str]) -> set[str]:
    """The files a change touches in the copy: by hand, and rewritten by `generate`."""
    return {file for file, how in rows.items() if how == BY_HAND or GENERATE in how}


# ---------------------------------------------------------------- finding and editing declarations


def modules(package: ModuleType) -> list[ModuleType]:
    """A module, or a package and every module in it."""
    found = [package]
    if hasattr(package, "__path__"):
        prefix = f"{package.__name__}."
        found += [importlib.import_module(m.name) for m in pkgutil.walk_packages(package.__path__, prefix)]
    return found


def _source(module: ModuleType) -> Path:
    return Path(inspect.getsourcefile(module)).resolve().relative_to(REPO)


def assigning(package: ModuleType, name: str) -> Path:
    """The file (relative to the repository) of the module in `package` that assigns `name` at its top level."""
    for module in modules(package):
        if any(name in _assigned(node) for node in ast.parse(inspect.getsource(module)).body):
            return _source(module)
    raise LookupError(f"{name} is assigned nowhere in {package.__name__}")


def _assigned(node: ast.stmt) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return {target.id for target in targets if isinstance(target, ast.Name)}


def _statement(tree: ast.Module, name: str) -> ast.Assign | ast.AnnAssign:
    return next(node for node in tree.body if name in _assigned(node))


def _last_item(value: ast.expr) -> ast.expr:
    """The last entry of a tuple or dict literal, or of the first one among a call's arguments (Table(…, (…)))."""
    if isinstance(value, ast.Tuple | ast.List):
        return value.elts[-1]
    if isinstance(value, ast.Dict):
        return value.values[-1]
    return _last_item(next(arg for arg in value.args if isinstance(arg, ast.Tuple | ast.List | ast.Dict)))


class Source:
    """A file of the copy being edited: lines, and ast offsets (UTF-8 bytes) turned into text positions."""

    def __init__(self, copy: Path, relative: Path) -> None:
        self.path = copy / relative
        self.lines = self.path.read_text(encoding="utf-8").splitlines(keepends=True)

    def tree(self) -> ast.Module:
        return ast.parse("".join(self.lines))

    def _split(self, line: int, offset: int) -> tuple[str, str]:
        raw = self.lines[line - 1].encode()
        return raw[:offset].decode(), raw[offset:].decode()

    def insert_after(self, item: ast.AST, text: str) -> None:
        """Lines of text after the entry `item` (followed by a comma), at the indentation of the line it starts on."""
        before, after = self._split(item.end_lineno, item.end_col_offset)
        if not after.lstrip().startswith(","):
            self.lines[item.end_lineno - 1] = f"{before},{after}"
        start = self.lines[item.lineno - 1]
        indent = start[: len(start) - len(start.lstrip())]
        self.lines[item.end_lineno : item.end_lineno] = [f"{indent}{line}\n" for line in text.splitlines()]

    def put_after(self, item: ast.AST, text: str) -> None:
        """Text on the same line, right after the expression `item` (e.g. one more entry of a dict)."""
        before, after = self._split(item.end_lineno, item.end_col_offset)
        self.lines[item.end_lineno - 1] = f"{before}{text}{after}"

    def replace(self, item: ast.AST, text: str) -> None:
        before, _ = self._split(item.lineno, item.col_offset)
        _, after = self._split(item.end_lineno, item.end_col_offset)
        self.lines[item.lineno - 1 : item.end_lineno] = [f"{before}{text}{after}"]

    def save(self) -> None:
        self.path.write_text("".join(self.lines), encoding="utf-8")


def declare(copy: Path, package: ModuleType, name: str, text: str) -> None:
    """One more entry at the end of the literal assigned to `name` (PLAN_FIGURES, METRIC_GROUP, TOWNSHIPS …)."""
    source = Source(copy, assigning(package, name))
    source.insert_after(_last_item(_statement(source.tree(), name).value), text)
    source.save()


def raise_version(copy: Path, note: str) -> int:
    """CONTRACT_VERSION raised by one, its comment saying what came with it; the new version."""
    source = Source(copy, assigning(contract, "CONTRACT_VERSION"))
    value = _statement(source.tree(), "CONTRACT_VERSION").value
    version = value.value + 1
    source.replace(value, str(version))
    line = source.lines[value.lineno - 1]
    if "#" in line:
        source.lines[value.lineno - 1] = f"{line.rstrip()}; {version}: {note}\n"
    source.save()
    return version


def township_rows(copy: Path, package: ModuleType) -> dict[Path, list[ast.Dict]]:
    """Every dict literal in `package` (as the copy has it) that is a row of the townships register: it has every
    column of the register but the new one."""
    columns = set(TABLES_BY_NAME["townships"].column_names)
    found = {}
    for relative in dict.fromkeys(_source(module) for module in modules(package)):
        rows = [
            node
            for node in ast.walk(Source(copy, relative).tree())
            if isinstance(node, ast.Dict) and {getattr(key, "value", None) for key in node.keys} == columns
        ]
        if rows:
            found[relative] = rows
    assert found, f"no row of the townships register in {package.__name__}"
    return found


def fill_townships(copy: Path, package: ModuleType, value: Callable[[ast.Dict], str]) -> None:
    """The new column in every township row of `package`, bottom up so that the offsets above hold."""
    for relative, rows in township_rows(copy, package).items():
        source = Source(copy, relative)
        for row in sorted(rows, key=lambda r: (r.values[-1].end_lineno, r.values[-1].end_col_offset), reverse=True):
            source.put_after(row.values[-1], f', "station_volunteer_hours": {value(row)}')
        source.save()


def _entry(row: ast.Dict, key: str) -> ast.expr:
    return next(v for k, v in zip(row.keys, row.values, strict=True) if getattr(k, "value", None) == key)


def _demo_hours(row: ast.Dict) -> str:
    """Deterministic, as every draw of the demo: 40 hours a station and 10 more a star (from the row's own cells)."""
    stars, has_station = (ast.unparse(_entry(row, key)) for key in ("station_stars", "has_station"))
    return f"(10.0 * ({stars}) + 40.0 if ({has_station}) else None)"


def _fixture_hours(row: ast.Dict) -> str:
    """The fixture's hours of the row's township (its code a constant: T1, T2, T3)."""
    return VOLUNTEER_HOURS[getattr(fixture_county, _entry(row, "township_code").id)]


# ---------------------------------------------------------------- the four changes


def new_metric(copy: Path) -> None:
    declare(copy, contract, "PLAN_FIGURES", RATIO.format(group="stations"))


def new_additive_metric(copy: Path) -> None:
    declare(copy, contract, "PLAN_FIGURES", ADDITIVE)
    declare(
        copy,
        fixture_county,
        "COUNTY_FIGURES_NOV_2024",
        '"training_hours_this_year": 5.0,  # A2 2.0 and A3 3.0 (A4 was 2023)',
    )


def new_column(copy: Path) -> None:
    version = raise_version(copy, "townships.station_volunteer_hours")
    declare(copy, contract, "TOWNSHIPS", COLUMN.format(version=version))
    declare(copy, contract, "PLAN_FIGURES", COUNTED.format(version=version))
    fill_townships(copy, demo, _demo_hours)
    fill_townships(copy, fixture_county, _fixture_hours)
    declare(
        copy,
        fixture_county,
        "COUNTY_FIGURES_NOV_2024",
        '"station_volunteer_hours": 200.5,  # T1 120.5 and T2 80.0 (T3: none)',
    )


def new_group(copy: Path) -> None:
    declare(copy, contract, "METRIC_GROUP", GROUP)
    declare(copy, contract, "PLAN_FIGURES", RATIO.format(group="volunteering"))


# What the copy computes, printed as JSON: every metric's label and value, the additive figures and the groups of
# the hand-checkable county at 2024-11-30; with "meeting", its slides; with "demo", the demo's last townships.
CHECK = """
import json, pathlib, sys
from tests.fixture_county import NOV_2024, write_fixture_store
from socialwork.figures import metrics
from socialwork.figures.place_filter import EVERYWHERE
root = write_fixture_store(pathlib.Path(sys.argv[1]))
report = metrics.kpi_report(NOV_2024, EVERYWHERE, root)
figures = metrics.figures_by_snapshot(NOV_2024, NOV_2024, EVERYWHERE, root).iloc[-1]
out = {"kpis": {k.metric_key: [k.label, k.value] for k in report.kpis}, "groups": list(metrics.kpis_by_group(report)),
       "figures": {key: None if value != value else float(value) for key, value in figures.items()}}
if "meeting" in sys.argv:
    from socialwork.present.meeting.slides import meeting
    slides = meeting(NOV_2024, EVERYWHERE, None, root).slides
    out["slides"] = {s.key: [s.title, None if s.table is None else list(s.table.iloc[:, 0])] for s in slides}
if "demo" in sys.argv:
    from socialwork.data.demo.county import DemoCounty
    from socialwork.data.demo.story import LAST_SNAPSHOT
    out["demo"] = DemoCounty().snapshot(LAST_SNAPSHOT)["townships"]["station_volunteer_hours"].tolist()
print(json.dumps(out, ensure_ascii=False, default=str))
"""


@dataclass(frozen=True)
class Case:
    title: str  # the doc's heading
    change: Callable[[Path], None]
    check: tuple[str, ...] = ()  # what else the copy reports ("meeting", "demo")


CASES = {
    "metric": Case("A new metric", new_metric),
    "additive": Case("A new additive metric", new_additive_metric),
    "column": Case("A per-county column", new_column, ("demo",)),
    "group": Case("A new metric group", new_group, ("meeting",)),
}


# ---------------------------------------------------------------- the copy


def _run(copy: Path, *args: str) -> str:
    environment = {**os.environ, "PYTHONPATH": str(copy)}
    environment.pop(settings.DATA_DIR_ENV, None)
    done = subprocess.run(args, cwd=copy, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def repository_copy(into: Path) -> Path:
    """The tracked files as they are in this checkout (the committed demo store aside), committed in a new repo."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("the copy is made of a git checkout's tracked files")
    demo_store = settings.DEMO_DATA_DIR.resolve().relative_to(REPO).as_posix() + "/"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for name in files.split("\0"):
        if name and not name.startswith(demo_store) and (REPO / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, into / name)
    git = ("git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false")
    _run(into, "git", "init", "-q")
    _run(into, "git", "add", "-A")
    _run(into, *git, "commit", "-q", "-m", "before")
    return into


def changed_files(copy: Path) -> set[str]:
    status = _run(copy, "git", "status", "--porcelain", "--untracked-files=all")
    return {line[3:] for line in status.splitlines()}


@pytest.mark.parametrize("case", CASES)
def test_a_change_touches_the_files_the_doc_lists(case, tmp_path):
    spec = CASES[case]
    rows = doc_rows(spec.title)
    copy = repository_copy(tmp_path / "repository")
    spec.change(copy)
    _run(copy, sys.executable, "-m", "socialwork", "generate")
    assert changed_files(copy) == counted(rows), f"docs/adding-a-figure.md, “{spec.title}”: its table is not the truth"
    shown = json.loads(_run(copy, sys.executable, "-c", CHECK, str(tmp_path / "store"), *spec.check))
    if case in ("metric", "group"):
        assert shown["kpis"]["resident_workers_per_station"] == ["站均驻站社工", 1.5]  # T1 2 and T2 1, two stations
    if case == "additive":
        assert shown["kpis"]["training_hours_this_year"] == ["本年督导培训时长", 5.0]
        assert any("python -m socialwork demo" in how for how in rows.values())  # the derived tables gain a column
    if case == "column":
        assert shown["figures"]["station_volunteer_hours"] == 200.5
        assert any(hours is not None for hours in shown["demo"]) and "python -m socialwork demo" in rows["data/demo"]
    if case == "group":
        assert "志愿服务" in shown["groups"]  # 目标进度 shows the group's cards under its label
        title, table = shown["slides"]["volunteering"]  # and the meeting gives it a slide: its targets' table
        assert title == "志愿服务" and table == ["站均驻站社工"]
