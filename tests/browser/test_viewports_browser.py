"""Every page and every slide at the four screens a meeting meets: a 1024×768 projector, a 1366×768 laptop, a
1920×1080 screen and a 390×844 phone. Measured, not only shot: nothing cut or ellipsised, nothing outside the
viewport, chart text at least 16 pixels on the projector, statuses as solid pills with a symbol; slides that fit
the screen without scrolling; on a phone two cards to a row, tables down to name, value and status, the township
filter on the page, no plotly toolbar (issue 16) and a map whose place names do not run into each other."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures.place_filter import EVERYWHERE
from socialwork.present.meeting.slides import outline
from tests.browser.conftest import SCREENSHOTS, full_page_screenshot, settle
from tests.browser.measure import MEASURE, PILLS, weak_pills
from tests.browser.test_overview_browser import heading

pytestmark = pytest.mark.browser

VIEWPORTS = {"projector": (1024, 768), "laptop": (1366, 768), "screen": (1920, 1080), "phone": (390, 844)}
PAGES = ["", "targets", "staffing", "posts", "stations", "incentives", "purchases", "meeting"]
PROJECTOR_CHART_PX = 16
AS_OF = f"asof={LAST_SNAPSHOT.isoformat()}"
STYLED = """() => [...document.querySelectorAll('style')].some((s) => s.textContent.includes('.sw-pill'))"""


def open_context(browser, viewport: str):
    width, height = VIEWPORTS[viewport]
    phone = width < 640
    return browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=phone,
                               has_touch=phone)  # fmt: skip


def measured(page, width: int) -> list[str]:
    """Every problem the page shows at this width, once the page's style sheet has arrived (st.html loads late)."""
    page.wait_for_function(STYLED, timeout=15000)
    page.wait_for_timeout(300)
    found = page.evaluate(MEASURE, {"minChartPx": PROJECTOR_CHART_PX if width == 1024 else 0})
    return found + weak_pills(page.evaluate(PILLS))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_fits_the_screen(server_url, browser, viewport):
    context = open_context(browser, viewport)
    page = context.new_page()
    width = VIEWPORTS[viewport][0]
    problems = {}
    for name in PAGES:
        page.goto(f"{server_url}/{name}?{AS_OF}")
        settle(page)
        found = measured(page, width)
        if found:
            problems[name or "overview"] = found[:10]
        if name in ("", "targets"):
            assert page.locator('[data-testid="stMain"] .sw-pill').count() > 0, f"{name}: no status shown"
        full_page_screenshot(page, f"viewport_{viewport}_{name or 'overview'}")
    context.close()
    assert problems == {}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_slide_fits_the_screen_without_scrolling(server_url, browser, viewport):
    width, height = VIEWPORTS[viewport]
    slides = len(outline(LAST_SNAPSHOT, EVERYWHERE, None).pages)
    context = open_context(browser, viewport)
    page = context.new_page()
    page.goto(f"{server_url}/meeting?{AS_OF}&view=1")
    settle(page)
    problems = {}
    for number in range(1, slides + 1):
        if number > 1:  # the next slide, as a presenter turns to it
            before = page.locator("h1").first.inner_text()
            page.locator("body").press("ArrowRight")
            page.wait_for_function("t => document.querySelector('h1').innerText !== t", arg=before)
            settle(page)
        page.wait_for_timeout(400)  # plotly sizes the chart to the space left once the page is laid out
        found = measured(page, width)
        found += page.evaluate(FITS, height)
        if found:
            problems[number] = found[:8]
        page.screenshot(path=str(SCREENSHOTS / f"slide_{viewport}_{number:02d}.png"))
    context.close()
    assert problems == {}


# A slide fits: the page does not scroll, the buttons are on screen, and a chart or table takes the room left.
FITS = r"""
(height) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const problems = [];
  if (main.scrollHeight > main.clientHeight + 1) problems.push(`scrolls: ${main.scrollHeight} > ${main.clientHeight}`);
  for (const b of main.querySelectorAll('button')) {
    const r = b.getBoundingClientRect();
    if (r.height && r.bottom > height + 1) problems.push(`button below the screen: ${b.innerText}`);
  }
  const previous = [...main.querySelectorAll('button')].find((b) => b.innerText.includes('上一页'));
  const navTop = previous ? previous.getBoundingClientRect().top : height;
  for (const e of main.querySelectorAll('td, th, h1, h3, .js-plotly-plot')) {
    const r = e.getBoundingClientRect();
    if (r.height && r.bottom > height + 1) problems.push(`below the screen: ${e.tagName} ${e.innerText || ''}`);
    else if (r.height && e.tagName !== 'DIV' && r.bottom > navTop + 1) {
      problems.push(`under the navigation: ${e.tagName} ${e.innerText || ''}`);
    }
  }
  const chart = main.querySelector('.js-plotly-plot');
  if (chart && chart.getBoundingClientRect().height < 0.35 * height) problems.push('chart squeezed');
  const cell = main.querySelector('.sw-slide-table td');
  if (cell && parseFloat(getComputedStyle(cell).fontSize) < 16) problems.push('table type too small');
  return problems;
}
"""


