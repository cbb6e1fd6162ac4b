"""The KPI report: every target of the snapshot's plan year with value, goal, status, change, trend and pace;
the single source for cards, the CLI and exports. Computed once per as-of date, places and store version.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.enums import KPI_STATUS, METRIC_GROUP
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.storage import identity
from socialwork.figures import db, hierarchy
from socialwork.figures.choices import available_dates, township_names
from socialwork.figures.frames import as_dates
from socialwork.figures.metrics import levels, notes
from socialwork.figures.metrics.dates import baseline_date, previous_date
from socialwork.figures.metrics.kpi import Kpi, KpiReport
from socialwork.figures.metrics.pace import expected_by_now, is_met, project, status_of, still_to_gain
from socialwork.figures.metrics.registry import SPECS, MetricSpec, _none_if_nan, metric_value
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.figures.units import format_value


def figures_by_snapshot(from_date: date, to_date: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Raw plan figures per snapshot in a date range, indexed by snapshot date (None: the whole county or store; a
    scope above the township: the sum over its counties that have to_date's snapshot, levels.py)."""
    if hierarchy.by_counties(places, data):
        return levels.figures_over_counties(from_date, to_date, places.division, data)
    if places.township_codes:  # the KPI report and the staffing summary of a view ask at once: summed once
        key = (from_date, to_date, places)
        return db.cached("township_sums", key, lambda: _township_sums(from_date, to_date, places, data), data).copy()
    frame = db.run("kpi/plan_figures_by_snapshot", data=data, from_date=from_date, to_date=to_date)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    # The county's stored counts are integers and the townships' sums are not: one type for the metrics.
    return frame.set_index("snapshot_date").astype("float64")


def _township_sums(from_date: date, to_date: date, places: Places, data: Path | None) -> pd.DataFrame:
    """A township filter's figures at each snapshot of its county, whose dates its county's view has read."""
    county = hierarchy.scope_in_store(places, data)
    return _township_rows(from_date, to_date, county, data).summed(list(places.township_codes))


def _township_rows(from_date: date, to_date: date, county: str | None, data: Path | None) -> levels.TownshipRows:
    """The county's township rows (county None: a single county's store) at its snapshots in the date range."""
    if county is not None:
        dates = levels.figures_by_county(from_date, to_date, county, data)["snapshot_date"]
    else:
        dates = db.run("kpi/plan_figures_by_snapshot", data=data, from_date=from_date, to_date=to_date)["snapshot_date"]
    days = list(dict.fromkeys(as_dates(dates).tolist()))
    return levels.township_rows(from_date, to_date, days, county, data)


def read_township_rows_ahead(as_of: date, county: str | None, data: Path | None = None) -> Future:
    """In the background, the township rows a township picked in this county's view will be summed from (the KPI
    report's and the share trend's date range): read while the person looks at the county, the pick then sums
    (at a nation's size the read is 8-10 ms of a 30 ms township rerun). county: None in a single county's store."""
    first = available_dates(data)[0]
    return db.in_background(lambda: _township_rows(first, as_of, county, data))


class DatedValues(Mapping[date, "float | None"]):
    """metric_value(spec, figures, d) for every snapshot d of figures, equal to it value for value, each worked out
    when first asked: a report reads them all (its trend), a cell of a nation's county ranking five or six of 36
    (the value, its baseline, the seasons of earlier years), 50,000 cells.

    From one computation over the whole frame instead of one per row: picking a row out of a frame costs more than
    the arithmetic. Computed over a frame, a metric is NaN where a row's would be None (a zero denominator,
    registry._ratio) or NaN (a missing figure): a row with every figure present is None there, and any other is
    worked out by itself. `computed` is spec.compute(figures) when already known (the county ranking computes every
    county's at once)."""

    def __init__(self, spec: MetricSpec, figures: pd.DataFrame, computed: pd.Series | np.ndarray | None = None):
        self.spec, self.figures = spec, figures
        self.dates = tuple(figures.index.tolist())
        computed = spec.compute(figures) if computed is None and len(self.dates) else computed
        self._raw = dict(zip(self.dates, [] if computed is None else computed.tolist(), strict=True))
        self._values: dict[date, float | None] = {}
        self._complete: dict[date, bool] | None = None  # rows without a missing figure, looked up at the first NaN

    def baseline(self, on: date) -> date | None:
        return baseline_date(on, self.dates)

    def __getitem__(self, on: date) -> float | None:
        if on not in self._values:
            self._values[on] = self._work_out(on, self._raw[on])  # KeyError for a date the figures lack
        return self._values[on]

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def _work_out(self, on: date, value: float) -> float | None:
        base = self.baseline(on) if self.spec.net_of_baseline else None
        if self.spec.net_of_baseline:
            if base is None:
                return None
            value = value - self._raw[base]
        if value == value:
            return value
        if self._complete is None:
            self._complete = dict(zip(self.dates, self.figures.notna().all(axis=1).tolist(), strict=True))
        whole = self._complete[on] and (base is None or self._complete[base])
        return None if whole else metric_value(self.spec, self.figures, on)


