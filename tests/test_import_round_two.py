"""Real registers, round two (issue 37): each class of file an office or an attacker makes, built with openpyxl (title
rows, merged cells, full-width characters), refused with its Chinese message and the store unchanged, or accepted
with exactly the expected rows."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.styles import PatternFill

from socialwork import cli
from socialwork.data.contract.tables import TABLES
from socialwork.data.importing import bounded
from socialwork.data.importing.cells import PERSONAL_NUMBER_MESSAGE
from socialwork.data.importing.files import read_csv_files, read_xlsx
from socialwork.data.importing.importer import ImportFailed, import_snapshot
from socialwork.data.importing.sheets import SheetError
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.storage import identity, layout, store
from tests.fixture_county import snapshot
from tests.test_import import normalise, tree_digest
from tests.test_import_office import AS_OF, fixture_frames, office_workbook

DASHES = ["—", "–", "‒", "－", "‐", "﹣"]


@pytest.fixture
def county_store(tmp_path, fixture_store) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(fixture_store, copy)
    return copy


def write(tmp_path: Path, content: bytes, name: str = "2024年12月花名册.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def refused(path: Path | list[Path], data: Path, as_of: date = AS_OF, **options) -> str:
    """The problems of an import that must fail, as one text; the store's files are exactly as before."""
    before = tree_digest(data)
    with pytest.raises(ImportFailed) as failure:
        import_snapshot(path, as_of, data, **options)
    assert tree_digest(data) == before
    return "\n".join(str(p) for p in failure.value.problems)


def edited(content: bytes, edit) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def people_sheet(book):
    return next(s for s in book.worksheets if s.title.startswith("社会工作人才"))


def assert_stored_as(data: Path, on: date, frames) -> None:
    for table in TABLES:
        stored = store.read_table(data, on, table)
        assert normalise(stored) == normalise(frames[table.name].reset_index(drop=True)), table.name


# ---------------------------------------------------------------- 2. personal data behind any dash


@pytest.mark.parametrize("dash", DASHES)
def test_a_mobile_number_written_with_any_dash_is_refused_in_a_text_field(tmp_path, county_store, dash):
    frames = fixture_frames()
    frames["people"].loc[0, "role"] = f"138{dash}0013{dash}8000"
    text = refused(write(tmp_path, office_workbook(frames)), county_store)
    assert PERSONAL_NUMBER_MESSAGE in text and "岗位" in text
    assert "0013" not in text


# ---------------------------------------------------------------- 4. codes as typed


def test_init_stores_a_full_width_code_as_ascii_digits(tmp_path):
    data = tmp_path / "s"
    args = ["init", "--data", str(data), "--county", "云溪县", "--code", "９９９９０１", "-o", str(tmp_path / "t.xlsx")]
    assert cli.main(args) == 0
    assert json.loads((data / "county.json").read_text(encoding="utf-8"))["county_code"] == "999901"


@pytest.mark.parametrize("code", ["٩٩٩٩٠١", "99990", "９９９９０１０", "99990a"])
def test_init_refuses_a_code_that_is_not_six_ascii_digits(tmp_path, capsys, code):
    data = tmp_path / "s"
    args = ["init", "--data", str(data), "--county", "云溪县", "--code", code, "-o", str(tmp_path / "t.xlsx")]
    assert cli.main(args) == 2
    assert "应为 6 位数字的县级区划代码" in capsys.readouterr().err
    assert not (data / "county.json").exists()


def test_a_county_json_with_full_width_digits_is_refused_on_reading(tmp_path):
    data = tmp_path / "s"
    identity.write(data, identity.new_county("云溪县", "530524"))
    path = data / "county.json"
    path.write_text(path.read_text(encoding="utf-8").replace("530524", "５３０５２４"), encoding="utf-8")
    with pytest.raises(layout.StoreError, match="应为 6 位数字的县级区划代码"):
        identity.load(data)


# ---------------------------------------------------------------- 5. bounded reading


