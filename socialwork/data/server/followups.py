"""Meetings and their follow-up items (督办事项): what every backend of the follow-up store offers.

A review meeting is recorded with its date, title and the snapshot it reviewed; each decision is an item with the
plan target it serves, the township it concerns (or the whole county), the lead unit (a department or township,
never a person), a due date, a status and dated progress notes; every change keeps who and when.

Pages, exports and the CLI talk to `FollowupStore` only, opened with `followups_sql.open_followups(data)`: the
server database (followups_sql.py on serverdb.py), PostgreSQL when $SOCIALWORK_DB is set, else SQLite beside the
snapshots. The snapshot Parquet files are never written to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from socialwork.data.contract.enums import FOLLOWUP_STATUS
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.importing.cells import CONTROL, INVISIBLE, looks_personal
from socialwork.data.server.access import Account

EDITABLE_FIELDS = ("task", "metric_key", "township_code", "lead_unit", "due_date", "status")
MAX_TASK, MAX_NOTE, MAX_TITLE, MAX_UNIT = 200, 500, 60, 60
# A lead unit names an office: a department, a township, a centre. A person's name ends with none of these.
UNIT_ENDINGS = (
    "局", "办", "委", "部", "院", "会", "中心", "站", "所", "处", "室", "科", "队", "组", "团", "馆", "校",
    "街道", "镇", "乡", "政府", "办事处", "联", "社", "机构", "公司", "厅", "庭",
)  # fmt: skip
_UNIT_SEPARATORS = re.compile(r"[、，,;；/\s]+")
DEMO_READ_ONLY = "内置演示数据目录中的会议与督办事项只供查看，不能修改；请用 SOCIALWORK_DATA 指定本县的数据目录"


class FollowupError(Exception):
    """A follow-up entry that cannot be stored, worded in Chinese for the person who typed it."""


class ConflictError(FollowupError):
    """Someone else changed the same field of the item since it was shown: nothing was written."""

    def __init__(self, fields: list[str], current: Item) -> None:
        labels = "、".join(FIELD_LABELS[f] for f in fields)
        super().__init__(f"该事项的“{labels}”已被其他人修改（见下方最新内容），本次修改未保存；请核对后重新提交")
        self.fields, self.current = fields, current


FIELD_LABELS = {
    "task": "督办事项",
    "metric_key": "对应目标",
    "township_code": "乡镇（街道）",
    "lead_unit": "牵头单位",
    "due_date": "完成时限",
    "status": "状态",
}


Editor = Account  # who writes: a login with its role (access.require checks it before every write)


@dataclass(frozen=True)
class Meeting:
    meeting_id: int
    meeting_date: date
    title: str
    reviewed_snapshot: date
    created_at: str
    created_by: str


@dataclass(frozen=True)
class Item:
    item_id: int
    meeting_id: int
    task: str
    metric_key: str
    township_code: str | None  # None: the whole county
    lead_unit: str
    due_date: date
    status: str
    done_date: date | None
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str

    @property
    def status_label(self) -> str:
        return FOLLOWUP_STATUS.label_of(self.status)

    def overdue(self, on: date) -> bool:
        """Not done and due before `on` (the as-of date it is looked at from)."""
        return self.status != "done" and self.due_date < on


@dataclass(frozen=True)
class Note:
    note_id: int
    item_id: int
    note_date: date
    note: str
    written_at: str
    written_by: str


@dataclass(frozen=True)
class Change:
    """One line of an item's audit trail."""

    change_id: int
    item_id: int
    changed_at: str
    changed_by: str
    changed_by_name: str
    action: str  # created, updated, note
    field: str | None
    old_value: str | None
    new_value: str | None


class FollowupStore(Protocol):
    """What pages, exports and the CLI may ask of a follow-up store (every backend)."""

    read_only: bool

    def meetings(self) -> list[Meeting]: ...

    def add_meeting(self, meeting_date: date, title: str, reviewed_snapshot: date, editor: Editor) -> Meeting: ...

    def items(self, meeting_id: int | None = None) -> list[Item]: ...

    def item(self, item_id: int) -> Item: ...

    def add_item(
        self, meeting_id: int, task: str, metric_key: str, township_code: str | None, lead_unit: str, due_date: date,
        editor: Editor, status: str = "not_started",
    ) -> Item: ...  # fmt: skip

    def update_item(self, seen: Item, changes: dict[str, object], editor: Editor) -> Item: ...

    def add_note(self, item_id: int, note_date: date, note: str, editor: Editor) -> Note: ...

    def notes(self, item_id: int | None = None) -> list[Note]: ...

    def history(self, item_id: int) -> list[Change]: ...


