"""The words around a city's figures (issue 35): on the city of two counties (tests/fixture_city.py), 乙县 missing
2024-11-30, every date, reason and status a view names is one its own data supports."""

from __future__ import annotations

from datetime import date

import pytest

from socialwork import cli
from socialwork.figures import metrics
from socialwork.figures.place_filter import Places
from tests.fixture_city import BOTH, CITY, COUNTY_A, COUNTY_B, MISSING_MONTH, write_city_store

JUNE = date(2024, 6, 30)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return write_city_store(tmp_path_factory.mktemp("city"))


def test_a_countys_view_names_its_own_baseline(city):
    """乙县 has no 2024-11-30: its net increase is counted from June, and the view says June."""
    report = metrics.kpi_report(BOTH, Places.within(COUNTY_B), city)
    net = next(k for k in report.kpis if k.metric_key == "certified_net_increase")
    assert net.baseline_date == report.baseline_date == JUNE
    assert metrics.kpi_report(BOTH, Places.townships([f"{COUNTY_B}001"]), city).baseline_date == JUNE
    assert metrics.kpi_report(BOTH, Places.within(COUNTY_A), city).baseline_date == MISSING_MONTH


def test_the_cli_names_a_countys_own_baseline(city, capsys):
    assert cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", COUNTY_B, "--data", str(city)]) == 0
    assert "上年末数据：2024-06-30" in capsys.readouterr().out


def test_a_countys_view_of_a_month_it_lacks_says_so(city, capsys):
    report = metrics.kpi_report(MISSING_MONTH, Places.within(COUNTY_B), city)
    assert report.note == "本县缺该月数据（乙县：最新 2024-06-30）"
    assert report.baseline_date is None
    for kpi in report.kpis:
        assert kpi.note == "本县缺该月数据（乙县：最新 2024-06-30）", kpi.metric_key
    assert cli.main(["kpis", "--as-of", MISSING_MONTH.isoformat(), "--scope", COUNTY_B, "--data", str(city)]) == 0
    out = capsys.readouterr().out
    assert "本县缺该月数据" in out
    assert "没有任何目标" not in out and "上年末数据：2023-12-31" not in out and "已报送的 0 个县" not in out


def test_a_township_of_a_county_that_lacks_the_month_is_refused_as_such(city, capsys):
    """Not as 未知乡镇 listing 甲县's townships: its county is missing the month, as the county's view says."""
    for places in (["--township", f"{COUNTY_B}001"], ["--scope", COUNTY_B, "--township", "甲街道"]):
        assert cli.main(["kpis", "--as-of", MISSING_MONTH.isoformat(), *places, "--data", str(city)]) == 2
        err = capsys.readouterr().err
        assert "属于乙县，本县缺 2024-11-30 的数据（最新 2024-06-30）" in err, places
        assert "未知乡镇" not in err and "乙镇" not in err
    assert cli.main(["kpis", "--as-of", MISSING_MONTH.isoformat(), "--township", "999902999", "--data", str(city)]) == 2
    assert "属于乙县，本县缺" in capsys.readouterr().err  # any code of 乙县's: the month is what it lacks
    assert cli.main(["kpis", "--as-of", MISSING_MONTH.isoformat(), "--township", "999903001", "--data", str(city)]) == 2
    assert "未知乡镇（街道）：999903001" in capsys.readouterr().err  # no county of the store


def test_a_township_name_is_taken_within_a_city(city, capsys):
    """Within a city, a name its two counties share is refused naming both (not because the scope is a city)."""
    assert (
        cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", CITY, "--township", "甲街道", "--data", str(city)])
        == 2
    )
    err = capsys.readouterr().err
    assert "“甲街道”有 2 个：甲县甲街道（999901001）、乙县甲街道（999902001）" in err
    assert (
        cli.main(["kpis", "--as-of", BOTH.isoformat(), "--scope", CITY, "--township", "辛乡", "--data", str(city)]) == 2
    )
    assert "未知乡镇（街道）：辛乡" in capsys.readouterr().err


