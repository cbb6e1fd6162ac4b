"""The county ranking: every county of a city, province or nation against each of its targets, worst first (a view
above the county ranks its counties whatever level its charts break down by: hierarchy.spans_counties), in the shape
of the township scorecard so that pages, documents and exports show either."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from socialwork.data import settings
from socialwork.data.storage import identity
from socialwork.figures import db, hierarchy
from socialwork.figures.choices import available_dates
from socialwork.figures.frames import among
from socialwork.figures.metrics import levels, ranking_cells
from socialwork.figures.metrics.dates import baseline_date, previous_date
from socialwork.figures.metrics.registry import SPECS
from socialwork.figures.metrics.report import evaluate
from socialwork.figures.metrics.scorecard import UNMET, TownshipScorecard, township_scorecard
from socialwork.figures.place_filter import EVERYWHERE, Places


def place_scorecard(as_of: date, places: Places = EVERYWHERE, data: Path | None = None) -> TownshipScorecard:
    """The table of the level below the view: counties ranked against every target above the county, else townships
    against the scale-free targets."""
    if hierarchy.spans_counties(places, data):
        return county_ranking(as_of, places, data)
    # Once per store version, like the ranking: the map of every page reads the county's while a township is picked
    return db.cached("township_scorecard", (as_of, places), lambda: township_scorecard(as_of, places, data), data)


def county_ranking(as_of: date, places: Places = EVERYWHERE, data: Path | None = None) -> TownshipScorecard:
    """Every county of the scope against each of its own targets, as on that county's own pages; worst first."""
    return db.cached("county_ranking", (as_of, places), lambda: _county_ranking(as_of, places, data), data)


def _county_ranking(as_of: date, places: Places, data: Path | None) -> TownshipScorecard:
    scope = places.division
    dates = available_dates(data)
    status = hierarchy.counties_reporting(as_of, scope, data)
    figures = levels.figures_by_county(dates[0], as_of, scope, data)
    targets = db.run("kpi/targets_by_county_for_year", data=data, snapshot_date=as_of, plan_year=as_of.year,
                     scope=scope)  # fmt: skip
    targets = targets[among(targets["county_code"], status.loc[status["has_snapshot"], "county_code"].tolist())]
    keys = [k for k in targets.sort_values("sort_order")["metric_key"].unique().tolist() if k in SPECS]
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    labels = {k: county.metric_label(k) for k in keys}
    codes = status["county_code"].tolist()
    reporting = status["has_snapshot"].to_numpy(dtype=bool)
    counties = _per_county(figures, keys)
    target_grid = _TargetGrid(targets, keys, codes)
    together = _judged_together(counties, keys, target_grid, codes, as_of)
    previous = previous_date(as_of, dates)

    columns: dict[str, list | np.ndarray] = {
        "township_code": codes,
        "township_name": status["county_name"].tolist(),
        "township_kind_label": [hierarchy.reporting_label(has, latest) for has, latest
                                in zip(status["has_snapshot"].tolist(), status["latest_snapshot_date"].tolist(),
                                       strict=True)],
    }  # fmt: skip
    for key in keys:
        cells = together.get(key)
        values, statuses, goals, judged = cells if cells is not None else _unjudged(len(codes))
        for i in np.flatnonzero(reporting & ~judged).tolist():  # a cell the counties together could not judge
            code = codes[i]
            kpi = evaluate(SPECS[key], target_grid.record(key, i), counties.frame_of(code), as_of, previous, False,
                           labels[key], counties.values_of(code, key), brief=True)  # fmt: skip
            values[i], statuses[i], goals[i] = _nan_if_none(kpi.value), kpi.status, _nan_if_none(kpi.goal)
        values[~reporting], statuses[~reporting], goals[~reporting] = np.nan, "no_data", np.nan
        columns[key], columns[f"{key}__status"], columns[f"{key}__goal"] = values, statuses, goals
    columns["reporting"] = reporting.tolist()
    frame = pd.DataFrame(columns, columns=_columns(keys))
    return TownshipScorecard(
        as_of, baseline_date(as_of, dates), tuple(SPECS[k] for k in keys), target_grid.common_goals(),
        _ranked(frame, keys), labels, level="county",
    )  # fmt: skip


