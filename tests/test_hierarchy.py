"""A city of two counties in one store (tests/fixture_city.py): every figure at city scope is the sum (or the ratio
recomputed from the sums) of the counties' own figures, read from each county's own store; a county missing a month
is reported and never summed as 0; goals at the city level; the store's layout."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from socialwork import cli
from socialwork.data.contract.plan_figures import FIGURES
from socialwork.data.importing import importer
from socialwork.data.storage import divisions, layout, store
from socialwork.data.storage.layout import county_folders
from socialwork.figures import db, hierarchy, measures, metrics, posts, staffing
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_city import (
    BOTH,
    CITY,
    COUNTY_A,
    COUNTY_B,
    EMPTY_IN_ONE_COUNTY,
    LISTED_ONLY,
    MISSING_MONTH,
    write_city_store,
    write_county_store,
)
from tests.fixture_county import T1


@pytest.fixture(scope="module", params=["combined", "county folders"])
def city(tmp_path_factory, request):
    """The city read through its combined months, and read from its county folders alone: every test holds both."""
    return write_city_store(tmp_path_factory.mktemp("city"), combine=request.param == "combined")


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """Each county as a store of its own, read through the single-county path."""
    return {code: write_county_store(tmp_path_factory.mktemp(code), code) for code in (COUNTY_A, COUNTY_B)}


def _values(report: metrics.KpiReport) -> dict[str, float | None]:
    return {k.metric_key: k.value for k in report.kpis}


def _parts(on: date, root, places=EVERYWHERE) -> pd.Series:
    return metrics.figures_by_snapshot(on, on, places, root).loc[on]


def test_the_store_lists_every_countys_months(city):
    assert store.snapshot_dates(city) == [date(2023, 12, 31), date(2024, 6, 30), MISSING_MONTH, BOTH]
    assert set(layout.county_folders(city)) == {COUNTY_A, COUNTY_B}
    combined_months = (city / "combined").is_dir()
    first = store.table_files(city, "people")[0]
    assert first.parent.parent.name == ("combined" if combined_months else f"county={COUNTY_A}")


@pytest.mark.parametrize("places", [EVERYWHERE, Places.within(CITY)])
def test_city_figures_are_the_sum_of_the_counties(city, alone, places):
    city_parts = _parts(BOTH, city, places)
    a, b = (_parts(BOTH, alone[code]) for code in (COUNTY_A, COUNTY_B))
    assert city_parts.to_dict() == (a + b).to_dict()
    assert city_parts["certified_workers"] == 8 + 6  # 甲县: 7 in Nov 2024 and p8 since 2025; 乙县 without p1, p2


def test_every_metric_at_city_scope_is_the_sum_or_the_recomputed_ratio(city, alone):
    ours = _values(metrics.kpi_report(BOTH, Places.within(CITY), city))
    a, b = (_parts(BOTH, alone[code]) for code in (COUNTY_A, COUNTY_B))
    a_net, b_net = (_values(metrics.kpi_report(BOTH, EVERYWHERE, alone[code])) for code in (COUNTY_A, COUNTY_B))
    for key, value in ours.items():
        figure = FIGURES[key]
        if figure.ratio:
            numerator, denominator = figure.ratio
            expected = (
                (a[numerator] + b[numerator]) / (a[denominator] + b[denominator]) * (100 if figure.unit == "%" else 1)
            )
        else:  # an additive figure, or a net increase: the counties' own values add up
            expected = a_net[key] + b_net[key]
        assert value == pytest.approx(expected), key


def test_a_county_missing_the_month_is_reported_not_counted_as_zero(city, alone):
    report = metrics.kpi_report(MISSING_MONTH, Places.within(CITY), city)
    assert "缺 1 个县数据（乙县：最新 2024-06-30）" in report.missing
    assert all(report.missing in k.note for k in report.kpis)
    # The city's figures are 甲县's alone, and say so: not 甲县 plus a 乙县 of zeros, nor 乙县's older month.
    alone_a = _values(metrics.kpi_report(MISSING_MONTH, EVERYWHERE, alone[COUNTY_A]))
    assert _values(report) == alone_a
    goals = {k.metric_key: k.goal for k in report.kpis}
    assert goals["certified_net_increase"] == 40  # 甲县's goal only: the sum covers the reporting counties


def test_reporting_status_names_the_late_county_and_a_missing_township(city):
    status = hierarchy.counties_reporting(MISSING_MONTH, CITY, city)
    assert status[["county_code", "has_snapshot"]].values.tolist() == [[COUNTY_A, True], [COUNTY_B, False]]
    assert status["latest_snapshot_date"].iloc[1].date() == date(2024, 6, 30)
    both = hierarchy.reporting(BOTH, Places.within(CITY), city)
    assert both.reporting == (COUNTY_A, COUNTY_B) and both.missing_names == ()
    assert both.missing_townships == ("辛乡",) and "缺 1 个乡镇（街道）数据（辛乡）" in both.note
    assert hierarchy.reporting(BOTH, Places.within(COUNTY_A), city).complete  # 辛乡 lies in 乙县


def test_city_goals_sum_the_counties_totals_and_keep_the_standard(city):
    goals = {
        k.metric_key: (k.goal, k.comparator, k.status) for k in metrics.kpi_report(BOTH, Places.within(CITY), city).kpis
    }
    assert goals["certified_net_increase"][:2] == (50, "gt")  # 40 + 10
    assert goals["active_organisations"][:2] == (3, "ge")  # 2 + 1
    assert goals["certified_per_urban_community"][:2] == (2, "ge")  # the same standard, not 4
    assert goals["certified_net_increase"][2] != "contribution"  # a scope compares with its own goal


def test_a_city_target_row_of_its_own_wins(city, tmp_path):
    import shutil

    root = shutil.copytree(city, tmp_path / "city")
    own = pd.DataFrame([{"division_code": CITY, "plan_year": 2025, "metric_key": "certified_net_increase",
                         "target_label": "全市净增超过100人", "goal_value": 100.0, "comparator": "gt",
                         "scope": "county"}])  # fmt: skip
    divisions.write_targets(root, own)
    kpi = next(
        k for k in metrics.kpi_report(BOTH, Places.within(CITY), root).kpis if k.metric_key == "certified_net_increase"
    )
    assert (kpi.goal, kpi.target_label) == (100, "全市净增超过100人")


@pytest.mark.parametrize(
    "figure",
    [staffing.staffing_summary, measures.station_summary, posts.post_summary],
    ids=["staffing", "stations", "posts"],
)
def test_page_summaries_at_city_scope_add_up(city, figure):
    both = figure(BOTH, Places.within(CITY), city)
    a, b = figure(BOTH, Places.within(COUNTY_A), city), figure(BOTH, Places.within(COUNTY_B), city)
    for column in both.index:
        if column.endswith(("_share", "share_meeting_minimum", "average_certified")) or "per_" in column:
            continue  # ratios: checked through the metrics above
        assert both[column] == pytest.approx(a[column] + b[column]), column


def test_a_staffing_summary_where_the_county_lacks_the_month_counts_nothing(city):
    """乙县 has no MISSING_MONTH: its view and its township's count no community, as the query they replace did."""
    for places in (Places.within(COUNTY_B), Places.townships([f"{COUNTY_B}001"])):
        summary = staffing.staffing_summary(MISSING_MONTH, places, city)
        assert (summary["urban_communities"], summary["communities"], summary["total_shortfall"]) == (0, 0, 0)
        assert pd.isna(summary["average_certified_per_urban_community"])
        assert staffing.certified_distribution(MISSING_MONTH, places, city)["urban_communities"].tolist() == [0] * 4
    assert staffing.staffing_summary(MISSING_MONTH, Places.within(COUNTY_A), city)["communities"] > 0


