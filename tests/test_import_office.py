"""Import of registers built the way county offices build them: title rows, merged cells, clerk spellings.

The fixture county's November 2024 snapshot is written as an office would keep it (openpyxl, csv) and must
import to exactly the same stored rows as the template does; each trap a real file holds is checked for
the stored figure or the message.
"""

from __future__ import annotations

import io
import shutil
import unicodedata
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from socialwork.data.contract.spellings import HEADER_ALIASES
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.importing.importer import (
    ImportFailed,
    as_of_problems,
    check_import,
    import_snapshot,
    read_uploads,
    write_checked,
)
from socialwork.data.storage.store import read_table
from tests.fixture_county import snapshot
from tests.test_import import normalise, tree_digest

DAY = date(2024, 11, 30)
AS_OF = date(2024, 12, 31)
TITLE = "XX县社会工作者花名册（2024年12月）"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def store(tmp_path, fixture_store) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(fixture_store, copy)
    return copy


def header_for(table_name: str, column) -> str:
    """A clerk's header: the first alias where the contract lists one, else the label with a line break."""
    aliases = HEADER_ALIASES.get(table_name, {}).get(column.name)
    return aliases[0] if aliases else column.label[:2] + "\n" + column.label[2:]


def office_value(table_name: str, column, value, row: int, names: dict[str, dict[str, str]]):
    """A value as an office writes it: names for codes, √ and 有/无, dates in four spellings, full-width digits."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "/" if column.nullable and column.type != "BOOLEAN" else None
    if column.references == "townships.township_code":
        return names["township"][value]
    if column.references == "communities.community_code":
        return names["community"][value]
    if column.enum is not None:
        label = column.enum.label_of(value)
        if column.name == "certificate_level" and value == "assistant":
            return "助理社工师"
        return unicodedata.normalize("NFKC", label).replace("(", "（").replace(")", "）")  # full-width brackets
    if column.type == "BOOLEAN":
        if table_name == "townships":
            return "√" if value else None
        return ("有" if value else "无") if row % 2 else ("Y" if value else "N")
    if column.type == "DATE":
        day = pd.Timestamp(value).date()
        slashes = f"{day.year}/{day.month}/{day.day}".translate(FULL_WIDTH)
        serial = (day - date(1899, 12, 30)).days
        spellings = [f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日", slashes, serial]
        return spellings[row % 4]
    if column.type == "INTEGER":
        return f"{int(value):,}".translate(FULL_WIDTH) if row % 2 else int(value)
    if column.type == "DOUBLE":
        return f"{value:,.2f}"
    return value


def office_workbook(frames: dict[str, pd.DataFrame]) -> bytes:
    """Every table as an office keeps it: title and group rows, 序号, extra columns, merged and odd rows."""
    townships, communities = frames["townships"], frames["communities"]
    names = {
        "township": dict(zip(townships["township_code"], townships["township_name"], strict=True)),
        "community": dict(zip(communities["community_code"], communities["community_name"], strict=True)),
    }
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in TABLES:
        sheet = book.create_sheet(f"{table.label}（2024年12月）")
        columns = list(table.columns)
        width = len(columns) + 3
        sheet.cell(row=1, column=1, value=TITLE)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.cell(row=2, column=2, value="基本情况")
        sheet.merge_cells(start_row=2, start_column=2, end_row=2, end_column=4)
        headers = ["序号", *(header_for(table.name, c) for c in columns), "性别" if table.name == "people" else "备注",
                   "联系电话"]  # fmt: skip
        for index, header in enumerate(headers, start=1):
            sheet.cell(row=3, column=index, value=header)
        frame = frames[table.name].reset_index(drop=True)
        row_number = 4
        for position, record in frame.iterrows():
            if position == 1:
                row_number += 1  # an empty row in the middle
            sheet.cell(row=row_number, column=1, value=position + 1)
            for index, column in enumerate(columns, start=2):
                value = office_value(table.name, column, record[column.name], position, names)
                sheet.cell(row=row_number, column=index, value=value)
            sheet.cell(row=row_number, column=len(columns) + 2, value="男" if position % 2 else "已核对")
            sheet.cell(row=row_number, column=len(columns) + 3, value=f"138{position:08d}")
            row_number += 1
        sheet.cell(row=row_number, column=1, value="合计")
        sheet.cell(row=row_number, column=2, value=len(frame))
        sheet.cell(row=row_number + 2, column=1, value="填表人：王五    联系电话：13812345678")
        if table.name == "communities":
            _merge_runs(sheet, column=columns.index(table.column("township_code")) + 2, first=4, last=row_number - 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _merge_runs(sheet, column: int, first: int, last: int) -> None:
    """Merge equal consecutive cells of a column vertically, as clerks do for a township's villages."""
    start = first
    for row in range(first + 1, last + 2):
        if row > last or sheet.cell(row=row, column=column).value != sheet.cell(row=start, column=column).value:
            if row - 1 > start and sheet.cell(row=start, column=column).value is not None:
                sheet.merge_cells(start_row=start, start_column=column, end_row=row - 1, end_column=column)
            start = row


