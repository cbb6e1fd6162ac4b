"""Presentation mode for review meetings: one slide at a time, fitted to the screen it is shown on, ← → keys,
`?view=N` links, and the export panel for the deck, report, workbook and summary.

A slide fills the viewport and never scrolls: every size is a share of the screen's height (vh), capped by its
width (vw) for a narrow screen, and the chart takes whatever height the title and caption leave. A table holds at
most slides.ROWS_PER_SLIDE rows in that type; a longer one continues on the next slide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from socialwork.figures.choices import echoed
from socialwork.present.documents.exports import EXPORT_KINDS, export_bytes, export_label
from socialwork.present.documents.rendering import RenderError
from socialwork.present.screen.fitting import for_screen
from socialwork.present.staff.login import audited_download
from socialwork.present.tables.html import table_html
from socialwork.present.theme import CHART_CONFIG, SMALL_FONT_SIZE
from socialwork.present.words.plaintext import markdown_text

if TYPE_CHECKING:
    from socialwork.present.meeting.slides import Outline, Slide
    from socialwork.present.screen.filtering import Filters

SLIDE_CHART_KEY = "sw_slide_chart"
MANY_ROWS = 12
WIDE_COLUMNS = 7  # a table this wide is set in smaller type

PRESENTATION_CSS = f"""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
.st-key-sw_phone_filter {{display: none !important;}}
[data-testid="stMain"] {{overflow: hidden;}}
[data-testid="stMainBlockContainer"] {{padding: 2vh 3vw 1.5vh !important; max-width: 100%; height: 100vh;
  box-sizing: border-box;}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {{height: 100%; gap: 1.2vh;}}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > *:has(.st-key-{SLIDE_CHART_KEY}),
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > *:has(.sw-slide-table) {{
  flex: 1 1 0 !important; min-height: 0 !important;}}
.st-key-{SLIDE_CHART_KEY} {{height: 100% !important;}}
[data-testid="stMain"] h1 {{font-size: max(26px, min(5.2vh, 6vw)); padding: 0; line-height: 1.2;}}
[data-testid="stMain"] h3 {{font-size: max(18px, min(3.4vh, 4.6vw)); line-height: 1.35; padding: 0;}}
[data-testid="stMain"] p {{font-size: max(16px, min(2.4vh, 2.6vw)); margin: 0;}}
.sw-slide-table {{font-size: max(16px, min(2.7vh, 2.2vw));}}
.sw-slide-table th, .sw-slide-table td {{padding: 0.45vh 0.8vw;}}
.sw-slide-table.sw-wide {{font-size: max(16px, min(2.3vh, 1.75vw));}}
[data-testid="stMain"] button p {{font-size: max(16px, min(2vh, 3vw));}}
</style>"""


def presentation_view(plan: Outline, slide: Slide, index: int) -> None:
    """One slide of the meeting's outline, fitted to the screen, with previous/next controls (← → keys)."""
    st.html(PRESENTATION_CSS)
    stamp = markdown_text(f"{plan.county.county_name} · {plan.stamp}")
    st.markdown(f"**{stamp}**　·　{index + 1} / {len(plan.pages)}")
    st.title(markdown_text(slide.title))
    st.markdown(f"### {markdown_text(slide.caption)}")
    if slide.figure is not None:
        figure = for_screen(slide.figure).update_layout(
            font_size=22, height=None, autosize=True, title_text="", legend_font_size=20, margin_t=50
        )
        rows = max((len(t.y) for t in figure.data if getattr(t, "orientation", None) == "h" and t.y is not None),
                   default=0)  # fmt: skip
        # Many bars one under the other (every sector of the plan) keep the 16-pixel names: 20 at 20 pixels would
        # run into each other in the height a 768-pixel screen leaves.
        figure.update_xaxes(tickfont_size=20, title_font_size=20)
        figure.update_yaxes(tickfont_size=20 if rows <= MANY_ROWS else SMALL_FONT_SIZE, title_font_size=20)
        with st.container(key=SLIDE_CHART_KEY):
            st.plotly_chart(figure, width="stretch", height="stretch", theme=None, config=CHART_CONFIG)
    elif slide.table is not None:
        columns = list(slide.phone) or list(slide.table.columns)
        wide = " sw-wide" if len(slide.table.columns) >= WIDE_COLUMNS else ""  # smaller type: rows of two lines
        st.html(table_html(slide.table, statuses=slide.statuses, phone=columns, scroll_rows=None,
                           css_class="sw-slide-table" + wide))  # fmt: skip
    with st.container(horizontal=True):
        st.button("上一页", icon=":material/arrow_back:", shortcut="ArrowLeft", disabled=index == 0,
                  on_click=set_view, args=(index - 1,))  # fmt: skip
        st.button("下一页", icon=":material/arrow_forward:", shortcut="ArrowRight",
                  disabled=index == len(plan.pages) - 1, on_click=set_view, args=(index + 1,))  # fmt: skip
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
        shown = markdown_text(echoed(raw))  # a hand-edited link: shown as plain text, a long one cut
        st.error(f"链接参数 {VIEW_PARAM}={shown} 无效：应为 1 至 {slide_count} 之间的页码，已从第 1 页开始。")
        return 0
    return int(raw) - 1


def export_panel(filters: Filters) -> None:
    """A button per meeting document; each is generated on demand, with progress, then offered for download."""
    columns = st.columns(len(EXPORT_KINDS))
    for column, (kind, (_, mime)) in zip(columns, EXPORT_KINDS.items(), strict=True):
        label = export_label(kind, filters.as_of)
        key = ("export", kind, filters.as_of, filters.places)  # a city and its county differ
        with column:
            if st.button(f"生成{label}", key=f"make_{kind}", icon=":material/description:"):
                with st.status(f"正在生成{label}…", expanded=False) as status:
                    try:
                        st.session_state[key] = export_bytes(
                            kind, filters.as_of, filters.places, list(filters.township_names), filters.data
                        )
                        status.update(label=f"{label}已生成", state="complete")
                    except RenderError as err:
                        status.update(label="生成失败", state="error")
                        st.error(markdown_text(err))
            if key in st.session_state:
                made, name = st.session_state[key], filters.file_name("社工人才专项工作", kind)
                st.download_button(
                    f"下载{label}", audited_download(lambda made=made: made, name), mime=mime, key=f"download_{kind}",
                    on_click="ignore", file_name=name,
                    icon=":material/download:", type="primary",
                )  # fmt: skip
