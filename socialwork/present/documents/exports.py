"""Every meeting document by kind (pptx, pdf, xlsx, docx): its button's label, its file type and its bytes, for the
presentation mode's export panel and the `export` command."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from socialwork.figures.place_filter import Places
from socialwork.present.documents.databook import tables_workbook_bytes
from socialwork.present.documents.report import report_data
from socialwork.present.documents.report_pdf import report_pdf_bytes
from socialwork.present.meeting.slides import meeting
from socialwork.present.tables.places import scope_name


def export_bytes(
    kind: str, as_of: date, places: Places, township_names: list[str] | None, data: Path | None = None
) -> bytes:
    """One meeting document for the snapshot and township filter: pptx, pdf, xlsx or docx."""
    if kind == "xlsx":
        return tables_workbook_bytes(as_of, places, scope_name(as_of, places, township_names, data), data)
    if kind == "pptx":
        from socialwork.present.documents.deck import deck_bytes  # python-pptx: imported when a deck is asked for

        return deck_bytes(meeting(as_of, places, township_names, data))
    content = report_data(as_of, places, township_names, data, with_figures=True)  # charts in both
    if kind == "pdf":
        return report_pdf_bytes(content)
    from socialwork.present.documents.report_docx import report_docx_bytes  # python-docx, likewise

    return report_docx_bytes(content)


EXPORT_KINDS = {
    "pptx": ("演示文稿（PPTX）", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "pdf": ("报告（PDF）", "application/pdf"),
    "xlsx": ("全部数据表（XLSX）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("年度总结（DOCX）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def export_label(kind: str, as_of: date) -> str:
    """The button's name of a document: the DOCX is a 年度总结 only on 31 December, else a 阶段性进展报告."""
    if kind == "docx" and (as_of.month, as_of.day) != (12, 31):
        return "阶段性进展报告（DOCX）"
    return EXPORT_KINDS[kind][0]