def values_by_date(
    spec: MetricSpec, figures: pd.DataFrame, computed: pd.Series | np.ndarray | None = None
) -> dict[date, float | None]:
    """metric_value(spec, figures, d) for every snapshot d of figures (DatedValues, every one worked out)."""
    return dict(DatedValues(spec, figures, computed))


def _trend(values: dict[date, float | None], as_of: date) -> tuple[tuple[date, float | None], ...]:
    return tuple((d, v) for d, v in values.items() if d.year == as_of.year and d <= as_of)


def _previous(spec: MetricSpec, values: dict[date, float | None], as_of: date, previous: date | None) -> float | None:
    if previous is None:
        return None
    if spec.annual and previous.year != as_of.year:
        # Annual figures restart each January: at the last snapshot of the old year this year's count was nil.
        return 0.0 if previous == baseline_date(as_of, list(values)) else None
    return values.get(previous)


def evaluate(
    spec: MetricSpec,
    target: Mapping | None,
    figures: pd.DataFrame,
    as_of: date,
    previous: date | None,
    filtered: bool,
    label: str | None = None,
    computed: pd.Series | np.ndarray | None = None,
    brief: bool = False,
) -> Kpi:
    """One KPI: value at as_of, goal from the target row (a Series or a dict), status against goal and pace (label:
    as shown; computed: see DatedValues). Brief (a cell of the county ranking): without the trend, the gross value
    and the previous value, which nobody reads there."""
    values = DatedValues(spec, figures, computed)
    baseline = values.baseline(as_of)
    last_year = same_month_last_year(as_of, values.dates)
    value = values.get(as_of)
    goal = comparator = scope = projection = gap = None
    expected, note, pace_method = None, "", ""
    if target is None:
        status = "no_data" if value is None else "no_goal"
        note = f"{as_of.year}年目标表中没有该指标的目标"
    else:
        comparator, scope = target["comparator"], target["scope"]
        baseline_level = None if spec.net_of_baseline else values.get(baseline)
        goal = baseline_level if comparator == "gt_baseline" else _none_if_nan(target["goal_value"])
        if scope == "county" and filtered:
            status = "no_data" if value is None else "contribution"
            total = format_value(goal, spec.decimals, spec.unit)
            note = f"全县总量目标（{total}），乡镇筛选下显示所选乡镇的贡献，不单独比较目标"
            goal = None
        else:
            if goal is not None and comparator != "gt_baseline":
                expected = expected_by_now(spec, goal, baseline_level, as_of, comparator)
            projection = project(spec, figures, as_of, value, still_to_gain(spec, value, goal, comparator), values)
            gap = still_to_gain(spec, value, goal, comparator)
            status, pace_method = status_of(value, goal, comparator, expected, as_of), "linear"
            if status in ("on_track", "behind") and projection and projection.seasonal is not None:
                # A wave still to come (the exam results) counts: judge by the seasonal projection.
                status = "on_track" if is_met(projection.seasonal, goal, comparator) else "behind"
                pace_method = "seasonal"
            if comparator == "gt_baseline":
                note = f"目标：高于上年末（{baseline.isoformat() if baseline else '无上年末数据'}）水平"
    if spec.net_of_baseline:
        # The way to supply it, where the view has months at all (a county that missed the month lacks the month).
        supply = f"（请导入 {as_of.year - 1}-12-31 的数据）" if len(figures) else ""
        note = (note + "；" if note else "") + (
            f"上年末数据：{baseline.isoformat()}" if baseline else f"无上年末数据，无法计算年度增量{supply}"
        )
    return Kpi(
        metric_key=spec.key,
        label=label or spec.label,
        target_label=None if target is None else target["target_label"],
        unit=spec.unit,
        decimals=spec.decimals,
        value=value,
        goal=goal,
        comparator=comparator,
        scope=scope,
        status=status,
        status_label=KPI_STATUS.label_of(status),
        previous_value=None if brief else _previous(spec, values, as_of, previous),
        expected_now=expected,
        baseline_date=baseline,
        note=note,
        gross_value=None if brief else _gross(spec, figures, as_of),
        trend=() if brief else _trend(values, as_of),
        projection=projection,
        pace_method=pace_method,
        baseline_value=(0.0 if spec.annual else values.get(baseline)) if baseline else None,
        gap=gap,
        last_year_value=None if brief or last_year is None else values.get(last_year),
        last_year_date=None if brief else last_year,
        responsible_unit=None if target is None else _none_if_blank(target.get("responsible_unit")),
    )


