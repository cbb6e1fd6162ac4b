"""The follow-up store: an item's lifecycle with its audit trail, what may be typed, the schema's migrations,
edits from many threads and processes at once (nothing lost), and the built-in demo's meetings. The store's tests
run on both server databases, SQLite and PostgreSQL (`server_db` in conftest.py)."""

from __future__ import annotations

import contextlib
import multiprocessing
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialwork.data.contract.followup_tables import FOLLOWUP_FILE, FOLLOWUP_TABLES
from socialwork.data.demo.followups import DEMO_ITEMS, DEMO_MEETINGS, write_demo_followups
from socialwork.data.server.followups import (
    ConflictError,
    Editor,
    FollowupError,
    in_scope,
    last_meeting_before,
    seen_by,
)
from socialwork.data.server.followups_sql import BEIJING, SqlFollowups, open_followups
from socialwork.data.server.serverdb import MIGRATIONS, engine

ZHANG, LI = Editor("zhang", "数据员小张", "reviewer"), Editor("li", "数据员小李", "reviewer")


class Clock:
    """A settable clock: each entry's time is the one the test says."""

    def __init__(self, when: datetime) -> None:
        self.when = when

    def __call__(self) -> datetime:
        return self.when


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 8, 10, 0, tzinfo=BEIJING))


@pytest.fixture
def store(server_db, clock) -> SqlFollowups:
    return SqlFollowups(server_db, clock=clock)


def new_item(store: SqlFollowups, **fields):
    meeting = store.meetings()[0] if store.meetings() else store.add_meeting(
        date(2026, 9, 8), "2026年8月调度会", date(2026, 8, 31), ZHANG
    )  # fmt: skip
    values = {"task": "新开发社工岗位不少于5个", "metric_key": "posts_new_this_year", "township_code": None,
              "lead_unit": "县民政局、县人社局", "due_date": date(2026, 10, 15)} | fields  # fmt: skip
    return store.add_item(meeting.meeting_id, editor=ZHANG, **values)


def test_reading_an_empty_store_creates_nothing(tmp_path):
    store = open_followups(tmp_path)
    assert store.meetings() == [] and store.items() == [] and store.notes() == [] and store.history(1) == []
    assert not (tmp_path / FOLLOWUP_FILE).exists()


def test_an_item_from_creation_to_done_keeps_who_and_when(store, clock):
    item = new_item(store)
    assert (item.status, item.done_date, item.created_by) == ("not_started", None, "zhang")
    clock.when = datetime(2026, 9, 21, 15, 30, tzinfo=BEIJING)
    item = store.update_item(item, {"status": "in_progress"}, LI)
    store.add_note(item.item_id, date(2026, 9, 21), "已与县医院对接设岗", LI)
    clock.when = datetime(2026, 10, 20, 9, 0, tzinfo=BEIJING)
    done = store.update_item(store.item(item.item_id), {"status": "done", "due_date": date(2026, 10, 31)}, ZHANG)
    assert (done.status, done.done_date, done.due_date) == ("done", date(2026, 10, 20), date(2026, 10, 31))
    assert (done.updated_at, done.updated_by) == ("2026-10-20T09:00:00+08:00", "zhang")
    trail = [(c.changed_at[:10], c.changed_by_name, c.action, c.field, c.old_value, c.new_value)
             for c in store.history(item.item_id)]  # fmt: skip
    assert trail == [
        ("2026-09-08", "数据员小张", "created", None, None, "新开发社工岗位不少于5个"),
        ("2026-09-21", "数据员小李", "updated", "status", "not_started", "in_progress"),
        ("2026-09-21", "数据员小李", "note", None, None, "已与县医院对接设岗"),
        ("2026-10-20", "数据员小张", "updated", "due_date", "2026-10-15", "2026-10-31"),
        ("2026-10-20", "数据员小张", "updated", "status", "in_progress", "done"),
    ]
    reopened = store.update_item(done, {"status": "in_progress"}, ZHANG)
    assert reopened.done_date is None  # the done date follows the status


def test_overdue_is_derived_from_the_due_date_and_the_as_of_date(store):
    item = new_item(store, due_date=date(2026, 10, 15))
    assert not item.overdue(date(2026, 10, 15)) and item.overdue(date(2026, 10, 31))
    assert not store.update_item(item, {"status": "done"}, ZHANG).overdue(date(2026, 10, 31))


