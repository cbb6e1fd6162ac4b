"""Plan targets: each figure's value from the snapshots, its goal from the targets table, its status.

The same functions feed the pages and `python -m socialwork kpis`, so both always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import identity, settings
from socialwork.data.contract import KPI_STATUS, METRIC, METRIC_GROUP
from socialwork.figures import db
from socialwork.figures.places import available_dates

Figures = pd.Series | pd.DataFrame  # one row of kpi/plan_figures_by_snapshot, or many (one per township)


def _share(numerator: str, denominator: str) -> Callable[[Figures], float | None]:
    return _ratio(numerator, denominator, scale=100.0)


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> Callable[[Figures], float | None]:
    def compute(figures: Figures):
        above, below = figures[numerator], figures[denominator]
        if isinstance(below, pd.Series):  # a frame: every row at once, NaN where the denominator is 0
            return scale * above / below.where(below != 0)
        return None if below == 0 else scale * above / below

    return compute


def _figure(column: str) -> Callable[[Figures], float | None]:
    def compute(figures: Figures):
        value = figures[column]
        return value.astype(float) if isinstance(value, pd.Series) else float(value)

    return compute


@dataclass(frozen=True)
class MetricSpec:
    """How one metric of the contract is computed from a row of plan figures (or a frame of rows, at once)."""

    key: str
    unit: str
    compute: Callable[[Figures], float | None]
    annual: bool = False  # counts from zero each plan year (pace starts at 0)
    net_of_baseline: bool = False  # value is the figure at the date minus the figure at the baseline
    decimals: int = 0

    @property
    def label(self) -> str:
        return METRIC.label_of(self.key)


SPECS: dict[str, MetricSpec] = {
    s.key: s
    for s in [
        MetricSpec("certified_net_increase", "人", _figure("certified_workers"), annual=True, net_of_baseline=True),
        MetricSpec("active_organisations", "家", _figure("active_organisations")),
        MetricSpec(
            "certified_per_urban_community",
            "人/社区",
            _ratio("certified_in_urban_communities", "urban_communities"),
            decimals=2,
        ),
        MetricSpec(
            "urban_communities_2plus_share", "%", _share("urban_communities_2plus", "urban_communities"), decimals=1
        ),
        MetricSpec("townships_served_share", "%", _share("townships_served", "townships"), decimals=1),
        MetricSpec("communities_served_share", "%", _share("communities_served", "communities"), decimals=1),
        MetricSpec("stations_operating", "个", _figure("stations_operating")),
        MetricSpec("stations_star_rated", "个", _figure("stations_star_rated")),
        MetricSpec("brand_projects", "个", _figure("brand_projects")),
        MetricSpec(
            "community_worker_certified_share",
            "%",
            _share("certified_community_workers", "community_workers"),
            decimals=1,
        ),
        MetricSpec("posts_new_this_year", "个", _figure("posts_new_this_year"), annual=True),
        MetricSpec("exam_tutoring_sessions", "场", _figure("exam_tutoring_sessions"), annual=True),
        MetricSpec("supervision_sessions", "场", _figure("supervision_sessions"), annual=True),
        MetricSpec("training_sessions", "场", _figure("training_sessions"), annual=True),
        MetricSpec("talent_cards_this_year", "张", _figure("talent_cards_this_year"), annual=True),
        MetricSpec("awards_this_year", "人", _figure("awards_this_year"), annual=True),
        MetricSpec(
            "org_professional_staff_share",
            "%",
            _share("organisation_professional_staff", "organisation_staff"),
            decimals=1,
        ),
        MetricSpec("purchase_budget_wan", "万元", _figure("purchase_budget_wan"), annual=True, decimals=1),
    ]
}


@dataclass(frozen=True)
class Projection:
    """Where an annual figure may end the year, by two methods, and what is still to gain."""

    linear: float | None  # the value so far scaled to the whole year
    seasonal: float | None  # the value so far plus what earlier years gained after the same month
    seasonal_years: tuple[int, ...]  # the earlier years the seasonal method averaged
    remaining: float | None  # still to gain to meet the goal; None when met or without a goal


@dataclass(frozen=True)
class Kpi:
    """One target at one snapshot and filter: value, goal, status and what they were measured against."""

    metric_key: str
    label: str
    target_label: str | None
    unit: str
    decimals: int
    value: float | None
    goal: float | None
    comparator: str | None
    scope: str | None
    status: str
    status_label: str
    previous_value: float | None
    expected_now: float | None
    baseline_date: date | None
    note: str
    gross_value: float | None = None  # certified net increase only: first certificates this year
    trend: tuple[tuple[date, float | None], ...] = ()  # the plan year's snapshots up to the as-of date
    projection: Projection | None = None  # annual figures only
    pace_method: str = ""  # "linear" or "seasonal": how on_track/behind was judged
    baseline_value: float | None = None  # the figure at the baseline (0 for annual figures)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["baseline_date"] = self.baseline_date.isoformat() if self.baseline_date else None
        out["trend"] = [[d.isoformat(), v] for d, v in self.trend]
        return out


@dataclass(frozen=True)
class KpiReport:
    as_of: date
    plan_year: int
    township_codes: tuple[str, ...] | None
    baseline_date: date | None
    previous_date: date | None
    kpis: tuple[Kpi, ...]
    note: str

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "plan_year": self.plan_year,
            "township_codes": list(self.township_codes) if self.township_codes else None,
            "baseline_date": self.baseline_date.isoformat() if self.baseline_date else None,
            "previous_date": self.previous_date.isoformat() if self.previous_date else None,
            "note": self.note,
            "kpis": [k.as_dict() for k in self.kpis],
        }


def baseline_date(as_of: date, dates: list[date]) -> date | None:
    """The latest snapshot on or before 31 December of the year before as_of's year."""
    candidates = [d for d in dates if d <= date(as_of.year - 1, 12, 31)]
    return candidates[-1] if candidates else None