def test_a_township_filter_in_a_city_store_reads_its_county_only(city):
    township = f"{COUNTY_B}001"  # 乙县's 甲街道
    report = metrics.kpi_report(BOTH, Places.townships([township]), city)
    kpi = {k.metric_key: k for k in report.kpis}
    assert kpi["certified_net_increase"].status == "contribution"
    assert kpi["certified_per_urban_community"].value == pytest.approx(1.0)  # C11 0 (p1, p2 gone), C12 2


def test_a_township_without_rows_counts_zero_at_its_own_countys_months(city):
    """辛乡 is listed but never reported: 0 at each of 乙县's months, and no row at the month only 甲县 has."""
    frame = metrics.figures_by_snapshot(date(2023, 12, 31), BOTH, Places.townships([LISTED_ONLY]), city)
    assert MISSING_MONTH not in frame.index
    assert len(frame) > 1 and (frame["social_workers"] == 0).all()


@pytest.mark.parametrize("store_of", ["city", "alone"])
def test_a_countys_whole_view_reads_its_township_rows_ahead_for_a_pick(store_of, city, alone, monkeypatch):
    """After 乙县's whole view (of the city's store, or of its own), a township picked in it is summed from rows read
    in the background meanwhile: no query, and the figures a fresh read gives."""
    from socialwork.figures.choices import available_dates
    from socialwork.present.screen.filtering import Filters, _read_ahead

    root, scope = (city, COUNTY_B) if store_of == "city" else (alone[COUNTY_B], None)
    first, township = available_dates(root)[0], [f"{COUNTY_B}001"]
    db.forget_results()
    view = Filters(data=root, as_of=BOTH, township_codes=(), township_names=(), scope_code=scope,
                   multi_county=store_of == "city")  # fmt: skip
    _read_ahead(view).result(timeout=60)
    ran, execute = [], db.execute
    monkeypatch.setattr(db, "execute", lambda name, *rest: ran.append(name) or execute(name, *rest))
    summed = metrics.figures_by_snapshot(first, BOTH, Places.townships(township), root)
    assert ran == []
    db.forget_results()
    pd.testing.assert_frame_equal(summed, metrics.figures_by_snapshot(first, BOTH, Places.townships(township), root))
    assert "kpi/plan_figures_by_snapshot_and_township" in ran  # the spy saw the read the view saved
    assert _read_ahead(replace(view, township_codes=tuple(township))) is None  # a township's view: nothing ahead


