"""A page's township rerun builds no more plotly figures than its budget and computes the KPI report once at most
(issue 17; the budgets are in socialwork/bench/budget.py and docs/performance.md)."""

from __future__ import annotations

from functools import cache

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.bench import budget
from socialwork.bench.budget import RERUN_BUDGET, TOWNSHIP, Built, counting
from socialwork.data import settings

# Pages that compute kpi_report more than once per rerun today, with how many times: each one's KPI test is an
# expected failure until it is fixed. Strict, so the fix turns it into a failure that asks to remove the entry.
KPI_REPORTS_TODAY: dict[str, int] = {}


@cache
def township_rerun(page: str) -> Built:
    """What the page's rerun built when a township was picked in the sidebar after the county view (AppTest, the
    demo county), as in the browser benchmark and the profile."""
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.switch_page(f"pages/{page}.py").run()
    at.run()  # AppTest re-enters legacy pages/ mode on its first run; the second is a normal session
    with counting() as built:
        at.multiselect[0].set_value([TOWNSHIP]).run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert any(TOWNSHIP in m.value for m in at.markdown if m.value.startswith("#### ")), f"{page} lost {TOWNSHIP}"
    return built


def kpi_params() -> list:
    marked = {
        page: pytest.mark.xfail(strict=True, reason=f"issue 17: kpi_report computed {n} times")
        for page, n in KPI_REPORTS_TODAY.items()
    }
    return [pytest.param(page, marks=[marked[page]] if page in marked else []) for page in RERUN_BUDGET]


@pytest.mark.parametrize("page", list(RERUN_BUDGET))
def test_a_rerun_builds_no_more_figures_than_its_budget(page):
    built = township_rerun(page)
    assert built.figure_count <= RERUN_BUDGET[page].figures, f"{page} built {built.figures}"


@pytest.mark.parametrize("page", kpi_params())
def test_a_rerun_computes_the_kpi_report_once_at_most(page):
    assert township_rerun(page).kpi_reports <= RERUN_BUDGET[page].kpi_reports


def test_every_page_has_a_budget_and_the_docs_show_it():
    pages = {p.stem for p in (settings.REPO_ROOT / "pages").glob("*.py")} - {
        "data_import",
        "welcome",
        "audit",
        "reporting",
    }  # staff pages without figures
    assert set(RERUN_BUDGET) == pages
    assert budget.markdown() in (settings.REPO_ROOT / "docs" / "performance.md").read_text(encoding="utf-8")


def test_a_figure_built_by_a_builder_that_calls_another_counts_once(monkeypatch):
    from socialwork.present.screen import charts

    inner_calls = []

    def inner() -> charts.go.Figure:
        inner_calls.append(1)
        return charts.go.Figure()

    def outer() -> charts.go.Figure:
        return charts.inner()

    monkeypatch.setattr(charts, "inner", inner, raising=False)
    monkeypatch.setattr(charts, "outer", outer, raising=False)
    for function in (inner, outer):
        function.__module__ = charts.__name__
    with counting() as built:
        charts.outer()
        charts.inner()
    assert inner_calls == [1, 1]
    assert built.figures == {"outer": 1, "inner": 1}