def fixture_frames() -> dict[str, pd.DataFrame]:
    return snapshot(DAY)


def test_an_office_register_imports_to_the_same_rows_as_the_template(tmp_path, store):
    frames = fixture_frames()
    path = tmp_path / "2024年12月社工花名册.xlsx"
    path.write_bytes(office_workbook(frames))
    result = import_snapshot(path, AS_OF, store)
    for table in TABLES:
        stored = read_table(store, AS_OF, table)
        assert normalise(stored) == normalise(frames[table.name].reset_index(drop=True)), table.name
    notes = "\n".join(result.warnings)
    assert "跳过第1至2行（标题行）、第5行（空行）" in notes and "（合计行）" in notes and "（表尾说明）" in notes
    assert "“序号”" in notes and "“性别”" in notes
    stored_bytes = b"".join(p.read_bytes() for p in store.rglob("*.parquet"))
    for secret in ("13812345678", "王五", "13800000001"):
        assert secret not in notes and secret.encode() not in stored_bytes


def test_the_preview_says_what_was_read_past(tmp_path, store):
    tables, warnings = read_uploads([("花名册.xlsx", office_workbook(fixture_frames()))])
    checked = check_import(tables, AS_OF, store, warnings=warnings)
    assert checked.problems == []
    people = next(w for w in checked.warnings if "社会工作人才（2024年12月）" in w and "合计行" in w)
    assert "行（合计行）、第" in people and people.count("工作表") == 1  # one line per sheet


def test_a_gbk_csv_with_a_title_row_imports(tmp_path, store):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table in TABLES:
        frame = fixture_frames()[table.name]
        text = f"{table.label}（2024年12月）\n" + frame.to_csv(index=False)
        (folder / f"{table.label}.csv").write_bytes(text.encode("gb18030"))
    import_snapshot(folder, AS_OF, store)
    assert len(read_table(store, AS_OF, TABLES_BY_NAME["people"])) == len(fixture_frames()["people"])


# ---------------------------------------------------------------- never a wrong number silently


def edited_office(edit) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(office_workbook(fixture_frames())))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_of(book, table_name: str):
    return book[f"{TABLES_BY_NAME[table_name].label}（2024年12月）"]


def put(table_name: str, header_column: str, value, record: int = 0):
    """Set one record's cell (the first record is on row 4 of the office layout)."""

    def edit(book):
        sheet = sheet_of(book, table_name)
        table = TABLES_BY_NAME[table_name]
        column = [c.name for c in table.columns].index(header_column) + 2
        sheet.cell(row=4 + record + (1 if record >= 1 else 0), column=column).value = value

    return edit


def refused(tmp_path: Path, store: Path, content: bytes, as_of: date = AS_OF) -> str:
    before = tree_digest(store)
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(path, as_of, store)
    assert tree_digest(store) == before
    return "\n".join(map(str, failure.value.problems))


def imported(tmp_path: Path, store: Path, content: bytes, table_name: str) -> pd.DataFrame:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    import_snapshot(path, AS_OF, store)
    return read_table(store, AS_OF, TABLES_BY_NAME[table_name])


