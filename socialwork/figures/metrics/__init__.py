"""Plan targets: each figure's value from the snapshots, its goal from the targets table, its status.

The same functions feed the pages and `python -m socialwork kpis`, so both always agree. One module per concern:
registry (the figures as specs), dates (baseline and previous snapshot), pace (goal, pace, projection, status),
report (the KPI report), scorecard (every township at once) and ranking (every county of a city).
"""

from socialwork.figures.metrics.dates import baseline_date, first_date, previous_date, year_fraction
from socialwork.figures.metrics.pace import Projection, status_of
from socialwork.figures.metrics.ranking import county_ranking, place_scorecard
from socialwork.figures.metrics.registry import HEADLINE_METRICS, SCALE_FREE_METRICS, SPECS, Figures, MetricSpec
from socialwork.figures.metrics.report import (
    Kpi,
    KpiReport,
    figures_by_snapshot,
    kpi_goal,
    kpi_report,
    kpi_report_from,
    kpis_by_group,
    kpis_in_groups,
    milestone_counts,
    milestones,
    read_township_rows_ahead,
    status_counts,
    targets_for_year,
)
from socialwork.figures.metrics.scorecard import TownshipScorecard, township_scorecard

__all__ = [
    "HEADLINE_METRICS",
    "SCALE_FREE_METRICS",
    "SPECS",
    "Figures",
    "Kpi",
    "KpiReport",
    "MetricSpec",
    "Projection",
    "TownshipScorecard",
    "baseline_date",
    "county_ranking",
    "figures_by_snapshot",
    "first_date",
    "kpi_goal",
    "kpi_report",
    "kpi_report_from",
    "kpis_by_group",
    "kpis_in_groups",
    "milestone_counts",
    "milestones",
    "place_scorecard",
    "previous_date",
    "read_township_rows_ahead",
    "status_counts",
    "status_of",
    "targets_for_year",
    "township_scorecard",
    "year_fraction",
]
