"""A workbook read at a bounded cost: only the cells the sheet's XML holds, streamed, and caps on what one import may
read, each refused in Chinese naming the cap and where it was passed.

openpyxl's ordinary mode walks a sheet's whole declared range: one formatted cell at XFD3000 made it build 49
million cells (170 s, ~13 GB). Here each sheet's XML is parsed row by row (openpyxl's own worksheet parser, as its
read-only mode uses it), every written cell counts against the import's cell budget, and only cells holding a value
are kept: a grid ends at the last row and column with a value, whatever the sheet declares or formats.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.worksheet._reader import DATA_TAG, FORMULA_TAG, MERGE_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from socialwork.data.importing.cells import UncachedFormula
from socialwork.data.importing.sheets import SheetError, displayed


@dataclass(frozen=True)
class Limits:
    """What one import may read. A county's 100,000-person register (18 columns) is about 1.9 million cells."""

    file_bytes: int = 64 * 1024 * 1024  # the file as uploaded
    unpacked_bytes: int = 512 * 1024 * 1024  # its parts unpacked (a zip bomb is refused before it is read)
    rows: int = 200_000  # per sheet: the last row holding a value
    columns: int = 200  # per sheet: the last column holding a value
    cells: int = 4_000_000  # per import: every cell a sheet's XML writes, formatted only or holding a value


LIMITS = Limits()
TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"
MERGE_CELL_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"


def _size(number: int) -> str:
    return f"{number / 1024 / 1024:,.0f} MB"


def check_file_size(content: bytes, name: str, limits: Limits = LIMITS) -> None:
    """A file larger than the cap, refused before it is opened."""
    if len(content) > limits.file_bytes:
        raise SheetError([f"文件“{displayed(name)}”有 {_size(len(content))}，超过一次导入的上限 "
                          f"{_size(limits.file_bytes)}；请删去无关的工作表、图片或格式后另存再导入，"
                          "或按数据表分成几个 CSV 文件"])  # fmt: skip


def check_archive(content: bytes, name: str, limits: Limits = LIMITS) -> None:
    """The workbook's parts unpacked, by the sizes its zip directory declares (which reading never exceeds)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            parts = archive.infolist()
            declares_entities = unpacked <= limits.unpacked_bytes and any(_has_dtd(archive, i) for i in parts)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, zlib.error):
        return  # opening it says it is damaged, in its own words
    if declares_entities:  # Excel never writes a DTD; entities expand while the XML is streamed (billion laughs)
        raise SheetError([f"无法读取 XLSX 工作簿“{displayed(name)}”："
                          "文件内部的 XML 已损坏或含有不安全的内容（如实体扩展）；"
                          "请在 Excel 中打开并另存为新文件后再导入"])  # fmt: skip
    if unpacked > limits.unpacked_bytes:
        raise SheetError([f"文件“{displayed(name)}”解压后有 {_size(unpacked)}，超过一次导入的上限 "
                          f"{_size(limits.unpacked_bytes)}（文件可能含有大量格式或已损坏）；"
                          "请在 Excel 中只复制数据到新工作簿后再导入"])  # fmt: skip


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part declares a document type (and so may declare entities): it would do so in its prolog."""
    if not info.filename.endswith((".xml", ".rels")):
        return False
    with archive.open(info) as part:
        head = part.read(4096)
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


@dataclass
class Budget:
    """Cells an import has read so far, against the cap; refuses past it naming the sheet."""

    limits: Limits = LIMITS
    cells: int = 0

    def spend(self, cells: int, sheet: str) -> None:
        self.cells += cells
        if self.cells > self.limits.cells:
            raise SheetError([f"读到“{displayed(sheet)}”时已超过 {self.limits.cells:,} 个单元格（一次导入的上限，"
                              "含只有格式的空单元格）；请删除多余的行、列和格式（选中空白区域→清除全部），"
                              "或把数据复制到新工作簿后再导入"])  # fmt: skip


@dataclass(frozen=True)
class Sheet:
    """A worksheet as the workbook lists it: its title, whether it is visible, and its XML part."""

    title: str
    sheet_state: str
    path: str


@dataclass
class Book:
    """A workbook's parts needed to read its sheets' values; its sheets are parsed one at a time by read_sheet."""

    archive: zipfile.ZipFile
    shared_strings: list
    epoch: object
    date_formats: set
    timedelta_formats: set
    worksheets: list[Sheet]

    def close(self) -> None:
        self.archive.close()


def open_book(content: bytes) -> Book:
    """The workbook's sheet list, shared strings and date styles, as openpyxl's read-only mode reads them, without
    its read-only worksheets (each of which parses its whole sheet once to size it when the dimension is missing)."""
    reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [Sheet(sheet.name, sheet.state or "visible", rel.target) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]  # fmt: skip
    except Exception:
        reader.archive.close()
        raise
    wb = reader.wb
    return Book(reader.archive, reader.shared_strings, wb.epoch, wb._date_formats, wb._timedelta_formats, sheets)


