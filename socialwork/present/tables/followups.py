"""Meetings and follow-up items (督办事项) in Chinese: what a view of one snapshot and filter shows, the items table
(page, XLSX, PDF/DOCX), the "上次会议督办事项落实情况" slide and an item's audit trail. No Streamlit here.

Overdue is derived against the view's as-of date: not done and due before it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.enums import FOLLOWUP_STATUS
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.server.followups import (
    FIELD_LABELS,
    Change,
    Item,
    Meeting,
    Note,
    in_scope,
    last_meeting_before,
    seen_by,
)
from socialwork.data.server.followups_sql import open_followups
from socialwork.data.server.serverdb import UNREADABLE, ServerDbUnavailable
from socialwork.data.storage import identity
from socialwork.figures import hierarchy
from socialwork.figures.choices import townships as townships_at
from socialwork.figures.choices import townships_of_county
from socialwork.figures.place_filter import Places
from socialwork.present.words.formatting import date_stamp

COUNTY_WIDE = "全县"
MAX_SLIDE_ROWS = 14
MAX_NOTE_CHARS = 40  # the latest note in a table cell; the whole note is on the item
SLIDE_NOTE_CHARS = 24  # on a slide, where six columns share the width
UNREADABLE_TEXT = f"会议督办事项{UNREADABLE}"


@dataclass(frozen=True)
class FollowupView:
    """The meetings and items a view of as_of shows: meetings that reviewed as_of or an earlier snapshot, and
    their items in the township filter (every item when none is chosen)."""

    as_of: date
    meetings: tuple[Meeting, ...]
    all_meetings: tuple[Meeting, ...]  # also those after as_of: "the last meeting" looks at every one
    items: tuple[Item, ...]
    notes: dict[int, tuple[Note, ...]]
    township_names: dict[str, str]
    metric_labels: dict[str, str]
    read_only: bool
    filtered: bool = False  # a township filter is chosen: county-wide items are left out
    unreadable: bool = False  # the server database did not answer: no items known, which is not "no items"

    def meeting(self, meeting_id: int) -> Meeting:
        return next(m for m in self.all_meetings if m.meeting_id == meeting_id)

    def township(self, code: str | None) -> str:
        return COUNTY_WIDE if code is None else self.township_names.get(code, code)

    def latest_note(self, item: Item) -> Note | None:
        notes = self.notes.get(item.item_id, ())
        return notes[-1] if notes else None

    def items_for(self, metric_key: str) -> list[Item]:
        return [i for i in self.items if i.metric_key == metric_key]


def load(as_of: date, places: Places, data: Path | None = None) -> FollowupView:
    """The follow-ups a view of as_of and the township filter shows, open items first (a read; no Streamlit)."""
    townships = places.bound()  # items are matched by their township's code (a division's code matches none)
    root = data or settings.data_dir()
    store = open_followups(root)
    county, _ = identity.load_or_fallback(root)
    try:
        meetings = store.meetings()
        all_items, all_notes = store.items(), store.notes()
    except ServerDbUnavailable:  # the one place a page's follow-ups meet a server database that does not answer
        return FollowupView(as_of, (), (), (), {}, {}, {key: county.metric_label(key) for key in METRIC.codes},
                            read_only=True, filtered=bool(townships), unreadable=True)  # fmt: skip
    # Open items first, soonest due (so the overdue) first; done ones after.
    items = sorted(in_scope(seen_by(all_items, meetings, as_of), townships),
                   key=lambda i: (i.status == "done", i.due_date, i.item_id))  # fmt: skip
    notes: dict[int, list[Note]] = defaultdict(list)
    wanted = {i.item_id for i in items}
    for note in all_notes:
        if note.item_id in wanted:
            notes[note.item_id].append(note)
    return FollowupView(
        as_of=as_of,
        meetings=tuple(m for m in meetings if m.reviewed_snapshot <= as_of),
        all_meetings=tuple(meetings),
        items=tuple(items),
        notes={k: tuple(v) for k, v in notes.items()},
        township_names=_township_names(as_of, townships, data),
        metric_labels={key: county.metric_label(key) for key in METRIC.codes},
        read_only=store.read_only,
        filtered=bool(townships),
    )


def _township_names(as_of: date, townships: list[str] | None, data: Path | None) -> dict[str, str]:
    """Code → name of the townships a view can name. With a filter in a store of many counties: every township of
    the chosen townships' counties (their items' and the new-item form's), not the whole store's: a nation's 41,850
    names cost 20 ms on every rerun."""
    if townships and hierarchy.many_counties(data):
        counties = dict.fromkeys(code[:6] for code in townships)
        places = pd.concat([townships_of_county(as_of, county, data) for county in counties], ignore_index=True)
    else:
        places = townships_at(as_of, data)
    return dict(zip(places["township_code"].tolist(), places["township_name"].tolist(), strict=True))


def status_text(item: Item, as_of: date) -> str:
    """推进中, 推进中（逾期 31 天）, 已完成: how late an item is, where a leader reads its status."""
    return f"{item.status_label}（逾期 {days_overdue(item, as_of)} 天）" if item.overdue(as_of) else item.status_label


def note_text(note: Note | None, limit: int | None = MAX_NOTE_CHARS) -> str:
    """9月21日：已与县医院对接设岗 (cut at `limit` characters with …)."""
    if note is None:
        return "—"
    text = note.note if limit is None or len(note.note) <= limit else note.note[: limit - 1] + "…"
    return f"{date_stamp(note.note_date)}：{text}"


def items_table(view: FollowupView, items: list[Item] | tuple[Item, ...] | None = None) -> pd.DataFrame:
    """One row per item: number, task, status, due date, township, lead unit, target, latest progress, meeting."""
    rows = [
        {
            "编号": i.item_id,
            "督办事项": i.task,
            "状态": status_text(i, view.as_of),
            "完成时限": i.due_date,
            "乡镇（街道）": view.township(i.township_code),
            "牵头单位": i.lead_unit,
            "对应目标": view.metric_labels.get(i.metric_key, i.metric_key),
            "最新进展": note_text(view.latest_note(i)),
            "完成日期": i.done_date,
            "会议": f"{date_stamp(view.meeting(i.meeting_id).meeting_date)} {view.meeting(i.meeting_id).title}",
        }
        for i in (view.items if items is None else items)
    ]
    columns = ["编号", "督办事项", "状态", "完成时限", "乡镇（街道）", "牵头单位", "对应目标", "最新进展", "完成日期",
               "会议"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def counts(items: list[Item] | tuple[Item, ...], as_of: date) -> dict[str, int]:
    """Items per status (in the enumeration's order), and how many are overdue."""
    out = {code: sum(i.status == code for i in items) for code in FOLLOWUP_STATUS.codes}
    return out | {"overdue": sum(i.overdue(as_of) for i in items)}


def view_counts_text(view: FollowupView) -> str:
    """counts_text of the view's items, or that they cannot be read now."""
    return UNREADABLE_TEXT if view.unreadable else counts_text(view.items, view.as_of)


def counts_text(items: list[Item] | tuple[Item, ...], as_of: date) -> str:
    """已完成 3 项，推进中 3 项（逾期 2 项），未开始 1 项."""
    n = counts(items, as_of)
    parts = []
    for code in FOLLOWUP_STATUS.codes[::-1]:  # done first: what a leader asks first
        if n[code]:
            parts.append(f"{FOLLOWUP_STATUS.label_of(code)} {n[code]} 项")
    text = "，".join(parts) or "暂无事项"
    return f"{text}；其中逾期 {n['overdue']} 项" if n["overdue"] else text


def overdue_items(view: FollowupView) -> list[Item]:
    """The view's follow-up items past their due date and not done, longest overdue first."""
    late = [i for i in view.items if i.overdue(view.as_of)]
    return sorted(late, key=lambda i: (i.due_date, i.item_id))


def days_overdue(item: Item, as_of: date) -> int:
    return (as_of - item.due_date).days


def overdue_lines(view: FollowupView) -> list[str]:
    """Each overdue follow-up item by name: 任务（城关街道 · 牵头单位，时限 …，已逾期 N 天）."""
    lines = []
    for item in overdue_items(view):
        township = view.township(item.township_code)
        where = "" if item.township_code is None or township == item.lead_unit else f"{township} · "
        due = f"时限 {date_stamp(item.due_date)}，已逾期 {days_overdue(item, view.as_of)} 天"
        lines.append(f"{item.task}（{where}{item.lead_unit}，{due}）")
    return lines


def last_meeting(view: FollowupView) -> Meeting | None:
    """The meeting before the one reviewing as_of: its items are what the next meeting checks."""
    return last_meeting_before(view.all_meetings, view.as_of)


def slide_items(view: FollowupView, meeting: Meeting) -> list[Item]:
    """The slide's items: the meeting's, and every earlier meeting's item that is overdue (each listed by name);
    overdue first, then open, then done."""
    items = [i for i in view.items if i.meeting_id == meeting.meeting_id or i.overdue(view.as_of)]
    return sorted(items, key=lambda i: (not i.overdue(view.as_of), i.status == "done", i.due_date, i.item_id))


# A follow-up item's status as a pill: overdue red, done green, under way blue, not started grey.
ITEM_PILL = {"done": "met", "in_progress": "on_track", "not_started": "no_data"}


def item_statuses(items: list[Item], as_of: date) -> list[str]:
    return ["behind" if i.overdue(as_of) else ITEM_PILL[i.status] for i in items]


def slide_parts(view: FollowupView) -> tuple[str, pd.DataFrame] | None:
    """The "上次会议督办事项落实情况" slide's caption and table; None without a last meeting."""
    if view.unreadable:
        return UNREADABLE_TEXT, None
    meeting = last_meeting(view)
    if meeting is None:
        return None
    items = [i for i in view.items if i.meeting_id == meeting.meeting_id]
    held = f"{meeting.title}（{date_stamp(meeting.meeting_date)}）"
    if items:
        caption = f"{held}确定督办事项 {len(items)} 项：{counts_text(items, view.as_of)}"
    else:
        caption = f"{held}未确定{'涉及所选乡镇（街道）的' if view.filtered else ''}督办事项"
    earlier = [i for i in view.items if view.meeting(i.meeting_id).meeting_date < meeting.meeting_date]
    open_earlier = [i for i in earlier if i.status != "done"]
    if open_earlier:
        overdue = sum(i.overdue(view.as_of) for i in open_earlier)
        caption += f"。更早会议尚未完成的事项 {len(open_earlier)} 项（逾期 {overdue} 项）"
    ordered = slide_items(view, meeting)
    table = items_table(view, ordered)[["督办事项", "乡镇（街道）", "牵头单位", "完成时限", "状态", "最新进展"]]
    table["完成时限"] = [date_stamp(d) for d in table["完成时限"]]
    # The pill says it short (逾期 31 天): a slide's columns are narrow and its red already says 未完成.
    table["状态"] = [
        f"逾期 {days_overdue(i, view.as_of)} 天" if i.overdue(view.as_of) else i.status_label for i in ordered
    ]
    table["最新进展"] = [note_text(view.latest_note(i), SLIDE_NOTE_CHARS) for i in ordered]
    if len(table) > MAX_SLIDE_ROWS:
        caption += f"（表中列出逾期与未完成在前的 {MAX_SLIDE_ROWS} 项）"
    return caption, table.head(MAX_SLIDE_ROWS)


def export_table(view: FollowupView) -> pd.DataFrame:
    """Every item in the view for a spreadsheet: the table with the whole latest note and the last change."""
    table = items_table(view)
    if view.unreadable:  # a sheet that says so, not an empty one that reads as "no items"
        return pd.concat([table, pd.DataFrame({"督办事项": [UNREADABLE_TEXT]})], ignore_index=True)
    table["最新进展"] = [note_text(view.latest_note(i), limit=None) for i in view.items]
    table["最近更新"] = [i.updated_at.replace("T", " ")[:16] for i in view.items]
    return table


def change_text(change: Change, metric_labels: dict[str, str], township_names: dict[str, str]) -> str:
    """One line of an item's audit trail: 2026-09-21 10:00 演示账号（demo）：状态 未开始 → 推进中."""
    when = datetime.fromisoformat(change.changed_at).strftime("%Y-%m-%d %H:%M")
    who = change.changed_by_name if change.changed_by_name == change.changed_by else (
        f"{change.changed_by_name}（{change.changed_by}）"
    )  # fmt: skip
    if change.action == "created":
        what = "新建事项"
    elif change.action == "note":
        what = f"填写进展：{change.new_value}"
    else:
        field = change.field or ""
        old, new = (_value_text(field, v, metric_labels, township_names) for v in (change.old_value, change.new_value))
        what = f"{FIELD_LABELS.get(field, field)} {old} → {new}"
    return f"{when} {who}：{what}"


def _value_text(field: str, value: str | None, metric_labels: dict[str, str], township_names: dict[str, str]) -> str:
    if field == "status" and value:
        return FOLLOWUP_STATUS.label_of(value)
    if field == "metric_key" and value:
        return metric_labels.get(value, value)
    if field == "township_code":
        return COUNTY_WIDE if value is None else township_names.get(value, value)
    if field == "due_date" and value:
        return date_stamp(date.fromisoformat(value))
    return "—" if value is None else value