def test_a_stray_formatted_cell_at_xfd3000_costs_nothing_and_imports_the_rows(tmp_path, county_store):
    def stray(book):
        people_sheet(book)["XFD3000"].fill = PatternFill("solid", fgColor="FFFF00")

    content = edited(office_workbook(fixture_frames()), stray)
    tables, _ = read_xlsx(content, "花名册.xlsx")
    assert max(len(row) for row in tables["people"].rows) < 30 and max(tables["people"].row_numbers) < 30
    import_snapshot(write(tmp_path, content), AS_OF, county_store)
    assert_stored_as(county_store, AS_OF, fixture_frames())


def test_a_value_past_the_column_cap_is_refused_naming_the_cell(tmp_path, county_store):
    def stray(book):
        people_sheet(book)["XFD3000"] = "x"

    text = refused(write(tmp_path, edited(office_workbook(fixture_frames()), stray)), county_store)
    assert "XFD3000 单元格有内容" in text and "最多读取 200 列" in text


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (bounded.Limits(rows=5), "最多读取 5 行"),
        (bounded.Limits(columns=10), "最多读取 10 列"),
        (bounded.Limits(cells=300), "已超过 300 个单元格"),
        (bounded.Limits(file_bytes=5_000), "超过一次导入的上限 0 MB"),
        (bounded.Limits(unpacked_bytes=50_000), "解压后有"),
    ],
)
def test_every_cap_is_a_chinese_refusal_and_writes_nothing(tmp_path, county_store, monkeypatch, limits, message):
    monkeypatch.setattr(bounded, "LIMITS", limits)
    assert message in refused(write(tmp_path, office_workbook(fixture_frames())), county_store)


def test_the_caps_hold_for_csv_files_too(monkeypatch):
    monkeypatch.setattr(bounded, "LIMITS", bounded.Limits(columns=10))
    wide = ("乡镇区划代码,乡镇名称" + "," * 30 + "x\n999999001,甲街道\n").encode()
    with pytest.raises(SheetError, match="AF1 单元格有内容"):
        read_csv_files([("townships.csv", wide)])
    trailing = ("乡镇区划代码,乡镇名称" + "," * 30 + "\n999999001,甲街道" + "," * 30 + "\n").encode()
    assert read_csv_files([("townships.csv", trailing)])["townships"].rows == [["999999001", "甲街道"]]


def test_a_document_type_in_the_xml_is_refused_before_it_is_parsed(tmp_path, county_store):
    import zipfile

    good = workbook_bytes(snapshot(date(2024, 11, 30)))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if name.startswith("xl/worksheets/sheet"):
                at = part.index(b"<worksheet")
                part = part[:at] + b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + part[at:]
            target.writestr(name, part)
    assert "含有不安全的内容（如实体扩展）" in refused(write(tmp_path, out.getvalue()), county_store)


# ---------------------------------------------------------------- 7. small things


def test_the_next_import_removes_a_killed_imports_staging_folder(tmp_path, county_store):
    leftover = county_store / ".staging-killed"
    leftover.mkdir()
    (leftover / "people.parquet").write_bytes(b"half")
    import_snapshot(write(tmp_path, office_workbook(fixture_frames())), AS_OF, county_store)
    assert not leftover.exists()
    assert [p.name for p in county_store.iterdir() if p.name.startswith(".staging-")] == []


def test_an_import_between_two_snapshots_compares_with_the_month_before(tmp_path, county_store):
    march = snapshot(date(2025, 3, 31))  # the file of 2025-03-31, imported as 2025-03-20: not last month's again
    result = import_snapshot(write(tmp_path, workbook_bytes(march), "upload.xlsx"), date(2025, 3, 20), county_store)
    assert result.previous_date == date(2024, 11, 30)
    assert not any("完全相同" in w for w in result.warnings)
    assert result.previous_rows["people"] == len(snapshot(date(2024, 11, 30))["people"])


# ---------------------------------------------------------------- 3. refusals that say what to write


