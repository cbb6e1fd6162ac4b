"""Import a month's registers (the Excel template, or one CSV per table) as a new snapshot.

Every problem is collected before anything is written, each in Chinese naming sheet, row and
column; a failed import leaves the store exactly as it was. Names, ID-card numbers and phone
numbers are dropped on reading; an ID-card number only yields a keyed-hash person id.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import math
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from socialwork import identity, store
from socialwork.contract import PERSONAL_COLUMNS, TABLES, TABLES_BY_NAME, Column, Table
from socialwork.demo import DEMO_MARKER
from socialwork.validate import Problem, check_snapshot
from socialwork.workbook import ID_NUMBER_HEADER, NOTE_PREFIXES, OPTIONS_SHEET, YES

log = logging.getLogger("socialwork.import")
ID_KEY_ENV = "SOCIALWORK_ID_KEY"
EARLIEST_DATE = date(1949, 10, 1)
TRUE_WORDS = {YES, "是", "y", "yes", "true", "1", "t"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "f"}
ID_NUMBER = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
# An ID-card or mobile number typed into any text column: refused, and never echoed back.
PERSONAL_NUMBER = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15}|1[3-9]\d{9})(?!\d)")
SEPARATORS = re.compile(r"[\s\-－.()（）]|^\+?86")
INT32 = 2**31 - 1
PERSONAL_NUMBER_MESSAGE = "疑似包含身份证号或手机号码，为保护个人信息不予导入（此处不显示该内容）"
ID_KEY_MISSING = f"未配置人员编号密钥（环境变量 {ID_KEY_ENV}），无法由身份证号生成人员编号"
Progress = Callable[[float, str], None]


class ImportFailed(Exception):
    """The file cannot become a snapshot; `problems` says every reason, in Chinese."""

    def __init__(self, problems: list[Problem | str]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class RawTable:
    """A sheet as read: header names and cell values, and the row number of its first data row."""

    name: str
    headers: list[str]
    rows: list[list[object]]
    first_row: int


@dataclass
class ImportResult:
    as_of: date
    rows: dict[str, int]
    previous_date: date | None
    previous_rows: dict[str, int]
    people_joined: int
    people_left: int
    replaced: bool
    warnings: list[str] = field(default_factory=list)


def pseudonymous_id(id_number: str, key: str) -> str:
    """A stable person id from an ID-card number: HMAC-SHA256 with the deployment's secret key."""
    digest = hmac.new(key.encode(), id_number.strip().upper().encode(), hashlib.sha256).hexdigest()
    return f"P{digest[:16]}"


def _table_for(name: str) -> Table | None:
    name = name.strip()
    for table in TABLES:
        if name in (table.name, table.label):
            return table
    return None


def _is_personal(header: str) -> bool:
    lowered = header.strip().lower()
    return lowered in {p.lower() for p in PERSONAL_COLUMNS} and header.strip() != ID_NUMBER_HEADER


# ---------------------------------------------------------------- reading


def read_xlsx(content: bytes) -> tuple[dict[str, RawTable], list[str]]:
    """Sheets of a workbook by table name, and warnings about sheets that are not tables."""
    if not content.startswith(b"PK"):
        raise ImportFailed(["文件不是有效的 XLSX 工作簿（Excel 2007 及以上格式）；旧版 .xls 请在 Excel 中另存为 .xlsx"])
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise ImportFailed([f"无法打开 XLSX 工作簿：文件已损坏或不是 Excel 文件（{type(err).__name__}）"]) from err
    tables, warnings = {}, []
    for sheet in book.worksheets:
        if sheet.title == OPTIONS_SHEET:
            continue
        table = _table_for(sheet.title)
        if table is None:
            warnings.append(f"工作表“{sheet.title}”不是数据表，已忽略")
            continue
        try:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as err:  # openpyxl raises XML parser errors of several kinds on a damaged sheet
            raise ImportFailed([f"工作表“{sheet.title}”已损坏，无法读取（{type(err).__name__}）"]) from err
        if table.name in tables:
            raise ImportFailed([f"数据表“{table.label}”出现在两个工作表中；每个数据表只能有一个工作表"])
        tables[table.name] = _raw(table, rows)
    book.close()
    return tables, warnings