def test_a_countys_page_reads_ahead_once_drawn_and_its_townships_page_does_not(city, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings

    asked, real = [], metrics.read_township_rows_ahead
    monkeypatch.setattr(metrics, "read_township_rows_ahead", lambda *args: asked.append(args[1]) or real(*args))
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(city))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["scope"] = COUNTY_B
    at.switch_page("pages/overview.py").run()
    assert not at.exception and asked == [COUNTY_B]
    at.multiselect(key="filter_townships").set_value(["甲街道"]).run()
    assert not at.exception and asked == [COUNTY_B]  # a township's view: nothing more ahead


def test_nothing_is_read_ahead_for_a_citys_view(city):
    from socialwork.present.screen.filtering import Filters, _read_ahead

    view = Filters(data=city, as_of=BOTH, township_codes=(), township_names=(), scope_code=CITY, multi_county=True)
    assert _read_ahead(view) is None


def test_a_read_ahead_that_fails_is_logged_not_raised(caplog):
    def broken():
        raise db.QueryError("查询 x 执行失败")

    with caplog.at_level("INFO", logger=db.log.name):
        assert db.in_background(broken).result(timeout=10) is None
    assert "查询 x 执行失败" in caplog.text


def test_follow_ups_under_a_township_name_its_countys_townships_only(city):
    from socialwork.present.tables import followups

    under_b = followups.load(BOTH, Places.townships([f"{COUNTY_B}001"]), city).township_names
    everywhere = followups.load(BOTH, EVERYWHERE, city).township_names
    assert {code[:6] for code in under_b} == {COUNTY_B}
    assert under_b == {code: name for code, name in everywhere.items() if code.startswith(COUNTY_B)}
    assert {code[:6] for code in everywhere} == {COUNTY_A, COUNTY_B}


def test_divisions_and_the_breadcrumb_path(city):
    assert list(hierarchy.children(BOTH, None, city)["division_code"]) == [COUNTY_A, COUNTY_B]
    assert list(hierarchy.children(BOTH, COUNTY_A, city)["division_name"]) == ["甲街道", "乙镇", "丙乡"]
    assert hierarchy.path_to(f"{COUNTY_A}101", BOTH, city) == [
        (CITY, "测试市"), (COUNTY_A, "甲县"), (f"{COUNTY_A}101", "乙镇")
    ]  # fmt: skip
    assert LISTED_ONLY not in set(hierarchy.divisions(BOTH, COUNTY_B, city)["division_code"])


