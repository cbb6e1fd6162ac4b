"""Import a month's registers (the Excel template, a clerk's own workbook, or one CSV per table) as a snapshot.

Every problem is collected before anything is written, each in Chinese naming sheet, row and column;
a failed import leaves the store exactly as it was. Names, ID-card numbers and phone numbers are dropped on
reading; an ID-card number only yields a keyed-hash person id. Reading files: files.py and sheets.py;
one cell: cells.py; names for codes: place_names.py; the date and the store: import_checks.py.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data.contract.county_files import COUNTY
from socialwork.data.contract.schema import Column, Table
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.importing import files as file_reading
from socialwork.data.importing import sheets
from socialwork.data.importing.cells import CHECK_MARKS, EARLIEST_DATE, Local, parse_cell
from socialwork.data.importing.id_numbers import ID_KEY_ENV, NO_KEY, person_id
from socialwork.data.importing.import_checks import (
    as_of_problems,
    carried_forward,
    foreign_township_codes,
    local_spellings,
    many_counties_root,
    old_label_notes,
    same_as_previous,
    stale_data_warning,
    townships_of_another_county,
)
from socialwork.data.importing.place_names import resolve_place_names
from socialwork.data.importing.sheets import RawTable, SheetError
from socialwork.data.importing.validate import Problem, check_given
from socialwork.data.storage import combined, identity, layout, store
from socialwork.data.storage.location import Bucket, Location

log = logging.getLogger("socialwork.import")
Progress = Callable[[float, str], None]


class ImportFailed(Exception):
    """The file cannot become a snapshot; `problems` says every reason, in Chinese."""

    def __init__(self, problems: list[Problem | str]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ImportResult:
    as_of: date
    rows: dict[str, int]
    previous_date: date | None
    previous_rows: dict[str, int]
    people_joined: int
    people_left: int
    replaced: bool
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading


class ReadProblem(str):
    """A sheet or file of an upload that could not be read, carried with the notes to check_import, which reports it
    with every other problem in one round; `table`: the table it would have been, if known."""

    table: str | None = None


def _read_problems(failure: SheetError) -> list[str]:
    """A reading failure's messages as ReadProblems (the failed tables named on the first), or ImportFailed when
    nothing of the file could be read."""
    if failure.partial is None:
        raise ImportFailed(list(failure.messages)) from failure
    problems = [ReadProblem(m) for m in failure.messages]
    for table in failure.failed:
        marker = ReadProblem("")
        marker.table = table
        problems.append(marker)
    return problems


def read_xlsx(content: bytes, name: str = "工作簿") -> tuple[dict[str, RawTable], list[str]]:
    """Sheets of a workbook by table name, and notes on what was read past (sheets that could not be read among
    them, as ReadProblem)."""
    try:
        tables, notes = file_reading.read_xlsx(content, name)
    except SheetError as failure:
        problems = _read_problems(failure)
        tables, notes = failure.partial
        notes = [*notes, *problems]
    _add_file_months(tables, name)
    return tables, notes


def read_csv_files(files: list[tuple[str, bytes]]) -> tuple[dict[str, RawTable], list[str]]:
    """CSV files (name, content) named after their table, UTF-8 or GBK; files that could not be read as ReadProblem."""
    problems = []
    try:
        tables = file_reading.read_csv_files(files)
    except SheetError as failure:
        problems = _read_problems(failure)
        tables = failure.partial[0]
    for raw in tables.values():
        _add_file_months({raw.name: raw}, raw.sheet)
    return tables, problems


def _add_file_months(tables: dict[str, RawTable], file_name: str) -> None:
    """A month named in the file name ("2026年11月花名册.xlsx", "2026-11.xlsx") is checked like a title's."""
    for year, month in FILE_MONTH.findall(Path(file_name).stem):
        for raw in tables.values():
            raw.title_months.append((int(year), int(month)))


FILE_MONTH = re.compile(r"(20\d{2})\s*(?:年|[-_.])\s*(1[0-2]|0?[1-9])(?!\d)")


def read_uploads(files: list[tuple[str, bytes]]) -> tuple[dict[str, RawTable], list[str]]:
    """Uploaded files (name, content): one XLSX workbook, or CSV files named after their tables."""
    if len(files) == 1 and not files[0][0].lower().endswith(".csv"):
        return read_xlsx(files[0][1], files[0][0])
    if not all(name.lower().endswith(".csv") for name, _ in files):
        raise ImportFailed(["请上传一个 XLSX 工作簿，或一组 CSV 文件（每个数据表一个）"])
    return read_csv_files(files)