def _raw(table: Table, rows: list[list[object]]) -> RawTable:
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    while header and header[-1] == "":
        header.pop()
    body, first_row = rows[1:], 2
    if body and body[0] and isinstance(body[0][0], str) and body[0][0].startswith(NOTE_PREFIXES):
        body, first_row = body[1:], 3  # the template's note row
    body = [r[: len(header)] + [None] * (len(header) - len(r)) for r in body]
    while body and all(v is None or (isinstance(v, str) and not v.strip()) for v in body[-1]):
        body.pop()
    return RawTable(table.name, header, body, first_row)


def read_csv_files(paths: list[Path]) -> dict[str, RawTable]:
    """CSV files named after their table (people.csv or 社会工作人才.csv), UTF-8 with or without BOM."""
    tables = {}
    for path in paths:
        table = _table_for(path.stem)
        if table is None:
            raise ImportFailed(
                [f"无法识别 CSV 文件“{path.name}”：文件名应为数据表名称，例如 people.csv 或 社会工作人才.csv"]
            )
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ImportFailed([f"CSV 文件“{path.name}”不是 UTF-8 编码；请在 Excel 中另存为“CSV UTF-8”"]) from err
        rows = [[v if v != "" else None for v in r] for r in csv.reader(io.StringIO(text))]
        tables[table.name] = _raw(table, rows)
    return tables


def read_source(source: Path | list[Path]) -> tuple[dict[str, RawTable], list[str]]:
    """An .xlsx workbook, a folder of CSV files, or a list of CSV files."""
    paths = source if isinstance(source, list) else [source]
    if len(paths) == 1 and paths[0].is_dir():
        paths = sorted(paths[0].glob("*.csv"))
        if not paths:
            raise ImportFailed([f"文件夹 {source} 中没有 CSV 文件"])
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise ImportFailed([f"文件不存在：{p}" for p in missing])
    if all(p.suffix.lower() == ".csv" for p in paths):
        return read_csv_files(paths), []
    if len(paths) == 1:
        return read_xlsx(paths[0].read_bytes())
    raise ImportFailed(["请导入一个 XLSX 工作簿，或一组 CSV 文件（每个数据表一个）"])


# ---------------------------------------------------------------- parsing cells


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores division codes typed as numbers as floats
    text = str(value).strip()
    return text or None


def looks_personal(value: object) -> bool:
    """An ID-card or mobile number, also written with spaces, dashes or +86, or as an Excel number."""
    text = _text(value) if isinstance(value, int | float | str) else None
    return bool(text) and bool(PERSONAL_NUMBER.search(SEPARATORS.sub("", text)))


def _parse(value: object, column: Column) -> tuple[object, str | None]:
    """(value in the contract's type, or None; a Chinese message when the cell cannot be read).

    A cell holding what looks like an ID-card or phone number is refused in any column, and its
    content is never repeated in a message.
    """
    if isinstance(value, str) and not value.strip():
        value = None
    if value is None:
        return None, None
    if not isinstance(value, bool) and looks_personal(value):
        return None, PERSONAL_NUMBER_MESSAGE
    if column.enum:
        text = _text(value)
        by_label = {label: code for code, label in column.enum.labels.items()}
        if text in by_label:
            return by_label[text], None
        if text in column.enum.labels:
            return text, None
        return None, f"取值“{text}”不在允许范围：{'、'.join(column.enum.labels.values())}"
    if column.type == "VARCHAR":
        return _text(value), None
    if column.type == "BOOLEAN":
        word = str(value).strip().lower()
        if word in TRUE_WORDS or value is True:
            return True, None
        if word in FALSE_WORDS or value is False:
            return False, None
        return None, f"“{value}”应为“是”或“否”"
    if column.type == "DATE":
        return _parse_date(value)
    if column.type == "INTEGER":
        try:
            number = float(str(value).strip())
        except ValueError:
            return None, f"“{value}”应为整数"
        if not number.is_integer():
            return None, f"“{value}”应为整数"
        if abs(number) > INT32:
            return None, "数值过大，超出整数范围"
        return int(number), None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None, f"“{value}”应为数字"
    if not math.isfinite(number):
        return None, f"“{value}”应为有限的数字"
    return number, None


def _parse_date(value: object) -> tuple[date | None, str | None]:
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, pattern).date(), None
        except ValueError:
            continue
    return None, f"日期“{text}”无法识别，应为 YYYY-MM-DD"


