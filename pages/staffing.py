"""社区社工配备: certified social workers per community, the 2-per-urban-community rule, gaps and coverage."""

import streamlit as st

from socialwork import charts, metrics, staffing, ui
from socialwork.contract import URBAN_COMMUNITY_MIN_CERTIFIED as GOAL
from socialwork.formatting import community_table, shortfall_table, staffing_summary_items, uncovered_table

ui.ensure_entrypoint()
filters = ui.current_filters()
ui.page_header("社区社工配备", filters)
ui.breadcrumb(filters)
# Goal lines come from the year's targets; the plan's 2-per-community rule stands in without one.
report = metrics.kpi_report(filters.as_of, filters.codes_or_none, filters.data)
average_goal = metrics.kpi_goal(report, "certified_per_urban_community") or GOAL
share_goal = metrics.kpi_goal(report, "urban_communities_2plus_share") or 100

summary = staffing.staffing_summary(filters.as_of, filters.codes_or_none, filters.data)
ui.summary_metrics(staffing_summary_items(summary))
communities = staffing.community_staffing(filters.as_of, filters.codes_or_none, filters.data)

if summary["urban_communities"] == 0:
    st.info(
        f"{filters.scope}没有城市社区，“每个城市社区{GOAL}名以上持证社工”的目标不适用；下方仍列出村（社区）的社工覆盖情况。"
    )
elif not filters.township_codes:
    by_township = staffing.staffing_by_township(filters.as_of, None, filters.data)
    st.plotly_chart(
        charts.township_staffing_bars(by_township, average_goal, "各乡镇（街道）城市社区平均持证社工"),
        key="staffing_township_chart", on_select=lambda: ui.township_from_chart("staffing_township_chart"),
        selection_mode="points", width="stretch",
    )  # fmt: skip
    without = by_township[by_township["urban_communities"] == 0]["township_name"]
    if len(without):
        st.caption(f"没有城市社区的乡镇（街道）：{'、'.join(without)}")
else:
    st.plotly_chart(
        charts.community_staffing_bars(communities, average_goal, f"{filters.scope}各城市社区持证社工"),
        width="stretch",
    )

if summary["urban_communities"] > 0:
    left, right = st.columns(2)
    distribution = staffing.certified_distribution(filters.as_of, filters.codes_or_none, filters.data)
    left.plotly_chart(
        charts.certified_distribution_bars(distribution, GOAL, "城市社区持证社工人数分布"), width="stretch"
    )
    trend = staffing.share_meeting_minimum_trend(filters.as_of, filters.codes_or_none, filters.data)
    right.plotly_chart(charts.share_trend(trend, share_goal, f"持证社工≥{GOAL}名的城市社区占比"), width="stretch")

st.header("缺口清单")
gaps, uncovered = (
    shortfall_table(staffing.shortfall_list(communities)),
    uncovered_table(staffing.uncovered_list(communities)),
)
left, right = st.columns(2)
with left:
    st.markdown(f"#### 持证社工不足{GOAL}名的城市社区（缺口 {int(summary['total_shortfall'])} 人）")
    st.dataframe(gaps, hide_index=True, width="stretch", height=ui.table_height(min(len(gaps), 12)))
with right:
    st.markdown(f"#### 无社工服务的村（社区）（{len(uncovered)} 个）")
    st.dataframe(uncovered, hide_index=True, width="stretch", height=ui.table_height(min(len(uncovered), 12)))
ui.download_sheets(
    {"城市社区缺口": gaps, "无社工村社区": uncovered}, "社区社工缺口清单", filters, "社区社工缺口清单", key="gaps"
)

st.header("各村（社区）社工配备")
table = community_table(communities)
st.dataframe(table, hide_index=True, width="stretch", height=ui.table_height(min(len(table), 15)), placeholder="—")
ui.download_buttons(table, "村社区社工配备", filters, "各村（社区）社工配备", key="communities")
