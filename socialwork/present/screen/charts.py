"""Chart builders: plain functions frame -> plotly Figure, one theme, legible on a projector.

Each figure is made in one construction from trace and layout dicts (`_figure`): plotly validates what it is given,
and every later update_*, add_vline or plotly express call walks the figure again (tens of ms per rerun)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from socialwork.present.screen import damage_marks, goal_lines
from socialwork.present.theme import (  # the palette and template, also read as charts.X
    GOAL_LINE,
    MILESTONE_STATUS,
    OTHERS_COLOUR,
    PRIMARY,
    SERIES_COLOURS,
    SMALL_FONT_SIZE,
    STATUS_COLOURS,
    VACANT_COLOUR,
)  # fmt: skip
from socialwork.present.theme import themed_figure as _figure
from socialwork.present.words.plaintext import html_text

# A county has a dozen to thirty townships: up to MAX_BARS a chart keeps one bar each, as before. A province
# has thousands, so beyond MAX_BARS a chart shows the TOP_BARS that matter most (about a projector screen and
# a half at 1280×720) and, where adding up makes sense, one bar for all the others.
MAX_BARS = 30
TOP_BARS = 20
OTHERS = "is_others"  # column marking the one row that stands for every row left out


@dataclass(frozen=True)
class TopN:
    """The rows a chart draws and how many there were; `frame` has a boolean OTHERS column."""

    frame: pd.DataFrame
    total: int  # rows before the cut
    shown: int  # rows kept one by one

    @property
    def capped(self) -> bool:
        return self.shown < self.total

    def note(self, which: str, noun: str, measure: str = "个") -> str | None:
        """e.g. 显示与目标差距最大的20个乡镇（街道），共1,777个；其余合并为末尾一栏 — None when nothing was left out."""
        if not self.capped:
            return None
        note = f"显示{which}的{self.shown}{measure}{noun}，共{self.total:,}{measure}"
        return note + ("；其余合并为末尾一栏" if self.frame[OTHERS].any() else "")


def top_n(
    frame: pd.DataFrame, by: list[str], *, ascending: bool | list[bool] = False, n: int = TOP_BARS,
    limit: int = MAX_BARS, label: str | None = None, others: str | None = None, summed: Sequence[str] = (),
) -> TopN:  # fmt: skip
    """The rows in the order of `by` (a stable sort); beyond `limit` rows only the first `n`, then, given
    `others` (e.g. "其他 {count:,} 个乡镇（街道）"), one more row named so in column `label` that holds the sums
    of the `summed` columns over the rows left out (its other columns empty)."""
    ordered = frame.sort_values(by, ascending=ascending, kind="stable").assign(**{OTHERS: False})
    if len(ordered) <= limit:
        return TopN(ordered.reset_index(drop=True), len(frame), len(frame))
    kept, rest = ordered.iloc[:n], ordered.iloc[n:]
    if others is not None:
        row = {label: others.format(count=len(rest)), **{c: rest[c].sum() for c in summed}, OTHERS: True}
        kept = pd.concat([kept, pd.DataFrame([row])], ignore_index=True)
    return TopN(kept.reset_index(drop=True), len(frame), n)


def titled(title: str, note: str | None = None) -> dict:
    """A chart title as plain text (it may hold township names), with the note (e.g. what a top-N chart leaves out)
    as its subtitle. An object, never a bare string: an unchecked figure (_figure) keeps a string as it is given, and
    a title's padding set later would be lost."""
    if note is None:
        return {"text": html_text(title)}
    return {"text": html_text(title), "subtitle": {"text": html_text(note), "font": {"size": SMALL_FONT_SIZE}}}


def labels(values: pd.Series) -> pd.Series:
    """Category labels (township, community, organisation names …) as plain text: plotly renders tags in them."""
    return values.map(lambda v: html_text(v) if isinstance(v, str) else v)


