"""The demo county's November 2026 reporting round, in progress, and the demo's accounts (docs/reporting.md).

The round assembles 2026-11-30 from the published 2026-10-31. Its story, as a newcomer finds it after `./run.sh`:
most townships and departments have submitted (some parts carry November's real changes, from the demo generator's
own next month), several are approved, 城关街道 was returned with a reason, 河口镇 saved a draft and did not
submit, and two units never started: past the deadline (2026-12-04) those two and 河口镇 are 逾期.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import bcrypt
import pandas as pd

from socialwork.data.contract.access_tables import ADMIN, COMMAND_LINE, REPORTER, REVIEWER
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.data.reporting.parts import Frames
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server.access import Account, Roles
from socialwork.data.server.audit import BEIJING
from socialwork.data.storage.location import Location

ROUND_MONTH = date(2026, 11, 30)
OPENED = date(2026, 11, 25)
DEADLINE = date(2026, 12, 4)

# The demo's logins (README: for the demo store only). Passwords are in data/demo/users.toml as bcrypt hashes.
DEMO_ACCOUNTS = (  # user name, display name, role, unit (a township by name, or a department's code), password
    ("shenhe", "演示审核员", REVIEWER, None, "demo-shenhe-2026"),
    ("guanli", "演示管理员", ADMIN, None, "demo-guanli-2026"),
    ("chengguan", "城关街道填报员", REPORTER, "城关街道", "demo-chengguan-2026"),
    ("hekou", "河口镇填报员", REPORTER, "河口镇", "demo-hekou-2026"),
    ("gongan", "县公安局填报员", REPORTER, "gongan", "demo-gongan-2026"),
)
NOT_STARTED = ("马坪乡", "xinfang")  # never opened their part: 逾期
DRAFT = "河口镇"  # saved and did not submit: 逾期
RETURNED = ("城关街道", "城关街道社工站驻站社工人数与花名册不一致，请核对后重新提交")
SUBMITTED_ONLY = ("gongan", "weijian", "青山镇")  # submitted, waiting for review; the rest submitted are approved


# ---------------------------------------------------------------- what some units changed in November


def _certified(frames: Frames, count: int, on: date) -> Frames:
    """`count` people of the part not yet certified pass the exam (助理社会工作师) on `on`."""
    people = frames["people"].copy()
    waiting = people.index[people["certificate_level"] == "none"][:count]
    people.loc[waiting, "certificate_level"] = "assistant"
    people.loc[waiting, ["certificate_date", "first_certified_date"]] = on
    return {**frames, "people": people}


def _joined(frames: Frames, count: int, on: date) -> Frames:
    """`count` new certified social workers join the part's register, posted where its first person is."""
    people = frames["people"]
    new = people.iloc[[0] * count].copy()
    new["person_id"] = [f"demo-2611-{people['township_code'].iloc[0]}-{i}" for i in range(count)]
    new["certificate_level"], new["certificate_date"], new["first_certified_date"] = "assistant", on, on
    new["joined_date"], new["talent_card_date"], new["award_year"] = on, None, None
    return {**frames, "people": pd.concat([people, new], ignore_index=True)}


def _new_post(frames: Frames, sector: str, unit_name: str, on: date) -> Frames:
    posts = frames["posts"]
    row = {
        "post_id": f"demo-2611-{sector}",
        "sector": sector,
        "unit_name": unit_name,
        "township_code": None,
        "funding": "establishment",
        "is_filled": True,
        "created_date": on,
        "is_main_professional": True,
    }
    return {**frames, "posts": pd.concat([posts, pd.DataFrame([row])], ignore_index=True)}


def _more_resident_workers(frames: Frames, count: int) -> Frames:
    townships = frames["townships"].copy()
    townships["station_resident_workers"] = townships["station_resident_workers"] + count
    return {**frames, "townships": townships}