@pytest.mark.parametrize("placeholder", ["无", "/", "—", "#N/A", "不适用"])
def test_a_placeholder_in_a_count_is_empty_not_a_value(tmp_path, store, placeholder):
    text = refused(tmp_path, store, edited_office(put("townships", "station_resident_workers", placeholder)))
    assert "第4行，H列“驻站社工人数（station_resident_workers）”：不能为空" in text


@pytest.mark.parametrize("placeholder", ["无", "/", "不适用"])
def test_a_placeholder_brand_project_is_no_project(tmp_path, store, placeholder):
    frame = imported(tmp_path, store, edited_office(put("townships", "brand_project", placeholder)), "townships")
    assert frame["brand_project"].isna().sum() == fixture_frames()["townships"]["brand_project"].isna().sum() + 1


def test_numbers_and_dates_as_offices_write_them(tmp_path, store):
    edits = [put("purchases", "budget_wan", "1,200.5"), put("activities", "attendees", "１２"),
             put("activities", "activity_date", "２０２４年１１月５日", record=1),
             put("activities", "hours", 0.30000000000000004),
             put("townships", "township_name", "甲\u200b街道\u202e")]  # fmt: skip
    content = edited_office(lambda book: [edit(book) for edit in edits])
    purchases = imported(tmp_path, store, content, "purchases")
    assert purchases["budget_wan"].iloc[0] == 1200.5
    activities = read_table(store, AS_OF, TABLES_BY_NAME["activities"])
    assert activities["attendees"].iloc[0] == 12 and activities["hours"].iloc[0] == pytest.approx(0.3)
    assert pd.Timestamp(activities["activity_date"].iloc[1]).date() == date(2024, 11, 5)
    assert read_table(store, AS_OF, TABLES_BY_NAME["townships"])["township_name"].iloc[0] == "甲街道"


def test_a_formula_without_a_saved_value_names_its_cell(tmp_path, store):
    text = refused(tmp_path, store, edited_office(put("organisations", "staff", "=B4*2")))
    assert "表“社工机构”，第4行，G列“从业人员（staff）”：是公式但文件中没有保存计算结果" in text


