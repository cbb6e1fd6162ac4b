"""Backups that are restored, with PostgreSQL (issue 34, part 2): the demo county with a follow-up item and a login
lockout, backed up from SQLite and restored into an empty PostgreSQL, and backed up from PostgreSQL and restored into
another empty one and into SQLite; every file byte for byte, every row. A database that is not empty is refused."""

from __future__ import annotations

import pytest

from socialwork.cli import main
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server import serverdb
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.server.lockouts import LoginAttempts
from tests.backup_helpers import LOCKED_USER, TASK, ZHANG, demo_county_with_writes, folder_times, rows, store_files

pytestmark = pytest.mark.servers


@pytest.fixture
def empty_database(postgres, request):
    """A new empty database of the test cluster, dropped afterwards; its URL."""
    made = []

    def make(name: str) -> str:
        database = f"{name}_{abs(hash(request.node.nodeid)) % 10**8}"
        made.append((database, postgres.create(database)))
        return made[-1][1]

    yield make
    for database, url in made:
        serverdb.engine(url).dispose()
        postgres.drop(database)


def restored_works(url: str) -> None:
    followups = SqlFollowups(url)
    assert TASK in [item.task for item in followups.items()]
    meeting = followups.meetings()[0]
    newest = max(item.item_id for item in followups.items())
    added = followups.add_item(meeting.meeting_id, "复查", "posts_new_this_year", None, "县民政局",
                               meeting.meeting_date, ZHANG)  # fmt: skip
    assert added.item_id == newest + 1  # PostgreSQL's id sequence moved past the restored ids
    assert LoginAttempts(url, clock=lambda: 1_790_000_001.0).locked_for(LOCKED_USER) > 0


def test_sqlite_to_postgresql_and_back(tmp_path, empty_database, monkeypatch, capsys):
    county = demo_county_with_writes(tmp_path / "sqlite")
    sqlite_rows = rows(f"sqlite:///{county / FOLLOWUP_FILE}")
    archive = tmp_path / "from-sqlite.tar"
    assert main(["backup", "--data", str(county), "-o", str(archive)]) == 0

    url = empty_database("restored")
    monkeypatch.setenv(serverdb.DB_ENV, url)
    target = tmp_path / "restored"
    assert main(["restore", str(archive), "--data", str(target)]) == 0
    assert "postgresql://" in capsys.readouterr().out
    assert store_files(target) == store_files(county) and folder_times(target) == folder_times(county)
    assert not (target / FOLLOWUP_FILE).exists()  # the rows went to PostgreSQL
    assert rows(url) == sqlite_rows

    # … and from PostgreSQL back to a folder's own SQLite file, every row the same again
    again = tmp_path / "from-postgresql.tar"
    assert main(["backup", "--data", str(target), "-o", str(again)]) == 0
    monkeypatch.delenv(serverdb.DB_ENV)
    back = tmp_path / "back"
    assert main(["restore", str(again), "--data", str(back)]) == 0
    assert store_files(back) == store_files(county)
    assert rows(f"sqlite:///{back / FOLLOWUP_FILE}") == sqlite_rows
    restored_works(url)


def test_postgresql_to_an_empty_postgresql(tmp_path, empty_database, monkeypatch):
    source = empty_database("source")
    county = demo_county_with_writes(tmp_path / "pg", db_url=source)
    monkeypatch.setenv(serverdb.DB_ENV, source)
    archive = tmp_path / "county.tar"
    assert main(["backup", "--data", str(county), "-o", str(archive)]) == 0

    target_url = empty_database("target")
    monkeypatch.setenv(serverdb.DB_ENV, target_url)
    target = tmp_path / "restored"
    assert main(["restore", str(archive), "--data", str(target)]) == 0
    assert store_files(target) == store_files(county)
    assert rows(target_url) == rows(source)
    restored_works(target_url)


def test_a_database_that_is_not_empty_is_refused_before_anything_is_written(tmp_path, empty_database, monkeypatch,
                                                                           capsys):  # fmt: skip
    county = demo_county_with_writes(tmp_path / "sqlite")
    archive = tmp_path / "county.tar"
    assert main(["backup", "--data", str(county), "-o", str(archive)]) == 0
    busy = empty_database("busy")
    LoginAttempts(busy).reserve("wang")
    before = rows(busy)
    monkeypatch.setenv(serverdb.DB_ENV, busy)
    target = tmp_path / "restored"
    assert main(["restore", str(archive), "--data", str(target)]) == 2
    err = capsys.readouterr().err
    assert "不是空的" in err and "login_failures" in err and "未恢复任何数据" in err
    assert "password" not in err
    assert not target.exists() and rows(busy) == before
