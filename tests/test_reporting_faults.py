"""The reporting workflow's faults, in real processes: two clerks saving one part at once from the same version (on
SQLite and on PostgreSQL), and a publication killed (SIGKILL) while it writes the store."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

from socialwork.data import settings
from socialwork.data.contract.access_tables import REVIEWER
from socialwork.data.reporting.rounds import Reporting, ReportingError
from socialwork.data.server.access import Account
from socialwork.data.storage import checksums, store
from tests import fixture_county as fx

MONTH = date(2025, 4, 30)
REVIEWING = Account("shen", "审核员", REVIEWER)

# A clerk saving a new person into 甲街道's part from version 0. Every save sleeps inside its write transaction once
# it has read the part's row (records.can_edit), so the two saves overlap whatever the scheduler does: without a row
# lock both would read version 0 and the second would overwrite the first.
SAVE = """
import json, sys, time
from datetime import date
import pandas as pd
from socialwork.data.contract.access_tables import REPORTER
from socialwork.data.reporting import records
from socialwork.data.reporting.rounds import Reporting, SaveConflict
from socialwork.data.server.access import Account
from tests import fixture_county as fx

url, data, round_id, username, person = sys.argv[1:6]
flow = Reporting(url, __import__("pathlib").Path(data))
clerk = Account(username, username, REPORTER, fx.T1)
part = flow.part(clerk, int(round_id), fx.T1)
people = part.frames["people"]
added = people.iloc[[0]].copy()
added["person_id"], added["first_certified_date"] = person, date(2025, 4, 10)
frames = {**part.frames, "people": pd.concat([people, added], ignore_index=True)}
checking = records.can_edit
def slow(row):
    checking(row)
    time.sleep(1.5)
records.can_edit = slow
print("ready", flush=True)
sys.stdin.readline()
try:
    status = flow.save(clerk, int(round_id), fx.T1, frames, part.status.version)
    print(json.dumps({"outcome": "saved", "version": status.version}), flush=True)
except SaveConflict as conflict:
    kept = person in set(conflict.rows["people"]["person_id"])
    print(json.dumps({"outcome": "conflict", "message": str(conflict), "kept": kept}), flush=True)
"""


@pytest.fixture
def county(fixture_store, tmp_path) -> Path:
    data = tmp_path / "county"
    shutil.copytree(fixture_store, data)
    return data


def opened(url: str, data: Path) -> tuple[Reporting, int]:
    flow = Reporting(url, data)
    flow.set_units(flow.default_units(), REVIEWING)
    today = flow.clock().date()
    return flow, flow.open_round(REVIEWING, MONTH, today + timedelta(days=10)).round_id


def child(script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=settings.REPO_ROOT)  # fmt: skip


def test_two_clerks_saving_one_part_at_once_one_wins_and_the_other_is_told_who(server_db, county):
    flow, round_id = opened(server_db, county)
    clerks = {"jia": "p11", "jia2": "p12"}
    savers = {name: child(SAVE, server_db, county, round_id, name, person) for name, person in clerks.items()}
    try:
        for saver in savers.values():
            assert saver.stdout.readline().strip() == "ready"  # both have read version 0
        for saver in savers.values():
            saver.stdin.write("go\n")
            saver.stdin.flush()
        outcomes = {name: json.loads(saver.communicate(timeout=60)[0].strip().splitlines()[-1])
                    for name, saver in savers.items()}  # fmt: skip
    finally:
        for saver in savers.values():
            saver.kill()
            saver.wait()
    assert sorted(o["outcome"] for o in outcomes.values()) == ["conflict", "saved"]
    [winner] = [name for name, o in outcomes.items() if o["outcome"] == "saved"]
    [loser] = [name for name in clerks if name != winner]
    assert outcomes[winner]["version"] == 1
    assert f"保存冲突：{winner} 已于" in outcomes[loser]["message"]
    assert outcomes[loser]["kept"]  # the refused rows go back to their editor
    stored = Reporting(server_db, county).part(REVIEWING, round_id, fx.T1)
    people = set(stored.frames["people"]["person_id"])
    assert clerks[winner] in people and clerks[loser] not in people
    assert stored.status.version == 1 and stored.status.updated_by == winner
    saves = [e.username for e in flow.events(round_id, fx.T1) if e.action == "saved"]
    assert saves == [winner]


# A reviewer publishing the round, stopped for good (SIGKILL) where the argument says: inside the store's write (the
# snapshot's files being written in its staging folder), or after the store write and before the round is marked.
PUBLISH = """
import sys, time
from pathlib import Path
from socialwork.data.contract.access_tables import REVIEWER
from socialwork.data.importing import importer
from socialwork.data.reporting.rounds import Reporting, ReportingError
from socialwork.data.server.access import Account
from socialwork.data.storage import checksums, store

url, data, round_id, where = sys.argv[1:5]
def stuck(*_args):
    print("stopped", flush=True)
    time.sleep(120)
if where == "store_write":
    store._write_derived = stuck
else:
    writing = importer.write_checked
    def written(*args):
        result = writing(*args)
        stuck()
    importer.write_checked = written