def test_an_edit_of_an_old_view_keeps_what_others_changed_and_refuses_a_clash(store):
    shown = new_item(store)  # two people open the same item
    store.update_item(shown, {"status": "in_progress"}, LI)
    merged = store.update_item(shown, {"lead_unit": "县民政局"}, ZHANG)  # another field: both kept
    assert (merged.status, merged.lead_unit) == ("in_progress", "县民政局")
    with pytest.raises(ConflictError, match="“状态”已被其他人修改") as clash:
        store.update_item(shown, {"status": "done"}, ZHANG)  # the field Li changed: refused, not overwritten
    assert clash.value.current.status == "in_progress" and store.item(shown.item_id).status == "in_progress"
    same = store.update_item(shown, {"status": "in_progress"}, ZHANG)  # the same change twice is no clash
    assert [c.field for c in store.history(shown.item_id)].count("status") == 1 and same.status == "in_progress"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lead_unit": "张三"}, "牵头单位应为部门或乡镇（街道）名称"),
        ({"lead_unit": "县民政局、王五"}, "牵头单位应为部门或乡镇（街道）名称"),
        ({"lead_unit": "县民政局 13812345678"}, "疑似包含身份证号或电话号码"),
        ({"task": "联系 138-1234-5678 落实"}, "疑似包含身份证号或电话号码"),
        ({"task": "  "}, "督办事项不能为空"),
        ({"task": "很" * 201}, "督办事项过长"),
        ({"task": "a\x07b"}, "控制字符"),
        ({"metric_key": "no_such_metric"}, "未知的目标指标"),
        ({"status": "finished"}, "未知的状态"),
    ],
)
def test_what_cannot_be_stored_is_refused_in_chinese(store, fields, message):
    with pytest.raises(FollowupError, match=message):
        new_item(store, **fields)
    assert store.items() == []


def test_lead_units_name_offices(store):
    item = new_item(store, lead_unit="县财政局，县民政局 城关街道")
    assert item.lead_unit == "县财政局、县民政局、城关街道"
    with pytest.raises(FollowupError, match="进展情况疑似包含身份证号"):
        store.add_note(item.item_id, date(2026, 9, 9), "身份证 110101199003071234", ZHANG)


def test_a_meeting_cannot_review_a_later_snapshot(store):
    with pytest.raises(FollowupError, match="不能晚于会议日期"):
        store.add_meeting(date(2026, 9, 8), "调度会", date(2026, 9, 30), ZHANG)


def _due_date_index(con) -> None:
    con.execute(sa.text("create index followup_items_by_due_date on followup_items (due_date)"))


def test_the_schema_is_migrated_in_order_and_recorded(server_db, clock):
    old = SqlFollowups(server_db, clock=clock, migrations=MIGRATIONS[:1])
    item = new_item(old)
    newer = SqlFollowups(server_db, clock=clock, migrations=[*MIGRATIONS, _due_date_index])
    assert newer.item(item.item_id) == item  # what was stored survives the migration
    with engine(server_db).connect() as con:
        versions = con.execute(sa.text("select version from schema_version order by 1")).scalars().all()
        assert versions == list(range(1, len(MIGRATIONS) + 2))
        assert "followup_items_by_due_date" in {i["name"] for i in sa.inspect(con).get_indexes("followup_items")}
    with pytest.raises(FollowupError, match="由更新版本的程序写入"):
        SqlFollowups(server_db, clock=clock).meetings()  # a program that knows one step less leaves it alone


def test_the_stored_columns_are_the_contracts(store):
    new_item(store)
    with engine(store.url).connect() as con:
        for table in FOLLOWUP_TABLES:
            assert tuple(c["name"] for c in sa.inspect(con).get_columns(table.name)) == table.column_names


def test_sixteen_threads_at_once_lose_nothing(store):
    """Each thread adds notes and its own items and edits a field of the shared item, all at the same moment."""
    shared = new_item(store)
    start = threading.Barrier(16)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        editor = Editor(f"user{n}", f"用户{n}", "reviewer")
        start.wait()
        try:
            for k in range(5):
                store.add_note(shared.item_id, date(2026, 9, 9), f"线程{n}第{k}条", editor)
            new_item(store, task=f"线程{n}的事项")
            if n == 0:
                store.update_item(shared, {"status": "in_progress"}, editor)
            if n == 1:
                store.update_item(shared, {"due_date": date(2026, 11, 30)}, editor)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.notes(shared.item_id)) == 16 * 5
    assert len(store.items()) == 17
    final = store.item(shared.item_id)
    assert (final.status, final.due_date) == ("in_progress", date(2026, 11, 30))  # both edits, neither lost
    assert len(store.history(shared.item_id)) == 1 + 16 * 5 + 2


def _process_work(url: str, n: int, item_id: int, start) -> None:
    store = SqlFollowups(url)
    editor = Editor(f"proc{n}", f"进程{n}", "reviewer")
    start.wait()
    for k in range(10):
        store.add_note(item_id, date(2026, 9, 9), f"进程{n}第{k}条", editor)
    shown = store.item(item_id)
    change = {"task": f"事项（进程{n}改写）"} if n == 0 else {"lead_unit": f"县民政局、{n}号街道"}
    # Another process may have changed the lead unit since this one read it: refused then, not overwritten.
    with contextlib.suppress(ConflictError):
        store.update_item(shown, change, editor)


