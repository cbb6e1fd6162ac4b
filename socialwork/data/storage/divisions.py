"""The division hierarchy of a store of many counties (province → city → county → township): divisions.parquet.

A division's code is the leading digits of its villages' 12-digit codes (2 province, 4 city, 6 county, 9 township),
so a township's county is township_code[:6] and its city [:4]. A single county's store has no divisions file: its
one county comes from county.json.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from socialwork.data.contract.county_files import DIVISION_TARGETS, DIVISION_TARGETS_FILE, DIVISIONS, DIVISIONS_FILE
from socialwork.data.contract.enums import DIVISION_DIGITS, DIVISION_LEVEL
from socialwork.data.storage.layout import StoreError, announce_write, is_multi_county, local_root, write_lock
from socialwork.data.storage.location import Location
from socialwork.data.storage.store import to_arrow

LEVEL_OF_DIGITS = {digits: level for level, digits in DIVISION_DIGITS.items()}


def level_of(code: str) -> str | None:
    """The level a division code names by its length (None for a length no level has)."""
    return LEVEL_OF_DIGITS.get(len(code)) if code.isdigit() else None


_read: dict[Path, tuple[tuple[int, ...], pd.DataFrame]] = {}  # path: (file_version, frame), the last one read


def file_version(root: Location) -> tuple[int, ...] | None:
    """The divisions file's inode, size and mtime: a rewrite (always a new file, os.replace) changes it."""
    try:
        found = os.stat(local_root(root) / DIVISIONS_FILE)
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


def read(root: Location) -> pd.DataFrame:
    """The store's divisions in code order (empty for a single county's store; a bucket store's from its local copy,
    layout.local_root); read again only when the file changes (every rerun of a page asks for it several times: 2 ms
    each for a province's)."""
    if not is_multi_county(root):
        return pd.DataFrame(columns=list(DIVISIONS.column_names))
    path, version = local_root(root) / DIVISIONS_FILE, file_version(root)
    seen = _read.get(path)
    if seen is not None and version is not None and seen[0] == version:
        return seen[1].copy()
    try:
        frame = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise StoreError(f"无法读取行政区划文件 {path}：{err}") from err
    frame = frame[list(DIVISIONS.column_names)].sort_values("division_code", ignore_index=True)
    if version is not None:
        _read[path] = (version, frame.copy())
    return frame


def check(frame: pd.DataFrame) -> list[str]:
    """Every problem with a divisions table, in Chinese (empty when it is sound)."""
    problems = []
    codes = set(frame["division_code"])
    if len(codes) != len(frame):
        problems.append("区划代码有重复")
    for row in frame.itertuples():
        code, level, parent = row.division_code, row.division_level, row.parent_code
        if level not in DIVISION_LEVEL.codes or not re.fullmatch(r"\d+", str(code)):
            problems.append(f"区划 {code}：级别“{level}”或代码无效")
        elif len(code) != DIVISION_DIGITS[level]:
            problems.append(f"区划 {code}：{DIVISION_LEVEL.label_of(level)}级代码应为 {DIVISION_DIGITS[level]} 位")
        elif isinstance(parent, str) and parent and (parent not in codes or not code.startswith(parent)):
            problems.append(f"区划 {code}：上级代码 {parent} 不在表中，或不是其代码的前缀")
    if not any(row.division_level == "county" for row in frame.itertuples()):
        problems.append("区划表中没有县级区划")
    return problems


def write(root: Path, frame: pd.DataFrame) -> Path:
    """Write divisions.parquet atomically (under the root's write lock); StoreError naming every problem."""
    frame = frame.astype({"parent_code": "object"}).where(frame.notna(), None)
    problems = check(frame)
    if problems:
        raise StoreError("行政区划表有误：" + "；".join(problems))
    return _write_atomic(root, DIVISIONS_FILE, to_arrow(DIVISIONS, frame))


def write_targets(root: Path, frame: pd.DataFrame) -> Path:
    """Write a city's or province's own goals (division_targets.parquet) atomically."""
    return _write_atomic(root, DIVISION_TARGETS_FILE, to_arrow(DIVISION_TARGETS, frame))


def read_targets(root: Location) -> pd.DataFrame:
    """The divisions' own goals (none when the file is absent, and none for a single county's store)."""
    if not is_multi_county(root):
        return DIVISION_TARGETS.arrow_schema().empty_table().to_pandas()
    path = local_root(root) / DIVISION_TARGETS_FILE
    if not path.is_file():
        return DIVISION_TARGETS.arrow_schema().empty_table().to_pandas()
    frame = pq.read_table(path).to_pandas()
    absent = [c.name for c in DIVISION_TARGETS.columns if c.name not in frame.columns]  # written before they existed
    return frame.assign(**dict.fromkeys(absent)) if absent else frame


def _write_atomic(root: Path, name: str, table: pa.Table) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with write_lock(root):
        staging = root / f".{name}.{uuid.uuid4().hex}"
        try:
            pq.write_table(table, staging)
            os.replace(staging, root / name)
        finally:
            staging.unlink(missing_ok=True)
    announce_write(root)
    return root / name


def tops(frame: pd.DataFrame) -> pd.DataFrame:
    """The divisions without a parent in the table, shortest code first: one for a city's or a province's store,
    every province for a store of several (the nation's)."""
    found = frame[frame["parent_code"].isna() | ~frame["parent_code"].isin(frame["division_code"])]
    return found.sort_values("division_code", key=lambda codes: codes.str.len(), kind="stable")


def top(frame: pd.DataFrame) -> pd.Series:
    """The division every other lies under (the shortest code without a parent in the table)."""
    return tops(frame).iloc[0]


def counties(frame: pd.DataFrame, scope: str | None = None) -> pd.DataFrame:
    """The counties of the table within a scope (a division code: a township's scope is its county; None: all)."""
    found = frame[frame["division_level"] == "county"]
    if scope:
        found = found[found["division_code"].str.startswith(scope[:6])]
    return found.reset_index(drop=True)
