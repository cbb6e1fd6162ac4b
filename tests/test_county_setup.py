"""A second county set up as a real one would be: `init`, then a month at a time through `import` (its own
townships, codes and plan, the plan entered once and carried forward). Every page, export and CLI line names it,
and none says XX县."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document
from google.protobuf import text_format
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.importing.workbook import COVER_SHEET, FIRST_DATA_ROW, workbook_bytes
from socialwork.data.storage import identity
from socialwork.data.storage.store import read_table, snapshot_dates
from socialwork.figures import metrics
from socialwork.figures.place_filter import EVERYWHERE
from socialwork.present.documents.exports import export_bytes
from socialwork.present.staff.auth import load_users, save_user
from tests.accounts import sign_in
from tests.fixture_county import SNAPSHOTS, snapshot

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
PAGES = sorted(p.name for p in (settings.REPO_ROOT / "pages").glob("*.py"))
NAME, CODE, PLAN, CARD = "云溪县", "530524", "社会工作人才队伍建设行动", "云溪英才卡"
TOWNSHIP_NAMES = {"甲街道": "云峰街道", "乙镇": "溪口镇", "丙乡": "松林乡"}
LAST = SNAPSHOTS[-1]
FORBIDDEN = "XX县"


def run(*args: str) -> tuple[int, str, str]:
    """python -m socialwork in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def recode(value: object) -> object:
    """The fixture's codes (999999…) under the second county's code."""
    return value if not isinstance(value, str) else re.sub(r"^999999", CODE, value)


def second_plan() -> pd.DataFrame:
    """A plan unlike the fixture's and the demo's: three goals a year, most metrics without one."""
    rows = []
    for year in (2024, 2025):
        rows += [
            (year, "certified_net_increase", "持证社工年度净增3人以上", 3.0, "gt", "county", "县民政局"),
            (year, "talent_cards_this_year", f"发放“{CARD}”", 1.0, "ge", "county", None),
            (year, "communities_served_share", "村（社区）社工服务全覆盖", 100.0, "ge", "scale_free", None),
        ]
    return pd.DataFrame(rows, columns=list(TABLES_BY_NAME["targets"].column_names))


def second_steps() -> pd.DataFrame:
    return pd.DataFrame(
        [("Y1", "云溪县社工人才行动启动会", "stage", "县民政局", date(2023, 9, 1), date(2023, 10, 31), "done",
          date(2023, 10, 20)),
         ("Y2", "松林乡社工站建设", "measure", "松林乡人民政府", date(2024, 1, 1), date(2024, 12, 31), "in_progress",
          None)],
        columns=list(TABLES_BY_NAME["milestones"].column_names),
    )  # fmt: skip


def second_county_month(on: date) -> dict[str, pd.DataFrame]:
    """The fixture county's registers on `on`, renamed and recoded, with the second county's plan."""
    frames = snapshot(on)
    for frame in frames.values():
        for column in ("township_code", "community_code"):
            if column in frame.columns:
                frame[column] = frame[column].map(recode)
    frames["townships"]["township_name"] = frames["townships"]["township_name"].map(TOWNSHIP_NAMES)
    frames["targets"], frames["milestones"] = second_plan(), second_steps()
    return frames


def without_plan(content: bytes) -> bytes:
    """The month's workbook with the plan's two sheets deleted, as a clerk leaves them out."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for table in ("targets", "milestones"):
        book.remove(book[TABLES_BY_NAME[table].label])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The second county's store, set up through init and four monthly imports; the CLI's output on the way."""
    root = tmp_path_factory.mktemp("yunxi")
    store, template = root / "store", root / "模板.xlsx"
    code, out, err = run("init", "--data", str(store), "--county", NAME, "--code", CODE, "--plan-title", PLAN,
                         "--template", str(template))  # fmt: skip
    assert code == 0, err
    outputs = [out]
    for number, on in enumerate(SNAPSHOTS):
        content = workbook_bytes(second_county_month(on))
        path = root / f"{on.isoformat()}.xlsx"
        path.write_bytes(content if number == 0 else without_plan(content))  # the plan is entered once
        code, out, err = run("import", str(path), "--as-of", on.isoformat(), "--data", str(store))
        assert code == 0, err
        outputs.append(out)
    return {"store": store, "template": template, "outputs": outputs}


# ---------------------------------------------------------------- init and import