# Pairs of a map's place labels (name and value) whose boxes overlap by more than 2 pixels each way.
OVERLAPPING_MAP_LABELS = r"""
() => {
  const boxes = [...document.querySelectorAll('.geo .scatterlayer text')].filter((t) => t.textContent)
    .map((t) => [t.textContent, t.getBoundingClientRect()]);
  const pairs = [];
  boxes.forEach(([a, p], i) => boxes.slice(i + 1).forEach(([b, q]) => {
    const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (x > 2 && y > 2) pairs.push(a + ' / ' + b);
  }));
  return boxes.length ? pairs : ['no map labels'];
}
"""


def test_on_a_phone_cards_pair_up_tables_collapse_and_the_township_filter_is_on_the_page(server_url, browser):
    context = open_context(browser, "phone")
    page = context.new_page()
    page.goto(f"{server_url}/?{AS_OF}")
    settle(page)
    page.wait_for_function(STYLED, timeout=15000)
    assert not page.locator('[data-testid="stSidebar"]').is_visible() or page.evaluate(
        "document.querySelector('[data-testid=\"stSidebar\"]').getBoundingClientRect().right <= 0"
    ), "the sidebar is folded away on a phone"
    cards = page.locator('[data-testid="stMetric"]')
    first, second, third = (cards.nth(i).bounding_box() for i in range(3))
    assert first["y"] == second["y"] < third["y"] and second["x"] > first["x"] + first["width"] / 2  # two a row
    assert first["width"] > 0.35 * 390

    table = page.locator(".sw-table").first
    visible = "t => [...t.querySelectorAll('thead th')].filter(th => th.offsetParent !== null).map(th => th.innerText)"
    assert table.evaluate(visible) == ["指标", "当前值", "差距", "状态"]  # name, value, how far from the goal, status
    page.locator(".sw-more summary").first.click()  # the rest one tap away
    assert len(table.evaluate(visible)) == 8  # every answer of every target
    assert page.locator(".modebar-container:visible").count() == 0
    assert page.evaluate(OVERLAPPING_MAP_LABELS) == [], "the map's place names run into each other"
    full_page_screenshot(page, "phone_overview_all_columns")

    page.locator(".st-key-sw_phone_filter button").first.click()  # at the top of the page, no sidebar needed
    page.locator('[data-testid="stPopoverBody"] [data-testid="stMultiSelect"] input').fill("河口")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('[data-testid=\"stMain\"] h4').innerText.includes('河口镇')")
    settle(page)
    assert "范围：河口镇" in heading(page) and "township=河口镇" in unquote(page.url)
    context.close()


# The overview's five answers: each question's answer (its large line) on the first screen, no scrolling.
ANSWERS_ON_FIRST_SCREEN = r"""
(height) => {
  const answers = [...document.querySelectorAll('[data-testid="stMain"] .sw-answer .sw-a')];
  return {count: answers.length, below: answers.filter((a) => a.getBoundingClientRect().bottom > height)
    .map((a) => a.innerText)};
}
"""


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_the_overview_answers_on_the_first_screen(server_url, browser, viewport):
    """At 1366×768 every one of the five answers is above the fold; on a phone the first answer is on the first
    screen, not pushed below by the title block."""
    context = open_context(browser, viewport)
    page = context.new_page()
    page.goto(f"{server_url}/?{AS_OF}")
    settle(page)
    page.wait_for_function(STYLED, timeout=15000)
    found = page.evaluate(ANSWERS_ON_FIRST_SCREEN, VIEWPORTS[viewport][1])
    page.screenshot(path=str(SCREENSHOTS / f"overview_first_screen_{viewport}.png"))
    context.close()
    assert found["count"] == 5
    if viewport == "laptop":
        assert found["below"] == []
    else:
        assert len(found["below"]) < 5, "the first answer is on the phone's first screen"
