"""AppTest of every page: county and township views, filters from the URL, bad URL values."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.figures import choices, metrics
from socialwork.figures.place_filter import Places
from socialwork.present.words.formatting import format_value
from tests.html_tables import tables
from tests.markdown_text import shown

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")


def open_app(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url_values(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return value if isinstance(value, list) else [value]


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_metrics(as_of: date, names: list[str] | None) -> dict[str, str]:
    codes = choices.township_codes(names, as_of) if names else []
    report = metrics.kpi_report(as_of, Places.townships(codes))
    return {
        k.label: format_value(k.value, k.decimals, k.unit)
        for k in report.kpis
        if k.metric_key in metrics.HEADLINE_METRICS
    }


def test_overview_for_the_county_shows_the_stamp_and_headline_figures():
    at = open_app()
    assert any("数据截至 2026年10月31日 · 范围：全县" in m.value for m in at.markdown)
    assert shown_metrics(at) == expected_metrics(LAST_SNAPSHOT, None)
    table = tables(at)[0]
    assert len(table) == len(metrics.SPECS)  # every metric, with a goal or 无目标


@pytest.mark.parametrize("names", [["城关街道"], ["马坪乡", "河口镇"]])
def test_overview_with_a_township_filter_from_the_url(names):
    at = open_app(asof="2024-12-31", township=names)
    assert at.multiselect[0].value == names
    assert any(f"范围：{'、'.join(names)}" in m.value for m in at.markdown)
    assert shown_metrics(at) == expected_metrics(date(2024, 12, 31), names)
    assert url_values(at, "township") == names
    assert url_values(at, "asof") == ["2024-12-31"]


def test_changing_the_filters_updates_figures_and_url():
    at = open_app()
    at.run()  # AppTest re-enters legacy pages/ mode on its first run; the second is a normal session
    at.multiselect[0].set_value(["城关街道"]).run()
    at.selectbox(key="filter_as_of").set_value(date(2025, 6, 30)).run()
    assert shown_metrics(at) == expected_metrics(date(2025, 6, 30), ["城关街道"])
    assert url_values(at, "township") == ["城关街道"]
    assert url_values(at, "asof") == ["2025-06-30"]


def test_hand_edited_url_values_are_reported_in_chinese_and_ignored():
    at = open_app(asof="2025-02-30", township=["城关街道", "火星镇"])
    errors = " ".join(shown(e.value) for e in at.error)
    assert "asof=2025-02-30" in errors and "已改为显示最新一期" in errors
    assert "火星镇" in errors
    assert at.multiselect[0].value == ["城关街道"]
    assert at.selectbox(key="filter_as_of").value == LAST_SNAPSHOT


def test_a_year_without_targets_says_so():
    at = open_app(asof="2022-12-31")
    assert any("2022年在目标表中没有任何目标" in i.value for i in at.info)


def test_the_script_writes_the_township_box_only_for_a_link_or_a_choice_no_longer_on_offer():
    """A box whose state the script writes is sent with that value and redrawn in the browser as changed, after the
    page on a slow phone (issue 32): a pick is the person's own, sent back as is."""
    linked = open_app(township=["城关街道"])
    assert linked.multiselect(key="filter_townships").proto.set_value  # the link's choice, put into the box
    at = open_app()
    at.run()
    assert not at.multiselect(key="filter_townships").proto.set_value
    at.multiselect(key="filter_townships").set_value(["河口镇"]).run()
    box = at.multiselect(key="filter_townships")
    assert box.value == ["河口镇"] and not box.proto.set_value
    at.run()  # any later run, e.g. another page
    assert at.multiselect(key="filter_townships").value == ["河口镇"]


def test_the_phone_filter_builds_its_boxes_only_while_open_and_they_hold_the_sidebars_choice():
    """On a screen the phone's filter is never shown: closed, it costs no box; open, it offers the townships."""
    at = open_app()
    at.run()  # AppTest re-enters legacy pages/ mode on its first run; the second is a normal session
    assert [m.key for m in at.multiselect] == ["filter_townships"]  # the sidebar's alone
    at.multiselect(key="filter_townships").set_value(["城关街道"]).run()
    at.session_state["filter_phone_open"] = True  # as the phone's button does
    at.run()
    phone = at.multiselect(key="filter_townships_phone")
    assert phone.value == ["城关街道"] and len(phone.options) == len(at.multiselect(key="filter_townships").options)
    phone.set_value(["河口镇"]).run()
    assert at.multiselect(key="filter_townships").value == ["河口镇"]
    assert url_values(at, "township") == ["河口镇"]
    assert at.session_state["filter_phone_open"]  # the scope's new name is a new button: it stays open
