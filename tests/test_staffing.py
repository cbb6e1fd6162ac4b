"""Community staffing on the fixture county, worked out by hand (see tests/fixture_county.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from socialwork.figures import staffing
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_county import C11, C12, C21, C22, C31, C32, T1, T2, T3

NOV_2024 = date(2024, 11, 30)


def test_per_community_counts_change_and_shortfall(fixture_store):
    frame = staffing.community_staffing(NOV_2024, EVERYWHERE, fixture_store).set_index("community_code")
    assert frame["certified_workers"].to_dict() == {C11: 2, C12: 2, C21: 1, C22: 1, C31: 0, C32: 0}
    assert frame["social_workers"].to_dict() == {C11: 2, C12: 2, C21: 1, C22: 1, C31: 1, C32: 0}
    # Against 2024-06-30: p10 joined C12 certified; p5 in C22 was certified in October.
    assert frame["certified_change"].to_dict() == {C11: 0, C12: 1, C21: 0, C22: 1, C31: 0, C32: 0}
    assert frame.loc[[C11, C12, C21], "meets_minimum"].tolist() == [True, True, False]
    assert frame.loc[[C22, C31, C32], "meets_minimum"].isna().all()  # villages: the rule is for urban communities
    assert frame.loc[[C11, C12, C21], "shortfall"].tolist() == [0, 0, 1]


def test_county_summary(fixture_store):
    summary = staffing.staffing_summary(NOV_2024, EVERYWHERE, fixture_store)
    assert summary["urban_communities"] == 3
    assert summary["certified_in_urban_communities"] == 5
    assert summary["average_certified_per_urban_community"] == pytest.approx(5 / 3)
    assert summary["urban_communities_meeting_minimum"] == 2
    assert summary["share_meeting_minimum"] == pytest.approx(200 / 3)
    assert summary["total_shortfall"] == 1
    assert summary["communities_without_social_worker"] == 1


def test_one_township_summary_and_lists(fixture_store):
    summary = staffing.staffing_summary(NOV_2024, Places.townships([T2]), fixture_store)
    assert (summary["urban_communities"], summary["average_certified_per_urban_community"]) == (1, 1.0)
    assert (summary["share_meeting_minimum"], summary["total_shortfall"]) == (0.0, 1)
    assert list(staffing.shortfall_list(NOV_2024, Places.townships([T2]), fixture_store)["community_code"]) == [C21]
    assert staffing.uncovered_list(NOV_2024, Places.townships([T2]), fixture_store).empty


def test_township_without_urban_communities_has_no_average(fixture_store):
    summary = staffing.staffing_summary(NOV_2024, Places.townships([T3]), fixture_store)
    assert summary["urban_communities"] == 0
    assert pd.isna(summary["average_certified_per_urban_community"])
    assert list(staffing.uncovered_list(NOV_2024, Places.townships([T3]), fixture_store)["community_code"]) == [C32]


def test_coverage_and_gap_lists_for_the_county(fixture_store):
    assert list(staffing.uncovered_list(NOV_2024, EVERYWHERE, fixture_store)["community_code"]) == [C32]
    gaps = staffing.shortfall_list(NOV_2024, EVERYWHERE, fixture_store)
    assert list(gaps["community_code"]) == [C21] and gaps["shortfall"].sum() == 1
    assert staffing.uncovered_list(NOV_2024, EVERYWHERE, fixture_store, max_rows=0).empty


@pytest.mark.parametrize("cap", [None, 2, 6, 7, 1000])
def test_a_townships_communities_cut_from_the_countys_list_are_its_query(fixture_store, cap, monkeypatch):
    """A township's list is taken out of the county's when that holds all six communities (cap None, 7, 1000), else
    read by its own query (2, 6): the same frame, types included, either way."""
    from socialwork.figures import db

    staffing.community_staffing(NOV_2024, EVERYWHERE, fixture_store, cap)  # the county's view, read first
    ran, execute = [], db.execute
    monkeypatch.setattr(db, "execute", lambda name, *rest: ran.append(name) or execute(name, *rest))
    views = [[T1], [T2], [T3], [T1, T3]]
    lists = [staffing.community_staffing(NOV_2024, Places.townships(chosen), fixture_store, cap) for chosen in views]
    assert ran.count("staffing/community_staffing_at_snapshot") == (4 if cap in (2, 6) else 0)
    for townships, listed in zip(views, lists, strict=True):
        pd.testing.assert_frame_equal(listed, staffing._community_list(NOV_2024, townships, fixture_store, cap))
    assert lists[1]["community_code"].tolist() == [C21, C22]


def test_a_capped_community_list_puts_those_furthest_from_the_rule_first(fixture_store):
    every = staffing.community_staffing(NOV_2024, EVERYWHERE, fixture_store)
    assert list(every["community_code"]) == [C11, C12, C21, C22, C31, C32]  # township order when all fit
    assert list(staffing.community_staffing(NOV_2024, EVERYWHERE, fixture_store, max_rows=6)["community_code"]) == list(
        every["community_code"]
    )
    # Six in scope, three listed: the shortfall first, then the village no social worker serves.
    capped = staffing.community_staffing(NOV_2024, EVERYWHERE, fixture_store, max_rows=3)
    assert list(capped["community_code"]) == [C21, C32, C11]
    assert capped.set_index("community_code").loc[C21, "shortfall"] == 1


def test_distribution_lists_every_bucket(fixture_store):
    frame = staffing.certified_distribution(NOV_2024, EVERYWHERE, fixture_store)
    assert dict(zip(frame["certified_bucket"], frame["urban_communities"], strict=True)) == {
        "0": 0, "1": 1, "2": 2, "3+": 0,
    }  # fmt: skip
    township = staffing.certified_distribution(
        NOV_2024, Places.townships([T2]), fixture_store
    )  # C21 alone, with one certified
    assert township["urban_communities"].tolist() == [0, 1, 0, 0]
    assert (
        staffing.certified_distribution(NOV_2024, Places.townships([T3]), fixture_store)["urban_communities"].tolist()
        == [0] * 4
    )


def test_per_township_drill_figures(fixture_store):
    frame = staffing.staffing_by_township(NOV_2024, EVERYWHERE, fixture_store).set_index("township_name")
    assert frame.loc["甲街道", "average_certified_per_urban_community"] == 2.0
    assert frame.loc["乙镇", "total_shortfall"] == 1
    assert pd.isna(frame.loc["丙乡", "share_meeting_minimum"])


def test_share_meeting_minimum_trend(fixture_store):
    trend = staffing.share_meeting_minimum_trend(date(2025, 3, 31), EVERYWHERE, fixture_store)
    assert trend["share_meeting_minimum"].round(2).tolist() == [33.33, 33.33, 66.67, 66.67]


def test_demo_total_shortfall_is_the_sum_of_two_minus_count(demo_store):
    from socialwork.data.contract.tables import TABLES_BY_NAME
    from socialwork.data.demo.story import LAST_SNAPSHOT
    from socialwork.data.storage.store import read_table

    # Independently of the queries: read the Parquet files with pandas and count.
    people = read_table(demo_store, LAST_SNAPSHOT, TABLES_BY_NAME["people"])
    communities = read_table(demo_store, LAST_SNAPSHOT, TABLES_BY_NAME["communities"])
    certified = people[people["certificate_level"] != "none"].groupby("community_code").size()
    urban = communities[communities["community_kind"] == "urban_community"]["community_code"]
    counts = urban.map(certified).fillna(0)
    expected = int(sum(2 - c for c in counts if c < 2))
    assert expected > 0
    assert staffing.staffing_summary(LAST_SNAPSHOT, EVERYWHERE, demo_store)["total_shortfall"] == expected


def _demo_need_order(demo_store) -> pd.DataFrame:
    """Every demo community at the last snapshot, most in need first, worked out with pandas from the registers."""
    from socialwork.data.contract.tables import TABLES_BY_NAME
    from socialwork.data.demo.story import LAST_SNAPSHOT
    from socialwork.data.storage.store import read_table

    people = read_table(demo_store, LAST_SNAPSHOT, TABLES_BY_NAME["people"])
    communities = read_table(demo_store, LAST_SNAPSHOT, TABLES_BY_NAME["communities"]).copy()
    served = people.dropna(subset=["community_code"])
    communities["workers"] = communities["community_code"].map(served.groupby("community_code").size()).fillna(0)
    certified = served[served["certificate_level"] != "none"].groupby("community_code").size()
    communities["certified"] = communities["community_code"].map(certified).fillna(0)
    urban = communities["community_kind"] == "urban_community"
    communities["shortfall"] = (2 - communities["certified"]).clip(lower=0).where(urban, 0)
    communities["unserved"] = communities["workers"] == 0
    return communities.sort_values(
        ["shortfall", "unserved", "township_code", "community_code"], ascending=[False, False, True, True]
    )


def test_demo_capped_list_is_the_neediest_by_pandas(demo_store):
    from socialwork.data.demo.story import LAST_SNAPSHOT

    expected = _demo_need_order(demo_store)
    assert expected["shortfall"].iloc[0] == 2 and (expected["shortfall"] == 0).any()
    listed = staffing.community_staffing(LAST_SNAPSHOT, EVERYWHERE, demo_store, max_rows=40)
    assert list(listed["community_code"]) == list(expected["community_code"].head(40))


def test_demo_shortfall_list_is_in_need_order_by_pandas(demo_store):
    from socialwork.data.demo.story import LAST_SNAPSHOT

    expected = _demo_need_order(demo_store)
    expected = expected[expected["shortfall"] > 0]
    gaps = staffing.shortfall_list(LAST_SNAPSHOT, EVERYWHERE, demo_store)
    assert list(gaps["community_code"]) == list(expected["community_code"])
    assert list(staffing.shortfall_list(LAST_SNAPSHOT, EVERYWHERE, demo_store, max_rows=5)["community_code"]) == list(
        expected["community_code"].head(5)
    )


def test_among_equal_shortfalls_a_community_nobody_serves_comes_first(tmp_path):
    """C11 (township 1) keeps its two social workers but neither holds a certificate; C21 (township 2) loses
    its only one. Both lack two: C21, which nobody serves, is listed first although its township comes later."""
    from socialwork.data.storage.store import write_snapshot
    from tests.fixture_county import snapshot

    frames = snapshot(NOV_2024)
    people = frames["people"]
    uncertified = people["person_id"].isin(["p1", "p2"])
    people.loc[uncertified, "certificate_level"] = "none"
    people.loc[uncertified, ["certificate_date", "first_certified_date"]] = None
    frames["people"] = people[people["person_id"] != "p4"]
    write_snapshot(tmp_path, NOV_2024, frames)
    assert list(staffing.shortfall_list(NOV_2024, EVERYWHERE, tmp_path)["community_code"]) == [C21, C11]
    capped = staffing.community_staffing(NOV_2024, EVERYWHERE, tmp_path, max_rows=2)
    assert list(capped["community_code"]) == [C21, C11]


@pytest.mark.parametrize("cap", [None, 1, 2, 3, 6])
def test_the_shortfall_list_cut_from_the_community_list_is_the_querys(fixture_store, demo_store, cap):
    """The staffing page takes its list of gaps from the community list read with the same cap (no second scan):
    every row and its order as urban_communities_below_minimum gives them, capped or not, filtered or not."""
    from socialwork.data.demo.story import LAST_SNAPSHOT

    for on, places, store in [(NOV_2024, EVERYWHERE, fixture_store),
                              (NOV_2024, Places.townships([T2]), fixture_store),
                              (LAST_SNAPSHOT, EVERYWHERE, demo_store)]:  # fmt: skip
        communities = staffing.community_staffing(on, places, store, max_rows=cap)
        expected = staffing.shortfall_list(on, places, store, max_rows=cap)
        assert len(expected)  # something to compare
        pd.testing.assert_frame_equal(staffing.shortfalls_among(communities, cap), expected, check_dtype=False)