def read_source(source: Path | list[Path]) -> tuple[dict[str, RawTable], list[str]]:
    """An .xlsx workbook, a folder of CSV files, or a list of CSV files."""
    paths = source if isinstance(source, list) else [source]
    if len(paths) == 1 and paths[0].is_dir():
        paths = sorted(paths[0].glob("*.csv"))
        if not paths:
            raise ImportFailed([f"文件夹 {source} 中没有 CSV 文件"])
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ImportFailed([f"文件不存在：{p}" for p in missing])
    if len(paths) > 1 and not all(p.suffix.lower() == ".csv" for p in paths):
        raise ImportFailed(["请导入一个 XLSX 工作簿，或一组 CSV 文件（每个数据表一个）"])
    return read_uploads([(p.name, p.read_bytes()) for p in paths])


# ---------------------------------------------------------------- parsing a table


def _header_problems(table: Table, raw: RawTable) -> list[Problem]:
    """Repeated or missing columns, with the nearest unknown header offered for a missing one."""
    problems = []
    if raw.repeated_headers:
        problems.append(Problem(table.name, None, None, f"列名重复：{'、'.join(raw.repeated_headers)}"))
    for column in _missing(table, raw):
        near = difflib.get_close_matches(column.label, raw.unknown_headers, n=1, cutoff=0.5)
        hint = f"；表中有“{near[0]}”列，如果就是它，请把列名改为“{column.label}”" if near else ""
        problems.append(Problem(table.name, None, None, f"缺少列：{column.label}（{column.name}）{hint}"))
    return problems


def _missing(table: Table, raw: RawTable) -> list[Column]:
    """Columns the sheet lacks (reported once, as missing): person_id not, where ID-card numbers stand for it."""
    missing = [table.column(name) for name in raw.missing]
    if table.name == "people" and raw.id_number_column is not None:
        missing = [c for c in missing if c.name != "person_id"]
    return missing


def _checkmark_columns(table: Table, raw: RawTable) -> set[str]:
    """Yes/no columns marked with √: there an empty cell means no."""
    marked = set()
    for column in table.columns:
        if column.type == "BOOLEAN" and column.name in raw.columns:
            position = raw.columns[column.name]
            if any(isinstance(r[position], str) and r[position].strip() in CHECK_MARKS for r in raw.rows):
                marked.add(column.name)
    return marked


