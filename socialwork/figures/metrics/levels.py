"""Figures and goals above the county: a city's or province's figures summed over its counties, and its goals.

A scope's additive figures are the sum over the counties that have the as-of snapshot; a date where one of those lacks
a snapshot is left out (as a single county's missing month is), never summed as if that county had 0. Its goals are
its own rows in division_targets where set, else worked out from the same counties' targets: the sum of their goals
for a county-wide total (TARGET_SCOPE `county`), their common standard (the most frequent goal, the higher on a tie)
for a scale-free one, whose figure is a ratio recomputed from the summed parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from socialwork.data.contract.enums import DIVISION_DIGITS
from socialwork.figures import db
from socialwork.figures.frames import among, as_dates

TARGET_COLUMNS = ["metric_key", "target_label", "goal_value", "comparator", "scope", "responsible_unit", "sort_order"]


def figures_by_county(from_date: date, to_date: date, scope: str | None, data: Path | None = None) -> pd.DataFrame:
    """Every additive figure per county and snapshot within the scope (rows, not summed)."""
    frame = db.run(
        "kpi/plan_figures_by_snapshot_and_county", data=data, from_date=from_date, to_date=to_date, scope=scope
    )
    frame["snapshot_date"] = as_dates(frame["snapshot_date"])
    return frame


def township_rows(
    from_date: date, to_date: date, dates: list[date], county: str | None, data: Path | None = None
) -> TownshipRows:
    """Every township's rows of the county (None: of a single county's store), once per store version."""
    key = (from_date, to_date, county)
    return db.cached("township_rows", key, lambda: TownshipRows.read(from_date, to_date, county, dates, data), data)


class TownshipRows:
    """A county's township_figures rows as arrays: each row's township code, its date's position in the county's
    dates, and its figures (NaN where empty). Immutable once read (shared through db.cached)."""

    def __init__(self, codes: pd.Series, day: np.ndarray, values: np.ndarray, dates: list[date], columns: list[str]):
        self.codes, self.day, self.values, self.dates, self.columns = codes, day, values, dates, columns
        for array in (day, values):
            array.flags.writeable = False

    @classmethod
    def read(cls, from_date: date, to_date: date, county: str | None, dates: list[date], data: Path | None):
        rows = db.run("kpi/plan_figures_by_snapshot_and_township", data=data, from_date=from_date, to_date=to_date,
                      scope=county)  # fmt: skip
        columns = [c for c in rows.columns if c not in ("snapshot_date", "township_code")]
        day = pd.Index(dates).get_indexer(as_dates(rows["snapshot_date"]))
        # Both tables are written with each snapshot, so every row's date is the county's; a row at any other date
        # would land on the last date in np.add.at (position -1): left out instead.
        known = day >= 0
        values = rows[columns].to_numpy(dtype="float64", na_value=np.nan)[known]
        return cls(rows["township_code"][known].reset_index(drop=True), day[known], values, list(dates), columns)

    def summed(self, townships: list[str]) -> pd.DataFrame:
        chosen = among(self.codes, townships)
        day, values = self.day[chosen], self.values[chosen]
        shape = (len(self.dates), len(self.columns))
        sums, counted = np.zeros(shape), np.zeros(shape)
        np.add.at(sums, day, np.nan_to_num(values))
        np.add.at(counted, day, ~np.isnan(values))
        summed = np.where(counted > 0, sums, np.nan)
        summed[np.bincount(day, minlength=len(self.dates)) == 0] = 0.0  # no row of theirs at that date
        return pd.DataFrame(summed, index=pd.Index(self.dates, name="snapshot_date"), columns=self.columns)


def division_figures(as_of: date, scope: str | None, level: str, data: Path | None = None) -> pd.DataFrame:
    """Every division of a level (province, city or county) within the scope, the level below it
    (hierarchy.level_below), with its additive figures at as_of summed over its counties that have the month:
    division_code, division_name, counties, counties_reporting, latest_snapshot_date, missing_counties (names), then
    the figures of plan_figures_by_snapshot_and_county (empty where none of its counties has the month: the division
    is listed, never counted as 0)."""
    digits = DIVISION_DIGITS[level]
    return db.run("kpi/plan_figures_by_division", data=data, snapshot_date=as_of, scope=scope, digits=digits)


def figures_over_counties(from_date: date, to_date: date, scope: str | None, data: Path | None = None) -> pd.DataFrame:
    """_figures_over_counties once per store version (a page asks twice, a nation's sum takes 150 ms); a copy each."""
    key = (from_date, to_date, scope)
    summed = db.cached("figures_over_counties", key, lambda: _figures_over_counties(*key, data), data)
    return summed.copy()


def _figures_over_counties(from_date: date, to_date: date, scope: str | None, data: Path | None) -> pd.DataFrame:
    """The scope's additive figures per snapshot, indexed by date: summed over the counties reporting at to_date.

    At an earlier date a county without that month counts with its latest snapshot before it, the rule a single
    county's baseline follows (a missing December falls back to November), so each county's net increase is measured
    from its own baseline; a date before a county's first snapshot is left out. A figure empty in any county (its
    register column came later) is empty in the sum."""
    frame = figures_by_county(from_date, to_date, scope, data)
    day, dates = pd.factorize(frame["snapshot_date"], sort=True)  # each row's date as a position in dates
    dates = dates.tolist()
    last = dates.index(to_date) if to_date in dates else -2  # no row has it: matches no position
    reporting = sorted(frame.loc[day == last, "county_code"].unique().tolist())
    if not reporting:
        # No county of the scope has the month (one county's view of a month it missed): no figures, not zeros.
        return frame.iloc[:0].drop(columns="county_code").set_index("snapshot_date").astype("float64")
    if len(reporting) == 1 and (frame["county_code"] == reporting[0]).all():
        # One county (a county's view): every date is its own row, nothing to carry forward.
        own = frame.drop(columns="county_code").set_index("snapshot_date").sort_index().astype("float64")
        return own.rename_axis("snapshot_date")
    columns = [c for c in frame.columns if c not in ("county_code", "snapshot_date")]
    # The row each county counts with at each date, its own or its latest before: row positions in a county × date
    # grid, carried forward along the dates at once for every county (a nation's 2,800 one by one took seconds; as
    # frames, 170 ms), and never a figure from another row. A county not reporting has no place in the grid (-1).
    county = pd.Index(reporting).get_indexer(frame["county_code"])
    counted = county >= 0
    position = np.full((len(reporting), len(dates)), -1)
    position[county[counted], day[counted]] = np.flatnonzero(counted)
    latest = np.maximum.accumulate(np.where(position >= 0, np.arange(len(dates)), -1), axis=1)
    complete = (latest >= 0).all(axis=0)  # a date every reporting county has a row for, its own or an earlier one
    rows = position[np.arange(len(reporting))[:, None], latest[:, complete]]
    # Summed county by county, in code order; a figure empty in any county (NaN) stays empty in the sum.
    values = frame[columns].to_numpy(dtype="float64")
    # A date at a time: gathering every date's rows at once makes an array of counties × dates × figures (a nation's
    # 30 MB), slower to fill than to sum.
    sums = np.array([values[rows[:, j]].sum(axis=0) for j in range(rows.shape[1])]).reshape(-1, len(columns))
    kept = [on for on, whole in zip(dates, complete, strict=True) if whole]
    return pd.DataFrame(sums, columns=columns, index=pd.Index(kept, name="snapshot_date"))


def scope_targets(
    as_of: date, year: int, scope: str | None, counties: Iterable[str], data: Path | None = None,
    division: str | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The scope's goals for a plan year, from the given counties' targets unless the division sets its own (those
    rows with division_goal True: a goal of the whole division, which its reporting counties alone cannot meet).
    division: whose own goals, when not the scope's (the whole of a city's store: the city)."""
    division = division or scope
    parts = db.run("kpi/targets_by_county_for_year", data=data, snapshot_date=as_of, plan_year=year, scope=scope)
    parts = parts[among(parts["county_code"], counties)]
    if scope is not None and len(scope) >= 6:  # one county: its own targets
        return parts[TARGET_COLUMNS].reset_index(drop=True)
    own = (
        db.run("kpi/division_targets_for_year", data=data, scope=division, plan_year=year)
        if division
        else pd.DataFrame(columns=TARGET_COLUMNS)
    )
    worked_out = [
        combined(group) for key, group in parts.groupby("metric_key", sort=False) if key not in set(own["metric_key"])
    ]
    own = own.assign(division_goal=True)
    worked_out = pd.DataFrame(worked_out, columns=TARGET_COLUMNS).assign(division_goal=False)
    rows = [frame for frame in (own, worked_out) if not frame.empty]
    if not rows:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    return pd.concat(rows, ignore_index=True).sort_values("sort_order", ignore_index=True)


def combined(group: pd.DataFrame) -> dict:
    """One metric's goal over several counties: their sum for a total, their common standard for a scale-free one."""
    first = group.iloc[0]
    if first["scope"] == "county":
        comparators = group["comparator"].unique()
        goals = group["goal_value"]
        return {
            "metric_key": first["metric_key"],
            "target_label": f"{len(group)}个县目标之和（{first['target_label']}）",
            "goal_value": None if goals.isna().any() else float(goals.sum()),
            "comparator": first["comparator"] if len(comparators) == 1 else "ge",
            "scope": "county",
            "responsible_unit": None,  # each county's own unit answers for its part
            "sort_order": first["sort_order"],
        }
    counts = group.groupby("goal_value", dropna=False).size()
    standard = counts[counts == counts.max()].index.max()
    chosen = group[group["goal_value"].eq(standard) | (group["goal_value"].isna() & pd.isna(standard))].iloc[0]
    return {**{column: chosen[column] for column in TARGET_COLUMNS}, "responsible_unit": None}
