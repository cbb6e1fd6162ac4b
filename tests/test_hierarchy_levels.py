"""The level below a city on the two-county fixture (tests/fixture_city.py): the county ranking against hand-worked
values, every page's by-county figures, a county column in a city's lists, why a late county has no change, and
trends and comparisons that never dip at a month one county missed."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.figures import changes, choices, hierarchy, measures, metrics, staffing
from socialwork.figures.metrics import levels
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.tables.places import (
    BREAKDOWNS,
    division_table,
    scorecard_export_frame,
    scorecard_frames,
    scorecard_goal_text,
)
from socialwork.present.tables.topics import COUNTY_COLUMN, community_table, kpi_frame, shortfall_table
from tests.fixture_city import BOTH, CITY, COUNTY_A, COUNTY_B, MISSING_MONTH, write_city_store
from tests.fixture_county import SNAPSHOTS

JUNE = date(2024, 6, 30)  # 乙县's latest snapshot before the month it missed


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return write_city_store(tmp_path_factory.mktemp("city_levels"))


def test_the_level_below(city):
    assert hierarchy.level_below(EVERYWHERE, city) == "county"  # the whole store: its city
    assert hierarchy.level_below(Places.within(CITY), city) == "county"
    assert hierarchy.level_below(Places.within(COUNTY_A), city) == "township"
    assert hierarchy.level_below(Places.townships([f"{COUNTY_A}001"]), city) == "township"


def test_county_ranking_against_hand_worked_values(city):
    """At 2025-03-31, each county against its own goals (甲县 net > 40 and 2 organisations, 乙县 > 10 and 1):
    甲县: 8 certified, 7 at its baseline 2024-11-30 → net 1; urban C11 2, C12 2, C21 1 → 5/3, 2 of 3 with two;
        5 of 6 villages/communities served (C32 not); 7 of 7 community workers certified, 6 of 7 at the baseline.
    乙县 (no p1, p2): 6 certified, 3 at its baseline 2024-06-30 (p3 p4 p9) → net 3; C11 0, C12 2, C21 1 → 3/3 = 1,
        1 of 3 with two; 4 of 6 served (C11 and C32 not); 5 of 5 certified, 2 of 4 at the baseline (50 %)."""
    card = metrics.place_scorecard(BOTH, Places.within(CITY), city)
    assert card.level == "county"
    frame = card.frame.set_index("township_name")
    assert list(frame.index) == ["甲县", "乙县"]  # 甲县 misses four targets, 乙县 one: 甲县 first
    expected = {
        "certified_net_increase": ({"甲县": 1, "乙县": 3}, {"甲县": 40, "乙县": 10}),
        "active_organisations": ({"甲县": 2, "乙县": 2}, {"甲县": 2, "乙县": 1}),
        "certified_per_urban_community": ({"甲县": 5 / 3, "乙县": 1.0}, {"甲县": 2, "乙县": 2}),
        "urban_communities_2plus_share": ({"甲县": 200 / 3, "乙县": 100 / 3}, {"甲县": 100, "乙县": 100}),
        "communities_served_share": ({"甲县": 500 / 6, "乙县": 400 / 6}, {"甲县": 100, "乙县": 100}),
        "community_worker_certified_share": ({"甲县": 100.0, "乙县": 100.0}, {"甲县": 600 / 7, "乙县": 50.0}),
    }
    assert [spec.key for spec in card.metrics] == list(expected)
    for key, (values, goals) in expected.items():
        assert frame[key].to_dict() == pytest.approx(values), key
        assert frame[f"{key}__goal"].to_dict() == pytest.approx(goals), key
    assert frame["unmet_targets"].to_dict() == {"甲县": 4, "乙县": 1}
    assert card.goals["certified_net_increase"] == (None, "gt")  # the counties' goals differ
    assert card.goals["certified_per_urban_community"] == (2.0, "ge")
    assert scorecard_goal_text(card).endswith("；持证社工年度净增、社工机构数量：各县目标不同（见下载表“本县目标”列）")


def _number(value: float | None) -> float:
    return float("nan") if value is None else value


@pytest.mark.parametrize("on", SNAPSHOTS)
def test_each_county_of_the_ranking_is_its_own_report(city, on):
    """Value, goal and status of every cell are the county's own page's (kpi_report for that county), at every month:
    a year's end (met or missed), mid-year (on track or behind, by pace or by the seasons of earlier years)."""
    card = metrics.county_ranking(on, Places.within(CITY), city)
    for row in card.frame[card.frame["reporting"]].itertuples(index=False):
        own = {k.metric_key: k for k in metrics.kpi_report(on, Places.within(row.township_code), city).kpis}
        for spec in card.metrics:
            kpi = own[spec.key]
            assert getattr(row, spec.key) == pytest.approx(_number(kpi.value), nan_ok=True), (on, spec.key)
            assert getattr(row, f"{spec.key}__goal") == pytest.approx(_number(kpi.goal), nan_ok=True), (on, spec.key)
            assert getattr(row, f"{spec.key}__status") == own[spec.key].status, (on, spec.key)


