"""Several servers: PostgreSQL as the server database, two app replicas behind HAProxy, spoken to at the protocol
level (socialwork/cluster/load.py). A follow-up item written through one replica's database connection is shown by
the other, five wrong passwords through one replica lock the user on the other, and when a replica dies mid-session
HAProxy sends every new session, and a browser whose cookie names the dead replica, to the survivor without an
error. Marker `servers`: test.sh runs these alone, after the rest."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date
from pathlib import Path

import pytest
import websockets

from socialwork.cluster import haproxy, load, replicas
from socialwork.data.followups import Editor
from socialwork.data.followups_sql import SqlFollowups
from socialwork.present.auth import LOCKOUT_AFTER, save_user

pytestmark = pytest.mark.servers
PASSWORD = "Lantern-river-42"
TASK = "新开发社工岗位不少于3个"  # the fixture county's last snapshot is 2025-03-31


@pytest.fixture(scope="module")
def snapshot_store(fixture_store, tmp_path_factory) -> Path:
    """What every replica reads. HOOK for the object store (branch objstore): start SeaweedFS here, import the
    fixture county into `s3://…` and return that URL (SOCIALWORK_DATA); its import-through-one/read-through-other
    check goes into this file beside the follow-up one."""
    root = tmp_path_factory.mktemp("servers") / "store"
    shutil.copytree(fixture_store, root)
    return root


@pytest.fixture(scope="module")
def auth_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("auth") / "users.toml"
    save_user(path, "zhang", "数据员小张", PASSWORD)
    save_user(path, "li", "数据员小李", PASSWORD)
    return path


@pytest.fixture(scope="module")
def cluster(postgres, snapshot_store, auth_file):
    """Two replicas sharing the PostgreSQL of conftest.py and the store, HAProxy in front (its static cache on)."""
    running = replicas.start(2, data=snapshot_store, db_url=postgres.url(),
                             env={"SOCIALWORK_AUTH_FILE": str(auth_file)})  # fmt: skip
    yield running
    running.stop()


def ws_url(http: str) -> str:
    return http.replace("http://", "ws://") + "/_stcore/stream"


async def open_page(url: str, page: str = "", cookie: str | None = None) -> tuple[object, load.Page]:
    """A new session on `page`: the socket and what its first run showed."""
    headers = {"Cookie": cookie} if cookie else None
    ws = await websockets.connect(ws_url(url), subprotocols=["streamlit"], max_size=None, additional_headers=headers)
    await ws.send(load.rerun_message(page))
    return ws, await asyncio.wait_for(load.read_run(ws, load.Page()), load.RUN_TIMEOUT_S)


async def rerun(ws, page_name: str, seen: load.Page, widgets) -> load.Page:
    await ws.send(load.rerun_message(page_name, seen.script_hash, widgets))
    fresh = load.Page(script_hash=seen.script_hash, widget_id=seen.widget_id, options=seen.options)
    return await asyncio.wait_for(load.read_run(ws, fresh), load.RUN_TIMEOUT_S)


async def log_in(url: str, username: str, password: str) -> load.Page:
    """Submit the login form of 会议督办 on a new session, as a browser sends it: both fields and the button."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    ws, page = await open_page(url, "followups")
    try:
        fields = [WidgetState(id=page.inputs["用户名"], string_value=username),
                  WidgetState(id=page.inputs["密码"], string_value=password),
                  WidgetState(id=page.inputs["登录"], trigger_value=True)]  # fmt: skip
        return await rerun(ws, "followups", page, fields)
    finally:
        await ws.close()


def test_an_item_written_beside_one_replica_is_shown_by_both(cluster, postgres, snapshot_store):
    store = SqlFollowups(postgres.url())
    meeting = store.add_meeting(date(2025, 4, 8), "2025年3月调度会", date(2025, 3, 31), Editor("zhang", "数据员小张"))
    store.add_item(meeting.meeting_id, TASK, "posts_new_this_year", None, "城关街道", date(2025, 5, 15),
                   Editor("zhang", "数据员小张"))  # fmt: skip

    async def shown(url: str) -> bool:
        ws, page = await open_page(url, "followups")
        await ws.close()
        assert page.exceptions == []
        return any(TASK in text for text in page.texts)

    assert [asyncio.run(shown(cluster.replica_url(n))) for n in (0, 1)] == [True, True]


def test_five_wrong_passwords_on_one_replica_lock_the_user_on_the_other(cluster):
    first, second = cluster.replica_url(0), cluster.replica_url(1)
    wrong = [asyncio.run(log_in(first, "li", f"guess-{n:02d}-long")).alerts for n in range(LOCKOUT_AFTER)]
    assert wrong == [["用户名或密码不正确"]] * LOCKOUT_AFTER
    locked = asyncio.run(log_in(second, "li", PASSWORD)).alerts
    assert len(locked) == 1 and locked[0].startswith("登录失败次数过多")
    other = asyncio.run(log_in(second, "zhang", PASSWORD))  # another user is not locked
    assert other.alerts == [] and "已登录：数据员小张" in other.texts


def test_a_replica_killed_mid_session_leaves_new_sessions_to_the_survivor(cluster):
    async def scenario() -> None:
        sessions = [await open_page(cluster.url) for _ in range(4)]  # leastconn: two on each replica
        for _, page in sessions:
            assert page.exceptions == [] and page.widget_id
        cluster.kill(0)
        alive = []
        for ws, page in sessions:  # the killed replica's sessions drop; the survivor's go on
            try:
                after = await rerun(ws, "", page, [load.township_choice(page.widget_id, [page.options[0]])])
                alive.append(after.exceptions == [])
            except websockets.ConnectionClosed:
                alive.append(False)
        assert sorted(alive) == [False, False, True, True]
        # New sessions right away (before the health check has noticed) and one whose cookie names the dead replica.
        fresh = [await open_page(cluster.url) for _ in range(4)]
        fresh.append(await open_page(cluster.url, cookie=f"{haproxy.COOKIE}=r1"))
        for ws, page in fresh:
            assert page.exceptions == [] and page.widget_id
            after = await rerun(ws, "", page, [load.township_choice(page.widget_id, [page.options[-1]])])
            assert after.exceptions == []
        for ws, _ in sessions + fresh:
            await ws.close()

    asyncio.run(scenario())
