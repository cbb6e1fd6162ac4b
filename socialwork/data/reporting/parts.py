"""A unit's part of a month: its rows as the server database keeps them (JSON), its checks against the contract and
the import's rules, an Excel part read through the import's own reader, and what the part changes in the plan's
terms."""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import duckdb
import numpy as np
import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.plan_figures import ADDITIVE_FIGURES
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.data.contract.tables import COUNTY_FIGURES, DERIVED_TABLES, TABLES, TABLES_BY_NAME
from socialwork.data.importing import importer
from socialwork.data.importing.cells import looks_personal
from socialwork.data.importing.validate import Problem, check_given
from socialwork.data.reporting.units import Unit, owners
from socialwork.data.storage import aggregates, store

Frames = dict[str, pd.DataFrame]


# ---------------------------------------------------------------- kept as JSON in the server database


def encode(frames: Frames) -> str:
    """A part's rows as JSON text: per table, the contract's columns and a list of rows (dates as ISO text)."""
    out = {}
    for name, frame in frames.items():
        table = TABLES_BY_NAME[name]
        rows = []
        for record in frame[list(table.column_names)].itertuples(index=False):
            rows.append([_plain(value) for value in record])
        out[name] = rows
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def decode(text: str) -> Frames:
    """The frames `encode` wrote, typed as the store reads them (dates as datetime.date, empty as None). Each caller
    gets its own copies; the text of a saved version is decoded once (a round reads each part at its check, on the
    board and at publication)."""
    return {name: _remembered(frame.copy()) for name, frame in _decoded(text).items()}


@lru_cache(maxsize=64)
def _decoded(text: str) -> Frames:
    frames = {}
    for name, rows in json.loads(text).items():
        table = TABLES_BY_NAME[name]
        frames[name] = typed(table.name, pd.DataFrame(rows, columns=list(table.column_names), dtype=object))
    return frames


