"""What a new administrator meets first (issue 33): init's template beside the store, a filled example workbook
of the demo in the county's own codes that imports as it is, and a clear word when the year has no start."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from datetime import date

import openpyxl
import pytest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.importing.workbook import FIRST_DATA_ROW
from socialwork.data.storage.store import snapshot_dates
from socialwork.figures import metrics
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_city import COUNTY_B, MISSING_MONTH, write_city_store

NAME, CODE = "云溪县", "530524"
YEAR_END, JANUARY = date(2025, 12, 31), date(2026, 1, 31)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def store(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()  # the working folder, where the template must not land
    monkeypatch.chdir(tmp_path / "elsewhere")
    data = tmp_path / "county" / "data"
    code, out, err = run("init", "--data", str(data), "--county", NAME, "--code", CODE)
    assert code == 0, err
    return data, out


def test_init_writes_its_template_beside_the_store_and_says_where(store, tmp_path):
    _, out = store
    template = tmp_path / "county" / f"{NAME}社工人才数据导入模板.xlsx"
    assert template.exists() and not list((tmp_path / "elsewhere").iterdir())
    assert f"已写入导入模板：{template}" in out and "12 月 31 日" in out


def column(sheet, header: str) -> list:
    at = next(c.column for c in sheet[1] if c.value == header)
    return [row[at - 1].value for row in sheet.iter_rows(min_row=FIRST_DATA_ROW) if row[at - 1].value is not None]


def test_the_example_is_the_demo_in_the_countys_codes_with_goals_as_the_template_wants(store, tmp_path):
    data, _ = store
    code, out, err = run("example", "--as-of", str(YEAR_END), "--data", str(data))
    assert code == 0, err
    path = tmp_path / "county" / f"{NAME}社工人才数据示例_{YEAR_END}.xlsx"
    assert f"：{path}" in out
    book = openpyxl.load_workbook(path)
    townships = column(book["乡镇（街道）"], "乡镇区划代码")
    communities = column(book["村（社区）"], "村社区划代码")
    assert len(townships) == 17 and all(len(c) == 9 and c.startswith(CODE) for c in townships)
    assert len(communities) == 267 and all(len(c) == 12 and c[:9] in townships for c in communities)
    goals = column(book["年度目标"], "目标值")
    assert 100 in goals, "a share's goal is written as 100 (per cent), not 1.0"


def test_a_first_month_alone_says_how_to_give_the_year_its_start_and_the_year_end_gives_it(store, tmp_path):
    data, _ = store
    for day in (YEAR_END, JANUARY):
        assert run("example", "--as-of", str(day), "--data", str(data))[0] == 0
    january = tmp_path / "county" / f"{NAME}社工人才数据示例_{JANUARY}.xlsx"
    code, out, err = run("import", str(january), "--as-of", str(JANUARY), "--data", str(data))
    assert code == 0, err
    assert f"--as-of {YEAR_END}" in out and "无数据" in out
    kpi = metrics.kpi_report(JANUARY, EVERYWHERE, data).kpis[0]
    assert kpi.value is None and f"请导入 {YEAR_END} 的数据" in kpi.note
    assert f"--as-of {YEAR_END}" in run("kpis", "--as-of", str(JANUARY), "--data", str(data))[2]

    year_end = tmp_path / "county" / f"{NAME}社工人才数据示例_{YEAR_END}.xlsx"
    code, out, err = run("import", str(year_end), "--as-of", str(YEAR_END), "--data", str(data))
    assert code == 0 and "提示" not in out, err
    assert snapshot_dates(data) == [YEAR_END, JANUARY]
    kpi = metrics.kpi_report(JANUARY, EVERYWHERE, data).kpis[0]
    assert kpi.value is not None and kpi.note == f"上年末数据：{YEAR_END}"
    assert "提示" not in run("kpis", "--as-of", str(JANUARY), "--data", str(data))[2]


def test_the_example_refuses_a_date_the_demo_lacks(store):
    code, _, err = run("example", "--as-of", "2030-01-31", "--data", str(store[0]))
    assert code == 2 and "没有 2030-01-31 的数据快照" in err


def test_run_sh_prints_its_help_before_it_installs_anything(tmp_path):
    import shutil
    import subprocess

    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copy(settings.REPO_ROOT / "run.sh", copy / "run.sh")  # no .venv, no scripts/: nothing it could install
    done = subprocess.run(["bash", str(copy / "run.sh"), "--help"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and done.stdout.startswith("usage: ./run.sh") and not (copy / ".venv").exists()


def test_a_county_that_has_not_reported_the_month_is_not_told_to_import_a_year_end(tmp_path):
    """乙县 missed 2024-11-30 but has its 2023-12-31: what it lacks is the month, not the year's start."""
    root = write_city_store(tmp_path / "city")
    note = metrics.kpi_report(MISSING_MONTH, Places.within(COUNTY_B), root).kpis[0].note
    assert "本县缺该月数据" in note and "无上年末数据" not in note and "请导入" not in note
