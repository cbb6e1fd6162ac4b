"""The plan's metrics as specs, read from their declarations (contract.PLAN_FIGURES): how each value is computed
from the figure tables, its unit, decimals and whether it is annual or net of the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from socialwork.data.contract.plan_figures import METRIC, PLAN_FIGURES, Figure
from socialwork.figures.metrics.dates import baseline_date

Figures = pd.Series | pd.DataFrame  # one row of kpi/plan_figures_by_snapshot, or many (one per township)


def _ratio(numerator: str, denominator: str, scale: float = 1.0) -> Callable[[Figures], float | None]:
    def compute(figures: Figures):
        above, below = figures[numerator], figures[denominator]
        if isinstance(below, pd.Series):  # a frame: every row at once, NaN where the denominator is 0 or missing
            # In numpy: pandas' where and arithmetic cost a few hundred µs a ratio, every KPI report 18 times.
            top, bottom = (part.to_numpy(dtype="float64", na_value=np.nan) for part in (above, below))
            return pd.Series(scale * top / np.where(bottom != 0, bottom, np.nan), index=below.index)
        # A row: None without a denominator, or where a part has no data at that date (a column added later).
        return None if below == 0 or pd.isna(below) or pd.isna(above) else scale * above / below

    return compute


def _figure(column: str) -> Callable[[Figures], float | None]:
    def compute(figures: Figures):
        value = figures[column]
        if isinstance(value, pd.Series):
            return value.astype(float)
        return None if pd.isna(value) else float(value)  # no data at that date: not 0

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
    gross: str | None = None  # the figure shown beside a net increase as its gross (first certificates this year)

    @property
    def label(self) -> str:
        return METRIC.label_of(self.key)


def spec_of(figure: Figure) -> MetricSpec:
    """A metric's spec from its declaration: a ratio (× 100 for a share in %) or one figure's value."""
    if figure.ratio:
        compute = _ratio(*figure.ratio, scale=100.0 if figure.unit == "%" else 1.0)
    else:
        compute = _figure(figure.of or figure.key)
    return MetricSpec(
        figure.key, figure.unit, compute, annual=figure.annual, net_of_baseline=figure.net_of_baseline,
        decimals=figure.decimals, gross=figure.gross,
    )  # fmt: skip


# Every metric of the contract, in the order cards show them.
SPECS: dict[str, MetricSpec] = {figure.key: spec_of(figure) for figure in PLAN_FIGURES if figure.is_metric}


# The figures the overview page puts first.
HEADLINE_METRICS = (
    "certified_net_increase",
    "active_organisations",
    "certified_per_urban_community",
    "urban_communities_2plus_share",
    "communities_served_share",
    "stations_star_rated",
)


# Figures comparable at any level (the ratios); used for the township table when a year has no targets.
SCALE_FREE_METRICS = tuple(figure.key for figure in PLAN_FIGURES if figure.is_metric and figure.ratio)


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
