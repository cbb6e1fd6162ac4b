"""总览: the leader's one screen: the five answers (behind by how much, which townships, what changed and what is
overdue, will the year be made, against last year), the headline targets, every target, and the trend."""

import streamlit as st

from socialwork.figures import metrics
from socialwork.present.screen import cards, charts, filtering, leader, maps
from socialwork.present.tables.topics import kpi_frame
from socialwork.present.words.targets import FORECAST_NOTE

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header(f"{filters.county.title} · 总览", filters)
cards.assembly_note(filters)

answers = leader.answers(filters.as_of, filters.places, filters.data)
report = answers.report
leader.draw(answers)
cards.report_summary(report)
maps.draw_map(filters, key="overview_map", default="communities_served_share")  # where: each township's status

headline = [k for k in report.kpis if k.metric_key in metrics.HEADLINE_METRICS]
cards.kpi_cards(headline, detailed=False, key="sw_grid_headline")  # three to a row: never one alone on a second

st.subheader(f"{report.plan_year}年度全部目标")
cards.table(
    kpi_frame(report).drop(columns="较上期"),  # the cards above and 目标进度 carry the change since last month
    phone=["指标", "当前值", "差距", "状态"],
    statuses={"状态": [k.status for k in report.kpis]},
    css_class="sw-wrap",
)
st.caption(FORECAST_NOTE)

trend = metrics.figures_by_snapshot(metrics.first_date(filters.data), filters.as_of, filters.places, filters.data)
cards.chart(charts.certified_trend(trend, f"持证社会工作者人数（{filters.scope}）", filters.damaged_months))