def test_a_township_name_unique_within_a_city_of_a_province_is_found(tmp_path, capsys):
    from tests.fixture_nation import CITY_C, CITY_D, write_nation_store

    nation = write_nation_store(tmp_path / "nation")
    args = ["kpis", "--as-of", BOTH.isoformat(), "--data", str(nation)]
    assert cli.main([*args, "--scope", CITY_C, "--township", "乙镇"]) == 0
    assert "范围：丙县乙镇" in capsys.readouterr().out
    assert (
        cli.main(["changes", "--to", BOTH.isoformat(), "--scope", CITY_C, "--township", "乙镇", "--data", str(nation)])
        == 0
    )
    assert "范围：丙县乙镇" in capsys.readouterr().out
    late = [
        "kpis",
        "--as-of",
        MISSING_MONTH.isoformat(),
        "--data",
        str(nation),
        "--scope",
        CITY_D,
        "--township",
        "乙镇",
    ]
    assert cli.main(late) == 2
    assert "1 个县缺该月数据（丁县：最新 2024-06-30），其乡镇（街道）不在该期" in capsys.readouterr().err


def test_a_countys_township_scorecard_judges_against_its_own_baseline(city):
    """持证比例提高 (above the baseline) per township of 乙县: against June, its last month before the year, not a
    November it never had (which left every township without a goal)."""
    card = metrics.township_scorecard(BOTH, Places.within(COUNTY_B), city)
    assert card.baseline_date == JUNE
    assert "no_goal" not in set(card.frame["community_worker_certified_share__status"])


def _with_city_goal(city, tmp_path):
    """The city with a goal of its own for 2024 and 2025: net increase above 100 in the whole city."""
    import shutil

    import pandas as pd

    from socialwork.data.storage import divisions

    root = shutil.copytree(city, tmp_path / "city")
    rows = [{"division_code": CITY, "plan_year": year, "metric_key": "certified_net_increase",
             "target_label": "全市净增超过100人", "goal_value": 100.0, "comparator": "gt", "scope": "county"}
            for year in (2024, 2025)]  # fmt: skip
    divisions.write_targets(root, pd.DataFrame(rows))
    return root


def _net(report: metrics.KpiReport) -> metrics.Kpi:
    return next(k for k in report.kpis if k.metric_key == "certified_net_increase")


