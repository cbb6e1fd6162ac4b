"""The reporting workflow on the hand-checkable county: a round worked by hand, every role against every read and
write, conflicts, and what a part changes in the plan's terms."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pandas as pd
import pytest

from socialwork.data.contract.access_tables import ADMIN, REPORTER, REVIEWER, VIEWER
from socialwork.data.contract.reporting_tables import COUNTY_OFFICE
from socialwork.data.contract.tables import TABLES
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.reporting import parts
from socialwork.data.reporting.rounds import Reporting, ReportingError, SaveConflict
from socialwork.data.reporting.units import Unit, UnitError, default_units, owners, read_units_sheet, units_sheet_bytes
from socialwork.data.server.access import AccessDenied, Account
from socialwork.data.server.audit import BEIJING
from socialwork.data.storage import store
from tests import fixture_county as fx

BASE = date(2025, 3, 31)
MONTH = date(2025, 4, 30)
REVIEWING = Account("shen", "审核员", REVIEWER)
ADMINISTERING = Account("guan", "管理员", ADMIN)
VIEWING = Account("kan", "查看员", VIEWER)
CLERK_1 = Account("jia", "甲街道填报员", REPORTER, fx.T1)
CLERK_2 = Account("yi", "乙镇填报员", REPORTER, fx.T2)
CLERK_3 = Account("bing", "丙乡填报员", REPORTER, fx.T3)
POLICE = Account("jing", "公安填报员", REPORTER, "gongan")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 5, 2, 9, 0, tzinfo=BEIJING)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def county(fixture_store, tmp_path):
    data = tmp_path / "county"
    shutil.copytree(fixture_store, data)
    return data


@pytest.fixture
def reporting(county, tmp_path) -> Reporting:
    flow = Reporting(f"sqlite:///{tmp_path / 'server.sqlite'}", county, clock=Clock())
    flow.set_units(flow.default_units(), REVIEWING)
    return flow


def opened(flow: Reporting) -> int:
    return flow.open_round(REVIEWING, MONTH, date(2025, 5, 10)).round_id


def with_person(frames, person_id: str, community: str) -> dict:
    """The part with one more certified person in `community` (of the part's township)."""
    people = frames["people"]
    added = people.iloc[[0]].copy()
    added["person_id"], added["community_code"] = person_id, community
    added["first_certified_date"] = added["certificate_date"] = date(2025, 4, 10)
    added["certificate_level"], added["joined_date"] = "assistant", date(2025, 4, 1)
    return {**frames, "people": pd.concat([people, added], ignore_index=True)}


# ---------------------------------------------------------------- units and parts


def test_every_row_of_a_month_has_exactly_one_unit(county):
    month = fx.snapshot(BASE)
    units = default_units(month["townships"])
    for table in TABLES:
        owner = owners(table.name, month[table.name], units)
        assert owner.notna().all()
    posts = owners("posts", month["posts"], units).tolist()  # G1 platform in T1, G2 elderly care (county), G3 禁毒 T2
    assert posts == [fx.T1, COUNTY_OFFICE, "gongan"]
    purchases = owners("purchases", month["purchases"], units).tolist()  # B1 民政 T1, B2 司法, B3 民政 T1
    assert purchases == [fx.T1, "sifa", fx.T1]
    assert set(owners("activities", month["activities"], units)) == {"zhidao"}
    assert set(owners("targets", month["targets"], units)) == {COUNTY_OFFICE}
    assert owners("people", month["people"], units).value_counts().to_dict() == {fx.T1: 4, fx.T2: 3, fx.T3: 1,
                                                                                   COUNTY_OFFICE: 1}  # fmt: skip


def test_units_sheet_round_trips_and_names_bad_rows(county):
    units = default_units(fx.snapshot(BASE)["townships"])
    assert read_units_sheet(units_sheet_bytes(units)) == units
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["某县上报单位表"])  # a title row, as offices write them
    sheet.append(["单位代码", "单位名称", "单位类型"])
    sheet.append([999999001, "甲街道", "乡镇（街道）"])
    sheet.append(["x", "某部门", "科室"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(UnitError, match="第4行：单位类型“科室”"):
        read_units_sheet(buffer.getvalue())


def test_units_are_checked(reporting):
    units = reporting.default_units()
    twice = [*units, Unit("dup", "重复", "department", sectors=("drug_control",))]
    with pytest.raises(UnitError, match="drug_control"):
        reporting.set_units(twice, REVIEWING)
    with pytest.raises(UnitError, match="没有此乡镇代码"):
        reporting.set_units([*units, Unit("999999999", "不存在乡", "township")], REVIEWING)
    with pytest.raises(AccessDenied):
        reporting.set_units(units, CLERK_1)


# ---------------------------------------------------------------- a round worked by hand


def test_a_round_worked_by_hand_publishes_the_hand_assembled_month(reporting, county):
    round_id = opened(reporting)
    # 甲街道 adds a certified person; 乙镇 submits, is returned, and resubmits with a new station star; 丙乡 does
    # nothing and is carried forward; every department and the county office report "same as last month".
    part = reporting.part(CLERK_1, round_id, fx.T1)
    assert len(part.frames["people"]) == 4 and part.status.state == "not_started"
    status = reporting.save(CLERK_1, round_id, fx.T1, with_person(part.frames, "p11", fx.C11), part.status.version)
    reporting.submit(CLERK_1, round_id, fx.T1, status.version)
    first = reporting.submit_same_as_base(CLERK_2, round_id, fx.T2)
    assert first.state == "submitted"
    reporting.return_part(REVIEWING, round_id, fx.T2, "乙镇社工站已评星，请更新星级")
    returned = reporting.part(CLERK_2, round_id, fx.T2)
    assert returned.status.state == "returned" and returned.status.return_reason == "乙镇社工站已评星，请更新星级"
    townships = returned.frames["townships"].copy()
    townships.loc[0, "station_stars"] = 2
    saved = reporting.save(CLERK_2, round_id, fx.T2, {**returned.frames, "townships": townships},
                           returned.status.version)  # fmt: skip
    reporting.submit(CLERK_2, round_id, fx.T2, saved.version)
    others = [s.unit.code for s in reporting.board(round_id) if s.unit.kind != "township"]
    for code in others:
        reporting.submit_same_as_base(ADMINISTERING, round_id, code)
    for code in [fx.T1, fx.T2, *others]:
        reporting.approve(REVIEWING, round_id, code)

    with pytest.raises(ReportingError, match="丙乡（未填报）"):
        reporting.publish(REVIEWING, round_id, carry_forward=False)
    published = reporting.publish(REVIEWING, round_id, carry_forward=True)
    assert published.carried == ("丙乡",)

    expected = fx.snapshot(BASE)
    expected["people"] = pd.concat(
        [
            expected["people"],
            with_person(
                {"people": expected["people"][expected["people"]["township_code"] == fx.T1].reset_index(drop=True)},
                "p11",
                fx.C11,
            )["people"].iloc[[-1]],
        ]
    )
    expected["townships"].loc[expected["townships"]["township_code"] == fx.T2, "station_stars"] = 2
    for table in TABLES:
        written = store.read_table(county, MONTH, table)
        key = list(table.key)
        left = parts.typed(table.name, written).sort_values(key).reset_index(drop=True).astype(str)
        right = parts.typed(table.name, expected[table.name]).sort_values(key).reset_index(drop=True).astype(str)
        pd.testing.assert_frame_equal(left, right, obj=table.name)
    assembly = reporting.assembly(MONTH)
    assert (assembly.reported, assembly.unit_count, assembly.carried) == (len(others) + 2, len(others) + 3, ("丙乡",))
    assert assembly.text().endswith("沿用上月 1（丙乡）")
    actions = [(e.action, e.detail) for e in reporting.events(round_id, fx.T2) if e.unit_code == fx.T2]
    assert [a for a, _ in actions] == ["same_as_base", "returned", "saved", "submitted", "approved"]
    assert ("returned", "乙镇社工站已评星，请更新星级") in actions
    with pytest.raises(ReportingError, match="已于"):
        reporting.save(CLERK_1, round_id, fx.T1, part.frames, 99)


def test_publishing_refuses_without_carrying_and_leaves_the_store(reporting, county):
    round_id = opened(reporting)
    before = store.snapshot_dates(county)
    with pytest.raises(ReportingError, match="未通过审核"):
        reporting.publish(REVIEWING, round_id, carry_forward=False)
    assert store.snapshot_dates(county) == before


def test_a_draft_never_reaches_the_store(reporting, county):
    round_id = opened(reporting)
    part = reporting.part(CLERK_1, round_id, fx.T1)
    reporting.save(CLERK_1, round_id, fx.T1, with_person(part.frames, "p11", fx.C11), part.status.version)
    assert MONTH not in store.snapshot_dates(county)


# ---------------------------------------------------------------- who may do what


def test_a_clerk_reads_and_writes_only_its_own_part(reporting):
    round_id = opened(reporting)
    own = reporting.part(CLERK_1, round_id, fx.T1)
    for account in (CLERK_2, POLICE, VIEWING):
        with pytest.raises(AccessDenied):
            reporting.part(account, round_id, fx.T1)
        with pytest.raises(AccessDenied):
            reporting.save(account, round_id, fx.T1, own.frames, own.status.version)
        with pytest.raises(AccessDenied):
            reporting.submit_same_as_base(account, round_id, fx.T1)
        with pytest.raises(AccessDenied):
            reporting.submit(account, round_id, fx.T1, own.status.version)
    forged = Account("jia", "甲街道填报员", REPORTER, fx.T1)
    with pytest.raises(AccessDenied):  # a forged unit code in the request, not in the account
        reporting.save(forged, round_id, "gongan", own.frames, 0)
    for account in (CLERK_1, VIEWING):
        with pytest.raises(AccessDenied):
            reporting.return_part(account, round_id, fx.T1, "理由")
        with pytest.raises(AccessDenied):
            reporting.approve(account, round_id, fx.T1)
        with pytest.raises(AccessDenied):
            reporting.publish(account, round_id, carry_forward=True)
        with pytest.raises(AccessDenied):
            reporting.open_round(account, date(2025, 5, 31), date(2025, 6, 10))
    with pytest.raises(AccessDenied):  # a 审核员 reviews; it does not write a unit's rows
        reporting.save(REVIEWING, round_id, fx.T1, own.frames, own.status.version)
    assert reporting.part(REVIEWING, round_id, fx.T1).status.version == 0
    assert reporting.status(round_id, fx.T1).state == "not_started"


def test_rows_of_another_unit_are_refused_by_name(reporting):
    round_id = opened(reporting)
    own = reporting.part(CLERK_1, round_id, fx.T1)
    other = reporting.part(CLERK_2, round_id, fx.T2)
    smuggled = {**own.frames, "people": pd.concat([own.frames["people"], other.frames["people"]], ignore_index=True)}
    with pytest.raises(ReportingError, match="表“社会工作人才”，第5行：不属于本单位（甲街道）的填报范围，属于“乙镇”"):
        reporting.save(CLERK_1, round_id, fx.T1, smuggled, own.status.version)
    assert reporting.status(round_id, fx.T1).version == 0


def test_problems_sit_on_their_cells_and_stop_submission(reporting):
    round_id = opened(reporting)
    part = reporting.part(CLERK_1, round_id, fx.T1)
    people = part.frames["people"].copy()
    people.loc[1, "certificate_level"] = "博士"
    people.loc[2, "community_code"] = "999999001999"
    bad = {**part.frames, "people": people}
    problems = reporting.check(CLERK_1, round_id, fx.T1, bad)
    cells = {(p.table, p.row, p.column) for p in problems}
    assert ("people", 2, "certificate_level") in cells and ("people", 3, "community_code") in cells
    status = reporting.save(CLERK_1, round_id, fx.T1, bad, part.status.version)  # a draft may hold problems
    with pytest.raises(ReportingError, match="处问题，不能提交"):
        reporting.submit(CLERK_1, round_id, fx.T1, status.version)


# ---------------------------------------------------------------- two people, one part


def test_a_second_save_from_the_same_version_names_the_conflict_and_keeps_its_rows(reporting):
    round_id = opened(reporting)
    first = reporting.part(CLERK_1, round_id, fx.T1)
    second = reporting.part(CLERK_1, round_id, fx.T1)
    reporting.save(CLERK_1, round_id, fx.T1, with_person(first.frames, "p11", fx.C11), first.status.version)
    mine = with_person(second.frames, "p12", fx.C12)
    with pytest.raises(SaveConflict, match="jia 已于 2025-05-02 09:00 保存") as conflict:
        reporting.save(CLERK_1, round_id, fx.T1, mine, second.status.version)
    assert conflict.value.rows is mine
    saved = reporting.part(CLERK_1, round_id, fx.T1).frames["people"]
    assert "p11" in set(saved["person_id"]) and "p12" not in set(saved["person_id"])


# ---------------------------------------------------------------- the board


def test_the_board_marks_overdue_units_and_words_a_reminder(reporting):
    round_id = opened(reporting)
    reporting.submit_same_as_base(CLERK_1, round_id, fx.T1)
    reporting.clock.now = datetime(2025, 5, 11, 9, 0, tzinfo=BEIJING)
    board = {s.unit.code: s for s in reporting.board(round_id)}
    assert board[fx.T1].label == "已提交" and board[fx.T2].label == "逾期"
    text = reporting.overdue_reminder(round_id)
    assert "乙镇" in text and "丙乡" in text and "甲街道" not in text


def test_a_part_changes_the_plan_figures_it_should(reporting):
    round_id = opened(reporting)
    part = reporting.part(CLERK_1, round_id, fx.T1)
    reporting.save(CLERK_1, round_id, fx.T1, with_person(part.frames, "p11", fx.C11), part.status.version)
    changes = {c.label: c.delta for c in reporting.changes(REVIEWING, round_id, fx.T1)}
    # One more certified assistant on the register, first certified this year, a community worker in 甲一社区 (urban),
    # which had 2 certified (p1, p2) and now has 3: the count of communities with 2 or more does not move.
    assert changes == {
        "社工人数": 1,
        "持证社工人数": 1,
        "助理社会工作师": 1,
        "本年新取证": 1,
        "城市社区持证社工": 1,
        "3名以上持证社工的城市社区": 1,
        "社区工作者": 1,
        "持证社区工作者": 1,
        "社会工作人才行数": 1,
    }
    assert [c.text() for c in reporting.changes(REVIEWING, round_id, fx.T1)][:2] == ["社工人数 +1", "持证社工人数 +1"]
    assert reporting.changes(REVIEWING, round_id, fx.T2) == []  # untouched: the base month's copy


def test_an_id_number_typed_into_a_part_is_never_stored(reporting):
    round_id = opened(reporting)
    part = reporting.part(CLERK_1, round_id, fx.T1)
    people = part.frames["people"].copy()
    people.loc[0, "person_id"] = "11010519491231002X"
    with pytest.raises(ReportingError, match=r"第1行.*人员编号.*疑似身份证号"):
        reporting.save(CLERK_1, round_id, fx.T1, {**part.frames, "people": people}, part.status.version)
    assert reporting.status(round_id, fx.T1).version == 0


def test_an_excel_part_is_read_as_the_import_reads_it_and_foreign_rows_are_named(reporting):
    round_id = opened(reporting)
    part = reporting.part(CLERK_1, round_id, fx.T1)
    other = reporting.part(CLERK_2, round_id, fx.T2)
    people = pd.concat([part.frames["people"], other.frames["people"].iloc[[0]]], ignore_index=True)
    book = workbook_bytes({**{t.name: part.frames[t.name] for t in TABLES}, "people": people}, county_name="测试县")
    given, problems = parts.read_excel_part(book, "甲街道.xlsx", MONTH, None)
    assert (
        problems == [] and len(given["people"]) == 5 and "targets" not in given
    )  # title rows skipped; empty sheets out
    with pytest.raises(ReportingError, match="第5行：不属于本单位（甲街道）的填报范围，属于“乙镇”"):
        reporting.save(CLERK_1, round_id, fx.T1, {**part.frames, **given}, part.status.version)
    given["people"] = given["people"].iloc[:4]
    saved = reporting.save(CLERK_1, round_id, fx.T1, {**part.frames, **given}, part.status.version)
    assert saved.version == 1 and parts.same_rows(reporting.part(CLERK_1, round_id, fx.T1).frames, part.frames)


def test_checks_and_changes_are_read_only_by_who_may_read_the_part(reporting):
    round_id = opened(reporting)
    own = reporting.part(CLERK_1, round_id, fx.T1).frames
    for account in (CLERK_2, VIEWING, POLICE):
        with pytest.raises(AccessDenied):
            reporting.check(account, round_id, fx.T1, own)
        with pytest.raises(AccessDenied):
            reporting.changes(account, round_id, fx.T1)
    assert reporting.check(REVIEWING, round_id, fx.T1, own) == []
