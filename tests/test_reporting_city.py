"""One level up (issue 31, part 5): the two counties of tests/fixture_city.py report their published month to the
city's store with the county level's workflow; 甲县 is approved, 乙县 returned; the city publishes 甲县 only."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date, datetime

import pandas as pd
import pytest

from socialwork.data import settings
from socialwork.data.contract.access_tables import ADMIN, REPORTER, REVIEWER
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.reporting import parts
from socialwork.data.reporting.city import CityReporting, workflow
from socialwork.data.reporting.rounds import Reporting, ReportingError
from socialwork.data.server.access import AccessDenied, Account
from socialwork.data.server.audit import BEIJING
from socialwork.data.storage import checksums, layout, store
from socialwork.figures import hierarchy
from socialwork.figures.place_filter import Places
from tests import fixture_county as fx
from tests.fixture_city import BOTH, CITY, COUNTY_A, COUNTY_B, county_snapshot, write_city_store, write_county_store
from tests.test_reporting import Clock, with_person

MONTH = date(2025, 4, 30)
DEADLINE = date(2025, 5, 10)
CITY_REVIEWER = Account("shi", "市民政局审核员", REVIEWER)
COUNTY_A_CLERK = Account("jiaxian", "甲县报送员", REPORTER, COUNTY_A)
COUNTY_B_CLERK = Account("yixian", "乙县报送员", REPORTER, COUNTY_B)
PEOPLE = TABLES_BY_NAME["people"]
RETURNED = "乙县辛乡缺本月数据，请补报后重新报送"


def recoded(code: str, county: str) -> str:
    return county + code[6:]


def publish_county_a(root, tmp_path) -> None:
    """甲县's own round for MONTH, on its own store: its 甲街道 adds a certified person, every other unit reports the
    same as last month, the county's reviewer approves all and publishes."""
    flow = Reporting(f"sqlite:///{tmp_path / 'county-a.sqlite'}", root, clock=Clock())
    reviewer = Account("shen", "甲县审核员", REVIEWER)
    flow.set_units(flow.default_units(), reviewer)
    round_id = flow.open_round(reviewer, MONTH, DEADLINE).round_id
    t1 = recoded(fx.T1, COUNTY_A)
    clerk = Account("jia", "甲街道填报员", REPORTER, t1)
    part = flow.part(clerk, round_id, t1)
    status = flow.save(clerk, round_id, t1, with_person(part.frames, "p11", recoded(fx.C11, COUNTY_A)), 0)
    flow.submit(clerk, round_id, t1, status.version)
    for unit in flow.units():
        if unit.code != t1:
            flow.submit_same_as_base(Account("guan", "管理员", ADMIN), round_id, unit.code)
        flow.approve(reviewer, round_id, unit.code)
    flow.publish(reviewer, round_id, carry_forward=False)


@pytest.fixture
def stores(tmp_path):
    city = write_city_store(tmp_path / "city")
    county_a = write_county_store(tmp_path / "county-a", COUNTY_A)
    publish_county_a(county_a, tmp_path)
    county_b = write_county_store(tmp_path / "county-b", COUNTY_B)
    store.write_snapshot(county_b, MONTH, county_snapshot(COUNTY_B, BOTH))  # 乙县's month, imported whole
    return city, county_a, county_b


@pytest.fixture
def city_flow(stores, tmp_path) -> CityReporting:
    flow = CityReporting(f"sqlite:///{tmp_path / 'city.sqlite'}", stores[0], clock=Clock())
    flow.set_units(flow.default_units(), CITY_REVIEWER)
    return flow


def rows(root, on: date, table) -> pd.DataFrame:
    frame = parts.typed(table.name, store.read_table(root, on, table))
    return frame.sort_values(list(table.key)).reset_index(drop=True).astype(str)


