"""`python -m socialwork bench --import`: time and peak memory of importing a large register, and a file at the caps.

Each workbook is the demo county's last month with its people register grown (ids and dates as the demo's people,
each repeated under new ids), written in the template's layout once and kept under the benchmark's data folder. Each
import runs in a fresh process into an empty store of its own, so its peak resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from socialwork.data import settings
from socialwork.data.importing import bounded

REGISTER_PEOPLE = 100_000
STRAY_ROW = 3000  # the audit's stray formatted cell: XFD3000
BEFORE = ("Before the reading was bounded (issue 37), openpyxl's ordinary mode walked each sheet's declared range: "
          "the audit measured 24 s and 893 MB for the 100,000-person register, and 170 s and about 13 GB for one "
          "formatted cell at XFD3000 beside an ordinary register. The code before (9318a3e) on this register, run "
          "here at load 12: 30.0 s, 27.0 s CPU, 858 MB (the bounded reading then: 14.4 s CPU, 395 MB).")  # fmt: skip
MEASURE = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from socialwork.data.storage import identity
from socialwork.data.importing.importer import import_snapshot
store = Path(sys.argv[2])
identity.write(store, identity.new_county("基准县", "999999"))
start, cpu = time.perf_counter(), time.process_time()
result = import_snapshot(Path(sys.argv[1]), date.fromisoformat(sys.argv[3]), store)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak, "people": result.rows["people"]}))
"""


@dataclass(frozen=True)
class Case:
    name: str
    people: int
    extra_columns: int  # columns a clerk adds (备注…), read past: they count against the cell cap
    stray_cell: bool = False  # one formatted, empty cell at XFD3000 of the people sheet (the audit's file)


@dataclass(frozen=True)
class Measured:
    case: Case
    file_bytes: int
    cells: int
    seconds: float
    cpu_seconds: float
    peak_bytes: int


def cases(limits: bounded.Limits = bounded.LIMITS) -> list[Case]:
    """The 100,000-person register, and one at the caps: the row cap's people and extra columns up to the cell cap."""
    people = limits.rows - 1_000
    per_row = int(limits.cells * 0.99 / people - _cells_per_person())  # extra columns: just under the cell cap
    return [
        Case("register", REGISTER_PEOPLE, 0),
        Case("register + XFD3000", REGISTER_PEOPLE, 0, stray_cell=True),
        Case("at-cap", people, max(0, per_row)),
    ]


def _cells_per_person() -> float:
    """Cells a person's row writes in the benchmark's register (an empty field writes none)."""
    from socialwork.data.contract.tables import TABLES_BY_NAME
    from socialwork.data.demo.story import LAST_SNAPSHOT
    from socialwork.data.storage.store import read_table

    people = read_table(settings.DEMO_DATA_DIR, LAST_SNAPSHOT, TABLES_BY_NAME["people"])
    return float(people.notna().sum(axis=1).mean())


def workbook(case: Case, folder: Path) -> Path:
    """The case's workbook, written once (openpyxl write-only: a few minutes for the largest)."""
    stray = "-xfd3000" if case.stray_cell else ""
    path = folder / f"import-{case.name.split()[0]}{stray}-{case.people}-{case.extra_columns}.xlsx"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_workbook_bytes(case))
    return path


def _workbook_bytes(case: Case) -> bytes:
    """The demo's last month with `case.people` people, written write-only in the template's columns (no note row)."""
    import io

    import pandas as pd
    from openpyxl import Workbook

    from socialwork.data.contract.tables import TABLES
    from socialwork.data.demo.story import LAST_SNAPSHOT
    from socialwork.data.importing.workbook import _cell, headers
    from socialwork.data.storage.store import read_table

    frames = {t.name: read_table(settings.DEMO_DATA_DIR, LAST_SNAPSHOT, t) for t in TABLES}
    people = frames["people"]
    copies = -(-case.people // len(people))
    grown = pd.concat([people] * copies, ignore_index=True).iloc[: case.people].copy()
    grown["person_id"] = [f"B{n:07d}" for n in range(len(grown))]
    frames["people"] = grown
    book = Workbook(write_only=True)
    for table in TABLES:
        sheet = book.create_sheet(table.label)
        extra = case.extra_columns if table.name == "people" else 0
        sheet.append([h for h, _ in headers(table)] + [f"备注{n + 1}" for n in range(extra)])
        for index, record in enumerate(frames[table.name].to_dict("records")):
            row = [_cell(record[c.name], c) for c in table.columns]
            if table.name == "people":
                row.insert(1, None)
            row += ["x"] * extra
            if case.stray_cell and table.name == "people" and index == STRAY_ROW - 2:
                row += [None] * (16383 - len(row)) + [_stray_cell(sheet)]  # write-only skips the Nones
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stray_cell(sheet: object) -> object:
    """A formatted, empty cell (for column XFD, the sheet's last)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    cell = WriteOnlyCell(sheet)
    cell.fill = PatternFill("solid", fgColor="FFFF00")
    return cell


def _cells(path: Path) -> int:
    """Cells the sheets' XML writes, as the import's budget counts them."""
    book = bounded.open_book(path.read_bytes())
    budget = bounded.Budget(bounded.Limits(cells=2**62))
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state == "visible":
                bounded.read_sheet(book, sheet, budget)
    finally:
        book.close()
    return budget.cells


def measure(case: Case, folder: Path, as_of: date = date(2026, 10, 31)) -> Measured:
    path = workbook(case, folder)
    with tempfile.TemporaryDirectory(prefix="socialwork-bench-import-") as store:
        done = subprocess.run([sys.executable, "-c", MEASURE, str(path), store, as_of.isoformat()],
                              capture_output=True, text=True, cwd=settings.REPO_ROOT, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"import of {path.name} failed: {done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return Measured(case, path.stat().st_size, _cells(path), out["seconds"], out["cpu_seconds"], out["peak_bytes"])


def run(folder: Path) -> list[Measured]:
    """Every case measured, one after another (the machine's load is printed: wall time depends on it)."""
    import os

    print(f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    started = time.perf_counter()
    results = [measure(case, folder) for case in cases()]
    print(f"bench --import: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return results


def table(results: list[Measured]) -> str:
    lines = ["| workbook | people | cells | file | import (wall) | import (CPU) | peak memory |",
             "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in results:
        lines.append(f"| {r.case.name} | {r.case.people:,} | {r.cells:,} | {r.file_bytes / 2**20:.1f} MB "
                     f"| {r.seconds:.1f} s | {r.cpu_seconds:.1f} s | {r.peak_bytes / 2**20:,.0f} MB |")  # fmt: skip
    return "\n".join(lines)


def markdown(results: list[Measured]) -> str:
    limits = bounded.LIMITS
    return "\n".join([
        "## Import: a large register and a file at the caps (`python -m socialwork bench --import`)",
        "",
        f"Caps per import (`socialwork/data/importing/bounded.py`): {limits.file_bytes // 2**20} MB file, "
        f"{limits.unpacked_bytes // 2**20} MB unpacked, {limits.rows:,} rows and {limits.columns} columns per sheet "
        f"(to the last cell holding a value), {limits.cells:,} cells written in the sheets' XML. Each import runs in a "
        "fresh process; peak memory is its resident maximum (Python, pandas and the import together).",
        "",
        table(results),
        "",
        BEFORE,
        "",
    ])  # fmt: skip
