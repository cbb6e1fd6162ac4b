"""Spreadsheet formula injection: text that Excel would run as a formula is written as text in every XLSX and CSV,
control characters Excel refuses never break an export, and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.contract.tables import TABLES
from socialwork.data.importing.workbook import template_bytes, workbook_bytes
from socialwork.data.storage.store import read_table
from socialwork.figures.place_filter import EVERYWHERE, Places
from socialwork.present.documents.exports import export_bytes
from socialwork.present.screen import cards
from socialwork.present.tables.files import csv_bytes, xlsx_bytes
from tests.fixture_county import HOSTILE_TOWNSHIPS, T2

DAY = date(2024, 11, 30)
ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
HOSTILE = ['=HYPERLINK("http://evil.example","点我")', "+1", "-cmd", "@SUM(A1)", "\t=1", "\r=2", "a\x00b", "\x00=3"]
WRITTEN = ['=HYPERLINK("http://evil.example","点我")', "+1", "-cmd", "@SUM(A1)", "\t=1", "\r=2", "ab", "=3"]
PAGES = ["targets", "staffing", "posts", "stations", "incentives", "purchases"]


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "名称": HOSTILE,
            "=列": ["x"] * len(HOSTILE),
            "变化": [-3, -1, 0, 1, 2, 3, 4, 5],
            "比例": [-0.5, 1.5, 0.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )


def cells(content: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def formulas(content: bytes) -> list[str]:
    return [f"{c.parent.title}!{c.coordinate}={c.value!r}" for c in cells(content) if c.data_type == "f"]


def texts(content: bytes) -> set[str]:
    return {c.value for c in cells(content) if isinstance(c.value, str)}


def test_xlsx_download_writes_formula_like_text_as_text():
    content = xlsx_bytes(hostile_frame(), DAY, "全县", "标题")
    assert formulas(content) == []
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[4]] == ["名称", "=列", "变化", "比例"]
    assert [sheet.cell(row=r, column=1).value for r in range(5, 5 + len(HOSTILE))] == WRITTEN
    assert [sheet.cell(row=r, column=1).quotePrefix for r in range(5, 8)] == [True, True, True]
    assert [sheet.cell(row=r, column=3).value for r in range(5, 8)] == [-3, -1, 0]
    assert {sheet.cell(row=r, column=c).data_type for r in range(5, 13) for c in (3, 4)} == {"n"}


def test_csv_download_escapes_formula_like_text_but_not_numbers():
    text = csv_bytes(hostile_frame(), DAY, "-范围").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["数据截至", "范围", "名称", "'=列", "变化", "比例"]
    assert [r[2] for r in rows[1:]] == [
        "'" + '=HYPERLINK("http://evil.example","点我")', "'+1", "'-cmd", "'@SUM(A1)", "'\t=1", "'\r=2", "ab", "'=3"
    ]  # fmt: skip
    assert {r[1] for r in rows[1:]} == {"'-范围"}
    assert [r[4] for r in rows[1:]] == ["-3", "-1", "0", "1", "2", "3", "4", "5"]
    assert [r[5] for r in rows[1:]][:2] == ["-0.5", "1.5"]


def test_snapshot_workbook_keeps_stored_text_as_text(hostile_store):
    frames = {t.name: read_table(hostile_store, DAY, t) for t in TABLES}
    content = workbook_bytes(frames)
    assert formulas(content) == []
    written = texts(content)
    assert set(HOSTILE_TOWNSHIPS.values()) <= written
    assert {"@SUM(A1)", "\t=1", "ab", "=1+2", "机构三", "=目标"} <= written


def page_downloads(store, monkeypatch) -> dict[str, pd.DataFrame]:
    """Every table the pages offer for download, as each page hands it to cards.download_buttons/download_sheets."""
    offered: dict[str, pd.DataFrame] = {}

    def buttons(frame, stem, filters, title, key):
        offered[key] = cards._frame(frame)

    def sheets(tables, stem, filters, title, key):
        offered.update({f"{key}·{name}": cards._frame(table) for name, table in tables.items()})

    monkeypatch.setattr(cards, "download_buttons", buttons)
    monkeypatch.setattr(cards, "download_sheets", sheets)
    monkeypatch.setenv("SOCIALWORK_DATA", str(store))
    for page in PAGES:
        at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
        at.query_params["asof"] = DAY.isoformat()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    return offered


def test_every_xlsx_and_csv_the_project_writes_has_no_formula(hostile_store, monkeypatch):
    downloads = page_downloads(hostile_store, monkeypatch)
    assert len(downloads) >= 15, sorted(downloads)
    written = {
        f"page download {key}": xlsx_bytes(frame, DAY, HOSTILE_TOWNSHIPS[T2], key) for key, frame in downloads.items()
    }
    written["export --format xlsx (county)"] = export_bytes("xlsx", DAY, EVERYWHERE, None, hostile_store)
    written["export --format xlsx (+1)"] = export_bytes(
        "xlsx", DAY, Places.townships([T2]), [HOSTILE_TOWNSHIPS[T2]], hostile_store
    )
    written["template"] = template_bytes()
    for name, content in written.items():
        assert formulas(content) == [], name
    everything = set().union(*(texts(c) for c in written.values()))
    assert set(HOSTILE_TOWNSHIPS.values()) <= everything
    assert {"@SUM(A1)", "\t=1", "ab", "=1+2", "-2+3 <b>部门</b>"} <= everything
    for key, frame in downloads.items():
        rows = list(csv.reader(io.StringIO(csv_bytes(frame, DAY, "全县").decode("utf-8-sig"), newline="")))
        assert not [v for row in rows for v in row if v[:1] in ("=", "+", "@", "\t", "\r")], key
        assert not [v for row in rows for v in row if v[:1] == "-" and not _number(v)], key


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("value", ["a\x00b", "\x00=3", "=1"])
def test_a_stored_name_of_any_kind_never_breaks_the_docx_summary(hostile_store, value):
    from docx import Document

    content = export_bytes("docx", DAY, Places.townships([T2]), [value], hostile_store)
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert f"范围：{value.replace(chr(0), '')}" in paragraphs