def parse_table(
    table: Table, raw: RawTable, as_of: date, id_key: str | None, local: Local | None = None,
    shown: dict[str, dict[str, str]] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:  # fmt: skip
    """A sheet as a frame of the contract's columns and types, with every cell problem found (local and shown: the
    store's own spellings and labels, import_checks.local_spellings)."""
    problems = _header_problems(table, raw)  # and the cells of the columns that are there, in the same round
    if table.required_rows and not raw.rows:
        problems.append(Problem(table.name, None, None, "数据表为空：至少应有一行数据"))
    checkmarks = _checkmark_columns(table, raw)
    records, needs_key = [], []
    for cells, row_number in zip(raw.rows, raw.row_numbers, strict=True):
        record = {}
        for column in table.columns:
            position = raw.columns.get(column.name)
            value, message = parse_cell(None if position is None else cells[position], column,
                                        column.name in checkmarks, local, shown)  # fmt: skip
            message = message or _date_problem(column, value, as_of)
            if message:
                problems.append(Problem(table.name, row_number, column.name, message, raw.letters.get(column.name)))
                value = None
            record[column.name] = value
        if raw.id_number_column is not None and not record.get("person_id"):
            record["person_id"], message = person_id(cells[raw.id_number_column], id_key)
            if message == NO_KEY:
                needs_key.append(row_number)
            elif message:
                problems.append(Problem(table.name, row_number, "person_id", message, _id_letter(raw)))
        records.append(record)
    if needs_key:  # without the key every such row fails alike: one problem, naming the rows
        shown = "、".join(str(r) for r in needs_key[:5]) + ("…" if len(needs_key) > 5 else "")
        problems.append(Problem(table.name, None, "person_id", f"{NO_KEY}（共 {len(needs_key)} 行：第{shown}行）"))
    return pd.DataFrame(records, columns=list(table.column_names)), problems


def _id_letter(raw: RawTable) -> str | None:
    return None if raw.id_number_column is None else sheets.column_letter(raw.id_number_column)


def _date_problem(column: Column, value: object, as_of: date) -> str | None:
    if column.type != "DATE" or value is None:
        return None
    if column.past and not EARLIEST_DATE <= value <= as_of:
        return f"日期 {value.isoformat()} 不合理：应在 {EARLIEST_DATE.isoformat()} 至数据日期 {as_of.isoformat()} 之间"
    if not date(1949, 1, 1) <= value <= date(2100, 12, 31):
        return f"日期 {value.isoformat()} 超出合理范围"
    return None


# ---------------------------------------------------------------- the whole import


def parse_snapshot(
    tables: dict[str, RawTable], as_of: date, id_key: str | None, carried: dict[str, pd.DataFrame] | None = None,
    county: identity.County | None = None,
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:  # fmt: skip
    """Every table parsed and checked against the contract; problems from all sheets together, once.

    `carried` holds the tables a file may leave out (contract: carried_forward), as the latest earlier snapshot
    has them; a table the file does hold is always read from the file.
    """
    frames, problems, broken = {}, [], set()
    carried = carried or {}
    local, shown = local_spellings(county) if county is not None else (None, None)
    for table in TABLES:
        if table.name not in tables:
            if table.name in carried:
                frames[table.name] = carried[table.name]
            else:
                problems.append(Problem(table.name, None, None, _missing_sheet(table)))
            continue
        frame, found = parse_table(table, tables[table.name], as_of, id_key, local, shown)
        frames[table.name] = frame
        problems += found
        if frame.empty and any(p.row is None for p in found):
            broken.add(table.name)  # wrong columns or no rows: checks across tables would only echo that
    given = {name: frame for name, frame in frames.items() if name not in broken}
    problems += resolve_place_names(given, tables)
    reported = {(p.table, p.row, p.column) for p in problems}
    whole_columns = {(p.table, p.column) for p in problems if p.row is None and p.column}
    whole_columns |= {
        (name, column.name) for name, raw in tables.items() for column in _missing(TABLES_BY_NAME[name], raw)
    }
    for problem in check_given(given, first_row=0):
        located = _at_sheet_row(problem, tables[problem.table])
        seen = (located.table, located.row, located.column) in reported
        if not seen and (located.table, located.column) not in whole_columns:
            problems.append(located)
    return frames, problems


def _at_sheet_row(problem: Problem, raw: RawTable) -> Problem:
    """A check's problem (row = position in the frame) at the row and column letter the clerk sees."""
    row = raw.row_numbers[problem.row] if problem.row is not None else None
    return Problem(problem.table, row, problem.column, problem.message, raw.letters.get(problem.column or ""))


# ---------------------------------------------------------------- place names where codes belong


def _missing_sheet(table: Table) -> str:
    if table.carried_forward:
        return f"缺少工作表“{table.label}”：第一期数据必须填写（以后各期可省略，导入时沿用上一期）"
    return f"缺少工作表“{table.label}”"


@dataclass
class CheckedImport:
    """What an import would write, and against what, before anything is written."""

    as_of: date
    frames: dict[str, pd.DataFrame]
    problems: list[Problem | str]
    exists: bool
    previous_date: date | None
    previous_rows: dict[str, int]
    people_joined: int
    people_left: int
    warnings: list[str]

    @property
    def rows(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.frames.items()}


def check_import(
    tables: dict[str, RawTable],
    as_of: date,
    data: Location,
    id_key: str | None = None,
    warnings: list[str] | None = None,
) -> CheckedImport:
    """Parse and check every table and compare with the latest other snapshot; writes nothing."""
    id_key = id_key if id_key is not None else os.environ.get(ID_KEY_ENV)
    unread = [w for w in warnings or [] if isinstance(w, ReadProblem)]  # sheets that could not be read: problems
    warnings = [w for w in warnings or [] if not isinstance(w, ReadProblem)]
    if layout.is_demo(data):
        # `python -m socialwork demo` rewrites that folder: real data there would be lost.
        raise ImportFailed(
            [f"{data} 是内置演示数据目录，不能导入真实数据；请用 --data 或 SOCIALWORK_DATA 指定数据目录"]
        )
    try:
        county = identity.load(data)  # a store gets its county from `init` before any month is imported
    except layout.StoreError as err:
        raise ImportFailed([str(err)]) from err
    existing = store.snapshot_dates(data) if layout.exists(data) else []
    carried, notes = carried_forward(tables, as_of, data, existing)
    frames, problems = parse_snapshot(tables, as_of, id_key, carried, county)
    failed = {w.table for w in unread if w.table}  # their sheet is there: not missing as well
    problems = [p for p in problems if not (isinstance(p, Problem) and p.table in failed and p.row is None
                                           and p.message.startswith("缺少工作表"))]  # fmt: skip
    problems = [*(w for w in unread if w), *as_of_problems(as_of, tables, frames), *problems]
    notes += [note for raw in tables.values() for note in raw.notes] + old_label_notes(tables, county)
    notes += stale_data_warning(as_of, frames)
    root = many_counties_root(data)
    if root is not None and "townships" in tables:  # another county's townships would land in its figures
        problems = [*townships_of_another_county(frames["townships"], county, root), *problems]
    elif not problems:
        notes += foreign_township_codes(frames["townships"], county)
    previous = max((d for d in existing if d < as_of), default=None)  # the month before, not the newest
    joined = left = 0
    previous_rows = {}
    if previous and not problems:
        before = set(store.read_table(data, previous, TABLES_BY_NAME["people"])["person_id"])
        now = set(frames["people"]["person_id"])
        joined, left = len(now - before), len(before - now)
        before_frames = {t.name: store.read_table(data, previous, t) for t in TABLES}
        previous_rows = {name: len(frame) for name, frame in before_frames.items()}
        notes += same_as_previous(frames, before_frames, previous)
    elif not problems:
        joined = len(frames["people"])
    return CheckedImport(as_of, frames, problems, as_of in existing, previous, previous_rows, joined, left,
                         [*(warnings or []), *notes])  # fmt: skip


def write_checked(checked: CheckedImport, data: Location, replace: bool) -> ImportResult:
    """Write a checked import as a snapshot (atomically); refuses one with problems or an unconfirmed date."""
    if checked.problems:
        raise ImportFailed(checked.problems)
    if checked.exists and not replace:
        raise ImportFailed([f"{checked.as_of.isoformat()} 的快照已存在；如需覆盖，请确认替换（命令行加 --replace）"])
    try:
        store.write_snapshot(data, checked.as_of, checked.frames, replace=replace)
    except layout.StoreError as err:  # another import holds the store, or the date appeared meanwhile
        raise ImportFailed([str(err)]) from err
    log.info("imported snapshot %s of %s: %s", checked.as_of, identity.load(data).county_name, checked.rows)
    combining = None if isinstance(data, Bucket) else combined.after_county_write(data, checked.as_of)
    return ImportResult(
        as_of=checked.as_of, rows=checked.rows, previous_date=checked.previous_date,
        previous_rows=checked.previous_rows, people_joined=checked.people_joined, people_left=checked.people_left,
        replaced=checked.exists, warnings=[*checked.warnings, *([combining] if combining else [])],
    )  # fmt: skip


def import_target(data: Location, county_code: str | None) -> Location:
    """The store an import writes to: the county's own store in a store of many counties (its folder, or its prefix
    in a bucket; county_code names it; its county.json is written from the divisions table before its first import)."""
    if not layout.is_multi_county(data):
        if county_code:
            raise layout.StoreError(f"{data} 不是多县数据目录（没有行政区划表），不需要 --county")
        return data
    county_code = identity.normalised_code(county_code or "")
    if not county_code:
        raise layout.StoreError(f"{data} 是多县数据目录：请用 --county 指定本期数据所属县的 6 位区划代码")
    if not re.fullmatch(COUNTY.column("county_code").pattern, county_code):
        raise layout.StoreError(f"--county “{county_code[:20]}”应为 6 位数字（0–9）的县级区划代码")
    identity.county_identity(data, county_code)
    return layout.county_store(data, county_code)


def import_snapshot(
    source: Path | list[Path], as_of: date, data: Location, replace: bool = False, id_key: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:  # fmt: skip
    """Read, check and write one snapshot; raises ImportFailed (store untouched) on any problem."""
    step = progress or (lambda _fraction, _text: None)
    step(0.1, "读取文件")
    tables, warnings = read_source(source)
    step(0.3, "检查数据")
    checked = check_import(tables, as_of, data, id_key, warnings)
    if checked.exists and not replace:
        raise ImportFailed([f"{as_of.isoformat()} 的快照已存在；如需覆盖，请确认替换（命令行加 --replace）"])
    if checked.problems:
        log.info("import for %s refused: %d problems", as_of, len(checked.problems))
        raise ImportFailed(checked.problems)
    step(0.7, "写入快照")
    result = write_checked(checked, data, replace)
    step(1.0, "完成")
    return result
