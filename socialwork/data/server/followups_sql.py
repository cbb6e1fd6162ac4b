"""The follow-up store in the server database (serverdb.py): PostgreSQL for several replicas, else SQLite beside the
snapshots, `<data dir>/followups.sqlite`; the same statements for both.

Every write is one transaction that locks what it depends on before reading it (SQLite: the whole file at BEGIN;
PostgreSQL: the item's row), so two sessions or replicas editing one item lose nothing. An update names the item as
its editor saw it: fields nobody else touched since are written, a field someone else changed meanwhile refuses the
update (ConflictError) rather than overwrite it. SQLite keeps its rollback journal (not WAL) so that reading, e.g.
the committed demo, never leaves -wal/-shm files beside the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from socialwork.data.server import access, serverdb
from socialwork.data.server.followups import (
    DEMO_READ_ONLY,
    EDITABLE_FIELDS,
    MAX_NOTE,
    MAX_TITLE,
    Change,
    ConflictError,
    Editor,
    FollowupError,
    FollowupStore,
    Item,
    Meeting,
    Note,
    check_text,
    checked_fields,
)
from socialwork.data.server.serverdb import CHANGES, ITEMS, MEETINGS, NOTES
from socialwork.data.storage.layout import is_demo
from socialwork.data.storage.location import Location

BEIJING = ZoneInfo("Asia/Shanghai")  # every county keeps Beijing time
KEPT_READS = 64  # reads kept by SqlFollowups._kept, the oldest dropped first
_KEPT: dict[tuple, tuple] = {}
_KEPT_LOCK = threading.Lock()
T = TypeVar("T")


def now_in_beijing() -> datetime:
    return datetime.now(BEIJING)


def open_followups(data: Location) -> FollowupStore:
    """The follow-up store of a snapshot store: the server database, $SOCIALWORK_DB or an SQLite file
    (serverdb.server_url: beside the snapshots, read-only for the built-in demo, which `python -m socialwork demo`
    rewrites; for a bucket store, in this server's local folder, since objects cannot hold a database)."""
    return SqlFollowups(serverdb.server_url(data), read_only=is_demo(data))


class SqlFollowups:
    """The follow-up store in one database, named by its SQLAlchemy URL (see the module's docstring)."""

    def __init__(
        self, url: str, read_only: bool = False, clock: Callable[[], datetime] = now_in_beijing,
        migrations: list[serverdb.Migration] | None = None,
    ) -> None:  # fmt: skip
        self.url, self.read_only, self.clock = url, read_only, clock
        self.migrations = serverdb.MIGRATIONS if migrations is None else migrations
        self.path = serverdb.sqlite_path(url)  # None on PostgreSQL

    @classmethod
    def sqlite(cls, path: Path, **options) -> SqlFollowups:
        """The store in the SQLite file at `path`."""
        return cls(f"sqlite:///{path}", **options)

    # ------------------------------------------------------------ connections and schema

    def _migrated(self) -> None:
        try:
            serverdb.migrate(serverdb.engine(self.url), self.clock, self.read_only, self.migrations)
        except serverdb.SchemaError as err:
            raise FollowupError(str(err)) from err

    def _kept(self, what: tuple, read: Callable[[Connection], list[T]]) -> list[T]:
        """read(con)'s rows, kept while an SQLite file stands as it was read (serverdb.sqlite_version): every page
        view reads the meetings, items and notes, a connection and a schema check each (80 ms a rerun of
        会议演示). Read each time from PostgreSQL, whose other replicas write unseen."""
        version = serverdb.sqlite_version(self.path) if self.path is not None else None  # before the read: a
        key = (self.url, what, version)  # write meanwhile is read again next time, never kept as the older state
        if version is not None and (rows := _KEPT.get(key)) is not None:
            return list(rows)
        with self._reading() as con:
            read_now = [] if con is None else read(con)
        if version is not None:
            with _KEPT_LOCK:
                _KEPT[key] = tuple(read_now)
                while len(_KEPT) > KEPT_READS:
                    _KEPT.pop(next(iter(_KEPT)))
        return read_now

    @contextmanager
    def _reading(self) -> Iterator[Connection | None]:
        """A connection to read from, or None when nothing has been written yet (reading never creates a file)."""
        if self.path is not None and not self.path.exists():
            yield None
            return
        with serverdb.answering(self.url, writing=False):
            self._migrated()
            with serverdb.engine(self.url).connect() as con, con.begin():
                yield con

    @contextmanager
    def _writing(self, editor: Editor) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, taken before reading what the write depends on), for an
        editor whose role may write follow-ups (access.require: refused here whatever the page showed)."""
        if self.read_only:
            raise FollowupError(DEMO_READ_ONLY)
        try:
            access.require(editor, "followup_write")
        except access.AccessDenied as err:
            raise FollowupError(str(err)) from err
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with serverdb.answering(self.url, writing=True):
                self._migrated()
                with serverdb.engine(self.url).connect().execution_options(writing=True) as con, con.begin():
                    yield con
        except serverdb.ServerDbUnavailable as err:  # every form already shows a FollowupError: the same place
            raise FollowupError(str(err)) from err

    def _stamp(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _today(self) -> date:
        return self.clock().date()

    # ------------------------------------------------------------ meetings

    def meetings(self) -> list[Meeting]:
        query = sa.select(MEETINGS).order_by(MEETINGS.c.meeting_date, MEETINGS.c.meeting_id)
        return self._kept(("meetings",), lambda con: [_meeting(row) for row in con.execute(query).mappings()])

    def add_meeting(self, meeting_date: date, title: str, reviewed_snapshot: date, editor: Editor) -> Meeting:
        title = check_text(title, "会议名称", MAX_TITLE)
        if reviewed_snapshot > meeting_date:
            raise FollowupError("审议的数据日期不能晚于会议日期")
        with self._writing(editor) as con:
            row = con.execute(
                MEETINGS.insert()
                .values(meeting_date=meeting_date.isoformat(), title=title,
                        reviewed_snapshot=reviewed_snapshot.isoformat(), created_at=self._stamp(),
                        created_by=editor.username)
                .returning(*MEETINGS.c)
            ).mappings().one()  # fmt: skip
        return _meeting(row)

    # ------------------------------------------------------------ items

    def items(self, meeting_id: int | None = None) -> list[Item]:
        query = sa.select(ITEMS).order_by(ITEMS.c.due_date, ITEMS.c.item_id)
        if meeting_id is not None:
            query = query.where(ITEMS.c.meeting_id == meeting_id)
        return self._kept(("items", meeting_id), lambda con: [_item(row) for row in con.execute(query).mappings()])

    def item(self, item_id: int) -> Item:
        with self._reading() as con:
            row = None if con is None else _item_row(con, item_id)
        if row is None:
            raise FollowupError(f"没有编号为 {item_id} 的督办事项")
        return _item(row)

    def add_item(
        self, meeting_id: int, task: str, metric_key: str, township_code: str | None, lead_unit: str, due_date: date,
        editor: Editor, status: str = "not_started",
    ) -> Item:  # fmt: skip
        fields = checked_fields({"task": task, "metric_key": metric_key, "township_code": township_code,
                                 "lead_unit": lead_unit, "due_date": due_date, "status": status})  # fmt: skip
        stamp = self._stamp()
        with self._writing(editor) as con:
            found = con.execute(sa.select(MEETINGS.c.meeting_id).where(MEETINGS.c.meeting_id == meeting_id))
            if found.first() is None:
                raise FollowupError(f"没有编号为 {meeting_id} 的会议")
            row = con.execute(
                ITEMS.insert()
                .values(meeting_id=meeting_id, **{k: _text(v) for k, v in fields.items()},
                        done_date=self._today().isoformat() if status == "done" else None,
                        created_at=stamp, created_by=editor.username, updated_at=stamp, updated_by=editor.username)
                .returning(*ITEMS.c)
            ).mappings().one()  # fmt: skip
            self._audit(con, row["item_id"], stamp, editor, "created", None, None, fields["task"])
        return _item(row)

    def update_item(self, seen: Item, changes: dict[str, object], editor: Editor) -> Item:
        """Write the fields that differ from `seen` (the item as the editor was shown it); ConflictError, writing
        nothing, when one of them was changed by someone else since."""
        checked = checked_fields(changes)  # in the fields' own order, so the audit trail reads the same every time
        wanted = {k: checked[k] for k in EDITABLE_FIELDS if k in checked and getattr(seen, k) != checked[k]}
        if not wanted:
            return seen
        stamp = self._stamp()
        with self._writing(editor) as con:
            row = _item_row(con, seen.item_id, lock=True)  # PostgreSQL: other editors of this item wait here
            if row is None:
                raise FollowupError(f"没有编号为 {seen.item_id} 的督办事项")
            current = _item(row)
            # Someone else changed the field since it was shown, to something other than what this editor wants.
            clashes = [f for f, v in wanted.items() if getattr(current, f) not in (getattr(seen, f), v)]
            if clashes:
                raise ConflictError(clashes, current)
            writes = {f: v for f, v in wanted.items() if getattr(current, f) != v}
            if "status" in writes:  # the done date follows the status
                writes["done_date"] = self._today() if writes["status"] == "done" else None
            if writes:
                con.execute(
                    ITEMS.update()
                    .where(ITEMS.c.item_id == seen.item_id)
                    .values(**{k: _text(v) for k, v in writes.items()}, updated_at=stamp, updated_by=editor.username)
                )  # the names come from EDITABLE_FIELDS (checked_fields), never from a user
                for name, value in writes.items():
                    if name != "done_date":
                        self._audit(con, seen.item_id, stamp, editor, "updated", name, _text(getattr(current, name)),
                                    _text(value))  # fmt: skip
            row = _item_row(con, seen.item_id)
        return _item(row)

    # ------------------------------------------------------------ notes and the audit trail

    def add_note(self, item_id: int, note_date: date, note: str, editor: Editor) -> Note:
        note = check_text(note, "进展情况", MAX_NOTE)
        stamp = self._stamp()
        with self._writing(editor) as con:
            if _item_row(con, item_id, lock=True) is None:  # the item's row first, as update_item: no deadlock
                raise FollowupError(f"没有编号为 {item_id} 的督办事项")
            row = con.execute(
                NOTES.insert()
                .values(item_id=item_id, note_date=note_date.isoformat(), note=note, written_at=stamp,
                        written_by=editor.username)
                .returning(*NOTES.c)
            ).mappings().one()  # fmt: skip
            con.execute(
                ITEMS.update().where(ITEMS.c.item_id == item_id).values(updated_at=stamp, updated_by=editor.username)
            )
            self._audit(con, item_id, stamp, editor, "note", None, None, note)
        return _note(row)

    def notes(self, item_id: int | None = None) -> list[Note]:
        query = sa.select(NOTES).order_by(NOTES.c.note_date, NOTES.c.note_id)
        if item_id is not None:
            query = query.where(NOTES.c.item_id == item_id)
        return self._kept(("notes", item_id), lambda con: [_note(row) for row in con.execute(query).mappings()])

    def history(self, item_id: int) -> list[Change]:
        with self._reading() as con:
            if con is None:
                return []
            rows = con.execute(sa.select(CHANGES).where(CHANGES.c.item_id == item_id).order_by(CHANGES.c.change_id))
            return [Change(**row) for row in rows.mappings()]

    def _audit(self, con: Connection, item_id, stamp, editor: Editor, action, field, old, new) -> None:
        con.execute(
            CHANGES.insert().values(
                item_id=item_id, changed_at=stamp, changed_by=editor.username, changed_by_name=editor.display_name,
                action=action, field=field, old_value=old, new_value=new,
            )
        )  # fmt: skip


def _item_row(con: Connection, item_id: int, lock: bool = False) -> RowMapping | None:
    """The item's row; `lock` holds it for this transaction on PostgreSQL (FOR NO KEY UPDATE; SQLite's BEGIN
    IMMEDIATE already holds the file)."""
    query = sa.select(ITEMS).where(ITEMS.c.item_id == item_id)
    if lock:
        query = query.with_for_update(key_share=True)
    return con.execute(query).mappings().first()


def _text(value: object) -> str | None:
    """A value as stored: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else (None if value is None else str(value))


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _meeting(row: RowMapping) -> Meeting:
    values = dict(row)
    values["meeting_date"], values["reviewed_snapshot"] = _day(row["meeting_date"]), _day(row["reviewed_snapshot"])
    return Meeting(**values)


def _item(row: RowMapping) -> Item:
    values = dict(row)
    values["due_date"], values["done_date"] = _day(row["due_date"]), _day(row["done_date"])
    return Item(**values)


def _note(row: RowMapping) -> Note:
    values = dict(row)
    values["note_date"] = _day(row["note_date"])
    return Note(**values)
