"""A month assembled by a reporting round says so wherever leaders look, as a month that lacks a county does: on
总览, on the deck's cover and every slide's footer, in the PDF report, on every sheet of the XLSX; the open round's
progress on 数据导入. Worked on a copy of the fixture county whose April 2025 is published by a round
(tests/published_round.py: 15 of 16 units approved, 丙乡 carried forward), so that a merge cannot drop the line."""

from __future__ import annotations

import io
import re
import shutil
import unicodedata

import openpyxl
import pytest
from docx import Document
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.server import serverdb
from socialwork.figures import db, reporting_status
from socialwork.figures.place_filter import Places
from socialwork.present.documents.exports import export_bytes
from socialwork.present.staff.auth import load_users, save_user
from socialwork.present.words.plaintext import markdown_text
from tests import fixture_county as fx
from tests.accounts import sign_in
from tests.published_round import (
    ADMINISTERING,
    ASSEMBLED,
    ASSEMBLED_SHORT,
    BASE,
    DEADLINE,
    MONTH,
    REVIEWING,
    open_round,
    publish_a_round,
)

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
NOBODY = "postgresql://socialwork@127.0.0.1:9/socialwork"  # the discard port: refused at once


def flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def published(fixture_store, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(serverdb.DB_ENV, raising=False)
        data = tmp_path_factory.mktemp("published_round") / "county"
        shutil.copytree(fixture_store, data)
        publish_a_round(data)
    return data


@pytest.fixture
def served(published, monkeypatch):
    monkeypatch.delenv(serverdb.DB_ENV, raising=False)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(published))
    return published


def test_the_assembly_is_read_for_the_published_month_only(served):
    assembly = reporting_status.assembly_at(served, MONTH)
    assert (assembly.reported, assembly.unit_count, assembly.carried) == (15, 16, ("丙乡",))
    assert assembly.text() == ASSEMBLED
    assert reporting_status.assembly_short_text(assembly) == ASSEMBLED_SHORT
    assert reporting_status.assembly_at(served, BASE) is None  # imported whole
    assert reporting_status.round_progress(served) is None  # no round open


@pytest.mark.parametrize(
    "unanswering",
    [NOBODY, "sqlite:///{folder}/no such folder/server.sqlite"],  # PostgreSQL refused; a SQLite file not opened
    ids=["postgresql", "sqlite"],
)
def test_nothing_is_said_and_nothing_fails_while_the_server_database_is_down(
    published, monkeypatch, tmp_path, unanswering
):
    monkeypatch.setenv(serverdb.DB_ENV, unanswering.format(folder=tmp_path))
    db.forget_results()  # the month's assembly read by an earlier test is kept per store version
    assert reporting_status.assembly_at(published, MONTH) is None
    assert reporting_status.round_progress(published) is None


def test_the_overview_says_how_the_month_was_assembled(served):
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.endswith("总览")
    shown = [w.value for w in at.warning]  # a unit carried forward: last month's figures, a warning
    assert markdown_text(ASSEMBLED) in shown, shown  # as the page writes names: literal, never markup
    earlier = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    earlier.query_params["asof"] = BASE.isoformat()
    earlier.run()
    assert not [w for w in earlier.warning if "上报汇总" in w.value]


def test_the_deck_says_it_on_the_cover_and_in_every_footer(served):
    deck = Presentation(io.BytesIO(export_bytes("pptx", MONTH, Places.everywhere(), [], served)))
    slides = list(deck.slides)
    cover = [sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame]
    assert ASSEMBLED in cover
    footers = [
        sh.text_frame.text for s in slides[1:] for sh in s.shapes if sh.has_text_frame and "范围" in sh.text_frame.text
    ]
    assert len(footers) == len(slides) - 1
    assert all(f == f"数据截至 2025年4月30日 · 范围：全县 · {ASSEMBLED_SHORT}" for f in footers), footers[0]


def test_the_pdf_says_it_in_its_summary_and_on_every_page(served):
    reader = PdfReader(io.BytesIO(export_bytes("pdf", MONTH, Places.everywhere(), [], served)))
    pages = [flat(page.extract_text()) for page in reader.pages]
    assert all(flat(ASSEMBLED_SHORT) in page for page in pages)
    assert flat(ASSEMBLED) in "".join(pages)


def test_the_docx_says_it_under_its_stamp_and_in_its_summary(served):
    document = Document(io.BytesIO(export_bytes("docx", MONTH, Places.everywhere(), [], served)))
    paragraphs = [p.text for p in document.paragraphs]
    assert f"数据截至 2025年4月30日 · 范围：全县 · {ASSEMBLED_SHORT}；统计期间：2025年1—4月。" in paragraphs
    assert ASSEMBLED in paragraphs


def test_every_sheet_of_the_workbook_says_it_under_the_stamp(served):
    book = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", MONTH, Places.everywhere(), [], served)))
    for sheet in book.worksheets:
        assert sheet["A3"].value == ASSEMBLED, sheet.title
    earlier = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx", BASE, Places.everywhere(), [], served)))
    assert earlier.worksheets[0]["A3"].value is None


def test_the_import_page_shows_the_open_rounds_progress(fixture_store, tmp_path, monkeypatch):
    monkeypatch.delenv(serverdb.DB_ENV, raising=False)
    data = tmp_path / "county"
    shutil.copytree(fixture_store, data)
    flow, round_id = open_round(data)
    flow.submit_same_as_base(ADMINISTERING, round_id, fx.T1)
    flow.approve(REVIEWING, round_id, fx.T1)
    flow.submit_same_as_base(ADMINISTERING, round_id, fx.T2)
    # Read on the real clock, long past the fixture's deadline: the 14 units that never submitted are overdue.
    expected = f"4 月上报进行中：已提交 2 / 16，已通过 1，逾期 14，截止 {DEADLINE}"
    assert reporting_status.round_progress(data).text() == expected

    users = tmp_path / "users.toml"
    save_user(users, "zhang", "数据员小张", "correct horse")
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(users))
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(data))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    sign_in(at, monkeypatch, tmp_path, load_users()["zhang"], "reviewer")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(i.value.startswith(expected) for i in at.info), [i.value for i in at.info]
