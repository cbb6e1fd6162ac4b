"""The server database down: every page still shows its figures, follow-ups and logins say they cannot be read, a
write is refused with nothing written, and the database back is used again without a restart."""

from __future__ import annotations

import time
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.server import serverdb
from socialwork.data.server.followups import Editor, FollowupError
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.server.lockouts import LoginAttempts
from socialwork.data.server.serverdb import ServerDbUnavailable
from socialwork.figures.place_filter import Places
from socialwork.present.meeting import slides
from socialwork.present.tables import followups as followup_tables

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
PAGES = sorted(p.name for p in (settings.REPO_ROOT / "pages").glob("*.py"))
NOBODY = "postgresql://socialwork@127.0.0.1:9/socialwork"  # the discard port: refused at once
EDITOR = Editor("clerk", "办事员", "reviewer")  # a role that writes follow-ups (access.py)


@pytest.fixture
def database_down(monkeypatch):
    monkeypatch.setenv(serverdb.DB_ENV, NOBODY)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_its_figures_without_the_server_database(database_down, page):
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = " ".join(str(e.value) for kind in ("caption", "markdown", "info") for e in at.get(kind))
    shown += " ".join(str(e.proto.body) for e in at.get("html"))
    if page in ("targets.py", "followups.py", "overview.py"):
        assert "暂时无法读取（服务器数据库不可用）" in shown


def test_follow_ups_and_the_meeting_slide_say_they_cannot_be_read(database_down, demo_store):
    as_of = date(2026, 10, 31)
    view = followup_tables.load(as_of, Places.everywhere(), demo_store)
    assert view.unreadable and not view.items and view.read_only
    assert followup_tables.slide_parts(view) == (followup_tables.UNREADABLE_TEXT, None)
    exported = followup_tables.export_table(view)
    assert exported["督办事项"].tolist() == [followup_tables.UNREADABLE_TEXT]
    deck = slides.meeting(as_of, Places.everywhere(), {}, demo_store)
    assert any(s.caption == followup_tables.UNREADABLE_TEXT for s in deck.slides)


def test_a_write_is_refused_in_chinese_and_a_login_is_not_counted_as_let_in():
    store = SqlFollowups(NOBODY)
    with pytest.raises(FollowupError, match=r"服务器数据库不可用.*本次修改未保存"):
        store.add_meeting(date(2026, 11, 5), "十一月调度会", date(2026, 10, 31), EDITOR)
    with pytest.raises(ServerDbUnavailable, match="暂时无法读取"):
        store.meetings()
    with pytest.raises(ServerDbUnavailable):
        LoginAttempts(NOBODY).reserve("clerk")


def test_a_database_that_does_not_answer_is_given_up_on_in_seconds():
    started = time.monotonic()
    with pytest.raises(ServerDbUnavailable):
        SqlFollowups("postgresql://socialwork@10.255.255.1:5432/socialwork").meetings()  # routed nowhere: no answer
    assert time.monotonic() - started < 3 * serverdb.CONNECT_TIMEOUT_S + 1


def test_the_database_back_is_used_again_without_a_restart(postgres):
    url = postgres.create("comeback")
    store = SqlFollowups(url)
    meeting = store.add_meeting(date(2026, 11, 5), "十一月调度会", date(2026, 10, 31), EDITOR)
    postgres.halt()
    try:
        with pytest.raises(ServerDbUnavailable):
            store.meetings()
        with pytest.raises(FollowupError, match="本次修改未保存"):
            store.add_item(meeting.meeting_id, "补齐城市社区持证社工", "certified_net_increase", None, "县民政局",
                           date(2026, 12, 31), EDITOR)  # fmt: skip
    finally:
        postgres.resume()
    assert store.meetings() == [meeting]
    assert store.items() == []  # the refused write left nothing
    store.add_item(meeting.meeting_id, "补齐城市社区持证社工", "certified_net_increase", None, "县民政局",
                   date(2026, 12, 31), EDITOR)  # fmt: skip
    assert len(store.items()) == 1
    serverdb.engine(url).dispose()
    postgres.drop("comeback")
