"""会议演示: presentation mode for review meetings (one view at a time, large type) and the meeting exports."""

import streamlit as st

from socialwork.present.meeting import presentation
from socialwork.present.meeting.slides import outline, slide
from socialwork.present.screen import cards, filtering
from socialwork.present.words.plaintext import markdown_text

filtering.ensure_entrypoint()
filters = filtering.current_filters()
plan = outline(filters.as_of, filters.places, list(filters.township_names), filters.data)
index = presentation.presentation_index(len(plan.pages))
if index is not None:  # only the slide on screen is built
    presentation.presentation_view(plan, slide(plan, index), index)
    st.stop()

cards.page_header("会议演示与导出", filters)
st.markdown(f"共 {len(plan.titles)} 页：" + markdown_text("、".join(plan.titles)))
st.button("开始演示（← → 翻页，Esc 退出）", type="primary", icon=":material/slideshow:",
          on_click=presentation.set_view, args=(0,))  # fmt: skip
st.caption(
    "演示模式隐藏侧栏，每页按屏幕大小排版、无需滚动，较长的表格续排到下一页；复制演示页的链接即可直接打开同一页。"
)
st.header("导出会议材料")
st.caption("材料按当前数据日期和乡镇筛选生成，完全离线；图表中的中文使用系统中文字体。")
presentation.export_panel(filters)