def replaced_text(old: str, new: str, sheet_prefix: str):
    """An edit writing `new` wherever a sheet starting with sheet_prefix holds `old`."""

    def edit(book):
        sheet = next(s for s in book.worksheets if s.title.startswith(sheet_prefix))
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == old:
                    cell.value = new

    return edit


def with_card_target():
    """The fixture's frames with a goal on talent cards, the metric whose label carries the card's name."""
    frames = fixture_frames()
    row = {"plan_year": 2024, "metric_key": "talent_cards_this_year", "target_label": "发放人才卡",
           "goal_value": 5.0, "comparator": "ge", "scope": "county"}  # fmt: skip
    frames["targets"] = pd.concat([frames["targets"], pd.DataFrame([row])], ignore_index=True)
    return frames


@pytest.mark.parametrize(
    "written", ["本年发放“测试英才卡”", '本年发放"测试英才卡"', "本年发放测试英才卡", "本年发放人才卡"]
)
def test_the_talent_card_label_as_the_dashboard_shows_it_is_accepted(tmp_path, county_store, written):
    assert identity.load(county_store).metric_label("talent_cards_this_year") == "本年发放“测试英才卡”"
    content = edited(office_workbook(with_card_target()), replaced_text("本年发放人才卡", written, "年度目标"))
    result = import_snapshot(write(tmp_path, content), AS_OF, county_store)
    assert_stored_as(county_store, AS_OF, with_card_target())
    assert not any("旧版本" in w for w in result.warnings)


def test_the_demos_old_label_is_accepted_with_a_note(tmp_path, county_store):
    content = edited(
        office_workbook(with_card_target()), replaced_text("本年发放人才卡", "本年发放“XX英才卡”", "年度目标")
    )
    result = import_snapshot(write(tmp_path, content), AS_OF, county_store)
    assert_stored_as(county_store, AS_OF, with_card_target())
    note = next(w for w in result.warnings if "旧版本" in w)
    assert "“本年发放“XX英才卡””是旧版本（演示数据）的写法，已按本县看板显示的“本年发放“测试英才卡””导入" in note


@pytest.mark.parametrize(
    ("sheet", "old", "new", "closest"),
    [
        ("年度目标", "本年发放人才卡", "本年发放“云溪英才卡”", "本年发放“测试英才卡”"),  # another county's card
        ("社会工作人才", "社会工作师", "社会工作帅", "社会工作师"),
        ("村（社区）", "城市社区", "城市杜区", "城市社区"),
    ],
)
def test_a_refused_value_names_the_closest_allowed_one(tmp_path, county_store, sheet, old, new, closest):
    content = edited(office_workbook(with_card_target()), replaced_text(old, new, sheet))
    text = refused(write(tmp_path, content), county_store)
    assert f"取值“{new}”不在允许范围；最接近的允许值是“{closest}”，如果指的是它，请改为“{closest}”" in text


def test_a_missing_column_and_the_files_cell_errors_come_in_one_round(tmp_path, county_store):
    def damage(book):
        replaced_text("证书级别", "证书等级别", "社会工作人才")(book)  # the column's header misspelt
        people = people_sheet(book)
        joined = next(c.column for c in people[3] if c.value == "入库时间")
        people.cell(row=4, column=joined, value="昨天")
        organisations = next(s for s in book.worksheets if s.title.startswith("社工机构"))
        staff = next(c.column for c in organisations[3] if c.value == "从业人员数")
        organisations.cell(row=4, column=staff, value="十")

    text = refused(write(tmp_path, edited(office_workbook(fixture_frames()), damage)), county_store)
    assert "缺少列：证书等级（certificate_level）；表中有“证书等级别”列，如果就是它，请把列名改为“证书等级”" in text
    assert "第4行" in text and "日期“昨天”无法识别" in text and "“十”应为整数" in text
    assert "certificate_level）”：不能为空" not in text  # the missing column is one problem, not one per row