def same_month_last_year(as_of: date, dates: tuple[date, ...]) -> date | None:
    """The latest snapshot in as_of's month of the year before (同比), or None when the store has none there."""
    earlier = [d for d in dates if (d.year, d.month) == (as_of.year - 1, as_of.month)]
    return earlier[-1] if earlier else None


def _none_if_blank(text: object) -> str | None:
    """A cell of the targets table's text column: None when empty (an older snapshot's targets lack the column)."""
    if text is None or text != text or not str(text).strip():
        return None
    return str(text).strip()


def _gross(spec: MetricSpec, figures: pd.DataFrame, as_of: date) -> float | None:
    """The gross beside a net increase (first certificates this year); None for other metrics or without data."""
    if spec.gross is None or as_of not in figures.index:
        return None
    return _none_if_nan(figures.loc[as_of, spec.gross])


def view_dates(as_of: date, places: Places, data: Path | None = None) -> list[date]:
    """The snapshots up to as_of a view counts from: the store's; within one county of a store of many, the county's
    own (a month it missed is no baseline of its)."""
    dates = [d for d in available_dates(data) if d <= as_of]
    if places.county is None or not hierarchy.many_counties(data):
        return dates
    own = levels.figures_by_county(dates[0], as_of, places.county, data)["snapshot_date"]
    return sorted(set(as_dates(own).tolist()))


def targets_for_year(
    as_of: date, year: int, data: Path | None = None, places: Places = EVERYWHERE,
    counted_at: date | None = None,
) -> pd.DataFrame:  # fmt: skip
    """The plan year's targets of the view: the county's; a scope's (or a township's in a store of many counties)
    worked out from its counties that have the snapshot (of counted_at, when given: a comparison's end)."""
    scope = hierarchy.scope_in_store(places, data)
    if scope is None and not hierarchy.many_counties(data):
        return db.run("kpi/targets_for_year", data=data, snapshot_date=as_of, plan_year=year)
    counties = hierarchy.reporting(counted_at or as_of, Places.within(scope), data).reporting
    # The whole of a city's or a province's store is that division: its own goals apply (not the nation's: no code).
    own = scope or identity.load_or_fallback(data or settings.data_dir())[0].county_code or None
    return levels.scope_targets(as_of, year, scope, counties, data, own)


def kpi_report(as_of: date, places: Places = EVERYWHERE, data: Path | None = None) -> KpiReport:
    """Every metric of the contract for as_of's plan year, each with its target where the plan year sets one
    (a metric without one shows as 无目标), for the places (the whole store, a division or townships).

    Computed once per (as_of, places, store version) and shared (it is immutable): a page, the meeting
    outline, the exports and every session asking for the same view get the same report."""
    return db.cached("kpi_report", (as_of, places), lambda: _kpi_report(as_of, places, data), data)


def kpi_report_from(from_date: date, to_date: date, places: Places, data: Path | None = None) -> KpiReport:
    """The start of a comparison ending at to_date: the report at from_date over the counties that have to_date's
    snapshot, each counted with its latest snapshot on or before from_date (levels.figures_over_counties), so that a
    county late at either end is counted at both ends or at neither; a county's own store: kpi_report(from_date)."""
    if not hierarchy.by_counties(places, data):
        return kpi_report(from_date, places, data)
    key = (from_date, to_date, places)
    return db.cached("kpi_report_from", key, lambda: _kpi_report(from_date, places, data, to_date), data)