def test_a_city_round_publishes_the_approved_countys_month_and_names_the_other_missing(stores, city_flow):
    city, county_a, county_b = stores
    assert [(u.code, u.name, u.kind) for u in city_flow.units()] == [(COUNTY_A, "甲县", "county"),
                                                                      (COUNTY_B, "乙县", "county")]  # fmt: skip
    round_id = city_flow.open_round(CITY_REVIEWER, MONTH, DEADLINE).round_id
    assert city_flow.submit_county_month(COUNTY_A_CLERK, round_id, county_a).state == "submitted"
    city_flow.submit_county_month(COUNTY_B_CLERK, round_id, county_b)
    city_flow.approve(CITY_REVIEWER, round_id, COUNTY_A)
    city_flow.return_part(CITY_REVIEWER, round_id, COUNTY_B, RETURNED)

    board = {s.unit.code: s for s in city_flow.board(round_id)}
    assert (board[COUNTY_A].label, board[COUNTY_B].label) == ("已通过", "已退回")
    assert board[COUNTY_B].return_reason == RETURNED
    # What 甲县's month changes against its March month in the city's store: the person its 甲街道 added.
    changes = {c.label: c.delta for c in city_flow.changes(CITY_REVIEWER, round_id, COUNTY_A)}
    assert changes["持证社工人数"] == 1 and changes["社会工作人才行数"] == 1
    assert city_flow.overdue_reminder(round_id) == (  # returned and not yet resubmitted
        "【提醒】2025年4月报送数据已退回、待重新报送的县：乙县。请按退回原因在本县修改并重新发布后再次报送。"
    )

    with pytest.raises(ReportingError, match="乙县（已退回）"):
        city_flow.publish(CITY_REVIEWER, round_id, carry_forward=False)
    assert MONTH not in store.snapshot_dates(city)
    published = city_flow.publish(CITY_REVIEWER, round_id, carry_forward=True)
    assert published.carried == ("乙县",) and published.rows["people"] == len(rows(county_a, MONTH, PEOPLE))

    folder_a, folder_b = layout.county_folder(city, COUNTY_A), layout.county_folder(city, COUNTY_B)
    assert MONTH in store.snapshot_dates(folder_a) and MONTH not in store.snapshot_dates(folder_b)
    for table in TABLES:  # the city's copy is the county's own published month, row for row
        pd.testing.assert_frame_equal(rows(folder_a, MONTH, table), rows(county_a, MONTH, table), obj=table.name)
    assert "p11" in set(store.read_table(folder_a, MONTH, PEOPLE)["person_id"])
    status = hierarchy.reporting(MONTH, Places.within(CITY), city)  # the city's pages name 乙县 missing that month
    assert status.reporting == (COUNTY_A,) and "乙县" in status.missing_names[0]
    assert city_flow.assembly(MONTH).text() == "本月数据由各县报送汇总：已报 1 / 2 个县 · 缺报 1 个县（乙县）"
    assert not city_flow.round(round_id).is_open
    actions = [(e.unit_code, e.action) for e in city_flow.events(round_id) if e.unit_code]
    assert actions == [(COUNTY_A, "submitted"), (COUNTY_B, "submitted"), (COUNTY_A, "approved"),
                       (COUNTY_B, "returned")]  # fmt: skip


def test_a_county_submits_only_its_own_published_month(stores, city_flow, tmp_path):
    city, county_a, _ = stores
    round_id = city_flow.open_round(CITY_REVIEWER, MONTH, DEADLINE).round_id
    with pytest.raises(ReportingError, match="不是本账号所属县（999902）"):
        city_flow.submit_county_month(COUNTY_B_CLERK, round_id, county_a)  # 甲县's store named by 乙县's clerk
    with pytest.raises(AccessDenied):
        city_flow.approve(COUNTY_A_CLERK, round_id, COUNTY_A)
    with pytest.raises(AccessDenied):
        city_flow.part(COUNTY_A_CLERK, round_id, COUNTY_B)
    unpublished = write_county_store(tmp_path / "county-b-late", COUNTY_B)
    with pytest.raises(ReportingError, match=f"乙县尚未发布 {MONTH} 的数据"):
        city_flow.submit_county_month(COUNTY_B_CLERK, round_id, unpublished)
    leaky = write_county_store(tmp_path / "county-b-leaky", COUNTY_B)
    month = county_snapshot(COUNTY_B, BOTH)
    month["people"].loc[0, "person_id"] = "13812345678"  # a phone number where a pseudonym belongs
    store.write_snapshot(leaky, MONTH, month)
    with pytest.raises(ReportingError, match="第1行，列“人员编号（person_id）”：疑似身份证号或电话号码"):
        city_flow.submit_county_month(COUNTY_B_CLERK, round_id, leaky)
    part = city_flow.part(COUNTY_A_CLERK, round_id, COUNTY_A)
    with pytest.raises(ReportingError, match="不在市级页面修改"):
        city_flow.save(COUNTY_A_CLERK, round_id, COUNTY_A, part.frames, part.status.version)
    city_flow.submit_county_month(COUNTY_A_CLERK, round_id, county_a)
    with pytest.raises(ReportingError, match="已提交，正在等待审核"):
        city_flow.submit_county_month(COUNTY_A_CLERK, round_id, county_a)
    assert [s.state for s in city_flow.board(round_id)] == ["submitted", "not_started"]
    city_flow.return_part(CITY_REVIEWER, round_id, COUNTY_A, "请核对甲街道新增人员")
    assert city_flow.submit_county_month(COUNTY_A_CLERK, round_id, county_a).state == "submitted"  # resubmitted
    assert MONTH not in store.snapshot_dates(city)  # nothing reaches the city's store before publication
    city_flow.clock.now = datetime(2025, 5, 11, 9, 0, tzinfo=BEIJING)
    assert [s.label for s in city_flow.board(round_id)] == ["已提交", "逾期"]
    assert "以下 1 个县尚未报送：乙县" in city_flow.overdue_reminder(round_id)


