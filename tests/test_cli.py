"""python -m socialwork: kpis as JSON and text, demo, clear errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import metrics
from socialwork.figures.place_filter import Places
from tests.fixture_county import T1


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "socialwork", *args], capture_output=True, text=True, cwd=settings.REPO_ROOT
    )


def test_kpis_json_lists_every_target_of_the_year(demo_store):
    result = run_cli("kpis", "--as-of", LAST_SNAPSHOT.isoformat(), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    targets = metrics.targets_for_year(LAST_SNAPSHOT, LAST_SNAPSHOT.year, demo_store)
    keys = [k["metric_key"] for k in payload["kpis"]]
    assert keys == list(metrics.SPECS)  # every metric of the contract, a metric without a goal as 无目标
    assert [k for k in keys if k in set(targets["metric_key"])] == list(targets["metric_key"])
    assert payload["as_of"] == LAST_SNAPSHOT.isoformat()
    assert all({"value", "goal", "status"} <= set(k) for k in payload["kpis"])


def test_kpis_json_equals_the_metric_functions(fixture_store, capsys):
    assert (
        cli.main(["kpis", "--as-of", "2024-11-30", "--township", "甲街道", "--data", str(fixture_store), "--json"]) == 0
    )
    payload = json.loads(capsys.readouterr().out)
    expected = metrics.kpi_report(date(2024, 11, 30), Places.townships([T1]), fixture_store).as_dict()
    assert payload == json.loads(json.dumps(expected, ensure_ascii=False))
    assert payload["township_codes"] == [T1]


def test_kpis_text_names_the_scope_and_baseline(fixture_store, capsys):
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--data", str(fixture_store)]) == 0
    out = capsys.readouterr().out
    assert "数据截至 2024年11月30日" in out and "范围：全县" in out and "上年末数据：2023-12-31" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2024-11-29"], "没有 2024-11-29 的数据快照"),
        (["--as-of", "2024-13-01"], "日期格式无效"),
        (["--as-of", "2024-11-30", "--township", "火星镇"], "未知乡镇（街道）：火星镇"),
    ],
)
def test_kpis_bad_input_exits_2_with_a_chinese_message(fixture_store, capsys, args, message):
    assert cli.main(["kpis", *args, "--data", str(fixture_store)]) == 2
    assert message in capsys.readouterr().err


def test_missing_data_dir_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--data", str(tmp_path / "nowhere")]) == 2
    assert "数据目录不存在" in capsys.readouterr().err


def test_demo_refuses_to_overwrite_a_folder_that_is_not_a_demo(tmp_path, capsys):
    (tmp_path / "real.txt").write_text("keep me")
    assert cli.main(["demo", "--out", str(tmp_path)]) == 2
    assert "为免覆盖真实数据" in capsys.readouterr().err
    assert (tmp_path / "real.txt").read_text() == "keep me"


def test_kpis_given_codes_prints_township_names(fixture_store, capsys):
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--township", T1, "--township", "乙镇",
                     "--data", str(fixture_store)]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "测试县社会工作人才支持专项工作",
        "数据截至 2024年11月30日（2024年度目标）",
        "范围：甲街道、乙镇",
    ]
    assert T1 not in "\n".join(lines)
