"""社工站与机构: township stations (operation, stars, brand projects) and social-work organisations."""

import streamlit as st

from socialwork.figures import measures, metrics
from socialwork.figures.parallel import together
from socialwork.present.screen import breakdown, cards, charts, filtering
from socialwork.present.tables.topics import organisations_table, star_frame, stations_table
from socialwork.present.words.formatting import station_summary_items
from socialwork.present.words.plaintext import markdown_text

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("社工站与机构", filters)
as_of, places, data = filters.as_of, filters.places, filters.data
report, summary, by_stars, by_township, trend, organisations = together(  # at once (socialwork/figures/parallel.py)
    lambda: metrics.kpi_report(as_of, places, data),
    lambda: measures.station_summary(as_of, places, data),
    lambda: measures.stations_by_star_rating(as_of, places, data),
    lambda: None if breakdown.by_county(filters) else measures.stations_by_township(as_of, places, data),
    lambda: metrics.figures_by_snapshot(metrics.first_date(data), as_of, places, data),
    lambda: measures.organisations(as_of, places, data),
)
cards.kpi_cards(metrics.kpis_in_groups(report, "stations"), detailed=False)

st.header("社工站" if by_township is None else "乡镇（街道）社工站")
cards.summary_metrics(station_summary_items(summary))
stars = star_frame(by_stars)
cards.chart(charts.bar_chart(stars, "星级", "社工站", "运营社工站的星级分布", "社工站（个）"))
if by_township is None:  # a city: by county, a bar a county (click to see its townships)
    breakdown.county_section("stations", filters)
else:
    stations = stations_table(by_township)
    cards.table(stations, phone=["乡镇（街道）", "社工站", "星级"])
    cards.download_buttons(stations, "乡镇社工站", filters, "乡镇（街道）社工站", key="stations")

st.header("社会工作服务机构")
left, right = st.columns(2)
cards.chart(
    charts.line_chart(trend.reset_index(), "snapshot_date", {"active_organisations": "正常运营的机构"}, "社工机构数量",
                      "机构（家）", goal=metrics.kpi_goal(report, "active_organisations"),
                      damaged=filters.damaged_months),
    left,
)  # fmt: skip
active = organisations[organisations["status"] == "active"]
if active["county_name"].nunique() > 1:  # a city: names repeat across counties, so each bar names its county
    active = active.assign(organisation_name=active["county_name"] + "·" + active["organisation_name"])
if active.empty:
    right.info(f"{markdown_text(filters.scope)}没有正常运营的社工机构（县级登记的机构在乡镇筛选下不显示）。")
else:
    lowest = charts.top_n(active, ["professional_share"], ascending=True)  # the query's order breaks ties
    cards.chart(
        charts.bar_chart(lowest.frame, "organisation_name", "professional_share", "各机构持证或社工学历人员占比", "%",
                         goal=metrics.kpi_goal(report, "org_professional_staff_share"), horizontal=True,
                         text_format="{:.1f}%", note=lowest.note("占比最低", "机构", "家")),
        right,
    )  # fmt: skip
orgs = organisations_table(organisations, breakdown.by_county(filters))
cards.table(orgs, phone=["机构", "专业人员占比（%）", "状态"])
cards.download_buttons(orgs, "社工机构", filters, "社会工作服务机构", key="organisations")