def certified_trend(figures: pd.DataFrame, title: str, damaged: Sequence[date] = ()) -> go.Figure:
    """Certified social workers at each month-end; year-end points marked (they are the baselines); a damaged month
    (left out of the store) breaks the line and is marked 数据损坏."""
    frame = figures.reset_index()
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    year_end = frame[frame["snapshot_date"].dt.month == 12]
    gaps = damage_marks.within(frame["snapshot_date"], damaged)
    line = damage_marks.with_gaps(frame, "snapshot_date", gaps)
    monthly = {
        "type": "scatter", "x": line["snapshot_date"], "y": line["certified_workers"], "mode": "lines+markers",
        "name": "持证社工（月末）", "line": {"color": PRIMARY, "width": 4}, "marker": {"size": 7},
        "hovertemplate": "%{x|%Y年%m月}<br>持证社工 %{y} 人<extra></extra>",
    }  # fmt: skip
    year_ends = {
        "type": "scatter", "x": year_end["snapshot_date"], "y": year_end["certified_workers"], "mode": "markers+text",
        "name": "年末（次年比较起点）", "textposition": "top center",
        "marker": {"size": 14, "color": "#f4a040", "symbol": "diamond", "line": {"width": 1, "color": "#333"}},
        "text": [f"{v:,.0f}" for v in year_end["certified_workers"]],  # head counts, whatever the dtype
        "cliponaxis": False,  # the last year-end label may stand above the plot area
        "hovertemplate": "%{x|%Y年%m月}<br>年末持证社工 %{y} 人<extra></extra>",
    }  # fmt: skip
    layout = {"title": titled(title), "height": 460, "xaxis": {"tickformat": "%Y年%m月"}, "margin": {"t": 100},
              "yaxis": {"title": {"text": "人"}}}  # fmt: skip
    return _figure([monthly, year_ends], damage_marks.marked(layout, gaps))


MILESTONE_COLOURS = {timeline: STATUS_COLOURS[status] for timeline, status in MILESTONE_STATUS.items()}


def milestone_timeline(frame: pd.DataFrame, as_of, title: str) -> go.Figure:
    """One bar per step or measure from start to due date, coloured by where it stands; ◆ marks completion. Drawn as
    px.timeline drew it (a trace per standing in order of appearance, durations in ms from the start on a date axis)."""
    data = frame.copy()
    data["start"] = pd.to_datetime(data["start_date"].fillna(data["due_date"]))
    data["due"] = pd.to_datetime(data["due_date"]) + pd.Timedelta(days=1)  # the due day itself is inside
    data["row"] = labels(data["title"])
    data["duration_ms"] = (data["due"] - data["start"]) // pd.Timedelta(milliseconds=1)
    colours = dict(zip(data["timeline_label"], data["timeline_status"].map(MILESTONE_COLOURS), strict=True))
    traces = [
        {"type": "bar", "base": rows["start"], "x": rows["duration_ms"], "y": rows["row"], "orientation": "h",
         "name": label, "legendgroup": label, "showlegend": True, "textposition": "auto", "xaxis": "x", "yaxis": "y",
         "marker": {"color": colours[label], "pattern": {"shape": ""}},
         "customdata": rows[["lead_department", "due_date", "timeline_label"]].to_numpy(),
         "hovertemplate": "%{y}<br>截止 %{customdata[1]}<br>%{customdata[2]}<extra></extra>"}
        for label, rows in data.groupby("timeline_label", sort=False)
    ]  # fmt: skip
    done = data[data["done_date"].notna()]
    traces.append({
        "type": "scatter", "x": pd.to_datetime(done["done_date"]), "y": done["row"], "mode": "markers",
        "name": "完成日期", "marker": {"symbol": "diamond", "size": 14, "color": "#222"},
        "hovertemplate": "%{y}<br>完成于 %{x|%Y年%m月%d日}<extra></extra>",
    })  # fmt: skip
    now = pd.Timestamp(as_of).value / 1e6
    layout = {
        # A tick a year, level: on a phone the monthly dates stood vertical (the bars' hover gives the day). The
        # range from the first start to the data's date, not plotly's years of padding: on a phone the long step
        # names leave the dates a third of the width.
        "xaxis": {"anchor": "y", "domain": [0.0, 1.0], "type": "date", "tickformat": "%Y", "dtick": "M12",
                  "tickangle": 0, "range": timeline_range(data, as_of)},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0], "autorange": "reversed"},
        # The legend under the dates: above them, on a phone its four entries stood one a line over the title.
        "legend": {"title": {"text": ""}, "tracegroupgap": 0, "yref": "container", "y": 0, "yanchor": "bottom"},
        "margin": {"t": 80, "b": 110}, "barmode": "overlay",
        "shapes": [{"type": "line", "x0": now, "x1": now, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
                    "line": {"color": GOAL_LINE, "dash": "dash", "width": 2}}],
        "annotations": [{"x": pd.Timestamp(as_of), "y": 1.02, "yref": "paper", "text": "数据截至", "showarrow": False,
                         "font": {"color": GOAL_LINE}}],
        "title": titled(title), "height": 120 + 44 * len(data),
    }  # fmt: skip
    return _figure(traces, layout)