def previous_date(as_of: date, dates: list[date]) -> date | None:
    earlier = [d for d in dates if d < as_of]
    return earlier[-1] if earlier else None


def year_fraction(as_of: date) -> float:
    """Share of the plan year elapsed at as_of (31 December is 1.0)."""
    start, end = date(as_of.year - 1, 12, 31), date(as_of.year, 12, 31)
    return (as_of - start).days / (end - start).days


def figures_by_snapshot(
    from_date: date, to_date: date, townships: list[str] | None, data: Path | None = None
) -> pd.DataFrame:
    """Raw plan figures per snapshot in a date range, indexed by snapshot date (None: the whole county)."""
    if townships is None:
        frame = db.run("kpi/plan_figures_by_snapshot", data=data, from_date=from_date, to_date=to_date)
    else:
        frame = db.run(
            "kpi/plan_figures_by_snapshot_in_townships", data=data, from_date=from_date, to_date=to_date,
            townships=townships,
        )  # fmt: skip
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    # The county's stored counts are integers and the townships' sums are not: one type for the metrics.
    return frame.set_index("snapshot_date").astype("float64")


def metric_value(spec: MetricSpec, figures: pd.DataFrame, on: date | None) -> float | None:
    """The metric at snapshot `on`; net-of-baseline metrics subtract the figure at on's baseline."""
    if on is None or on not in figures.index:
        return None
    value = spec.compute(figures.loc[on])
    if spec.net_of_baseline:
        base = baseline_date(on, list(figures.index))
        if base is None:
            return None
        base_value = spec.compute(figures.loc[base])
        value = None if value is None or base_value is None else value - base_value
    return value


def is_met(value: float, goal: float, comparator: str) -> bool:
    return value > goal if comparator in ("gt", "gt_baseline") else value >= goal


