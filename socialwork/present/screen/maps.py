"""The map of the level below a view: every township (above the county, every county) coloured by a target's
status or value, drawn from GeoJSON alone (no tile server: the base map is hidden and the view fits the shapes), or
as one square per place where a county has no boundaries. A click on a place filters to it, as a bar click does.

A page calls draw_map(filters); a slide or a document calls map_figure(as_of, places, data, metric_key) and gets a
plain plotly figure (rendering.py turns it into a picture)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from socialwork.data.contract.enums import KPI_STATUS
from socialwork.figures import maps, metrics
from socialwork.figures.metrics import TownshipScorecard
from socialwork.figures.place_filter import Places
from socialwork.present.screen import filtering
from socialwork.present.screen.charts import labels, titled
from socialwork.present.screen.fitting import for_screen
from socialwork.present.screen.snapshot_figures import snapshot_figure
from socialwork.present.tables.places import PLACE_NOUN
from socialwork.present.theme import CHART_CONFIG, DARK_TEXT_FILLS, INK, SMALL_FONT_SIZE, STATUS_COLOURS
from socialwork.present.theme import themed_figure as _figure
from socialwork.present.words.plaintext import html_text, markdown_text
from socialwork.present.words.targets import STATUS_SYMBOL

if TYPE_CHECKING:
    from socialwork.present.screen.filtering import Filters

STATUS_ORDER = ("met", "on_track", "at_risk", "behind", "missed", "pending", "contribution", "no_goal", "no_data")
STATUS_WORDS = {**{code: KPI_STATUS.label_of(code) for code in KPI_STATUS.codes}, "at_risk": "有风险"}
VALUE_SCALE = "Blues"  # a value is not a status: a sequential scale (reversed: more is darker), no status colour
MAP_HEIGHT = 600
MAX_LABELS = 40  # beyond this many places (a province's counties) names crowd out the map: hover only
TOWARDS_MIDDLE = 0.12  # how far a name moves from its place's centre towards the map's
COLOUR_BY = {"status": "按完成状态", "value": "按数值"}
CHOSEN_WIDTH = 4  # the outline of a chosen place, in pixels


def township_map(
    frame: pd.DataFrame, shapes: maps.Shapes, title: str, *, colour_by: str = "status", unit: str = "",
    decimals: int = 1, noun: str = PLACE_NOUN["township"], chosen: tuple[str, ...] = (), note: str | None = None,
) -> go.Figure:  # fmt: skip
    """Places coloured by status (the theme's status colours, a legend entry each) or by value (a sequential scale),
    each named on the map; frame columns place_code, place_name, value, status. Chosen places are outlined."""
    data = frame.reset_index(drop=True)
    values = [("—" if pd.isna(v) else f"{v:,.{decimals}f}") for v in data["value"]]
    words = [f"{STATUS_SYMBOL.get(s, '·')} {STATUS_WORDS.get(s, s)}" for s in data["status"]]
    names = labels(data["place_name"])
    hover = [f"{name}<br>{value}{html_text(unit)}<br>{word}<br>点击查看该{noun}"
             for name, value, word in zip(names, values, words, strict=True)]  # fmt: skip
    outline = {"color": [INK if code in chosen else "white" for code in data["place_code"]],
               "width": [CHOSEN_WIDTH if code in chosen else 1.5 for code in data["place_code"]]}  # fmt: skip
    base = {"type": "choropleth", "geojson": shapes.geojson, "featureidkey": "id", "showscale": False,
            "hovertemplate": "%{hovertext}<extra></extra>"}  # fmt: skip
    traces, fills = [], {}
    if colour_by == "value":
        known = data["value"].notna()
        low, high = (data.loc[known, "value"].min(), data.loc[known, "value"].max()) if known.any() else (0, 1)
        traces.append({**base, **_rows(data, known, hover, outline), "z": data.loc[known, "value"],
                       "colorscale": VALUE_SCALE, "reversescale": True, "zmin": low,
                       "zmax": high if high > low else low + 1, "showscale": True,
                       "colorbar": {"title": {"text": html_text(unit)}, "thickness": 16}})  # fmt: skip
        for i, value in enumerate(data["value"]):
            share = 0 if pd.isna(value) or high <= low else (value - low) / (high - low)
            fills[i] = "dark" if share > 0.55 else "light"
        if (~known).any():
            traces.append({**base, **_rows(data, ~known, hover, outline), "z": [0] * int((~known).sum()),
                           "colorscale": [[0, STATUS_COLOURS["no_data"]], [1, STATUS_COLOURS["no_data"]]],
                           "name": "无数据", "showlegend": True})  # fmt: skip
            fills |= {i: "dark" for i in data.index[~known]}
    else:
        for status in [s for s in STATUS_ORDER if s in set(data["status"])] + sorted(
            set(data["status"]) - set(STATUS_ORDER)
        ):
            rows = data["status"] == status
            colour = STATUS_COLOURS.get(status, STATUS_COLOURS["no_data"])
            traces.append({**base, **_rows(data, rows, hover, outline), "z": [1] * int(rows.sum()),
                           "colorscale": [[0, colour], [1, colour]], "name": words[int(rows.idxmax())],
                           "showlegend": True, "legendgroup": status})  # fmt: skip
            fills |= {i: "light" if colour in DARK_TEXT_FILLS else "dark" for i in data.index[rows]}
    # The labels go first: plotly.js fetches its world topojson from a CDN for a geo subplot whose first trace has a
    # locationmode (every choropleth has one), and no CDN is reachable here; a scattergeo of lon/lat has none.
    traces.insert(0, _labels(data, shapes, names, values, fills, shown=len(data) <= MAX_LABELS))
    layout = {
        "title": titled(title, note), "height": MAP_HEIGHT, "showlegend": colour_by == "status" or len(traces) > 2,
        "margin": {"l": 10, "r": 10, "b": 10, "t": 130 if note else 110},
        "geo": {"visible": False, "fitbounds": "locations", "projection": {"type": "mercator"}, "bgcolor": "white"},
        "dragmode": False,
    }  # fmt: skip
    return _figure(traces, layout)


def _rows(data: pd.DataFrame, rows: pd.Series, hover: list[str], outline: dict) -> dict:
    """A choropleth's per-place arrays for some of the places: where, what a click reads, hover text, outline."""
    index = data.index[rows]
    return {
        "locations": data.loc[rows, "place_code"].tolist(),
        "customdata": [[data.at[i, "place_name"], data.at[i, "place_code"]] for i in index],
        "hovertext": [hover[i] for i in index],
        "marker": {"line": {"color": [outline["color"][i] for i in index],
                            "width": [outline["width"][i] for i in index]}},
    }  # fmt: skip


def _labels(data: pd.DataFrame, shapes: maps.Shapes, names: pd.Series, values: list[str], fills: dict, shown: bool
            ) -> dict:  # fmt: skip
    """Each place's name and value where its label point is, white on a dark fill, ink on a light one; not hoverable,
    so that a click on a name reaches the place under it."""
    x0, y0, x1, y1 = shapes.bounds
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    # Names stand a little towards the middle: the view fits the shapes, and a name at the edge would be cut off.
    points = [
        (x + (mx - x) * TOWARDS_MIDDLE, y + (my - y) * TOWARDS_MIDDLE)
        for x, y in (shapes.label_points[code] for code in data["place_code"])
    ]
    text = [f"{name}<br>{value}" if shown else "" for name, value in zip(names, values, strict=True)]
    colours = ["white" if fills.get(i) == "dark" else INK for i in data.index]
    return {
        "type": "scattergeo", "mode": "text", "lon": [p[0] for p in points], "lat": [p[1] for p in points],
        "text": text, "textfont": {"size": SMALL_FONT_SIZE, "color": colours},
        "hoverinfo": "skip", "showlegend": False,
    }  # fmt: skip


def map_title(frame: maps.MapFrame) -> str:
    return f"各{PLACE_NOUN[frame.level]}{frame.label}"


def map_figure(
    as_of: date, places: Places, data: Path | None = None, metric_key: str | None = None,
    colour_by: str = "status", chosen: tuple[str, ...] = (),
) -> go.Figure | None:  # fmt: skip
    """The map of a view (places: its scope, e.g. Filters.scope_places) for a slide or a document; None when no
    target is judged by place, or no place has the month."""
    found = maps.place_map(as_of, places, metric_key, data)
    if found is None:
        return None
    frame, shapes = found
    return _build(frame, shapes, colour_by, chosen)


def _build(frame: maps.MapFrame, shapes: maps.Shapes, colour_by: str, chosen: tuple[str, ...]) -> go.Figure:
    note = shapes.note or ("每个方块代表一个" + PLACE_NOUN[frame.level] if shapes.kind == "tiles" else None)
    return township_map(
        frame.frame, shapes, map_title(frame), colour_by=colour_by, unit=frame.spec.unit,
        decimals=frame.spec.decimals, noun=PLACE_NOUN[frame.level], chosen=chosen, note=note,
    )  # fmt: skip


def draw_map(
    filters: Filters, key: str = "place_map", default: str | None = None, card: TownshipScorecard | None = None
) -> None:
    """The map on a page: a box choosing the target (default: that metric key, where it is judged by place) and how
    to colour, the map, a click filtering to the place (a township, or above the county a county: the same callbacks
    as the bars). card: metrics.place_scorecard(filters.as_of, filters.scope_places, filters.data), when the page has
    read it already (beside its other reads, parallel.together)."""
    card = card or metrics.place_scorecard(filters.as_of, filters.scope_places, filters.data)
    targets = maps.map_targets(card)
    if not targets or card.frame.empty:
        st.info("本期没有可按地区比较的目标或数据，地图不显示。")
        return
    choice, colouring = st.columns([3, 1], vertical_alignment="bottom")  # stacked below 1280 pixels (theme.PAGE_CSS)
    with choice:
        options = list(targets)
        metric = st.selectbox("地图显示的目标", options=options, format_func=targets.get, key=f"{key}_metric",
                              index=options.index(default) if default in targets else 0)  # fmt: skip
    with colouring:
        colour_by = st.segmented_control("着色", options=list(COLOUR_BY), format_func=COLOUR_BY.get,
                                         default="status", key=f"{key}_colour")  # fmt: skip
    metric = metric or next(iter(targets))
    frame = maps.map_frame(card, metric)
    shapes = maps.shapes_for(frame.frame["place_code"].tolist(), frame.level, filters.scope_places, filters.data)
    # The same figure whichever township is picked: a changed figure makes plotly rebuild the whole map, a quarter
    # of a second on a slow phone (bench --browser --phone); the pick is outlined by a style rule instead. So it is
    # built once per snapshot, scope, target and colouring, and shared by every page that draws it.
    colour_by = colour_by or "status"
    figure = snapshot_figure(f"map:{metric}:{colour_by}", filters, lambda: _page_figure(frame, shapes, colour_by))
    if frame.level == "township":
        on_select = lambda: filtering.township_from_chart(key)  # noqa: E731
    else:
        names = dict(zip(frame.frame["place_name"], frame.frame["place_code"], strict=True))
        on_select = lambda: filtering.division_from_chart(key, names)  # noqa: E731
    config = {**CHART_CONFIG, "scrollZoom": False}  # the page scrolls past the map, never zooms it
    st.plotly_chart(figure, width="stretch", theme=None, config=config, key=key, on_select=on_select,
                    selection_mode="points")  # fmt: skip
    st.html(outline_style(figure, key, filters.township_codes))  # styles only: out of the page's flow
    if shapes.note:
        st.caption(markdown_text(shapes.note))


def _page_figure(frame: maps.MapFrame, shapes: maps.Shapes, colour_by: str) -> go.Figure:
    figure = _build(frame, shapes, colour_by, ())
    # A status hidden from the legend would take its paths out and shift the positions outline_style names.
    figure.update_layout(legend={"itemclick": False, "itemdoubleclick": False})
    return for_screen(figure)


def outline_style(figure: go.Figure, key: str, chosen: tuple[str, ...]) -> str:
    """The style of the page's map (keyed `key`): the chosen places outlined, as township_map's outline does on a
    slide. plotly draws a choropleth trace as one group of paths, in the trace's order of locations, and the groups in
    the order of the traces; the rule names each chosen path by those two positions.

    A click on a place also selects it in plotly, which dims every other place and name until the next click (the
    figure no longer changes to reset it): the filter is shown by the outline alone, so nothing is dimmed."""
    scope = f".st-key-{key}"
    undimmed = (f"{scope} path.choroplethlocation, {scope} .scatterlayer text "
                "{ opacity: 1 !important; fill-opacity: 1 !important; }")  # fmt: skip
    paths = [
        f"{scope} .choroplethlayer > g.trace:nth-of-type({group}) > path.choroplethlocation:nth-of-type({n})"
        for group, trace in enumerate((t for t in figure.data if t.type == "choropleth"), start=1)
        for n, code in enumerate(trace.locations, start=1)
        if code in chosen
    ]
    outlined = f"{', '.join(paths)} {{ stroke: {INK} !important; stroke-width: {CHOSEN_WIDTH}px !important; }}"
    # Sent when nothing is picked too: it replaces the last pick's rule.
    return f"<style>{undimmed} {outlined if paths else ''}</style>"
