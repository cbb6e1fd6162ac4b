"""A clerk's workbook or CSV files as tables of the contract: which sheet is which table, where its header is.

Registers are laid out for people: a title row and a group-header row above the column names, a 序号
column, merged cells, a 合计 row and a footer (填表人…) below. This module finds the header row among
the first rows, fills merged cells, reads past what is not a record and says what it read past.
Nothing here echoes a cell that may hold personal data: notes name rows and columns, never contents.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from socialwork.data.cells import UncachedFormula, clean_text, looks_personal, normalised
from socialwork.data.contract import (
    FOOTER_PREFIXES,
    HEADER_ALIASES,
    ID_NUMBER_HEADERS,
    IGNORED_HEADERS,
    PERSONAL_COLUMNS,
    TABLE_ALIASES,
    TABLES,
    TOTAL_ROW_WORDS,
    Table,
)

COVER_SHEET = "说明"  # the template's cover sheet (workbook.py), never a table
HEADER_SEARCH_ROWS = 15  # the header row is looked for among this many rows at the top
NOTE_PREFIXES = ("必填", "可空")  # the template's note row under the header
MAX_CSV_FIELD = 1_000_000  # characters: a larger cell is a damaged file, not a register
DATE_IN_TITLE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
SUFFIX = re.compile(r"[(（【\[].*?[)）】\]]|\d{4}\s*年?(\s*\d{1,2}\s*月?)?|[-_ ]+$")


class SheetError(Exception):
    """A file or sheet that cannot be read as a register; `messages` are in Chinese."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class RawTable:
    """A sheet as read: where each contract column is, its records and the sheet row of each record."""

    name: str
    sheet: str
    columns: dict[str, int]  # contract column name -> position in a record
    rows: list[list[object]]
    row_numbers: list[int]
    kind: str = "工作表"  # or "CSV 文件": how messages name where the table came from
    letters: dict[str, str] = field(default_factory=dict)  # contract column name -> sheet column letter
    id_number_column: int | None = None
    missing: list[str] = field(default_factory=list)  # contract columns not found
    unknown_headers: list[str] = field(default_factory=list)
    repeated_headers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was read past, for the preview
    title_months: list[tuple[int, int]] = field(default_factory=list)  # (year, month) named in title rows

    @property
    def place(self) -> str:
        return f"{self.kind}“{self.sheet}”"

    @property
    def first_row(self) -> int:
        return self.row_numbers[0] if self.row_numbers else 1


# ---------------------------------------------------------------- names of tables and columns


def _spellings(table: Table) -> dict[str, str]:
    """Every accepted header spelling of a table's columns, normalised -> column name."""
    out = {}
    for column in table.columns:
        for spelling in (column.name, column.label, *HEADER_ALIASES.get(table.name, {}).get(column.name, ())):
            out.setdefault(normalised(spelling), column.name)
    return out


SPELLINGS = {table.name: _spellings(table) for table in TABLES}
PERSONAL_HEADERS = frozenset(normalised(h).lower() for h in PERSONAL_COLUMNS)
ID_HEADERS = frozenset(normalised(h) for h in ID_NUMBER_HEADERS)
IGNORED = frozenset(normalised(h) for h in IGNORED_HEADERS)


def displayed(name: str) -> str:
    """A sheet or file name as messages may show it: never one that holds what looks like a personal number."""
    return "（名称中含疑似个人号码，不予显示）" if looks_personal(name) else name


def header_key(text: object) -> str:
    """A header cell compared without spaces, line breaks, width or required-field stars."""
    return normalised(str(text)).strip("*※:：") if text is not None else ""


def table_named(name: str) -> Table | None:
    """The table a sheet or CSV file name means: its name, label or a known spelling, maybe with a date suffix."""
    for candidate in (normalised(name), normalised(SUFFIX.sub("", name))):
        for table in TABLES:
            spellings = {table.name, table.label, *TABLE_ALIASES.get(table.name, ())}
            if candidate in {normalised(s) for s in spellings}:
                return table
    return None


def _recognised(table: Table, key: str) -> str | None:
    """What a header means in a table: a column name, "id", "personal", "ignored", or None."""
    if key in SPELLINGS[table.name]:
        return SPELLINGS[table.name][key]
    if table.name == "people" and key in ID_HEADERS:
        return "id"
    if key.lower() in PERSONAL_HEADERS or key in ID_HEADERS:
        return "personal"
    if key in IGNORED:
        return "ignored"
    return None


# ---------------------------------------------------------------- the layout of one sheet


def _header_names(grid: list[list[object]], row: int, table: Table) -> list[str]:
    """Each column's header at a row; a group header above it is joined on where that spells a column."""
    above = grid[row - 1] if row > 0 else []
    names = []
    for index, cell in enumerate(grid[row]):
        own = header_key(cell)
        group = header_key(above[index]) if index < len(above) else ""
        joined = group + own
        if group and own and group != own and _recognised(table, joined) and not _recognised(table, own):
            names.append(joined)
        else:
            names.append(own)
    return names


