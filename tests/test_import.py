"""Import: the template round trip, 30+ malformed files refused with nothing written, personal data dropped."""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from socialwork import cli
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.data.importing.id_numbers import pseudonymous_id
from socialwork.data.importing.importer import ImportFailed, import_snapshot
from socialwork.data.importing.workbook import FIRST_DATA_ROW, template_bytes, workbook_bytes
from socialwork.data.storage import identity
from socialwork.data.storage.store import read_table, snapshot_dates
from socialwork.figures.place_filter import EVERYWHERE
from tests.fixture_county import snapshot

DAY = date(2024, 11, 30)
NEW_DAY = date(2024, 12, 31)
KEY = "test-key"


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def normalise(frame: pd.DataFrame) -> list[list]:
    """Cells as plain Python values: missing -> None, timestamps -> dates, numbers -> float."""

    def plain(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return value

    return [[plain(v) for v in row] for row in frame.itertuples(index=False)]


@pytest.fixture
def store(tmp_path, fixture_store) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(fixture_store, copy)
    return copy


@pytest.fixture(scope="module")
def base_workbook() -> bytes:
    """The fixture county's November 2024 snapshot in the template's layout."""
    return workbook_bytes(snapshot(DAY))


def edited(content: bytes, edit) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column_of(sheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def set_cell(sheet_name: str, header: str, value, row: int = 0):
    def edit(book):
        sheet = book[sheet_name]
        # openpyxl's cell(value=None) leaves the old value: assign to clear
        sheet.cell(row=FIRST_DATA_ROW + row, column=column_of(sheet, header)).value = value

    return edit


def write(tmp_path: Path, content: bytes, name: str = "upload.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# ---------------------------------------------------------------- round trip


def test_demo_exported_to_the_template_imports_back_equal(tmp_path, demo_store):
    frames = {t.name: read_table(demo_store, LAST_SNAPSHOT, t) for t in TABLES}
    path = write(tmp_path, workbook_bytes(frames))
    out = tmp_path / "store"
    identity.write(out, identity.new_county("测试县", "999901"))  # `init`: the import needs the store's county
    result = import_snapshot(path, LAST_SNAPSHOT, out)
    assert result.rows == {name: len(frame) for name, frame in frames.items()}
    for table in TABLES:
        imported = read_table(out, LAST_SNAPSHOT, table)
        assert normalise(imported) == normalise(frames[table.name]), table.name


def test_template_has_a_sheet_per_table_with_headers_notes_and_lists():
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    for table in TABLES:
        sheet = book[table.label]
        headers = [c.value for c in sheet[1]]
        assert all(c.label in headers for c in table.columns)
        assert all(str(c.value).startswith(("必填", "可空")) for c in sheet[2] if c.value)
    assert book["社会工作人才"].data_validations.dataValidation, "enumerations get drop-down lists"
    assert book["选项"].sheet_state == "hidden"


def test_import_then_replace_keeps_the_old_snapshot(tmp_path, store, base_workbook):
    path = write(tmp_path, base_workbook)
    result = import_snapshot(path, NEW_DAY, store)
    assert result.previous_date == DAY and not result.replaced  # the month before, though 2025-03-31 exists
    assert NEW_DAY in snapshot_dates(store)
    with pytest.raises(ImportFailed, match="已存在"):
        import_snapshot(path, NEW_DAY, store)
    assert import_snapshot(path, NEW_DAY, store, replace=True).replaced
    assert len(list((store / ".replaced").iterdir())) == 1


def test_csv_files_per_table_are_accepted(tmp_path, store):
    folder = tmp_path / "csv"
    folder.mkdir()
    for table in TABLES:
        frame = snapshot(DAY)[table.name]
        frame.to_csv(folder / f"{table.name}.csv", index=False, encoding="utf-8-sig")
    result = import_snapshot(folder, NEW_DAY, store)
    assert result.rows["people"] == len(snapshot(DAY)["people"])


# ---------------------------------------------------------------- malformed files


def drop_sheet(name):
    return lambda book: book.remove(book[name])


def drop_column(sheet_name, header):
    return lambda book: book[sheet_name].delete_cols(column_of(book[sheet_name], header))


def add_column(sheet_name, header):
    def edit(book):
        sheet = book[sheet_name]
        sheet.cell(row=1, column=sheet.max_column + 1, value=header)

    return edit


def clear_rows(sheet_name):
    def edit(book):
        sheet = book[sheet_name]
        sheet.delete_rows(FIRST_DATA_ROW, sheet.max_row)

    return edit


def copy_row(sheet_name, source=0, target=1, header=None, value=None):
    def edit(book):
        sheet = book[sheet_name]
        for cell in sheet[FIRST_DATA_ROW + source]:
            sheet.cell(row=FIRST_DATA_ROW + target, column=cell.column, value=cell.value)
        if header:
            sheet.cell(row=FIRST_DATA_ROW + target, column=column_of(sheet, header), value=value)

    return edit


def both(*edits):
    def edit(book):
        for one in edits:
            one(book)

    return edit


PERSONAL = "疑似包含身份证号或手机号码"
MALFORMED = [
    ("missing sheet", drop_sheet("社会工作人才"), "缺少工作表“社会工作人才”"),
    ("missing column", drop_column("乡镇（街道）", "乡镇名称"), "缺少列：乡镇名称"),
    ("empty people", clear_rows("社会工作人才"), "表“社会工作人才”：数据表为空"),
    ("empty townships", clear_rows("乡镇（街道）"), "表“乡镇（街道）”：数据表为空"),
    ("text in integer", set_cell("社工机构", "从业人员", "十"), "列“从业人员（staff）”：“十”应为整数"),
    ("fraction in integer", set_cell("督导培训活动", "参加人次", 3.5), "“3.5”应为整数"),
    ("text in number", set_cell("政府购买社工服务", "预算（万元）", "很多"), "“很多”应为数字"),
    ("unreadable date", set_cell("督导培训活动", "活动日期", "2024-13-45"), "日期“2024-13-45”无法识别"),
    ("joined in the future", set_cell("社会工作人才", "入库日期", date(2030, 1, 1)), "日期 2030-01-01 不合理"),
    ("registered in 1900", set_cell("社工机构", "登记日期", date(1900, 1, 1)), "日期 1900-01-01 不合理"),
    ("certificate after as-of", set_cell("社会工作人才", "证书取得日期", date(2025, 6, 1)), "日期 2025-06-01 不合理"),
    ("post created after as-of", set_cell("社会工作岗位", "设岗日期", date(2025, 2, 1)), "不合理"),
    ("due date in 2300", set_cell("实施步骤与举措", "截止日期", date(2300, 1, 1)), "超出合理范围"),
    ("unknown township code", set_cell("村（社区）", "所属乡镇代码", "999999999"),
     "代码“999999999”在“乡镇（街道）”中不存在"),
    ("unknown community code", set_cell("社会工作人才", "服务村（社区）代码", "999999001999"),
     "在“村（社区）”中不存在"),
    ("duplicate person id", copy_row("社会工作人才", 0, 1), "编号重复"),
    ("duplicate township code", copy_row("乡镇（街道）", 0, 1, "乡镇名称", "重名镇"), "编号重复"),
    ("unknown community kind", set_cell("村（社区）", "类型", "城中村"), "取值“城中村”不在允许范围"),
    ("unknown certificate", set_cell("社会工作人才", "证书等级", "高级工程师"), "取值“高级工程师”不在允许范围"),
    ("unknown metric", set_cell("年度目标", "指标", "xyz"), "取值“xyz”不在允许范围"),
    ("bad yes/no", set_cell("乡镇（街道）", "是否建有社工站", "也许"), "“也许”应为“是”或“否”"),
    ("negative residents", set_cell("乡镇（街道）", "驻站社工人数", -1), "数值 -1 超出范围"),
    ("six stars", set_cell("乡镇（街道）", "社工站星级", 6), "数值 6 超出范围"),
    ("negative budget", set_cell("政府购买社工服务", "预算（万元）", -5), "超出范围"),
    ("award year 1800", set_cell("社会工作人才", "获奖年度", 1800), "超出范围"),
    ("missing required name", set_cell("乡镇（街道）", "乡镇名称", None), "列“乡镇名称（township_name）”：不能为空"),
    ("community outside its township", set_cell("社会工作人才", "服务乡镇代码", "999999101"), "不属于乡镇"),
    ("bad id number", both(set_cell("社会工作人才", "人员编号", None), set_cell("社会工作人才", "身份证号", "12345")),
     "身份证号格式不正确"),
    ("no id at all", set_cell("社会工作人才", "人员编号", None), "人员编号和身份证号不能同时为空"),
    ("id check digit wrong", both(set_cell("社会工作人才", "人员编号", None),
                                  set_cell("社会工作人才", "身份证号", "110101199003070012")), "身份证号校验位不正确"),
    ("empty purchase year", set_cell("政府购买社工服务", "年度", None), "不能为空"),
    ("negative attendees", set_cell("督导培训活动", "参加人次", -3), "超出范围"),
    ("phone number in a role", set_cell("社会工作人才", "岗位角色", "社工 13800138000"), "疑似包含身份证号或手机号码"),
    ("id number as person id", set_cell("社会工作人才", "人员编号", "11010119900307001X"),
     "疑似包含身份证号或手机号码"),
    ("phone with dashes in a role", set_cell("社会工作人才", "岗位角色", "联系 138-1234-5678"), PERSONAL),
    ("phone with +86 in a title", set_cell("督导培训活动", "活动名称", "+86 13812345678"), PERSONAL),
    ("id number in a choice list", set_cell("社会工作人才", "证书等级", "11010119900307001X"), PERSONAL),
    ("phone number as a count", set_cell("督导培训活动", "参加人次", 13800138000), "疑似包含身份证号或手机号码"),
    ("count too large", set_cell("社工机构", "从业人员", 99999999999), "超出整数范围"),
    ("infinite budget", set_cell("政府购买社工服务", "预算（万元）", "inf"), "应为有限的数字"),
    ("repeated header", add_column("社工机构", "从业人员"), "列名重复：从业人员"),
    ("township name twice", set_cell("乡镇（街道）", "乡镇名称", "乙镇"), "乡镇名称“乙镇”重复"),
    ("certified above staff", set_cell("社工机构", "持证人员", 50), "不能多于从业人员人数"),
    ("id number typed as a number", both(set_cell("社会工作人才", "人员编号", None),
                                         set_cell("社会工作人才", "身份证号", 110101199003070011)),
     "身份证号须以文本格式填写"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "edit", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_workbook_is_refused_and_nothing_changes(tmp_path, store, base_workbook, case, edit, message):
    before = tree_digest(store)
    path = write(tmp_path, edited(base_workbook, edit))
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(path, DAY if "after" in case else NEW_DAY, store, replace="after" in case, id_key=KEY)
    text = "\n".join(str(p) for p in failure.value.problems)
    assert message in text
    for secret in ("13800138000", "1381234", "11010119900307001X", "1.10101"):
        assert secret not in text  # personal numbers are never echoed
    assert tree_digest(store) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.xlsx", b"hello, this is not a workbook", "不是有效的 XLSX"),
        ("broken.xlsx", b"PK\x03\x04 truncated zip", "无法读取 XLSX 工作簿"),
        ("old.xls", b"\xd0\xcf\x11\xe0 legacy excel", "旧版 Excel 97-2003 工作簿（.xls）"),
    ],
)
def test_not_a_workbook(tmp_path, store, name, content, message):
    before = tree_digest(store)
    with pytest.raises(ImportFailed, match=message):
        import_snapshot(write(tmp_path, content, name), NEW_DAY, store)
    assert tree_digest(store) == before


def test_zip_that_is_not_a_workbook(tmp_path, store):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not excel")
    with pytest.raises(ImportFailed, match="无法读取 XLSX 工作簿"):
        import_snapshot(write(tmp_path, buffer.getvalue()), NEW_DAY, store)


def test_csv_problems(tmp_path, store):
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "名单.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"无法识别 CSV 文件“名单\.csv”"):
        import_snapshot(odd, NEW_DAY, store)
    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "townships.csv").write_bytes(b"\x81\x30\xff\xfe,\x80\n")
    with pytest.raises(ImportFailed, match="编码无法识别"):
        import_snapshot(latin, NEW_DAY, store)


def test_id_number_without_a_key_is_refused(tmp_path, store, base_workbook, monkeypatch):
    monkeypatch.delenv("SOCIALWORK_ID_KEY", raising=False)
    edit = both(set_cell("社会工作人才", "人员编号", None), set_cell("社会工作人才", "身份证号", "110101199003070011"))
    with pytest.raises(ImportFailed, match="未配置人员编号密钥"):
        import_snapshot(write(tmp_path, edited(base_workbook, edit)), NEW_DAY, store)


def test_every_problem_is_reported_at_once(tmp_path, store, base_workbook):
    edit = both(set_cell("社工机构", "从业人员", "十"), set_cell("乡镇（街道）", "社工站星级", 9),
                set_cell("督导培训活动", "活动日期", "昨天"))  # fmt: skip
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(write(tmp_path, edited(base_workbook, edit)), NEW_DAY, store)
    text = "\n".join(map(str, failure.value.problems))
    assert "“十”应为整数" in text and "“昨天”无法识别" in text
    assert "第3行" in text  # the first data row of the template


# ---------------------------------------------------------------- personal data

NAMES, IDS, PHONES = ["张三丰", "李四娘"], ["110101199003070011", "42010619851212345X"], ["13800138000", "13912345678"]


def register_with_personal_data(base: bytes) -> bytes:
    def edit(book):
        sheet = book["社会工作人才"]
        for header in ("姓名", "联系电话"):
            sheet.cell(row=1, column=sheet.max_column + 1, value=header)
        name_col, phone_col = column_of(sheet, "姓名"), column_of(sheet, "联系电话")
        for row, (name, id_number, phone) in enumerate(zip(NAMES, IDS, PHONES, strict=True)):
            sheet.cell(row=FIRST_DATA_ROW + row, column=column_of(sheet, "人员编号")).value = None
            sheet.cell(row=FIRST_DATA_ROW + row, column=column_of(sheet, "身份证号"), value=id_number)
            sheet.cell(row=FIRST_DATA_ROW + row, column=name_col, value=name)
            sheet.cell(row=FIRST_DATA_ROW + row, column=phone_col, value=phone)

    return edited(base, edit)


def test_names_ids_and_phones_never_reach_the_store_or_the_logs(tmp_path, store, base_workbook, caplog, capsys):
    path = write(tmp_path, register_with_personal_data(base_workbook))
    caplog.set_level(logging.DEBUG)
    assert cli.main(["import", str(path), "--as-of", "2024-12-31", "--data", str(store)]) == 2  # no key yet
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOCIALWORK_ID_KEY", KEY)
        assert cli.main(["import", str(path), "--as-of", "2024-12-31", "--data", str(store)]) == 0
        assert cli.main(["import", str(path), "--as-of", "2025-01-31", "--data", str(store)]) == 0
    output = capsys.readouterr()
    stored = b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())
    for secret in NAMES + IDS + PHONES:
        assert secret.encode() not in stored, secret
        assert secret not in output.out + output.err + caplog.text, secret
    first = read_table(store, date(2024, 12, 31), TABLES[2])
    later = read_table(store, date(2025, 1, 31), TABLES[2])
    expected = {pseudonymous_id(i, KEY) for i in IDS}
    assert expected <= set(first["person_id"]) and expected <= set(later["person_id"])  # same person, same id


def test_cli_import_errors_exit_2_and_template_is_written(tmp_path, store, capsys):
    assert cli.main(["template", "-o", str(tmp_path / "t.xlsx"), "--data", str(store)]) == 0
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames[:2] == ["说明", "乡镇（街道）"]
    assert book["说明"]["A1"].value == "测试县社会工作人才数据导入模板"
    assert cli.main(["import", str(tmp_path / "t.xlsx"), "--as-of", "2024-12-31", "--data", str(store)]) == 2
    assert "数据表为空" in capsys.readouterr().err
    assert cli.main(["import", str(tmp_path / "t.xlsx"), "--as-of", "31/12/2024", "--data", str(store)]) == 2


def test_the_demo_folder_refuses_real_data(tmp_path, demo_store, base_workbook):
    demo = tmp_path / "demo"
    shutil.copytree(demo_store, demo)
    before = tree_digest(demo)
    with pytest.raises(ImportFailed, match="内置演示数据目录"):
        import_snapshot(write(tmp_path, base_workbook), NEW_DAY, demo)
    assert tree_digest(demo) == before


# ---------------------------------------------------------------- the plan carried forward


def without_sheets(*labels):
    return lambda book: [book.remove(book[label]) for label in labels]


PLAN_SHEETS = ("年度目标", "实施步骤与举措")


def test_a_month_without_the_plan_carries_it_from_the_latest_earlier_snapshot(tmp_path, store, base_workbook):
    targets, steps = (TABLES_BY_NAME[n] for n in ("targets", "milestones"))
    result = import_snapshot(write(tmp_path, edited(base_workbook, without_sheets(*PLAN_SHEETS))), NEW_DAY, store)
    # 2024-11-30 is the latest snapshot before 2024-12-31 (2025-03-31 comes after it)
    assert read_table(store, NEW_DAY, targets).equals(read_table(store, DAY, targets))
    assert read_table(store, NEW_DAY, steps).equals(read_table(store, DAY, steps))
    assert "文件中没有“年度目标”：沿用 2024-11-30 快照中的年度目标（12 行）" in result.warnings
    assert "文件中没有“实施步骤与举措”：沿用 2024-11-30 快照中的实施步骤与举措（2 行）" in result.warnings


def test_a_changed_goal_takes_effect_and_is_carried_from_then_on(tmp_path, store, base_workbook):
    from socialwork.figures import metrics

    def net_goal(on: date) -> float:
        return next(
            k.goal for k in metrics.kpi_report(on, EVERYWHERE, store).kpis if k.metric_key == "certified_net_increase"
        )

    january, february = date(2025, 1, 31), date(2025, 2, 28)
    assert net_goal(DAY) == 40.0
    changed = edited(base_workbook, set_cell("年度目标", "目标值", 50, row=6))  # row 6: 2025's net increase
    import_snapshot(write(tmp_path, changed), january, store)
    assert net_goal(january) == 50.0
    import_snapshot(write(tmp_path, edited(base_workbook, without_sheets(*PLAN_SHEETS)), "f.xlsx"), february, store)
    assert net_goal(february) == 50.0  # carried from January, not from the older plan
    assert net_goal(date(2025, 3, 31)) == 40.0  # a snapshot written before keeps its own plan


def test_the_first_snapshot_needs_its_targets_but_not_its_steps(tmp_path, base_workbook):
    empty = tmp_path / "store"
    identity.write(empty, identity.new_county("测试县", "999999"))
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(write(tmp_path, edited(base_workbook, without_sheets(*PLAN_SHEETS))), DAY, empty)
    assert [str(p) for p in failure.value.problems] == [
        "表“年度目标”：缺少工作表“年度目标”：第一期数据必须填写（以后各期可省略，导入时沿用上一期）"
    ]
    assert snapshot_dates(empty) == []
    result = import_snapshot(write(tmp_path, edited(base_workbook, without_sheets("实施步骤与举措"))), DAY, empty)
    assert result.rows["milestones"] == 0 and result.rows["targets"] == 12
    assert "文件中没有“实施步骤与举措”，也没有更早的快照可沿用：本期实施步骤与举措为空" in result.warnings


def test_township_codes_of_another_county_are_pointed_out(tmp_path, base_workbook):
    other = tmp_path / "store"
    identity.write(other, identity.new_county("云溪县", "530524"))
    result = import_snapshot(write(tmp_path, base_workbook), DAY, other)
    assert "3 个乡镇（街道）的区划代码不以云溪县的县级区划代码 530524 开头（如 999999001）；请确认导入的是本县数据" in (
        result.warnings
    )


def test_a_missing_id_key_is_reported_once_for_all_rows(tmp_path, store, base_workbook, monkeypatch):
    monkeypatch.delenv("SOCIALWORK_ID_KEY", raising=False)
    numbers = ["110101199003070011", "42010619851212345X", "110101199003070038"]
    edits = [set_cell("社会工作人才", "人员编号", None, row) for row in range(3)]
    edits += [set_cell("社会工作人才", "身份证号", n, row) for row, n in enumerate(numbers)]
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(write(tmp_path, edited(base_workbook, both(*edits))), NEW_DAY, store)
    assert [str(p) for p in failure.value.problems] == [
        "表“社会工作人才”，列“人员编号（person_id）”：未配置人员编号密钥（环境变量 SOCIALWORK_ID_KEY），"
        "无法由身份证号生成人员编号（共 3 行：第3、4、5行）"
    ]
