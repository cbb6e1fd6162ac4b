"""Tables as downloadable files (CSV, XLSX) that carry their as-of date and filter."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from socialwork.data.spreadsheet import csv_frame, excel_frame, keep_text, strip_control
from socialwork.present.formatting import as_of_stamp

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


def xlsx_bytes(sheets: pd.DataFrame | dict[str, pd.DataFrame], as_of: date, scope: str, title: str) -> bytes:
    """One sheet per table: a title row, a row with the as-of date and scope, then the table, header frozen.

    Every text cell is stored as text, never as a formula, and without the control characters Excel refuses."""
    if isinstance(sheets, pd.DataFrame):
        sheets = {"数据": sheets}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            excel_frame(frame.head(XLSX_MAX_ROWS)).to_excel(writer, sheet_name=name, index=False, startrow=3)
            _decorate(writer.sheets[name], frame, f"{title}·{name}" if len(sheets) > 1 else title, as_of, scope)
            keep_text(writer.sheets[name])
    return buffer.getvalue()


def xlsx_cut_note(rows: int) -> str | None:
    """Row 3 of a sheet cut at XLSX_MAX_ROWS."""
    if rows <= XLSX_MAX_ROWS:
        return None
    return f"共 {rows:,} 行，Excel 文件只含前 {XLSX_MAX_ROWS:,} 行；完整数据请下载 CSV，或按乡镇（街道）筛选后下载。"


def _decorate(sheet, frame: pd.DataFrame, title: str, as_of: date, scope: str) -> None:
    sheet["A1"] = strip_control(title)
    sheet["A1"].font = Font(size=14, bold=True)
    sheet["A2"] = strip_control(f"{as_of_stamp(as_of)}　范围：{scope}")
    note = xlsx_cut_note(len(frame))
    if note:
        sheet["A3"] = note
        sheet["A3"].font = Font(bold=True, color="A50026")
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in frame[column].head(200))]) * 1.6 + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 40)
    sheet.freeze_panes = "A5"