def test_init_writes_the_identity_and_a_template_holding_only_the_county_name(county):
    assert json.loads((county["store"] / "county.json").read_text(encoding="utf-8")) == {
        "county_name": NAME, "county_code": CODE, "plan_title": PLAN, "talent_card": CARD, "issuer": "云溪县民政局",
    }  # fmt: skip
    assert f"已初始化数据目录：{county['store']}（云溪县，区划代码 {CODE}）" in county["outputs"][0]
    book = openpyxl.load_workbook(county["template"])
    assert book.sheetnames[0] == COVER_SHEET and book[COVER_SHEET]["A1"].value == "云溪县社会工作人才数据导入模板"
    for table in TABLES_BY_NAME.values():
        assert book[table.label].max_row < FIRST_DATA_ROW, table.label  # headers and notes only


def test_the_plan_is_entered_once_and_carried_forward(county):
    first = read_table(county["store"], SNAPSHOTS[0], TABLES_BY_NAME["targets"])
    for on, out in zip(SNAPSHOTS[1:], county["outputs"][2:], strict=True):
        assert read_table(county["store"], on, TABLES_BY_NAME["targets"]).equals(first)
        assert f"已导入{NAME} {on.isoformat()} 快照" in out
        assert "提示：文件中没有“年度目标”：沿用" in out and "提示：文件中没有“实施步骤与举措”：沿用" in out
    assert snapshot_dates(county["store"]) == SNAPSHOTS


def test_targets_of_the_second_plan_and_metrics_without_a_goal(county):
    report = metrics.kpi_report(LAST, EVERYWHERE, county["store"])
    by_key = {k.metric_key: k for k in report.kpis}
    assert len(report.kpis) == len(metrics.SPECS)  # a metric without a goal still shows
    assert by_key["certified_net_increase"].goal == 3.0 and by_key["certified_net_increase"].comparator == "gt"
    assert by_key["talent_cards_this_year"].label == f"本年发放“{CARD}”"
    assert by_key["stations_operating"].status == "no_goal" and by_key["stations_operating"].status_label == "无目标"
    assert sum(k.target_label is not None for k in report.kpis) == 3


# ---------------------------------------------------------------- every page


def page_texts(node) -> Iterator[str]:
    """Every text an AppTest element tree shows: protos in UTF-8, dataframes' cells, plotly specs."""
    kind = getattr(node, "type", None)
    if kind == "plotly_chart":
        yield json.dumps(json.loads(node.proto.spec), ensure_ascii=False)
    elif kind in ("dataframe", "arrow_data_frame"):
        yield node.value.to_csv()
    elif getattr(node, "proto", None) is not None:
        yield text_format.MessageToString(node.proto, as_utf8=True)
    for child in getattr(node, "children", {}).values():
        yield from page_texts(child)


def open_page(page: str, store: Path, monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(store))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    if page == "data_import.py":  # the import page exists for a logged-in data clerk only
        save_user(tmp_path / "users.toml", "li", "数据员小李", "long enough")
        monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(tmp_path / "users.toml"))
        sign_in(at, monkeypatch, tmp_path, load_users()["li"], "reviewer")
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_names_the_county_and_never_xx(county, page, monkeypatch, tmp_path):
    at = open_page(page, county["store"], monkeypatch, tmp_path)
    text = "\n".join(page_texts(at._tree))
    assert NAME in text, page
    assert FORBIDDEN not in text and "XX" not in text, page


def test_overview_title_and_card_label_come_from_the_store(county, monkeypatch, tmp_path):
    at = open_page("overview.py", county["store"], monkeypatch, tmp_path)
    assert at.title[0].value == f"{NAME}{PLAN} · 总览"
    assert any(m.value.startswith(f"#### {NAME} · 数据截至 2025年3月31日") for m in at.markdown)
    targets = open_page("targets.py", county["store"], monkeypatch, tmp_path)
    assert f"本年发放“{CARD}”" in [m.label for m in targets.metric]


# ---------------------------------------------------------------- every export format


def export_text(kind: str, content: bytes) -> str:
    if kind == "pptx":
        deck = Presentation(io.BytesIO(content))
        return "\n".join(s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame)
    if kind == "pdf":  # NFKC: the PDF font maps some ideographs to Kangxi radicals in extracted text
        return unicodedata.normalize("NFKC", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    if kind == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row)
    document = Document(io.BytesIO(content))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("kind", ["pptx", "pdf", "xlsx", "docx"])