def test_a_citys_own_goal_awaits_its_missing_counties(city, tmp_path, capsys):
    """At 2024-11-30 only 甲县 reports: 甲县's 3 against the city's 100 is neither 滞后 nor 未达标 but 待报齐, with no
    gap, and the note says the value is 1 county's and the goal all 2's."""
    root = _with_city_goal(city, tmp_path)
    kpi = _net(metrics.kpi_report(MISSING_MONTH, Places.within(CITY), root))
    assert (kpi.goal, kpi.status, kpi.status_label) == (100, "pending", "待报齐")
    assert kpi.gap is None and kpi.expected_now is None
    assert "当前值只含已报送的 1 个县，目标（> 100人）是全部 2 个县的，待报齐后判断是否达标" in kpi.note
    assert "合计与目标只含" not in kpi.note
    assert cli.main(["kpis", "--as-of", MISSING_MONTH.isoformat(), "--scope", CITY, "--data", str(root)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("持证社工年度净增"))
    assert "… 待报齐" in line and "滞后" not in line and "差 " not in line and "预计" not in line
    # Every county reported: judged as before; a goal worked out from the reporting counties is judged too.
    assert _net(metrics.kpi_report(BOTH, Places.within(CITY), root)).status == "behind"
    assert _net(metrics.kpi_report(MISSING_MONTH, Places.within(CITY), city)).status == "behind"


def test_the_whole_of_a_citys_store_has_the_citys_own_goal(city, tmp_path):
    """Without --scope a city's store is the city (titled 测试市): its own goal applies there too."""
    root = _with_city_goal(city, tmp_path)
    assert _net(metrics.kpi_report(MISSING_MONTH, Places(), root)).status == "pending"
    assert _net(metrics.kpi_report(BOTH, Places(), root)).goal == 100


def test_the_meeting_documents_say_pending_not_behind(city, tmp_path):
    import io

    import openpyxl
    from docx import Document
    from pptx import Presentation

    from socialwork.present.documents.exports import export_bytes

    root = _with_city_goal(city, tmp_path)

    def export(kind: str) -> bytes:
        return export_bytes(kind, MISSING_MONTH, Places.within(CITY), [], root)

    book = openpyxl.load_workbook(io.BytesIO(export("xlsx")))
    row = next(r for r in book["年度目标"].iter_rows(values_only=True) if "持证社工年度净增" in r)
    assert "待报齐" in row and "滞后" not in row
    deck = Presentation(io.BytesIO(export("pptx")))
    tables = [[c.text for c in r.cells] for s in deck.slides for sh in s.shapes if sh.has_table for r in sh.table.rows]
    first = next(cells for cells in tables if cells[0] == "持证社工年度净增" and "> 100人" in cells)
    assert first[3:5] == ["待报齐", "… 待报齐"]
    document = Document(io.BytesIO(export("docx")))
    rows = [[c.text for c in r.cells] for t in document.tables for r in t.rows if r.cells[0].text == "持证社工年度净增"]
    assert rows and all("… 待报齐" in cells and "! 滞后" not in cells for cells in rows if "> 100人" in cells)
    assert any("待报齐 1 项" in p.text for p in document.paragraphs)


def test_the_targets_page_card_says_pending(city, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings

    root = _with_city_goal(city, tmp_path)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["asof"] = MISSING_MONTH.isoformat()
    at.query_params["scope"] = CITY
    at.switch_page("pages/targets.py").run()
    assert not at.exception and not at.error
    shown = " ".join(str(h.proto.body) for h in at.get("html")) + " ".join(m.value for m in at.markdown)
    assert "… 待报齐" in shown and "sw-pending" in shown


@pytest.mark.parametrize("scope", [None, CITY, COUNTY_B])
def test_the_overview_of_a_month_a_county_lacks_opens(city, tmp_path, monkeypatch, scope):
    """The city's worst counties stop at the late county (its unmet count is NA: not judged), and the page opens."""
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings

    root = _with_city_goal(city, tmp_path)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["asof"] = MISSING_MONTH.isoformat()
    if scope:
        at.query_params["scope"] = scope
    at.switch_page("pages/overview.py").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]


def test_a_link_to_a_township_of_a_county_that_lacks_the_month_says_so(city, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings

    monkeypatch.setenv(settings.DATA_DIR_ENV, str(city))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["asof"] = MISSING_MONTH.isoformat()
    at.query_params["scope"] = COUNTY_B
    at.query_params["township"] = "甲街道"
    at.switch_page("pages/targets.py").run()
    assert not at.exception
    said = " ".join(e.value for e in at.error).replace("\u2060", "").replace("\\", "")
    assert "甲街道 没有 2024-11-30 的数据：本县缺该月数据（乙县：最新 2024-06-30），已改为显示全县" in said
    assert "未知乡镇" not in said


@pytest.mark.parametrize("scope", [CITY, COUNTY_B])
def test_a_county_missing_the_end_month_is_in_no_list_of_changes(city, scope):
    """June to November: 乙县 has no November, so none of its communities is 已撤并, nor its organisations 注销, nor
    its posts 撤销; the city lists 甲县's changes alone (both ends count the same counties, as its figures do)."""
    from socialwork.figures import changes

    compared = changes.compare(JUNE, MISSING_MONTH, Places.within(scope), city)
    for name in ("communities", "served", "service_points", "posts"):
        frame = getattr(compared, name)
        assert "乙县" not in set(frame.get("county_name", [])), name
        if scope == COUNTY_B:
            assert frame.empty, name
    assert not compared.communities["change"].str.startswith("gone").any()
