"""In a real browser: a hand-edited URL and stored names show as the literal text, never as links, bold or tags."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.browser.conftest import full_page_screenshot, settle
from tests.fixture_county import HOSTILE_TOWNSHIPS, T2, T3

pytestmark = pytest.mark.browser
URL_VALUES = [
    "[点我](http://evil.example)",
    "<b>x</b>",
    "http://evil.example a@evil.example :red[红] :material/home: :smile: $x$ **粗** a -> b",
]
# Elements Streamlit's markdown makes of markup: links, emphasis, tags, icons, coloured text, LaTeX, arrows' spans.
MARKUP = "a, b, strong, em, img, code, span[role='img'], .stMarkdownColoredText, .katex"


def visible(text: str) -> str:
    return text.replace("\u2060", "")


def test_a_hand_edited_url_shows_as_literal_text(server_url, page):
    page.goto(f"{server_url}/?" + "&".join(f"township={quote(v)}" for v in URL_VALUES))
    settle(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="链接参数 township")
    assert visible(alert.inner_text()) == f"链接参数 township 中有未知乡镇（街道）：{'、'.join(URL_VALUES)}，已忽略。"
    assert alert.locator(MARKUP).count() == 0


def test_stored_names_show_as_literal_text_in_headers_and_chart_labels(fresh_server, browser, hostile_store):
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(hostile_store)})
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{url}/staffing?asof=2024-11-30&township={quote(HOSTILE_TOWNSHIPS[T3])}")
    settle(page)
    header = page.locator('[data-testid="stMain"] h4').first
    assert visible(header.inner_text()) == f"本县 · 数据截至 2024年11月30日 · 范围：{HOSTILE_TOWNSHIPS[T3]}"
    assert header.locator("[data-heading-text]").locator(MARKUP).count() == 0  # beside it, Streamlit's own anchor
    page.goto(f"{url}/staffing?asof=2024-11-30")
    settle(page)
    page.wait_for_selector(".js-plotly-plot .ytick text")
    ticks = page.locator(".js-plotly-plot").first.locator(".ytick text").all_text_contents()  # SVG: no innerText
    assert HOSTILE_TOWNSHIPS[T2] in ticks
    assert page.locator(".js-plotly-plot").first.locator("a").count() == 0
    full_page_screenshot(page, "hostile_names_staffing")
    page.context.close()