def still_to_gain(spec: MetricSpec, value: float | None, goal: float | None, comparator: str | None) -> float | None:
    """What must still be gained to meet the goal: "> 40" people means 41, so 41 - value."""
    if value is None or goal is None or comparator is None or is_met(value, goal, comparator):
        return None
    step = 1.0 if comparator in ("gt", "gt_baseline") and spec.decimals == 0 else 0.0
    return goal + step - value


def expected_by_now(
    spec: MetricSpec, goal: float, start_value: float | None, as_of: date, comparator: str = "ge"
) -> float | None:
    """Linear pace from the start of the year (0 for annual figures, else the baseline) to the goal.

    For a count that must exceed its goal ("> 40 people") the pace heads for the next whole number (41).
    """
    start = 0.0 if spec.annual else start_value
    if start is None:
        return None
    target = goal + (1.0 if comparator == "gt" and spec.decimals == 0 else 0.0)
    return start + (target - start) * year_fraction(as_of)


def seasonal_gains(spec: MetricSpec, figures: pd.DataFrame, as_of: date) -> dict[int, float]:
    """For each earlier complete year: how much the figure grew after as_of's month to the year's end.

    Certificates arrive in waves after the national exam, so what earlier years gained after the
    same month is a better guide to the rest of this year than a straight line.
    """
    dates = list(figures.index)
    gains = {}
    for year in sorted({d.year for d in dates if d.year < as_of.year}):
        same_month = [d for d in dates if (d.year, d.month) == (year, as_of.month)]
        year_end = [d for d in dates if d.year == year and d.month == 12]
        if not same_month or not year_end:
            continue
        at_month, at_end = metric_value(spec, figures, same_month[-1]), metric_value(spec, figures, year_end[-1])
        if at_month is not None and at_end is not None:
            gains[year] = at_end - at_month
    return gains


def project(spec: MetricSpec, figures: pd.DataFrame, as_of: date, value: float | None, remaining: float | None):
    """Year-end projection of an annual figure: linear, and seasonal when earlier years allow."""
    if not spec.annual or value is None:
        return None
    gains = seasonal_gains(spec, figures, as_of)
    return Projection(
        linear=value / year_fraction(as_of),
        seasonal=value + sum(gains.values()) / len(gains) if gains else None,
        seasonal_years=tuple(gains),
        remaining=remaining,
    )


def status_of(value: float | None, goal: float | None, comparator: str, expected: float | None, as_of: date) -> str:
    """Met, missed (at year end), else on track or behind against the expected value by now."""
    if value is None:
        return "no_data"
    if goal is None:
        return "no_goal"
    if is_met(value, goal, comparator):
        return "met"
    if (as_of.month, as_of.day) == (12, 31):
        return "missed"
    if comparator != "gt_baseline" and expected is not None and value >= expected:
        return "on_track"
    return "behind"


def _fmt(value: float | None, spec: MetricSpec) -> str:
    return "—" if value is None else f"{value:,.{spec.decimals}f}{spec.unit}"


def _trend(spec: MetricSpec, figures: pd.DataFrame, as_of: date) -> tuple[tuple[date, float | None], ...]:
    return tuple((d, metric_value(spec, figures, d)) for d in figures.index if d.year == as_of.year and d <= as_of)


def _previous(spec: MetricSpec, figures: pd.DataFrame, as_of: date, previous: date | None) -> float | None:
    if previous is None:
        return None
    if spec.annual and previous.year != as_of.year:
        # Annual figures restart each January: at the last snapshot of the old year this year's count was nil.
        return 0.0 if previous == baseline_date(as_of, list(figures.index)) else None
    return metric_value(spec, figures, previous)


