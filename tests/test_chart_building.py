"""Charts are built in one construction from dicts (issue 17), and look as plotly's helpers drew them before."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from socialwork.figures import choices, metrics
from socialwork.present import theme
from socialwork.present.screen import charts, goal_lines


def shown(fig: go.Figure) -> dict:
    """The figure as Streamlit sends it, without empty objects (an axis title cleared by update_*(title=None))."""

    def prune(value):
        if isinstance(value, dict):
            kept = {k: prune(v) for k, v in value.items()}
            return {k: v for k, v in kept.items() if v != {}}
        return [prune(v) for v in value] if isinstance(value, list) else value

    return prune(json.loads(pio.to_json(fig, validate=False)))


def express_timeline(frame: pd.DataFrame, as_of, title: str) -> go.Figure:
    """The milestone timeline as it was drawn with plotly express before issue 17."""
    data = frame.copy()
    data["start"] = pd.to_datetime(data["start_date"].fillna(data["due_date"]))
    data["due"] = pd.to_datetime(data["due_date"]) + pd.Timedelta(days=1)
    data["row"] = charts.labels(data["title"])
    colours = dict(zip(data["timeline_label"], data["timeline_status"].map(charts.MILESTONE_COLOURS), strict=True))
    fig = px.timeline(
        data, x_start="start", x_end="due", y="row", color="timeline_label", color_discrete_map=colours,
        custom_data=["lead_department", "due_date", "timeline_label"],
    )  # fmt: skip
    fig.update_traces(hovertemplate="%{y}<br>截止 %{customdata[1]}<br>%{customdata[2]}<extra></extra>")
    done = data[data["done_date"].notna()]
    fig.add_scatter(
        x=pd.to_datetime(done["done_date"]), y=done["row"], mode="markers", name="完成日期",
        marker={"symbol": "diamond", "size": 14, "color": "#222"},
        hovertemplate="%{y}<br>完成于 %{x|%Y年%m月%d日}<extra></extra>",
    )  # fmt: skip
    fig.add_vline(x=pd.Timestamp(as_of).value / 1e6, line={"color": charts.GOAL_LINE, "dash": "dash", "width": 2})
    fig.add_annotation(x=pd.Timestamp(as_of), y=1.02, yref="paper", text="数据截至", showarrow=False,
                       font={"color": charts.GOAL_LINE})  # fmt: skip
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=None, tickformat="%Y", dtick="M12", tickangle=0,  # a level tick a year (a phone)
                     range=charts.timeline_range(data, as_of))  # fmt: skip
    fig.update_layout(template=theme.TEMPLATE, title=charts.titled(title), height=120 + 44 * len(data),
                      legend_title_text="", legend={"yref": "container", "y": 0, "yanchor": "bottom"},
                      margin={"t": 80, "b": 110})  # fmt: skip
    return fig


@pytest.mark.parametrize("store", ["demo_store", "hostile_store"])
def test_the_milestone_timeline_is_the_one_plotly_express_drew(store, request):
    data = request.getfixturevalue(store)
    as_of = choices.available_dates(data)[-1]
    steps = metrics.milestones(as_of, data)
    assert len(steps) > 1 and steps["timeline_label"].nunique() > 1
    title = "方案实施进度（截至数据日期）"
    assert shown(charts.milestone_timeline(steps, as_of, title)) == shown(express_timeline(steps, as_of, title))


@pytest.mark.parametrize(("axis", "add"), [("x", "add_vline"), ("y", "add_hline")])
def test_a_goal_line_is_the_one_add_vline_and_add_hline_drew(axis, add):
    fig = go.Figure(go.Bar(x=[1, 3], y=["甲", "乙"], orientation="h" if axis == "x" else "v"))
    getattr(fig, add)(
        2.5, line={"color": charts.GOAL_LINE, "dash": "dash", "width": 3}, annotation_text="目标 2.5 人",
        annotation_position="top" if axis == "x" else "top left",
        annotation_font={"color": charts.GOAL_LINE, "size": charts.SMALL_FONT_SIZE},
    )  # fmt: skip
    built = go.Figure(go.Bar(x=[1, 3], y=["甲", "乙"], orientation="h" if axis == "x" else "v"),
                      layout=goal_lines.goal_line(2.5, "目标 2.5 人", axis=axis))  # fmt: skip
    assert shown(built) == shown(fig)


def test_bars_against_a_goal_have_the_line_and_the_value_column_add_vline_and_add_annotation_drew():
    rows, texts = ["甲", "乙&lt;b&gt;"], ["1 人", "3 人"]
    fig = go.Figure(go.Bar(x=[1, 3], y=rows, orientation="h"))
    fig.add_vline(
        x=2, line={"color": charts.GOAL_LINE, "dash": "dash", "width": 3}, annotation_text="目标 2 人",
        annotation_position="top", annotation_font={"color": charts.GOAL_LINE, "size": charts.SMALL_FONT_SIZE},
    )  # fmt: skip
    for row, text in zip(rows, texts, strict=True):
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=8, y=row, yref="y", text=text,
                           showarrow=False, font={"size": charts.SMALL_FONT_SIZE}, align="left")  # fmt: skip
    built = go.Figure(
        go.Bar(x=[1, 3], y=rows, orientation="h"), layout=goal_lines.against_goal(2, "目标 2 人", rows, texts)
    )
    assert shown(built) == shown(fig)
    assert len(shown(built)["layout"]["annotations"]) == 3


def test_the_theme_is_the_named_template():
    named = go.Figure(layout={"template": theme.TEMPLATE})
    assert shown(charts._figure([], {})) == shown(named)
    assert shown(named)["layout"]["template"]["layout"]["font"]["size"] == theme.BASE_FONT_SIZE


PAGES_WITH_CHARTS = ["overview", "targets", "staffing", "posts", "stations", "incentives", "purchases", "changes"]


@pytest.mark.parametrize("page", PAGES_WITH_CHARTS)
def test_a_page_sends_the_same_charts_whether_plotly_checks_them_or_not(page, monkeypatch):
    """Served, charts skip plotly's check of every property (charts._figure): what the browser gets is the same."""
    from streamlit.testing.v1 import AppTest

    from socialwork.data import settings

    sent = {}
    for checked in ("1", "0"):
        monkeypatch.setenv(theme.CHECK_CHARTS_ENV, checked)
        at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        at.multiselect[0].set_value(["河口镇"]).run()  # the county's charts, then a township's
        sent[checked] = [_numbers(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]
    assert sent["0"] == sent["1"]
    assert sent["1"] or page == "changes"


def _numbers(value):
    """A figure's JSON with each typed array (plotly's {"dtype", "bdata"}) as its numbers: the browser reads an
    array of 3, 12 the same whether sent as integers or as floats (plotly's check makes some floats)."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).astype("float64").tolist()
    if isinstance(value, dict):
        return {key: _numbers(item) for key, item in value.items()}
    return [_numbers(item) for item in value] if isinstance(value, list) else value