def timeline_range(steps: pd.DataFrame, as_of) -> list[str]:
    """The timeline's dates: a month before the first start to four months after its last date or the data's date
    (room for the "数据截至" centred on it)."""
    columns = [c for c in ("start_date", "due_date", "done_date") if c in steps]
    dates = pd.concat([pd.to_datetime(steps[c]) for c in columns] + [pd.Series([pd.Timestamp(as_of)])]).dropna()
    first, last = dates.min(), dates.max()  # the data's date counts: a view with no step dated still has a range
    return [(first - pd.Timedelta(days=31)).strftime("%Y-%m-%d"), (last + pd.Timedelta(days=122)).strftime("%Y-%m-%d")]


def _count_tick(largest: float) -> int | None:
    """Whole-number tick spacing for a small count axis (no 0.2, 0.4 …); plotly's own above a dozen."""
    if largest != largest or largest > 12:
        return None
    return 1 if largest <= 6 else 2


def _whole_numbers(values: pd.Series) -> bool:
    present = pd.to_numeric(values, errors="coerce").dropna()
    return len(present) > 0 and bool((present % 1 == 0).all())


def township_staffing_bars(
    frame: pd.DataFrame, goal: float, title: str, noun: str = "乡镇（街道）", note: str | None = None
) -> go.Figure:
    """Average certified social workers per urban community by township, furthest below the goal first; click a bar
    to drill in. Beyond MAX_BARS townships: the TOP_BARS lowest and one bar for the others (subtitled after note)."""
    counts = ["urban_communities", "certified_in_urban_communities", "urban_communities_meeting_minimum",
              "total_shortfall"]  # fmt: skip
    top = top_n(
        frame[frame["urban_communities"] > 0], ["average_certified_per_urban_community", "total_shortfall",
        "township_code"], ascending=[True, False, True], label="township_name", others=f"其他 {{count:,}} 个{noun}",
        summed=counts,
    )  # fmt: skip
    data = top.frame
    others = data[OTHERS]
    average = data["certified_in_urban_communities"] / data["urban_communities"]  # the others' too
    meeting, urban = data["urban_communities_meeting_minimum"], data["urban_communities"]
    bar_text = [f"{avg:.2f}（{m:,}/{n:,}达标）" for avg, m, n in zip(average, meeting, urban, strict=True)]
    names = labels(data["township_name"])
    hover = [
        f"{name}{'（合计）' if other else ''}<br>平均 {avg:.2f} 人/城市社区{'' if other else f'<br>点击查看该{noun}'}"
        for name, avg, other in zip(names, average, others, strict=True)
    ]
    colours = [
        OTHERS_COLOUR if other else goal_lines.township_colour(avg, m, n, goal)
        for avg, m, n, other in zip(average, meeting, urban, others, strict=True)
    ]
    townships = [[None if other else name] for name, other in zip(data["township_name"], others, strict=True)]
    # Worst first means bars of length 0 at the top: a transparent bar behind each township's whole row
    # makes the row clickable (the others bar has none, there is nothing to drill into). A click reads the
    # township's name from customdata, unescaped.
    row = {
        "type": "bar", "x": [None if other else max(average.max(), goal) for other in others], "y": names,
        "orientation": "h", "marker": {"color": "rgba(0, 0, 0, 0)"}, "customdata": townships, "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
    }  # fmt: skip
    bar = {
        "type": "bar", "x": average, "y": names, "orientation": "h", "marker": {"color": colours},
        "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>", "customdata": townships,
    }  # fmt: skip
    note = "；".join(n for n in (note, top.note("与目标差距最大", noun)) if n) or None
    layout = {
        **goal_lines.against_goal(goal, f"目标 {goal:g} 人", names, bar_text), "title": titled(title, note),
        "height": 140 + 44 * len(data) + (40 if note else 0), "showlegend": False, "barmode": "overlay",
        "margin": {"r": goal_lines.LABEL_COLUMN_PX, "t": 130 if note else 100},
        "xaxis": {"title": {"text": "人 / 城市社区"}, "range": [0, max(average.max(), goal) * 1.05]},
        "yaxis": {"autorange": "reversed"},
    }  # fmt: skip
    return _figure([row, bar], layout)