def test_every_export_format_names_the_county_and_never_xx(county, kind):
    text = export_text(kind, export_bytes(kind, LAST, EVERYWHERE, None, county["store"]))
    title = {"pptx": f"{NAME}{PLAN}推进情况", "pdf": f"{NAME}{PLAN}推进情况", "xlsx": f"{NAME}{PLAN}数据",
             "docx": f"{NAME}{PLAN}2025年阶段性进展报告"}[kind]  # fmt: skip
    assert title in text.replace(" ", ""), kind
    assert FORBIDDEN not in text and "XX" not in text, kind
    if kind in ("pptx", "docx", "pdf"):
        assert "云溪县民政局" in text.replace("⺠", "民")


def test_downloads_carry_the_county_in_their_name_and_scope(county):
    from socialwork.present.screen.filtering import Filters

    filters = Filters(county["store"], LAST, (f"{CODE}001",), ("云峰街道",), identity.load(county["store"]))
    assert filters.file_name("乡镇目标对比", "xlsx") == "云溪县_乡镇目标对比_云峰街道_2025-03-31.xlsx"
    assert filters.place == "云溪县云峰街道"


# ---------------------------------------------------------------- the command line


def test_cli_output_names_the_county_and_never_xx(county, tmp_path):
    store = str(county["store"])
    code, kpis, _ = run("kpis", "--as-of", LAST.isoformat(), "--data", store)
    assert code == 0 and kpis.splitlines()[0] == f"{NAME}{PLAN}"
    assert re.search(rf"本年发放“{CARD}”\t.*\t目标 ≥ 1张\t", kpis)
    code, by_code, _ = run("kpis", "--as-of", LAST.isoformat(), "--township", f"{CODE}101", "--data", store)
    assert code == 0 and "范围：溪口镇" in by_code  # a code given, the name printed
    code, exported, _ = run("export", "--format", "docx", "--as-of", LAST.isoformat(), "--data", store, "-o",
                            str(tmp_path / "总结.docx"))  # fmt: skip
    assert code == 0 and f"已导出{NAME}材料" in exported
    code, json_out, _ = run("kpis", "--as-of", LAST.isoformat(), "--data", store, "--json")
    help_text = cli._parser().format_help() + cli._parser()._subparsers._group_actions[0].choices["demo"].format_help()
    everything = "\n".join([*county["outputs"], kpis, by_code, exported, json_out, help_text])
    assert NAME in everything and FORBIDDEN not in everything and "XX" not in everything


# ---------------------------------------------------------------- no hard-wired county left


CODE_FILES = [
    settings.REPO_ROOT / "dashboard.py", settings.REPO_ROOT / "run.sh",
    *sorted((settings.REPO_ROOT / "pages").glob("*.py")), *sorted((settings.REPO_ROOT / "socialwork").rglob("*.py")),
    *sorted((settings.REPO_ROOT / "queries").rglob("*.sql")), *sorted((settings.REPO_ROOT / ".streamlit").glob("*")),
]  # fmt: skip


def test_no_xx_county_in_code_outside_the_demo_generator():
    demo = settings.REPO_ROOT / "socialwork" / "data" / "demo"
    found = [
        path.relative_to(settings.REPO_ROOT).as_posix()
        for path in CODE_FILES
        if path.parent != demo and FORBIDDEN in path.read_text(encoding="utf-8")
    ]
    assert found == []
    assert FORBIDDEN in (demo / "story.py").read_text(encoding="utf-8")  # able to fail


# ---------------------------------------------------------------- the first day, and stores without an identity


def test_an_empty_store_welcomes_and_says_how_to_load_the_first_month(tmp_path, monkeypatch):
    store = tmp_path / "store"
    assert run("init", "--data", str(store), "--county", NAME, "--code", CODE, "-o", str(tmp_path / "t.xlsx"))[0] == 0
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(store))
    monkeypatch.delenv("SOCIALWORK_AUTH_FILE", raising=False)
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert at.title[0].value == "欢迎使用云溪县社会工作人才看板"
    text = "\n".join(m.value for m in at.markdown)
    assert f"python -m socialwork import 文件.xlsx --as-of YYYY-MM-DD --data {store}" in text
    assert "第一期必须填写“年度目标”" in text and "add-user" in text
    assert at.get("download_button") and not at.selectbox  # the template; no snapshot picker yet
    code, _, err = run("kpis", "--as-of", "2025-03-31", "--data", str(store))
    assert code == 2 and f"云溪县数据目录 {store} 中还没有任何快照；请先导入第一个月的数据" in err