NOVEMBER_CHANGES = {
    "城关街道": lambda f: _more_resident_workers(f, 3),  # returned: the roster does not show three more
    "东城街道": lambda f: _certified(f, 2, date(2026, 11, 14)),
    "城北镇": lambda f: _joined(f, 1, date(2026, 11, 3)),
    "河口镇": lambda f: _joined(f, 2, date(2026, 11, 20)),  # a draft, never submitted
    "石桥镇": lambda f: _joined(f, 1, date(2026, 11, 9)),
    "龙泉乡": lambda f: _certified(f, 1, date(2026, 11, 14)),
    "县卫健局": lambda f: _new_post(f, "medical", "县人民医院", date(2026, 11, 10)),
    "县公安局": lambda f: _new_post(f, "drug_control", "县强制隔离戒毒所", date(2026, 11, 18)),
}


class _Clock:
    def __init__(self) -> None:
        self.at = datetime.combine(OPENED, time(9), BEIJING)

    def __call__(self) -> datetime:
        return self.at


def write_demo_round(url: str, data: Location, township_codes: dict[str, str]) -> None:
    """The demo's accounts with their roles, its units and the round, in the order things happened."""
    clock = _Clock()
    roles = Roles(url, clock=clock)
    for username, _, role, unit, _ in DEMO_ACCOUNTS:
        roles.set_role(username, role, township_codes.get(unit, unit) if unit else None, COMMAND_LINE)
    reviewer = Account("shenhe", "演示审核员", REVIEWER)
    flow = Reporting(url, data, clock=clock)
    units = flow.set_units(flow.default_units(), COMMAND_LINE)
    round_id = flow.open_round(reviewer, ROUND_MONTH, DEADLINE).round_id
    code_of = {u.name: u.code for u in units} | {u.code: u.code for u in units}
    waiting = {code_of[n] for n in NOT_STARTED}
    clerks = {code_of[unit]: name for name, _, role, unit, _ in DEMO_ACCOUNTS if role == REPORTER}
    for day, unit in enumerate(units):
        if unit.code in waiting:
            continue
        clock.at = datetime.combine(date(2026, 11, 26), time(9), BEIJING) + timedelta(days=day % 8, hours=day % 8)
        clerk = Account(clerks.get(unit.code, f"tianbao-{unit.code}"), f"{unit.name}填报员", REPORTER, unit.code)
        part = flow.part(clerk, round_id, unit.code)
        news = NOVEMBER_CHANGES.get(unit.name, lambda frames: frames)(part.frames)
        if news is not part.frames:
            status = flow.save(clerk, round_id, unit.code, news, part.status.version)
            if unit.code != code_of[DRAFT]:
                flow.submit(clerk, round_id, unit.code, status.version)
        elif unit.code != code_of[DRAFT]:
            flow.submit_same_as_base(clerk, round_id, unit.code)
    clock.at = datetime.combine(date(2026, 12, 2), time(15), BEIJING)
    name, reason = RETURNED
    flow.return_part(reviewer, round_id, code_of[name], reason)
    clock.at = datetime.combine(date(2026, 12, 3), time(10), BEIJING)
    held = {code_of[n] for n in SUBMITTED_ONLY}
    for status in flow.board(round_id):
        if status.state == "submitted" and status.unit.code not in held:
            flow.approve(reviewer, round_id, status.unit.code)


assert LAST_SNAPSHOT < ROUND_MONTH  # the round assembles the month after the demo's last published one


_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def write_demo_users(path: Path) -> None:
    """The demo accounts' logins, bcrypt-hashed with a salt fixed per account so that the committed file is the same
    at every `demo` run (these passwords are public: README)."""
    lines = ["# The built-in demo's logins (README: 演示账号). Never used for a county's own store.", ""]
    for username, display_name, _, _, password in DEMO_ACCOUNTS:
        digest = hashlib.sha256(f"socialwork-demo-{username}".encode()).digest()
        salt = "".join(_BCRYPT_ALPHABET[b % 64] for b in digest[:21]) + "."
        hashed = bcrypt.hashpw(password.encode(), f"$2b$12${salt}".encode()).decode()
        lines += [f"[users.{username}]", f"display_name = {json.dumps(display_name, ensure_ascii=False)}",
                  f"password_hash = {json.dumps(hashed)}", ""]  # fmt: skip
    path.write_text("\n".join(lines), encoding="utf-8")
