"""A target's standing at one snapshot and place (Kpi) and every target of a view (KpiReport): what the KPI report
(report.py) computes and every surface words."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from socialwork.figures.metrics.pace import Projection
from socialwork.figures.place_filter import Places


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
    no_previous: str = ""  # why there is no previous value: 乙县无上期数据 (the view's county missed that month)
    gap: float | None = None  # still to gain to meet the goal now ("> 40" from 5: 36); None when met or without goal
    last_year_value: float | None = None  # 同比: the figure at the same month's snapshot of the year before
    last_year_date: date | None = None  # that snapshot (None when the store has no snapshot in that month)
    responsible_unit: str | None = None  # 责任单位 from the year's targets (a township's view: the township)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["baseline_date"] = self.baseline_date.isoformat() if self.baseline_date else None
        out["trend"] = [[d.isoformat(), v] for d, v in self.trend]
        out["last_year_date"] = self.last_year_date.isoformat() if self.last_year_date else None
        return out


@dataclass(frozen=True)
class KpiReport:
    as_of: date
    plan_year: int
    places: Places
    baseline_date: date | None
    previous_date: date | None
    kpis: tuple[Kpi, ...]
    note: str
    missing: str = ""  # which counties or townships of the scope lack the month (hierarchy.Reporting.note)

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "plan_year": self.plan_year,
            # The place filter as it was written before it had a type of its own: a scope's code in the first key too.
            "township_codes": self.places.bound(),
            "scope_code": self.places.division,
            "baseline_date": self.baseline_date.isoformat() if self.baseline_date else None,
            "previous_date": self.previous_date.isoformat() if self.previous_date else None,
            "note": self.note,
            "missing": self.missing,
            "kpis": [k.as_dict() for k in self.kpis],
        }
