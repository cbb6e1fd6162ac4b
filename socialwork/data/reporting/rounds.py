"""Monthly reporting rounds (上报任务) in the server database: open, each unit saves and submits its part, the 审核员
returns or approves, and publishing writes the month through the import's atomic store write.

Every function that reads or writes a part calls `access.require` with the part's unit itself, so a 填报员 asking for
another unit's part, or naming a forged unit code, is refused here whatever the page showed. A save names the
version its editor started from: a save made meanwhile by someone else refuses it (SaveConflict, naming who and
when), and the refused rows are returned to the editor, not lost. A draft never reaches the snapshot store: only
`publish` writes, once, all or nothing (store.write_snapshot: a temporary folder renamed into place, or a bucket's
conditional manifest), so a crash between approval and publication leaves the store as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialwork.data.contract.reporting_tables import PART_STATE
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.importing.validate import Problem
from socialwork.data.reporting import parts, publication, records
from socialwork.data.reporting.parts import Frames
from socialwork.data.reporting.records import (
    Assembly,
    Event,
    Part,
    PartStatus,
    Published,
    ReportingError,
    Round,
    SaveConflict,
)
from socialwork.data.reporting.units import Unit, checked_units, default_units, part_of, remember_base
from socialwork.data.server import access, audit, serverdb
from socialwork.data.server.access import Account
from socialwork.data.server.serverdb import REPORTING_ROUNDS, REPORTING_UNITS, ROUND_EVENTS, ROUND_PARTS
from socialwork.data.storage import layout, store
from socialwork.data.storage.location import Location

log = logging.getLogger(__name__)

MAX_REASON = 300


class Reporting:
    """The reporting workflow of one store (`data`) in its server database (an SQLAlchemy URL)."""

    def __init__(self, url: str, data: Location, clock: Callable[[], datetime] = audit.now_in_beijing) -> None:
        self.url, self.data, self.clock = url, data, clock

    # ------------------------------------------------------------ connections

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with serverdb.transaction(self.url, writing=False, clock=self.clock) as con:
            yield con

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with serverdb.transaction(self.url, writing=True, clock=self.clock) as con:
            yield con

    def _stamp(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _event(self, con: Connection, round_id: int, unit: str | None, who: str, action: str, detail=None) -> None:
        con.execute(
            ROUND_EVENTS.insert().values(
                round_id=round_id, unit_code=unit, happened_at=self._stamp(), username=who, action=action, detail=detail
            )
        )

    # ------------------------------------------------------------ units

    def units(self) -> list[Unit]:
        with self._reading() as con:
            rows = con.execute(sa.select(REPORTING_UNITS)).mappings().all()
        return sorted((Unit.from_row(row) for row in rows), key=lambda u: (u.sort_order, u.code))

    def default_units(self) -> list[Unit]:
        """The latest month's townships, the plan's departments and the county office."""
        townships = self._latest_townships()
        if townships is None:
            raise ReportingError("数据目录中还没有任何一期数据：请先导入一期全县数据，再设置上报单位")
        return default_units(townships)

    def set_units(self, units: list[Unit], by: Account | str) -> list[Unit]:
        """Replace the unit list (refused while a round is open: its parts were cut by the old list)."""
        if isinstance(by, Account):
            access.require(by, "part_review")
        units = self._checked_units(units)
        with self._writing() as con:
            if con.execute(sa.select(REPORTING_ROUNDS.c.round_id).where(REPORTING_ROUNDS.c.state == "open")).first():
                raise ReportingError("有进行中的上报任务，不能修改上报单位；请先发布该任务")
            con.execute(REPORTING_UNITS.delete())
            con.execute(REPORTING_UNITS.insert(), [unit.row() for unit in units])
        return units

    def _checked_units(self, units: list[Unit]) -> list[Unit]:
        """The list checked against the county's townships in its latest month (a city checks its counties)."""
        townships = self._latest_townships()
        return checked_units(units, None if townships is None else set(townships["township_code"].astype(str)))

    # ------------------------------------------------------------ rounds

    def rounds(self) -> list[Round]:
        with self._reading() as con:
            rows = con.execute(sa.select(REPORTING_ROUNDS).order_by(REPORTING_ROUNDS.c.round_id.desc()))
            return [records.round(row) for row in rows.mappings()]

    def current_round(self) -> Round | None:
        """The open round, if any (one at a time), else None."""
        return next((r for r in self.rounds() if r.is_open), None)

    def round(self, round_id: int) -> Round:
        with self._reading() as con:
            return self._round(con, round_id)

    def _round(self, con: Connection, round_id: int) -> Round:
        row = con.execute(sa.select(REPORTING_ROUNDS).where(REPORTING_ROUNDS.c.round_id == round_id)).mappings()
        found = row.first()
        if found is None:
            raise ReportingError(f"上报任务 {round_id} 不存在")
        return records.round(found)

    def open_round(self, account: Account, as_of: date, deadline: date) -> Round:
        """Open the month's round: every unit's part starts as its rows of the latest published month before it."""
        access.require(account, "part_review")
        if deadline < self.clock().date():
            raise ReportingError(f"截止日期 {deadline} 已过，请选择今天或以后的日期")
        base = max((d for d in self._dates() if d < as_of), default=None)
        if base is None:
            raise ReportingError(f"{as_of} 之前没有已发布的月份：第一期请由审核员在“数据导入”导入全县数据")
        if as_of in self._dates():
            raise ReportingError(f"{as_of} 的数据已发布；上报任务只能用于尚未发布的月份")
        units = self.units()
        if not units:
            raise ReportingError("还没有设置上报单位：请先在本页“上报单位”中设置（或命令行 units --default）")
        with self._writing() as con:
            if con.execute(sa.select(REPORTING_ROUNDS.c.as_of_date).where(REPORTING_ROUNDS.c.state == "open")).first():
                raise ReportingError("已有进行中的上报任务：一次只能进行一个月的上报，请先发布它")
            round_id = con.execute(
                REPORTING_ROUNDS.insert()
                .values(
                    as_of_date=as_of.isoformat(),
                    deadline=deadline.isoformat(),
                    base_date=base.isoformat(),
                    state="open",
                    opened_at=self._stamp(),
                    opened_by=account.username,
                )
                .returning(REPORTING_ROUNDS.c.round_id)
            ).scalar_one()
            con.execute(
                ROUND_PARTS.insert(),
                [{"round_id": round_id, "unit_code": u.code, "state": "not_started", "version": 0} for u in units],
            )
            self._event(con, round_id, None, account.username, "opened", f"数据日期 {as_of}，截止 {deadline}")
        return self.round(round_id)

    # ------------------------------------------------------------ the board

    def board(self, round_id: int) -> list[PartStatus]:
        """Every unit's part in the round, in the units' order (a 审核员's view; any role may see the states)."""
        with self._reading() as con:
            this = self._round(con, round_id)
            rows = con.execute(sa.select(ROUND_PARTS).where(ROUND_PARTS.c.round_id == round_id)).mappings().all()
        units = {u.code: u for u in self.units()}
        today = self.clock().date()
        statuses = [records.status(units.get(r["unit_code"]) or records.gone(r["unit_code"]), r, this, today)
                    for r in rows]  # fmt: skip
        return sorted(statuses, key=lambda s: (s.unit.sort_order, s.unit.code))

    def status(self, round_id: int, unit_code: str) -> PartStatus:
        return next(s for s in self.board(round_id) if s.unit.code == unit_code)

    def overdue_reminder(self, round_id: int) -> str:
        """Copyable reminder text naming the units past the deadline, and those returned and not yet resubmitted."""
        return records.reminder_text(self.round(round_id), self.board(round_id))

    # ------------------------------------------------------------ a unit's part

    def part(self, account: Account, round_id: int, unit_code: str) -> Part:
        """A unit's part (its saved rows, or the base month's copy), for someone who may read it."""
        access.require(account, "part_read", unit_code)
        with self._reading() as con:
            this = self._round(con, round_id)
            row = self._part_row(con, round_id, unit_code)
        units = self.units()
        base = self._base_part(this, unit_code, units)
        frames = parts.decode(row["rows_json"]) if row["rows_json"] else base
        unit = next((u for u in units if u.code == unit_code), records.gone(unit_code))
        return Part(records.status(unit, row, this, self.clock().date()), frames, base)

    def _part_row(self, con: Connection, round_id: int, unit_code: str):
        """The part's row; in a write transaction held until it ends (PostgreSQL: FOR NO KEY UPDATE, so two saves
        from one version queue and the second sees the first's version; SQLite's BEGIN IMMEDIATE holds the file)."""
        query = sa.select(ROUND_PARTS).where(_key(round_id, unit_code))
        writing = con.get_execution_options().get("writing")
        if writing:
            query = query.with_for_update(key_share=True)
        found = con.execute(query).mappings().first()
        if writing:  # under the part's lock: a publication that held the round meanwhile has marked it
            self._still_open(con, round_id)
        if found is None:
            raise ReportingError(f"上报任务 {round_id} 中没有单位“{unit_code}”")
        return found

    def check(self, account: Account, round_id: int, unit_code: str, frames: Frames) -> list[Problem]:
        """What would keep these rows from being submitted, each on its table, row and column (remembered for the
        same rows: a page asks at every rerun)."""
        access.require(account, "part_read", unit_code)
        this = self.round(round_id)
        units = self.units()
        text = parts.encode({t.name: parts.typed(t.name, frames.get(t.name, _empty(t.name))) for t in TABLES})
        key = (self.url, round_id, this.base_date, unit_code, tuple(units), text)
        if key not in _CHECKED:
            if len(_CHECKED) > 64:
                _CHECKED.clear()
            _CHECKED[key] = parts.part_problems(_unit(units, unit_code), frames, self._base_month(this), units,
                                                this.as_of)  # fmt: skip
        return _CHECKED[key]

    def save(self, account: Account, round_id: int, unit_code: str, frames: Frames, version: int) -> PartStatus:
        """Save a draft made from `version`. Rows outside the unit's part are refused, naming them; other problems are
        kept with the draft and stop only its submission. SaveConflict if someone saved since `version`."""
        access.require(account, "part_write", unit_code)
        self._open(round_id)
        units = self.units()
        personal = parts.personal_cells(frames)
        if personal:
            raise ReportingError("以下单元格疑似个人信息，未保存：\n" + "\n".join(map(str, personal[:20])))
        given = {name: parts.typed(name, frame) for name, frame in frames.items()}  # typed once: checked, then kept
        outside = parts.outside_rows(_unit(units, unit_code), given, units)
        if outside:
            raise ReportingError("以下数据不属于本单位，未保存：\n" + "\n".join(map(str, outside)))
        text = parts.encode({t.name: given[t.name] if t.name in given else parts.typed(t.name, _empty(t.name))
                             for t in TABLES})  # fmt: skip
        with self._writing() as con:
            row = self._part_row(con, round_id, unit_code)
            records.can_edit(row)
            if row["version"] != version:
                raise SaveConflict(
                    f"保存冲突：{row['updated_by']} 已于 {records.clock_text(row['updated_at'])} 保存了本单位的数据"
                    f"（版本 {row['version']}，您打开的是版本 {version}）。您的修改未保存、仍在页面上；"
                    "请先下载或记下，再重新打开最新版本后修改",
                    frames,
                )
            written = con.execute(
                ROUND_PARTS.update()
                .where(_key(round_id, unit_code) & (ROUND_PARTS.c.version == version))  # PostgreSQL: the row's lock
                .values(
                    state="draft" if row["state"] != "returned" else "returned",
                    version=version + 1,
                    rows_json=text,
                    updated_at=self._stamp(),
                    updated_by=account.username,
                )
            )
            if written.rowcount != 1:  # another save of the same version committed between our read and write
                raise SaveConflict("保存冲突：本单位的数据刚被其他人保存。您的修改未保存、仍在页面上", frames)
            self._event(con, round_id, unit_code, account.username, "saved", f"版本 {version + 1}")
        return self.status(round_id, unit_code)

    def submit(self, account: Account, round_id: int, unit_code: str, version: int) -> PartStatus:
        """Submit the part as saved at `version`; refused while it has problems (named) or after a newer save."""
        access.require(account, "part_write", unit_code)
        this = self._open(round_id)
        part = self.part(account, round_id, unit_code)
        if part.status.version != version:
            raise ReportingError(
                f"本单位数据已被 {part.status.updated_by} 更新为版本 {part.status.version}，请查看最新版本后再提交"
            )
        units = self.units()
        problems = parts.part_problems(_unit(units, unit_code), part.frames, self._base_month(this), units, this.as_of)
        if problems:
            raise ReportingError(f"有 {len(problems)} 处问题，不能提交：\n" + "\n".join(map(str, problems[:30])))
        return self._submitted(account, round_id, unit_code, version, "submitted", keep_rows=True)

    def submit_same_as_base(self, account: Account, round_id: int, unit_code: str) -> PartStatus:
        """与上月相同: submit the base month's rows unchanged, in one click (a saved draft is set aside)."""
        access.require(account, "part_write", unit_code)
        self._open(round_id)
        with self._reading() as con:
            version = self._part_row(con, round_id, unit_code)["version"]
        return self._submitted(account, round_id, unit_code, version, "same_as_base", keep_rows=False)

    def _submitted(self, account, round_id, unit_code, version, action, keep_rows) -> PartStatus:
        with self._writing() as con:
            row = self._part_row(con, round_id, unit_code)
            records.can_edit(row)
            if row["version"] != version:
                raise ReportingError(f"本单位数据已被 {row['updated_by']} 更新，请查看最新版本后再提交")
            values = {
                "state": "submitted",
                "submitted_at": self._stamp(),
                "updated_at": self._stamp(),
                "updated_by": account.username,
                "version": version + 1,
            }
            if not keep_rows:
                values["rows_json"] = None
            written = con.execute(
                ROUND_PARTS.update()
                .where(_key(round_id, unit_code) & (ROUND_PARTS.c.version == version))
                .values(**values)
            )
            if written.rowcount != 1:
                raise ReportingError("本单位数据刚被其他人更新，请查看最新版本后再提交")
            self._event(con, round_id, unit_code, account.username, action)
        return self.status(round_id, unit_code)

    # ------------------------------------------------------------ review

    def return_part(self, account: Account, round_id: int, unit_code: str, reason: str) -> PartStatus:
        """Send a submitted (or approved) part back with a reason the unit sees."""
        access.require(account, "part_review")
        reason = " ".join(str(reason or "").split())[:MAX_REASON]
        if not reason:
            raise ReportingError("退回必须填写原因，告诉填报单位要改什么")
        self._open(round_id)
        with self._writing() as con:
            row = self._part_row(con, round_id, unit_code)
            if row["state"] not in ("submitted", "approved"):
                raise ReportingError(
                    f"该单位的数据状态是“{PART_STATE.label_of(row['state'])}”，只有已提交或已通过的才能退回"
                )
            con.execute(
                ROUND_PARTS.update()
                .where(_key(round_id, unit_code))
                .values(
                    state="returned",
                    return_reason=reason,
                    updated_at=self._stamp(),
                    updated_by=account.username,
                    version=row["version"] + 1,
                )
            )
            self._event(con, round_id, unit_code, account.username, "returned", reason)
        return self.status(round_id, unit_code)

    def approve(self, account: Account, round_id: int, unit_code: str) -> PartStatus:
        access.require(account, "part_review")
        self._open(round_id)
        with self._writing() as con:
            row = self._part_row(con, round_id, unit_code)
            if row["state"] != "submitted":
                raise ReportingError(f"该单位的数据状态是“{PART_STATE.label_of(row['state'])}”，只有已提交的才能通过")
            con.execute(
                ROUND_PARTS.update()
                .where(_key(round_id, unit_code))
                .values(
                    state="approved", updated_at=self._stamp(), updated_by=account.username, version=row["version"] + 1
                )
            )
            self._event(con, round_id, unit_code, account.username, "approved")
        return self.status(round_id, unit_code)

    def changes(self, account: Account, round_id: int, unit_code: str, seen: PartStatus | None = None):
        """What the unit's part changes against its base month, in the plan's terms: the county's figures that move,
        then rows per table. `seen`, the part's status on the board, spares reading it again once computed."""
        access.require(account, "part_read", unit_code)
        this = self.round(round_id)
        status = seen or self.status(round_id, unit_code)
        if not status.edited:
            return []
        key = (self.url, round_id, this.base_date, status.version)
        known = parts.known_changes(key, unit_code)
        if known is not None:
            return known
        part = self.part(account, round_id, unit_code)
        key = (self.url, round_id, this.base_date, part.status.version)
        return parts.cached_changes(key, unit_code, this.as_of, self.units(), part.frames, self._base_month(this))

    # ------------------------------------------------------------ publication

    def publish(self, account: Account, round_id: int, carry_forward: bool, replace: bool = False) -> Published:
        """Write the month (publication.publish): approved parts as reported, the others carried forward or refused."""
        return publication.publish(self, account, round_id, carry_forward, replace)

    def assembly(self, as_of: date) -> Assembly | None:
        """How the published month at `as_of` was assembled, or None when it was imported whole."""
        return publication.assembly(self, as_of)

    def events(self, round_id: int, unit_code: str | None = None) -> list[Event]:
        """What happened in the round (to one unit, with the round's own steps), oldest first."""
        query = sa.select(ROUND_EVENTS).where(ROUND_EVENTS.c.round_id == round_id)
        if unit_code is not None:
            query = query.where((ROUND_EVENTS.c.unit_code == unit_code) | ROUND_EVENTS.c.unit_code.is_(None))
        with self._reading() as con:
            rows = con.execute(query.order_by(ROUND_EVENTS.c.event_id)).mappings().all()
        return [Event(r["happened_at"], r["username"], r["action"], r["unit_code"], r["detail"]) for r in rows]

    # ------------------------------------------------------------ the store

    def _dates(self) -> list[date]:
        return store.snapshot_dates(self.data) if layout.exists(self.data) else []

    def _latest_townships(self) -> pd.DataFrame | None:
        latest = max(self._dates(), default=None)
        return None if latest is None else store.read_table(self.data, latest, TABLES_BY_NAME["townships"])

    def _still_open(self, con: Connection, round_id: int) -> None:
        """Inside a write: the round was not published since the caller looked (a save never follows publication)."""
        if not self._round(con, round_id).is_open:
            raise ReportingError("本月上报已发布，不能再修改")

    def _open(self, round_id: int) -> Round:
        this = self.round(round_id)
        if not this.is_open:
            published = records.clock_text(this.published_at)
            raise ReportingError(f"{this.as_of} 的上报任务已于 {published} 发布，不能再修改")
        return this

    def _base_month(self, this: Round) -> Frames:
        return _base_month(self.data, this.base_date, store.store_version(self.data))

    def _base_part(self, this: Round, unit_code: str, units: list[Unit]) -> Frames:
        return part_of(self._base_month(this), unit_code, units)


_CHECKED: dict[tuple, list[Problem]] = {}


@lru_cache(maxsize=4)
def _base_month(data: Location, base_date: date, _version: tuple) -> Frames:
    """Every table of the base month, typed as parts are (cached per store version: a board reads it per unit)."""
    return {t.name: remember_base(parts.typed(t.name, store.read_table(data, base_date, t))) for t in TABLES}


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(TABLES_BY_NAME[name].column_names))


def _unit(units: list[Unit], code: str) -> Unit:
    found = next((u for u in units if u.code == code), None)
    if found is None:
        raise ReportingError(f"单位代码“{code}”不是本县的上报单位")
    return found


def _key(round_id: int, unit_code: str):
    return (ROUND_PARTS.c.round_id == round_id) & (ROUND_PARTS.c.unit_code == unit_code)