def community_staffing_bars(frame: pd.DataFrame, goal: float, title: str, urban_total: int | None = None) -> go.Figure:
    """Certified social workers in each urban community, short ones in orange, with the goal line.

    Beyond MAX_BARS communities, the TOP_BARS with the fewest; urban_total counts them when frame is a capped list.
    """
    urban = frame[frame["community_kind"] == "urban_community"]
    top = top_n(urban, ["certified_workers", "community_code"], ascending=True)
    if urban_total is not None and urban_total > top.total:
        top = TopN(top.frame, urban_total, min(top.shown, urban_total))
    data = top.frame
    names = labels(data["community_name"] if data["township_name"].nunique() == 1 else (
        data["township_name"] + "·" + data["community_name"]
    ))  # fmt: skip
    bar = {
        "type": "bar", "x": data["certified_workers"], "y": names, "orientation": "h",
        "marker": {"color": [goal_lines.goal_colour(v, goal) for v in data["certified_workers"]]},
        "hovertemplate": "%{y}<br>持证社工 %{x} 人<extra></extra>",
    }  # fmt: skip
    note = top.note("持证社工最少", "城市社区")
    layout = {
        **goal_lines.against_goal(goal, f"目标 {goal:g} 人", names, [f"{v:,} 人" for v in data["certified_workers"]]),
        "title": titled(title, note), "height": 140 + 40 * len(data), "showlegend": False,
        "margin": {"r": goal_lines.LABEL_COLUMN_PX, "t": 130 if note else 100},
        "xaxis": {"title": {"text": "持证社工（人）"}, "dtick": 1,
                  "range": [0, max(goal, data["certified_workers"].max()) + 0.5]},
        "yaxis": {"autorange": "reversed"},
    }  # fmt: skip
    return _figure([bar], layout)


def certified_distribution_bars(frame: pd.DataFrame, goal: float, title: str) -> go.Figure:
    """How many urban communities have 0, 1, 2, 3+ certified social workers."""
    below = [int(b.rstrip("+")) < goal for b in frame["certified_bucket"]]
    bar = {
        "type": "bar", "x": [f"{b}名" for b in frame["certified_bucket"]], "y": frame["urban_communities"],
        "text": frame["urban_communities"], "textposition": "outside", "cliponaxis": False, "constraintext": "none",
        "marker": {"color": [STATUS_COLOURS["behind"] if b else STATUS_COLOURS["met"] for b in below]},
        "hovertemplate": "持证社工 %{x}<br>%{y} 个城市社区<extra></extra>",
    }  # fmt: skip
    layout = {
        "title": titled(title), "height": 380, "showlegend": False,
        "xaxis": {"title": {"text": "城市社区持证社工人数"}},
        "yaxis": {"title": {"text": "城市社区（个）"}, "dtick": _count_tick(frame["urban_communities"].max())},
    }  # fmt: skip
    return _figure([bar], layout)


