"""The Excel template data staff fill in, and a snapshot written in the same layout.

One sheet per contract table, named by its Chinese label; row 1 holds the Chinese column headers,
row 2 a note per column (required or not, type, allowed values), data from row 3. Enumerations are
written as their Chinese labels, yes/no as 是/否. A hidden sheet 选项 feeds Excel's drop-down lists.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from socialwork.data.contract.schema import Column, Table
from socialwork.data.contract.tables import ENUMS, ID_NUMBER_HEADERS, TABLES
from socialwork.data.importing.sheets import (
    COVER_SHEET,
    NOTE_PREFIXES,
)  # the first sheet of a county's template; the import passes over it
from socialwork.data.importing.spreadsheet import keep_text_in_workbook, strip_control

NOTE_ROW = 2
FIRST_DATA_ROW = 3
OPTIONS_SHEET = "选项"
YES, NO = "是", "否"
# People sheets may carry the ID-card number instead of 人员编号: the import hashes it with a secret key.
ID_NUMBER_HEADER = ID_NUMBER_HEADERS[0]  # 身份证号; the import also reads the other spellings
ID_NUMBER_NOTE = "可空；填写后系统用密钥生成人员编号，身份证号本身不保存"
MAX_ROWS_WITH_LISTS = 5000

TYPE_HINTS = {"VARCHAR": "文本", "DATE": "日期 YYYY-MM-DD", "INTEGER": "整数", "DOUBLE": "数字", "BOOLEAN": "是/否"}


def column_note(column: Column) -> str:
    """What goes in a column, in a few Chinese words."""
    parts = [NOTE_PREFIXES[1] if column.nullable else NOTE_PREFIXES[0], TYPE_HINTS[column.type]]
    if column.enum:
        parts.append("可选：" + "、".join(column.enum.labels.values()))
    if column.minimum is not None or column.maximum is not None:
        low = "" if column.minimum is None else f"≥{column.minimum:g}"
        high = "" if column.maximum is None else f"≤{column.maximum:g}"
        parts.append(" ".join(p for p in (low, high) if p))
    if column.past:
        parts.append("不晚于数据日期")
    if column.references:
        parts.append("须为已登记的代码")
    return "；".join(parts)


def headers(table: Table) -> list[tuple[str, str]]:
    """(header, note) for every column of a table's sheet, in order."""
    out = [(c.label, column_note(c)) for c in table.columns]
    if table.name == "people":
        out.insert(1, (ID_NUMBER_HEADER, ID_NUMBER_NOTE))
        out[0] = (out[0][0], "可空（有身份证号时）；" + out[0][1].split("；", 1)[1])
    return out


def _options_sheet(book: Workbook) -> dict[str, str]:
    """A hidden sheet listing every enumeration's labels; returns enum name -> range formula."""
    sheet = book.create_sheet(OPTIONS_SHEET)
    ranges = {}
    lists = [(e.name, list(e.labels.values())) for e in ENUMS] + [("boolean", [YES, NO])]
    for index, (name, labels) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=name)
        for row, label in enumerate(labels, start=2):
            sheet.cell(row=row, column=index, value=label)
        ranges[name] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(labels) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _write_sheet(book: Workbook, table: Table, rows: list[list], options: dict[str, str]) -> None:
    sheet = book.create_sheet(table.label)
    columns = headers(table)
    note_font, header_fill = Font(italic=True, color="666666", size=9), PatternFill("solid", fgColor="DCE6F1")
    for index, (header, note) in enumerate(columns, start=1):
        sheet.cell(row=1, column=index, value=header).font = Font(bold=True)
        sheet.cell(row=1, column=index).fill = header_fill
        cell = sheet.cell(row=NOTE_ROW, column=index, value=note)
        cell.font, cell.alignment = note_font, Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(30, len(header) * 2 + 4))
    sheet.row_dimensions[NOTE_ROW].height = 60
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    for row in rows:
        sheet.append(row)
    if table.name == "people":  # ID-card numbers as text: as numbers Excel keeps only 15 digits
        sheet.column_dimensions["B"].number_format = "@"
    by_label = {c.label: c for c in table.columns}
    last = max(FIRST_DATA_ROW + len(rows) + 200, MAX_ROWS_WITH_LISTS)
    for index, (header, _) in enumerate(columns, start=1):
        column = by_label.get(header)
        source = (
            None if column is None else (column.enum.name if column.enum else column.type == "BOOLEAN" and "boolean")
        )
        if source:
            letter = get_column_letter(index)
            check = DataValidation(type="list", formula1=f"={options[source]}", allow_blank=column.nullable)
            check.error, check.errorTitle = "请从下拉列表中选择", "取值不在允许范围"
            check.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
            sheet.add_data_validation(check)


