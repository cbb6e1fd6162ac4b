"""The fixture county with its April 2025 assembled and published by a reporting round, for the surfaces that say
how a month was assembled: every unit but 丙乡 reports "the same as March" and is approved; 丙乡 never reports and is
carried forward. The default units of the fixture county: its 3 townships, the plan's 11 departments, the guidance
centre and the county office, 16 in all."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from socialwork.data.contract.access_tables import ADMIN, REVIEWER
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server import serverdb
from socialwork.data.server.access import Account
from socialwork.data.server.audit import BEIJING

MONTH = date(2025, 4, 30)
BASE = date(2025, 3, 31)
DEADLINE = date(2025, 5, 10)
CARRIED = "丙乡"
ASSEMBLED = "本月数据由各单位上报汇总：已报 15 / 16 · 沿用上月 1（丙乡）"
ASSEMBLED_SHORT = "各单位上报：已报 15 / 16 · 沿用上月 1"
REVIEWING = Account("shen", "审核员", REVIEWER)
ADMINISTERING = Account("guan", "管理员", ADMIN)


def reporting(data: Path) -> Reporting:
    """The store's workflow in the server database the app reads (SQLite beside the snapshots), on 2 May 2025."""
    return Reporting(serverdb.server_url(data), data, clock=lambda: datetime(2025, 5, 2, 9, 0, tzinfo=BEIJING))


def open_round(data: Path) -> tuple[Reporting, int]:
    """The default units set and April's round opened."""
    flow = reporting(data)
    flow.set_units(flow.default_units(), REVIEWING)
    return flow, flow.open_round(REVIEWING, MONTH, DEADLINE).round_id


def publish_a_round(data: Path) -> None:
    """April published: every unit but 丙乡 approved as "the same as March", 丙乡 carried forward."""
    flow, round_id = open_round(data)
    for status in flow.board(round_id):
        if status.unit.name != CARRIED:
            flow.submit_same_as_base(ADMINISTERING, round_id, status.unit.code)
            flow.approve(REVIEWING, round_id, status.unit.code)
    flow.publish(REVIEWING, round_id, carry_forward=True)
