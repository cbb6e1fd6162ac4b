"""社区社工配备 in a real browser: click a township bar to drill in; the URL reproduces the view."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.browser.conftest import full_page_screenshot, settle
from tests.browser.test_overview_browser import heading

pytestmark = pytest.mark.browser


def test_clicking_a_township_bar_filters_the_page_and_the_url(server_url, page, browser):
    page.goto(f"{server_url}/staffing?asof=2026-10-31")
    settle(page)
    full_page_screenshot(page, "staffing_county")
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    first_bar = chart.locator("g.trace.bars g.point path").first
    box = first_bar.bounding_box()
    township = chart.evaluate("el => el.data[0].y[0]")  # the township drawn by the first bar
    # Plotly's drag layer swallows element clicks: click the bar's centre by coordinates.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "name => document.querySelector('[data-testid=\"stMain\"] h4').innerText.includes(name)", arg=township
    )
    settle(page)
    assert f"范围：{township}" in heading(page)
    assert f"township={township}" in unquote(page.url)
    full_page_screenshot(page, "staffing_township")

    # The copied link, opened in a fresh browser context, shows the same view.
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    fresh = context.new_page()
    fresh.goto(page.url)
    fresh.wait_for_selector('[data-testid="stMetricValue"]')
    settle(fresh)
    assert heading(fresh) == heading(page)
    shown = fresh.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert shown == page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    context.close()


def test_many_townships_chart_drills_in_and_capped_list_downloads_complete(fresh_server, browser, tmp_path):
    """60 townships: 20 bars and one for the others (a click on it does nothing); 1,500 communities are
    listed 1,000 at a time, and the CSV still holds all of them."""
    import csv
    import io

    from socialwork.bench.synthetic import Scale
    from socialwork.bench.synthetic_store import write_store
    from socialwork.present.screen import cards, charts

    store = tmp_path / "store"
    write_store(store, Scale("many_townships", townships=60, communities=1_500, people=3_000, snapshots=2))
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(store)})
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{url}/staffing")
    settle(page)
    full_page_screenshot(page, "staffing_many_townships")
    assert "表中列出最需关注的 1,000 个" in page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()[-1]
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").last.click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_bytes().decode("utf-8-sig"))))
    assert len(rows) - 1 == 1_500 > cards.TABLE_MAX_ROWS

    chart = page.locator(".js-plotly-plot").first
    names = chart.evaluate("el => el.data[1].y")
    assert len(names) == charts.TOP_BARS + 1 and names[-1].startswith("其他")

    def click_row(trace: int, index: int, where: float) -> None:
        """Click row `index` of a bar trace `where` (0 to 1) along the bar."""
        row = chart.locator("g.trace.bars").nth(trace).locator("g.point path").nth(index)
        row.scroll_into_view_if_needed()
        box = row.bounding_box()
        page.mouse.click(box["x"] + box["width"] * where, box["y"] + box["height"] / 2)

    click_row(1, len(names) - 1, 0.5)  # the others bar: no township to drill into
    page.wait_for_timeout(1500)
    settle(page)
    assert "范围：全县" in heading(page)
    click_row(0, 0, 0.9)  # the worst township's bar may have length 0: its whole row is clickable (trace 0)
    page.wait_for_function(
        "name => document.querySelector('[data-testid=\"stMain\"] h4').innerText.includes(name)", arg=names[0]
    )
    settle(page)
    assert f"township={names[0]}" in unquote(page.url)
    context.close()
