"""A clerk's sheet as a table of the contract: which table a name means, where its header is, what to read past.

Registers are laid out for people: a title row and a group-header row above the column names, a 序号
column, merged cells, a 合计 row and a footer (填表人…) below. This module finds the header row among
the first rows, reads past what is not a record and says what it read past. Nothing here echoes a cell
that may hold personal data: notes name rows and columns, never contents. Files are opened in files.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from socialwork.data.contract.schema import Table
from socialwork.data.contract.spellings import (
    FOOTER_PREFIXES,
    HEADER_ALIASES,
    IGNORED_HEADERS,
    TABLE_ALIASES,
    TOTAL_ROW_WORDS,
)
from socialwork.data.contract.tables import ID_NUMBER_HEADERS, PERSONAL_COLUMNS, TABLES
from socialwork.data.importing.cells import UncachedFormula, clean_text, looks_personal, normalised

COVER_SHEET = "说明"  # the template's cover sheet (workbook.py), never a table
HEADER_SEARCH_ROWS = 15  # the header row is looked for among this many rows at the top
NOTE_PREFIXES = ("必填", "可空")  # the template's note row under the header
DATE_IN_TITLE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
SUFFIX = re.compile(r"[(（【\[].*?[)）】\]]|\d{4}\s*年?(\s*\d{1,2}\s*月?)?|[-_ ]+$")


class SheetError(Exception):
    """A file or sheet that cannot be read as a register; `messages` are in Chinese."""

    def __init__(self, messages: list[str], partial: tuple[dict, list[str]] | None = None,
                 failed: frozenset[str] = frozenset()) -> None:  # fmt: skip
        self.messages = messages
        self.partial = partial  # (tables, notes) of the sheets that could be read, when the file itself could be
        self.failed = failed  # tables whose sheet is there but could not be read (not reported again as missing)
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


def header_score(grid: list[list[object]], row: int, table: Table) -> int:
    found = {_recognised(table, name) for name in _header_names(grid, row, table)}
    return len(found - {None, "ignored", "personal"})


def find_header_row(grid: list[list[object]], table: Table) -> int | None:
    """The row (0-based) among the first rows that names most of the table's columns; None when none does."""
    scores = [(header_score(grid, row, table), row) for row in range(min(HEADER_SEARCH_ROWS, len(grid)))]
    best = max(scores, default=(0, 0))
    return best[1] if best[0] >= 2 else None


def is_empty_row(cells: list[object]) -> bool:
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
    skipped_rows = []
    if header_row > 0:
        skipped_rows.append(f"第1至{header_row}行（标题行）" if header_row > 1 else "第1行（标题行）")
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
        if is_empty_row(cells):
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
            skipped_rows.append(f"第{_row_list(shown)}行（{what}）")
    parts = ["跳过" + "、".join(skipped_rows)] if skipped_rows else []
    hidden = sorted(n for n in raw.row_numbers if hidden_rows and n in hidden_rows)
    if hidden:
        parts.append(f"第{_row_list(hidden)}行是隐藏行（可能被筛选隐藏），已照常导入")
    parts += raw.notes  # from the header: columns left out
    raw.notes = [f"{raw.place}：{'；'.join(parts)}"] if parts else []
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
                raw.notes.append(f"第{index + 1}列的列名疑似含个人号码，该列已忽略")
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
        raw.letters[meaning] = column_letter(index)
    # A column the contract gained later and may leave empty is optional in a workbook: older templates still import.
    raw.missing = [c.name for c in table.columns if c.name not in raw.columns and not (c.nullable and c.since > 1)]
    if ignored or raw.unknown_headers:
        listed = "、".join(f"“{h}”" for h in [*ignored, *raw.unknown_headers][:10])
        raw.notes.append(f"未导入的列 {listed}（不属于“{table.label}”表）")


def column_letter(index: int) -> str:
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
    top = next((i for i, cells in enumerate(grid[:HEADER_SEARCH_ROWS]) if not is_empty_row(cells)), None)
    if top is not None and len({clean_text(v) for v in grid[top]} - {None}) == 1:  # one text, maybe merged across
        return (f"{place}：第{top + 1}行像是标题行，但其下没有找到列名行；请确认列名（如{examples}）"
                f"在同一行，且位于前 {HEADER_SEARCH_ROWS} 行内")  # fmt: skip
    return (f"{place}：前 {HEADER_SEARCH_ROWS} 行中没有找到“{table.label}”表的列名行（应有{examples}等列）；"
            "请使用导入模板的列名")  # fmt: skip


# ---------------------------------------------------------------- workbooks
