"""The meeting documents of a city (tests/fixture_city.py) read back with their own libraries (openpyxl, python-pptx,
python-docx, pypdf): named by the city, broken down by county, a county column on every list, and the county that
has not reported the month named wherever a sum lacks it. Values are worked out by hand from the fixture county.

At 2024-11-30 only 甲县 reports (乙县's latest is 2024-06-30). 甲县 then: urban communities C11 (p1 p2), C12 (p3, p10
certified 2024-11-05) and C21 (p4): 2, 2 and 1 certified, so 5 in 3 urban communities, 2 with two, a shortfall of 1;
5 of its 6 villages/communities served (丙二村 not). At 2025-03-31 both report; the ranking's values are those of
tests/test_hierarchy_levels.py::test_county_ranking_against_hand_worked_values.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import openpyxl
import pytest
from docx import Document
from pptx import Presentation
from pypdf import PdfReader

from socialwork import cli
from socialwork.figures import changes, metrics
from socialwork.figures.place_filter import Places
from socialwork.present.documents.exports import export_bytes
from socialwork.present.tables.changes import changes_sheets
from tests.fixture_city import BOTH, CITY, COUNTY_A, COUNTY_B, MISSING_MONTH, write_city_store

JUNE = date(2024, 6, 30)  # 乙县's latest snapshot before the month it missed
MISSING = "报送情况：缺 1 个县数据（乙县：最新 2024-06-30），合计与目标只含已报送的 1 个县"
COUNTY = "县（市、区）"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return write_city_store(tmp_path_factory.mktemp("city_documents"))


def _rows(sheet) -> list[list]:
    """A sheet's table (header first), trailing empty cells dropped."""
    rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    return [[v for v in row] for row in rows if any(v is not None for v in row)]


def _table(shape) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


# ---------------------------------------------------------------- XLSX


@pytest.fixture(scope="module")
def late_book(city):
    # The app passes no names for a city scope: the document names the city itself.
    return openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", MISSING_MONTH, Places.within(CITY), [], city)))


def test_the_workbook_of_a_city_has_county_sheets_and_names_the_late_county(late_book):
    names = late_book.sheetnames
    for county_sheet in ("各县目标排名", "各县城市社区配备", "各县岗位", "各县社工站", "各县督导培训", "购买服务各县"):
        assert county_sheet in names
    assert not {"乡镇可比目标", "各乡镇城市社区配备", "各乡镇督导培训", "购买服务各乡镇"} & set(names)
    for sheet in late_book.worksheets:
        assert sheet["A2"].value == "数据截至 2024年11月30日\u3000范围：测试市", sheet.title
        assert sheet["A3"].value == MISSING, sheet.title


def test_the_county_staffing_sheet_against_hand_worked_values(late_book):
    header, a, b = _rows(late_book["各县城市社区配备"])
    assert header == [COUNTY, "报送情况", "城市社区（个）", "城市社区持证社工（人）", "达到2名的城市社区（个）",
                      "持证缺口（人）", "村（社区）（个）", "有社工服务的村（社区）（个）",
                      "平均持证（人）"]  # fmt: skip
    assert a == ["甲县", "已报送", 3, 5, 2, 1, 6, 5, 1.67]
    assert b[:2] == ["乙县", "未报送（最新 2024-06-30）"] and set(b[2:]) == {None}  # never zeros


@pytest.mark.parametrize("sheet", ["村社区社工配备", "城市社区缺口", "无社工村社区", "社工站", "社工机构"])
def test_every_list_of_a_city_names_the_county_even_while_one_reports(late_book, sheet):
    header, *rows = _rows(late_book[sheet])
    assert header[0] == COUNTY and rows and {row[0] for row in rows} == {"甲县"}


def test_the_workbook_of_both_counties_sums_to_the_city(city):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", BOTH, Places.within(CITY), [], city)))
    _, *rows = _rows(book["各县城市社区配备"])
    # 乙县 without p1 p2: C11 0, C12 2, C21 1 certified; 4 of 6 served (C11 and 丙二村 not).
    assert [row[:8] for row in rows] == [["甲县", "已报送", 3, 5, 2, 1, 6, 5], ["乙县", "已报送", 3, 3, 1, 3, 6, 4]]
    shortfall = _rows(book["城市社区缺口"])
    assert [row[:3] for row in shortfall[1:]] == [["乙县", "甲街道", "甲一社区"], ["甲县", "乙镇", "乙一社区"],
                                                  ["乙县", "乙镇", "乙一社区"]]  # fmt: skip
    assert book["年度目标"]["A3"].value == "报送情况：缺 1 个乡镇（街道）数据（辛乡）"  # listed, never in 乙县's month