def evaluate(
    spec: MetricSpec,
    target: pd.Series | None,
    figures: pd.DataFrame,
    as_of: date,
    previous: date | None,
    filtered: bool,
    label: str | None = None,
) -> Kpi:
    """One KPI: value at as_of, goal from the target row, status against goal and pace (label: as shown)."""
    baseline = baseline_date(as_of, list(figures.index))
    value = metric_value(spec, figures, as_of)
    goal = comparator = scope = projection = None
    expected, note, pace_method = None, "", ""
    if target is None:
        status = "no_data" if value is None else "no_goal"
        note = f"{as_of.year}年目标表中没有该指标的目标"
    else:
        comparator, scope = target["comparator"], target["scope"]
        baseline_level = None if spec.net_of_baseline else metric_value(spec, figures, baseline)
        goal = baseline_level if comparator == "gt_baseline" else _none_if_nan(target["goal_value"])
        if scope == "county" and filtered:
            status = "no_data" if value is None else "contribution"
            note = f"全县总量目标（{_fmt(goal, spec)}），乡镇筛选下显示所选乡镇的贡献，不单独比较目标"
            goal = None
        else:
            if goal is not None and comparator != "gt_baseline":
                expected = expected_by_now(spec, goal, baseline_level, as_of, comparator)
            projection = project(spec, figures, as_of, value, still_to_gain(spec, value, goal, comparator))
            status, pace_method = status_of(value, goal, comparator, expected, as_of), "linear"
            if status in ("on_track", "behind") and projection and projection.seasonal is not None:
                # A wave still to come (the exam results) counts: judge by the seasonal projection.
                status = "on_track" if is_met(projection.seasonal, goal, comparator) else "behind"
                pace_method = "seasonal"
            if comparator == "gt_baseline":
                note = f"目标：高于上年末（{baseline.isoformat() if baseline else '无基线快照'}）水平"
    if spec.net_of_baseline:
        note = (note + "；" if note else "") + (
            f"基线快照：{baseline.isoformat()}" if baseline else "无上年末基线快照，无法计算年度增量"
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
        previous_value=_previous(spec, figures, as_of, previous),
        expected_now=expected,
        baseline_date=baseline,
        note=note,
        gross_value=_gross(spec, figures, as_of),
        trend=_trend(spec, figures, as_of),
        projection=projection,
        pace_method=pace_method,
        baseline_value=(0.0 if spec.annual else metric_value(spec, figures, baseline)) if baseline else None,
    )


def _gross(spec: MetricSpec, figures: pd.DataFrame, as_of: date) -> float | None:
    if spec.key != "certified_net_increase" or as_of not in figures.index:
        return None
    return float(figures.loc[as_of, "certified_gained_this_year"])