class _Parser(WorkSheetParser):
    """openpyxl's worksheet parser reading each cell's saved value; a formula saved without one is UncachedFormula;
    inline strings (files written by programs) read directly, not through openpyxl's rich-text objects."""

    def parse_cell(self, element):  # openpyxl's signature
        if element.get("t") == "inlineStr":
            text = "".join(t.text or "" for t in element.iter(TEXT_TAG))
            row, column = coordinate_to_tuple(element.get("r")) if element.get("r") else self._next_position()
            self.col_counter = column
            return {"row": row, "column": column, "value": text or None, "data_type": "s", "style_id": 0}
        cell = super().parse_cell(element)
        if cell["value"] is None:
            formula = element.find(FORMULA_TAG)
            if formula is not None:
                cell["value"] = UncachedFormula("=" + (formula.text or ""))
        return cell

    def _next_position(self) -> tuple[int, int]:
        return self.row_counter, self.col_counter + 1

    def parse(self):  # openpyxl's signature
        """(row number, cells) of each row of sheetData, and the merged ranges' refs; every other part of the sheet
        (validations, formatting, hyperlinks…) is dropped as it is read, so memory stays that of one row."""
        self.hidden_rows: set[int] = set()
        self.merged_refs: list[str] = []
        depth, section = 0, None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                depth += 1
                if depth == 2:
                    section = element.tag
                continue
            depth -= 1
            if section == DATA_TAG and depth == 2 and element.tag == ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                yield row
            elif section == MERGE_TAG and depth == 2 and element.tag == MERGE_CELL_TAG:
                self.merged_refs.append(element.get("ref", ""))
                element.clear()
            elif section not in (DATA_TAG, MERGE_TAG) or depth < 2:
                element.clear()

    def parse_row(self, row):  # openpyxl's signature
        number, cells = super().parse_row(row)
        attrs = self.row_dimensions.pop(str(number), None)  # only whether it is hidden is kept
        if attrs and attrs.get("hidden") in ("1", "true"):
            self.hidden_rows.add(number)
        return number, cells


@dataclass
class SheetGrid:
    """A sheet's values as rows (each as long as its last value), hidden rows (1-based), merged ranges filled."""

    rows: list[list[object]] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)


def read_sheet(book: Book, sheet: Sheet, budget: Budget) -> SheetGrid:
    """One sheet of a workbook: streamed, trimmed to its values, merged ranges filled within them."""
    limits = budget.limits
    source = book.archive.open(sheet.path)
    try:
        parser = _Parser(source, book.shared_strings, data_only=True, epoch=book.epoch,
                         date_formats=book.date_formats, timedelta_formats=book.timedelta_formats)  # fmt: skip
        rows: dict[int, list[object]] = {}
        for number, cells in parser.parse():
            budget.spend(len(cells) or 1, sheet.title)  # an empty row costs one: rows alone cannot run on unbounded
            values = [(c["column"], c["value"]) for c in cells if c["value"] is not None]
            if not values:
                continue
            last = max(column for column, _ in values)
            _within(sheet.title, number, last, limits)
            row = [None] * last
            for column, value in values:
                row[column - 1] = value
            rows[number] = row
    finally:
        source.close()
    height = max(rows, default=0)
    width = max((len(row) for row in rows.values()), default=0)
    grid = SheetGrid([rows.get(number, []) for number in range(1, height + 1)])
    grid.hidden = {n for n in parser.hidden_rows if n <= height}
    for ref in parser.merged_refs:
        _fill(grid.rows, ref, width, budget, sheet.title)
    return grid


def _within(sheet: str, row: int, column: int, limits: Limits, kind: str = "工作表") -> None:
    if row <= limits.rows and column <= limits.columns:
        return
    where = f"{kind}“{displayed(sheet)}”的 {get_column_letter(min(column, 16384))}{row} 单元格有内容"
    if row > limits.rows:
        raise SheetError([f"{where}：一个工作表最多读取 {limits.rows:,} 行；如果该单元格不是数据，请清除它"
                          "（或删除其下方的行）后再导入；数据确实更多时，请分表或分期导入"])  # fmt: skip
    if column > limits.columns:
        raise SheetError([f"{where}：一个工作表最多读取 {limits.columns:,} 列；如果该单元格不是数据，请清除它"
                          "（或删除右侧多余的列）后再导入"])  # fmt: skip


def _fill(rows: list[list[object]], ref: str, width: int, budget: Budget, sheet: str) -> None:
    """A merged range's top-left value in every cell it covers, within the rows and columns that hold values."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    if min_row > len(rows) or min_col > width:
        return
    top = rows[min_row - 1][min_col - 1] if min_col <= len(rows[min_row - 1]) else None
    max_row, max_col = min(max_row, len(rows)), min(max_col, width)
    budget.spend((max_row - min_row + 1) * (max_col - min_col + 1), sheet)
    for r in range(min_row - 1, max_row):
        row = rows[r]
        if len(row) < max_col:
            row.extend([None] * (max_col - len(row)))
        for c in range(min_col - 1, max_col):
            row[c] = top


def csv_grid(reader: Iterable[list[str]], name: str, budget: Budget) -> list[list[object]]:
    """A CSV file's rows, empty fields as None and trailing ones dropped, within the same caps as a sheet."""
    rows = []
    for number, fields in enumerate(reader, start=1):
        budget.spend(len(fields), name)
        row = [v if v != "" else None for v in fields]
        while row and row[-1] is None:
            row.pop()
        if row:
            _within(name, number, len(row), budget.limits, "CSV 文件")
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows
