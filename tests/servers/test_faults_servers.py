"""Faults with every server running (issue 34): three replicas behind HAProxy reading a bucket store in SeaweedFS and
writing to PostgreSQL, each started by this module so that stopping them leaves the other servers tests alone.
PostgreSQL is stopped, SeaweedFS is stopped, a replica is killed during an import and another during a follow-up
edit; each time the pages keep answering (error pages are counted), and after recovery every write acknowledged
is there (0 lost). The figures are printed (`pytest -s`) and asserted. Marker `servers`: test.sh runs these alone."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from socialwork.bench import seaweed as seaweedfs
from socialwork.cluster import haproxy, load, replicas
from socialwork.cluster.postgres import LocalPostgres
from socialwork.cluster.serving import free_port
from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.server.access import Roles
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.storage import objectstore, publishing
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.location import Bucket
from socialwork.data.storage.store import write_snapshot
from socialwork.data.storage.verify import verify
from socialwork.present.staff.auth import save_user
from tests import fixture_county
from tests.servers.session import Session, day, press, text
from tests.servers.test_replicas_servers import new_month_workbook  # the fixture county's April, one worker more

pytestmark = pytest.mark.servers
PASSWORD = "Lantern-river-42"
BUCKET = "faults"
PAGES = ["", "targets", "followups", "changes", "meeting"]  # 总览 and the four that crashed without PostgreSQL
APRIL, JUNE = date(2025, 4, 30), date(2025, 6, 30)  # imported through a page (then killed); by the CLI's function
MEETING = "2025年3月调度会"


class RestartableSeaweed:
    """SeaweedFS on fixed ports, so that it can be stopped and started again where the replicas look for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        names = ["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc"]
        self.ports = {name: free_port() for name in names}
        self.process: subprocess.Popen | None = None

    def start(self) -> seaweedfs.Seaweed:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(seaweedfs.command(self.folder, self.ports), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        running = seaweedfs.Seaweed(f"http://127.0.0.1:{self.ports['s3']}", self.process, self.folder)
        seaweedfs._wait_until_writable(running, (BUCKET,))
        return running

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@dataclass
class Figures:
    faults: list[str] = field(default_factory=list)
    pages_checked: int = 0
    pages_up: int = 0
    acknowledged: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def servers(tmp_path_factory, fixture_store):
    """PostgreSQL, SeaweedFS with the fixture county published, three replicas and HAProxy; all this module's own."""
    folder = tmp_path_factory.mktemp("faults")
    database = LocalPostgres(free_port()).start()
    weed = RestartableSeaweed(folder / "seaweedfs")
    environment = weed.start().environment()
    bucket = Bucket(BUCKET, f"county-{uuid.uuid4().hex[:8]}")
    auth = folder / "users.toml"
    save_user(auth, "zhang", "数据员小张", PASSWORD)
    Roles(database.url()).set_role("zhang", "reviewer", None, COMMAND_LINE)  # imports and writes follow-ups
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment.items():
            patch.setenv(name, value)
        patch.setenv("SOCIALWORK_CACHE", str(folder / "test-copy"))
        list(publishing.publish_store(fixture_store, bucket))
        running = replicas.start(3, data=str(bucket), db_url=database.url(), own_copies=True,
                                 env={"SOCIALWORK_AUTH_FILE": str(auth), **environment})  # fmt: skip
        try:
            yield running, database, weed, bucket
        finally:
            running.stop()
            weed.stop()
            database.stop()


async def page_is_up(url: str, page: str) -> bool:
    """A new session on the page answers with figures: no exception, no error, something shown."""
    session = Session(url, page)
    try:
        shown = await session.open()
    except Exception:  # a dropped connection or a timeout: the page did not answer
        return False
    finally:
        await session.close()
    return not shown.exceptions and not shown.alerts and bool(shown.texts or shown.metrics)


def count_pages(url: str, figures: Figures) -> None:
    up = [asyncio.run(page_is_up(url, page)) for page in PAGES]
    figures.pages_checked += len(up)
    figures.pages_up += sum(up)
    assert all(up), dict(zip(PAGES, up, strict=True))


async def followup_session(url: str, replica: str) -> Session:
    session = Session(url, "followups", {haproxy.COOKIE: replica})
    await session.open()
    await session.log_in("zhang", PASSWORD)
    return session


async def add_item(session: Session, task: str, wait: bool = True):
    """The new-item form filled and sent; its page when waited for (else the form is in flight)."""
    form = session.page.form_inputs["followup_new_item"]
    changes = (text(form["会议"], f"2025年4月8日 {MEETING}"), text(form["督办事项"], task),
               text(form["乡镇（街道）"], "甲街道"), text(form["牵头单位"], "甲街道"),
               day(form["完成时限"], date(2025, 5, 15)), press(form["新建督办事项"]))  # fmt: skip
    if wait:
        return await session.rerun(*changes)
    for state in changes:
        if state.WhichOneof("value") != "trigger_value":
            session.kept[state.id] = state
    await session.ws.send(load.rerun_message(session.page_name, session.page.script_hash,
                                             [*session.kept.values(), changes[-1]], session.query))  # fmt: skip
    return None


async def first_writes(url: str, figures: Figures) -> None:
    """A meeting and an item through r1's forms, acknowledged by their success messages."""
    session = await followup_session(url, "r1")
    try:
        form = session.page.form_inputs["followup_meeting"]
        page = await session.rerun(day(form["会议日期"], date(2025, 4, 8)), text(form["会议名称"], MEETING),
                                   text(form["审议的数据日期"], "2025年3月31日"), press(form["保存会议"]))  # fmt: skip
        if any(MEETING in s for s in page.successes):
            figures.acknowledged.append(f"meeting:{MEETING}")
        page = await add_item(session, "确认前的事项")
        if any("确认前的事项" in s for s in page.successes):
            figures.acknowledged.append("item:确认前的事项")
    finally:
        await session.close()


def test_faults_degrade_only_what_depends_on_them_and_lose_no_acknowledged_write(servers):
    cluster, database, weed, bucket = servers
    figures = Figures()
    asyncio.run(first_writes(cluster.url, figures))

    # 1. PostgreSQL stopped: every page keeps its figures; a login (and so any write) is refused.
    figures.faults.append("PostgreSQL stopped")
    database.halt()
    try:
        count_pages(cluster.url, figures)

        async def refused_login() -> list[str]:
            session = Session(cluster.url, "followups")
            try:
                await session.open()
                return (await session.log_in("zhang", PASSWORD)).alerts
            finally:
                await session.close()

        assert any("暂时无法登录" in alert for alert in asyncio.run(refused_login()))
    finally:
        database.resume()

    async def after_database() -> None:
        session = await followup_session(cluster.url, "r2")
        try:
            page = await add_item(session, "恢复后的事项")  # the same replicas, not restarted
            if any("恢复后的事项" in s for s in page.successes):
                figures.acknowledged.append("item:恢复后的事项")
        finally:
            await session.close()

    asyncio.run(after_database())

    # 3. A replica killed while it imports a month: the month is published whole or not at all.
    figures.faults.append("replica killed during an import")

    async def import_then_kill() -> None:
        importer = Session(cluster.url, "data_import", {haproxy.COOKIE: "r1"})
        await importer.open()
        page = await importer.log_in("zhang", PASSWORD)
        uploaded = await importer.upload(page.inputs["上传 XLSX 工作簿，或每个数据表一个 CSV 文件"], "2025-04.xlsx",
                                         new_month_workbook())  # fmt: skip
        page = await importer.rerun(day(page.inputs["数据日期（通常为月末）"], APRIL), uploaded)
        assert "确认导入" in page.inputs, (page.alerts, page.exceptions, page.texts[-6:])
        confirm = [*importer.kept.values(), press(page.inputs["确认导入"])]
        await importer.ws.send(load.rerun_message(importer.page_name, importer.page.script_hash, confirm))
        await asyncio.sleep(0.3)
        cluster.kill(0)
        await importer.close()

    asyncio.run(import_then_kill())
    count_pages(cluster.url, figures)
    assert verify(bucket).problems == []  # whatever was published is whole

    # 2. SeaweedFS stopped: the replicas serve their copies; an import is refused; after it is back, one is published.
    figures.faults.append("SeaweedFS stopped")  # this process's environment points at it (the fixture's)
    weed.stop()
    try:
        count_pages(cluster.url, figures)
        with pytest.raises(StoreError, match="AWS_ENDPOINT_URL"):
            write_snapshot(bucket, JUNE, fixture_county.snapshot(JUNE))
    finally:
        weed.start()
    write_snapshot(bucket, JUNE, fixture_county.snapshot(JUNE))
    figures.acknowledged.append(f"month:{JUNE}")

    # 4. A replica killed while it writes a follow-up item: the item is there with its audit line, or not at all.
    figures.faults.append("replica killed during a follow-up edit")

    async def edit_then_kill() -> None:
        session = await followup_session(cluster.url, "r2")
        await add_item(session, "写入中断的事项", wait=False)
        await asyncio.sleep(0.1)
        cluster.kill(1)
        await session.close()

    asyncio.run(edit_then_kill())
    count_pages(cluster.url, figures)
    store = SqlFollowups(database.url())
    interrupted = [i for i in store.items() if i.task == "写入中断的事项"]
    assert len(interrupted) <= 1 and all(store.history(i.item_id) for i in interrupted)

    # After recovery: every acknowledged write is there.
    time.sleep(objectstore.LISTING_SECONDS)
    tasks = {i.task for i in store.items()}
    meetings = {m.title for m in store.meetings()}
    months = set(objectstore.published(bucket, fresh=True).snapshots)
    for write in figures.acknowledged:
        kind, what = write.split(":", 1)
        kept = {"meeting": meetings, "item": tasks, "month": {d.isoformat() for d in months}}[kind]
        if what in kept:
            figures.found.append(write)
    print(f"\nfaults tried: {len(figures.faults)} ({'; '.join(figures.faults)})")
    print(f"pages that stayed up: {figures.pages_up} of {figures.pages_checked}")
    print(f"writes acknowledged: {len(figures.acknowledged)}; found after recovery: {len(figures.found)}")
    print(
        f"interrupted: the import of {APRIL} {'published whole' if APRIL in months else 'not published'}, "
        f"the item {'written with its audit line' if interrupted else 'not written'}"
    )
    assert figures.pages_up == figures.pages_checked
    assert len(figures.acknowledged) == 4 and figures.found == figures.acknowledged
