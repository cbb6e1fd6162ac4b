"""Post development on the fixture county (G1 T1 platform, G2 county institution, G3 T2 key sector)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from socialwork.data.contract.enums import SECTOR
from socialwork.figures import posts
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_county import T1

NOV_2024 = date(2024, 11, 30)


def by_sector(store, places=EVERYWHERE):
    return posts.posts_by_sector(NOV_2024, places, store).set_index("sector")


def test_every_sector_is_listed_with_zeros(fixture_store):
    frame = by_sector(fixture_store)
    assert list(frame.index) == list(SECTOR.codes)
    assert frame["posts"].sum() == 3
    assert frame.loc[["community_service_center", "elderly_care", "drug_control"], "posts"].tolist() == [1, 1, 1]
    assert (frame.drop(["community_service_center", "elderly_care", "drug_control"])["posts"] == 0).all()
    assert posts.sectors_without_posts(frame.reset_index())[:2] == ["党群服务中心(站)", "综治中心"]


def test_filled_vacant_new_for_the_county(fixture_store):
    frame = by_sector(fixture_store)
    assert frame.loc["elderly_care", ["filled_posts", "vacant_posts", "main_professional_posts"]].tolist() == [0, 1, 1]
    assert frame["new_this_year"].sum() == 2  # G2 (February) and G3 (September)
    assert frame["new_since_previous"].sum() == 1  # G3, after 2024-06-30
    summary = posts.post_summary(NOV_2024, EVERYWHERE, fixture_store)
    assert summary[["posts", "filled_posts", "vacant_posts", "new_this_year", "new_since_previous"]].tolist() == [
        3, 2, 1, 2, 1,
    ]  # fmt: skip
    assert summary["institution_main_professional_share"] == 100.0
    assert summary["county_level_posts"] == 1


def test_by_funding(fixture_store):
    frame = posts.posts_by_funding(NOV_2024, EVERYWHERE, fixture_store).set_index("funding")
    assert frame["posts"].to_dict() == {"purchase": 1, "establishment": 1, "other": 1}
    assert frame["vacant_posts"].to_dict() == {"purchase": 0, "establishment": 1, "other": 0}


def test_one_township_leaves_out_county_level_posts(fixture_store):
    frame = by_sector(fixture_store, Places.townships([T1]))
    assert frame["posts"].sum() == 1 and frame.loc["community_service_center", "filled_posts"] == 1
    summary = posts.post_summary(NOV_2024, Places.townships([T1]), fixture_store)
    assert summary[["posts", "filled_posts", "new_this_year"]].tolist() == [1, 1, 0]
    assert pd.isna(summary["institution_main_professional_share"])
    assert summary["county_level_posts"] == 1  # what the filter leaves out, said on the page
    funding = posts.posts_by_funding(NOV_2024, Places.townships([T1]), fixture_store).set_index("funding")
    assert funding["posts"].to_dict() == {"purchase": 1, "establishment": 0, "other": 0}


def test_trend(fixture_store):
    trend = posts.posts_trend(date(2025, 3, 31), EVERYWHERE, fixture_store)
    assert trend["posts"].tolist() == [1, 2, 3, 3]
    assert trend["posts_filled"].tolist() == [1, 1, 2, 2]
    assert trend["posts_new_this_year"].tolist() == [1, 1, 2, 0]


def test_by_sector_group(fixture_store):
    frame = posts.posts_by_sector_group(NOV_2024, EVERYWHERE, fixture_store).set_index("sector_group")
    assert frame["posts"].to_dict() == {"platform": 1, "institution": 1, "key_sector": 1}
    assert frame.loc["institution", "main_professional_share"] == 100.0
    assert pd.isna(
        posts.posts_by_sector_group(NOV_2024, Places.townships([T1]), fixture_store)
        .set_index("sector_group")
        .loc["institution", "main_professional_share"]
    )
