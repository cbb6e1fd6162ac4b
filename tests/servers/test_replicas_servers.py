"""Several servers, as issue 21's "Done when" asks: SeaweedFS holding the snapshot store (the fixture county
published into a bucket, each replica with its own local copy), PostgreSQL as the server database, two app replicas
behind HAProxy, all spoken to at the protocol level (socialwork/cluster/load.py, tests/servers/session.py). A month
imported through one replica's 数据导入 page is offered by the other within seconds; a follow-up item created
through one replica's 会议督办 forms is in PostgreSQL and shown by the other; five wrong passwords through one
replica lock the user on the other; and when a replica dies mid-session HAProxy sends every new session, and a
browser whose cookie names the dead replica, to the survivor without an error. Marker `servers`: test.sh runs these
alone, after the rest."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import websockets

from socialwork.cluster import haproxy, load, replicas
from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.server.access import Roles
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.storage import objectstore, publishing
from socialwork.data.storage.location import Bucket
from socialwork.present.staff.auth import LOCKOUT_AFTER, save_user
from tests import fixture_county
from tests.conftest import TEST_BUCKET
from tests.servers.session import Session, day, press, text

pytestmark = pytest.mark.servers
PASSWORD = "Lantern-river-42"
TASK = "新开发社工岗位不少于3个"  # the fixture county's last snapshot is 2025-03-31
NEW_MONTH = date(2025, 4, 30)
SEEN_WITHIN_S = 5.0  # the replicas list the bucket's manifests at most once a second (docs/object-storage.md)


@pytest.fixture(scope="module")
def snapshot_store(fixture_store, seaweed) -> tuple[str, dict[str, str]]:
    """What every replica reads: the fixture county published into a prefix of its own in SeaweedFS's bucket; its
    s3:// URL (SOCIALWORK_DATA) and the environment naming the endpoint and keys."""
    bucket = Bucket(TEST_BUCKET, f"servers-{uuid.uuid4().hex[:8]}")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in seaweed.environment().items():
            patch.setenv(name, value)
        for _ in publishing.publish_store(fixture_store, bucket):
            pass
        assert objectstore.published(bucket, fresh=True).snapshots.keys() == set(fixture_county.SNAPSHOTS)
    return str(bucket), seaweed.environment()


@pytest.fixture(scope="module")
def auth_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("auth") / "users.toml"
    save_user(path, "zhang", "数据员小张", PASSWORD)
    save_user(path, "li", "数据员小李", PASSWORD)
    return path


@pytest.fixture(scope="module")
def cluster(postgres, snapshot_store, auth_file):
    """Two replicas sharing the PostgreSQL of conftest.py and the bucket store (each its own local copy), HAProxy in
    front (its static cache on)."""
    url, environment = snapshot_store
    for clerk in ("zhang", "li"):  # the county's data staff: they import and write follow-ups (docs/roles.md)
        Roles(postgres.url()).set_role(clerk, "reviewer", None, COMMAND_LINE)
    running = replicas.start(2, data=url, db_url=postgres.url(), own_copies=True,
                             env={"SOCIALWORK_AUTH_FILE": str(auth_file), **environment})  # fmt: skip
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
    session = Session(url, "followups")
    try:
        await session.open()
        return await session.log_in(username, password)
    finally:
        await session.close()


UPLOADER = "上传 XLSX 工作簿，或每个数据表一个 CSV 文件"  # pages/data_import.py's widgets
IMPORT_DATE = "数据日期（通常为月末）"
AS_OF = "数据截至"  # the sidebar's snapshot picker
NET_GAIN, SERVED = "持证社工年度净增", "有社工服务的村（社区）占比"  # two of the overview's cards


def new_month_workbook() -> bytes:
    """The fixture county at NEW_MONTH with one more worker: p11 joins 丙乡's village C32, where nobody worked, on
    2025-04-01 and is certified on 2025-04-20. So the county's certified workers gained this year go from 1 (p8) to
    2, and the villages and communities with a social worker from 5 of 6 to 6 of 6."""
    tables = fixture_county.snapshot(NEW_MONTH)
    people = tables["people"]
    p11 = people[people["person_id"] == "p8"].assign(
        person_id="p11", community_code=fixture_county.C32, joined_date=date(2025, 4, 1),
        certificate_date=date(2025, 4, 20), first_certified_date=date(2025, 4, 20),
    )  # fmt: skip
    tables["people"] = pd.concat([people, p11], ignore_index=True)
    return workbook_bytes(tables)


def local_copy_has(cluster, replica: int, as_of: date) -> bool:
    """Whether replica n (0-based) has downloaded files of the snapshot into its own copy of the bucket."""
    return any((cluster.workdir / f"replica-{replica + 1}-copy").rglob(f"snapshot_date={as_of.isoformat()}/*.parquet"))