def _cell(value: object, column: Column) -> object:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return None
    if column.enum:
        return column.enum.label_of(str(value))
    if column.type == "BOOLEAN":
        return YES if bool(value) else NO
    if column.type == "DATE":
        return pd.Timestamp(value).date()
    if column.type == "INTEGER":
        return int(value)
    return strip_control(value)


def cover_lines(county_name: str) -> list[str]:
    """The cover sheet: the county's name as title, then how to fill the workbook in."""
    return [
        f"{county_name}社会工作人才数据导入模板",
        "每个数据表一个工作表：第 1 行为列名，第 2 行为填写说明，从第 3 行起填写数据；有下拉列表的列请从列表中选择。",
        "“年度目标”和“实施步骤与举措”：第一期必须填写年度目标；以后各期如无变化，可删去这两个工作表，导入时沿用上一期。",
        "姓名、身份证号、电话不会被保存；身份证号只用于生成人员编号。",
        "导入：python -m socialwork import 文件.xlsx --as-of 数据日期（月末） --data 数据目录，"
        "或登录看板的“数据导入”页上传。",
        f"本工作表（{COVER_SHEET}）不是数据表，导入时忽略。",
    ]


def _cover_sheet(book: Workbook, county_name: str) -> None:
    sheet = book.create_sheet(COVER_SHEET)
    for row, line in enumerate(cover_lines(county_name), start=1):
        sheet.cell(row=row, column=1, value=line).font = Font(bold=row == 1, size=16 if row == 1 else 11)
    sheet.column_dimensions["A"].width = 120


def workbook_bytes(frames: dict[str, pd.DataFrame] | None = None, county_name: str | None = None) -> bytes:
    """The template (frames=None), or a snapshot's tables in the template's layout; with county_name, a cover
    sheet first that names the county. Text never becomes a formula."""
    book = Workbook()
    book.remove(book.active)
    if county_name:
        _cover_sheet(book, county_name)
    options = _options_sheet(book)
    for table in TABLES:
        rows = []
        if frames is not None:
            frame = frames[table.name]
            for record in frame.itertuples(index=False):
                values = dict(zip(frame.columns, record, strict=True))
                row = [_cell(values[c.name], c) for c in table.columns]
                if table.name == "people":
                    row.insert(1, None)  # no ID-card numbers ever leave the store: there are none in it
                rows.append(row)
        _write_sheet(book, table, rows, options)
    book.move_sheet(OPTIONS_SHEET, offset=len(TABLES))
    keep_text_in_workbook(book)
    if county_name:
        book.properties.title = f"{county_name}社会工作人才数据导入模板"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_bytes(county_name: str | None = None) -> bytes:
    """The empty template; with county_name, its cover sheet names the county (nothing else is filled in)."""
    return workbook_bytes(None, county_name)


def template_name(as_of: date | None = None, county_name: str | None = None) -> str:
    """e.g. 云溪县社工人才数据导入模板.xlsx"""
    return f"{county_name or ''}社工人才数据导入模板{'_' + as_of.isoformat() if as_of else ''}.xlsx"
