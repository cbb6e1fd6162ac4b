"""Presentation mode in a real browser: no sidebar, large type, the arrow key turns the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, settle

pytestmark = pytest.mark.browser


def test_presentation_mode_keys_and_layout(server_url, page):
    page.goto(f"{server_url}/meeting?view=1&asof=2026-10-31")
    settle(page)
    # The style that hides the sidebar arrives with st.html's lazily loaded component: on a busy
    # machine it applies a moment after the page has settled, so wait for it rather than sample once.
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden(timeout=15000)
    first = page.locator("h1").first.inner_text()
    assert first == "年度目标完成情况（1/3）"  # 18 targets, six to a slide: the table continues on the next two
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "presentation_1.png"))
    page.locator("body").press("ArrowRight")
    page.wait_for_function("t => document.querySelector('h1').innerText !== t", arg=first)
    settle(page)
    assert "view=2" in page.url
    assert page.locator("h1").first.inner_text() == "年度目标完成情况（2/3）"
    caption_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-testid=\"stMain\"] h3')).fontSize)"
    )
    assert caption_px >= 24, "captions read from the back of the room"
    page.screenshot(path=str(SCREENSHOTS / "presentation_2.png"))
