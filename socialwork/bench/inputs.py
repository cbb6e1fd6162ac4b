"""What each query needs from the registers: the raw tables, columns and snapshots it stands for.

The two baselines of the benchmark read exactly these: the bare DuckDB scan (the floor for any design
that reads the registers at page time) and the pandas dashboard (read the Parquet files, group).
"""

from __future__ import annotations

from dataclasses import dataclass

from socialwork.data.contract.plan_figures import ADDITIVE_FIGURES, FIGURES
from socialwork.data.generate.figure_sql import reads_of, scale_free_parts

ALL = "all"  # every snapshot up to the as-of date (trends, year-on-year baselines)
AS_OF = "as_of"  # the as-of snapshot only


@dataclass(frozen=True)
class Input:
    table: str
    columns: tuple[str, ...]
    snapshots: str


def _inputs(reads: dict[str, set[str]], snapshots: str) -> tuple[Input, ...]:
    return tuple(Input(table, tuple(sorted(columns)), snapshots) for table, columns in sorted(reads.items()))


# Every additive figure of the plan, at every snapshot: read from the figures' declarations.
PLAN_INPUTS = _inputs(reads_of(ADDITIVE_FIGURES), ALL)
# The parts of the ratio figures at the as-of date (and its baseline), with the townships' names and kinds.
SCALE_FREE_INPUTS = _inputs(
    reads_of([FIGURES[key] for key in scale_free_parts()], {"townships": {"township_name", "township_kind"}}), AS_OF
)

STAFFING_INPUTS = (
    Input("people", ("township_code", "community_code", "certificate_level"), AS_OF),
    Input(
        "communities",
        ("community_code", "township_code", "community_name", "community_kind", "urban_rural_code"),
        AS_OF,
    ),
    Input("townships", ("township_code", "township_name"), AS_OF),
)
POST_INPUTS = (
    Input("posts", ("township_code", "sector", "funding", "is_filled", "created_date", "is_main_professional"), AS_OF),
)
STATION_INPUTS = (
    Input(
        "townships",
        ("township_code", "township_name", "has_station", "station_stars", "station_resident_workers", "brand_project"),
        AS_OF,
    ),
)
ACTIVITY_INPUTS = (
    Input("activities", ("township_code", "activity_date", "activity_kind", "mode", "attendees"), AS_OF),
)
PURCHASE_INPUTS = (Input("purchases", ("township_code", "plan_year", "department", "budget_wan", "status"), AS_OF),)

QUERY_INPUTS: dict[str, tuple[Input, ...]] = {
    "kpi/plan_figures_by_snapshot": PLAN_INPUTS,
    "kpi/plan_figures_by_snapshot_and_township": PLAN_INPUTS,
    "kpi/plan_figures_by_snapshot_and_county": PLAN_INPUTS,
    # The month's figures of every county, and which months each has (its latest before the as-of date).
    "kpi/plan_figures_by_division": (
        *_inputs(reads_of(ADDITIVE_FIGURES), AS_OF),
        Input("townships", ("township_code",), ALL),
    ),
    "kpi/targets_for_year": (
        Input("targets", ("plan_year", "metric_key", "goal_value", "comparator", "scope"), AS_OF),
    ),
    # A county's latest targets on or before the as-of date: every snapshot's targets may be read.
    "kpi/targets_by_county_for_year": (
        Input("targets", ("plan_year", "metric_key", "goal_value", "comparator", "scope"), ALL),
    ),
    "kpi/division_targets_for_year": (),  # beside the registers, not in them
    "places/divisions_by_level": (),
    "places/counties_reporting": (Input("townships", ("township_code",), ALL),),
    "places/townships_reporting": (Input("townships", ("township_code",), AS_OF),),
    "places/divisions_in_scope": (Input("townships", ("township_code", "township_name"), AS_OF),),
    "kpi/milestones_at_snapshot": (Input("milestones", ("milestone_id", "due_date", "status", "done_date"), AS_OF),),
    "kpi/milestone_counts_by_step": (
        Input("milestones", ("milestone_id", "title", "due_date", "status", "done_date"), AS_OF),
    ),
    "kpi/scale_free_figures_by_township": SCALE_FREE_INPUTS,
    "places/townships_at_snapshot": (Input("townships", ("township_code", "township_name", "township_kind"), AS_OF),),
    "staffing/community_staffing_at_snapshot": STAFFING_INPUTS,
    "staffing/communities_without_social_worker": STAFFING_INPUTS,
    "staffing/urban_communities_below_minimum": STAFFING_INPUTS,
    "staffing/urban_staffing_by_township": STAFFING_INPUTS,
    "posts/post_summary": POST_INPUTS,
    "posts/posts_by_funding": POST_INPUTS,
    "posts/posts_by_sector": POST_INPUTS,
    "posts/posts_by_sector_group": POST_INPUTS,
    "stations/station_summary": STATION_INPUTS,
    "stations/stations_by_star_rating": STATION_INPUTS,
    "stations/stations_by_township": STATION_INPUTS,
    "organisations/organisations_at_snapshot": (
        Input("organisations", ("organisation_id", "township_code", "status", "staff", "professional_staff"), AS_OF),
    ),
    "incentives/incentives_by_year": (Input("people", ("township_code", "talent_card_date", "award_year"), AS_OF),),
    "activities/activities_by_kind_and_mode": ACTIVITY_INPUTS,
    "activities/activities_by_month": ACTIVITY_INPUTS,
    "activities/supervision_training_by_township": ACTIVITY_INPUTS,
    "purchases/purchases_by_department": PURCHASE_INPUTS,
    "purchases/purchase_budget_by_year": PURCHASE_INPUTS,
    "purchases/purchases_by_township": PURCHASE_INPUTS,
    # Two snapshots each: "every snapshot" is the nearest scope the baselines know (an upper bound on the floor).
    "changes/urban_communities_crossing_minimum": tuple(Input(i.table, i.columns, ALL) for i in STAFFING_INPUTS),
    "changes/communities_served_changes": tuple(Input(i.table, i.columns, ALL) for i in STAFFING_INPUTS),
    "changes/service_point_changes": (
        Input("townships", ("township_code", "township_name", "has_station", "station_stars"), ALL),
        Input("organisations", ("organisation_id", "township_code", "status", "evaluation_grade"), ALL),
    ),
    "changes/post_changes_by_unit": (
        Input("posts", ("post_id", "township_code", "unit_name", "sector", "is_filled"), ALL),
        Input("townships", ("township_code", "township_name"), AS_OF),
    ),
}


def page_inputs(query_names: list[str]) -> list[Input]:
    """The union of what a page's queries read: one input per table and snapshot scope."""
    merged: dict[tuple[str, str], set[str]] = {}
    for name in query_names:
        for item in QUERY_INPUTS[name]:
            merged.setdefault((item.table, item.snapshots), set()).update(item.columns)
    # A table read at every snapshot already covers its as-of snapshot.
    for table, scope in list(merged):
        if scope == AS_OF and (table, ALL) in merged:
            merged[(table, ALL)] |= merged.pop((table, AS_OF))
    return [Input(table, tuple(sorted(columns)), scope) for (table, scope), columns in sorted(merged.items())]
