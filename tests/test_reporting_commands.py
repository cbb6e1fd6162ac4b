"""python -m socialwork units / round on a copy of the fixture county: the command line sets the units, opens a
month's round, prints its board and reminder, and publishes; every refusal is Chinese and exits non-zero."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import openpyxl
import pytest

from socialwork import cli
from socialwork.data.reporting.units import read_units_sheet
from socialwork.data.server import serverdb
from socialwork.data.storage import store
from tests import fixture_county as fx
from tests.published_round import ADMINISTERING, BASE, CARRIED, MONTH, REVIEWING, reporting

LATER = (date.today() + timedelta(days=10)).isoformat()  # the command line's round runs on the real clock


@pytest.fixture
def county(fixture_store, tmp_path, monkeypatch):
    monkeypatch.delenv(serverdb.DB_ENV, raising=False)
    data = tmp_path / "county"
    shutil.copytree(fixture_store, data)
    return data


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_units_are_set_listed_and_written_as_a_sheet(county, capsys, tmp_path):
    code, out, _ = run(capsys, "units", "--data", str(county))
    assert code == 0 and "还没有设置上报单位" in out
    code, out, _ = run(capsys, "units", "--default", "--data", str(county))
    assert code == 0 and "已设为默认上报单位，共 16 个" in out
    lines = out.splitlines()[1:]
    assert lines[0] == f"{fx.T1}\t甲街道\t乡镇（街道）\t本乡镇（街道）各表数据"
    assert "gongan\t县公安局\t部门\t岗位：禁毒；购买服务：县公安局" in lines
    assert lines[-1].startswith("benji\t县民政局（本级）\t县本级\t")
    sheet = tmp_path / "units.xlsx"
    code, out, _ = run(capsys, "units", "--sheet", str(sheet), "--data", str(county))
    assert code == 0 and f"已写出上报单位表：{sheet}" in out
    units = read_units_sheet(sheet.read_bytes())
    assert [u.name for u in units] == [line.split("\t")[1] for line in lines]
    code, out, _ = run(capsys, "units", "--from", str(sheet), "--data", str(county))
    assert code == 0 and "共 16 个" in out


def test_a_bad_units_sheet_is_refused_by_row(county, capsys, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["单位代码", "单位名称", "单位类型"])
    book.active.append(["x", "某部门", "科室"])
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    code, _, err = run(capsys, "units", "--from", str(bad), "--data", str(county))
    assert code == 2 and "错误：" in err and "第2行：单位类型“科室”" in err
    assert run(capsys, "units", "--data", str(county))[1].startswith("还没有设置上报单位")


def test_a_round_from_the_command_line(county, capsys):
    data = str(county)
    code, _, err = run(capsys, "round", "remind", "--data", data)
    assert code == 2 and "没有进行中的上报任务" in err
    code, _, err = run(capsys, "round", "open", "--as-of", MONTH.isoformat(), "--deadline", LATER, "--data", data)
    assert code == 2 and "还没有设置上报单位" in err
    run(capsys, "units", "--default", "--data", data)
    code, out, _ = run(capsys, "round", "open", "--as-of", MONTH.isoformat(), "--deadline", LATER, "--data", data)
    assert code == 0 and f"已发起 {MONTH} 的上报任务（编号 1），截止 {LATER}；各单位从 {BASE} 的已发布数据" in out
    code, _, err = run(capsys, "round", "open", "--as-of", "2025-05-31", "--deadline", LATER, "--data", data)
    assert code == 2 and "已有进行中的上报任务" in err

    # The units report through the workflow (the pages): all but 丙乡 the same as March, 乙镇 returned.
    flow = reporting(county)
    for status in flow.board(1):
        if status.unit.name != CARRIED:
            flow.submit_same_as_base(ADMINISTERING, 1, status.unit.code)
            if status.unit.name != "乙镇":
                flow.approve(REVIEWING, 1, status.unit.code)
    flow.return_part(REVIEWING, 1, fx.T2, "请核对社工站星级")

    code, out, _ = run(capsys, "round", "status", "--data", data)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{MONTH} 上报任务（编号 1，截止 {LATER}）"
    assert lines[1] == f"4 月上报进行中：已提交 14 / 16，已通过 14，已退回 1，逾期 0，截止 {LATER}"
    assert lines[2].startswith("甲街道\t已通过\t2025-05-02 09:00 shen")
    assert lines[3] == "乙镇\t已退回\t2025-05-02 09:00 shen\t退回原因：请核对社工站星级"
    assert lines[4] == "丙乡\t未填报\t—"
    code, out, _ = run(capsys, "round", "remind", "--data", data)
    assert code == 0 and "待重新提交的单位：乙镇" in out and "尚未提交" not in out  # not yet past the deadline

    code, _, err = run(capsys, "round", "publish", "--refuse-missing", "--data", data)
    assert code == 2 and "还有 2 个单位未通过审核：乙镇（已退回）、丙乡（未填报）" in err
    assert MONTH not in store.snapshot_dates(county)
    code, out, _ = run(capsys, "round", "publish", "--carry-forward", "--data", data)
    assert code == 0 and f"已发布 {MONTH} 快照" in out
    assert "本月数据由各单位上报汇总：已报 14 / 16 · 沿用上月 2（乙镇、丙乡）" in out
    assert MONTH in store.snapshot_dates(county)
    code, out, _ = run(capsys, "round", "status", "--data", data)
    assert out.splitlines()[0] == "没有进行中的上报任务"
    published = out.splitlines()[-1]
    assert published.startswith(f"{MONTH}（") and "（命令行）" in published and published.endswith("（乙镇、丙乡）")
    code, _, err = run(capsys, "round", "publish", "--carry-forward", "--data", data)
    assert code == 2 and "没有进行中的上报任务" in err


def test_the_command_line_refuses_what_the_workflow_refuses(county, capsys):
    data = str(county)
    run(capsys, "units", "--default", "--data", data)
    code, _, err = run(capsys, "round", "open", "--as-of", "2025-03-31", "--deadline", LATER, "--data", data)
    assert code == 2 and "的数据已发布" in err
    code, _, err = run(capsys, "round", "open", "--as-of", MONTH.isoformat(), "--deadline", "2020-01-01",
                       "--data", data)  # fmt: skip
    assert code == 2 and "截止日期 2020-01-01 已过" in err
    with pytest.raises(SystemExit) as exited:
        cli.main(["round", "open", "--as-of", "2025-04-31", "--deadline", LATER, "--data", data])
    assert exited.value.code == 2 and "应写作 YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # one of the two choices is required
        cli.main(["round", "publish", "--data", data])
    capsys.readouterr()


def test_the_demo_round_prints_and_cannot_be_published(capsys, tmp_path, monkeypatch, demo_store):
    monkeypatch.delenv(serverdb.DB_ENV, raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # this test's own copy of the demo's server database
    code, out, _ = run(capsys, "round", "status", "--data", str(demo_store))
    assert code == 0 and "11 月上报进行中：已提交 26 / 30，已通过 23，已退回 1，逾期 3，截止 2026-12-04" in out
    code, out, _ = run(capsys, "round", "remind", "--data", str(demo_store))
    assert "河口镇、马坪乡、县信访局" in out
    code, _, err = run(capsys, "round", "publish", "--carry-forward", "--data", str(demo_store))
    assert code == 2 and "内置演示数据目录不能发布" in err
