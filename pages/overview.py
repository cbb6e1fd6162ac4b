"""总览: the plan's key figures for the chosen snapshot and townships."""

import streamlit as st

from socialwork.figures import metrics
from socialwork.present import cards, charts, filtering
from socialwork.present.formatting import kpi_frame

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header(f"{filters.county.title} · 总览", filters)

report = metrics.kpi_report(filters.as_of, filters.codes_or_none, filters.data)
cards.report_summary(report)

cards.kpi_cards([k for k in report.kpis if k.metric_key in metrics.HEADLINE_METRICS], detailed=False)

st.subheader(f"{report.plan_year}年度全部目标")
cards.table(kpi_frame(report), phone=["指标", "当前值", "状态"], statuses={"状态": [k.status for k in report.kpis]})

trend = metrics.figures_by_snapshot(
    metrics.first_date(filters.data), filters.as_of, filters.codes_or_none, filters.data
)
cards.chart(charts.certified_trend(trend, f"持证社会工作者人数（{filters.scope}）"))
