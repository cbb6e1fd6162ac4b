"""Workbooks and CSV files opened as grids of cells (merged cells filled, formulas as their saved values), each
sheet or file matched to its table; files that are not registers say what they are.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from socialwork.data.contract.schema import Table
from socialwork.data.contract.tables import TABLES
from socialwork.data.importing import bounded
from socialwork.data.importing.sheets import (
    COVER_SHEET,
    RawTable,
    SheetError,
    displayed,
    find_header_row,
    header_score,
    is_empty_row,
    layout,
    table_named,
)

MAX_CSV_FIELD = 1_000_000  # characters: a larger cell is a damaged file, not a register


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


def _open(content: bytes, name: str) -> bounded.Book:
    """The workbook's list of sheets: each is streamed (bounded.read_sheet), never loaded whole."""
    try:
        return bounded.open_book(content)
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


def read_xlsx(
    content: bytes, name: str = "工作簿", limits: bounded.Limits | None = None
) -> tuple[dict[str, RawTable], list[str]]:
    """Sheets of a workbook by table, and notes on what was read past; SheetError lists every problem (or the cap
    passed: bounded.LIMITS unless limits are given)."""
    limits = limits or bounded.LIMITS
    bounded.check_file_size(content, name, limits)
    _check_container(content, name)
    bounded.check_archive(content, name, limits)
    book = _open(content, name)
    try:
        return _read_book(book, bounded.Budget(limits))
    finally:
        book.close()


def _read_book(book: bounded.Book, budget: bounded.Budget) -> tuple[dict[str, RawTable], list[str]]:
    notes, errors, found = [], [], {}
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            table = table_named(sheet.title)
            if table is not None:
                notes.append(f"隐藏的工作表“{displayed(sheet.title)}”未读取（隐藏的工作表不会代替可见的工作表导入）")
            continue
        try:
            read = bounded.read_sheet(book, sheet, budget)
            grid, hidden = read.rows, read.hidden
        except SheetError:
            raise  # past a cap: the import stops here
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
    failed = set(found) - set(tables)
    for table_name in {t.name for s in book.worksheets if s.sheet_state != "visible" and (t := table_named(s.title))}:
        if table_name not in tables and table_name not in found:
            label = next(t.label for t in TABLES if t.name == table_name)
            errors.append(f"“{label}”工作表被隐藏：隐藏的工作表不会被导入；请在 Excel 中取消隐藏后再导入")
            failed.add(table_name)
    if errors:  # with what could be read: the import reports these with every other problem, in one round
        raise SheetError(errors, (tables, notes), frozenset(failed))
    return tables, notes


def _is_empty_grid(grid: list[list[object]]) -> bool:
    return all(is_empty_row(row) for row in grid)


def _table_by_headers(grid: list[list[object]]) -> Table | None:
    """The one table whose columns most of a sheet's header names; None when no table or two tables fit."""
    fits = []
    for table in TABLES:
        row = find_header_row(grid, table)
        if row is not None and header_score(grid, row, table) >= max(2, (len(table.columns) + 1) // 2):
            fits.append((header_score(grid, row, table) / len(table.columns), table))
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


def read_csv(name: str, content: bytes, budget: bounded.Budget | None = None) -> tuple[str, RawTable]:
    """One CSV file named after its table (people.csv, 社会工作人才.csv, 社会工作人才2026年11月.csv)."""
    budget = budget or bounded.Budget(bounded.LIMITS)
    bounded.check_file_size(content, name, budget.limits)
    table = table_named(Path(name).stem)
    text = decode_csv(content, name)
    try:
        csv.field_size_limit(MAX_CSV_FIELD)
        grid = bounded.csv_grid(csv.reader(io.StringIO(text)), name, budget)
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
    budget = bounded.Budget(bounded.LIMITS)
    for name, content in files:
        try:
            table_name, raw = read_csv(name, content, budget)
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
        raise SheetError(errors, (tables, []))
    return tables
