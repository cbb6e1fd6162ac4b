"""Community staffing (社区社工配备): certified social workers per community, the 2+ rule, gaps, coverage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.figures import db, hierarchy
from socialwork.figures.choices import available_dates
from socialwork.figures.frames import among
from socialwork.figures.metrics import SPECS, figures_by_snapshot, previous_date
from socialwork.figures.metrics.levels import division_figures
from socialwork.figures.metrics.report import values_by_date
from socialwork.figures.place_filter import Places

MIN_CERTIFIED = URBAN_COMMUNITY_MIN_CERTIFIED  # the plan's standard, for pages' labels and charts


def community_staffing(
    as_of: date, places: Places, data: Path | None = None, max_rows: int | None = None
) -> pd.DataFrame:
    """Every village/community in scope: certified and all social workers, change, minimum met, shortfall.

    With max_rows and more communities than that in scope, only max_rows of them: the largest shortfalls
    first, then those no social worker serves (township and community order otherwise).

    A township filter takes its rows out of its county's list, which the county's view has read, when that list holds
    every community of the county: both are then in township and community order. Its own query spent 17 ms of a
    township rerun at a nation's size, most of it planning.
    """
    if places.township_codes:
        county = _community_list(as_of, Places.within(hierarchy.scope_in_store(places, data)), data, max_rows)
        if max_rows is None or len(county) < max_rows:
            return _as_read(county[among(county["township_code"], places.township_codes)].reset_index(drop=True))
    return _community_list(as_of, places, data, max_rows)


_NUMPY_TYPE = {"boolean": "bool", "Int32": "int32", "Int64": "int64"}


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """The types a query of these rows gives: a nullable column (boolean, Int32) without an empty cell comes as numpy's
    (bool, int32), so a township's list is typed the same however it was read."""
    plain = {column: _NUMPY_TYPE[str(dtype)] for column, dtype in frame.dtypes.items()
             if str(dtype) in _NUMPY_TYPE and not frame[column].isna().any()}  # fmt: skip
    return frame.astype(plain) if plain else frame


def _community_list(as_of: date, places: Places, data: Path | None, max_rows: int | None) -> pd.DataFrame:
    return db.run(
        "staffing/community_staffing_at_snapshot", data=data, snapshot_date=as_of,
        previous_date=previous_date(as_of, available_dates(data)), places=places,
        min_certified=URBAN_COMMUNITY_MIN_CERTIFIED, max_rows=max_rows,
    )  # fmt: skip


def staffing_summary(as_of: date, places: Places, data: Path | None = None) -> pd.Series:
    """Urban communities, average, meeting the minimum, total shortfall and coverage, in one row (_figures_at)."""
    at = _figures_at(as_of, places, data)
    urban, meeting = at["urban_communities"], at["urban_communities_2plus"]
    certified = at["certified_in_urban_communities"]
    return pd.Series(
        {
            "urban_communities": urban,
            "certified_in_urban_communities": certified,
            "average_certified_per_urban_community": certified / urban if urban else np.nan,
            "urban_communities_meeting_minimum": meeting,
            "share_meeting_minimum": 100.0 * meeting / urban if urban else np.nan,
            "urban_communities_below_minimum": urban - meeting,
            "total_shortfall": at["urban_shortfall"],
            "communities": at["communities"],
            "communities_without_social_worker": at["communities"] - at["communities_served"],
        },
        dtype="float64",
    )