def test_a_county_that_has_not_reported_is_ranked_last_and_says_so(city):
    card = metrics.place_scorecard(MISSING_MONTH, Places.within(CITY), city)
    last = card.frame.iloc[-1]
    assert (last["township_name"], last["township_kind_label"]) == ("乙县", "未报送（最新 2024-06-30）")
    assert pd.isna(last["unmet_targets"]) and pd.isna(last["certified_net_increase"])
    assert {last[f"{spec.key}__status"] for spec in card.metrics} == {"no_data"}
    values, _ = scorecard_frames(card)
    assert list(values.columns[:3]) == ["县（市、区）", "报送情况", "未达标项"]
    export = scorecard_export_frame(card).set_index("县（市、区）")
    assert export.loc["甲县", ["持证社工年度净增（人）", "持证社工年度净增·本县目标（人）"]].tolist() == [3, 40]
    assert export.loc["乙县", "持证社工年度净增·状态"] == "无数据"


def test_county_figures_list_every_county_and_never_count_a_late_one_as_zero(city):
    figures = levels.division_figures(MISSING_MONTH, CITY, "county", city)
    assert list(figures["division_code"]) == [COUNTY_A, COUNTY_B]
    assert figures["counties_reporting"].tolist() == [1, 0]
    assert figures.loc[0, "stations_operating"] == 2 and pd.isna(figures.loc[1, "stations_operating"])
    table = division_table(figures, BREAKDOWNS["stations"], "county")
    assert table["报送情况"].tolist() == ["已报送", "未报送（最新 2024-06-30）"]
    assert table["运营社工站（个）"].tolist()[0] == 2 and pd.isna(table["运营社工站（个）"].tolist()[1])


@pytest.mark.parametrize("page", sorted(BREAKDOWNS))
def test_every_breakdown_sums_to_the_city(city, page):
    """Each page's county figures add up to the city's own (both counties report 2025-03-31)."""
    figures = levels.division_figures(BOTH, CITY, "county", city)
    whole = metrics.figures_by_snapshot(BOTH, BOTH, Places.within(CITY), city).loc[BOTH]
    for column in BREAKDOWNS[page].columns:
        assert figures[column].sum() == pytest.approx(whole[column]), column


def test_staffing_by_county_is_the_staffing_chart_one_level_up(city):
    frame = staffing.staffing_by_place(BOTH, Places.within(CITY), city).set_index("township_name")
    assert frame.loc["甲县", "average_certified_per_urban_community"] == pytest.approx(5 / 3)
    assert frame.loc["乙县", "total_shortfall"] == 2 + 1  # 甲一社区 lacks two, 乙一社区 one


def test_a_citys_lists_name_the_county(city):
    shortfalls = shortfall_table(staffing.shortfall_list(BOTH, Places.within(CITY), city))
    assert shortfalls[COUNTY_COLUMN].tolist() == ["乙县", "甲县", "乙县"]  # 乙县's 甲一社区 lacks two: first
    assert shortfalls["乡镇（街道）"].tolist() == ["甲街道", "乙镇", "乙镇"]  # 乙镇 twice: only the county tells
    one_county = shortfall_table(staffing.shortfall_list(BOTH, Places.within(COUNTY_A), city))
    assert COUNTY_COLUMN not in one_county.columns


