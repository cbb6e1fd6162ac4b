"""Text from the URL and stored names is shown as plain text: never markdown in Streamlit, never HTML in plotly."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.figures import staffing
from socialwork.figures.place_filter import EVERYWHERE
from socialwork.present.screen import charts
from socialwork.present.words.plaintext import html_text, markdown_text
from tests.fixture_county import HOSTILE_ORGANISATIONS, HOSTILE_TOWNSHIPS, T1, T2, T3
from tests.markdown_text import ESCAPE, shown, unescaped_punctuation

DAY = date(2024, 11, 30)
ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
MARKUP = [
    "[点我](http://evil.example)",
    "<b>x</b>",
    "![图](http://evil.example/x.png)",
    "**粗** _斜_ ~~删~~ `代码`",
    "$x^2$ 与 $$y$$",
    ":red[红字] :material/home: :streamlit: :smile: :blue-badge[标]",
    "# 标题 | 表 | > 引用 - 列表 1. 列表",
    "http://evil.example www.evil.example a@evil.example",
    "a -> b <= c -- d",
    "\\[已转义\\] &lt;b&gt; &amp;",
]
# What Streamlit's markdown still turns into links, emoji, icons or arrows in text after the escapes are resolved
# (GFM's bare URLs and e-mail addresses, :shortcodes:, typographic arrows); the rest is parsed before, from the
# source, where a backslash escapes it.
_LIVE_MARKUP = re.compile(r"https?://|www\.|\w@\w|:[\w+-]+:|(^|\s)(->|<-|--|<=|>=)(\s|$)")


@pytest.mark.parametrize("text", MARKUP)
def test_markdown_text_shows_exactly_the_text_and_no_markup(text):
    escaped = markdown_text(text)
    assert shown(escaped) == text
    assert unescaped_punctuation(escaped) == ""
    assert not _LIVE_MARKUP.search(ESCAPE.sub(r"\1", escaped))


def test_markdown_text_keeps_a_name_on_one_line():
    assert shown(markdown_text("甲\n- 乙\r\n\t丙")) == "甲 - 乙 丙"
    assert markdown_text("城关街道") == "城关街道"  # a plain name is unchanged


def test_html_text_leaves_no_tag_for_plotly():
    assert html_text('<a href="x">y</a> & <b>') == '&lt;a href="x"&gt;y&lt;/a&gt; &amp; &lt;b&gt;'


def open_app(store, monkeypatch, page: str | None = None, **query: str | list[str]) -> AppTest:
    monkeypatch.setenv("SOCIALWORK_DATA", str(store))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    (at.switch_page(f"pages/{page}.py") if page else at).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_sources(at: AppTest) -> list[str]:
    """Every markdown-rendering element's source: text, headings, captions, alerts, metric labels and help."""
    elements = [*at.markdown, *at.caption, *at.title, *at.header, *at.subheader, *at.error, *at.warning, *at.info]
    return [e.value for e in elements] + [m.label for m in at.metric] + [m.help or "" for m in at.metric]


@pytest.mark.parametrize("value", ["[点我](http://evil.example)", "<b>x</b>", "http://evil.example :red[红]"])
def test_a_hand_edited_township_in_the_url_is_reported_as_plain_text(fixture_store, monkeypatch, value):
    at = open_app(fixture_store, monkeypatch, township=[value])
    [error] = at.error
    assert shown(error.value) == f"链接参数 township 中有未知乡镇（街道）：{value}，已忽略。"
    assert unescaped_punctuation(error.value) == ""  # no link, no bold, no tag, no directive: all escaped
    assert not _LIVE_MARKUP.search(ESCAPE.sub(r"\1", error.value))
    assert at.multiselect[0].value == []


def test_hand_edited_date_and_view_are_reported_as_plain_text(fixture_store, monkeypatch):
    at = open_app(fixture_store, monkeypatch, "meeting", asof="[1](http://evil.example)", view="<b>2</b>")
    errors = [e.value for e in at.error]
    assert [shown(e).split("：")[0] for e in errors] == [
        "链接参数 asof=[1](http://evil.example) 无效",
        "链接参数 view=<b>2</b> 无效",
    ]
    assert [unescaped_punctuation(e.split("无效")[0].split("=", 1)[1]) for e in errors] == ["", ""]


@pytest.mark.parametrize("page", ["overview", "targets", "staffing", "posts", "stations", "incentives", "purchases"])
def test_stored_names_never_render_as_markdown(hostile_store, monkeypatch, page):
    names = [HOSTILE_TOWNSHIPS[T3], HOSTILE_TOWNSHIPS[T2]]
    at = open_app(hostile_store, monkeypatch, page, asof=DAY.isoformat(), township=names)
    assert at.multiselect[0].value == names
    sources = markdown_sources(at)
    assert any(markdown_text(f"{names[0]}、{names[1]}") in s for s in sources)
    for raw in ("[点我](", "<a href", "**粗**", "$x$", ":red[", ":material/", "www.evil"):
        unescaped = re.compile(r"(?<!\\)" + re.escape(raw))  # the markup, its first character not escaped
        assert not [s for s in sources if unescaped.search(s)], raw


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def strings(spec: object) -> list[str]:
    """Every string a figure's JSON shows (plotly writes < as \\u003c, so the raw JSON text would hide a tag),
    without the line breaks a narrow screen gets (fitting.for_screen); customdata is not shown: it carries a
    township's name to the click handler."""
    if isinstance(spec, str):
        return [spec.replace("<br>", "")]
    if isinstance(spec, dict):
        return [s for key, value in spec.items() if key != "customdata" for s in strings(value)]
    if isinstance(spec, list):
        return [s for value in spec for s in strings(value)]
    return []


def test_a_stored_township_name_is_escaped_in_the_figure_json(hostile_store):
    figure = charts.township_staffing_bars(staffing.staffing_by_township(DAY, EVERYWHERE, hostile_store), 2, "图")
    assert not [s for s in strings(json.loads(figure.to_json())) if "<a" in s]
    escaped = html_text(HOSTILE_TOWNSHIPS[T2])
    assert [list(trace.y) for trace in figure.data] == [[escaped, html_text(HOSTILE_TOWNSHIPS[T1])]] * 2  # worst first
    assert [trace.customdata[0][0] for trace in figure.data] == [HOSTILE_TOWNSHIPS[T2]] * 2  # a click gets the name
    assert [trace.hovertext[0].split("<br>")[0] for trace in figure.data] == [escaped] * 2


@pytest.mark.parametrize("page", ["overview", "staffing", "stations", "purchases"])
def test_charts_of_every_page_carry_stored_names_as_text(hostile_store, monkeypatch, page):
    at = open_app(hostile_store, monkeypatch, page, asof=DAY.isoformat())
    specs = chart_specs(at)
    assert specs
    assert not [s for spec in specs for s in strings(spec) if "<a" in s or "<b>" in s], page
    if page == "staffing":
        assert html_text(HOSTILE_TOWNSHIPS[T2]) in specs[0]["data"][1]["y"]
    if page == "stations":
        assert html_text(HOSTILE_ORGANISATIONS["O2"]) in specs[-1]["data"][0]["y"]
    if page in ("overview", "staffing"):  # their chart titles name the chosen township
        at = open_app(hostile_store, monkeypatch, page, asof=DAY.isoformat(), township=[HOSTILE_TOWNSHIPS[T2]])
        titles = [s for spec in chart_specs(at) for s in strings(spec) if s.startswith(("持证社会工作者人数", "+1"))]
        assert titles and all(html_text(HOSTILE_TOWNSHIPS[T2]) in s for s in titles), page
