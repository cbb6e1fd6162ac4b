"""目标进度: every target of the plan year, its pace, the township comparison and the plan's milestones."""

import streamlit as st

from socialwork.figures import metrics
from socialwork.figures.parallel import together
from socialwork.present.meeting import followups_page
from socialwork.present.screen import cards, charts, filtering, snapshot_figures
from socialwork.present.screen.breakdown import by_county
from socialwork.present.screen.fitting import for_screen
from socialwork.present.tables import followups as followup_tables
from socialwork.present.tables.places import (
    scorecard_export_frame,
    scorecard_goal_text,
    scorecard_order_text,
    scorecard_title,
)
from socialwork.present.words.formatting import PROJECTION_METHOD_NOTE

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("目标进度", filters)

report, card, steps, followups = together(  # every read at once (socialwork/figures/parallel.py)
    lambda: metrics.kpi_report(filters.as_of, filters.places, filters.data),
    lambda: metrics.place_scorecard(filters.as_of, filters.places, filters.data),  # counties above the county
    lambda: (metrics.milestone_counts if by_county(filters) else metrics.milestones)(  # every county's: counted
        filters.as_of, filters.data, filters.places
    ),
    lambda: followup_tables.load(filters.as_of, filters.places, filters.data),
)
cards.report_summary(report)
if filters.township_codes:
    st.caption("已筛选乡镇：全县总量目标（持证社工年度增量、机构数量、政府购买等）显示所选乡镇的贡献，不单独比较目标；"
               "比例类目标（每个城市社区持证社工、覆盖率、持证比例）在乡镇层面同样适用。")  # fmt: skip

if followups.unreadable:  # the targets stand without them
    st.caption(followup_tables.UNREADABLE_TEXT)
elif followups.items:  # the meetings' follow-up items sit below their target's card
    st.caption(f"会议督办事项：{followup_tables.counts_text(followups.items, filters.as_of)}（见各目标下方）")
for group, kpis in metrics.kpis_by_group(report).items():
    st.subheader(group)
    followups_page.kpi_cards_with_followups(kpis, followups)
st.caption(PROJECTION_METHOD_NOTE)

st.header(scorecard_title(card))
goals = scorecard_goal_text(card) or "本年度无比例类目标"
st.caption(f"{scorecard_order_text(card)}（下载 Excel 可按任一列排序）。目标：{goals}")
cards.scorecard_table(card)
cards.download_buttons(  # the files are made when a button is clicked, not on every rerun
    lambda: scorecard_export_frame(card),
    "县目标排名" if card.level == "county" else "乡镇目标对比",
    filters,
    scorecard_title(card),
    key="scorecard",
)

st.header("实施步骤与工作举措")
if by_county(filters):  # each county's plan has its own steps: how many counties stand where on each
    st.caption(
        f"{filters.scope}各县方案的实施步骤和工作举措：每项有多少个县按期完成、逾期、进行中；选择县可查看其方案的时间线。"
    )
    cards.milestone_counts_table(steps)
else:
    timeline = snapshot_figures.snapshot_figure(  # the county's plan: one figure per snapshot, for every township
        "milestone_timeline",
        filters,
        lambda: for_screen(charts.milestone_timeline(steps, filters.as_of, "方案实施进度（截至数据日期）")),
    )
    cards.chart(timeline, key="sw_timeline")  # a phone shows every other year (theme.PAGE_CSS)
    cards.milestone_table(steps)