class _TargetGrid:
    """The target rows by metric and ranked county: which row of the targets each (metric, county) has, -1 none."""

    def __init__(self, targets: pd.DataFrame, keys: list[str], codes: list[str]) -> None:
        self.targets, self.keys = targets, {key: i for i, key in enumerate(keys)}
        metric = pd.Index(keys).get_indexer(targets["metric_key"])
        county = pd.Index(codes).get_indexer(targets["county_code"])
        known = (metric >= 0) & (county >= 0)
        self.metric_of_row = metric
        self.rows = np.full((len(keys), len(codes)), -1)
        self.rows[metric[known], county[known]] = np.flatnonzero(known)
        # Each row's comparator and goal, and a last entry for -1 (no row): "" and NaN.
        self.comparators = np.append(targets["comparator"].to_numpy(dtype=object, na_value=""), "")
        self.goal_values = np.append(targets["goal_value"].to_numpy(dtype="float64", na_value=np.nan), np.nan)

    def goals(self, key: str, counties: np.ndarray) -> ranking_cells.Goals:
        """The targets of some of the ranked counties (their positions), as ranking_cells judges them."""
        rows = self.rows[self.keys[key], counties]
        comparators = self.comparators[rows]
        set_goals = np.where(comparators == "gt_baseline", np.nan, self.goal_values[rows])
        return ranking_cells.Goals(rows >= 0, comparators, set_goals)

    def record(self, key: str, county: int) -> dict | None:
        """The target row of a ranked county (its position) as report.evaluate reads it, None without one."""
        row = self.rows[self.keys[key], county]
        if row < 0:
            return None
        return {column: values[0] for column, values in self.targets.iloc[[row]].to_dict("list").items()}

    def common_goals(self) -> dict[str, tuple[float | None, str | None]]:
        """key -> (goal, comparator) where every reporting county has the same goal; (None, comparator) where they
        differ (each county's goal is in the frame's <key>__goal column)."""
        out = {}
        for key, i in self.keys.items():
            mine = self.metric_of_row == i
            goals = self.goal_values[:-1][mine]
            distinct = np.unique(goals[~np.isnan(goals)])
            comparators = set(self.comparators[:-1][mine].tolist())
            comparator = comparators.pop() if len(comparators) == 1 else None
            out[key] = (float(distinct[0]) if len(distinct) == 1 and not np.isnan(goals).any() else None, comparator)
        return out


def _nan_if_none(value: float | None) -> float:
    return np.nan if value is None else value


def _unjudged(count: int) -> ranking_cells.Cells:
    return ranking_cells.Cells(np.full(count, np.nan), np.full(count, "no_data", dtype=object), np.full(count, np.nan),
                               np.zeros(count, dtype=bool))  # fmt: skip


class PerCounty(NamedTuple):
    """Every county's figures by date (one frame, a span of rows each), each metric's values by row of the frame, and
    the most common list of dates with the counties that have it."""

    frame: pd.DataFrame
    spans: dict[str, tuple[int, int]]
    values: dict[str, np.ndarray]
    dates: np.ndarray  # the frame's dates as day numbers, to compare counties' lists of dates

    def frame_of(self, code: str) -> pd.DataFrame:
        """A county's figures by date, as its own report reads them (levels.py)."""
        start, end = self.spans[code]
        return self.frame.iloc[start:end]

    def values_of(self, code: str, key: str) -> np.ndarray:
        start, end = self.spans[code]
        return self.values[key][start:end]

    def sharing(self, codes: list[str], as_of: date) -> tuple[tuple[date, ...] | None, list[int]]:
        """The list of dates most counties with the as-of snapshot share, and those counties (their positions in
        codes)."""
        lists = {}  # a county's dates as bytes -> positions of the counties that have them
        for i, code in enumerate(codes):
            if code in self.spans:
                start, end = self.spans[code]
                lists.setdefault(self.dates[start:end].tobytes(), []).append(i)
        day = (as_of - _EPOCH).days
        having = [(len(ids), key) for key, ids in lists.items() if day in np.frombuffer(key, dtype=self.dates.dtype)]
        if not having:
            return None, []
        key = max(having, key=lambda item: item[0])[1]
        start, end = self.spans[codes[lists[key][0]]]
        return tuple(self.frame.index[start:end].tolist()), lists[key]