def _none_if_nan(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def targets_for_year(as_of: date, year: int, data: Path | None = None) -> pd.DataFrame:
    return db.run("kpi/targets_for_year", data=data, snapshot_date=as_of, plan_year=year)


def kpi_report(as_of: date, townships: list[str] | None = None, data: Path | None = None) -> KpiReport:
    """Every metric of the contract for as_of's plan year, each with its target where the plan year sets one
    (a metric without one shows as 无目标), for the county or for the given township codes."""
    dates = available_dates(data)
    # Every snapshot up to as_of: baselines, the year's trend and earlier years for the seasonal projection.
    figures = figures_by_snapshot(dates[0], as_of, townships or None, data)
    targets = targets_for_year(as_of, as_of.year, data)
    note = f"{as_of.year}年在目标表中没有任何目标，仅显示数值" if targets.empty else ""
    rows = {row.metric_key: row for _, row in targets.iterrows()}
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    previous = previous_date(as_of, dates)
    kpis = tuple(
        evaluate(SPECS[key], rows.get(key), figures, as_of, previous, bool(townships), county.metric_label(key))
        for key in SPECS
    )
    return KpiReport(
        as_of=as_of,
        plan_year=as_of.year,
        township_codes=tuple(townships) if townships else None,
        baseline_date=baseline_date(as_of, dates),
        previous_date=previous,
        kpis=kpis,
        note=note,
    )


# The figures the overview page puts first.
HEADLINE_METRICS = (
    "certified_net_increase",
    "active_organisations",
    "certified_per_urban_community",
    "urban_communities_2plus_share",
    "communities_served_share",
    "stations_star_rated",
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


def first_date(data: Path | None = None) -> date:
    return available_dates(data)[0]


# Figures comparable at any level; used for the township table when a year has no targets.
SCALE_FREE_METRICS = (
    "certified_per_urban_community",
    "urban_communities_2plus_share",
    "townships_served_share",
    "communities_served_share",
    "community_worker_certified_share",
    "org_professional_staff_share",
)
UNMET = ("behind", "missed")


@dataclass(frozen=True)
class TownshipScorecard:
    """One row per township: every scale-free target's value and status, worst townships first.

    frame columns: township_code, township_name, township_kind_label, unmet_targets, then per metric
    key `<key>` (value, NaN when undefined, e.g. no urban community) and `<key>__status`.
    """

    as_of: date
    baseline_date: date | None
    metrics: tuple[MetricSpec, ...]
    goals: dict[str, tuple[float | None, str | None]]  # key -> (goal, comparator); per-township baselines aside
    frame: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)  # key -> label as shown (the local talent card's name)

    def label(self, spec: MetricSpec) -> str:
        return self.labels.get(spec.key, spec.label)


def scale_free_figures_by_township(
    snapshot_dates: list[date], townships: list[str] | None, data: Path | None = None
) -> pd.DataFrame:
    frame = db.run("kpi/scale_free_figures_by_township", data=data, snapshot_dates=snapshot_dates, townships=townships)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    return frame


def township_scorecard(as_of: date, townships: list[str] | None = None, data: Path | None = None) -> TownshipScorecard:
    """Scale-free targets per township at as_of, with each township's own baseline for "above baseline"."""
    baseline = baseline_date(as_of, available_dates(data))
    targets = targets_for_year(as_of, as_of.year, data)
    scale_free = targets[targets["scope"] == "scale_free"]
    keys = list(scale_free["metric_key"]) if not targets.empty else list(SCALE_FREE_METRICS)
    target_rows = {row.metric_key: row for _, row in scale_free.iterrows()}
    figures = scale_free_figures_by_township([as_of, *([baseline] if baseline else [])], townships or None, data)
    now = figures[figures["snapshot_date"] == as_of].set_index("township_code")
    before = figures[figures["snapshot_date"] == baseline].set_index("township_code")
    out = now[["township_name", "township_kind_label"]].copy()
    goals = {}
    for key in keys:
        spec = SPECS[key]
        target = target_rows.get(key)
        comparator = None if target is None else target["comparator"]
        goal = None if target is None else _none_if_nan(target["goal_value"])
        goals[key] = (goal, comparator)
        values = spec.compute(now) if not now.empty else pd.Series(dtype=float)
        base_values = spec.compute(before).to_dict() if not before.empty else {}
        statuses = []
        for code, raw in values.items():
            value = _none_if_nan(raw)
            base = _none_if_nan(base_values.get(code))
            own_goal = base if comparator == "gt_baseline" else goal
            expected = (
                expected_by_now(spec, own_goal, base, as_of, comparator or "ge") if own_goal is not None else None
            )
            statuses.append(status_of(value, own_goal, comparator or "ge", expected, as_of))
        out[key] = pd.to_numeric(values, errors="coerce")
        out[f"{key}__status"] = statuses
    status_columns = [f"{k}__status" for k in keys]
    out["unmet_targets"] = out[status_columns].isin(UNMET).sum(axis=1) if keys else 0
    out = out.reset_index().sort_values(
        ["unmet_targets", *keys[:1], "township_code"], ascending=[False, *[True] * len(keys[:1]), True]
    )
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    labels = {key: county.metric_label(key) for key in keys}
    return TownshipScorecard(as_of, baseline, tuple(SPECS[k] for k in keys), goals, out.reset_index(drop=True), labels)


def milestones(as_of: date, data: Path | None = None) -> pd.DataFrame:
    """The plan's steps and measures with their standing against as_of (done, overdue, …)."""
    frame = db.run("kpi/milestones_at_snapshot", data=data, snapshot_date=as_of)
    for column in ("start_date", "due_date", "done_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame
