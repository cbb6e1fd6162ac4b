"""目标进度 page: every target with value and goal, equal to `python -m socialwork kpis`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.figures import metrics
from socialwork.figures.metrics import Kpi
from socialwork.present.words.formatting import format_value, goal_text
from tests.html_tables import tables, text_of

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
AS_OF = "2026-10-31"


def open_targets(**query) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/targets.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cli_kpis(*township: str) -> list[dict]:
    args = [sys.executable, "-m", "socialwork", "kpis", "--as-of", AS_OF, "--json"]
    for name in township:
        args += ["--township", name]
    result = subprocess.run(args, capture_output=True, text=True, cwd=settings.REPO_ROOT, check=True)
    return json.loads(result.stdout)["kpis"]


def card_goal(kpi: dict) -> str:
    fields = {k: kpi[k] for k in ("goal", "comparator", "decimals", "unit")}
    return f"目标 {goal_text(Kpi(**_defaults(), **fields))}"


def _defaults() -> dict:
    return dict.fromkeys(
        ["metric_key", "label", "target_label", "value", "scope", "status", "status_label", "previous_value",
         "expected_now", "baseline_date", "note"]
    )  # fmt: skip


@pytest.mark.parametrize("townships", [[], ["城关街道"], ["马坪乡"], ["河口镇", "白水镇"]], ids=str)
def test_every_target_shows_the_cli_value_and_goal(townships):
    at = open_targets(asof=AS_OF, township=townships) if townships else open_targets(asof=AS_OF)
    shown = {m.label: m.value for m in at.metric}
    markdown = " ".join(text_of(m.value) for m in at.markdown)
    expected = cli_kpis(*townships)
    assert len(shown) == len(expected)
    for kpi in expected:
        assert shown[kpi["label"]] == format_value(kpi["value"], kpi["decimals"], kpi["unit"]), kpi["label"]
        assert card_goal(kpi) in markdown, kpi["label"]


def test_township_table_lists_every_township_worst_first():
    at = open_targets(asof=AS_OF)
    table = tables(at)[0]
    assert len(table) == 17
    assert list(table["未达标项"]) == sorted(table["未达标项"], reverse=True)


def test_milestones_show_the_overdue_measure():
    at = open_targets(asof=AS_OF)
    steps = tables(at)[1].set_index("事项")
    assert steps.loc["推进社会工作专业人才基地建设", "进度"] == "! 已逾期"  # a red pill with its symbol
    assert steps.loc["研究部署：制定实施方案，报送市民政局", "进度"] == "✓ 按期完成"


def test_a_metric_without_a_goal_shows_as_no_goal_on_the_page_and_in_kpis(fixture_store, monkeypatch, capsys):
    from socialwork import cli

    monkeypatch.setenv(settings.DATA_DIR_ENV, str(fixture_store))
    at = open_targets(asof="2024-11-30")
    goals = 6  # the fixture's 2024 plan; every other metric still shows
    assert len(at.metric) == len(metrics.SPECS)
    assert any(f"· 无目标 {len(metrics.SPECS) - goals} 项" in text_of(m.value) for m in at.markdown)
    [card] = card_markdown(at._tree, "运营中的乡镇（街道）社工站")
    assert (
        # 更多: on a phone the details fold behind it (cards.card_foot_html); a laptop shows them open
        text_of(card) == "· 无目标 目标 — 更多 同比：去年同期无数据 2024年目标表中没有该指标的目标"
        and 'class="sw-pill sw-no-goal"' in card
    )
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--data", str(fixture_store)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("运营中的乡镇（街道）社工站\t2个\t目标 —\t—\t· 无目标\t") for line in lines)


def card_markdown(node, label: str) -> list[str] | None:
    """The markdown of the smallest block holding exactly one metric, the one labelled `label`."""
    for child in getattr(node, "children", {}).values():
        found = card_markdown(child, label)
        if found is not None:
            return found
    metrics = list(_elements(node, "metric"))
    if len(metrics) == 1 and metrics[0].label == label and getattr(node, "children", None):
        return [m.value for m in _elements(node, "markdown")]
    return None


def _elements(node, kind: str):
    if getattr(node, "type", None) == kind:
        yield node
    for child in getattr(node, "children", {}).values():
        yield from _elements(child, kind)
