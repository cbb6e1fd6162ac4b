"""The follow-up store in SQLite (standard library), one file beside the snapshots: `<data dir>/followups.sqlite`.

Every call opens its own connection (sessions run in threads, imports and the CLI in processes) and every write is
one `BEGIN IMMEDIATE` transaction: a second writer waits for the first (busy timeout) instead of failing, and two
sessions editing one item lose nothing. An update names the item as its editor saw it: fields nobody else touched
since are written, a field someone else changed meanwhile refuses the update (ConflictError) rather than overwrite
it. The rollback journal (SQLite's default) is kept over WAL so that reading, e.g. the committed demo, never leaves
-wal/-shm files beside the store.

The schema is created and migrated here: MIGRATIONS is the history, one list of statements per version, applied in
order and recorded in `schema_version`. Never edit a released step; append one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from socialwork.data.followups import (
    DEMO_READ_ONLY,
    EDITABLE_FIELDS,
    MAX_NOTE,
    MAX_TITLE,
    Change,
    ConflictError,
    Editor,
    FollowupError,
    Item,
    Meeting,
    Note,
    check_text,
    checked_fields,
)

BEIJING = ZoneInfo("Asia/Shanghai")  # every county keeps Beijing time
BUSY_TIMEOUT_S = 30.0

MIGRATIONS: list[list[str]] = [
    [  # 1: meetings, items, notes and the audit trail
        """create table meetings (
            meeting_id integer primary key,
            meeting_date text not null,
            title text not null,
            reviewed_snapshot text not null,
            created_at text not null,
            created_by text not null
        )""",
        """create table followup_items (
            item_id integer primary key,
            meeting_id integer not null references meetings (meeting_id),
            task text not null,
            metric_key text not null,
            township_code text,
            lead_unit text not null,
            due_date text not null,
            status text not null check (status in ('not_started', 'in_progress', 'done')),
            done_date text,
            created_at text not null,
            created_by text not null,
            updated_at text not null,
            updated_by text not null
        )""",
        """create table followup_notes (
            note_id integer primary key,
            item_id integer not null references followup_items (item_id),
            note_date text not null,
            note text not null,
            written_at text not null,
            written_by text not null
        )""",
        """create table followup_changes (
            change_id integer primary key,
            item_id integer not null references followup_items (item_id),
            changed_at text not null,
            changed_by text not null,
            changed_by_name text not null,
            action text not null check (action in ('created', 'updated', 'note')),
            field text,
            old_value text,
            new_value text
        )""",
        "create index followup_items_by_meeting on followup_items (meeting_id)",
        "create index followup_notes_by_item on followup_notes (item_id)",
        "create index followup_changes_by_item on followup_changes (item_id)",
    ],
]
_VERSION_TABLE = "create table if not exists schema_version (version integer primary key, applied_at text not null)"


def now_in_beijing() -> datetime:
    return datetime.now(BEIJING)


class SqliteFollowups:
    """The follow-up store in one SQLite file (see the module's docstring)."""

    def __init__(
        self, path: Path, read_only: bool = False, clock: Callable[[], datetime] = now_in_beijing,
        migrations: list[list[str]] | None = None,
    ) -> None:  # fmt: skip
        self.path, self.read_only, self.clock = path, read_only, clock
        self.migrations = MIGRATIONS if migrations is None else migrations

    # ------------------------------------------------------------ connections and schema

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)  # transactions by hand
        con.row_factory = sqlite3.Row
        con.execute("pragma foreign_keys = on")
        return con

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A connection to read from, or None when nothing has been written yet (reading never creates the file)."""
        if not self.path.exists():
            yield None
            return
        con = self._connect()
        try:
            self._migrate(con)
            yield con
        finally:
            con.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before reading what it depends on (BEGIN IMMEDIATE)."""
        if self.read_only:
            raise FollowupError(DEMO_READ_ONLY)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect()
        try:
            self._migrate(con)
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
        finally:
            con.close()

    def schema_version(self, con: sqlite3.Connection) -> int:
        try:
            return con.execute("select coalesce(max(version), 0) from schema_version").fetchone()[0]
        except sqlite3.OperationalError:  # no version table: an empty file
            return 0

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Bring the file to the latest schema; a file from a newer version is refused, not touched."""
        if self.schema_version(con) == len(self.migrations):
            return
        if self.read_only:
            raise FollowupError(f"督办事项数据库 {self.path} 的结构不是当前版本，只读数据目录中无法升级")
        con.execute("begin immediate")  # two processes opening an old file: one migrates, the other then sees it done
        try:
            con.execute(_VERSION_TABLE)
            current = self.schema_version(con)
            if current > len(self.migrations):
                raise FollowupError(
                    f"督办事项数据库 {self.path} 由更新版本的程序写入（结构版本 {current}），请升级本程序"
                )
            for version in range(current + 1, len(self.migrations) + 1):
                for statement in self.migrations[version - 1]:
                    con.execute(statement)
                con.execute("insert into schema_version values (?, ?)", (version, self._stamp()))
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")

    def _stamp(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def _today(self) -> date:
        return self.clock().date()

    # ------------------------------------------------------------ meetings

    def meetings(self) -> list[Meeting]:
        with self._reading() as con:
            rows = [] if con is None else con.execute("select * from meetings order by meeting_date, meeting_id")
            return [_meeting(row) for row in rows]

    def add_meeting(self, meeting_date: date, title: str, reviewed_snapshot: date, editor: Editor) -> Meeting:
        title = check_text(title, "会议名称", MAX_TITLE)
        if reviewed_snapshot > meeting_date:
            raise FollowupError("审议的数据日期不能晚于会议日期")
        with self._writing() as con:
            cursor = con.execute(
                "insert into meetings (meeting_date, title, reviewed_snapshot, created_at, created_by) "
                "values (?, ?, ?, ?, ?)",
                (meeting_date.isoformat(), title, reviewed_snapshot.isoformat(), self._stamp(), editor.username),
            )
            row = con.execute("select * from meetings where meeting_id = ?", (cursor.lastrowid,)).fetchone()
        return _meeting(row)

    # ------------------------------------------------------------ items

    def items(self, meeting_id: int | None = None) -> list[Item]:
        with self._reading() as con:
            if con is None:
                return []
            rows = con.execute(
                "select * from followup_items where ? is null or meeting_id = ? order by due_date, item_id",
                (meeting_id, meeting_id),
            )
            return [_item(row) for row in rows]

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
        with self._writing() as con:
            if con.execute("select 1 from meetings where meeting_id = ?", (meeting_id,)).fetchone() is None:
                raise FollowupError(f"没有编号为 {meeting_id} 的会议")
            cursor = con.execute(
                "insert into followup_items (meeting_id, task, metric_key, township_code, lead_unit, due_date, "
                "status, done_date, created_at, created_by, updated_at, updated_by) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (meeting_id, fields["task"], fields["metric_key"], fields["township_code"], fields["lead_unit"],
                 due_date.isoformat(), fields["status"], self._today().isoformat() if status == "done" else None,
                 stamp, editor.username, stamp, editor.username),
            )  # fmt: skip
            item_id = cursor.lastrowid
            self._audit(con, item_id, stamp, editor, "created", None, None, fields["task"])
            row = _item_row(con, item_id)
        return _item(row)

    def update_item(self, seen: Item, changes: dict[str, object], editor: Editor) -> Item:
        """Write the fields that differ from `seen` (the item as the editor was shown it); ConflictError, writing
        nothing, when one of them was changed by someone else since."""
        checked = checked_fields(changes)  # in the fields' own order, so the audit trail reads the same every time
        wanted = {k: checked[k] for k in EDITABLE_FIELDS if k in checked and getattr(seen, k) != checked[k]}
        if not wanted:
            return seen
        stamp = self._stamp()
        with self._writing() as con:
            row = _item_row(con, seen.item_id)
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
                assignments = ", ".join(f"{name} = ?" for name in writes)
                con.execute(
                    f"update followup_items set {assignments}, updated_at = ?, updated_by = ? where item_id = ?",
                    (*(_text(v) for v in writes.values()), stamp, editor.username, seen.item_id),
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
        with self._writing() as con:
            if _item_row(con, item_id) is None:
                raise FollowupError(f"没有编号为 {item_id} 的督办事项")
            cursor = con.execute(
                "insert into followup_notes (item_id, note_date, note, written_at, written_by) values (?, ?, ?, ?, ?)",
                (item_id, note_date.isoformat(), note, stamp, editor.username),
            )
            con.execute(
                "update followup_items set updated_at = ?, updated_by = ? where item_id = ?",
                (stamp, editor.username, item_id),
            )
            self._audit(con, item_id, stamp, editor, "note", None, None, note)
            row = con.execute("select * from followup_notes where note_id = ?", (cursor.lastrowid,)).fetchone()
        return _note(row)

    def notes(self, item_id: int | None = None) -> list[Note]:
        with self._reading() as con:
            if con is None:
                return []
            rows = con.execute(
                "select * from followup_notes where ? is null or item_id = ? order by note_date, note_id",
                (item_id, item_id),
            )
            return [_note(row) for row in rows]

    def history(self, item_id: int) -> list[Change]:
        with self._reading() as con:
            if con is None:
                return []
            rows = con.execute("select * from followup_changes where item_id = ? order by change_id", (item_id,))
            return [Change(**dict(row)) for row in rows]

    def _audit(self, con, item_id, stamp, editor: Editor, action, field, old, new) -> None:
        con.execute(
            "insert into followup_changes (item_id, changed_at, changed_by, changed_by_name, action, field, "
            "old_value, new_value) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, stamp, editor.username, editor.display_name, action, field, old, new),
        )


def _item_row(con: sqlite3.Connection, item_id: int) -> sqlite3.Row | None:
    return con.execute("select * from followup_items where item_id = ?", (item_id,)).fetchone()


def _text(value: object) -> str | None:
    """A value as stored: dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else (None if value is None else str(value))


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _meeting(row: sqlite3.Row) -> Meeting:
    values = dict(row)
    values["meeting_date"], values["reviewed_snapshot"] = _day(row["meeting_date"]), _day(row["reviewed_snapshot"])
    return Meeting(**values)


def _item(row: sqlite3.Row) -> Item:
    values = dict(row)
    values["due_date"], values["done_date"] = _day(row["due_date"]), _day(row["done_date"])
    return Item(**values)


def _note(row: sqlite3.Row) -> Note:
    values = dict(row)
    values["note_date"] = _day(row["note_date"])
    return Note(**values)