Reporting(url, Path(data)).publish(Account("shen", "审核员", REVIEWER), int(round_id), carry_forward=True)
print("published", flush=True)
"""


def store_files(root: Path) -> list[tuple[str, bytes]]:
    """Every file of the store but the write lock and a killed write's staging folder (removed by the next write)."""
    kept = (p for p in root.rglob("*") if p.is_file() and p.name != ".write-lock")
    return sorted((p.relative_to(root).as_posix(), p.read_bytes()) for p in kept
                  if not p.relative_to(root).parts[0].startswith(".staging-"))  # fmt: skip


def approved_round(url: str, data: Path) -> tuple[Reporting, int]:
    """A round whose 甲街道 reported a new person and every other unit but 丙乡 the same as last month, all approved."""
    from tests.test_reporting import CLERK_1, with_person

    flow, round_id = opened(url, data)
    part = flow.part(CLERK_1, round_id, fx.T1)
    status = flow.save(CLERK_1, round_id, fx.T1, with_person(part.frames, "p11", fx.C11), part.status.version)
    flow.submit(CLERK_1, round_id, fx.T1, status.version)
    admin = Account("guan", "管理员", "admin")
    for unit in flow.units():
        if unit.code not in (fx.T1, fx.T3):
            flow.submit_same_as_base(admin, round_id, unit.code)
    for unit in flow.units():
        if unit.code != fx.T3:
            flow.approve(REVIEWING, round_id, unit.code)
    return flow, round_id


@pytest.mark.parametrize("where", ["store_write", "after_store_write"])
def test_a_publication_killed_leaves_the_store_whole_and_the_round_open(where, county, tmp_path):
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    flow, round_id = approved_round(url, county)
    dates, files = store.snapshot_dates(county), store_files(county)
    publisher = child(PUBLISH, url, county, round_id, where)
    try:
        assert publisher.stdout.readline().strip() == "stopped"
        publisher.send_signal(signal.SIGKILL)
        publisher.wait(timeout=30)
    finally:
        publisher.kill()
        publisher.wait()
    assert publisher.returncode == -signal.SIGKILL
    this = flow.round(round_id)
    assert this.is_open and this.published_at is None
    assert "published" not in [e.action for e in flow.events(round_id)]
    if where == "store_write":  # killed before the rename: the store as it was, to the byte
        assert store.snapshot_dates(county) == dates and store_files(county) == files
    else:  # killed after it: the whole month is there, every file as its checksum says
        assert store.snapshot_dates(county) == sorted([*dates, MONTH])
        assert checksums.snapshot_problem(county / f"snapshot_date={MONTH}") is None
    published = flow.publish(REVIEWING, round_id, carry_forward=True)
    assert published.carried == ("丙乡",)
    assert not flow.round(round_id).is_open
    assert store.snapshot_dates(county) == sorted([*dates, MONTH])
    assert "p11" in set(store.read_table(county, MONTH, _people())["person_id"])
    assert not [p for p in county.iterdir() if p.name.startswith(".staging-")]


def _people():
    from socialwork.data.contract.tables import TABLES_BY_NAME

    return TABLES_BY_NAME["people"]


def test_a_month_written_meanwhile_by_an_import_is_not_taken_for_the_rounds_own(county, tmp_path):
    flow, round_id = approved_round(f"sqlite:///{tmp_path / 'server.sqlite'}", county)
    store.write_snapshot(county, MONTH, fx.snapshot(date(2025, 3, 31)))  # the whole county imported at MONTH
    with pytest.raises(ReportingError, match="的快照已存在"):
        flow.publish(REVIEWING, round_id, carry_forward=True)
    assert flow.round(round_id).is_open


# A reviewer publishing, held inside the store write until told to go on.
HELD_PUBLISH = """
import sys
import threading
from pathlib import Path
from socialwork.data.contract.access_tables import REVIEWER
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server.access import Account
from socialwork.data.storage import checksums, store

url, data, round_id = sys.argv[1:4]
deriving = store._write_derived
def held(*args):
    print("writing", flush=True)
    sys.stdin.readline()
    deriving(*args)
store._write_derived = held
Reporting(url, Path(data)).publish(Account("shen", "审核员", REVIEWER), int(round_id), carry_forward=True)
print("published", flush=True)
"""


def test_a_return_made_while_the_month_is_published_waits_and_is_refused(server_db, county):
    flow, round_id = approved_round(server_db, county)
    publisher = child(HELD_PUBLISH, server_db, county, round_id)
    outcome = {}

    def send_back() -> None:
        try:
            flow.return_part(REVIEWING, round_id, fx.T1, "甲街道新增人员的取证日期有误")
            outcome["returned"] = True
        except ReportingError as err:
            outcome["refused"] = str(err)

    try:
        assert publisher.stdout.readline().strip() == "writing"  # the round and its parts are held
        sender = threading.Thread(target=send_back)
        sender.start()
        sender.join(timeout=2)
        assert sender.is_alive() and not outcome  # waits for the publication
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        assert publisher.stdout.readline().strip() == "published"
        sender.join(timeout=60)
    finally:
        publisher.kill()
        publisher.wait()
    assert outcome == {"refused": "本月上报已发布，不能再修改"}
    assert flow.status(round_id, fx.T1).state == "approved"  # as it was published
    assert "p11" in set(store.read_table(county, MONTH, _people())["person_id"])
