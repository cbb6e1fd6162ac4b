"""Meetings and follow-up items on screen: beside their target on 目标进度, and the 会议督办 page's lists, item
details with progress notes and the audit trail, and the forms logged-in staff write with (viewers only read).

Every form writes through the follow-up store (data/server/followups.py). An edit is sent with the item as the
form showed it, so that a field someone else changed meanwhile is refused, not overwritten (ConflictError).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from socialwork.data.contract.enums import FOLLOWUP_STATUS
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.server.access import can, refusal
from socialwork.data.server.followups import DEMO_READ_ONLY, ConflictError, Editor, FollowupError, Item
from socialwork.data.server.followups_sql import open_followups
from socialwork.figures.choices import available_dates
from socialwork.figures.metrics import Kpi
from socialwork.present.screen import cards
from socialwork.present.tables.followups import (
    COUNTY_WIDE,
    UNREADABLE_TEXT,
    FollowupView,
    change_text,
    counts,
    counts_text,
    export_table,
    items_table,
    note_text,
    status_text,
)
from socialwork.present.words.formatting import date_stamp
from socialwork.present.words.plaintext import markdown_text

if TYPE_CHECKING:
    from socialwork.present.screen.filtering import Filters

PAGE = "pages/followups.py"
URL_ITEM = "item"
_FLASH_KEY = "followup_flash"
_ITEM_KEY = "followup_item"
STATUS_BADGE = {"not_started": "gray", "in_progress": "blue", "done": "green"}


def badge_colour(item: Item, as_of: date) -> str:
    return "red" if item.overdue(as_of) else STATUS_BADGE[item.status]


# ---------------------------------------------------------------- beside the targets (目标进度)


def kpi_cards_with_followups(kpis: list[Kpi], view: FollowupView) -> None:
    """Detailed KPI cards in a grid (as many to a row as fit at a card's readable width, two on a phone), each with
    its target's follow-up items just below it."""
    key = cards.grid_key([k.metric_key for k in kpis]).replace("sw_grid_", "sw_grid_targets_")
    with st.container(horizontal=True, key=key):
        for kpi in kpis:
            with st.container(gap="small"):
                cards.kpi_card(kpi, detailed=True)  # the pace, forecast and trend line belong on 目标进度's cards
                followups_of(view.items_for(kpi.metric_key), view)


def followups_of(items: list[Item], view: FollowupView) -> None:
    """督办事项 2 项（逾期 1 项, in red）: each item's status, lead unit, due date, progress."""
    if not items:
        return
    overdue = sum(i.overdue(view.as_of) for i in items)
    label = f"督办事项 {len(items)} 项" + (f"（:red[**逾期 {overdue} 项**]）" if overdue else "")
    # Folded even when overdue (the red words say so): an unfolded box left a hole in the card grid beside it.
    with st.expander(label, expanded=False, icon=":material/assignment_late:" if overdue else None):
        for item in items:
            st.badge(status_text(item, view.as_of), color=badge_colour(item, view.as_of))
            township = view.township(item.township_code)
            where = "" if item.township_code is None or township == item.lead_unit else f"{township} · "
            st.markdown(
                f"{markdown_text(item.task)}  \n{markdown_text(where + item.lead_unit)} · "
                f"时限 {date_stamp(item.due_date)}"
            )
            st.caption(markdown_text(f"最新进展 {note_text(view.latest_note(item))}"))
            st.page_link(PAGE, label="查看与更新", icon=":material/open_in_new:", query_params={URL_ITEM: item.item_id})


# ---------------------------------------------------------------- the 会议督办 page


def flash() -> None:
    """What the last form did, shown once after the rerun it caused."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(markdown_text(message))


def _done(message: str) -> None:
    st.session_state[_FLASH_KEY] = message
    st.rerun()


def can_write(view: FollowupView, editor: Editor | None) -> bool:
    """Forms for an editor whose role writes follow-ups (the store checks again on writing); the built-in demo says
    it is read-only instead, a role that only reads says so, and so does a server database that cannot be read."""
    if editor is not None and view.unreadable:
        st.info(f"{UNREADABLE_TEXT}，暂不能记录或修改")
    elif editor is not None and view.read_only:
        st.info(DEMO_READ_ONLY)
    elif editor is not None and not can(editor, "followup_write"):
        st.info(refusal(editor, "followup_write") + "，本页只供查看")
    return can(editor, "followup_write") and not view.read_only and not view.unreadable


def meetings_section(view: FollowupView, editor: Editor | None, filters: Filters) -> None:
    """The recorded meetings, and the form to record one."""
    if view.all_meetings:
        per_meeting = {m.meeting_id: sum(i.meeting_id == m.meeting_id for i in view.items) for m in view.all_meetings}
        table = pd.DataFrame({
            "会议日期": [m.meeting_date for m in view.all_meetings],
            "会议名称": [m.title for m in view.all_meetings],
            "审议数据": [date_stamp(m.reviewed_snapshot) for m in view.all_meetings],
            "督办事项": [per_meeting[m.meeting_id] for m in view.all_meetings],
        })  # fmt: skip
        cards.table(table, max_rows=10)
        later = [m for m in view.all_meetings if m.reviewed_snapshot > view.as_of]
        if later:
            st.caption(
                f"审议 {date_stamp(view.as_of)} 之后数据的会议（{len(later)} 次）的事项不在本页列出；"
                "请在侧栏选择更新的数据日期"
            )
    else:
        st.info("尚未记录会议。")
    if editor is not None and not view.read_only:
        with st.expander("记录一次会议", icon=":material/event_note:"):
            _meeting_form(view, editor, filters)


def _meeting_form(view: FollowupView, editor: Editor, filters: Filters) -> None:
    dates = [d for d in available_dates(filters.data)][::-1]
    with st.form("followup_meeting", clear_on_submit=True):
        held = st.date_input("会议日期", value=date.today(), format="YYYY-MM-DD")
        title = st.text_input("会议名称", placeholder="例如：2026年第三季度社会工作人才工作推进会", max_chars=60)
        reviewed = st.selectbox("审议的数据日期", dates, index=dates.index(view.as_of), format_func=date_stamp)
        submitted = st.form_submit_button("保存会议", type="primary")
    if submitted:
        try:
            meeting = open_followups(filters.data).add_meeting(held, title, reviewed, editor)
        except FollowupError as err:
            st.error(markdown_text(err))
            return
        _done(f"已记录会议：{meeting.title}（{date_stamp(meeting.meeting_date)}）")


def items_section(view: FollowupView, filters: Filters) -> None:
    """Counts by status, every item in the view, and its XLSX/CSV download."""
    n = counts(view.items, view.as_of)
    overdue = ("逾期", f"{n['overdue']}项", f"未完成且完成时限早于数据日期（{date_stamp(view.as_of)}）")
    cards.summary_metrics([
        ("督办事项", f"{len(view.items)}项", None),
        overdue,  # second, and red while any: what a leader asks first
        ("已完成", f"{n['done']}项", None),
        ("推进中", f"{n['in_progress']}项", None),
        ("未开始", f"{n['not_started']}项", None),
    ], alert={"逾期"} if n["overdue"] else set())  # fmt: skip
    if not view.items:
        st.info(f"{markdown_text(filters.scope)}暂无督办事项。")
        return
    table = items_table(view)
    config = {"督办事项": st.column_config.Column(width="large"), "最新进展": st.column_config.Column(width="large")}
    st.dataframe(table, hide_index=True, width="stretch", height=cards.table_height(min(len(table), 15)),
                 column_config=config, placeholder="—")  # fmt: skip
    cards.download_buttons(lambda: export_table(view), "会议督办事项", filters, "会议督办事项", key="followups")


def new_item_form(view: FollowupView, editor: Editor, filters: Filters, issuer: str) -> None:
    """Create an item for one of the meetings."""
    if not view.meetings:
        st.info("请先记录会议，再为会议新建督办事项。")
        return
    meetings = list(view.meetings)[::-1]
    names = list(view.township_names.values())
    units = list(dict.fromkeys([issuer, *(i.lead_unit for i in view.items), *names]))
    chosen = filters.township_names[0] if len(filters.township_names) == 1 else COUNTY_WIDE
    with st.form("followup_new_item", clear_on_submit=True):
        meeting = st.selectbox("会议", meetings, format_func=lambda m: f"{date_stamp(m.meeting_date)} {m.title}")
        task = st.text_area("督办事项", max_chars=200, placeholder="要办成什么事（不写个人姓名、电话）")
        metric = st.selectbox("对应目标", METRIC.codes, format_func=lambda k: view.metric_labels[k])
        township = st.selectbox("乡镇（街道）", [COUNTY_WIDE, *names], index=[COUNTY_WIDE, *names].index(chosen))
        lead = st.selectbox("牵头单位", units, accept_new_options=True, help="部门或乡镇（街道），不填个人；可直接输入")
        due = st.date_input("完成时限", value=date.today() + timedelta(days=30), format="YYYY-MM-DD")
        submitted = st.form_submit_button("新建督办事项", type="primary")
    if submitted:
        codes = {name: code for code, name in view.township_names.items()}
        try:
            item = open_followups(filters.data).add_item(
                meeting.meeting_id, task, metric, codes.get(township), lead, due, editor
            )
        except FollowupError as err:
            st.error(markdown_text(err))
            return
        st.query_params[URL_ITEM] = str(item.item_id)
        st.session_state.pop(_ITEM_KEY, None)
        _done(f"已新建督办事项 #{item.item_id}：{item.task}")


def chosen_item(view: FollowupView) -> Item | None:
    """The item to show in detail: picked here, or named by ?item= in a link from the targets page."""
    if not view.items:
        return None
    ids = [i.item_id for i in view.items]
    if _ITEM_KEY not in st.session_state:
        wanted = st.query_params.get(URL_ITEM, "")
        st.session_state[_ITEM_KEY] = int(wanted) if wanted.isdigit() and int(wanted) in ids else ids[0]
    elif st.session_state[_ITEM_KEY] not in ids:
        st.session_state[_ITEM_KEY] = ids[0]
    by_id = {i.item_id: i for i in view.items}
    item_id = st.selectbox("选择事项", ids, key=_ITEM_KEY, format_func=lambda n: f"#{n} {by_id[n].task}")
    st.query_params[URL_ITEM] = str(item_id)
    return by_id[item_id]


def item_detail(item: Item, view: FollowupView, editor: Editor | None, filters: Filters) -> None:
    """One item: its fields, progress notes and audit trail; the edit and note forms for a logged-in editor."""
    meeting = view.meeting(item.meeting_id)
    with st.container(border=True):
        with st.container(horizontal=True, vertical_alignment="center"):
            st.badge(status_text(item, view.as_of), color=badge_colour(item, view.as_of))
            st.markdown(f"**{markdown_text(item.task)}**")
        facts = [
            f"会议：{meeting.title}（{date_stamp(meeting.meeting_date)}）",
            f"对应目标：{view.metric_labels[item.metric_key]}",
            f"乡镇（街道）：{view.township(item.township_code)}",
            f"牵头单位：{item.lead_unit}",
            f"完成时限：{date_stamp(item.due_date)}",
            *([f"完成日期：{date_stamp(item.done_date)}"] if item.done_date else []),
        ]
        st.markdown(markdown_text(" · ".join(facts)))
    notes = view.notes.get(item.item_id, ())
    st.markdown(f"##### 进展情况（{len(notes)} 条）")
    for note in notes[::-1]:
        st.markdown(f"- {markdown_text(note_text(note, limit=None))}")
    store = open_followups(filters.data)
    if can_write(view, editor):
        left, right = st.columns(2)
        with left:
            _edit_form(item, view, editor, filters)
        with right:
            _note_form(item, editor, filters)
    with st.expander("修改记录（谁、何时、改了什么）", icon=":material/history:"):
        for change in store.history(item.item_id)[::-1]:
            st.markdown(f"- {markdown_text(change_text(change, view.metric_labels, view.township_names))}")


def _edit_form(fresh: Item, view: FollowupView, editor: Editor, filters: Filters) -> None:
    """Status, due date, lead unit and task. Changes are sent against the item as the form showed it (kept in the
    session), so that what someone else changed since is refused rather than overwritten."""
    seen_key, submit_key = f"followup_seen_{fresh.item_id}", f"followup_save_{fresh.item_id}"
    submitting = bool(st.session_state.get(submit_key))
    seen = st.session_state.get(seen_key, fresh) if submitting else fresh
    st.session_state[seen_key] = seen
    version = f"{seen.item_id}_{seen.updated_at}"  # a changed item gets a fresh form
    statuses = list(FOLLOWUP_STATUS.codes)
    with st.form(f"followup_edit_{version}"):
        st.markdown("##### 更新事项")
        status = st.selectbox("状态", statuses, index=statuses.index(seen.status), format_func=FOLLOWUP_STATUS.label_of)
        due = st.date_input("完成时限", value=seen.due_date, format="YYYY-MM-DD")
        lead = st.text_input("牵头单位", value=seen.lead_unit, max_chars=60)
        task = st.text_area("督办事项", value=seen.task, max_chars=200)
        submitted = st.form_submit_button("保存修改", type="primary", key=submit_key)
    if not submitted:
        return
    try:
        updated = open_followups(filters.data).update_item(
            seen, {"status": status, "due_date": due, "lead_unit": lead, "task": task}, editor
        )
    except ConflictError as err:
        st.session_state[seen_key] = err.current
        st.error(markdown_text(err))
        return
    except FollowupError as err:
        st.error(markdown_text(err))
        return
    _done(f"已保存事项 #{updated.item_id} 的修改" if updated != seen else "内容没有变化，未作修改")


def _note_form(item: Item, editor: Editor, filters: Filters) -> None:
    with st.form(f"followup_note_{item.item_id}", clear_on_submit=True):
        st.markdown("##### 填写进展")
        day = st.date_input("进展日期", value=date.today(), format="YYYY-MM-DD")
        text = st.text_area("进展情况", max_chars=500, placeholder="做了什么、到了哪一步（不写个人姓名、电话）")
        submitted = st.form_submit_button("保存进展", type="primary")
    if submitted:
        try:
            open_followups(filters.data).add_note(item.item_id, day, text, editor)
        except FollowupError as err:
            st.error(markdown_text(err))
            return
        _done(f"已为事项 #{item.item_id} 填写进展")


def summary_caption(view: FollowupView) -> str:
    if view.unreadable:
        return f"截至 {date_stamp(view.as_of)}：{UNREADABLE_TEXT}；恢复后无需重启即可查看和填写"
    return f"截至 {date_stamp(view.as_of)}：{counts_text(view.items, view.as_of)}（逾期：未完成且完成时限早于数据日期）"