def test_the_store_is_titled_by_its_city(city):
    from socialwork.data.storage import identity

    county, warning = identity.load_or_fallback(city)
    assert (county.county_name, county.issuer, warning) == ("测试市", "测试市民政局", None)


def test_import_with_county_writes_into_that_county_only(city, tmp_path, capsys):
    import shutil

    root = shutil.copytree(city, tmp_path / "city")
    before = store.store_version(layout.county_folder(root, COUNTY_A))
    assert importer.import_target(root, COUNTY_B) == layout.county_folder(root, COUNTY_B)
    with pytest.raises(layout.StoreError, match="--county"):
        importer.import_target(root, None)
    with pytest.raises(layout.StoreError, match="区划表中没有"):
        importer.import_target(root, "999903")
    from tests.fixture_city import county_snapshot

    store.write_snapshot(layout.county_folder(root, COUNTY_B), MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH))
    assert store.store_version(layout.county_folder(root, COUNTY_A)) == before
    db.clear_cache()
    assert hierarchy.reporting(MISSING_MONTH, Places.within(CITY), root).missing_names == ()


def test_kpis_cli_takes_a_scope(city, capsys):
    assert cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", COUNTY_B, "--data", str(city), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"scope_code": "999902"' in out
    assert cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", "12", "--data", str(city)]) == 2
    assert "未知区划代码：12" in capsys.readouterr().err


def test_divisions_table_is_checked():
    bad = pd.DataFrame([("99", "省", "province", None), ("999", "市", "city", "99")],
                       columns=["division_code", "division_name", "division_level", "parent_code"])  # fmt: skip
    problems = divisions.check(bad)
    assert "区划 999：市级代码应为 4 位" in problems and "区划表中没有县级区划" in problems


@pytest.mark.parametrize("name", sorted(EMPTY_IN_ONE_COUNTY))
def test_queries_empty_in_one_county_find_rows_in_the_city(city, name):
    root = city
    if name == "kpi/division_targets_for_year":
        import shutil

        root = shutil.copytree(city, city.parent / "city_with_targets", dirs_exist_ok=True)
        own = pd.DataFrame([{"division_code": CITY, "plan_year": 2025, "metric_key": "active_organisations",
                             "target_label": "全市机构5家", "goal_value": 5.0, "comparator": "ge",
                             "scope": "county"}])  # fmt: skip
        divisions.write_targets(root, own)
    params = {"snapshot_date": BOTH, "scope": CITY, "plan_year": 2025}
    frame = db.run(name, data=root, **{k: v for k, v in params.items() if k in db.query_parameters(name)})
    assert len(frame) == 1


def test_a_synthetic_city_is_a_store_of_many_counties_whose_sum_is_the_city(tmp_path):
    from socialwork.bench.many_counties import CITY_CODE
    from socialwork.bench.synthetic import Scale
    from socialwork.bench.synthetic_store import write_store

    root = tmp_path / "city"
    dates = write_store(root, Scale("tiny_city", 3, 20, 60, 2, counties=3))
    assert set(layout.county_folders(root)) == {f"{CITY_CODE}0{k}" for k in (1, 2, 3)}
    whole = _parts(dates[-1], root)
    counties = [_parts(dates[-1], root, Places.within(code)) for code in county_folders(root)]
    assert whole.to_dict() == sum(counties[1:], counties[0]).to_dict()
    assert whole["townships"] == 9


def test_a_township_views_county_level_posts_are_its_countys(city, alone):
    """The posts page says how many county-level posts a township filter leaves out: its county's, not the city's."""
    township = COUNTY_A + T1[6:]
    in_city = posts.post_summary(BOTH, Places.townships([township]), city)["county_level_posts"]
    assert in_city == posts.post_summary(BOTH, Places.townships([township]), alone[COUNTY_A])["county_level_posts"] > 0
    whole_city = sum(posts.post_summary(BOTH, EVERYWHERE, alone[c])["county_level_posts"] for c in (COUNTY_A, COUNTY_B))
    assert in_city < whole_city