def test_four_processes_at_once_lose_nothing(store):
    shared = new_item(store)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(4)
    workers = [context.Process(target=_process_work, args=(store.url, n, shared.item_id, start))
               for n in range(4)]  # fmt: skip
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert sorted(n.note for n in store.notes(shared.item_id)) == sorted(
        f"进程{n}第{k}条" for n in range(4) for k in range(10)
    )
    final = store.item(shared.item_id)
    assert final.task == "事项（进程0改写）"  # process 0's field kept beside the others' lead-unit edits
    lead_edits = [c for c in store.history(shared.item_id) if c.field == "lead_unit"]
    assert final.lead_unit == lead_edits[-1].new_value and 1 <= len(lead_edits) <= 3  # each one on record


def test_last_meeting_scope_and_what_a_view_of_a_date_sees(store):
    first = store.add_meeting(date(2026, 7, 10), "推进会", date(2026, 6, 30), ZHANG)
    second = store.add_meeting(date(2026, 9, 8), "调度会", date(2026, 8, 31), ZHANG)
    meetings = store.meetings()
    assert last_meeting_before(meetings, date(2026, 10, 31)) == second
    assert last_meeting_before(meetings, date(2026, 8, 31)) == first  # a meeting does not precede its own data
    assert last_meeting_before(meetings, date(2026, 6, 30)) is None
    county = store.add_item(first.meeting_id, "全县事项", "posts_new_this_year", None, "县民政局", date(2026, 8, 1),
                            ZHANG)  # fmt: skip
    town = store.add_item(second.meeting_id, "乡镇事项", "stations_star_rated", "999901201", "马坪乡",
                          date(2026, 9, 30), ZHANG)  # fmt: skip
    assert in_scope([county, town], ["999901201"]) == [town]
    assert in_scope([county, town], None) == [county, town]
    assert seen_by([county, town], meetings, date(2026, 7, 31)) == [county]


def test_writing_follow_ups_leaves_the_snapshots_as_they_were(fixture_store, tmp_path):
    import shutil

    from socialwork.data.storage.store import store_version

    root = tmp_path / "store"
    shutil.copytree(fixture_store, root)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")}
    version = store_version(root)
    store = open_followups(root)
    new_item(store)
    store.add_note(1, date(2026, 9, 9), "进展", ZHANG)
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")} == before
    assert store_version(root) == version  # no cached figure is thrown away for an edit


def test_the_demo_store_is_read_only(demo_store):
    store = open_followups(demo_store)
    assert store.read_only and len(store.meetings()) == len(DEMO_MEETINGS)
    with pytest.raises(FollowupError, match="内置演示数据目录"):
        store.add_meeting(date(2026, 11, 5), "推进会", date(2026, 10, 31), ZHANG)


def _rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as con:
        names = [t.name for t in FOLLOWUP_TABLES] + ["schema_version"]
        return {name: con.execute(f"select * from {name} order by 1").fetchall() for name in names}


def test_committed_demo_followups_equal_what_the_generator_writes(demo_store, tmp_path):
    from socialwork.data.demo.county import DemoCounty

    codes = {t["name"]: t["code"] for t in DemoCounty().townships}
    write_demo_followups(tmp_path / FOLLOWUP_FILE, codes)
    assert _rows(demo_store / FOLLOWUP_FILE) == _rows(tmp_path / FOLLOWUP_FILE)
    assert len(_rows(tmp_path / FOLLOWUP_FILE)["followup_items"]) == len(DEMO_ITEMS)


def test_the_demo_has_items_done_and_overdue_at_its_last_snapshot(demo_store):
    items = open_followups(demo_store).items()
    last = date(2026, 10, 31)
    assert sum(i.status == "done" for i in items) == 3
    assert sorted(i.task[:6] for i in items if i.overdue(last)) == ["在医务、残疾", "马坪乡社工站"]


def test_reads_of_an_unchanged_sqlite_file_are_kept_and_any_commit_reads_again(tmp_path, clock):
    path = tmp_path / "server.sqlite"
    store, other = SqlFollowups.sqlite(path, clock=clock), SqlFollowups.sqlite(path, clock=clock)
    item = new_item(store)
    connections = []
    sa.event.listen(engine(store.url), "connect", lambda *_: connections.append(1))
    assert [i.item_id for i in store.items()] == [item.item_id] and len(store.notes()) == 0
    assert [m.title for m in store.meetings()] == ["2026年8月调度会"]
    opened = len(connections)
    assert store.items() == [item] and store.notes() == [] and len(store.meetings()) == 1
    assert len(connections) == opened  # kept: no connection, no schema check
    other.add_note(item.item_id, date(2026, 9, 9), "已对接人社局", LI)  # another session's write
    assert [n.note for n in store.notes()] == ["已对接人社局"]
    with contextlib.closing(sqlite3.connect(path)) as con, con:  # another process's, outside SQLAlchemy
        con.execute("update followup_items set status = 'done' where item_id = ?", (item.item_id,))
    assert store.items()[0].status == "done"
    kept = store.items()
    kept.clear()  # a caller's list is its own
    assert len(store.items()) == 1