def test_a_county_without_the_previous_month_says_why_it_has_no_change(city):
    """乙县 has no 2024-11-30: at 2025-03-31 its change since the previous snapshot is not a bare dash."""
    listed = community_table(staffing.community_staffing(BOTH, Places.within(CITY), city))
    by_county = listed.groupby(COUNTY_COLUMN)["持证较上期变化（人）"].apply(list).to_dict()
    assert set(by_county["乙县"]) == {"乙县无上期数据"}
    assert by_county["甲县"] == [0, 0, 0, 0, 1, 0]  # p8 certified in January in 丙一村
    report = metrics.kpi_report(BOTH, Places.within(COUNTY_B), city)
    assert set(kpi_frame(report)["较上期"]) == {"乙县无上期数据"}
    assert "乙县无上期数据，无法计算较上期变化" in report.kpis[0].note
    assert kpi_frame(metrics.kpi_report(BOTH, Places.within(COUNTY_A), city))["较上期"].iloc[0] == "+1人"


def test_a_county_view_of_a_month_it_missed_shows_no_figures(city):
    report = metrics.kpi_report(MISSING_MONTH, Places.within(COUNTY_B), city)
    assert {k.status for k in report.kpis} == {"no_data"}
    assert "乙县：最新 2024-06-30" in report.missing


def test_the_certificate_trend_never_dips_at_a_month_a_county_missed(city):
    """At 2024-11-30 乙县 counts with its June snapshot (3 certified: two assistants, one intermediate) beside
    甲县's own November (6 assistants, 1 intermediate): 9 and 2, not 甲县 alone."""
    frame = measures.certified_by_level(BOTH, Places.within(CITY), city)
    at = frame.set_index(["snapshot_date", "certificate_level"])["people"]
    assert at[(MISSING_MONTH, "assistant")] == 6 + 2 and at[(MISSING_MONTH, "intermediate")] == 1 + 1
    totals = frame.groupby("snapshot_date")["people"].sum()
    assert totals.is_monotonic_increasing  # people only gain certificates in the fixture after 2024-02
    whole = metrics.figures_by_snapshot(date(2023, 12, 31), BOTH, Places.within(CITY), city)["certified_workers"]
    assert totals.to_dict() == whole.to_dict()


def test_a_comparison_starts_each_county_from_its_own_latest_month(city):
    """From 2024-11-30 (乙县 missing) to 2025-03-31: 乙县 is compared from June, so its communities are not all
    'newly served'; 乙县's 甲二社区 goes from 1 certified (p3) to 2 (p10 joined in July)."""
    assert changes.from_dates(MISSING_MONTH, Places.within(CITY), city) == [JUNE, MISSING_MONTH]
    compared = changes.compare(MISSING_MONTH, BOTH, Places.within(CITY), city)
    assert compared.served.empty
    crossing = compared.communities[["community_code", "certified_then", "certified_now"]].values.tolist()
    assert crossing == [[f"{COUNTY_B}001002", 1, 2]]
    assert compared.posts["sector"].tolist() == ["drug_control"]  # 乙县's G3, set up in September
    assert compared.place_level == "county"


def test_every_page_renders_at_city_and_late_county_scope(city, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(city))
    for scope, on in [(None, MISSING_MONTH), (COUNTY_B, MISSING_MONTH)]:
        for page in ("overview", "targets", "stations", "incentives", "purchases", "posts", "changes", "staffing"):
            at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
            at.query_params["asof"] = on.isoformat()
            if scope:
                at.query_params["scope"] = scope
            at.switch_page(f"pages/{page}.py").run()
            assert not at.exception and not at.error, (scope, page, [e.value for e in [*at.exception, *at.error]])
            if scope is None and page in BREAKDOWNS:
                titles = [json.loads(c.proto.spec)["layout"]["title"] for c in at.get("plotly_chart")]
                assert any(BREAKDOWNS[page].title in json.dumps(t, ensure_ascii=False) for t in titles), page