def test_a_formula_with_a_saved_value_reads_the_value(tmp_path, store):
    content = edited_office(put("organisations", "staff", "=10+2"))
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    for name, part in parts.items():
        if name.startswith("xl/worksheets/"):
            parts[name] = part.replace(b"<f>10+2</f><v></v>", b"<f>10+2</f><v>12</v>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, part in parts.items():
            target.writestr(name, part)
    assert imported(tmp_path, store, out.getvalue(), "organisations")["staff"].iloc[0] == 12


def test_an_excel_error_value_is_refused(tmp_path, store):
    text = refused(tmp_path, store, edited_office(put("organisations", "staff", "#DIV/0!")))
    assert "是 Excel 错误值 #DIV/0!" in text


def test_hidden_sheets_are_never_read_in_place_of_visible_ones(tmp_path, store):
    def hide_people_and_add_a_decoy(book):
        sheet_of(book, "people").sheet_state = "hidden"

    text = refused(tmp_path, store, edited_office(hide_people_and_add_a_decoy))
    assert "“社会工作人才”工作表被隐藏" in text

    def hidden_copy(book):
        copy = book.copy_worksheet(sheet_of(book, "posts"))
        copy.title = "社会工作岗位（旧）"
        copy.sheet_state = "hidden"
        copy.cell(row=4, column=2).value = "OLD-POST"

    posts = imported(tmp_path, store, edited_office(hidden_copy), "posts")
    assert "OLD-POST" not in set(posts["post_id"])


def test_two_sheets_that_could_be_one_table_stop_and_ask(tmp_path, store):
    def second_people_sheet(book):
        copy = book.copy_worksheet(sheet_of(book, "people"))
        copy.title = "社工花名册"

    text = refused(tmp_path, store, edited_office(second_people_sheet))
    assert "都像是“社会工作人才”表" in text and "社工花名册" in text


def test_a_sheet_named_sheet1_is_recognised_by_its_columns(tmp_path, store):
    def rename(book):
        sheet_of(book, "posts").title = "Sheet1"

    path = tmp_path / "upload.xlsx"
    path.write_bytes(edited_office(rename))
    result = import_snapshot(path, AS_OF, store)
    assert any("“Sheet1”按列名识别为“社会工作岗位”表" in w for w in result.warnings)
    assert len(read_table(store, AS_OF, TABLES_BY_NAME["posts"])) == len(fixture_frames()["posts"])


def test_every_problem_in_every_sheet_at_once(tmp_path, store):
    edits = [put("organisations", "staff", "十"), put("townships", "station_stars", 9),
             put("communities", "township_code", "不存在镇"),
             put("people", "certificate_level", "高级工程师")]  # fmt: skip
    text = refused(tmp_path, store, edited_office(lambda book: [edit(book) for edit in edits]))
    assert "“十”应为整数" in text and "数值 9 超出范围" in text
    assert "代码“不存在镇”在“乡镇（街道）”中不存在" in text and "取值“高级工程师”不在允许范围" in text


def test_an_ambiguous_community_name_asks_for_the_code(tmp_path, store):
    def same_names(book):
        sheet = sheet_of(book, "communities")
        name_column = 4
        for row in range(4, sheet.max_row + 1):
            if sheet.cell(row=row, column=name_column).value:
                sheet.cell(row=row, column=name_column).value = "新村"
        people = sheet_of(book, "people")
        for row in range(4, people.max_row + 1):
            if people.cell(row=row, column=4).value not in (None, "/"):
                people.cell(row=row, column=4).value = "新村"
                people.cell(row=row, column=3).value = "/"  # no township to narrow the name down

    text = refused(tmp_path, store, edited_office(same_names))
    assert "村（社区）名称“新村”在多个乡镇都有" in text


def test_a_missing_column_names_the_header_that_looks_like_it(tmp_path, store):
    def misspell(book):
        sheet = sheet_of(book, "people")
        cell = next(c for c in sheet[3] if c.value == "证书级别")
        cell.value = "证书等级别"

    text = refused(tmp_path, store, edited_office(misspell))
    assert "缺少列：证书等级（certificate_level）；表中有“证书等级别”列，如果就是它，请把列名改为“证书等级”" in text
    assert "不认识" not in text


def test_no_header_row_says_what_to_change(tmp_path, store):
    def scramble(book):
        sheet = sheet_of(book, "posts")
        for cell in sheet[3]:
            cell.value = f"列{cell.column}"

    text = refused(tmp_path, store, edited_office(scramble))
    assert "第1行像是标题行，但其下没有找到列名行" in text


# ---------------------------------------------------------------- the as-of date


def test_a_future_as_of_date_is_refused():
    assert "晚于今天" in as_of_problems(date(2030, 1, 31), {}, {}, today=date(2026, 12, 1))[0]


def test_a_title_naming_another_month_is_refused(tmp_path, store):
    text = refused(tmp_path, store, office_workbook(fixture_frames()), as_of=date(2025, 1, 31))
    assert "写的是 2024年12月，与数据日期 2025-01-31 不符" in text


def test_data_that_ended_long_before_the_as_of_date_is_flagged(tmp_path, store):
    frames = fixture_frames()
    newest = max(d for t in TABLES for c in t.columns if c.past for d in frames[t.name][c.name].dropna())
    late = pd.Timestamp(newest).date() + timedelta(days=120)
    content = office_workbook(frames).replace(b"x", b"x")  # same file, another as-of date (title checked separately)
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    tables, _ = read_uploads([("upload.xlsx", content)])
    for raw in tables.values():
        raw.title_months.clear()
    checked = check_import(tables, late, store)
    assert checked.problems == []
    assert any("请核对数据日期是否选错" in w for w in checked.warnings)


# ---------------------------------------------------------------- files that are not registers


def test_password_protected_html_and_damaged_files_each_say_what_they_are(tmp_path, store):
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    cases = [
        (encrypted, "设有打开密码"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "实际是网页或 XML 格式"),
    ]
    good = office_workbook(fixture_frames())
    with zipfile.ZipFile(io.BytesIO(good)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    bomb = dict(parts)
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
    body = parts[sheet].split(b"?>", 1)[-1]
    bomb[sheet] = laughs + body.replace(b"<v>", b"<v>&lol2;", 1)
    broken = dict(parts)
    broken[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    for variant, message in ((bomb, "无法读取 XLSX 工作簿"), (broken, "")):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name, part in variant.items():
                target.writestr(name, part)
        cases.append((out.getvalue(), message))
    for content, message in cases:
        text = refused(tmp_path, store, content)
        assert message in text
        assert "Traceback" not in text


def test_an_oversized_csv_field_is_refused(tmp_path, store):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "townships.csv").write_text("乡镇区划代码,乡镇名称\n1," + "很" * 1_100_000 + "\n", encoding="utf-8")
    before = tree_digest(store)
    with pytest.raises(ImportFailed, match="某个单元格过长"):
        import_snapshot(folder, AS_OF, store)
    assert tree_digest(store) == before


# ---------------------------------------------------------------- personal data and control characters

PERSONAL_SPELLINGS = ["11010119900307001Ｘ", "+86 138 1234 5678", "138-1234-5678", "138/1234/5678", "138_1234_5678",
                      "１３８１２３４５６７８", "0551-65123456", "(010) 6512 3456", "联系人 13812345678"]  # fmt: skip


@pytest.mark.parametrize("secret", PERSONAL_SPELLINGS)
def test_personal_numbers_are_refused_in_any_spelling_and_never_echoed(tmp_path, store, secret):
    text = refused(tmp_path, store, edited_office(put("people", "role", secret)))
    assert "疑似包含身份证号或手机号码" in text
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", secret) if ch.isdigit())
    assert digits[-8:] not in "".join(ch for ch in text if ch.isdigit())


def test_a_phone_number_in_a_header_is_neither_read_nor_echoed(tmp_path, store):
    def phone_header(book):
        sheet = sheet_of(book, "posts")
        sheet.cell(row=3, column=sheet.max_column + 1, value="值班 13912345678")

    path = tmp_path / "upload.xlsx"
    path.write_bytes(edited_office(phone_header))
    result = import_snapshot(path, AS_OF, store)
    notes = "\n".join(result.warnings)
    assert "列名疑似含个人号码" in notes and "13912345678" not in notes


def test_a_control_character_is_refused(tmp_path, store):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table in TABLES:
        frame = fixture_frames()[table.name].copy()
        if table.name == "posts":
            frame.loc[0, "unit_name"] = "社区\x00服务中心"
        frame.to_csv(folder / f"{table.name}.csv", index=False)
    before = tree_digest(store)
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(folder, AS_OF, store)
    assert "含有不可见的控制字符" in "\n".join(map(str, failure.value.problems))
    assert tree_digest(store) == before


def test_a_phone_number_in_a_sheet_name_is_never_echoed(tmp_path, store):
    def rename(book):
        book.create_sheet("张三 13912345678").cell(row=1, column=1, value="备忘")

    path = tmp_path / "upload.xlsx"
    path.write_bytes(edited_office(rename))
    result = import_snapshot(path, AS_OF, store)
    assert "13912345678" not in "\n".join(result.warnings)
    assert any("名称中含疑似个人号码" in w for w in result.warnings)


def test_last_months_file_again_is_pointed_out(store):
    def checked_on(day: date):
        tables, _ = read_uploads([("upload.xlsx", office_workbook(fixture_frames()))])
        for raw in tables.values():
            raw.title_months.clear()  # the same file, named for no month
        return check_import(tables, day, store)

    first = checked_on(date(2025, 4, 30))  # after the fixture's last snapshot, whose data differ
    assert not any("完全相同" in w for w in first.warnings)
    write_checked(first, store, replace=False)
    assert any("与 2025-04-30 快照完全相同" in w for w in checked_on(date(2025, 5, 31)).warnings)
