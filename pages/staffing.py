"""社区社工配备: certified social workers per community, the 2-per-urban-community rule, gaps and coverage."""

import streamlit as st

from socialwork.figures import metrics, staffing
from socialwork.figures.parallel import together
from socialwork.figures.staffing import MIN_CERTIFIED as GOAL
from socialwork.present.screen import breakdown, cards, charts, filtering, maps
from socialwork.present.tables.topics import community_table, shortfall_table, township_staffing_table, uncovered_table
from socialwork.present.words.formatting import names_text, staffing_summary_items
from socialwork.present.words.plaintext import markdown_text

filtering.ensure_entrypoint()
filters = filtering.current_filters()
as_of, places, data, cap = filters.as_of, filters.places, filters.data, cards.TABLE_MAX_ROWS
counties = breakdown.by_county(filters)  # a city's lists name each row's county, even while one county reports
cards.page_header("社区社工配备", filters)
filtering.breadcrumb(filters)
# Every read of the page at once (socialwork/figures/parallel.py); the township chart's only with no township chosen.
report, summary, communities, by_township, distribution, trend, unserved_list, by_place = together(
    lambda: metrics.kpi_report(as_of, places, data),
    lambda: staffing.staffing_summary(as_of, places, data),
    lambda: staffing.community_staffing(as_of, places, data, max_rows=cap),
    lambda: None if filters.township_codes else staffing.staffing_by_place(as_of, places, data),
    lambda: staffing.certified_distribution(as_of, places, data),
    lambda: staffing.share_meeting_minimum_trend(as_of, places, data),
    lambda: staffing.uncovered_list(as_of, places, data, max_rows=cap),
    lambda: metrics.place_scorecard(as_of, filters.scope_places, data),  # the map's
)
shortfalls = staffing.shortfalls_among(communities, cap)  # the neediest communities come first in both lists
# Goal lines come from the year's targets; the plan's 2-per-community rule stands in without one.
average_goal = metrics.kpi_goal(report, "certified_per_urban_community") or GOAL
share_goal = metrics.kpi_goal(report, "urban_communities_2plus_share") or 100

# Counts and sums come from the summary, over every community; the lists below may be capped.
cards.summary_metrics(staffing_summary_items(summary, average_goal))

if summary["urban_communities"] == 0:
    st.info(
        f"{markdown_text(filters.scope)}没有城市社区，“每个城市社区{GOAL}名以上持证社工”的目标不适用；下方仍列出村（社区）的社工覆盖情况。"
    )
elif not filters.township_codes and breakdown.level(filters) != "township":  # by province, city or county
    breakdown.staffing_chart(by_township, average_goal, breakdown.level(filters))
elif not filters.township_codes:
    cards.chart(
        charts.township_staffing_bars(by_township, average_goal, "各乡镇（街道）城市社区平均持证社工"),
        key="staffing_township_chart", on_select=lambda: filtering.township_from_chart("staffing_township_chart"),
        selection_mode="points",
    )  # fmt: skip
    without = by_township[by_township["urban_communities"] == 0]["township_name"]
    if len(without):
        st.caption(f"没有城市社区的乡镇（街道）：{markdown_text(names_text(without))}")
    if len(by_township) > charts.MAX_BARS:  # the chart shows some townships: all of them in a table
        with st.expander(f"全部 {len(by_township):,} 个乡镇（街道）的城市社区配备（与目标差距大者在前）"):
            every = township_staffing_table(by_township)
            cards.table(every, max_rows=15, phone=["乡镇（街道）", "平均持证（人）", "持证缺口（人）"])
            cards.download_buttons(every, "乡镇城市社区配备", filters, "各乡镇（街道）城市社区配备", key="townships")
else:
    cards.chart(
        charts.community_staffing_bars(communities, average_goal, f"{filters.scope}各城市社区持证社工",
                                       urban_total=int(summary["urban_communities"])),
    )  # fmt: skip

maps.draw_map(filters, key="staffing_map", default="certified_per_urban_community", card=by_place)

if summary["urban_communities"] > 0:
    left, right = st.columns(2)
    cards.chart(charts.certified_distribution_bars(distribution, GOAL, "城市社区持证社工人数分布"), left)
    title = f"持证社工≥{GOAL}名的城市社区占比"
    cards.chart(charts.share_trend(trend, share_goal, title, filters.damaged_months), right)

st.header("缺口清单")
below, unserved = int(summary["urban_communities_below_minimum"]), int(summary["communities_without_social_worker"])
gaps, uncovered = shortfall_table(shortfalls, counties), uncovered_table(unserved_list, counties)
left, right = st.columns(2)
with left:
    st.markdown(f"#### 持证社工不足{GOAL}名的城市社区（缺口 {int(summary['total_shortfall']):,} 人）")
    cards.capped_table(gaps, below, "城市社区", "缺口最大的", max_rows=12,
                       phone=["城市社区", "持证社工（人）", "缺口（人）"])  # fmt: skip
with right:
    st.markdown(f"#### 无社工服务的村（社区）（{unserved:,} 个）")
    cards.capped_table(uncovered, unserved, "村（社区）", "按乡镇（街道）顺序的前", max_rows=12,
                       phone=["乡镇（街道）", "村（社区）", "类型"])  # fmt: skip
cards.download_sheets(
    {"城市社区缺口": lambda: shortfall_table(staffing.shortfall_list(as_of, places, data), counties),
     "无社工村社区": lambda: uncovered_table(staffing.uncovered_list(as_of, places, data), counties)},
    "社区社工缺口清单", filters, "社区社工缺口清单", key="gaps",
)  # fmt: skip

st.header("各村（社区）社工配备")
listed, meets = community_table(communities, counties), "达到2名（城市社区）"
cards.capped_table(listed, int(summary["communities"]), "村（社区）", "最需关注的",
                   "城市社区缺口大者、无社工服务者在前", max_rows=15, phone=["村（社区）", "持证社工（人）", meets],
                   statuses={meets: cards.yes_no_statuses(listed[meets])})  # fmt: skip
cards.download_buttons(lambda: community_table(staffing.community_staffing(as_of, places, data), counties),
                       "村社区社工配备", filters, "各村（社区）社工配备", key="communities")  # fmt: skip