def test_the_workbook_and_the_report_of_a_city_rank_its_counties(city):
    import io

    from openpyxl import load_workbook

    from socialwork.present.documents import databook
    from socialwork.present.documents import report as documents

    book = load_workbook(io.BytesIO(databook.tables_workbook_bytes(BOTH, Places.within(CITY), "测试市", city)))
    assert "各县目标排名" in book.sheetnames and "乡镇可比目标" not in book.sheetnames
    report = documents.report_data(BOTH, Places.within(CITY), None, city)
    headings = [section.heading for section in documents.report_sections(report, "docx")]
    assert "四、各县（市、区）目标完成情况" in headings


def test_the_divisions_file_is_read_again_only_when_it_is_rewritten(tmp_path):
    """divisions.read and the store's title are kept per file version (every page run asks several times); a rewrite
    (a new file) is seen at once."""
    from socialwork.data.storage import divisions, identity

    root = write_city_store(tmp_path / "city")
    first = divisions.read(root)
    first.loc[0, "division_name"] = "改过的副本"  # a caller's change never reaches the kept frame
    assert divisions.read(root)["division_name"].tolist() == ["测试市", "甲县", "乙县", "辛乡"]
    assert identity.division_identity(root).county_name == "测试市"
    renamed = divisions.read(root).replace({"测试市": "新名市"})
    divisions.write(root, renamed)
    assert divisions.read(root)["division_name"].iloc[0] == "新名市"
    assert identity.division_identity(root).county_name == "新名市"


def test_a_county_alone_sums_to_its_own_figures(city):
    """figures_over_counties for one county's scope is that county's own row at every date it reported."""
    own = levels.figures_by_county(date(2020, 1, 1), BOTH, COUNTY_B, city)
    summed = levels.figures_over_counties(date(2020, 1, 1), BOTH, COUNTY_B, city)
    assert list(summed.index) == sorted(own["snapshot_date"]) and MISSING_MONTH not in summed.index
    assert summed["certified_workers"].tolist() == own.sort_values("snapshot_date")["certified_workers"].tolist()
    summed["certified_workers"] = -1.0  # kept once per store version: a caller's change never reaches the next
    again = levels.figures_over_counties(date(2020, 1, 1), BOTH, COUNTY_B, city)
    assert again["certified_workers"].tolist() == own.sort_values("snapshot_date")["certified_workers"].tolist()


def test_each_step_of_the_plan_is_counted_over_the_reporting_counties(city):
    """Both counties' plans hold M1 (done 2023-08-09, due 2023-08-10) and M2 (due 2024-06-30, not done): at BOTH each
    counts 2 counties (M1 done, M2 overdue); at MISSING_MONTH 乙县 has no snapshot, so 1."""
    counts = metrics.milestone_counts(BOTH, city).set_index("milestone_id")
    assert counts.loc["M1", ["counties", "done", "overdue"]].tolist() == [2, 2, 0]
    assert counts.loc["M2", ["counties", "done", "overdue", "on_time"]].tolist() == [2, 0, 2, 0]
    late = metrics.milestone_counts(MISSING_MONTH, city, Places.within(CITY)).set_index("milestone_id")
    assert late["counties"].tolist() == [1, 1] and late.loc["M2", "overdue"] == 1
    assert len(metrics.milestones(BOTH, city)) == 4  # every county's steps, without a scope
    own = metrics.milestones(BOTH, city, Places.within(COUNTY_A))
    assert own["milestone_id"].tolist() == ["M1", "M2"]  # one county's plan, not both counties' rows
    assert metrics.milestones(BOTH, city, Places.townships([f"{COUNTY_B}001"]))["milestone_id"].tolist() == ["M1", "M2"]


def test_the_step_counts_follow_the_same_timeline_rule_as_each_countys_steps(city):
    """milestone_counts_by_step repeats milestones_at_snapshot's timeline rule (one query per file): at every month,
    each step's counts equal its statuses summed over the counties' own lists."""
    for on in choices.available_dates(city):
        own = pd.concat([metrics.milestones(on, city, Places.within(county)) for county in (COUNTY_A, COUNTY_B)])
        expected = own.groupby(["milestone_id", "timeline_status"]).size().unstack(fill_value=0)
        counts = metrics.milestone_counts(on, city).set_index("milestone_id")
        for status in expected.columns:
            assert counts[status].tolist() == expected[status].tolist(), (on, status)
        assert counts["counties"].tolist() == expected.sum(axis=1).tolist(), on