# ---------------------------------------------------------------- PPTX


def test_the_deck_of_a_city_ranks_its_counties_where_a_county_has_no_such_slide(city):
    deck = Presentation(io.BytesIO(export_bytes("pptx", BOTH, Places.within(CITY), [], city)))
    ranking = [s for s in deck.slides if any(sh.has_text_frame and sh.text_frame.text == "各县（市、区）目标排名"
                                             for sh in s.shapes)]  # fmt: skip
    assert len(ranking) == 1
    table = next(_table(shape) for shape in ranking[0].shapes if shape.has_table)
    assert table == [
        [COUNTY, "报送情况", "未达标项", "持证社工年度净增（人）", "社工机构数量（家）", "城市社区均持证（人/社区）",
         "社区≥2名占比（%）", "村社有社工（%）", "社区工作者持证率（%）"],
        ["甲县", "已报送", "4", "1", "2", "1.67", "66.7", "83.3", "100.0"],  # 甲县 misses four targets: first
        ["乙县", "已报送", "1", "3", "2", "1.00", "33.3", "66.7", "100.0"],
    ]  # fmt: skip
    one_county = Presentation(io.BytesIO(export_bytes("pptx", BOTH, Places.within(COUNTY_A), ["甲县"], city)))
    assert not any("目标排名" in sh.text_frame.text for s in one_county.slides for sh in s.shapes if sh.has_text_frame)


def test_the_deck_of_a_late_month_says_which_county_is_missing(city):
    deck = Presentation(io.BytesIO(export_bytes("pptx", MISSING_MONTH, Places.within(CITY), [], city)))
    slides = list(deck.slides)
    cover = [sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame]
    assert MISSING in cover
    footers = [
        sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame and "范围" in sh.text_frame.text
    ]
    assert footers and all(f == "数据截至 2024年11月30日 · 范围：测试市 · 缺 1 个县数据" for f in footers)
    texts = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides]
    assert MISSING in next(t for t in texts if "年度目标完成情况" in t)  # where the sums are
    ranking = next(s for s, t in zip(slides, texts, strict=True) if "目标排名" in t)
    rows = next(_table(shape) for shape in ranking.shapes if shape.has_table)
    assert rows[1][:5] == ["甲县", "已报送", "4", "3", "2"] and rows[2] == [
        "乙县",
        "未报送（最新 2024-06-30）",
        *["—"] * 7,
    ]
    gaps = next(s for s, t in zip(slides, texts, strict=True) if "缺口清单" in t)
    assert next(_table(shape) for shape in gaps.shapes if shape.has_table)[1] == ["甲县", "乙镇", "乙一社区", "1", "1"]


# ---------------------------------------------------------------- DOCX and PDF


def test_the_docx_of_a_city_names_it_ranks_its_counties_and_says_who_is_missing(city):
    document = Document(io.BytesIO(export_bytes("docx", MISSING_MONTH, Places.within(CITY), [], city)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "数据截至 2024年11月30日 · 范围：测试市 · 缺 1 个县数据；统计期间：2024年1—11月。" in paragraphs
    assert MISSING in paragraphs
    assert "四、各县（市、区）目标完成情况" in paragraphs
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[1].text: t for t in document.tables}
    ranking = [[c.text for c in row.cells] for row in tables[f"{COUNTY}|报送情况"].rows[1:]]
    assert ranking == [["甲县", "已报送", "4", "3", "2", "1.67", "66.7", "83.3", "85.7"],
                       ["乙县", "未报送（最新 2024-06-30）", *["—"] * 7]]  # fmt: skip
    lists = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables if len(t.columns) > 1]
    firsts = [rows[1] for rows in lists if rows[0][:2] == [COUNTY, "乡镇（街道）"]]
    assert firsts == [["甲县", "乙镇", "乙一社区", "1", "1"], ["甲县", "丙乡", "丙二村", "村"]]


