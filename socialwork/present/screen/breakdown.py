"""A page's figures by the level below a province or city (figures.hierarchy.level_below): one bar per province, city
or county with the month, a click drilling into it, and a table of every one of the scope, reporting or not
(places.BREAKDOWNS). A county or a township view keeps the page's own township chart and table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from socialwork.figures import hierarchy
from socialwork.figures.metrics import levels
from socialwork.present.screen import cards, charts, filtering
from socialwork.present.tables.places import BREAKDOWNS, PLACE_NOUN, SHORT_NOUN, division_table, labelled_names

if TYPE_CHECKING:
    from socialwork.present.screen.filtering import Filters

PARTIAL_NOTE = "标“缺N县”的{noun}只合计已报送本月数据的县"


def by_county(filters: Filters) -> bool:
    """Whether the view spans counties (a city, a province, the whole of a store of many counties): it breaks down
    by division, ranks its counties, and its lists name each row's county."""
    return not filters.township_codes and hierarchy.spans_counties(filters.places, filters.data)


def level(filters: Filters) -> str:
    """The level the view breaks down into: province, city, county or township."""
    return hierarchy.level_below(filters.places, filters.data)


def county_section(page: str, filters: Filters) -> None:
    """The page's divisions one level down: a clickable bar chart of its main figure and the table of every division
    (XLSX/CSV)."""
    below, breakdown = level(filters), BREAKDOWNS[page]
    noun = PLACE_NOUN[below]
    figures = levels.division_figures(filters.as_of, filters.scope_code, below, filters.data)
    table = division_table(figures, breakdown, below)
    value = breakdown.columns[breakdown.chart]
    names = labelled_names(figures["division_name"], figures["counties"], figures["counties_reporting"])
    bars = table.assign(**{noun: names})[(figures["counties_reporting"] > 0).to_numpy()]
    top = charts.top_n(bars, [value], label=noun, others=f"其他 {{count:,}} 个{noun}", summed=[value])
    key = f"{page}_county_chart"
    codes = dict(zip(names, figures["division_code"], strict=True))
    title = breakdown.title_at(below)
    cards.chart(
        charts.bar_chart(top.frame, noun, value, title, breakdown.unit, horizontal=True,
                         text_format=breakdown.text_format, note=chart_note(top, figures, noun)),
        key=key, selection_mode="points", on_select=lambda: filtering.division_from_chart(key, codes),
    )  # fmt: skip
    cards.table(table, phone=[noun, "报送情况", value])
    cards.download_buttons(table, breakdown.file_stem(below), filters, title, key=f"{page}_counties")


def chart_note(top: charts.TopN, figures: pd.DataFrame, noun: str) -> str | None:
    """The subtitle: what a capped chart leaves out, and that a bar marked 缺N县 is a partial sum."""
    reporting = figures["counties_reporting"]
    partial = PARTIAL_NOTE.format(noun=noun) if ((reporting > 0) & (reporting < figures["counties"])).any() else None
    notes = [note for note in (top.note("最多", noun), partial) if note]
    return "；".join(notes) or None


def staffing_chart(by_division: pd.DataFrame, goal: float, below: str) -> None:
    """The staffing page's bars one level down (staffing.staffing_by_division): average certified social workers per
    urban community of each division, a click drilling into it."""
    names = labelled_names(by_division["township_name"], by_division["counties"], by_division["counties_reporting"])
    codes = dict(zip(names, by_division["township_code"], strict=True))
    short = SHORT_NOUN[below]
    partial = by_division["counties_reporting"] < by_division["counties"]
    partial = PARTIAL_NOTE.format(noun=PLACE_NOUN[below]) if partial.any() else None
    cards.chart(
        charts.township_staffing_bars(by_division.assign(township_name=names), goal,
                                      f"各{short}城市社区平均持证社工", noun=short, note=partial),
        key="staffing_county_chart", selection_mode="points",
        on_select=lambda: filtering.division_from_chart("staffing_county_chart", codes),
    )  # fmt: skip