def test_a_month_imported_through_one_replica_is_offered_by_the_other(cluster):
    """数据导入 on replica r1 (HAProxy's cookie), as a browser drives it: log in, upload the workbook, preview,
    confirm; then new sessions on r2 until its 数据截至 offers the month, which must be within SEEN_WITHIN_S."""

    async def on_replica(replica: str, page_name: str = "", **query: str) -> load.Page:
        session = Session(cluster.url, page_name, {haproxy.COOKIE: replica})
        try:
            page = await session.open(**query)
        finally:
            await session.close()
        assert page.exceptions == []
        return page

    async def scenario() -> None:
        before = await on_replica("r2")
        assert before.choices[AS_OF][0] == "2025年3月31日" and (before.metrics[NET_GAIN], before.metrics[SERVED]) == (
            "1人", "83.3%")  # fmt: skip
        importer = Session(cluster.url, "data_import", {haproxy.COOKIE: "r1"})
        await importer.open()
        page = await importer.log_in("zhang", PASSWORD)
        assert "已登录：数据员小张" in page.texts and page.alerts == []
        uploaded = await importer.upload(page.inputs[UPLOADER], f"{NEW_MONTH:%Y-%m}.xlsx", new_month_workbook())
        page = await importer.rerun(day(page.inputs[IMPORT_DATE], NEW_MONTH), uploaded)
        assert page.alerts == [] and page.exceptions == [] and "人员：新增 **1** 人，减少 **0** 人" in page.texts
        page = await importer.rerun(press(page.inputs["确认导入"]))
        imported = time.monotonic()
        await importer.close()
        assert page.exceptions == [] and page.successes == [
            "导入完成：46 行数据。在侧栏“数据截至”中选择 2025年4月30日 即可查看。"]  # fmt: skip
        while "2025年4月30日" not in (after := await on_replica("r2", asof=NEW_MONTH.isoformat())).choices[AS_OF]:
            assert time.monotonic() - imported < SEEN_WITHIN_S, "replica r2 did not offer the imported month"
            await asyncio.sleep(0.2)
        assert after.choices[AS_OF][0] == "2025年4月30日" and after.alerts == []
        assert (after.metrics[NET_GAIN], after.metrics[SERVED]) == ("2人", "100.0%")
        earlier = await on_replica("r2", asof="2025-03-31")  # the picker's earlier month is still the old figures
        assert (earlier.metrics[NET_GAIN], earlier.metrics[SERVED]) == ("1人", "83.3%")

    asyncio.run(scenario())
    assert local_copy_has(cluster, 0, NEW_MONTH) and local_copy_has(cluster, 1, NEW_MONTH)  # read from the bucket
    assert [process.poll() for process in cluster.processes] == [None, None]  # no replica restarted


def test_an_item_written_through_one_replicas_form_is_shown_by_the_other(cluster, postgres):
    """会议督办 on r1 as a browser drives it: log in, record a meeting, create an item for it (each form's fields
    and its submit button); the item is in PostgreSQL and on r2's page."""

    async def on_r1() -> list[str]:
        writer = Session(cluster.url, "followups", {haproxy.COOKIE: "r1"})
        try:
            await writer.open()
            page = await writer.log_in("zhang", PASSWORD)
            assert "已登录：数据员小张" in page.texts and page.exceptions == []
            form = page.form_inputs["followup_meeting"]
            page = await writer.rerun(
                day(form["会议日期"], date(2025, 4, 8)), text(form["会议名称"], "2025年3月调度会"),
                text(form["审议的数据日期"], "2025年3月31日"), press(form["保存会议"]),
            )  # fmt: skip
            done = list(page.successes)
            form = page.form_inputs["followup_new_item"]
            assert page.choices["会议"] == ["2025年4月8日 2025年3月调度会"]
            page = await writer.rerun(
                text(form["会议"], "2025年4月8日 2025年3月调度会"), text(form["督办事项"], TASK),
                text(form["乡镇（街道）"], "甲街道"), text(form["牵头单位"], "甲街道"),
                day(form["完成时限"], date(2025, 5, 15)), press(form["新建督办事项"]),
            )  # fmt: skip
            assert page.exceptions == [] and page.alerts == []
            return done + page.successes
        finally:
            await writer.close()

    async def shown_on_r2() -> bool:
        reader = Session(cluster.url, "followups", {haproxy.COOKIE: "r2"})
        try:
            page = await reader.open()
        finally:
            await reader.close()
        assert page.exceptions == []
        return any(TASK in shown for shown in page.texts)

    assert asyncio.run(shown_on_r2()) is False
    assert asyncio.run(on_r1()) == [
        "已记录会议：2025年3月调度会（2025年4月8日）",
        f"已新建督办事项 \\#1：{TASK}",  # st.success's markdown source: "#" escaped
    ]
    [item] = SqlFollowups(postgres.url()).items()  # written to the server database, not a replica's own file
    assert (item.task, item.township_code, item.lead_unit, item.due_date) == (
        TASK, fixture_county.T1, "甲街道", date(2025, 5, 15))  # fmt: skip
    assert asyncio.run(shown_on_r2()) is True


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
