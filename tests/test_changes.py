"""变化对比 figures against changes counted by hand on the fixture county, and `python -m socialwork changes`.

Two comparisons. The fixture's own 2023-12-31 → 2024-11-30 (tests/fixture_county.py): 甲二社区 (C12) reaches two
certified social workers (p3 certified 2024-03-10, p10 2024-11-05); 丙一村 (C31) is newly served (p8 joined
2024-04-01); 机构O2 registers (2024-03-01); posts G2 (county level, 养老服务机构) and G3 (乙镇, 禁毒, filled
2024-09-15) are created. And a made-up next quarter, `AFTER` below, with one change of every kind.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from socialwork import cli
from socialwork.data.storage import identity
from socialwork.data.storage.store import write_snapshot
from socialwork.figures import changes, metrics
from socialwork.figures.choices import FilterError
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.tables.changes import (
    changes_text,
    meeting_sentence,
    served_sentence,
    slide_caption,
    summary_sentence,
)
from tests.fixture_county import C11, C12, C21, C22, C31, C32, FIXTURE_COUNTY, T1, T2, T3, snapshot

BEFORE, AFTER = date(2024, 11, 30), date(2025, 3, 31)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame[list(columns)].itertuples(index=False)]


def test_the_fixtures_year_changes_counted_by_hand(fixture_store):
    found = changes.compare(date(2023, 12, 31), BEFORE, EVERYWHERE, fixture_store)
    assert rows(found.communities, "community_code", "certified_then", "certified_now", "change") == [
        (C12, 0, 2, "reached_minimum")
    ]
    assert rows(found.served, "community_code", "social_workers_then", "social_workers_now", "change") == [
        (C31, 0, 1, "newly_served")
    ]
    assert rows(found.service_points, "point_kind", "point_name", "change") == [
        ("organisation", "机构O2", "registered")
    ]
    assert rows(found.posts, "township_code", "sector", "created_posts", "filled_posts") == [
        (T2, "drug_control", 1, 1),
        (None, "elderly_care", 1, 0),
    ]
    assert found.posts_total == {"created": 2, "filled": 1, "vacated": 0, "removed": 0}


def test_a_township_filter_keeps_its_own_changes(fixture_store):
    found = changes.compare(date(2023, 12, 31), BEFORE, Places.townships([T1]), fixture_store)
    assert list(found.communities["community_code"]) == [C12]
    assert found.served.empty and found.service_points.empty and found.posts.empty  # O2, G2 are county level


def test_targets_then_and_now_are_the_kpi_reports_of_both_dates(fixture_store):
    found = changes.compare(date(2023, 12, 31), BEFORE, EVERYWHERE, fixture_store)
    then, now = (metrics.kpi_report(d, EVERYWHERE, fixture_store) for d in (date(2023, 12, 31), BEFORE))
    by_key = found.targets.set_index("metric_key")
    for old, new in zip(then.kpis, now.kpis, strict=True):
        row = by_key.loc[new.metric_key]
        assert (row["status_then"], row["status_now"]) == (old.status, new.status)
        assert row["status_changed"] == (old.status != new.status)
        assert (None if pd.isna(row["value_now"]) else row["value_now"]) == new.value
    # 2023 sets no goals, 2024 sets six: those six changed status, and only they.
    assert set(found.targets_changed["metric_key"]) == {
        "certified_net_increase", "active_organisations", "certified_per_urban_community",
        "urban_communities_2plus_share", "communities_served_share", "community_worker_certified_share",
    }  # fmt: skip


def next_quarter() -> dict[str, pd.DataFrame]:
    """The fixture at 2025-03-31 with one change of every kind since 2024-11-30 (see each line)."""
    frames = snapshot(AFTER)
    people = frames["people"]
    people = people[~people["person_id"].isin(["p2", "p5"])]  # 甲一社区 falls to 1 certified; 乙二村 loses its worker
    extra = people[people["person_id"] == "p1"].assign(person_id="p11", township_code=T2, community_code=C21)
    unserved = people[people["person_id"] == "p1"].assign(
        person_id="p12", township_code=T3, community_code=C32, certificate_level="none", certificate_date=None,
        first_certified_date=None,
    )  # fmt: skip
    frames["people"] = pd.concat([people, extra, unserved], ignore_index=True)  # 乙一社区 reaches 2; 丙二村 served
    towns = frames["townships"].set_index("township_code")
    towns.loc[T1, "station_stars"] = 2  # 3 → 2 stars
    towns.loc[T2, "station_stars"] = 2  # 0 → 2 stars
    towns.loc[T3, ["has_station", "station_opened_date"]] = [True, date(2025, 2, 1)]  # a station opens
    frames["townships"] = towns.reset_index()
    orgs = frames["organisations"].set_index("organisation_id")
    orgs.loc["O1", "status"] = "suspended"
    orgs.loc["O2", "evaluation_grade"] = "3A"
    new = orgs.loc[["O1"]].assign(organisation_name="机构O4", township_code=T3, status="active",
                                  registered_date=date(2025, 1, 10))  # fmt: skip
    new.index = ["O4"]
    frames["organisations"] = pd.concat([orgs.drop(index="O3"), new]).rename_axis("organisation_id").reset_index()
    posts = frames["posts"].set_index("post_id")
    posts.loc["G1", "is_filled"], posts.loc["G2", "is_filled"] = False, True  # vacated; filled
    g4 = posts.loc[["G3"]].assign(township_code=T3, sector="school", is_filled=False, created_date=date(2025, 2, 1))
    g4.index = ["G4"]
    frames["posts"] = pd.concat([posts.drop(index="G3"), g4]).rename_axis("post_id").reset_index()  # G3 removed
    return frames


@pytest.fixture(scope="module")
def quarter_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("quarter")
    identity.write(root, FIXTURE_COUNTY)
    write_snapshot(root, BEFORE, snapshot(BEFORE))
    write_snapshot(root, AFTER, next_quarter())
    return root


def test_every_kind_of_change_counted_by_hand(quarter_store):
    found = changes.compare(BEFORE, AFTER, EVERYWHERE, quarter_store)
    assert rows(found.communities, "community_code", "certified_then", "certified_now", "change") == [
        (C21, 1, 2, "reached_minimum"),
        (C11, 2, 1, "fell_below_minimum"),
    ]
    assert rows(found.served, "community_code", "social_workers_then", "social_workers_now", "change") == [
        (C32, 0, 1, "newly_served"),
        (C22, 1, 0, "no_longer_served"),
    ]
    assert rows(
        found.service_points,
        "point_kind",
        "township_code",
        "change",
        "stars_then",
        "stars_now",
        "grade_then_label",
        "grade_now_label",
    ) == [
        ("station", T1, "stars_down", 3, 2, None, None),
        ("station", T2, "stars_up", 0, 2, None, None),
        ("station", T3, "station_opened", None, 0, None, None),
        ("organisation", T1, "suspended", None, None, "未评估", "未评估"),
        ("organisation", T3, "registered", None, None, None, "未评估"),
        ("organisation", None, "grade_changed", None, None, "未评估", "3A"),
    ]  # fmt: skip  (O3, deregistered before, leaving the register is no change)
    assert rows(found.posts, "township_code", "sector", "created_posts", "filled_posts", "vacated_posts",
                "removed_posts") == [
        (T1, "community_service_center", 0, 0, 1, 0),
        (T2, "drug_control", 0, 0, 0, 1),
        (T3, "school", 1, 0, 0, 0),
        (None, "elderly_care", 0, 1, 0, 0),
    ]  # fmt: skip
    assert found.count("communities", "reached_minimum") == 1 and found.count("served", "no_longer_served") == 1
    assert rows(found.township_statuses, "township_code", "metric_key", "status_then", "status_now")[:2] == [
        (T1, "certified_per_urban_community", "met", "behind"),  # 甲: (1 + 2) / 2 = 1.5 < 2
        (T1, "urban_communities_2plus_share", "met", "behind"),  # 甲: 1 of 2 urban communities
    ]


def test_a_township_sees_only_its_own_changes(quarter_store):
    found = changes.compare(BEFORE, AFTER, Places.townships([T3]), quarter_store)
    assert list(found.served["community_code"]) == [C32] and found.communities.empty
    assert rows(found.service_points, "point_name", "change") == [("丙乡", "station_opened"), ("机构O4", "registered")]
    assert rows(found.posts, "sector", "created_posts") == [("school", 1)]
    assert set(found.township_statuses["township_code"]) <= {T3}


def test_the_sentence_the_slide_and_the_cli_say_the_same(quarter_store, capsys):
    found = changes.compare(BEFORE, AFTER, EVERYWHERE, quarter_store)
    sentence = summary_sentence(found)
    assert "城市社区新达到2名持证社工 1 个、降至不足2名 1 个" in sentence
    assert "村（社区）新有社工服务 1 个、不再有社工服务 1 个" in sentence
    assert "社工站与机构变动 6 处；新设岗位 1 个、新上岗 1 个" in sentence
    assert slide_caption(found, None).startswith(
        "尚未记录会议，与上一期数据对比。对比 2024年11月30日与 2025年3月31日："
    )
    assert cli.main(["changes", "--data", str(quarter_store)]) == 0  # the default: the previous snapshot
    out = capsys.readouterr().out
    assert out.strip() == changes_text(found, "全县", "测试县社会工作人才支持专项工作 · 变化对比", None)
    assert "\t甲二社区\t" not in out and "乙一社区" in out


def test_changes_json_equals_the_functions(quarter_store, capsys):
    assert cli.main(["changes", "--from", "2024-11-30", "--to", "2025-03-31", "--township", "丙乡",
                     "--data", str(quarter_store), "--json"]) == 0  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    expected = changes.compare(BEFORE, AFTER, Places.townships([T3]), quarter_store).as_dict()
    assert payload == json.loads(json.dumps(expected, ensure_ascii=False)) | {"scope": "丙乡", "since_meeting": None}
    assert [p["point_name"] for p in payload["service_points"]] == ["丙乡", "机构O4"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-11-29"], "没有 2024-11-29 的数据快照"),
        (["--to", "2024-13-01"], "日期格式无效"),
        (["--township", "火星镇"], "未知乡镇（街道）：火星镇"),
        (["--from", "2025-03-31", "--to", "2024-11-30"], "应早于终点"),
        (["--to", "2024-11-30"], "是最早的一期快照"),
    ],
)
def test_changes_bad_input_exits_2_with_a_chinese_message(quarter_store, capsys, args, message):
    assert cli.main(["changes", *args, "--data", str(quarter_store)]) == 2
    assert message in capsys.readouterr().err


def test_compare_refuses_a_backward_period(fixture_store):
    with pytest.raises(FilterError, match="应早于终点"):
        changes.compare(BEFORE, BEFORE, EVERYWHERE, fixture_store)


def test_the_default_start_is_the_last_meetings_snapshot_else_the_previous(demo_store, fixture_store):
    start = changes.since(date(2026, 10, 31), demo_store)
    assert start.from_date == date(2026, 8, 31) and start.meeting.title == "2026年8月社会工作人才工作调度会"
    assert changes.since(date(2026, 8, 31), demo_store).from_date == date(2026, 6, 30)  # the July meeting's
    assert changes.since(date(2026, 6, 30), demo_store) == changes.Since(date(2026, 5, 31), None)
    assert changes.since(BEFORE, fixture_store) == changes.Since(date(2024, 6, 30), None)
    assert changes.since(date(2023, 12, 31), fixture_store) == changes.Since(None, None)


C33 = f"{T3}003"


def merged_quarter() -> dict[str, pd.DataFrame]:
    """The fixture at 2025-03-31 after villages and communities merged since 2024-11-30: 甲二社区 (C12) into 甲一社区
    (C11), 乙二村 (C22) into 乙一社区 (C21), and 丙一村 with 丙二村 (C31, C32) into a new 丙村 (C33); their people
    moved with them."""
    frames = snapshot(AFTER)
    moved = {C12: C11, C22: C21, C31: C33, C32: C33}
    frames["people"] = frames["people"].assign(community_code=frames["people"]["community_code"].replace(moved))
    places = frames["communities"]
    new = places[places["community_code"] == C31].assign(community_code=C33, community_name="丙村")
    frames["communities"] = pd.concat([places[~places["community_code"].isin(moved)], new], ignore_index=True)
    return frames


@pytest.fixture(scope="module")
def merged_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("merged")
    identity.write(root, FIXTURE_COUNTY)
    write_snapshot(root, BEFORE, snapshot(BEFORE))
    write_snapshot(root, AFTER, merged_quarter())
    return root


def test_places_gone_by_merging_are_named_and_the_lists_add_up(merged_store):
    found = changes.compare(BEFORE, AFTER, EVERYWHERE, merged_store)
    assert rows(found.communities, "community_code", "certified_then", "certified_now", "change") == [
        (C21, 1, 2, "reached_minimum"),
        (C12, 2, 0, "gone_met"),
    ]
    assert rows(found.served, "community_code", "social_workers_then", "social_workers_now", "change") == [
        (C33, 0, 1, "newly_served"),
        (C12, 2, 0, "gone_served"),
        (C22, 1, 0, "gone_served"),
        (C31, 1, 0, "gone_served"),
        (C32, 0, 0, "gone_unserved"),
    ]
    # Counted by hand: served 5 (C11 C12 C21 C22 C31) → 3 (C11 C21 C33); meeting the minimum 2 (C11 C12) → 2 (C11 C21).
    assert found.served_balance == {"newly_served": 1, "no_longer_served": 0, "gone_served": 3, "net": -2}
    assert found.meeting_balance["net"] == 0
    # And against the plan's own figures at both dates.
    figures = metrics.figures_by_snapshot(BEFORE, AFTER, EVERYWHERE, merged_store)
    served = figures["communities_served"]
    assert found.served_balance["net"] == served.loc[AFTER] - served.loc[BEFORE]
    meeting = figures["urban_communities_2plus"]
    assert found.meeting_balance["net"] == meeting.loc[AFTER] - meeting.loc[BEFORE]
    assert set(found.served["change_label"]) >= {"已撤并（原有社工服务）", "已撤并（原无社工服务）"}


def test_the_changes_page_says_how_the_counts_moved(merged_store):
    found = changes.compare(BEFORE, AFTER, EVERYWHERE, merged_store)
    assert served_sentence(found) == (
        "有社工服务的村（社区）净变化 −2 个：新有 1 个，不再有 0 个，原有服务的已撤并 3 个"
    )
    assert "净变化 0 个：新达标 1 个，降至不足 0 个，原达标的已撤并 1 个" in meeting_sentence(found)


def test_the_overviews_headline_counts_as_the_full_comparison(merged_store):
    full = changes.compare(BEFORE, AFTER, EVERYWHERE, merged_store)
    brief = changes.headline(BEFORE, AFTER, EVERYWHERE, merged_store)
    assert brief.served == full.served_balance and brief.meeting == full.meeting_balance
    changed = full.targets_changed
    assert brief.better_and_worse == (int((changed["direction"] == "improved").sum()),
                                      int((changed["direction"] == "worsened").sum()))  # fmt: skip
