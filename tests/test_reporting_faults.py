"""The reporting workflow's faults, in real processes: two clerks saving one part at once from the same version (on
SQLite and on PostgreSQL), and a publication killed (SIGKILL) while it writes the store."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from socialwork.data import settings
from socialwork.data.contract.access_tables import REVIEWER
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server.access import Account
from socialwork.data.storage import store
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