def _score(grid: list[list[object]], row: int, table: Table) -> int:
    found = {_recognised(table, name) for name in _header_names(grid, row, table)}
    return len(found - {None, "ignored", "personal"})


def find_header_row(grid: list[list[object]], table: Table) -> int | None:
    """The row (0-based) among the first rows that names most of the table's columns; None when none does."""
    scores = [(_score(grid, row, table), row) for row in range(min(HEADER_SEARCH_ROWS, len(grid)))]
    best = max(scores, default=(0, 0))
    return best[1] if best[0] >= 2 else None


def _is_empty(cells: list[object]) -> bool:
    return all(clean_text(v) is None and not isinstance(v, UncachedFormula) for v in cells)


def _first_text(cells: list[object]) -> str:
    return next((normalised(str(v)) for v in cells if clean_text(v) is not None), "")


def layout(
    table: Table, sheet: str, grid: list[list[object]], hidden_rows: set[int] | None = None, kind: str = "工作表"
) -> RawTable:
    """A sheet's grid (merged cells already filled) as a RawTable; raises SheetError without a header row."""
    header_row = find_header_row(grid, table)
    if header_row is None:
        raise SheetError([_no_header_message(table, f"{kind}“{sheet}”", grid)])
    raw = RawTable(table.name, sheet, {}, [], [], kind=kind)
    _map_headers(raw, table, _header_names(grid, header_row, table))
    if header_row > 0:
        raw.notes.append(f"{raw.place}：第1至{header_row}行是标题行，已跳过" if header_row > 1
                         else f"{raw.place}：第1行是标题行，已跳过")  # fmt: skip
        raw.title_months = _months_in(grid[:header_row])
    width = max([*raw.columns.values(), raw.id_number_column or 0, 0]) + 1
    skipped: dict[str, list[int]] = {"空行": [], "合计行": [], "表尾说明": []}
    body = grid[header_row + 1 :]
    if body and _first_text(body[0]).startswith(NOTE_PREFIXES):
        body, start = body[1:], header_row + 3  # the template's note row
    else:
        start = header_row + 2
    for offset, cells in enumerate(body):
        number = start + offset
        cells = list(cells[:width]) + [None] * (width - len(cells))
        first = _first_text(cells)
        if _is_empty(cells):
            skipped["空行"].append(number)
        elif first in TOTAL_ROW_WORDS or first.rstrip(":：") in TOTAL_ROW_WORDS:
            skipped["合计行"].append(number)
        elif first.startswith(FOOTER_PREFIXES) and _filled(cells) <= 2:
            skipped["表尾说明"].append(number)
        else:
            raw.rows.append(cells)
            raw.row_numbers.append(number)
    last = raw.row_numbers[-1] if raw.row_numbers else 0
    for what, numbers in skipped.items():
        shown = [n for n in numbers if what != "空行" or n < last]  # trailing empty rows are not worth a note
        if shown:
            raw.notes.append(f"{raw.place}：第{_row_list(shown)}行是{what}，已跳过")
    hidden = sorted(n for n in raw.row_numbers if hidden_rows and n in hidden_rows)
    if hidden:
        raw.notes.append(f"{raw.place}：第{_row_list(hidden)}行是隐藏行（可能被筛选隐藏），已照常导入")
    return raw


def _filled(cells: list[object]) -> int:
    return sum(clean_text(v) is not None for v in cells)


def _row_list(numbers: list[int], limit: int = 10) -> str:
    shown = "、".join(str(n) for n in numbers[:limit])
    return shown + (f" 等 {len(numbers)} " if len(numbers) > limit else "")


def _map_headers(raw: RawTable, table: Table, names: list[str]) -> None:
    """Which position holds which column; unknown headers are noted, personal ones dropped unread."""
    seen: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(names):
        if not name:
            continue
        meaning = _recognised(table, name)
        if meaning in (None, "ignored"):
            if looks_personal(name):
                raw.notes.append(f"{raw.place}：第{index + 1}列的列名疑似含个人号码，该列已忽略")
            elif meaning is None:
                raw.unknown_headers.append(name)
            else:
                ignored.append(name)
            continue
        if meaning == "personal":
            continue  # names, phones: never read
        if meaning == "id":
            raw.id_number_column = index
            continue
        if meaning in seen:
            raw.repeated_headers.append(table.column(meaning).label)
            continue
        seen[meaning] = index
        raw.columns[meaning] = index
        raw.letters[meaning] = _letter(index)
    raw.missing = [c.name for c in table.columns if c.name not in raw.columns]
    if ignored or raw.unknown_headers:
        listed = "、".join(f"“{h}”" for h in [*ignored, *raw.unknown_headers][:10])
        raw.notes.append(f"{raw.place}：未导入的列 {listed}（不属于“{table.label}”表）")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _months_in(rows: list[list[object]]) -> list[tuple[int, int]]:
    found = []
    for cells in rows:
        for value in cells:
            text = clean_text(value)
            if text and not looks_personal(text):
                found += [(int(y), int(m)) for y, m in DATE_IN_TITLE.findall(normalised(text))]
    return found