def parse_table(table: Table, raw: RawTable, as_of: date, id_key: str | None) -> tuple[pd.DataFrame, list[Problem]]:
    """A sheet as a frame of the contract's columns and types, with every cell problem found."""
    problems: list[Problem] = []
    headers = raw.headers
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        return pd.DataFrame(columns=list(table.column_names)), [
            Problem(table.name, None, None, f"列名重复：{'、'.join(repeated)}")
        ]
    by_header = {}
    for index, header in enumerate(headers):
        column = next((c for c in table.columns if header in (c.name, c.label)), None)
        if column is not None:
            by_header[column.name] = index
    personal = [h for h in headers if _is_personal(h)]
    id_index = headers.index(ID_NUMBER_HEADER) if table.name == "people" and ID_NUMBER_HEADER in headers else None
    known = {c.name for c in table.columns} | {c.label for c in table.columns} | set(personal) | {ID_NUMBER_HEADER}
    extra = [h for h in headers if h and h not in known]
    if extra:
        problems.append(Problem(table.name, None, None, f"多出不认识的列：{'、'.join(extra)}"))
    missing = [c for c in table.columns if c.name not in by_header]
    if table.name == "people" and id_index is not None:
        missing = [c for c in missing if c.name != "person_id"]
    if missing:
        names = "、".join(f"{c.label}（{c.name}）" for c in missing)
        problems.append(Problem(table.name, None, None, f"缺少列：{names}"))
    if problems:
        return pd.DataFrame(columns=list(table.column_names)), problems
    if table.required_rows and not raw.rows:
        problems.append(Problem(table.name, None, None, "数据表为空：至少应有一行数据"))
    records = []
    for offset, cells in enumerate(raw.rows):
        row_number = raw.first_row + offset
        record = {}
        for column in table.columns:
            cell = cells[by_header[column.name]] if column.name in by_header else None
            value, message = _parse(cell, column)
            if message:
                problems.append(Problem(table.name, row_number, column.name, message))
            elif column.past and value is not None and not EARLIEST_DATE <= value <= as_of:
                problems.append(Problem(table.name, row_number, column.name,
                                        f"日期 {value.isoformat()} 不合理：应在 {EARLIEST_DATE.isoformat()} 至数据日期 "
                                        f"{as_of.isoformat()} 之间"))  # fmt: skip
            elif column.type == "DATE" and value is not None and not date(1949, 1, 1) <= value <= date(2100, 12, 31):
                problems.append(Problem(table.name, row_number, column.name, f"日期 {value.isoformat()} 超出合理范围"))
            record[column.name] = value
        if id_index is not None and not record.get("person_id"):
            record["person_id"], message = _person_id(cells[id_index], id_key)
            if message:
                problems.append(Problem(table.name, row_number, "person_id", message))
        records.append(record)
    return pd.DataFrame(records, columns=list(table.column_names)), problems


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARACTERS = "10X98765432"


