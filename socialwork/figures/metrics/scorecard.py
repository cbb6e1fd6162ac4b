"""The township scorecard: every scale-free target for every township at once, most unmet first (ranking.py: the
same table for the counties of a city)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.storage import identity
from socialwork.figures import db
from socialwork.figures.frames import as_dates
from socialwork.figures.metrics.dates import baseline_date
from socialwork.figures.metrics.pace import expected_by_now, status_of
from socialwork.figures.metrics.registry import SCALE_FREE_METRICS, SPECS, MetricSpec, _none_if_nan
from socialwork.figures.metrics.report import targets_for_year, view_dates
from socialwork.figures.place_filter import EVERYWHERE, Places

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
    # "county" for the county ranking of a city (ranking.py): every target, the county's own goal in `<key>__goal`,
    # its reporting status in township_kind_label, the county's code and name in township_code and township_name.
    level: str = "township"

    def label(self, spec: MetricSpec) -> str:
        return self.labels.get(spec.key, spec.label)


def scale_free_figures_by_township(
    snapshot_dates: list[date], places: Places, data: Path | None = None
) -> pd.DataFrame:
    frame = db.run("kpi/scale_free_figures_by_township", data=data, snapshot_dates=snapshot_dates, places=places)
    frame["snapshot_date"] = as_dates(frame["snapshot_date"])
    return frame


def township_scorecard(as_of: date, places: Places = EVERYWHERE, data: Path | None = None) -> TownshipScorecard:
    """Scale-free targets per township at as_of, with each township's own baseline for "above baseline"."""
    baseline = baseline_date(as_of, view_dates(as_of, places, data))  # a county's own, in a store of many
    targets = targets_for_year(as_of, as_of.year, data, places)
    scale_free = targets[targets["scope"] == "scale_free"]
    keys = list(scale_free["metric_key"]) if not targets.empty else list(SCALE_FREE_METRICS)
    target_rows = {row.metric_key: row for _, row in scale_free.iterrows()}
    figures = scale_free_figures_by_township([as_of, *([baseline] if baseline else [])], places, data)
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