def _kpi_report(as_of: date, places: Places, data: Path | None, counted_at: date | None = None) -> KpiReport:
    dates = available_dates(data)
    counted_at = counted_at or as_of  # whose counties are summed: those with this snapshot
    # Every snapshot up to as_of: baselines, the year's trend and earlier years for the seasonal projection.
    figures = figures_by_snapshot(dates[0], counted_at, places, data)
    figures = figures[figures.index <= as_of]
    targets = targets_for_year(as_of, as_of.year, data, places, counted_at)
    status = hierarchy.reporting(counted_at, places, data)  # every figure of the view says what it lacks
    no_previous = notes.no_previous(previous_date(as_of, dates), places, data)
    note = notes.report_note(as_of, targets, status)
    rows = {row["metric_key"]: row for row in targets.to_dict("records")}  # not iterrows: a Series a row
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    previous = previous_date(as_of, dates)
    filtered = bool(places.township_codes)  # township contributions; a scope compares with its goals
    kpis = tuple(
        evaluate(SPECS[key], rows.get(key), figures, as_of, previous, filtered, county.metric_label(key))
        for key in SPECS
    )
    own_goals = {key for key, row in rows.items() if bool(row.get("division_goal", False))}
    kpis = tuple(notes.noted(kpi, status, no_previous, kpi.metric_key in own_goals) for kpi in kpis)
    if len(places.township_codes) == 1:  # a township answers for the targets that hold at its level
        name = township_names(places.township_codes, as_of, data)[0]
        kpis = tuple(replace(k, responsible_unit=name) if k.scope == "scale_free" else k for k in kpis)
    return KpiReport(
        as_of=as_of,
        plan_year=as_of.year,
        places=places,
        # The view's own: a county's view of a store of many counts from the county's dates, as its cards do.
        baseline_date=baseline_date(as_of, figures.index.tolist()),
        previous_date=previous,
        kpis=kpis,
        note=note,
        missing=status.note,
    )


def status_counts(report: KpiReport) -> dict[str, tuple[str, int]]:
    """Status -> (label, number of targets), in the order of the status enumeration, zeros left out."""
    counts = dict.fromkeys(KPI_STATUS.codes, 0)
    for kpi in report.kpis:
        counts[kpi.status] += 1
    return {code: (KPI_STATUS.label_of(code), n) for code, n in counts.items() if n}


def kpis_by_group(report: KpiReport) -> dict[str, list[Kpi]]:
    """The report's KPIs under their group's Chinese label, groups in contract order."""
    groups: dict[str, list[Kpi]] = {METRIC_GROUP.label_of(g): [] for g in METRIC_GROUP.codes}
    for kpi in report.kpis:
        groups[METRIC_GROUP.label_of(METRIC.groups[kpi.metric_key])].append(kpi)
    return {label: kpis for label, kpis in groups.items() if kpis}


def kpis_in_groups(report: KpiReport, *groups: str) -> list[Kpi]:
    """The report's KPIs whose metric belongs to one of the given groups (codes of METRIC_GROUP)."""
    return [k for k in report.kpis if METRIC.groups[k.metric_key] in groups]


def kpi_goal(report: KpiReport, metric_key: str) -> float | None:
    """The goal of one metric in the report (None without a target, or under a township filter)."""
    return next((k.goal for k in report.kpis if k.metric_key == metric_key), None)


def milestones(as_of: date, data: Path | None = None, places: Places = EVERYWHERE) -> pd.DataFrame:
    """The plan's steps and measures with their standing against as_of (done, overdue, …); in a store of many
    counties, those of the counties the places lie in (each county's plan has its own steps)."""
    frame = db.run(
        "kpi/milestones_at_snapshot", data=data, snapshot_date=as_of, scope=hierarchy.scope_in_store(places, data)
    )
    for column in ("start_date", "due_date", "done_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def milestone_counts(as_of: date, data: Path | None = None, places: Places = EVERYWHERE) -> pd.DataFrame:
    """Each step of the plan over the counties of a view above the county: how many counties stand where."""
    frame = db.run(
        "kpi/milestone_counts_by_step", data=data, snapshot_date=as_of, scope=hierarchy.scope_in_store(places, data)
    )
    frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.date
    return frame
