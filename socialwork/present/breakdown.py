"""A page's figures by the level below a city (figures.hierarchy.level_below): one bar per reporting county, a click
drilling into that county, and a table of every county of the scope, reporting or not (place_tables.BREAKDOWNS).
A county or a township view keeps the page's own township chart and table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialwork.figures import hierarchy
from socialwork.figures.metrics import levels
from socialwork.present import cards, charts, filtering
from socialwork.present.place_tables import BREAKDOWNS, PLACE_NOUN, county_table

if TYPE_CHECKING:
    from socialwork.present.filtering import Filters

NOUN = PLACE_NOUN["county"]


def by_county(filters: Filters) -> bool:
    """Whether the view breaks down by county (a city, a province, the whole of a store of many counties)."""
    return not filters.township_codes and hierarchy.level_below(filters.codes_or_none, filters.data) == "county"


def county_section(page: str, filters: Filters) -> None:
    """The page's counties: a clickable bar chart of its main figure and the table of every county (XLSX/CSV)."""
    breakdown = BREAKDOWNS[page]
    figures = levels.county_figures(filters.as_of, filters.scope_code, filters.data)
    table = county_table(figures, breakdown)
    value = breakdown.columns[breakdown.chart]
    top = charts.top_n(table[figures["has_snapshot"].to_numpy()], [value], label=NOUN,
                       others=f"其他 {{count:,}} 个{NOUN}", summed=[value])  # fmt: skip
    key = f"{page}_county_chart"
    codes = dict(zip(figures["county_name"], figures["county_code"], strict=True))
    cards.chart(
        charts.bar_chart(top.frame, NOUN, value, breakdown.title, breakdown.unit, horizontal=True,
                         text_format=breakdown.text_format, note=top.note("最多", NOUN)),
        key=key, selection_mode="points", on_select=lambda: filtering.county_from_chart(key, codes),
    )  # fmt: skip
    cards.table(table, phone=[NOUN, "报送情况", value])
    cards.download_buttons(table, f"各县{breakdown.title.removeprefix('各县（市、区）')}", filters, breakdown.title,
                           key=f"{page}_counties")  # fmt: skip