def test_an_empty_store_with_a_login_points_to_the_import_page(tmp_path, monkeypatch):
    store = tmp_path / "store"
    identity.write(store, identity.new_county(NAME, CODE))
    save_user(tmp_path / "users.toml", "li", "数据员小李", "long enough")
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(store))
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(tmp_path / "users.toml"))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    assert "在左侧“数据导入”页上传" in "\n".join(m.value for m in at.markdown)
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    sign_in(at, monkeypatch, tmp_path, load_users()["li"], "reviewer")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception and not at.error
    assert any(f"导入到：**{NAME}**" in m.value for m in at.markdown) and at.get("file_uploader")


def test_a_folder_never_initialised_says_to_run_init(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "nowhere"))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "欢迎使用社会工作人才看板"
    assert f"python -m socialwork init --data {tmp_path / 'nowhere'} --county 县名" in at.markdown[0].value


def test_a_store_without_county_json_opens_as_本县_with_a_warning_and_refuses_imports(
    tmp_path, fixture_store, monkeypatch
):
    import shutil

    from socialwork.data.importing.importer import ImportFailed, import_snapshot

    store = tmp_path / "old"
    shutil.copytree(fixture_store, store)
    (store / "county.json").unlink()  # as written before county.json existed
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(store))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "本县社会工作人才支持专项工作 · 总览"
    assert "没有县域信息文件 county.json" in at.warning[0].value and "python -m socialwork init" in at.warning[0].value
    code, out, err = run("kpis", "--as-of", "2024-11-30", "--data", str(store))
    assert code == 0 and out.startswith("本县社会工作人才支持专项工作") and "提示：数据目录" in err
    (tmp_path / "m.xlsx").write_bytes(workbook_bytes(snapshot(date(2024, 11, 30))))
    with pytest.raises(ImportFailed, match=r"尚未初始化（没有县域信息文件 county\.json）"):
        import_snapshot(tmp_path / "m.xlsx", date(2024, 12, 31), store)
    assert (
        run("init", "--data", str(store), "--county", "旧县", "--code", "999999", "-o", str(tmp_path / "t.xlsx"))[0]
        == 0
    )
    assert identity.load(store).county_name == "旧县" and len(snapshot_dates(store)) == len(SNAPSHOTS)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "53052"], "县级区划代码（county_code）“53052”应为 6 位数字的县级区划代码"),
        (["--code", "530524", "--plan-title", "专项 工作"], "专项工作名称（plan_title）“专项 工作”长度不合适"),
        (["--code", "5305241"], "应为 6 位数字"),
    ],
)
def test_init_refuses_an_invalid_identity(tmp_path, args, message):
    code, _, err = run("init", "--data", str(tmp_path / "s"), "--county", NAME, *args, "-o", str(tmp_path / "t.xlsx"))
    assert code == 2 and message in err
    assert not (tmp_path / "s" / "county.json").exists()


def test_init_twice_needs_replace_and_never_touches_the_demo(tmp_path, demo_store):
    store, template = str(tmp_path / "s"), str(tmp_path / "t.xlsx")
    assert run("init", "--data", store, "--county", NAME, "--code", CODE, "-o", template)[0] == 0
    code, _, err = run("init", "--data", store, "--county", "雾山县", "--code", "530525", "-o", template)
    assert code == 2 and "已初始化为“云溪县”" in err
    assert run("init", "--data", store, "--county", "雾山县", "--code", "530525", "-o", template, "--replace")[0] == 0
    assert identity.load(Path(store)) == identity.new_county("雾山县", "530525")
    assert identity.load(Path(store)).talent_card == "雾山英才卡"
    kept = list((Path(store) / ".replaced").iterdir())  # the replaced identity is kept, as a replaced snapshot is
    assert len(kept) == 1 and json.loads(kept[0].read_text(encoding="utf-8"))["county_name"] == NAME
    code, _, err = run("init", "--data", str(demo_store), "--county", NAME, "--code", CODE, "-o", template)
    assert code == 2 and "内置演示数据目录" in err


def test_a_damaged_county_json_is_a_chinese_error(tmp_path, fixture_store, monkeypatch):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "county.json").write_text('{"county_name": "云溪县"}', encoding="utf-8")
    code, _, err = run("kpis", "--as-of", "2024-11-30", "--data", str(store))
    assert code == 2 and "县级区划代码（county_code）不能为空" in err
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(store))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    assert "无法读取县域信息" in at.error[0].value
