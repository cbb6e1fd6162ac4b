"""Presentation mode for review meetings: one slide at a time, large, ← → keys, `?view=N` links, and the
export panel for the deck, report, workbook and summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from socialwork.present.cards import table_height
from socialwork.present.plaintext import markdown_text

if TYPE_CHECKING:
    from socialwork.present.filtering import Filters
    from socialwork.present.meeting import Outline, Slide


PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] {display: none;}
[data-testid="stMainBlockContainer"] {padding-top: 1.5rem; max-width: 100%;}
[data-testid="stMain"] h1 {font-size: 3.2rem;}
[data-testid="stMain"] p, [data-testid="stMain"] li {font-size: 1.7rem;}
[data-testid="stDataFrame"] * {font-size: 1.15rem;}
</style>
"""


def presentation_view(plan: Outline, slide: Slide, index: int) -> None:
    """One slide of the meeting's outline, large, with previous/next controls (← → keys) and the stamp."""
    st.html(PRESENTATION_CSS)
    stamp = markdown_text(f"{plan.county.county_name} · {plan.stamp}")
    st.markdown(f"**{stamp}**　·　{index + 1} / {len(plan.keys)}")
    st.title(markdown_text(slide.title))
    st.markdown(f"### {markdown_text(slide.caption)}")
    if slide.figure is not None:
        figure = slide.figure.update_layout(font_size=22, height=620, title_text="", legend_font_size=20)
        figure.update_xaxes(tickfont_size=20, title_font_size=20).update_yaxes(tickfont_size=20, title_font_size=20)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
    elif slide.table is not None:
        st.dataframe(slide.table, hide_index=True, width="stretch", height=table_height(len(slide.table)))
    with st.container(horizontal=True):
        st.button("上一页", icon=":material/arrow_back:", shortcut="ArrowLeft", disabled=index == 0,
                  on_click=set_view, args=(index - 1,))  # fmt: skip
        st.button("下一页", icon=":material/arrow_forward:", shortcut="ArrowRight",
                  disabled=index == len(plan.keys) - 1, on_click=set_view, args=(index + 1,))  # fmt: skip
        st.button("退出演示", icon=":material/close:", shortcut="Escape", on_click=set_view, args=(None,))


VIEW_PARAM = "view"


def set_view(index: int | None) -> None:
    if index is None:
        st.query_params.pop(VIEW_PARAM, None)
    else:
        st.query_params[VIEW_PARAM] = str(index + 1)


def presentation_index(slide_count: int) -> int | None:
    """The slide the URL asks for (?view=1 is the first), None outside presentation mode."""
    raw = st.query_params.get(VIEW_PARAM)
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= slide_count:
        shown = markdown_text(raw)  # a hand-edited link: shown as plain text
        st.error(f"链接参数 {VIEW_PARAM}={shown} 无效：应为 1 至 {slide_count} 之间的页码，已从第 1 页开始。")
        return 0
    return int(raw) - 1


def export_panel(filters: Filters) -> None:
    """A button per meeting document; each is generated on demand, with progress, then offered for download."""
    from socialwork.present.documents import EXPORT_KINDS, export_bytes
    from socialwork.present.rendering import RenderError

    columns = st.columns(len(EXPORT_KINDS))
    for column, (kind, (label, mime)) in zip(columns, EXPORT_KINDS.items(), strict=True):
        key = ("export", kind, filters.as_of, filters.township_codes)
        with column:
            if st.button(f"生成{label}", key=f"make_{kind}", icon=":material/description:"):
                with st.status(f"正在生成{label}…", expanded=False) as status:
                    try:
                        st.session_state[key] = export_bytes(
                            kind, filters.as_of, filters.codes_or_none, list(filters.township_names), filters.data
                        )
                        status.update(label=f"{label}已生成", state="complete")
                    except RenderError as err:
                        status.update(label="生成失败", state="error")
                        st.error(markdown_text(err))
            if key in st.session_state:
                st.download_button(
                    f"下载{label}", st.session_state[key], mime=mime, key=f"download_{kind}", on_click="ignore",
                    file_name=filters.file_name("社工人才专项工作", kind),
                    icon=":material/download:", type="primary",
                )  # fmt: skip