def id_check_digit_ok(id_number: str) -> bool:
    """GB 11643: the 18th character of a citizen ID is a checksum of the first 17 (15-digit IDs have none)."""
    if len(id_number) == 15:
        return True
    total = sum(int(digit) * weight for digit, weight in zip(id_number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11] == id_number[17].upper()


def _person_id(id_number: object, key: str | None) -> tuple[str | None, str | None]:
    """The pseudonymous id for a row's ID-card number; messages never repeat the number itself."""
    if isinstance(id_number, int | float) and not isinstance(id_number, bool):
        return None, "身份证号须以文本格式填写（Excel 会把 18 位数字截断为 15 位有效数字）"
    text = _text(id_number)
    if text is None:
        return None, "人员编号和身份证号不能同时为空"
    if not ID_NUMBER.match(text.upper()):
        return None, "身份证号格式不正确（应为 18 位或 15 位）"
    if not id_check_digit_ok(text):
        return None, "身份证号校验位不正确，请核对（此处不显示号码）"
    if not key:
        return None, ID_KEY_MISSING  # parse_snapshot reports it once for all rows
    return pseudonymous_id(text, key), None


# ---------------------------------------------------------------- the whole import


def parse_snapshot(
    tables: dict[str, RawTable], as_of: date, id_key: str | None, carried: dict[str, pd.DataFrame] | None = None
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Every table parsed and checked against the contract; problems from all sheets together.

    `carried` holds the tables a file may leave out (contract: carried_forward), as the latest earlier snapshot
    has them; a table the file does hold is always read from the file.
    """
    frames, problems, first_rows = {}, [], {}
    carried = carried or {}
    for table in TABLES:
        if table.name not in tables:
            if table.name in carried:
                frames[table.name] = carried[table.name]
            else:
                problems.append(Problem(table.name, None, None, _missing_sheet(table)))
            continue
        frame, found = parse_table(table, tables[table.name], as_of, id_key)
        frames[table.name], first_rows[table.name] = frame, tables[table.name].first_row
        problems += found
    problems = _key_missing_once(problems)
    if problems:
        return frames, problems
    first_row = min(first_rows.values())
    # Row numbers from the contract checks assume one first row for all sheets (the template's 3).
    problems += [_shift(p, first_rows.get(p.table, first_row) - first_row) for p in check_snapshot(frames, first_row)]
    return frames, problems


def _missing_sheet(table: Table) -> str:
    if table.carried_forward:
        return f"缺少工作表“{table.label}”：第一期数据必须填写（以后各期可省略，导入时沿用上一期）"
    return f"缺少工作表“{table.label}”"


def _key_missing_once(problems: list[Problem]) -> list[Problem]:
    """Without the id key every row with an ID-card number fails alike: one problem, counting the rows."""
    missing = [p for p in problems if p.message == ID_KEY_MISSING]
    if len(missing) <= 1:
        return problems
    rows = [p.row for p in missing if p.row is not None]
    shown = "、".join(str(r) for r in rows[:5]) + ("…" if len(rows) > 5 else "")
    first = problems.index(missing[0])
    once = Problem(missing[0].table, None, "person_id", f"{ID_KEY_MISSING}（共 {len(missing)} 行：第{shown}行）")
    rest = [p for p in problems if p.message != ID_KEY_MISSING]
    return [*rest[:first], once, *rest[first:]]


def _shift(problem: Problem, by: int) -> Problem:
    if problem.row is None or by == 0:
        return problem
    return Problem(problem.table, problem.row + by, problem.column, problem.message)


@dataclass
class CheckedImport:
    """What an import would write, and against what, before anything is written."""

    as_of: date
    frames: dict[str, pd.DataFrame]
    problems: list[Problem | str]
    exists: bool
    previous_date: date | None
    previous_rows: dict[str, int]
    people_joined: int
    people_left: int
    warnings: list[str]

    @property
    def rows(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.frames.items()}


def check_import(
    tables: dict[str, RawTable], as_of: date, data: Path, id_key: str | None = None, warnings: list[str] | None = None
) -> CheckedImport:
    """Parse and check every table and compare with the latest other snapshot; writes nothing."""
    id_key = id_key if id_key is not None else os.environ.get(ID_KEY_ENV)
    if (data / DEMO_MARKER).exists():
        # `python -m socialwork demo` rewrites that folder: real data there would be lost.
        raise ImportFailed(
            [f"{data} 是内置演示数据目录，不能导入真实数据；请用 --data 或 SOCIALWORK_DATA 指定数据目录"]
        )
    try:
        county = identity.load(data)  # a store gets its county from `init` before any month is imported
    except store.StoreError as err:
        raise ImportFailed([str(err)]) from err
    existing = store.snapshot_dates(data) if data.exists() else []
    carried, notes = _carried_forward(tables, as_of, data, existing)
    frames, problems = parse_snapshot(tables, as_of, id_key, carried)
    if not problems:
        notes += _foreign_township_codes(frames["townships"], county)
    previous = max((d for d in existing if d != as_of), default=None)
    joined = left = 0
    previous_rows = {}
    if previous and not problems:
        before = set(store.read_table(data, previous, TABLES_BY_NAME["people"])["person_id"])
        now = set(frames["people"]["person_id"])
        joined, left = len(now - before), len(before - now)
        previous_rows = {t.name: len(store.read_table(data, previous, t)) for t in TABLES}
    elif not problems:
        joined = len(frames["people"])
    return CheckedImport(as_of, frames, problems, as_of in existing, previous, previous_rows, joined, left,
                         [*(warnings or []), *notes])  # fmt: skip


def _carried_forward(
    tables: dict[str, RawTable], as_of: date, data: Path, existing: list[date]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables the file leaves out that the contract lets it (the plan), from the latest earlier snapshot."""
    earlier = max((d for d in existing if d < as_of), default=None)
    carried, notes = {}, []
    for table in TABLES:
        if not table.carried_forward or table.name in tables:
            continue
        if earlier is not None:
            carried[table.name] = store.read_table(data, earlier, table)
            notes.append(f"文件中没有“{table.label}”：沿用 {earlier.isoformat()} 快照中的{table.label}"
                         f"（{len(carried[table.name])} 行）")  # fmt: skip
        elif not table.required_rows:
            carried[table.name] = pd.DataFrame(columns=list(table.column_names))
            notes.append(f"文件中没有“{table.label}”，也没有更早的快照可沿用：本期{table.label}为空")
    return carried, notes


def _foreign_township_codes(townships: pd.DataFrame, county: identity.County) -> list[str]:
    """A notice when township codes do not begin with the county's code (another county's file?)."""
    foreign = sorted(c for c in townships["township_code"].dropna() if not str(c).startswith(county.county_code))
    if not foreign:
        return []
    return [f"{len(foreign)} 个乡镇（街道）的区划代码不以{county.county_name}的县级区划代码 {county.county_code} 开头"
            f"（如 {foreign[0]}）；请确认导入的是本县数据"]  # fmt: skip


def write_checked(checked: CheckedImport, data: Path, replace: bool) -> ImportResult:
    """Write a checked import as a snapshot (atomically); refuses one with problems or an unconfirmed date."""
    if checked.problems:
        raise ImportFailed(checked.problems)
    if checked.exists and not replace:
        raise ImportFailed([f"{checked.as_of.isoformat()} 的快照已存在；如需覆盖，请确认替换（命令行加 --replace）"])
    store.write_snapshot(data, checked.as_of, checked.frames, replace=replace)
    log.info("imported snapshot %s of %s: %s", checked.as_of, identity.load(data).county_name, checked.rows)
    return ImportResult(
        as_of=checked.as_of, rows=checked.rows, previous_date=checked.previous_date,
        previous_rows=checked.previous_rows, people_joined=checked.people_joined, people_left=checked.people_left,
        replaced=checked.exists, warnings=checked.warnings,
    )  # fmt: skip


def read_uploads(files: list[tuple[str, bytes]]) -> tuple[dict[str, RawTable], list[str]]:
    """Uploaded files (name, content): one XLSX workbook, or CSV files named after their tables."""
    if len(files) == 1 and not files[0][0].lower().endswith(".csv"):
        return read_xlsx(files[0][1])
    if not all(name.lower().endswith(".csv") for name, _ in files):
        raise ImportFailed(["请上传一个 XLSX 工作簿，或一组 CSV 文件（每个数据表一个）"])
    tables = {}
    for name, content in files:
        table = _table_for(Path(name).stem)
        if table is None:
            raise ImportFailed(
                [f"无法识别 CSV 文件“{name}”：文件名应为数据表名称，例如 people.csv 或 社会工作人才.csv"]
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ImportFailed([f"CSV 文件“{name}”不是 UTF-8 编码；请在 Excel 中另存为“CSV UTF-8”"]) from err
        rows = [[v if v != "" else None for v in r] for r in csv.reader(io.StringIO(text))]
        tables[table.name] = _raw(table, rows)
    return tables, []


def import_snapshot(
    source: Path | list[Path], as_of: date, data: Path, replace: bool = False, id_key: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:  # fmt: skip
    """Read, check and write one snapshot; raises ImportFailed (store untouched) on any problem."""
    step = progress or (lambda _fraction, _text: None)
    step(0.1, "读取文件")
    tables, warnings = read_source(source)
    step(0.3, "检查数据")
    checked = check_import(tables, as_of, data, id_key, warnings)
    if checked.exists and not replace:
        raise ImportFailed([f"{as_of.isoformat()} 的快照已存在；如需覆盖，请确认替换（命令行加 --replace）"])
    if checked.problems:
        log.info("import for %s refused: %d problems", as_of, len(checked.problems))
        raise ImportFailed(checked.problems)
    step(0.7, "写入快照")
    result = write_checked(checked, data, replace)
    step(1.0, "完成")
    return result