def test_a_sheet_without_its_header_row_and_the_other_sheets_cell_errors_come_in_one_round(tmp_path, county_store):
    def damage(book):
        posts = next(s for s in book.worksheets if s.title.startswith("社会工作岗位"))
        for cell in posts[3]:
            cell.value = f"列{cell.column}"
        people = people_sheet(book)
        joined = next(c.column for c in people[3] if c.value == "入库时间")
        people.cell(row=4, column=joined, value="昨天")

    text = refused(write(tmp_path, edited(office_workbook(fixture_frames()), damage)), county_store)
    assert "第1行像是标题行，但其下没有找到列名行" in text and "日期“昨天”无法识别" in text
    assert "缺少工作表“社会工作岗位”" not in text  # the sheet is there: its header is what is wrong


DAMAGED = '{\n  "county_name": "测试县",\n  "county_code": "999999",\n}\n'


def test_a_damaged_county_json_names_the_line_and_the_command_that_repairs_it(tmp_path, county_store, capsys):
    (county_store / "county.json").write_text(DAMAGED, encoding="utf-8")
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--data", str(county_store)]) == 2
    err = capsys.readouterr().err
    assert "county.json 第 3 行第 26 列有多余的逗号" in err and "--replace" in err
    init = [
        "init",
        "--data",
        str(county_store),
        "--county",
        "测试县",
        "--code",
        "999999",
        "-o",
        str(tmp_path / "t.xlsx"),
    ]
    assert cli.main(init) == 2  # the advice without --replace fails as it says, and says --replace again
    assert "--replace" in capsys.readouterr().err
    assert "有多余的逗号" in refused(write(tmp_path, office_workbook(fixture_frames())), county_store)
    assert cli.main([*init, "--replace"]) == 0
    assert [p.read_text(encoding="utf-8") for p in (county_store / ".replaced").glob("county.json@*")] == [DAMAGED]
    assert identity.load(county_store).county_code == "999999"
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--data", str(county_store)]) == 0


# ---------------------------------------------------------------- 1. many counties: nothing lands in the wrong county


@pytest.fixture(scope="module")
def city_store(tmp_path_factory) -> Path:
    from tests.fixture_city import write_city_store

    return write_city_store(tmp_path_factory.mktemp("city"))


@pytest.fixture
def city(tmp_path, city_store) -> Path:
    copy = tmp_path / "city"
    shutil.copytree(city_store, copy)
    return copy


def county_file(tmp_path: Path, county: str) -> Path:
    """A county's month as its office keeps it (title rows, merged cells, names for codes, full-width digits)."""
    from tests.fixture_city import county_snapshot

    return write(tmp_path, office_workbook(county_snapshot(county, date(2024, 11, 30))), f"{county}-2024年12月.xlsx")


def test_an_import_into_one_county_of_another_countys_townships_is_refused(tmp_path, city, capsys):
    from tests.fixture_city import COUNTY_A, COUNTY_B

    before = tree_digest(city)
    command = ["import", str(county_file(tmp_path, COUNTY_A)), "--as-of", "2024-12-31", "--data", str(city)]
    assert cli.main([*command, "--county", COUNTY_B]) == 2
    err = capsys.readouterr().err
    codes = "999901001、999901101、999901201"
    assert f"文件中全部乡镇（街道）的区划代码（{codes}）不以乙县的县级区划代码 999902 开头" in err
    assert "属于甲县（999901）：不能导入乙县（--county 999902）" in err
    assert tree_digest(city) == before


def test_a_countys_own_file_under_a_full_width_county_code_imports_into_that_county(tmp_path, city):
    from tests.fixture_city import COUNTY_B, county_snapshot

    command = ["import", str(county_file(tmp_path, COUNTY_B)), "--as-of", "2024-12-31", "--data", str(city)]
    assert cli.main([*command, "--county", "９９９９０２"]) == 0
    assert_stored_as(layout.county_folder(city, COUNTY_B), AS_OF, county_snapshot(COUNTY_B, date(2024, 11, 30)))
    assert AS_OF not in store.snapshot_dates(layout.county_folder(city, "999901"))


