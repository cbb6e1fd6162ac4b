"""目标进度: every target of the plan year, its pace, the township comparison and the plan's milestones."""

import streamlit as st

from socialwork.figures import metrics
from socialwork.figures.parallel import together
from socialwork.present import cards, charts, filtering
from socialwork.present.formatting import PROJECTION_METHOD_NOTE, scorecard_export_frame, scorecard_goal_text

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("目标进度", filters)

report, card, steps = together(  # every read at once (socialwork/figures/parallel.py)
    lambda: metrics.kpi_report(filters.as_of, filters.codes_or_none, filters.data),
    lambda: metrics.township_scorecard(filters.as_of, filters.codes_or_none, filters.data),
    lambda: metrics.milestones(filters.as_of, filters.data),
)
cards.report_summary(report)
if filters.township_codes:
    st.caption("已筛选乡镇：全县总量目标（持证社工年度增量、机构数量、政府购买等）显示所选乡镇的贡献，不单独比较目标；"
               "比例类目标（每个城市社区持证社工、覆盖率、持证比例）在乡镇层面同样适用。")  # fmt: skip

for group, kpis in metrics.kpis_by_group(report).items():
    st.subheader(group)
    cards.kpi_cards(kpis)
st.caption(PROJECTION_METHOD_NOTE)

st.header("各乡镇（街道）可比目标")
st.caption(f"未达标项多者在前（下载 Excel 可按任一列排序）。目标：{scorecard_goal_text(card) or '本年度无比例类目标'}")
cards.scorecard_table(card)
cards.download_buttons(scorecard_export_frame(card), "乡镇目标对比", filters, "各乡镇（街道）可比目标", key="scorecard")

st.header("实施步骤与工作举措")
cards.chart(charts.milestone_timeline(steps, filters.as_of, "方案实施进度（截至数据日期）"))
cards.milestone_table(steps)