def certified_distribution(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Urban communities with 0, 1, 2 and 3+ certified social workers, every bucket listed (_figures_at)."""
    at = _figures_at(as_of, places, data)
    none, one = at["urban_communities_0_certified"], at["urban_communities_1_certified"]
    three = at["urban_communities_3plus_certified"]
    two = at["urban_communities"] - none - one - three  # exactly two: the urban communities in no other bucket
    return pd.DataFrame({
        "certified_bucket": ["0", "1", "2", "3+"],
        "bucket_order": np.arange(4, dtype="int32"),
        "urban_communities": np.array([none, one, two, three]).astype("int64"),
    })  # fmt: skip


def _figures_at(as_of: date, places: Places, data: Path | None) -> pd.Series:
    """The view's plan figures at as_of (township_figures' sums), which its KPI report reads too: a township's summed
    from its county's rows, a scope's over its counties that have the month. Not queries of their own: at a nation's
    size the summary's took 13 ms of a township rerun, beside the report. A view without the month (a county that
    missed it) counts nothing, and so does a figure no row has."""
    figures = figures_by_snapshot(available_dates(data)[0], as_of, places, data)
    return figures.loc[as_of].fillna(0) if as_of in figures.index else pd.Series(0.0, index=figures.columns)


def staffing_by_township(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("staffing/urban_staffing_by_township", data=data, snapshot_date=as_of, places=places)


def share_meeting_minimum_trend(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Share of urban communities meeting the minimum at every snapshot up to as_of."""
    figures = figures_by_snapshot(available_dates(data)[0], as_of, places, data)
    shares = values_by_date(SPECS["urban_communities_2plus_share"], figures)  # metric_value at each date, at once
    return pd.DataFrame({"snapshot_date": list(shares), "share_meeting_minimum": list(shares.values())})


def shortfall_list(as_of: date, places: Places, data: Path | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """Urban communities below the minimum, largest shortfall first (at most max_rows of them)."""
    return db.run(
        "staffing/urban_communities_below_minimum", data=data, snapshot_date=as_of, places=places,
        min_certified=URBAN_COMMUNITY_MIN_CERTIFIED, max_rows=max_rows,
    )  # fmt: skip


SHORTFALL_COLUMNS = ["county_name", "township_code", "township_name", "community_code", "community_name",
                     "certified_workers", "shortfall"]  # fmt: skip


def shortfalls_among(communities: pd.DataFrame, max_rows: int | None) -> pd.DataFrame:
    """shortfall_list's rows out of community_staffing's read with the same max_rows, without a second scan of the
    communities (a nation's 619,380: 65 ms). Those lists share the need order, whose first rows are the urban
    communities below the minimum, so a capped list of communities holds the first max_rows of them."""
    below = communities[communities["shortfall"].fillna(0) > 0]
    order = below[["shortfall", "township_code", "community_code"]].assign(unserved=below["social_workers"] == 0)
    order = order[["shortfall", "unserved", "township_code", "community_code"]]
    ranked = order.sort_values(list(order.columns), ascending=[False, False, True, True], kind="stable").index
    return below.loc[ranked, SHORTFALL_COLUMNS].head(max_rows).reset_index(drop=True)


def uncovered_list(as_of: date, places: Places, data: Path | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """Villages and communities that no social worker serves, in township order (at most max_rows of them)."""
    return db.run(
        "staffing/communities_without_social_worker", data=data, snapshot_date=as_of, places=places,
        max_rows=max_rows,
    )  # fmt: skip


def staffing_by_division(as_of: date, scope: str | None, level: str, data: Path | None = None) -> pd.DataFrame:
    """Urban-community staffing per division of a level (province, city or county) within the scope where at least
    one of its counties has the snapshot, in the columns of staffing_by_township (the division's code and name in
    township_code and township_name) for the same chart one level up, and how many of its counties report. Averages
    and shares are recomputed from the division's summed parts."""
    parts = division_figures(as_of, scope, level, data)
    parts = parts[parts["counties_reporting"] > 0]
    urban = parts["urban_communities"]
    return pd.DataFrame(
        {
            "township_code": parts["division_code"],
            "township_name": parts["division_name"],
            "urban_communities": urban,
            "certified_in_urban_communities": parts["certified_in_urban_communities"],
            "average_certified_per_urban_community": parts["certified_in_urban_communities"] / urban.where(urban > 0),
            "urban_communities_meeting_minimum": parts["urban_communities_2plus"],
            "share_meeting_minimum": 100.0 * parts["urban_communities_2plus"] / urban.where(urban > 0),
            "total_shortfall": parts["urban_shortfall"],
            "communities": parts["communities"],
            "communities_served": parts["communities_served"],
            "counties": parts["counties"],
            "counties_reporting": parts["counties_reporting"],
        }
    ).reset_index(drop=True)


def staffing_by_place(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Urban-community staffing by the level below the places (hierarchy.level_below): by province, city, county or
    township."""
    level = hierarchy.level_below(places, data)
    if level != "township":
        return staffing_by_division(as_of, places.division, level, data)
    return staffing_by_township(as_of, places, data)
