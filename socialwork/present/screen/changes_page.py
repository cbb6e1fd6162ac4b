"""The 变化对比 page's parts: the earlier snapshot to compare with (`?since=` in the URL; by default the one the last
meeting reviewed, else the previous month), the headline counts and every list of changes with its download."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from socialwork.figures.changes import Changes, Since, since
from socialwork.figures.choices import available_dates
from socialwork.present.screen import cards
from socialwork.present.tables.changes import (
    changes_sheets,
    communities_table,
    meeting_sentence,
    period_text,
    posts_table,
    served_sentence,
    served_table,
    service_points_table,
    start_missing_text,
    summary_items,
    targets_table,
    township_status_table,
)
from socialwork.present.words.formatting import date_stamp
from socialwork.present.words.plaintext import markdown_text

if TYPE_CHECKING:
    from socialwork.present.screen.filtering import Filters

URL_SINCE = "since"
_SINCE_KEY = "changes_since"


def since_picker(filters: Filters) -> tuple[date, Since] | None:
    """The snapshot to compare the sidebar's with; None when there is no earlier one."""
    earlier = [d for d in available_dates(filters.data) if d < filters.as_of][::-1]
    default = since(filters.as_of, filters.data)
    if not earlier:
        st.info(f"{date_stamp(filters.as_of)} 是最早的一期数据，没有可对比的更早数据。")
        return None
    if st.session_state.get(_SINCE_KEY) not in earlier:  # first visit, or a new as-of date in the sidebar
        wanted = st.query_params.get(URL_SINCE, "")
        st.session_state[_SINCE_KEY] = next((d for d in earlier if d.isoformat() == wanted), default.from_date)
    chosen = st.selectbox(
        "对比起点（较早的一期数据）", earlier, key=_SINCE_KEY, format_func=lambda d: _since_label(d, default),
        help="终点是侧栏“数据截至”选择的一期；默认起点为上次会议审议的数据，没有会议记录时为上一期",
    )  # fmt: skip
    st.query_params[URL_SINCE] = chosen.isoformat()
    return chosen, default


def _since_label(day: date, default: Since) -> str:
    meeting = default.meeting
    if meeting is not None and day == default.from_date:
        return f"{date_stamp(day)}（上次会议：{meeting.title}）"
    return date_stamp(day) + ("（上一期）" if day == default.from_date else "")


def show(changes: Changes, filters: Filters, default: Since) -> None:
    """Headline counts, then each list with a short explanation, then the downloads."""
    st.markdown(markdown_text(f"{period_text(changes, default.meeting)} · 范围：{filters.scope}"))
    start = start_missing_text(changes)
    if start:  # the page's header says which counties lack the end's month; the start's is said here
        st.caption(markdown_text(f"对比起点：{start}。"))
    cards.summary_metrics(summary_items(changes))
    if changes.from_date.year != changes.to_date.year:
        st.caption("两期数据不在同一年度：本年增量、场次等年度指标各按其年度计算，目标也按各自年度的目标表判断。")

    st.header("各项目标")
    st.caption("“↑”为状态好转（如 滞后 → 达标），“↓”为变差；乡镇筛选下全县总量目标显示所选乡镇的贡献。")
    targets = targets_table(changes)
    cards.table(targets, max_rows=20, phone=[targets.columns[0], targets.columns[2], "变化"])  # name, now, change

    if changes.place_level == "county":
        st.header("各县（市、区）目标状态变化")
        _listed(township_status_table(changes), "各县的目标状态均无变化。", ["县（市、区）", "目标", "变化"])
    else:
        st.header("乡镇（街道）目标状态变化")
        _listed(
            township_status_table(changes), "比例类目标（各乡镇可比）的状态均无变化。", ["乡镇（街道）", "目标", "变化"]
        )

    st.header("城市社区持证社工达标变化")
    st.caption(markdown_text(meeting_sentence(changes) + "。"))
    _listed(
        communities_table(changes),
        "没有城市社区达到或跌破 2 名持证社工的标准，也没有城市社区撤并或新设。",
        ["城市社区", "变化"],
    )
    st.header("村（社区）社工服务变化")
    st.caption(markdown_text(served_sentence(changes) + "。"))
    _listed(
        served_table(changes), "没有村（社区）新有或失去社工服务，也没有村（社区）撤并或新设。", ["村（社区）", "变化"]
    )

    st.header("社工站与机构")
    _listed(
        service_points_table(changes),
        "社工站与社工机构没有启用、停用、星级或等级变化，也没有新登记或注销。",
        ["名称", "变化"],
    )

    st.header("岗位")
    posts = changes.posts_total
    st.markdown(
        f"新设岗位 **{posts['created']}** 个，新上岗 **{posts['filled']}** 个，"
        f"新空缺 **{posts['vacated']}** 个，撤销 **{posts['removed']}** 个"
    )
    _listed(posts_table(changes), "岗位没有变化。", ["设岗单位", "新设岗位", "新上岗"])
    title = f"变化对比（自{date_stamp(changes.from_date)}）"
    cards.download_sheets(changes_sheets(changes), "变化对比", filters, title, key="changes")


def _listed(table: pd.DataFrame, empty: str, phone: list[str]) -> None:
    """A list of changes, or a line saying there is none; a province's long lists show their first rows. phone: the
    columns a phone shows first (the place and what happened to it: the page a leader opens from a forwarded link)."""
    if table.empty:
        st.caption(empty)
    else:
        shown = [c for c in phone if c in table.columns]
        cards.capped_table(table.head(cards.TABLE_MAX_ROWS), len(table), "变化", "前", max_rows=12, phone=shown)
