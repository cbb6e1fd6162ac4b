"""Tables as downloadable files (CSV, XLSX) that carry their as-of date and filter."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from socialwork.data.importing.spreadsheet import csv_frame, excel_frame, keep_text, strip_control
from socialwork.present.tables.html import decimals_of
from socialwork.present.words.formatting import as_of_stamp

MAX_SCOPE_IN_NAME = 3
# openpyxl writes about 30,000 cells a second: a sheet stops at this many rows (a note says so) and the CSV,
# which is quick at any size, carries everything. A province's 30,000 villages and communities still fit.
XLSX_MAX_ROWS = 50_000


def file_name(stem: str, as_of: date, township_names: tuple[str, ...] | list[str], extension: str) -> str:
    """e.g. 乡镇目标对比_全县_2026-10-31.xlsx; at most three township names, then 等N个乡镇."""
    names = list(township_names)
    if not names:
        scope = "全县"
    elif len(names) <= MAX_SCOPE_IN_NAME:
        scope = "-".join(names)
    else:
        scope = f"{'-'.join(names[:MAX_SCOPE_IN_NAME])}等{len(names)}个乡镇"
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", f"{stem}_{scope}_{as_of.isoformat()}")
    return f"{safe}.{extension}"


def csv_bytes(frame: pd.DataFrame, as_of: date, scope: str) -> bytes:
    """UTF-8 with BOM (Excel opens it with Chinese intact); the as-of date and scope as the first columns.

    Text Excel would run as a formula starts with an apostrophe (spreadsheet.csv_value)."""
    out = frame.copy()
    out.insert(0, "范围", scope)
    out.insert(0, "数据截至", as_of.isoformat())
    # CRLF as RFC 4180 and Excel: a field holding a carriage return is then quoted instead of splitting its row.
    return csv_frame(out).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


Formats = dict[str, str | list[str]]  # column -> one Excel number format, or one per row


def xlsx_bytes(
    sheets: pd.DataFrame | dict[str, pd.DataFrame], as_of: date, scope: str, title: str,
    formats: dict[str, Formats] | None = None, note: str = "",
) -> bytes:  # fmt: skip
    """One sheet per table: a title row, a row with the as-of date and scope, a note (the reporting status of a scope
    that lacks a county), then the table, header frozen.

    Numbers stay numbers with an Excel number format (decimals as shown, thousands separators; formats may give a
    sheet's columns their own, per column or per row), dates stay dates, columns are as wide as their text. Every
    text cell is stored as text, never as a formula, and without the control characters Excel refuses."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {"数据": sheets}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="YYYY-MM-DD") as writer:
        for name, frame in sheets.items():
            excel_frame(frame.head(XLSX_MAX_ROWS)).to_excel(writer, sheet_name=name, index=False, startrow=3)
            sheet = writer.sheets[name]
            _decorate(sheet, frame, f"{title}·{name}" if len(sheets) > 1 else title, as_of, scope, note)
            _number_formats(sheet, frame.head(XLSX_MAX_ROWS), (formats or {}).get(name, {}))
            keep_text(sheet)
            if len(frame.columns) and len(frame):  # every table sorts and filters in Excel from its header row
                last = sheet.cell(4 + min(len(frame), XLSX_MAX_ROWS), len(frame.columns)).coordinate
                sheet.auto_filter.ref = f"A4:{last}"
    return buffer.getvalue()


def xlsx_cut_note(rows: int) -> str | None:
    """Row 3 of a sheet cut at XLSX_MAX_ROWS."""
    if rows <= XLSX_MAX_ROWS:
        return None
    return f"共 {rows:,} 行，Excel 文件只含前 {XLSX_MAX_ROWS:,} 行；完整数据请下载 CSV，或按乡镇（街道）筛选后下载。"


def number_format(column: pd.Series) -> str | None:
    """The Excel format of a column as the app shows it: #,##0 for counts, #,##0.0 for one decimal, dates as
    dates; None for text."""
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        present = column.dropna()
        return "yyyy-mm-dd" if len(present) and all(isinstance(v, date) for v in present) else None
    places = decimals_of(column)
    return "#,##0" if places == 0 else f"#,##0.{'0' * places}"


def _number_formats(sheet, frame: pd.DataFrame, given: Formats) -> None:
    for index, column in enumerate(frame.columns, start=1):
        chosen = given.get(column) or number_format(frame[column])
        if chosen is None:
            continue
        per_row = chosen if isinstance(chosen, list) else [chosen] * len(frame)
        for row, fmt in enumerate(per_row, start=5):
            sheet.cell(row=row, column=index).number_format = fmt


def text_width(value: object) -> float:
    """Excel's column width for a value: a Chinese character is two of its units, a digit or letter one."""
    text = str(value)
    return sum(2.0 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in text)


def _decorate(sheet, frame: pd.DataFrame, title: str, as_of: date, scope: str, note: str = "") -> None:
    sheet["A1"] = strip_control(title)
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A2"] = strip_control(f"{as_of_stamp(as_of)}　范围：{scope}")
    note = "；".join(part for part in (note, xlsx_cut_note(len(frame))) if part)
    if note:
        sheet["A3"] = strip_control(note)
        sheet["A3"].font = Font(bold=True, color="A50026")
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, column in enumerate(frame.columns, start=1):
        shown = [f"{v:,.2f}" if isinstance(v, float) else v for v in frame[column].head(500) if v is not None]
        width = max([text_width(column) * 0.6, *(text_width(v) for v in shown)], default=8) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60)
    sheet.freeze_panes = "A5"