# ---------------------------------------------------------------- checks shared by every backend


def clean(text: object) -> str:
    """Trimmed text on one line, without invisible characters."""
    return re.sub(r"\s+", " ", INVISIBLE.sub("", str(text or ""))).strip()


def check_text(text: object, label: str, limit: int) -> str:
    """Free text a person typed: not empty, not too long, no control characters, no ID-card or phone number."""
    value = clean(text)
    if not value:
        raise FollowupError(f"{label}不能为空")
    if len(value) > limit:
        raise FollowupError(f"{label}过长：最多 {limit} 个字")
    if CONTROL.search(value):
        raise FollowupError(f"{label}含有不可见的控制字符，请删除后重试")
    if looks_personal(value) or any(looks_personal(word) for word in value.split()):
        raise FollowupError(f"{label}疑似包含身份证号或电话号码；督办事项只记单位，不记个人信息")
    return value


def check_lead_unit(text: object) -> str:
    """A department or a township (several joined by 、), never a person: each part must name an office."""
    value = check_text(text, "牵头单位", MAX_UNIT)
    parts = [p for p in _UNIT_SEPARATORS.split(value) if p]
    if not parts or any(len(p) < 2 or not p.endswith(UNIT_ENDINGS) for p in parts):
        raise FollowupError(
            "牵头单位应为部门或乡镇（街道）名称，如“县民政局”“城关街道”，多个单位用顿号分隔，不能填写个人"
        )
    return "、".join(parts)


def check_metric(metric_key: str) -> str:
    if metric_key not in METRIC.labels:
        raise FollowupError(f"未知的目标指标：{metric_key}")
    return metric_key


def check_status(status: str) -> str:
    if status not in FOLLOWUP_STATUS.labels:
        raise FollowupError(f"未知的状态：{status}（应为 {'、'.join(FOLLOWUP_STATUS.labels.values())}）")
    return status


def check_township(code: str | None) -> str | None:
    if code is None or not clean(code):
        return None
    return check_text(code, "乡镇（街道）代码", 20)


def checked_fields(changes: dict[str, object]) -> dict[str, object]:
    """Item fields as stored, each checked; an unknown field is an error."""
    rules = {
        "task": lambda v: check_text(v, "督办事项", MAX_TASK),
        "metric_key": check_metric,
        "township_code": check_township,
        "lead_unit": check_lead_unit,
        "due_date": _check_date,
        "status": check_status,
    }
    unknown = set(changes) - set(rules)
    if unknown:
        raise FollowupError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    return {name: rules[name](value) for name, value in changes.items()}


def _check_date(value: object) -> date:
    if not isinstance(value, date):
        raise FollowupError("完成时限应为日期")
    return value


# ---------------------------------------------------------------- reading helpers


def last_meeting_before(meetings: Iterable[Meeting], as_of: date) -> Meeting | None:
    """The latest meeting that reviewed a snapshot earlier than as_of: "the last meeting" for a review of as_of."""
    earlier = [m for m in meetings if m.reviewed_snapshot < as_of]
    return max(earlier, key=lambda m: (m.reviewed_snapshot, m.meeting_date, m.meeting_id), default=None)


def in_scope(items: Iterable[Item], townships: Iterable[str] | None) -> list[Item]:
    """Items of the chosen townships (every item, county-wide ones included, when none is chosen)."""
    if not townships:
        return list(items)
    chosen = set(townships)
    return [i for i in items if i.township_code in chosen]


def seen_by(items: Iterable[Item], meetings: Iterable[Meeting], as_of: date) -> list[Item]:
    """Items set by meetings that reviewed as_of or an earlier snapshot: what a view of as_of may show."""
    known = {m.meeting_id for m in meetings if m.reviewed_snapshot <= as_of}
    return [i for i in items if i.meeting_id in known]