def test_the_targets_page_counts_the_steps_above_a_county_and_draws_a_countys_own_timeline(city, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(city))
    for scope, timeline in ((None, False), (COUNTY_A, True)):
        at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
        if scope:
            at.query_params["scope"] = scope
        at.switch_page("pages/targets.py").run()
        assert not at.exception and not at.error
        titles = [json.loads(c.proto.spec)["layout"].get("title") for c in at.get("plotly_chart")]
        assert ("方案实施进度" in json.dumps(titles, ensure_ascii=False)) is timeline
        tables = " ".join(str(h.proto.body) for h in at.get("html"))
        assert ("已逾期（县）" in tables) is not timeline


def test_a_table_longer_than_the_cap_shows_its_first_rows_and_says_so():
    from socialwork.present.screen import cards

    def page():
        import pandas as pd

        from socialwork.present.screen import cards

        cards.table(pd.DataFrame({"机构": [f"机构{i}" for i in range(cards.TABLE_MAX_ROWS + 5)]}))

    at = AppTest.from_function(page).run()
    body = str(at.get("html")[0].proto.body)
    assert f"机构{cards.TABLE_MAX_ROWS - 1}<" in body and f"机构{cards.TABLE_MAX_ROWS}<" not in body
    shown, total = f"{cards.TABLE_MAX_ROWS:,}", f"{cards.TABLE_MAX_ROWS + 5:,}"
    assert at.caption[0].value == f"共 {total} 行，表中列出前 {shown} 行。完整表请下载，或在侧栏缩小范围。"


def test_a_citys_report_and_workbook_count_each_step_over_its_counties(city):
    """At BOTH both counties have M2 (基地建设, due 2024-06-30) overdue and M1 done."""
    import io

    from openpyxl import load_workbook

    from socialwork.present.documents import databook
    from socialwork.present.documents import report as documents

    book = load_workbook(io.BytesIO(databook.tables_workbook_bytes(BOTH, Places.within(CITY), "测试市", city)))
    cells = [[c.value for c in row] for row in book["实施步骤"].iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[0] == "事项")
    assert cells[header][:4] == ["事项", "类型", "最早截止日期", "县数"]
    assert [row[0] for row in cells[header + 1 :] if row[0]] == ["方案报送", "基地建设"]
    report = documents.report_data(BOTH, Places.within(CITY), None, city)
    section = next(s for s in documents.report_sections(report, "docx") if "实施步骤" in s.heading)
    texts = [b.text for b in section.blocks if isinstance(b, documents.Paragraph)]
    items = [i for b in section.blocks if isinstance(b, documents.Bullets) for i in b.items]
    assert texts == ["各县方案共 2 项实施步骤与工作举措，有县逾期的 1 项。"]
    assert items == ["基地建设（2 个县逾期，最早截止 2024年6月30日）"]


@pytest.fixture(scope="module")
def synthetic_city(tmp_path_factory):
    from socialwork.bench.synthetic import Scale
    from socialwork.bench.synthetic_store import write_store

    root = tmp_path_factory.mktemp("synthetic_city")
    write_store(root, Scale("ranking_city", 3, 12, 40, 27, counties=4))
    return root


def test_the_counties_judged_together_are_judged_as_each_alone(synthetic_city, monkeypatch):
    """Every cell of the ranking, at every month of a synthetic city of four counties (the seasons of two earlier years,
    a year's end, goals met, missed and behind): the same judged a metric at a time for all counties
    (ranking_cells.py) as judged county by county by report.evaluate."""
    from socialwork.figures.metrics import ranking

    months = choices.available_dates(synthetic_city)
    together = {on: metrics.county_ranking(on, EVERYWHERE, synthetic_city).frame for on in months}
    monkeypatch.setattr(ranking, "_judged_together", lambda *args: {})
    seen = set()
    for on in months:
        alone = ranking._county_ranking(on, EVERYWHERE, synthetic_city).frame
        pd.testing.assert_frame_equal(together[on], alone, check_exact=True, obj=str(on))
        seen |= set(alone.filter(like="__status").stack())
    assert {"met", "missed", "on_track", "behind"} <= seen
