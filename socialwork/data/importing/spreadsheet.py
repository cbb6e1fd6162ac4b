"""Text written into spreadsheets stays text: no formula injection, no control characters Excel refuses.

Excel runs a cell starting with = + - @ (or a tab or carriage return) as a formula, and openpyxl (like
python-docx) raises on the control characters Excel cannot store: `strip_control`, `keep_text` and `csv_frame`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# OWASP "CSV injection": a cell starting with one of these is a formula to Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def strip_control(value: object) -> object:
    """Text without the control characters XML 1.0 cannot hold, which Excel refuses and openpyxl and python-docx
    raise on (tab, line feed and carriage return stay); any other value unchanged."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def formula_like(value: object) -> bool:
    """Text a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def keep_text(sheet: Worksheet) -> None:
    """Every cell of the sheet whose text looks like a formula is stored, and stays on editing, as text.

    openpyxl stores a str starting with "=" as a formula: its type is set back to text after assigning, and
    Excel's quote prefix (the XLSX form of a leading apostrophe) keeps any such text a text when edited.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def keep_text_in_workbook(book: Workbook) -> None:
    """keep_text on every sheet of a workbook."""
    for sheet in book.worksheets:
        keep_text(sheet)


def excel_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its text (headers too) fit for XLSX cells; numbers, dates and booleans untouched."""
    return _map_text(frame, strip_control)


def csv_value(value: object) -> object:
    """A CSV cell: text loses the control characters, and text Excel would run gets a leading apostrophe."""
    text = strip_control(value)
    return f"'{text}" if formula_like(text) else text


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and header made safe for CSV (csv_value); a negative number stays a number."""
    return _map_text(frame, csv_value)


def _map_text(frame: pd.DataFrame, rule: Callable[[object], object]) -> pd.DataFrame:
    out = frame.rename(columns=lambda c: rule(c) if isinstance(c, str) else c)
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        dtype = column.dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype) or dtype == "category":
            out.isetitem(position, column.map(rule))
    return out
