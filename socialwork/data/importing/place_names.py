"""Township and village/community names written where the template asks for codes, turned into codes when the
name is unambiguous: a community within the person's township first, then the county.
"""

from __future__ import annotations

import pandas as pd

from socialwork.data.contract.schema import Column, Table
from socialwork.data.contract.tables import TABLES, TOWNSHIP_REF
from socialwork.data.importing.cells import normalised
from socialwork.data.importing.sheets import RawTable
from socialwork.data.importing.validate import Problem


def resolve_place_names(frames: dict[str, pd.DataFrame], raws: dict[str, RawTable]) -> list[Problem]:
    """Township and community names written where the template asks for codes become codes, when unambiguous.

    Changes the frames in place; a name shared by two places is a problem naming both townships.
    """
    if "townships" not in frames:
        return []
    townships = frames["townships"]
    township_by_name = _unique_names(townships["township_code"], townships["township_name"])
    township_name = dict(zip(townships["township_code"], townships["township_name"], strict=True))
    problems = []
    for table in TABLES:
        if table.name not in frames:
            continue
        for column in table.columns:
            if column.references == TOWNSHIP_REF:
                problems += _codes_for_names(frames[table.name], table, column, raws[table.name], township_by_name)
    if "communities" in frames and "people" in frames:
        problems += _community_codes(frames["people"], frames["communities"], raws["people"], township_name)
    return problems


def _unique_names(codes: pd.Series, names: pd.Series) -> dict[str, str | None]:
    """Normalised name -> code; None where two places share the name."""
    out: dict[str, str | None] = {}
    for code, name in zip(codes, names, strict=True):
        if isinstance(name, str):
            key = normalised(name)
            out[key] = None if key in out and out[key] != code else code
    return out


def _codes_for_names(frame: pd.DataFrame, table: Table, column: Column, raw: RawTable,
                     by_name: dict[str, str | None]) -> list[Problem]:  # fmt: skip
    known = set(by_name.values())
    problems = []
    for index, value in frame[column.name].items():
        if not isinstance(value, str) or value in known or normalised(value) not in by_name:
            continue
        code = by_name[normalised(value)]
        if code is None:
            message = f"乡镇名称“{value}”不唯一，请填写乡镇区划代码"
            letter = raw.letters.get(column.name)
            problems.append(Problem(table.name, raw.row_numbers[index], column.name, message, letter))
        else:
            frame.at[index, column.name] = code
    return problems


def _community_codes(people: pd.DataFrame, communities: pd.DataFrame, raw: RawTable,
                     township_name: dict[str, str]) -> list[Problem]:  # fmt: skip
    """A community named instead of coded: found within the person's township first, then in the county."""
    codes = set(communities["community_code"])
    within = {(t, normalised(n)): c for c, t, n in communities[["community_code", "township_code", "community_name"]]
              .itertuples(index=False) if isinstance(n, str)}  # fmt: skip
    in_county = _unique_names(communities["community_code"], communities["community_name"])
    problems = []
    for index, (township, value) in enumerate(zip(people["township_code"], people["community_code"], strict=True)):
        if not isinstance(value, str) or value in codes:
            continue
        key = normalised(value)
        code = within.get((township, key)) or in_county.get(key)
        if code:
            people.at[index, "community_code"] = code
        elif key in in_county:
            places = sorted(township_name.get(t, t) for (t, n) in within if n == key)
            problems.append(Problem("people", raw.row_numbers[index], "community_code",
                                    f"村（社区）名称“{value}”在多个乡镇都有（{'、'.join(places)}），请填写村社区划代码"
                                    "或正确的服务乡镇", raw.letters.get("community_code")))  # fmt: skip
    return problems


# ---------------------------------------------------------------- the as-of date against the data