def share_trend(frame: pd.DataFrame, goal: float, title: str, damaged: Sequence[date] = ()) -> go.Figure:
    """A share over the snapshots, with its goal; a damaged month breaks the line and is marked 数据损坏."""
    gaps = damage_marks.within(frame["snapshot_date"], damaged)
    frame = damage_marks.with_gaps(frame, "snapshot_date", gaps)
    line = {
        "type": "scatter", "x": frame["snapshot_date"], "y": frame["share_meeting_minimum"],
        "mode": "lines+markers", "line": {"color": PRIMARY, "width": 4},
        "hovertemplate": "%{x|%Y年%m月}<br>%{y:.1f}%<extra></extra>",
    }  # fmt: skip
    layout = {
        **goal_lines.goal_line(goal, f"目标 {goal:g}%", axis="y"), "title": titled(title), "height": 380,
        "showlegend": False,
        "xaxis": {"tickformat": "%Y年%m月"}, "yaxis": {"title": {"text": "%"}, "range": [0, 105]},
    }  # fmt: skip
    return _figure([line], damage_marks.marked(layout, gaps))


def _filled_vacant_bars(categories: pd.Series, filled: pd.Series, vacant: pd.Series, layout: dict) -> go.Figure:
    """Filled and vacant posts stacked per category, the total written after each bar; layout adds to the axes'."""
    categories = labels(categories)
    totals = filled + vacant
    # Filled and vacant are no statuses: blue and a light blue; only a sector with no post at all is red.
    traces = [
        {"type": "bar", "y": categories, "x": filled, "name": "在岗", "orientation": "h", "marker": {"color": PRIMARY},
         "hovertemplate": "%{y}<br>在岗 %{x}<extra></extra>"},
        {"type": "bar", "y": categories, "x": vacant, "name": "空缺", "orientation": "h",
         "marker": {"color": VACANT_COLOUR}, "hovertemplate": "%{y}<br>空缺 %{x}<extra></extra>"},
        {"type": "scatter", "y": categories, "x": totals, "mode": "text",
         "text": [f"{t}" if t else "0 无岗位" for t in totals], "textposition": "middle right",
         "textfont": {"color": ["#222" if t else STATUS_COLOURS["behind"] for t in totals], "size": SMALL_FONT_SIZE},
         "showlegend": False, "hoverinfo": "skip", "cliponaxis": False},
    ]  # fmt: skip
    x = {"title": {"text": "岗位（个）"}, "dtick": _count_tick(totals.max()), "range": [0, max(1, totals.max()) * 1.18]}
    y = {"autorange": "reversed", **layout.pop("yaxis", {})}
    return _figure(traces, {"barmode": "stack", "yaxis": y, "xaxis": x, **layout})


def sector_posts_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Posts per sector (filled and vacant stacked); a sector without posts says so in red."""
    sectors = frame["sector_group_label"] + "｜" + frame["sector_label"]
    # The axis names the sector only (short enough for one line on a phone); the group shows in the hover text.
    layout = {"title": titled(title), "height": 150 + 40 * len(frame), "margin": {"r": 60},
              "yaxis": {"tickvals": labels(sectors), "ticktext": labels(frame["sector_label"])}}  # fmt: skip
    return _filled_vacant_bars(sectors, frame["filled_posts"], frame["vacant_posts"], layout)


def funding_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Posts by funding source (filled and vacant stacked)."""
    layout = {"title": titled(title), "height": 320}
    return _filled_vacant_bars(frame["funding_label"], frame["filled_posts"], frame["vacant_posts"], layout)


