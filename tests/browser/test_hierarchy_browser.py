"""A city of two counties in a real browser: click a county bar, then a township bar (its communities), and go back
up with the breadcrumb; the URL carries the scope. Two provinces: click a province's bar, then a city's, then a
county's, and back up through every level."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.browser.conftest import full_page_screenshot, settle
from tests.browser.test_overview_browser import heading
from tests.fixture_city import CITY, COUNTY_A, write_city_store
from tests.fixture_nation import PROVINCE, write_nation_store

pytestmark = pytest.mark.browser


def _click_bar(page, name: str) -> None:
    """Click the bar (row) of a category by its name on the page's first chart."""
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    index = chart.evaluate("(el, name) => el.data[0].y.indexOf(name)", name)
    assert index >= 0, name
    row = chart.locator("g.trace.bars").first.locator("g.point path").nth(index)
    box = row.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)


def _wait_for_scope(page, text: str) -> None:
    page.wait_for_function(
        "text => document.querySelector('[data-testid=\"stMain\"] h4').innerText.includes(text)", arg=text
    )
    settle(page)


def test_drill_city_county_township_and_back(fresh_server, browser, tmp_path):
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(write_city_store(tmp_path / "city"))})
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/staffing?asof=2025-03-31")
    settle(page)
    assert "范围：测试市" in heading(page)
    assert "缺 1 个乡镇（街道）数据（辛乡）" in page.locator('[data-testid="stAlert"]').first.inner_text()
    full_page_screenshot(page, "hierarchy_city")

    _click_bar(page, "甲县")  # city → county: the chart now has a bar per township
    _wait_for_scope(page, "范围：甲县")
    assert f"scope={COUNTY_A}" in page.url
    assert page.locator(".js-plotly-plot").first.evaluate("el => el.data[0].y").count("甲街道") == 1
    full_page_screenshot(page, "hierarchy_county")

    _click_bar(page, "甲街道")  # county → township: a bar per urban community
    _wait_for_scope(page, "范围：甲街道")
    assert f"scope={COUNTY_A}" in page.url and "township=甲街道" in unquote(page.url)
    communities = page.locator(".js-plotly-plot").first.evaluate("el => el.data.flatMap(t => t.y || [])")
    assert {"甲一社区", "甲二社区"} <= set(communities)
    full_page_screenshot(page, "hierarchy_township")

    breadcrumb = page.locator(".st-key-sw_breadcrumb")
    breadcrumb.get_by_role("button", name="甲县").click()  # back up one level
    _wait_for_scope(page, "范围：甲县")
    assert "township=" not in page.url
    breadcrumb.get_by_role("button", name="测试市").click()
    _wait_for_scope(page, "范围：测试市")
    assert "scope=" not in page.url
    context.close()


def test_a_bad_scope_in_the_url_is_named(fresh_server, browser, tmp_path):
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(write_city_store(tmp_path / "city"))})
    page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page.goto(f"{url}/?scope=123456")
    settle(page)
    alerts = " ".join(page.locator('[data-testid="stAlert"]').all_inner_texts()).replace("\u2060", "")  # markdown_text
    assert "链接参数 scope=123456 无效：未知区划代码“123456”" in alerts
    page.close()


def test_a_phone_picks_the_county_in_the_filter_at_the_top(fresh_server, browser, tmp_path):
    """On a phone the sidebar is folded away: the filter at the top names the scope and offers the county first."""
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(write_city_store(tmp_path / "city"))})
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(f"{url}/?asof=2025-03-31")
    settle(page)
    opener = page.locator(".st-key-sw_phone_filter button").first
    assert "范围：测试市" in opener.inner_text()
    opener.click()
    page.get_by_role("dialog").locator('[data-testid="stSelectbox"]').first.click()
    page.keyboard.type("甲县")
    page.keyboard.press("Enter")
    _wait_for_scope(page, "范围：甲县")
    assert f"scope={COUNTY_A}" in page.url
    assert page.get_by_role("dialog").get_by_text("乡镇（街道）").count() == 1  # townships once a county is chosen
    page.close()


def test_drill_province_city_county_and_back(fresh_server, browser, tmp_path):
    """The whole of two provinces by province → 测试省 by city → 测试市 by county → 甲县 by township, by clicking bars;
    then the breadcrumb back to the province and to the whole store."""
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(write_nation_store(tmp_path / "nation"))})
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{url}/staffing?asof=2025-03-31")
    settle(page)
    assert "范围：全国" in heading(page)
    assert sorted(page.locator(".js-plotly-plot").first.evaluate("el => el.data[0].y")) == ["另一省", "测试省"]

    _click_bar(page, "测试省")  # the whole store → a province: a bar per city
    _wait_for_scope(page, "范围：测试省")
    assert f"scope={PROVINCE}" in page.url
    assert sorted(page.locator(".js-plotly-plot").first.evaluate("el => el.data[0].y")) == ["丙市", "测试市"]

    _click_bar(page, "测试市")  # → a city: a bar per county
    _wait_for_scope(page, "范围：测试市")
    assert f"scope={CITY}" in page.url

    _click_bar(page, "甲县")  # → a county: a bar per township
    _wait_for_scope(page, "范围：甲县")
    assert f"scope={COUNTY_A}" in page.url
    breadcrumb = page.locator(".st-key-sw_breadcrumb")
    crumbs = [b.inner_text().split()[-1] for b in breadcrumb.get_by_role("button").all()]  # after the icon
    assert crumbs == ["全国", "测试省", "测试市"]

    breadcrumb.get_by_role("button", name="测试省").click()  # two levels up
    _wait_for_scope(page, "范围：测试省")
    assert f"scope={PROVINCE}" in page.url
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.locator(".st-key-filter_province input").input_value() == "测试省"  # the box shows it too
    breadcrumb.get_by_role("button", name="全国").click()
    _wait_for_scope(page, "范围：全国")
    assert "scope=" not in page.url
    context.close()