_EPOCH = date(1970, 1, 1)


def _per_county(figures: pd.DataFrame, keys: list[str]) -> PerCounty:
    """Every county's metrics computed at once and sliced by position: a nation's 2,800 counties one at a time, or
    grouped, would cost seconds."""
    ordered = figures.sort_values(["county_code", "snapshot_date"], kind="stable")
    codes = ordered["county_code"].to_numpy()
    frame = ordered.drop(columns="county_code").set_index("snapshot_date").astype("float64")
    values = {key: SPECS[key].compute(frame).to_numpy() for key in keys}
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype=int)
    ends = [*starts[1:].tolist(), len(codes)]
    spans = {code: (start, end) for code, start, end in zip(codes[starts].tolist(), starts.tolist(), ends, strict=True)}
    on = frame.index.tolist()
    day_of = {day: (day - _EPOCH).days for day in set(on)}
    return PerCounty(frame, spans, values, np.asarray([day_of[day] for day in on], dtype="int64"))


def _judged_together(
    counties: PerCounty, keys: list[str], targets: _TargetGrid, codes: list[str], as_of: date
) -> dict[str, ranking_cells.Cells]:
    """Each metric's cells for every ranked county (codes), judged a metric at a time for the counties whose
    snapshots are the most common dates (ranking_cells.py); a cell left unjudged is judged by evaluate."""
    shared, rows = counties.sharing(codes, as_of)
    if not rows:
        return {}
    rows = np.asarray(rows)
    # The shared counties' rows of the frame, a row of dates each: [first row of each + 0..dates-1].
    firsts = np.asarray([counties.spans[codes[i]][0] for i in rows.tolist()])
    positions = firsts[:, None] + np.arange(len(shared))[None, :]
    cells = {}
    for key in keys:
        judged = ranking_cells.judged_together(SPECS[key], counties.values[key][positions], shared, as_of,
                                               targets.goals(key, rows))  # fmt: skip
        whole = _unjudged(len(codes))
        for column, part in zip(whole, judged, strict=True):
            column[rows] = part
        cells[key] = whole
    return cells


def _columns(keys: list[str]) -> list[str]:
    per_key = [f"{k}{suffix}" for k in keys for suffix in ("", "__status", "__goal")]
    return ["township_code", "township_name", "township_kind_label", *per_key, "reporting"]


def attainment(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """How far each county is from its goals, for the order: the mean over targets of value ÷ goal, each capped at 1
    (a target exceeded does not make up for one missed); targets without a positive goal are left out."""
    shares = [(frame[key] / frame[f"{key}__goal"].where(frame[f"{key}__goal"] > 0)).clip(upper=1.0) for key in keys]
    return pd.concat(shares, axis=1).mean(axis=1) if shares else pd.Series(1.0, index=frame.index)


def _ranked(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Reporting counties first, most unmet targets first, then furthest from their goals; a county without the
    month last (its row says so)."""
    frame = frame.astype({k: "float64" for k in keys} | {f"{k}__goal": "float64" for k in keys})
    frame["unmet_targets"] = frame[[f"{k}__status" for k in keys]].isin(UNMET).sum(axis=1) if keys else 0
    # A county without the month has no count of unmet targets (not 0): its row says it has not reported.
    frame["unmet_targets"] = frame["unmet_targets"].astype("Int64").where(frame["reporting"], pd.NA)
    frame["_attainment"] = attainment(frame, keys).fillna(1.0)
    ordered = frame.sort_values(
        ["reporting", "unmet_targets", "_attainment", "township_code"], ascending=[False, False, True, True]
    )
    return ordered.drop(columns="_attainment").reset_index(drop=True)
