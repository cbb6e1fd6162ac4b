"""Contract checks on a snapshot's tables: keys, required values, enumerations, ranges, references.

Every problem is reported at once, in Chinese, naming the table (sheet), row and column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from socialwork.data.contract.schema import Column, Table
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME


@dataclass(frozen=True)
class Problem:
    table: str
    row: int | None  # 1-based data row; None for whole-table problems
    column: str | None
    message: str
    letter: str | None = None  # the sheet's column letter, where the problem came from a sheet

    def __str__(self) -> str:
        table = TABLES_BY_NAME[self.table].label if self.table in TABLES_BY_NAME else self.table
        where = [f"表“{table}”"]
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column is not None:
            label = TABLES_BY_NAME[self.table].column(self.column).label if self.table in TABLES_BY_NAME else ""
            name = f"“{label}（{self.column}）”" if label else f"“{self.column}”"
            where.append(f"{self.letter}列{name}" if self.letter else f"列{name}")
        return f"{'，'.join(where)}：{self.message}"


def _first_rows(mask: pd.Series, first_row: int, limit: int = 5) -> list[int]:
    """Row numbers (as the person sees them) of the first few rows where mask holds."""
    return [int(i) + first_row for i in mask[mask].index[:limit]]


def check_columns(table: Table, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    missing = [c for c in table.column_names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in table.column_names]
    if missing:
        problems.append(Problem(table.name, None, None, f"缺少列：{'、'.join(missing)}"))
    if extra:
        problems.append(Problem(table.name, None, None, f"多出不认识的列：{'、'.join(map(str, extra))}"))
    return problems


def _check_column(table: Table, column: Column, values: pd.Series, first_row: int) -> list[Problem]:
    problems = []
    empty = values.isna()
    if not column.nullable and empty.any():
        for row in _first_rows(empty, first_row):
            problems.append(Problem(table.name, row, column.name, "不能为空"))
    present = values[~empty]
    if column.enum is not None:
        bad = ~present.astype(str).isin(column.enum.codes)
        for i in present[bad].index[:5]:
            allowed = "、".join(f"{code}（{label}）" for code, label in column.enum.labels.items())
            problems.append(
                Problem(table.name, int(i) + first_row, column.name, f"取值“{present[i]}”不在允许范围：{allowed}")
            )
    if column.minimum is not None or column.maximum is not None:
        numbers = pd.to_numeric(present, errors="coerce")
        low = column.minimum if column.minimum is not None else float("-inf")
        high = column.maximum if column.maximum is not None else float("inf")
        bad = (numbers < low) | (numbers > high)
        for i in numbers[bad].index[:5]:
            problems.append(
                Problem(table.name, int(i) + first_row, column.name, f"数值 {present[i]} 超出范围 [{low:g}, {high:g}]")
            )
    return problems


def check_table(table: Table, frame: pd.DataFrame, first_row: int = 1) -> list[Problem]:
    """Columns, required values, enumerations, ranges and key uniqueness of one table."""
    problems = check_columns(table, frame)
    if problems:
        return problems
    frame = frame.reset_index(drop=True)
    for column in table.columns:
        problems += _check_column(table, column, frame[column.name], first_row)
    # Missing keys are reported as empty above; they are not duplicates of one another.
    duplicated = frame.duplicated(subset=list(table.key), keep="first") & frame[list(table.key)].notna().all(axis=1)
    for row in _first_rows(duplicated, first_row):
        key = "、".join(str(frame.loc[row - first_row, k]) for k in table.key)
        problems.append(Problem(table.name, row, table.key[0], f"编号重复：{key}"))
    return problems


def check_references(frames: dict[str, pd.DataFrame], first_row: int = 1) -> list[Problem]:
    """Every referencing value names a row that exists in the same snapshot (where both tables are given)."""
    problems = []
    for table in TABLES:
        if table.name not in frames:
            continue
        frame = frames[table.name].reset_index(drop=True)
        for column in table.columns:
            if column.references is None or column.references.split(".")[0] not in frames:
                continue
            target_table, target_column = column.references.split(".")
            known = set(frames[target_table][target_column].dropna().astype(str))
            values = frame[column.name]
            dangling = values.notna() & ~values.astype(str).isin(known)
            target_label = TABLES_BY_NAME[target_table].label
            for row in _first_rows(dangling, first_row):
                problems.append(
                    Problem(table.name, row, column.name, f"代码“{values[row - first_row]}”在“{target_label}”中不存在")
                )
    return problems


def check_snapshot(frames: dict[str, pd.DataFrame], first_row: int = 1) -> list[Problem]:
    """All contract checks on a whole snapshot; an empty list means it may be written.

    first_row is the number the person sees on the first data row (3 in the Excel template).
    """
    missing = [Problem(t.name, None, None, "缺少该数据表") for t in TABLES if t.name not in frames]
    return missing + check_given(frames, first_row)


def check_given(frames: dict[str, pd.DataFrame], first_row: int = 1) -> list[Problem]:
    """Every check the given tables allow, at once: a check across tables runs where all of them are given."""
    problems = []
    for table in TABLES:
        if table.name in frames:
            problems += check_table(table, frames[table.name], first_row)
    problems += check_references(frames, first_row)
    if {"people", "communities"} <= frames.keys():
        problems += _check_people_communities(frames, first_row)
    if "townships" in frames:
        problems += _check_unique_township_names(frames, first_row)
    if "organisations" in frames:
        problems += _check_organisation_staff(frames, first_row)
    return problems


def _check_unique_township_names(frames: dict[str, pd.DataFrame], first_row: int) -> list[Problem]:
    """Townships are chosen by name in the filter and the CLI: names must be unique."""
    names = frames["townships"]["township_name"].reset_index(drop=True)
    return [
        Problem("townships", row, "township_name", f"乡镇名称“{names[row - first_row]}”重复")
        for row in _first_rows(names.duplicated(), first_row)
    ]


def _check_organisation_staff(frames: dict[str, pd.DataFrame], first_row: int) -> list[Problem]:
    """Certified, educated and professional staff are parts of the staff: no share above 100 %."""
    frame = frames["organisations"].reset_index(drop=True)
    problems = []
    for column in ("certified_staff", "sw_educated_staff", "professional_staff"):
        for row in _first_rows(frame[column] > frame["staff"], first_row):
            problems.append(Problem("organisations", row, column, "不能多于从业人员人数"))
    return problems


def _check_people_communities(frames: dict[str, pd.DataFrame], first_row: int) -> list[Problem]:
    """A person's community must lie in that person's township."""
    people = frames["people"].reset_index(drop=True)
    township_of = dict(
        zip(frames["communities"]["community_code"], frames["communities"]["township_code"], strict=True)
    )
    problems = []
    for i, (township, community) in enumerate(zip(people["township_code"], people["community_code"], strict=True)):
        if pd.notna(community) and pd.isna(township):
            problems.append(
                Problem(
                    "people", i + first_row, "township_code", f"填写了村（社区）“{community}”，但服务乡镇为空，请补填"
                )
            )
        elif pd.notna(community) and township_of.get(community) != township:
            problems.append(
                Problem("people", i + first_row, "community_code", f"村（社区）“{community}”不属于乡镇“{township}”")
            )
    return problems