def _no_header_message(table: Table, place: str, grid: list[list[object]]) -> str:
    examples = "“" + "”“".join(c.label for c in table.columns[:3]) + "”"
    top = next((i for i, cells in enumerate(grid[:HEADER_SEARCH_ROWS]) if not _is_empty(cells)), None)
    if top is not None and len({clean_text(v) for v in grid[top]} - {None}) == 1:  # one text, maybe merged across
        return (f"{place}：第{top + 1}行像是标题行，但其下没有找到列名行；请确认列名（如{examples}）"
                f"在同一行，且位于前 {HEADER_SEARCH_ROWS} 行内")  # fmt: skip
    return (f"{place}：前 {HEADER_SEARCH_ROWS} 行中没有找到“{table.label}”表的列名行（应有{examples}等列）；"
            "请使用导入模板的列名")  # fmt: skip


# ---------------------------------------------------------------- workbooks


def _grid(sheet: object, values: object | None) -> tuple[list[list[object]], set[int]]:
    """A sheet's cells as rows, formulas replaced by their saved values, merged ranges filled."""
    grid = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if cell.data_type == "f":  # keep what Excel computed; a formula never saved with a value is an error
                saved = values.cell(row=cell.row, column=cell.column).value if values is not None else None
                cells.append(UncachedFormula(str(cell.value)) if saved is None else saved)
            else:
                cells.append(cell.value)
        grid.append(cells)
    for merged in sheet.merged_cells.ranges:
        top = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else None
        for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            row = grid[r]
            row.extend([None] * (merged.max_col - len(row)))
            for c in range(merged.min_col - 1, merged.max_col):
                row[c] = top
    hidden = {r for r, dimension in sheet.row_dimensions.items() if dimension.hidden}
    return grid, hidden


