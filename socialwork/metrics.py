"""Plan targets: each figure's value from the snapshots, its goal from the targets table, its status.

The same functions feed the pages and `python -m socialwork kpis`, so both always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork import db
from socialwork.contract import KPI_STATUS, METRIC
from socialwork.places import available_dates

Figures = pd.Series  # one row of kpi/plan_figures_by_snapshot


def _share(numerator: str, denominator: str) -> Callable[[Figures], float | None]:
    def compute(row: Figures) -> float | None:
        return None if row[denominator] == 0 else 100.0 * row[numerator] / row[denominator]

    return compute


def _ratio(numerator: str, denominator: str) -> Callable[[Figures], float | None]:
    def compute(row: Figures) -> float | None:
        return None if row[denominator] == 0 else row[numerator] / row[denominator]

    return compute


def _figure(column: str) -> Callable[[Figures], float | None]:
    return lambda row: float(row[column])


@dataclass(frozen=True)
class MetricSpec:
    """How one metric of the contract is computed from a row of plan figures."""

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

    def as_dict(self) -> dict:
        out = asdict(self)
        out["baseline_date"] = self.baseline_date.isoformat() if self.baseline_date else None
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
    """Raw plan figures per snapshot in a date range, indexed by snapshot date."""
    frame = db.run("kpi/plan_figures_by_snapshot", data=data, from_date=from_date, to_date=to_date, townships=townships)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    return frame.set_index("snapshot_date")


def metric_value(spec: MetricSpec, figures: pd.DataFrame, on: date | None, baseline: date | None) -> float | None:
    """The metric at snapshot `on`; net-of-baseline metrics need the baseline row too."""
    if on is None or on not in figures.index:
        return None
    value = spec.compute(figures.loc[on])
    if spec.net_of_baseline:
        if baseline is None or baseline not in figures.index:
            return None
        base = spec.compute(figures.loc[baseline])
        value = None if value is None or base is None else value - base
    return value


def is_met(value: float, goal: float, comparator: str) -> bool:
    return value > goal if comparator in ("gt", "gt_baseline") else value >= goal


def expected_by_now(spec: MetricSpec, goal: float, start_value: float | None, as_of: date) -> float | None:
    """Linear pace from the start of the year (0 for annual figures, else the baseline) to the goal."""
    start = 0.0 if spec.annual else start_value
    if start is None:
        return None
    return start + (goal - start) * year_fraction(as_of)


def status_of(value: float | None, goal: float | None, comparator: str, expected: float | None, as_of: date) -> str:
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


def evaluate(
    spec: MetricSpec,
    target: pd.Series | None,
    figures: pd.DataFrame,
    as_of: date,
    baseline: date | None,
    previous: date | None,
    filtered: bool,
) -> Kpi:
    """One KPI: value at as_of, goal from the target row, status against goal and pace."""
    value = metric_value(spec, figures, as_of, baseline)
    prev = metric_value(spec, figures, previous, baseline)
    if spec.annual and previous and previous.year != as_of.year:
        # Annual figures restart each January: at the baseline the year's count was nil.
        prev = 0.0 if previous == baseline else None
    goal = comparator = scope = None
    expected, note = None, ""
    if target is None:
        status = "no_data" if value is None else "no_goal"
        note = f"{as_of.year}年目标表中没有该指标的目标"
    else:
        comparator, scope = target["comparator"], target["scope"]
        baseline_level = metric_value(spec, figures, baseline, None) if not spec.net_of_baseline else None
        goal = baseline_level if comparator == "gt_baseline" else _none_if_nan(target["goal_value"])
        if scope == "county" and filtered:
            status = "no_data" if value is None else "contribution"
            note = f"全县总量目标（{_fmt(goal, spec)}），乡镇筛选下显示所选乡镇的贡献，不单独比较目标"
            goal = None
        else:
            if goal is not None:
                expected = expected_by_now(spec, goal, baseline_level, as_of)
            status = status_of(value, goal, comparator, expected, as_of)
            if comparator == "gt_baseline":
                note = f"目标：高于上年末（{baseline.isoformat() if baseline else '无基线快照'}）水平"
        if spec.net_of_baseline:
            note = (note + "；" if note else "") + (
                f"基线快照：{baseline.isoformat()}" if baseline else "无上年末基线快照，无法计算年度增量"
            )
    return Kpi(
        metric_key=spec.key,
        label=spec.label,
        target_label=None if target is None else target["target_label"],
        unit=spec.unit,
        decimals=spec.decimals,
        value=value,
        goal=goal,
        comparator=comparator,
        scope=scope,
        status=status,
        status_label=KPI_STATUS.label_of(status),
        previous_value=prev,
        expected_now=expected,
        baseline_date=baseline,
        note=note,
    )


def _none_if_nan(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def targets_for_year(as_of: date, year: int, data: Path | None = None) -> pd.DataFrame:
    return db.run("kpi/targets_for_year", data=data, snapshot_date=as_of, plan_year=year)


def kpi_report(as_of: date, townships: list[str] | None = None, data: Path | None = None) -> KpiReport:
    """Every target of as_of's plan year, evaluated for the county or for the given township codes."""
    dates = available_dates(data)
    baseline, previous = baseline_date(as_of, dates), previous_date(as_of, dates)
    figures = figures_by_snapshot(baseline or previous or as_of, as_of, townships or None, data)
    targets = targets_for_year(as_of, as_of.year, data)
    filtered = bool(townships)
    if targets.empty:
        note = f"{as_of.year}年在目标表中没有任何目标，仅显示数值"
        keys = list(SPECS)
        rows: dict[str, pd.Series | None] = dict.fromkeys(keys)
    else:
        note = ""
        rows = {row.metric_key: row for _, row in targets.iterrows()}
    kpis = tuple(evaluate(SPECS[k], row, figures, as_of, baseline, previous, filtered) for k, row in rows.items())
    return KpiReport(
        as_of=as_of,
        plan_year=as_of.year,
        township_codes=tuple(townships) if townships else None,
        baseline_date=baseline,
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


def first_date(data: Path | None = None) -> date:
    return available_dates(data)[0]
