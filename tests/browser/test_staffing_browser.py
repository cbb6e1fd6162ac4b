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