def test_a_store_of_many_counties_gets_the_citys_workflow(stores, tmp_path):
    city, county_a, _ = stores
    assert isinstance(workflow(f"sqlite:///{tmp_path / 'c.sqlite'}", city), CityReporting)
    assert type(workflow(f"sqlite:///{tmp_path / 'a.sqlite'}", county_a)) is Reporting
    with pytest.raises(ReportingError, match="不是多县数据目录"):
        CityReporting(f"sqlite:///{tmp_path / 'a.sqlite'}", county_a)


# The city's reviewer publishing, killed (SIGKILL) once the first county's month is written and before the second's.
KILLED_PUBLISH = """
import sys, time
from pathlib import Path
from socialwork.data.contract.access_tables import REVIEWER
from socialwork.data.importing import importer
from socialwork.data.reporting.city import CityReporting, workflow
from socialwork.data.server.access import Account

url, data, round_id = sys.argv[1:4]
writing, written = importer.write_checked, []
def first_only(*args):
    if written:
        print("stopped", flush=True)
        time.sleep(120)
    written.append(writing(*args))
    return written[-1]
importer.write_checked = first_only
CityReporting(url, Path(data)).publish(Account("shi", "审核员", REVIEWER), int(round_id), carry_forward=False)
"""


def test_a_city_publication_killed_between_two_counties_is_finished_by_publishing_again(stores, city_flow):
    city, county_a, county_b = stores
    round_id = city_flow.open_round(CITY_REVIEWER, MONTH, DEADLINE).round_id
    for clerk, own in ((COUNTY_A_CLERK, county_a), (COUNTY_B_CLERK, county_b)):
        city_flow.submit_county_month(clerk, round_id, own)
        city_flow.approve(CITY_REVIEWER, round_id, clerk.unit_code)
    publisher = subprocess.Popen([sys.executable, "-c", KILLED_PUBLISH, city_flow.url, str(city), str(round_id)],
                                 stdout=subprocess.PIPE, text=True, cwd=settings.REPO_ROOT)  # fmt: skip
    try:
        assert publisher.stdout.readline().strip() == "stopped"
        publisher.send_signal(signal.SIGKILL)
        publisher.wait(timeout=30)
    finally:
        publisher.kill()
        publisher.wait()
    written = [c for c in (COUNTY_A, COUNTY_B) if MONTH in store.snapshot_dates(layout.county_folder(city, c))]
    assert len(written) == 1  # one county's month, whole (its own atomic write); the other's not begun
    assert checksums.snapshot_problem(layout.county_folder(city, written[0]) / f"snapshot_date={MONTH}") is None
    assert city_flow.round(round_id).is_open  # the round's marking went with the killed transaction
    published = city_flow.publish(CITY_REVIEWER, round_id, carry_forward=False)
    assert published.carried == () and not city_flow.round(round_id).is_open
    for code, own in ((COUNTY_A, county_a), (COUNTY_B, county_b)):
        for table in TABLES:
            folder = layout.county_folder(city, code)
            pd.testing.assert_frame_equal(rows(folder, MONTH, table), rows(own, MONTH, table), obj=table.name)
    assert city_flow.assembly(MONTH).text() == "本月数据由各县报送汇总：已报 2 / 2 个县"


def test_the_command_line_and_the_page_run_the_citys_round(stores, capsys, monkeypatch):
    import time

    from streamlit.testing.v1 import AppTest

    from socialwork import cli

    city, county_a, _ = stores
    assert cli.main(["units", "--default", "--data", str(city)]) == 0
    assert cli.main(["round", "open", "--as-of", str(MONTH), "--deadline", "2099-12-31", "--data", str(city)]) == 0
    assert cli.main(["round", "submit-county", str(county_a), "--data", str(city)]) == 0
    assert "已报送 甲县" in capsys.readouterr().out
    assert cli.main(["round", "submit-county", str(county_a), "--data", str(county_a)]) != 0  # not a city's store
    assert "不是多县数据目录" in capsys.readouterr().err

    monkeypatch.setenv(settings.DATA_DIR_ENV, str(city))
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(city / "users.toml"))
    from socialwork.present.staff.auth import save_user

    save_user(city / "users.toml", "shi", "市民政局审核员", "Lantern-river-42")
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["logged_in_user"] = CITY_REVIEWER
    at.session_state["logged_in_last_active"] = time.time()
    from socialwork.data.server.access import Roles

    Roles(f"sqlite:///{city / 'followups.sqlite'}").set_role("shi", "reviewer", None, "（命令行）")
    at.switch_page("pages/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    board = at.dataframe[0].value.set_index("单位")
    assert board.loc["甲县", "状态"] == "已提交" and board.loc["乙县", "状态"] == "未填报"
    assert "持证社工人数 +1" in board.loc["甲县", "本月变化（对比上月）"]
    at.session_state["logged_in_user"] = COUNTY_B_CLERK  # a county's clerk is told how its month is submitted
    Roles(f"sqlite:///{city / 'followups.sqlite'}").set_role("yixian", "reporter", COUNTY_B, "（命令行）")
    at.run()
    assert not at.exception and any("round submit-county" in i.value for i in at.info)
    assert not at.dataframe  # no grids: a county's month is not edited at the city