def typed(table_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of a table (from JSON or the browser's editor) in the store's Python types, so that two parts with the
    same rows compare equal and the store's writer takes them. Column by column, vectorised. Every frame a caller
    hands in is typed (an editor may have changed a frame it was given); what typed() returns is remembered, so that
    assembling, comparing and checking inside this module type each row once (`_typed`)."""
    table = TABLES_BY_NAME[table_name]
    frame = frame.reindex(columns=list(table.column_names)).astype(object).reset_index(drop=True)
    for column in table.columns:  # assigned as lists: pandas infers each column's dtype as it always has
        frame[column.name] = _typed_column(column.type, frame[column.name]).tolist()
    return _remembered(frame)


_TYPED: dict[int, weakref.ref] = {}


def _typed(table_name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """typed(), or the frame itself when typed() made it (a base month's 7,200 people, a decoded part)."""
    return frame if _is_typed(frame) else typed(table_name, frame)


def _remembered(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark a typed frame as such (`_typed` hands it back as it is)."""
    key = id(frame)
    _TYPED[key] = weakref.ref(frame, lambda _ref: _TYPED.pop(key, None))
    return frame


def _is_typed(frame: pd.DataFrame) -> bool:
    ref = _TYPED.get(id(frame))
    return ref is not None and ref() is frame


def _typed_column(kind: str, values: pd.Series) -> np.ndarray:
    """One column as Python values (datetime.date, int, float, bool, stripped text) or None."""
    out = np.full(len(values), None, dtype=object)
    if kind == "DATE":
        parsed = pd.to_datetime(values, errors="coerce")
        known = parsed.notna().to_numpy()
        out[known] = parsed[known].dt.date.to_numpy()
    elif kind in ("INTEGER", "DOUBLE"):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(numbers)
        cast = numbers[known].astype(np.int64) if kind == "INTEGER" else numbers[known]
        out[known] = cast.tolist() if known.any() else []
    else:
        known = (~values.isna()).to_numpy()
        if kind == "BOOLEAN":
            out[known] = [bool(v) for v in values[known]]
        elif known.any():
            text = values[known].astype(str).str.strip().to_numpy(dtype=object)
            blank = text == ""
            text[blank] = None
            out[known] = text
    return out


def same_rows(a: Frames, b: Frames) -> bool:
    """Whether two parts hold the same rows, in any order."""
    for table in TABLES:
        left, right = a.get(table.name), b.get(table.name)
        if left is None or right is None:
            if (left is None) != (right is None):
                return False
            continue
        if not _sorted(table.name, left).equals(_sorted(table.name, right)):
            return False
    return True


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    key = list(TABLES_BY_NAME[name].key)
    return _typed(name, frame).sort_values(key, kind="stable").reset_index(drop=True).astype(str)


# ---------------------------------------------------------------- assembling and checking


def assemble(base: Frames, parts: dict[str, Frames], units: list[Unit]) -> Frames:
    """A month: each unit's rows from `parts` where given, else its rows of the base month. A unit's given rows come
    first in each table, in the order of `parts`, so that a check's row number finds the part it is in."""
    month = {}
    for table in TABLES:
        base_frame = _typed(table.name, base[table.name])
        owner = owners(table.name, base_frame, units)
        pieces = [_typed(table.name, part[table.name]) for part in parts.values() if table.name in part]
        pieces.append(base_frame[~owner.isin(list(parts))])
        month[table.name] = pd.concat(pieces, ignore_index=True) if pieces else base_frame.iloc[0:0]
    return month


def outside_rows(unit: Unit, frames: Frames, units: list[Unit]) -> list[Problem]:
    """Rows of a unit's part that belong to another unit's part (or to no unit of this county), each named."""
    names = {u.code: u.name for u in units}
    problems = []
    for name, frame in frames.items():
        if frame.empty:
            continue
        owner = owners(name, _typed(name, frame), units)
        for row in [int(i) for i in owner.index[owner != unit.code]][:20]:
            other = names.get(owner[row], owner[row])
            problems.append(Problem(name, row + 1, None, f"不属于本单位（{unit.name}）的填报范围，属于“{other}”"))
    return problems


def personal_cells(frames: Frames) -> list[Problem]:
    """Text cells that look like an ID-card or phone number: never stored, as the import never stores them (a person's
    id is a pseudonym; an ID number becomes one only through an Excel part, where the import's reader hashes it)."""
    problems = []
    for name, frame in frames.items():
        for column in TABLES_BY_NAME[name].columns:
            if column.type != "VARCHAR" or column.enum is not None:
                continue
            for i, value in enumerate(frame[column.name]):
                if isinstance(value, str) and looks_personal(value):
                    problems.append(Problem(name, i + 1, column.name, "疑似身份证号或电话号码，不能保存个人信息"))
    return problems


def part_problems(unit: Unit, frames: Frames, base: Frames, units: list[Unit], as_of: date) -> list[Problem]:
    """Everything that keeps a part from being submitted, on its table, row (1-based in the part) and column: rows
    outside the part, then the contract's and the import's checks of the month it would make."""
    outside = personal_cells(frames) + outside_rows(unit, frames, units)
    if outside:
        return outside
    frames = {t.name: typed(t.name, frames.get(t.name, base[t.name].iloc[0:0])) for t in TABLES}
    month = assemble(base, {unit.code: frames}, units)
    problems = []
    for found in check_given(month, first_row=1):
        if found.row is None or found.row <= len(frames[found.table]):
            problems.append(found)
    problems += _date_problems(frames, as_of)
    return problems


def _date_problems(frames: Frames, as_of: date) -> list[Problem]:
    problems = []
    for name, frame in frames.items():
        for column in TABLES_BY_NAME[name].columns:
            if column.type != "DATE" or not column.past:
                continue
            for i, value in enumerate(frame[column.name]):
                if value is not None and value > as_of:
                    problems.append(Problem(name, i + 1, column.name, f"日期 {value.isoformat()} 晚于数据日期 {as_of}"))
    return problems


def read_excel_part(content: bytes, file_name: str, as_of: date, id_key: str | None) -> tuple[Frames, list[str]]:
    """The tables of a unit's own workbook, read by the import's reader (title rows, merged cells, full-width text,
    ID numbers hashed and never kept); problems as the import words them. Empty sheets are left out."""
    raw, warnings = importer.read_xlsx(content, file_name)
    frames, problems = {}, [str(w) for w in warnings if isinstance(w, importer.ReadProblem)]
    for name, table in raw.items():
        if not table.rows:  # an empty sheet (the template's others) keeps the part's rows: nothing is lost
            continue
        frame, found = importer.parse_table(TABLES_BY_NAME[name], table, as_of, id_key)
        frames[name] = typed(name, frame)
        problems += [str(p) for p in found]
    return frames, problems


# ---------------------------------------------------------------- what a part changes, in the plan's terms


@dataclass(frozen=True)
class Change:
    label: str
    delta: float

    def text(self) -> str:
        sign = "+" if self.delta > 0 else "−"
        amount = abs(self.delta)
        shown = f"{amount:g}" if float(amount).is_integer() else f"{amount:.1f}"
        return f"{self.label} {sign}{shown}"


def county_figures(month: Frames, as_of: date) -> dict[str, float | None]:
    """The month's county-wide additive figures, computed by the same queries a snapshot's derived tables are
    (queries/aggregates/, in contract order, each cast to the contract's schema), over the month's Arrow tables in
    memory: the board computes one month per unit, and files would double its time."""
    params = {"snapshot_date": as_of, "min_certified": URBAN_COMMUNITY_MIN_CERTIFIED}
    con = _duckdb().cursor()
    try:
        for table in TABLES:
            con.register(table.name, store.to_arrow(table, month[table.name]))
        for table in DERIVED_TABLES:
            sql, wanted = _aggregate_query(aggregates.query_name(table))
            found = con.sql(sql, params={k: v for k, v in params.items() if k in wanted}).to_arrow_table()
            con.register(table.name, found.select(list(table.column_names)).cast(table.arrow_schema()))
        row = con.sql(f"select * from {COUNTY_FIGURES.name}").to_arrow_table().to_pylist()
    finally:
        con.close()
    return row[0] if row else {}


@lru_cache(maxsize=8)
def _aggregate_query(name: str) -> tuple[str, frozenset[str]]:
    """A derived table's query and the parameters it uses (outside comments), as aggregates.write_derived runs it."""
    sql = (settings.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return sql, frozenset(re.findall(r"\$([a-z_][a-z0-9_]*)", code))


_DATABASE: list[duckdb.DuckDBPyConnection] = []


def _duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory database per process; a cursor per month (its registered tables its own)."""
    if not _DATABASE:
        con = duckdb.connect()
        con.execute("set enable_progress_bar = false")
        _DATABASE.append(con)
    return _DATABASE[0]


def figure_changes(before: dict[str, float | None], after: dict[str, float | None]) -> list[Change]:
    """The plan's figures that move, in the contract's order."""
    changes = []
    for figure in ADDITIVE_FIGURES:
        old, new = before.get(figure.key), after.get(figure.key)
        if old is None or new is None or old == new:
            continue
        changes.append(Change(figure.label, round(float(new) - float(old), 2)))
    return changes


def row_changes(unit_code: str, base: Frames, frames: Frames, units: list[Unit]) -> list[Change]:
    """Rows per table against the base month's part."""
    changes = []
    for table in TABLES:
        if table.name not in frames:
            continue
        before = int((owners(table.name, _typed(table.name, base[table.name]), units) == unit_code).sum())
        now = len(frames[table.name])
        if now != before:
            changes.append(Change(f"{table.label}行数", now - before))
    return changes


# Computed once per saved version of a part (the board shows every unit's), and once per round for its base month.
_CHANGES: dict[tuple, list[Change]] = {}


def known_changes(key: tuple, unit_code: str) -> list[Change] | None:
    """A part's changes if already computed for this saved version, else None."""
    return _CHANGES.get((key, unit_code))


def cached_changes(
    key: tuple, unit_code: str, as_of: date, units: list[Unit], frames: Frames, base: Frames
) -> list[Change]:
    """A part's changes against its base month; `key` names the round and the part's saved version."""
    if (key, unit_code) not in _CHANGES:
        before = _base_figures(key[:-1], as_of, base)
        after = county_figures(assemble(base, {unit_code: frames}, units), as_of)
        _CHANGES[(key, unit_code)] = figure_changes(before, after) + row_changes(unit_code, base, frames, units)
    return _CHANGES[(key, unit_code)]


_BASE_FIGURES: dict[tuple, dict] = {}


def _base_figures(key: tuple, as_of: date, base: Frames) -> dict:
    if key not in _BASE_FIGURES:
        _BASE_FIGURES[key] = county_figures(base, as_of)
    return _BASE_FIGURES[key]