def posts_trend_lines(frame: pd.DataFrame, title: str, damaged: Sequence[date] = ()) -> go.Figure:
    """Posts set up and filled at each month-end, new posts of the year as bars; a damaged month breaks the lines and
    is marked 数据损坏."""
    gaps = damage_marks.within(frame["snapshot_date"], damaged)
    frame = damage_marks.with_gaps(frame, "snapshot_date", gaps)
    x = frame["snapshot_date"]
    traces = [
        {"type": "bar", "x": x, "y": frame["posts_new_this_year"], "name": "本年新设（累计）",
         "marker": {"color": VACANT_COLOUR}, "hovertemplate": "%{x|%Y年%m月}<br>本年新设 %{y}<extra></extra>"},
        {"type": "scatter", "x": x, "y": frame["posts"], "name": "岗位总数", "mode": "lines",
         "line": {"color": PRIMARY, "width": 4}, "hovertemplate": "%{x|%Y年%m月}<br>岗位 %{y}<extra></extra>"},
        {"type": "scatter", "x": x, "y": frame["posts_filled"], "name": "在岗", "mode": "lines",
         "line": {"color": SERIES_COLOURS[1], "width": 3, "dash": "dot"},
         "hovertemplate": "%{x|%Y年%m月}<br>在岗 %{y}<extra></extra>"},
    ]  # fmt: skip
    layout = {"title": titled(title), "height": 420, "xaxis": {"tickformat": "%Y年%m月"}, "margin": {"t": 100},
              "yaxis": {"title": {"text": "岗位（个）"}}}  # fmt: skip
    return _figure(traces, damage_marks.marked(layout, gaps))


def bar_chart(
    frame: pd.DataFrame, category: str, value: str, title: str, value_title: str, *, goal: float | None = None,
    goal_text: str = "", horizontal: bool = False, text_format: str = "{:,.0f}", colour: str = PRIMARY,
    note: str | None = None,
) -> go.Figure:  # fmt: skip
    """One bar per row with its value written on it; an optional goal line; a top_n "others" row in grey.

    note (e.g. TopN.note) becomes the subtitle.
    """
    values, categories = frame[value], labels(frame[category])
    text = [text_format.format(v) if pd.notna(v) else "—" for v in values]
    axis = "y" if horizontal else "x"
    others = frame[OTHERS] if OTHERS in frame else pd.Series(False, index=frame.index)
    against_goal = goal is not None and horizontal  # bars measured against a goal line: coloured by it
    colours = [
        OTHERS_COLOUR if other else goal_lines.goal_colour(v, goal) if against_goal and pd.notna(v) else colour
        for v, other in zip(values, others, strict=True)
    ]
    bar = {
        "type": "bar", "x": values if horizontal else categories, "y": categories if horizontal else values,
        "orientation": "h" if horizontal else "v", "text": None if against_goal else text, "textposition": "outside",
        "cliponaxis": False, "constraintext": "none", "marker": {"color": colours}, "customdata": text,
        "hovertemplate": f"%{{{axis}}}<br>{value_title} %{{customdata}}<extra></extra>",
    }  # fmt: skip
    largest = max([v for v in values if pd.notna(v)] + [goal or 0, 1])
    tick = _count_tick(largest) if _whole_numbers(values) else None  # no 0.2, 0.4 … on a count of stations
    top = largest * (1.05 if against_goal else 1.2)
    value_axis = {"title": {"text": value_title}, "range": [0, top], "dtick": tick}
    if horizontal:
        axes, height = {"xaxis": value_axis, "yaxis": {"autorange": "reversed"}}, 150 + 38 * len(frame)
    else:
        axes, height = {"yaxis": value_axis, "xaxis": {"type": "category"}}, 400
    goal_text = (goal_text or f"目标 {goal:g}") if goal is not None else ""
    lines = goal_lines.goal_line(goal, goal_text, axis="y") if goal is not None and not horizontal else {}
    lines = goal_lines.against_goal(goal, goal_text, categories, text) if against_goal else lines
    margin = ({"r": goal_lines.LABEL_COLUMN_PX} if against_goal else {}) | ({"t": 130} if note else {})
    layout = {**lines, **axes, "title": titled(title, note), "height": height + 40 * bool(note), "showlegend": False,
              **({"margin": margin} if margin else {})}  # fmt: skip
    return _figure([bar], layout)