def test_the_pdf_of_a_city_names_it_and_the_missing_county(city):
    reader = PdfReader(io.BytesIO(export_bytes("pdf", MISSING_MONTH, Places.within(CITY), [], city)))
    pages = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", page.extract_text())) for page in reader.pages]
    assert all("范围:测试市·缺1个县数据" in page for page in pages)  # every page's foot
    text = "".join(pages)
    assert re.sub(r"\s+", "", unicodedata.normalize("NFKC", MISSING)) in text
    assert "各县(市、区)目标完成情况" in text and "未报送(最新2024-06-30)" in text


# ---------------------------------------------------------------- 变化对比


def test_a_citys_comparison_names_the_county_of_every_row(city):
    compared = changes.compare(MISSING_MONTH, BOTH, Places.within(CITY), city)
    sheets = changes_sheets(compared)
    assert sheets["城市社区达标变化"][[COUNTY, "城市社区"]].values.tolist() == [["乙县", "甲二社区"]]
    assert sheets["岗位"][[COUNTY, "乡镇（街道）", "领域"]].values.tolist() == [["乙县", "乙镇", "禁毒"]]
    for name in ("城市社区达标变化", "村社区服务变化", "社工站与机构", "岗位"):
        assert sheets[name].columns[0] == COUNTY, name
    one = changes_sheets(changes.compare(MISSING_MONTH, BOTH, Places.within(COUNTY_A), city))
    assert all(COUNTY not in table.columns for table in one.values())


@pytest.mark.parametrize(
    ("start", "end", "counted"),
    [(MISSING_MONTH, BOTH, [(COUNTY_A, MISSING_MONTH), (COUNTY_B, JUNE)]), (JUNE, MISSING_MONTH, [(COUNTY_A, JUNE)])],
    ids=["late-at-the-start", "late-at-the-end"],
)
def test_a_citys_comparison_starts_from_the_counties_that_have_its_end(city, start, end, counted):
    """The start sums the counties that have the end's month, each at its latest snapshot on or before the start:
    from 2024-11-30 甲县 then plus 乙县's June (net 3 + 1, organisations 2 + 2: no jump from 2 to 4 when 乙县 comes
    back); to 2024-11-30 甲县 alone at both ends (not both counties in June against 甲县 in November)."""
    compared = changes.compare(start, end, Places.within(CITY), city).targets.set_index("metric_key")
    for key in ("certified_net_increase", "active_organisations", "urban_communities_2plus_share"):
        own = [
            next(k for k in metrics.kpi_report(on, Places.within(county), city).kpis if k.metric_key == key)
            for county, on in counted
        ]
        if key.endswith("share"):  # a ratio of the summed parts: 甲县 2 of 3, 乙县 in June 0 of 3 (p3 alone in C12)
            expected = {MISSING_MONTH: 200 / 6, JUNE: 100 / 3}[start]
        else:
            expected = sum(k.value for k in own)
        assert compared.loc[key, "value_then"] == pytest.approx(expected), key
    assert changes.compare(start, end, Places.within(CITY), city).targets.set_index("metric_key").loc[
        "active_organisations", "change"] == 0  # fmt: skip


def test_a_county_without_one_ends_month_has_no_status_change(city):
    compared = changes.compare(MISSING_MONTH, BOTH, Places.within(CITY), city)
    assert "乙县" not in set(compared.township_statuses["township_name"])
    assert "乙县：最新 2024-06-30" in compared.reporting_then.missing_names


def test_the_changes_command_takes_a_scope(city, capsys):
    args = ["changes", "--from", MISSING_MONTH.isoformat(), "--to", BOTH.isoformat(), "--data", str(city)]
    assert cli.main([*args, "--scope", CITY]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "范围：测试市"
    assert lines[3] == ("报送情况：2025年3月31日缺 1 个乡镇（街道）数据（辛乡）；2024年11月30日缺 1 个县数据"
                        "（乙县：最新 2024-06-30），该县按其此前最新一期数据对比")  # fmt: skip
    crossing = lines.index("【城市社区达标变化】（1 行）")
    assert lines[crossing + 1].startswith(f"{COUNTY}\t变化") and lines[crossing + 2].startswith("乙县\t")
    assert cli.main([*args, "--scope", COUNTY_B]) == 0
    out = capsys.readouterr().out
    assert "范围：乙县" in out and f"{COUNTY}\t" not in out
    assert cli.main([*args, "--scope", CITY, "--township", "甲街道"]) == 2
