"""The lite plotly chunk (socialwork/web/plotly_lite.py) in a real browser: the map and the bars draw from it, and a
click on a place of the map or on a township's bar still filters the page (Streamlit's selection events)."""

from __future__ import annotations

import shutil
from urllib.parse import unquote

import pytest

from socialwork.web import precompress
from tests.browser.conftest import settle
from tests.browser.test_overview_browser import heading

pytestmark = pytest.mark.browser

# A point inside the largest place of a map (its shape may be concave), in page coordinates.
INSIDE_A_PLACE = """chart => {
  let best = null;
  for (const path of chart.querySelectorAll('path.choroplethlocation')) {
    const box = path.getBBox();
    if (!best || box.width * box.height > best.box.width * best.box.height) best = {path, box};
  }
  const {path, box} = best;
  for (let fy = 0.5; fy < 1; fy += 0.05) for (const y of [box.y + box.height * fy, box.y + box.height * (1 - fy)])
    for (let fx = 0.5; fx < 1; fx += 0.05) for (const x of [box.x + box.width * fx, box.x + box.width * (1 - fx)])
      if (path.isPointInFill(new DOMPoint(x, y))) {
        const point = new DOMPoint(x, y).matrixTransform(path.getScreenCTM());
        return {x: point.x, y: point.y};
      }
  return null;
}"""
FILTERED = """() => {
  const line = document.querySelector('[data-testid="stMain"] h4');
  return line !== null && line.innerText.includes('范围：') && !line.innerText.includes('范围：全县');
}"""


@pytest.fixture(scope="module")
def lite_cache(tmp_path_factory):
    if shutil.which("node") is None:
        pytest.skip("no Node.js: the lite chunk is not built, Streamlit's is served")
    cache = tmp_path_factory.mktemp("lite-cache")
    assert precompress.write_lite(precompress.static_dir(), cache) is not None
    (cache / precompress.COMPLETE).write_text("test\n", encoding="ascii")
    return cache


def test_a_click_on_the_map_or_a_bar_filters_with_the_lite_chunk(fresh_server, browser, lite_cache):
    url = fresh_server("serve", {precompress.STATIC_CACHE_ENV: str(lite_cache)})
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    tags: list[str] = []
    page.on("response", lambda r: tags.append(r.headers.get("etag", "")) if "/PlotlyChart." in r.url else None)
    try:
        page.goto(f"{url}/?asof=2026-10-31")
        settle(page)
        chart = page.locator(".js-plotly-plot").filter(has=page.locator("path.choroplethlocation")).first
        chart.scroll_into_view_if_needed()
        assert chart.evaluate("el => el.data.map(t => t.type)")[:2] == ["scattergeo", "choropleth"]
        point = chart.evaluate(INSIDE_A_PLACE)
        page.mouse.click(point["x"], point["y"])  # plotly's drag layer takes the click, as a person's would
        page.wait_for_function(FILTERED)
        settle(page)
        township = heading(page).split("范围：")[1]
        assert f"township={township}" in unquote(page.url)

        page.goto(f"{url}/staffing?asof=2026-10-31")
        settle(page)
        bars = page.locator(".js-plotly-plot").first
        bars.scroll_into_view_if_needed()
        box = bars.locator("g.trace.bars g.point path").first.bounding_box()
        township = bars.evaluate("el => el.data[0].y[0]")
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function(FILTERED)
        settle(page)
        assert f"范围：{township}" in heading(page)
        assert tags and all(tag.endswith('-lite"') or tag.endswith('-lite-br"') for tag in tags), tags
    finally:
        context.close()
