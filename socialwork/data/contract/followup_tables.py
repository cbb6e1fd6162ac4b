"""Meetings and their follow-up items, kept in the server database (socialwork/data/server/serverdb.py derives
its tables from these declarations)."""

from __future__ import annotations

from socialwork.data.contract.enums import FOLLOWUP_ACTION, FOLLOWUP_STATUS
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.contract.schema import Column, Table

# What review meetings (推进会/调度会) decide is kept beside the snapshots, not in them: a small embedded database
# (`<data dir>/followups.sqlite`, socialwork/data/server/followups.py) that logged-in staff write to from the app while
# the snapshot files stay as imported. Times are Beijing time as ISO text (2026-11-05T14:03:12+08:00); "who" is
# the login's user name, never anyone on the registers.

FOLLOWUP_FILE = "followups.sqlite"

MEETINGS = Table(
    "meetings",
    "会议",
    "A review meeting: when it met, what it was called and which snapshot it reviewed.",
    (
        Column("meeting_id", "INTEGER", "会议编号", "Assigned by the store.", minimum=1),
        Column("meeting_date", "DATE", "会议日期", "The day the meeting was held."),
        Column("title", "VARCHAR", "会议名称", "e.g. 2026年第三季度社会工作人才工作推进会."),
        Column("reviewed_snapshot", "DATE", "审议数据日期", "The as-of date of the snapshot the meeting reviewed."),
        Column("created_at", "VARCHAR", "记录时间", "When it was recorded."),
        Column("created_by", "VARCHAR", "记录人账号", "The login that recorded it."),
    ),
    key=("meeting_id",),
)

FOLLOWUP_ITEMS = Table(
    "followup_items",
    "督办事项",
    "One decision of a meeting: what is to be done, for which target, where, by which unit (a department or a "
    "township, never a person), by when, and how far it has come. Overdue is derived: not done and due before "
    "the date it is looked at from.",
    (
        Column("item_id", "INTEGER", "事项编号", "Assigned by the store.", minimum=1),
        Column("meeting_id", "INTEGER", "会议编号", "The meeting that set it.", references="meetings.meeting_id"),
        Column("task", "VARCHAR", "督办事项", "What is to be done (no names or phone numbers)."),
        Column("metric_key", "VARCHAR", "对应目标", "The plan target it serves.", enum=METRIC),
        Column("township_code", "VARCHAR", "乡镇代码", "The township; empty for the whole county.", nullable=True),
        Column("lead_unit", "VARCHAR", "牵头单位", "A department or township, e.g. 县民政局、城关街道."),
        Column("due_date", "DATE", "完成时限", "When it is due."),
        Column("status", "VARCHAR", "状态", "How far it has come.", enum=FOLLOWUP_STATUS),
        Column("done_date", "DATE", "完成日期", "Set when the status becomes 已完成.", nullable=True),
        Column("created_at", "VARCHAR", "创建时间", "When it was created."),
        Column("created_by", "VARCHAR", "创建人账号", "The login that created it."),
        Column("updated_at", "VARCHAR", "最近修改时间", "When it last changed (a note counts)."),
        Column("updated_by", "VARCHAR", "最近修改人账号", "The login that last changed it."),
    ),
    key=("item_id",),
)

FOLLOWUP_NOTES = Table(
    "followup_notes",
    "督办进展",
    "A dated progress note on an item.",
    (
        Column("note_id", "INTEGER", "进展编号", "Assigned by the store.", minimum=1),
        Column("item_id", "INTEGER", "事项编号", "The item.", references="followup_items.item_id"),
        Column("note_date", "DATE", "进展日期", "The day the progress is reported for."),
        Column("note", "VARCHAR", "进展情况", "What was done (no names or phone numbers)."),
        Column("written_at", "VARCHAR", "填写时间", "When it was written."),
        Column("written_by", "VARCHAR", "填写人账号", "The login that wrote it."),
    ),
    key=("note_id",),
)

FOLLOWUP_CHANGES = Table(
    "followup_changes",
    "督办修改记录",
    "The audit trail: every creation, field change and note of an item, with who and when; never edited.",
    (
        Column("change_id", "INTEGER", "记录编号", "Assigned by the store.", minimum=1),
        Column("item_id", "INTEGER", "事项编号", "The item.", references="followup_items.item_id"),
        Column("changed_at", "VARCHAR", "时间", "When."),
        Column("changed_by", "VARCHAR", "账号", "The login."),
        Column("changed_by_name", "VARCHAR", "显示名称", "The login's display name at the time."),
        Column("action", "VARCHAR", "操作", "created, updated or note.", enum=FOLLOWUP_ACTION),
        Column("field", "VARCHAR", "字段", "The column changed (updated only).", nullable=True),
        Column("old_value", "VARCHAR", "原值", "As stored before (updated only).", nullable=True),
        Column("new_value", "VARCHAR", "新值", "As stored after, or the note's text.", nullable=True),
    ),
    key=("change_id",),
)

FOLLOWUP_TABLES: tuple[Table, ...] = (MEETINGS, FOLLOWUP_ITEMS, FOLLOWUP_NOTES, FOLLOWUP_CHANGES)
