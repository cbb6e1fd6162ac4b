"""激励与培训: talent cards and awards, certificates by level, exam tutoring, supervision and training."""

import streamlit as st

from socialwork.figures import measures, metrics
from socialwork.figures.measures import AWARD_WAN_PER_PERSON
from socialwork.figures.parallel import together
from socialwork.present.meeting.group_charts import incentives_chart_title
from socialwork.present.screen import breakdown, cards, charts, filtering
from socialwork.present.tables.topics import (
    activity_kind_table,
    incentives_table,
    sessions_by_month,
    township_activity_table,
)
from socialwork.present.words.formatting import incentive_series, names_text
from socialwork.present.words.plaintext import markdown_text

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("激励与培训", filters)
as_of, places, data = filters.as_of, filters.places, filters.data
report, incentives, levels, kinds, by_month, townships = together(  # at once (socialwork/figures/parallel.py)
    lambda: metrics.kpi_report(as_of, places, data),
    lambda: measures.incentives_by_year(as_of, places, data),
    lambda: measures.certified_by_level(as_of, places, data),
    lambda: measures.activities_by_kind_and_mode(as_of, places, data),
    lambda: measures.activities_by_month(as_of, places, data),
    lambda: None if breakdown.by_county(filters) else measures.supervision_training_by_township(as_of, places, data),
)
cards.kpi_cards(metrics.kpis_in_groups(report, "incentives", "training"), detailed=False)

st.header("激励措施")
left, right = st.columns(2)
series = incentive_series(filters.county.talent_card)
cards.chart(
    charts.grouped_bars(incentives.astype({"year": str}), "year", series, incentives_chart_title(filters.county),
                        "张 / 人"),
    left,
)  # fmt: skip
if levels.empty:  # a county's view of a month it has not reported
    right.info(f"{markdown_text(filters.scope)}本期无数据。")
else:
    wide = levels.pivot(index="snapshot_date", columns="certificate_level_label", values="people").reset_index()
    series = {label: label for label in levels["certificate_level_label"].unique()}
    by_level = charts.line_chart(wide, "snapshot_date", series, "持证社工（按证书等级）", "人",
                                 damaged=filters.damaged_months)  # fmt: skip
    cards.chart(by_level, right)
yearly = incentives_table(incentives)
cards.table(yearly)
st.caption(f"奖励金额 = 奖励人数 × {AWARD_WAN_PER_PERSON:g}万元（方案规定的一次性奖励标准）；统计在册人员。")

st.header("考前辅导、督导与培训（本年）")
by_kind = activity_kind_table(kinds)
monthly, kinds_series = sessions_by_month(by_month)
left, right = st.columns([2, 3])
with left:
    cards.table(by_kind, phone=["活动类型", "形式", "场次"])
cards.chart(charts.grouped_bars(monthly, "month", kinds_series, "每月活动场次", "场次", stacked=True), right)
if townships is None:  # a city: by county, a bar a county (click to see its townships)
    breakdown.county_section("training", filters)
    cards.download_sheets({"激励": yearly, "活动类型": by_kind}, "激励与培训", filters, "激励与培训", key="incentives")
else:
    none = townships[townships["supervision_sessions"] + townships["training_sessions"] == 0]["township_name"]
    if len(none):
        st.warning(f"本年尚未开展督导或培训的乡镇（街道）：{markdown_text(names_text(none, noun='乡镇（街道）'))}")
    by_township = township_activity_table(townships)
    cards.table(by_township)
    cards.download_sheets({"激励": yearly, "活动类型": by_kind, "各乡镇督导培训": by_township}, "激励与培训", filters,
                       "激励与培训", key="incentives")  # fmt: skip
