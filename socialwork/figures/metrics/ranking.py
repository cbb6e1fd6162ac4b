"""The county ranking: every county of a city, province or nation against each of its targets, worst first (a view
above the county ranks its counties whatever level its charts break down by: hierarchy.spans_counties), in the shape
of the township scorecard so that pages, documents and exports show either."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from socialwork.data import identity, settings
from socialwork.figures import db, hierarchy
from socialwork.figures.metrics import levels, ranking_cells
from socialwork.figures.metrics.dates import baseline_date, previous_date
from socialwork.figures.metrics.registry import SPECS
from socialwork.figures.metrics.report import evaluate
from socialwork.figures.metrics.scorecard import UNMET, TownshipScorecard, township_scorecard
from socialwork.figures.places import available_dates

Places = list[str] | tuple[str, ...] | None


def place_scorecard(as_of: date, places: Places = None, data: Path | None = None) -> TownshipScorecard:
    """The table of the level below the view: counties ranked against every target above the county, else townships
    against the scale-free targets."""
    if hierarchy.spans_counties(places, data):
        return county_ranking(as_of, places, data)
    return township_scorecard(as_of, list(places) if places else None, data)


def county_ranking(as_of: date, places: Places = None, data: Path | None = None) -> TownshipScorecard:
    """Every county of the scope against each of its own targets, as on that county's own pages; worst first."""
    key = (as_of, tuple(places) if places else None)
    return db.cached("county_ranking", key, lambda: _county_ranking(as_of, places, data), data)


def _county_ranking(as_of: date, places: Places, data: Path | None) -> TownshipScorecard:
    scope = hierarchy.scope_of(places)
    dates = available_dates(data)
    status = hierarchy.counties_reporting(as_of, scope, data)
    figures = levels.figures_by_county(dates[0], as_of, scope, data)
    targets = db.run("kpi/targets_by_county_for_year", data=data, snapshot_date=as_of, plan_year=as_of.year,
                     scope=scope)  # fmt: skip
    targets = targets[targets["county_code"].isin(set(status.loc[status["has_snapshot"], "county_code"]))]
    keys = [k for k in dict.fromkeys(targets.sort_values("sort_order")["metric_key"]) if k in SPECS]
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    labels = {k: county.metric_label(k) for k in keys}
    previous = previous_date(as_of, dates)
    goals_by_county: dict[str, dict[str, dict]] = {}
    for target in _records(targets):
        goals_by_county.setdefault(target["county_code"], {})[target["metric_key"]] = target
    counties = _per_county(figures, keys)
    together = _judged_together(counties, keys, goals_by_county, as_of)

    def judged(code: str, key: str) -> ranking_cells.Cell:
        """A cell the counties together could not judge, by evaluate (its figures missing somewhere, other dates)."""
        own, values = counties.frame_of(code), counties.values[code][key]
        kpi = evaluate(SPECS[key], goals_by_county.get(code, {}).get(key), own, as_of, previous, False, labels[key],
                       values, brief=True)  # fmt: skip
        return kpi.value, kpi.status, kpi.goal

    rows = []
    for place in status.itertuples(index=False):
        reported = hierarchy.reporting_label(place.has_snapshot, place.latest_snapshot_date)
        row = {"township_code": place.county_code, "township_name": place.county_name, "township_kind_label": reported}
        for key in keys:
            cell = None
            if place.has_snapshot:
                cell = together.get((place.county_code, key)) or judged(place.county_code, key)
            row[key], row[f"{key}__status"], row[f"{key}__goal"] = cell or (None, "no_data", None)
        row["reporting"] = bool(place.has_snapshot)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_columns(keys))
    return TownshipScorecard(
        as_of, baseline_date(as_of, dates), tuple(SPECS[k] for k in keys), _common_goals(targets, keys),
        _ranked(frame, keys), labels, level="county",
    )  # fmt: skip


class PerCounty(NamedTuple):
    """Every county's figures by date (one frame, a span of rows each), each of its metrics' values by date, and its
    dates."""

    frame: pd.DataFrame
    spans: dict[str, tuple[int, int]]
    values: dict[str, dict[str, np.ndarray]]
    dates: dict[str, tuple[date, ...]]

    def frame_of(self, code: str) -> pd.DataFrame:
        """A county's figures by date, as its own report reads them (levels.py)."""
        start, end = self.spans[code]
        return self.frame.iloc[start:end]


def _per_county(figures: pd.DataFrame, keys: list[str]) -> PerCounty:
    """Every county's metrics computed at once and sliced by position: a nation's 2,800 counties one at a time, or
    grouped, would cost seconds."""
    ordered = figures.sort_values(["county_code", "snapshot_date"], kind="stable")
    codes = ordered["county_code"].to_numpy()
    frame = ordered.drop(columns="county_code").set_index("snapshot_date").astype("float64")
    values = {key: SPECS[key].compute(frame).to_numpy() for key in keys}
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype=int)
    spans = {codes[start]: (start, end) for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(codes)],
                                                                 strict=True)}  # fmt: skip
    on = frame.index.tolist()
    return PerCounty(
        frame,
        spans,
        {code: {key: column[start:end] for key, column in values.items()} for code, (start, end) in spans.items()},
        {code: tuple(on[start:end]) for code, (start, end) in spans.items()},
    )


def _judged_together(
    counties: PerCounty, keys: list[str], goals: dict[str, dict[str, dict]], as_of: date
) -> dict[tuple[str, str], ranking_cells.Cell]:
    """The cells of the counties whose snapshots are the most common dates, judged a metric at a time for all of them
    (ranking_cells.py); a cell left out is judged by evaluate."""
    shared = ranking_cells.common_dates(counties.dates, as_of)
    codes = [code for code, dates in counties.dates.items() if dates == shared]
    if not codes:
        return {}
    cells = {}
    for key in keys:
        grid = np.vstack([counties.values[code][key] for code in codes])
        targets = [goals.get(code, {}).get(key) for code in codes]
        for code, cell in zip(codes, ranking_cells.judged_together(SPECS[key], grid, shared, as_of, targets),
                              strict=True):  # fmt: skip
            if cell is not None:
                cells[code, key] = cell
    return cells


def _records(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as dicts, column by column (DataFrame.to_dict boxes each of a nation's 300,000 values)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in zip(*(frame[c].tolist() for c in columns), strict=True)]


def _columns(keys: list[str]) -> list[str]:
    per_key = [f"{k}{suffix}" for k in keys for suffix in ("", "__status", "__goal")]
    return ["township_code", "township_name", "township_kind_label", *per_key, "reporting"]


def _common_goals(targets: pd.DataFrame, keys: list[str]) -> dict[str, tuple[float | None, str | None]]:
    """key -> (goal, comparator) where every reporting county has the same goal; (None, comparator) where they
    differ (each county's goal is in the frame's <key>__goal column)."""
    by_key = dict(iter(targets.groupby("metric_key", sort=False)))
    out = {}
    for key in keys:
        rows = by_key.get(key, targets.iloc[:0])
        goals = set(rows["goal_value"].dropna())
        comparators = set(rows["comparator"])
        comparator = comparators.pop() if len(comparators) == 1 else None
        out[key] = (goals.pop() if len(goals) == 1 and rows["goal_value"].notna().all() else None, comparator)
    return out


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