def _check_container(content: bytes, name: str) -> None:
    """Files that are not an .xlsx workbook, each with its own advice."""
    if content.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE compound file: old .xls, or an encrypted .xlsx
        if "EncryptedPackage".encode("utf-16-le") in content:
            raise SheetError(
                [
                    f"文件“{displayed(name)}”设有打开密码，无法读取；"
                    "请在 Excel 中取消密码（文件→信息→保护工作簿）后另存再导入"
                ]
            )
        raise SheetError(
            [f"文件“{displayed(name)}”是旧版 Excel 97-2003 工作簿（.xls）；请在 Excel 或 WPS 中另存为 .xlsx 后导入"]
        )
    head = content[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")) and not content.startswith(b"PK"):
        raise SheetError(
            [
                f"文件“{displayed(name)}”实际是网页或 XML 格式（常见于业务系统导出的 .xls）；"
                "请在 Excel 中打开后另存为 .xlsx"
            ]
        )
    if not content.startswith(b"PK"):
        raise SheetError([f"文件“{displayed(name)}”不是有效的 XLSX 工作簿（Excel 2007 及以上格式）"])


def _open(content: bytes, name: str, data_only: bool) -> object:
    try:
        return load_workbook(io.BytesIO(content), data_only=data_only)
    except Exception as err:  # zip, XML and openpyxl errors of many kinds: none may reach a clerk as a traceback
        if "invalid XML" in str(err) or "xml" in type(err).__module__.lower():
            message = "文件内部的 XML 已损坏或含有不安全的内容（如实体扩展）"
        else:
            message = "文件已损坏或不是 Excel 文件"
        raise SheetError(
            [
                f"无法读取 XLSX 工作簿“{displayed(name)}”：{message}（{type(err).__name__}）；"
                "请在 Excel 中打开并另存为新文件后再导入"
            ]
        ) from err


def read_xlsx(content: bytes, name: str = "工作簿") -> tuple[dict[str, RawTable], list[str]]:
    """Sheets of a workbook by table, and notes on what was read past; SheetError lists every problem."""
    _check_container(content, name)
    book = _open(content, name, data_only=False)
    has_formulas = any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    values = _open(content, name, data_only=True) if has_formulas else None
    notes, errors, found = [], [], {}
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            table = table_named(sheet.title)
            if table is not None:
                notes.append(f"隐藏的工作表“{displayed(sheet.title)}”未读取（隐藏的工作表不会代替可见的工作表导入）")
            continue
        try:
            grid, hidden = _grid(sheet, values[sheet.title] if values else None)
        except Exception as err:  # a damaged sheet raises parser errors of several kinds
            errors.append(f"工作表“{displayed(sheet.title)}”已损坏，无法读取（{type(err).__name__}）")
            continue
        if _is_empty_grid(grid) or sheet.title == COVER_SHEET:
            continue
        table = table_named(sheet.title) or _table_by_headers(grid)
        if table is None:
            notes.append(f"工作表“{displayed(sheet.title)}”不是数据表（名称和列名都对不上任何数据表），已忽略")
            continue
        found.setdefault(table.name, []).append((displayed(sheet.title), grid, hidden))
    tables = _assign(found, errors, notes)
    for table_name in {t.name for s in book.worksheets if s.sheet_state != "visible" and (t := table_named(s.title))}:
        if table_name not in tables and table_name not in found:
            label = next(t.label for t in TABLES if t.name == table_name)
            errors.append(f"“{label}”工作表被隐藏：隐藏的工作表不会被导入；请在 Excel 中取消隐藏后再导入")
    if errors:
        raise SheetError(errors)
    return tables, notes


def _is_empty_grid(grid: list[list[object]]) -> bool:
    return all(_is_empty(row) for row in grid)


def _table_by_headers(grid: list[list[object]]) -> Table | None:
    """The one table whose columns most of a sheet's header names; None when no table or two tables fit."""
    fits = []
    for table in TABLES:
        row = find_header_row(grid, table)
        if row is not None and _score(grid, row, table) >= max(2, (len(table.columns) + 1) // 2):
            fits.append((_score(grid, row, table) / len(table.columns), table))
    fits.sort(key=lambda fit: -fit[0])
    if len(fits) == 1 or (len(fits) > 1 and fits[0][0] > fits[1][0]):
        return fits[0][1]
    return None


def _assign(found: dict[str, list], errors: list[str], notes: list[str]) -> dict[str, RawTable]:
    """One sheet per table; two sheets that could be the same table stop the import and ask."""
    tables = {}
    for table in TABLES:
        candidates = found.get(table.name, [])
        if len(candidates) > 1:
            names = "”“".join(title for title, _, _ in candidates)
            errors.append(
                f"工作表“{names}”都像是“{table.label}”表；请只保留一个，或把其余工作表改名为与数据表无关的名称"
            )
            continue
        if not candidates:
            continue
        title, grid, hidden = candidates[0]
        if table_named(title) is None:
            notes.append(f"工作表“{title}”按列名识别为“{table.label}”表")
        try:
            tables[table.name] = layout(table, title, grid, hidden)
        except SheetError as failure:
            errors += failure.messages
    return tables


# ---------------------------------------------------------------- CSV files


def decode_csv(content: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), else GB18030: what Excel on a Chinese Windows saves as “CSV (逗号分隔)”."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as err:
        raise SheetError(
            [f"CSV 文件“{displayed(name)}”的编码无法识别（既不是 UTF-8 也不是 GBK）；请在 Excel 中另存为“CSV UTF-8”"]
        ) from err


def read_csv(name: str, content: bytes) -> tuple[str, RawTable]:
    """One CSV file named after its table (people.csv, 社会工作人才.csv, 社会工作人才2026年11月.csv)."""
    table = table_named(Path(name).stem)
    text = decode_csv(content, name)
    try:
        csv.field_size_limit(MAX_CSV_FIELD)
        grid = [[v if v != "" else None for v in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as err:
        message = "某个单元格过长" if "field larger" in str(err) else "格式错误"
        raise SheetError(
            [f"CSV 文件“{displayed(name)}”无法读取：{message}（{type(err).__name__}）；请在 Excel 中检查后另存"]
        ) from err
    if table is None:
        table = _table_by_headers(grid)
    if table is None:
        raise SheetError(
            [
                f"无法识别 CSV 文件“{displayed(name)}”："
                "文件名应为数据表名称，例如 people.csv 或 社会工作人才.csv，且第一行为列名"
            ]
        )
    return table.name, layout(table, displayed(name), grid, kind="CSV 文件")


def read_csv_files(files: list[tuple[str, bytes]]) -> dict[str, RawTable]:
    """CSV files (name, content), one per table; every file's problem reported together."""
    tables, errors, names = {}, [], {}
    for name, content in files:
        try:
            table_name, raw = read_csv(name, content)
        except SheetError as failure:
            errors += failure.messages
            continue
        if table_name in tables:
            label = next(t.label for t in TABLES if t.name == table_name)
            errors.append(
                f"CSV 文件“{displayed(names[table_name])}”和“{displayed(name)}”都像是“{label}”表；"
                "每个数据表只能有一个文件"
            )
            continue
        tables[table_name], names[table_name] = raw, name
    if errors:
        raise SheetError(errors)
    return tables
