"""What the reporting workflow hands back: a round, a unit's standing in it, a part, an entry of its log, how a
published month was assembled; and the workflow's errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from socialwork.data.contract.reporting_tables import OVERDUE_LABEL, PART_STATE, SEPARATOR
from socialwork.data.importing import importer
from socialwork.data.reporting.parts import Frames
from socialwork.data.reporting.units import Unit

# Overdue past the deadline: a part never submitted. A returned part shows as 已退回 with its reason (the reminder
# names it too): the reviewer's return, not the unit's lateness, is what the board must say about it.
LATE_STATES = ("not_started", "draft")


class ReportingError(Exception):
    """A reporting action that cannot be taken, worded in Chinese."""


class SaveConflict(ReportingError):
    """Someone saved the part after the editor opened it: nothing was written, and the editor's rows come back."""

    def __init__(self, message: str, rows: Frames) -> None:
        super().__init__(message)
        self.rows = rows


@dataclass(frozen=True)
class Round:
    round_id: int
    as_of: date
    deadline: date
    base_date: date | None
    state: str
    opened_at: str
    opened_by: str
    published_at: str | None = None
    published_by: str | None = None
    carried_units: tuple[str, ...] = ()
    unit_count: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class PartStatus:
    """A unit's standing in a round, as the board shows it."""

    unit: Unit
    state: str
    version: int
    updated_at: str | None
    updated_by: str | None
    submitted_at: str | None
    return_reason: str | None
    overdue: bool
    edited: bool  # holds its own rows (False: still the base month's copy)

    @property
    def label(self) -> str:
        return OVERDUE_LABEL if self.overdue else PART_STATE.label_of(self.state)


@dataclass(frozen=True)
class Part:
    """A unit's part as its editor opens it: its rows (saved, or the base month's copy) and the version to save on."""

    status: PartStatus
    frames: Frames
    base_frames: Frames


@dataclass(frozen=True)
class Event:
    happened_at: str
    username: str
    action: str
    unit_code: str | None
    detail: str | None


@dataclass(frozen=True)
class Assembly:
    """How a published month was assembled, for the pages and documents that show it (已报 21 / 24 · 沿用上月 3)."""

    as_of: date
    unit_count: int
    carried: tuple[str, ...] = field(default_factory=tuple)  # names of the units carried forward

    @property
    def reported(self) -> int:
        return self.unit_count - len(self.carried)

    def text(self) -> str:
        line = f"本月数据由各单位上报汇总：已报 {self.reported} / {self.unit_count}"
        if self.carried:
            line += f" · 沿用上月 {len(self.carried)}（{'、'.join(self.carried)}）"
        return line


@dataclass(frozen=True)
class Published:
    as_of: date
    rows: dict[str, int]
    carried: tuple[str, ...]
    result: importer.ImportResult


def gone(code: str) -> Unit:
    return Unit(code, f"{code}（已不在单位列表中）", "department", sort_order=10**6)


def clock_text(stamp: str | None) -> str:
    return (stamp or "")[:16].replace("T", " ")


def can_edit(row) -> None:
    if row["state"] == "submitted":
        raise ReportingError("本单位数据已提交，正在等待审核；如需修改，请联系审核员退回")
    if row["state"] == "approved":
        raise ReportingError("本单位数据已通过审核；如需修改，请联系审核员退回")


def round(row) -> Round:
    carried = tuple(c for c in (row["carried_units"] or "").split(SEPARATOR) if c)
    base = date.fromisoformat(row["base_date"]) if row["base_date"] else None
    return Round(
        row["round_id"],
        date.fromisoformat(row["as_of_date"]),
        date.fromisoformat(row["deadline"]),
        base,
        row["state"],
        row["opened_at"],
        row["opened_by"],
        row["published_at"],
        row["published_by"],
        carried,
        row["unit_count"],
    )


def status(unit: Unit, row, this: Round, today: date) -> PartStatus:
    overdue = this.is_open and row["state"] in LATE_STATES and today > this.deadline
    return PartStatus(
        unit,
        row["state"],
        row["version"],
        row["updated_at"],
        row["updated_by"],
        row["submitted_at"],
        row["return_reason"],
        overdue,
        row["rows_json"] is not None,
    )


@dataclass(frozen=True)
class ReminderWording:
    """How a reminder names what is late and what to do: a county's units, or a city's counties (city.py)."""

    reported: str  # 上报 / 报送
    units: str  # 单位 / 县
    submitted: str  # 提交 / 报送
    late_action: str
    returned_action: str


UNITS_REMINDER = ReminderWording(
    "上报", "单位", "提交",
    "请登录社会工作人才看板“月度上报”尽快填报并提交；本月无变化的单位可点击“与上月相同”一键提交。",
    "请按退回原因修改后重新提交。",
)  # fmt: skip


def reminder_text(this: Round, board: list[PartStatus], wording: ReminderWording = UNITS_REMINDER) -> str:
    """Copyable reminder text (for the work group chat) naming the units past the deadline and the units returned
    and not yet resubmitted; empty when no one is waited for."""
    late = [s.unit.name for s in board if s.overdue]
    returned = [s.unit.name for s in board if s.state == "returned"]
    month = f"{this.as_of.year}年{this.as_of.month}月"
    lines = []
    if late:
        lines.append(f"【提醒】{month}社会工作人才数据{wording.reported}已于 {this.deadline} 截止，以下 {len(late)} "
                     f"个{wording.units}尚未{wording.submitted}：{'、'.join(late)}。{wording.late_action}")  # fmt: skip
    if returned:
        lines.append(f"【提醒】{month}{wording.reported}数据已退回、待重新{wording.submitted}的{wording.units}："
                     f"{'、'.join(returned)}。{wording.returned_action}")  # fmt: skip
    return "\n".join(lines)