def grouped_bars(
    frame: pd.DataFrame, category: str, series: dict[str, str], title: str, value_title: str, *,
    stacked: bool = False, horizontal: bool = False,
) -> go.Figure:  # fmt: skip
    """Several values per category, side by side or stacked; series maps column -> legend label."""
    categories = labels(frame[category])
    traces = []
    for (column, label), colour in zip(series.items(), SERIES_COLOURS, strict=False):
        label = html_text(label)
        traces.append({
            "type": "bar", "x": frame[column] if horizontal else categories,
            "y": categories if horizontal else frame[column], "name": label, "orientation": "h" if horizontal else "v",
            "marker": {"color": colour}, "text": frame[column], "textposition": "inside" if stacked else "outside",
            "hovertemplate": f"%{{{'y' if horizontal else 'x'}}}<br>{label} %{{text}}<extra></extra>",
            "cliponaxis": False,  # the tallest bar's label stands above the plot area, not cut at its top
        })  # fmt: skip
    value_axis = {"title": {"text": value_title}}
    if not stacked:  # room above the tallest bar for its label
        tallest = pd.to_numeric(frame[list(series)].stack(), errors="coerce").max() if len(frame) else None
        if tallest is not None and tallest == tallest and tallest > 0:
            value_axis["range"] = [0, float(tallest) * 1.15]
    if horizontal:
        axes = {"xaxis": value_axis, "yaxis": {"autorange": "reversed", "type": "category"}}
    else:
        axes = {"yaxis": value_axis, "xaxis": {"type": "category"}}
    layout = {**axes, "title": titled(title), "barmode": "stack" if stacked else "group",
              "height": 150 + 38 * len(frame) if horizontal else 420}  # fmt: skip
    return _figure(traces, layout)


def line_chart(
    frame: pd.DataFrame, x: str, series: dict[str, str], title: str, value_title: str, *,
    goal: float | None = None, goal_text: str = "", damaged: Sequence[date] = (),
) -> go.Figure:  # fmt: skip
    """Lines over snapshot dates; series maps column -> legend label; a damaged month breaks the lines and is marked
    数据损坏."""
    gaps = damage_marks.within(frame[x], damaged)
    frame = damage_marks.with_gaps(frame, x, gaps)
    dates = frame[x]
    traces = []
    for (column, label), colour in zip(series.items(), SERIES_COLOURS, strict=False):
        label = html_text(label)
        traces.append({
            "type": "scatter", "x": dates, "y": frame[column], "name": label, "mode": "lines",
            "line": {"color": colour, "width": 4}, "hovertemplate": f"%{{x|%Y年%m月}}<br>{label} %{{y}}<extra></extra>",
        })  # fmt: skip
    line = goal_lines.goal_line(goal, goal_text or f"目标 {goal:g}{value_title}", axis="y") if goal is not None else {}
    values = pd.concat([frame[c] for c in series])
    whole = _whole_numbers(values)
    counts = {"dtick": _count_tick(max(values.max(), goal or 0)), "rangemode": "tozero"} if whole else {}
    layout = {**line, "title": titled(title), "height": 420, "xaxis": {"tickformat": "%Y年%m月"},
              "showlegend": len(series) > 1, "yaxis": {**counts, "title": {"text": value_title}}}  # fmt: skip
    return _figure(traces, damage_marks.marked(layout, gaps))
