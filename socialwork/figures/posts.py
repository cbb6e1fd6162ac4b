"""Post development (岗位开发): posts by sector, platform or institution, and funding."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.figures import db, hierarchy
from socialwork.figures.choices import available_dates
from socialwork.figures.metrics import figures_by_snapshot, previous_date
from socialwork.figures.place_filter import Places


def posts_by_sector(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Every sector of the plan, zeros included: posts, filled, vacant, new this year and since last snapshot."""
    return db.run(
        "posts/posts_by_sector", data=data, snapshot_date=as_of, places=places,
        previous_date=previous_date(as_of, available_dates(data)),
    )  # fmt: skip


def posts_by_funding(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("posts/posts_by_funding", data=data, snapshot_date=as_of, places=places)


def post_summary(as_of: date, places: Places, data: Path | None = None) -> pd.Series:
    frame = db.run(
        "posts/post_summary", data=data, snapshot_date=as_of, places=places,
        scope=hierarchy.scope_in_store(places, data),  # whose county-level posts a township view counts beside it
        previous_date=previous_date(as_of, available_dates(data)),
    )  # fmt: skip
    return frame.iloc[0]


def posts_trend(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Posts set up, filled and new this year at every snapshot up to as_of."""
    figures = figures_by_snapshot(available_dates(data)[0], as_of, places, data)
    return figures[["posts", "posts_filled", "posts_new_this_year"]].reset_index()


def sectors_without_posts(by_sector: pd.DataFrame) -> list[str]:
    return list(by_sector.loc[by_sector["posts"] == 0, "sector_label"])


def posts_by_sector_group(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Platforms, institutions and key sectors: posts, filled, vacant, main professional posts and share."""
    return db.run("posts/posts_by_sector_group", data=data, snapshot_date=as_of, places=places)
