"""Snapshots and townships as users name them: validated, with errors in Chinese."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import identity, settings
from socialwork.data.store import StoreError
from socialwork.figures import db


class FilterError(ValueError):
    """A date or township the store does not know, worded in Chinese."""


def available_dates(data: Path | None = None) -> list[date]:
    """Every snapshot date of the store (listed once per store version); an empty store is an error."""
    root = data or settings.data_dir()
    dates = db.snapshot_dates(root)
    if not dates:
        county = identity.load(root).county_name if identity.has_identity(root) else ""
        raise StoreError(
            f"{county}数据目录 {root} 中还没有任何快照；请先导入第一个月的数据："
            f"python -m socialwork import 文件.xlsx --as-of YYYY-MM-DD --data {root}"
        )
    return dates


def parse_as_of(text: str | date | None, data: Path | None = None) -> date:
    """The snapshot for an as-of date given as text; None means the latest."""
    dates = available_dates(data)
    if text is None:
        return dates[-1]
    try:
        wanted = text if isinstance(text, date) else date.fromisoformat(str(text).strip())
    except ValueError as err:
        raise FilterError(f"日期格式无效：“{text}”，应为 YYYY-MM-DD，例如 {dates[-1].isoformat()}") from err
    if wanted not in dates:
        earlier = [d for d in dates if d <= wanted]
        hint = f"；最接近的较早快照是 {earlier[-1].isoformat()}" if earlier else ""
        raise FilterError(
            f"没有 {wanted.isoformat()} 的数据快照。现有快照：{dates[0].isoformat()} 至 {dates[-1].isoformat()}"
            f"（共 {len(dates)} 期）{hint}"
        )
    return wanted


def townships(as_of: date, data: Path | None = None) -> pd.DataFrame:
    """Code, name and kind of every township at the snapshot."""
    return db.run("places/townships_at_snapshot", data=data, snapshot_date=as_of)


def townships_of_county(as_of: date, county_code: str, data: Path | None = None) -> pd.DataFrame:
    """Code and name of every township of one county of a store of many at the snapshot (read within the county,
    db.county_store: not a nation's 41,000 filtered), kept per store version: the sidebar asks on every rerun."""
    key = (as_of, county_code)
    return db.cached("townships_of_county", key, lambda: _townships_of_county(as_of, county_code, data), data).copy()


def _townships_of_county(as_of: date, county_code: str, data: Path | None) -> pd.DataFrame:
    known = db.run("places/divisions_in_scope", data=data, snapshot_date=as_of, scope=county_code)
    known = known[known["division_level"] == "township"]
    columns = {"division_code": "township_code", "division_name": "township_name"}
    return known.rename(columns=columns)[list(columns.values())].reset_index(drop=True)


def township_codes(names: Iterable[str], as_of: date, data: Path | None = None) -> list[str]:
    """Division codes for township names (or codes); an unknown one raises FilterError naming it."""
    known = townships(as_of, data)
    by_name = dict(zip(known.township_name, known.township_code, strict=True))
    by_code = set(known.township_code)
    codes, unknown = [], []
    for name in names:
        name = name.strip()
        if name in by_name:
            codes.append(by_name[name])
        elif name in by_code:
            codes.append(name)
        else:
            unknown.append(name)
    if unknown:
        raise FilterError(
            f"未知乡镇（街道）：{'、'.join(unknown)}。{as_of.isoformat()} 快照中的乡镇（街道）有："
            f"{'、'.join(known.township_name)}"
        )
    return sorted(set(codes))


def township_names(codes: Iterable[str], as_of: date, data: Path | None = None) -> list[str]:
    """Township names for division codes, in the order given (a code the snapshot lacks stays a code)."""
    known = townships(as_of, data)
    by_code = dict(zip(known.township_code, known.township_name, strict=True))
    return [by_code.get(code, code) for code in codes]


MAX_LISTED = 30  # divisions named in an error, then counted (a nation has 3,000)


def parse_scope(code: str, as_of: date, data: Path | None = None) -> str:
    """A division code a user gave (2, 4 or 6 digits) that the store knows; FilterError naming it otherwise."""
    code = identity.normalised_code(code)
    known = db.run("places/divisions_in_scope", data=data, snapshot_date=as_of, scope=None)
    above = known[known["division_level"] != "township"]
    if len(code) not in db.SCOPE_DIGITS or code not in set(above["division_code"]):
        named = [f"{c} {n}" for c, n in zip(above["division_code"], above["division_name"], strict=True)]
        listed = "、".join(named[:MAX_LISTED]) + (f"…等 {len(named):,} 个" if len(named) > MAX_LISTED else "")
        levels = "省、市、县" if (above["division_level"] == "province").any() else "市、县"
        raise FilterError(f"未知区划代码：{code}。本数据目录中的{levels}有：{listed or '（无）'}")
    return code