def test_a_township_name_two_counties_share_is_refused_naming_both(tmp_path, city, capsys):
    for command in (["kpis"], ["export", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx")]):
        assert cli.main([*command, "--as-of", "2025-03-31", "--township", "甲街道", "--data", str(city)]) == 2
        err = capsys.readouterr().err
        assert "乡镇（街道）名称不唯一：“甲街道”有 2 个：甲县甲街道（999901001）、乙县甲街道（999902001）" in err
        assert "--scope" in err
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("places", [["--scope", "999902", "--township", "甲街道"], ["--township", "999902001"]])
def test_a_township_of_a_city_store_is_scoped_by_its_county(city, capsys, places):
    assert cli.main(["kpis", "--as-of", "2025-03-31", *places, "--data", str(city)]) == 0
    assert "范围：乙县甲街道" in capsys.readouterr().out


def test_townships_of_two_counties_at_once_are_refused(city, capsys):
    both = ["--township", "999901001", "--township", "999902001"]
    assert cli.main(["kpis", "--as-of", "2025-03-31", *both, "--data", str(city)]) == 2
    assert "所选乡镇（街道）属于不同的县（甲县、乙县）" in capsys.readouterr().err


# ---------------------------------------------------------------- 6. echoes


LONG = "9" * 20_000


def test_a_long_value_is_echoed_as_a_short_marked_prefix():
    from socialwork.figures.choices import ECHO_CHARACTERS, echoed

    assert echoed(LONG) == "9" * ECHO_CHARACTERS + "…（共 20,000 个字符，只显示前 100 个）"
    assert echoed("城关街道") == "城关街道"
    assert echoed("138—0013—8000") == "（疑似个人号码，不予显示）"


def test_a_long_scope_in_the_cli_is_not_echoed_whole(city, capsys):
    assert cli.main(["kpis", "--as-of", "2025-03-31", "--scope", LONG, "--data", str(city)]) == 2
    err = capsys.readouterr().err
    assert "共 20,000 个字符，只显示前 100 个" in err and len(err) < 1_000


def test_long_url_values_are_echoed_as_short_marked_prefixes(city, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings
    from tests.markdown_text import shown

    monkeypatch.setenv("SOCIALWORK_DATA", str(city))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["scope"] = LONG
    at.query_params["asof"] = "x" * 20_000
    at.query_params["township"] = ["y" * 20_000] * 10  # Streamlit ignores a query string over 524,288 characters
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 3 and all(len(e) < 1_000 for e in errors), [len(e) for e in errors]
    assert all("…（共 20,000 个字符，只显示前 100 个）" in e for e in errors)


# ---------------------------------------------------------------- 5. the benchmark's workbooks (bench --import)


def test_the_import_benchmark_builds_its_workbooks_within_the_caps(tmp_path):
    from socialwork.bench import imports

    register, stray, at_cap = imports.cases()
    assert register.people == stray.people == 100_000 and stray.stray_cell
    per_person = imports._cells_per_person() + at_cap.extra_columns
    assert at_cap.people < bounded.LIMITS.rows and 0.9 < at_cap.people * per_person / bounded.LIMITS.cells < 1
    small = imports.Case("small", 3_010, 3, stray_cell=True)
    tables, _ = read_xlsx(imports.workbook(small, tmp_path).read_bytes())
    assert len(tables["people"].rows) == 3_010 and len({r[0] for r in tables["people"].rows}) == 3_010
    assert max(len(r) for r in tables["people"].rows) < 30  # the formatted cell at XFD3000 is not read
    text = imports.markdown([imports.Measured(small, 2**20, 2000, 1.5, 1.2, 300 * 2**20)])
    assert "| small | 3,010 | 2,000 | 1.0 MB | 1.5 s | 1.2 s | 300 MB |" in text
