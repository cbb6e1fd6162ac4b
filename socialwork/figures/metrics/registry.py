"""The plan's figures as specs: how each value is computed from the figure tables, its unit, decimals and
whether it is annual or net of the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from socialwork.data.contract import METRIC
from socialwork.figures.metrics.dates import baseline_date

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


# The figures the overview page puts first.
HEADLINE_METRICS = (
    "certified_net_increase",
    "active_organisations",
    "certified_per_urban_community",
    "urban_communities_2plus_share",
    "communities_served_share",
    "stations_star_rated",
)


# Figures comparable at any level; used for the township table when a year has no targets.
SCALE_FREE_METRICS = (
    "certified_per_urban_community",
    "urban_communities_2plus_share",
    "townships_served_share",
    "communities_served_share",
    "community_worker_certified_share",
    "org_professional_staff_share",
)


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


def _none_if_nan(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
