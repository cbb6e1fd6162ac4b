"""The built-in demo county "XX县": a deterministic generator of monthly snapshots.

Every entity is given a life history first (when a person joins, leaves, is certified; when a
station opens or is rated; when an organisation registers), then each month-end snapshot is
what was true on that date. The story: the +40 certified goal is met in 2023 and 2025 but not
in 2024; the seventh organisation arrives only in 2024; a few remote villages and urban
communities stay short; the 2026 exam wave has not yet arrived by the last snapshot. Two review
meetings of 2026 are recorded with their follow-up items (DEMO_MEETINGS, DEMO_ITEMS), written to the
store's followups.sqlite.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from socialwork.data.contract.county_files import DEFAULT_PLAN_TITLE
from socialwork.data.contract.enums import SECTOR, SW_EDUCATION
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.contract.schema import Table
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.server.followups import Editor
from socialwork.data.server.followups_sql import BEIJING, SqlFollowups
from socialwork.data.storage import identity
from socialwork.data.storage.layout import DEMO_MARKER, StoreError
from socialwork.data.storage.store import snapshot_dates, write_snapshot

COUNTY_CODE = "999901"  # province code 99 does not exist: plainly not a real county
# The demo store's identity, written to its county.json like any store's (the app reads it from there).
DEMO_COUNTY = identity.County(
    county_name="XX县",
    county_code=COUNTY_CODE,
    plan_title=DEFAULT_PLAN_TITLE,
    talent_card="XX英才卡",
    issuer="XX县民政局",
)
FIRST_SNAPSHOT = date(2022, 12, 31)
LAST_SNAPSHOT = date(2026, 10, 31)
SEED = 2023

# (name, kind); streets first, then towns, then 乡.
TOWNSHIPS = [
    ("城关街道", "street"),
    ("东城街道", "street"),
    ("西城街道", "street"),
    ("南关街道", "street"),
    ("城北镇", "town"),
    ("河口镇", "town"),
    ("青山镇", "town"),
    ("石桥镇", "town"),
    ("柳林镇", "town"),
    ("白水镇", "town"),
    ("高庄镇", "town"),
    ("双河镇", "town"),
    ("新店乡", "xiang"),
    ("马坪乡", "xiang"),
    ("龙泉乡", "xiang"),
    ("杨家乡", "xiang"),
    ("太平乡", "xiang"),
]
LAGGING_TOWNSHIP = "马坪乡"  # no station and nobody serving until mid-2023
NAME_CHARS = "东西南北中新和平安康福兴华青松柏杨柳桃李河山湾坪岭沟泉石桥庄园林峰塘溪源宁丰顺"

# Certificates obtained per year (first certificates), and certified people leaving per year.
GROSS_CERTIFIED = {2023: 52, 2024: 41, 2025: 49, 2026: 6}
CERTIFIED_LEAVERS = {2023: 6, 2024: 7, 2025: 5, 2026: 3}
CERTIFIED_TRANSFERS_IN = {2023: 0, 2024: 2, 2025: 1, 2026: 1}
NEW_VILLAGE_WORKERS = {2023: 16, 2024: 10, 2025: 8, 2026: 3}
OTHER_JOINERS = {2023: 28, 2024: 24, 2025: 24, 2026: 16}
# A station is rated in December of a year when its quality clears that year's bar.
STAR_QUALITY_BAR = {2023: 0.55, 2024: 0.47, 2025: 0.30}


def month_ends(first: date, last: date) -> list[date]:
    """Every month-end date from first to last inclusive."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, calendar.monthrange(y, m)[1]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _wave_date(rng: random.Random, year: int) -> date:
    """A certificate date: most arrive in the wave after the national exam (Oct–Dec)."""
    if rng.random() < 0.85:
        return _rand_date(rng, date(year, 10, 10), date(year, 12, 20))
    return _rand_date(rng, date(year, 1, 5), date(year, 9, 30))


@dataclass
class Person:
    person_id: str
    township_code: str | None
    community_code: str | None
    employer_type: str
    role: str
    sw_education: str
    sector: str | None
    joined: date
    left: date | None = None
    first_certified: date | None = None
    upgraded: date | None = None
    upgrade_level: str = "intermediate"
    talent_card: date | None = None
    award: date | None = None

    def present(self, on: date) -> bool:
        return self.joined <= on and (self.left is None or self.left > on)

    def certified(self, on: date) -> bool:
        return self.first_certified is not None and self.first_certified <= on


class DemoCounty:
    """The life histories of the demo county, from which every snapshot is cut."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.townships: list[dict] = []
        self.communities: list[dict] = []
        self.people: list[Person] = []
        self._build_places()
        self._build_initial_register()
        for year in (2023, 2024, 2025, 2026):
            self._simulate_year(year)
        self._build_incentives()
        self.posts = self._build_posts()
        self.organisations = self._build_organisations()
        self.activities = self._build_activities()
        self.purchases = self._build_purchases()

    # ------------------------------------------------------------ places
    def _build_places(self) -> None:
        rng = self.rng
        counters = {"street": 1, "town": 100, "xiang": 200}
        for name, kind in TOWNSHIPS:
            code = f"{COUNTY_CODE}{counters[kind]:03d}"
            counters[kind] += 1
            late = name == LAGGING_TOWNSHIP or rng.random() < 0.12
            opened = (
                _rand_date(rng, date(2023, 5, 1), date(2024, 6, 30))
                if late
                else _rand_date(rng, date(2021, 3, 1), date(2022, 10, 31))
            )
            self.townships.append({"code": code, "name": name, "kind": kind, "opened": opened})
            self._build_communities(code, kind)
        self._rate_stations()

    def _build_communities(self, township_code: str, kind: str) -> None:
        rng = self.rng
        if kind == "street":
            plan = [("urban_community", rng.choice(["111", "111", "112"])) for _ in range(rng.randint(6, 8))]
        elif kind == "town":
            plan = [("urban_community", "121") for _ in range(rng.randint(1, 3))]
            plan += [("village", rng.choice(["220", "220", "220", "122"])) for _ in range(rng.randint(15, 21))]
        else:
            plan = [("rural_community", "210")] + [("village", "220") for _ in range(rng.randint(10, 15))]
        names: set[str] = set()
        for i, (ckind, ur_code) in enumerate(plan):
            suffix = "村" if ckind == "village" else "社区"
            name = ""
            while not name or name in names:
                name = "".join(rng.sample(NAME_CHARS, 2)) + suffix
            names.add(name)
            number = i + 1 if ckind != "village" else 200 + i
            self.communities.append(
                {
                    "code": f"{township_code}{number:03d}",
                    "township_code": township_code,
                    "name": name,
                    "kind": ckind,
                    "urban_rural_code": ur_code,
                }
            )

    def _rate_stations(self) -> None:
        """Star ratings are announced each December; brand projects grow year by year."""
        rng = self.rng
        brands = [
            "“邻里守望”互助",
            "“银龄乐园”为老服务",
            "“护苗成长”儿童关爱",
            "“红色管家”社区治理",
            "“山水同行”乡村振兴",
            "“暖心驿站”困难帮扶",
            "“康乐之家”残疾人服务",
            "“书香童年”课业辅导",
            "“巾帼共建”妇女赋能",
            "“平安守护”禁毒宣教",
            "“乡愁记忆”文化营造",
            "“阳光青春”青少年服务",
        ]
        rng.shuffle(brands)
        for i, t in enumerate(self.townships):
            stars, ratings = 0, {}
            quality = rng.random() if t["name"] != LAGGING_TOWNSHIP else 0.0
            for year, bar in STAR_QUALITY_BAR.items():
                if t["opened"] <= date(year, 10, 31) and quality > bar:
                    stars = min(5, max(stars, 2 + int(quality * 3) + (year - 2023) // 2))
                ratings[date(year, 12, 20)] = stars
            t["ratings"] = ratings
            t["brand"] = brands[i] if i < len(brands) and quality > 0.25 else None
            t["brand_from"] = _rand_date(rng, date(2023, 9, 1), date(2025, 12, 31))

    def urban_communities(self) -> list[dict]:
        return [x for x in self.communities if x["kind"] == "urban_community"]

    # ------------------------------------------------------------ people
    def _new_person(self, **fields) -> Person:
        pid = "P" + hashlib.sha256(f"xx-county-demo-{len(self.people)}".encode()).hexdigest()[:12]
        rng = self.rng
        person = Person(
            person_id=pid,
            sw_education=rng.choices(list(SW_EDUCATION.codes), [70, 12, 15, 3])[0],
            **fields,
        )
        self.people.append(person)
        return person

    def _township_of(self, community_code: str) -> str:
        return community_code[:9]

    def _build_initial_register(self) -> None:
        rng = self.rng
        before = date(2022, 12, 1)
        lagging = next(t["code"] for t in self.townships if t["name"] == LAGGING_TOWNSHIP)
        for t in self.townships:
            if t["opened"] <= before:
                for _ in range(2):
                    self._person(t["code"], None, "station", "驻站社工", rng.random() < 0.45, before)
        for x in self.communities:
            if x["township_code"] == lagging:
                continue
            if x["kind"] == "urban_community":
                certified = rng.choices([0, 1, 2, 3], [15, 35, 35, 15])[0]
                for k in range(max(certified + rng.randint(0, 2), 1)):
                    self._person(x["township_code"], x["code"], "community", "社区工作者", k < certified, before)
            elif rng.random() < 0.78:
                self._person(x["township_code"], x["code"], "community", "村（社区）社工", rng.random() < 0.2, before)
        for employer, role, count, share in [
            ("sw_org", "机构社工", 38, 0.5),
            ("government", "机关事业单位社工", 26, 0.3),
            ("social_org", "社会组织社工", 18, 0.25),
            ("other", "其他", 9, 0.2),
        ]:
            for _ in range(count):
                township = rng.choice(self.townships)["code"] if rng.random() < 0.35 else None
                if township == lagging:
                    township = None
                self._person(township, None, employer, role, rng.random() < share, before)

    def _person(self, township, community, employer, role, certified, before) -> Person:
        rng = self.rng
        sector = None if employer in ("community", "station") else rng.choice(SECTOR.codes)
        p = self._new_person(
            township_code=township,
            community_code=community,
            employer_type=employer,
            role=role,
            sector=sector,
            joined=_rand_date(rng, date(2016, 1, 1), before),
        )
        if certified:
            p.first_certified = _rand_date(rng, max(p.joined, date(2017, 1, 1)), before)
            if rng.random() < 0.15:
                p.upgraded = _rand_date(rng, p.first_certified, before)
        return p

    def _simulate_year(self, year: int) -> None:
        rng = self.rng
        end = LAST_SNAPSHOT if year == LAST_SNAPSHOT.year else date(year, 12, 31)
        for t in self.townships:
            if t["opened"].year == year:
                for _ in range(2):
                    self._person(t["code"], None, "station", "驻站社工", False, t["opened"]).joined = t["opened"]
        uncovered = [x for x in self.communities if x["kind"] != "urban_community" and not self._served(x["code"])]
        for x in rng.sample(uncovered, min(NEW_VILLAGE_WORKERS[year], len(uncovered))):
            p = self._person(x["township_code"], x["code"], "community", "村（社区）社工", False, end)
            p.joined = _rand_date(rng, date(year, 1, 10), end - timedelta(days=5))
        for _ in range(OTHER_JOINERS[year]):
            self._joiner(year, end)
        for _ in range(CERTIFIED_TRANSFERS_IN[year]):
            p = self._person(None, None, "government", "机关事业单位社工", True, date(year, 1, 1))
            p.joined = _rand_date(rng, date(year, 2, 1), date(year, 8, 31))
        self._certify(year, end)
        self._leave(year, end)

    def _joiner(self, year: int, end: date) -> None:
        """Someone uncertified joins the register: an urban community, an organisation or a unit."""
        rng = self.rng
        employer = rng.choices(["community", "sw_org", "social_org", "government"], [45, 25, 15, 15])[0]
        if employer == "community":
            x = rng.choice(self.urban_communities())
            township, community, role = x["township_code"], x["code"], "社区工作者"
        else:
            township, community, role = rng.choice([None, rng.choice(self.townships)["code"]]), None, "社工"
        p = self._person(township, community, employer, role, False, end)
        p.joined = _rand_date(rng, date(year, 1, 10), end - timedelta(days=5))

    def _served(self, community_code: str) -> bool:
        return any(p.community_code == community_code for p in self.people)

    def _certify(self, year: int, end: date) -> None:
        rng = self.rng
        for _ in range(GROSS_CERTIFIED[year]):
            for _attempt in range(200):
                when = _wave_date(rng, year)
                if when > end:
                    continue
                candidates = [p for p in self.people if p.present(when) and p.first_certified is None]
                weights = [4 if p.community_code and p.community_code[9] == "0" else 1 for p in candidates]
                pick = rng.choices(candidates, weights)[0]
                pick.first_certified = when
                break
        for p in self.people:
            if p.certified(date(year - 1, 12, 31)) and p.upgraded is None and rng.random() < 0.06:
                p.upgraded = _wave_date(rng, year)
                if p.upgraded > end:
                    p.upgraded = None
        if year == 2024:
            senior = next(p for p in self.people if p.upgraded and p.upgraded.year == 2023)
            senior.upgrade_level = "senior"

    def _leave(self, year: int, end: date) -> None:
        rng = self.rng
        for _ in range(CERTIFIED_LEAVERS[year]):
            when = _rand_date(rng, date(year, 1, 15), end - timedelta(days=3))
            candidates = [
                p
                for p in self.people
                if p.certified(when)
                and p.present(when)
                and p.employer_type != "station"
                and not (p.first_certified and p.first_certified.year == year)
            ]
            rng.choice(candidates).left = when

    def _build_incentives(self) -> None:
        """Talent cards in batches from late 2023; awards announced each December."""
        rng = self.rng
        for batch, size in [
            (date(2023, 12, 26), 34),
            (date(2024, 9, 20), 18),
            (date(2024, 12, 18), 16),
            (date(2025, 9, 22), 20),
            (date(2025, 12, 19), 15),
            (date(2026, 6, 15), 9),
        ]:
            eligible = [p for p in self.people if p.certified(batch) and p.present(batch) and p.talent_card is None]
            for p in rng.sample(eligible, min(size, len(eligible))):
                p.talent_card = batch
        for announced, size in [(date(2023, 12, 28), 8), (date(2024, 12, 27), 12), (date(2025, 12, 26), 11)]:
            eligible = [p for p in self.people if p.certified(announced) and p.present(announced) and p.award is None]
            for p in rng.sample(eligible, size):
                p.award = announced

    # ------------------------------------------------------------ posts, organisations, activities, purchases
    def _build_posts(self) -> list[dict]:
        rng = self.rng
        # Posts per sector; 信访 and 应急管理 have none: the finding leaders must see.
        per_sector = {
            "community_service_center": 14,
            "party_service_center": 18,
            "governance_center": 6,
            "care_station": 9,
            "community_service_station": 12,
            "elderly_care": 11,
            "child_welfare": 5,
            "social_assistance": 6,
            "rescue_management": 3,
            "drug_control": 6,
            "community_correction": 5,
            "petition": 0,
            "veterans": 3,
            "emergency": 0,
            "medical": 4,
            "school": 5,
            "trade_union": 2,
            "youth": 3,
            "women": 3,
            "disability": 4,
        }
        posts = []
        for sector, count in per_sector.items():
            group = SECTOR.groups[sector]
            for _ in range(count):
                created = _rand_date(rng, date(2019, 6, 1), date(2026, 9, 30))
                if sector == "trade_union":
                    created = _rand_date(rng, date(2025, 3, 1), date(2025, 11, 30))
                township = rng.choice(self.townships)["code"] if group == "platform" or rng.random() < 0.3 else None
                funding = (
                    rng.choices(["purchase", "establishment", "other"], [75, 15, 10])[0]
                    if group == "platform"
                    else rng.choices(["purchase", "establishment", "other"], [30, 60, 10])[0]
                )
                filled = created + timedelta(days=rng.randint(20, 240)) if rng.random() < 0.88 else None
                posts.append(
                    {
                        "post_id": f"G{len(posts) + 1:04d}",
                        "sector": sector,
                        "unit_name": f"{SECTOR.label_of(sector)}{'（县级）' if township is None else ''}",
                        "township_code": township,
                        "funding": funding,
                        "created": created,
                        "filled": filled,
                        "main": group == "institution" and rng.random() < 0.6,
                    }
                )
        return posts

    def _build_organisations(self) -> list[dict]:
        streets = [t["code"] for t in self.townships if t["kind"] == "street"]
        specs = [  # name, township, registered, suspended, deregistered, final staff, certified %, educated %
            ("XX县阳光社会工作服务中心", streets[0], date(2018, 5, 8), None, None, 16, 0.55, 0.30),
            ("XX县和悦社会工作服务中心", None, date(2019, 9, 2), date(2025, 3, 1), date(2025, 9, 15), 7, 0.30, 0.15),
            ("XX县同心社会工作服务社", streets[1], date(2021, 4, 20), None, None, 11, 0.45, 0.35),
            ("XX县启明社会工作服务中心", None, date(2022, 6, 16), None, None, 9, 0.25, 0.20),
            ("XX县善行社会工作服务中心", streets[2], date(2023, 5, 18), None, None, 8, 0.40, 0.40),
            ("XX县春晖社会工作服务中心", None, date(2023, 11, 9), None, None, 6, 0.30, 0.15),
            ("XX县青禾社会工作服务社", streets[3], date(2024, 4, 12), None, None, 7, 0.45, 0.30),
            ("XX县知行社会工作服务中心", streets[0], date(2025, 7, 3), None, None, 5, 0.40, 0.40),
            ("XX县众合社会工作服务中心", None, date(2026, 5, 21), None, None, 4, 0.25, 0.25),
        ]
        grades = {0: (date(2022, 11, 1), "4A"), 2: (date(2024, 11, 1), "3A"), 3: (date(2025, 11, 1), "3A")}
        orgs = []
        for i, (name, township, registered, suspended, deregistered, staff, cert, edu) in enumerate(specs):
            orgs.append(
                {
                    "organisation_id": f"52999901MJ{i + 1:08d}",
                    "organisation_name": name,
                    "township_code": township,
                    "registered": registered,
                    "suspended": suspended,
                    "deregistered": deregistered,
                    "staff": staff,
                    "cert": cert,
                    "edu": edu,
                    "grade": grades.get(i),
                }
            )
        return orgs

    def _build_activities(self) -> list[dict]:
        rng = self.rng
        out: list[dict] = []
        codes = [t["code"] for t in self.townships]
        # Supervision is thin in three remote townships: they show up as "none this year".
        thin = {t["code"] for t in self.townships if t["name"] in ("太平乡", "杨家乡", LAGGING_TOWNSHIP)}

        def add(day: date, kind: str, mode: str, township: str | None, title: str, attendees: int, hours: float):
            if day <= LAST_SNAPSHOT:
                out.append(
                    {
                        "activity_id": f"A{len(out) + 1:05d}",
                        "activity_date": day,
                        "activity_kind": kind,
                        "mode": mode,
                        "township_code": township,
                        "title": title,
                        "attendees": attendees,
                        "hours": hours,
                    }
                )

        for year in (2022, 2023, 2024, 2025, 2026):
            for k in range(3 if year > 2022 else 1):
                add(
                    _rand_date(rng, date(year, 4, 1), date(year, 5, 31)),
                    "exam_tutoring",
                    "online" if k == 2 else "offline",
                    None,
                    f"{year}年社会工作者职业水平考试考前公益辅导（第{k + 1}期）",
                    rng.randint(45, 90),
                    16.0,
                )
            for month in range(1, 13):
                if (year, month) < (2023, 9):
                    continue
                for township in rng.sample(codes, 3):
                    if township in thin and rng.random() < 0.85:
                        continue
                    add(
                        _rand_date(rng, date(year, month, 1), date(year, month, 25)),
                        "supervision",
                        rng.choice(["online", "offline", "offline"]),
                        township,
                        "社工站专业督导",
                        rng.randint(6, 18),
                        rng.choice([2.0, 3.0, 4.0]),
                    )
            for quarter in range(4):
                add(
                    _rand_date(rng, date(year, 3 * quarter + 1, 1), date(year, 3 * quarter + 3, 25)),
                    "training",
                    rng.choice(["online", "offline"]),
                    rng.choice([None, None, *codes]),
                    f"基层社会工作人才培训（{year}年第{quarter + 1}季度）",
                    rng.randint(30, 120),
                    6.0,
                )
            add(
                _rand_date(rng, date(year, 3, 10), date(year, 3, 25)),
                "publicity",
                "offline",
                None,
                "国际社工日主题宣传",
                rng.randint(150, 400),
                3.0,
            )
            add(
                _rand_date(rng, date(year, 11, 1), date(year, 11, 28)),
                "case_contest",
                "offline",
                None,
                "社会工作优秀案例评选",
                rng.randint(40, 80),
                4.0,
            )
        return out

    def _build_purchases(self) -> list[dict]:
        rng = self.rng
        out = []
        departments = ["县司法局", "县公安局", "县卫健局", "县教育局", "团县委", "县妇联", "县残联", "县退役军人事务局"]
        for year in (2022, 2023, 2024, 2025, 2026):
            for t in self.townships:
                if t["opened"].year <= year:
                    out.append(
                        self._purchase(
                            year, "县民政局", f"{t['name']}社工站运营服务", 8.0, t["code"], date(year, 1, 15)
                        )
                    )
            for dept in rng.sample(departments, rng.randint(4, 7)):
                out.append(
                    self._purchase(
                        year,
                        dept,
                        f"{dept.removeprefix('县')}社会工作服务项目",
                        float(rng.randint(8, 40)),
                        None,
                        _rand_date(rng, date(year, 1, 10), date(year, 6, 30)),
                    )
                )
        for i, p in enumerate(out, start=1):
            p["purchase_id"] = f"B{p['plan_year']}{i:04d}"
        return out

    @staticmethod
    def _purchase(year, department, name, budget, township, announced) -> dict:
        return {
            "plan_year": year,
            "department": department,
            "project_name": name,
            "budget_wan": budget,
            "township_code": township,
            "announced": announced,
        }

    # ------------------------------------------------------------ snapshots
    def snapshot(self, on: date) -> dict[str, pd.DataFrame]:
        """Every contract table as it stood on `on`."""
        frames = {
            "townships": self._townships_at(on),
            "communities": pd.DataFrame(
                [
                    {
                        "community_code": x["code"],
                        "township_code": x["township_code"],
                        "community_name": x["name"],
                        "community_kind": x["kind"],
                        "urban_rural_code": x["urban_rural_code"],
                    }
                    for x in self.communities
                ]
            ),
            "people": self._people_at(on),
            "posts": self._posts_at(on),
            "organisations": self._organisations_at(on),
            "activities": pd.DataFrame([a for a in self.activities if a["activity_date"] <= on]),
            "purchases": self._purchases_at(on),
            "targets": targets_frame(),
            "milestones": milestones_at(on),
        }
        return {name: _with_columns(TABLES_BY_NAME[name], frame) for name, frame in frames.items()}

    def _townships_at(self, on: date) -> pd.DataFrame:
        present = [p for p in self.people if p.present(on) and p.employer_type == "station"]
        rows = []
        for t in self.townships:
            has_station = t["opened"] <= on
            stars = max([s for d, s in t["ratings"].items() if d <= on], default=0) if has_station else 0
            rows.append(
                {
                    "township_code": t["code"],
                    "township_name": t["name"],
                    "township_kind": t["kind"],
                    "has_station": has_station,
                    "station_opened_date": t["opened"] if has_station else None,
                    "station_stars": stars,
                    "station_resident_workers": sum(p.township_code == t["code"] for p in present)
                    if has_station
                    else 0,
                    "brand_project": t["brand"] if has_station and t["brand_from"] <= on else None,
                }
            )
        return pd.DataFrame(rows)

    def _people_at(self, on: date) -> pd.DataFrame:
        rows = []
        for p in self.people:
            if not p.present(on):
                continue
            level, cert_date = "none", None
            if p.certified(on):
                level, cert_date = "assistant", p.first_certified
                if p.upgraded and p.upgraded <= on:
                    level, cert_date = p.upgrade_level, p.upgraded
            rows.append(
                {
                    "person_id": p.person_id,
                    "township_code": p.township_code,
                    "community_code": p.community_code,
                    "employer_type": p.employer_type,
                    "role": p.role,
                    "certificate_level": level,
                    "certificate_date": cert_date,
                    "first_certified_date": p.first_certified if level != "none" else None,
                    "sw_education": p.sw_education,
                    "sector": p.sector,
                    "talent_card_date": p.talent_card if p.talent_card and p.talent_card <= on else None,
                    "award_year": p.award.year if p.award and p.award <= on else None,
                    "joined_date": p.joined,
                }
            )
        return pd.DataFrame(rows)

    def _posts_at(self, on: date) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "post_id": p["post_id"],
                    "sector": p["sector"],
                    "unit_name": p["unit_name"],
                    "township_code": p["township_code"],
                    "funding": p["funding"],
                    "is_filled": p["filled"] is not None and p["filled"] <= on,
                    "created_date": p["created"],
                    "is_main_professional": p["main"],
                }
                for p in self.posts
                if p["created"] <= on
            ]
        )

    def _organisations_at(self, on: date) -> pd.DataFrame:
        rows = []
        for o in self.organisations:
            if o["registered"] > on:
                continue
            status = "active"
            if o["deregistered"] and o["deregistered"] <= on:
                status = "deregistered"
            elif o["suspended"] and o["suspended"] <= on:
                status = "suspended"
            months = (on.year - o["registered"].year) * 12 + on.month - o["registered"].month
            staff = max(3, min(o["staff"], 3 + months // 4))
            certified, educated = round(staff * o["cert"]), round(staff * o["edu"])
            grade = o["grade"][1] if o["grade"] and o["grade"][0] <= on else "none"
            rows.append(
                {
                    "organisation_id": o["organisation_id"],
                    "organisation_name": o["organisation_name"],
                    "township_code": o["township_code"],
                    "registered_date": o["registered"],
                    "status": status,
                    "staff": staff,
                    "certified_staff": certified,
                    "sw_educated_staff": educated,
                    "professional_staff": min(staff, certified + educated - round(min(certified, educated) * 0.4)),
                    "evaluation_grade": grade,
                }
            )
        return pd.DataFrame(rows)

    def _purchases_at(self, on: date) -> pd.DataFrame:
        rows = []
        for p in self.purchases:
            if p["announced"] > on:
                continue
            year_end = date(p["plan_year"], 12, 31)
            if on >= year_end:
                status = "completed"
            elif on >= p["announced"] + timedelta(days=60):
                status = "ongoing"
            elif on >= p["announced"] + timedelta(days=20):
                status = "procuring"
            else:
                status = "planned"
            rows.append({k: v for k, v in p.items() if k != "announced"} | {"status": status})
        return pd.DataFrame(rows)


# The plan's goals; 2024 onwards carry them forward, with the star-rated goal raised each year.
TARGET_ROWS = [
    ("certified_net_increase", "全县持证社会工作者年度增量超过40人", 40, "gt", "county"),
    ("active_organisations", "培育社会工作服务机构达到7家", 7, "ge", "county"),
    ("certified_per_urban_community", "平均每个城市社区有2名以上社会工作专业人才", 2, "ge", "scale_free"),
    ("urban_communities_2plus_share", "每个城市社区都有2名以上持证社工", 100, "ge", "scale_free"),
    ("townships_served_share", "乡镇（街道）都有社会工作者提供服务", 100, "ge", "scale_free"),
    ("communities_served_share", "村（社区）都有社会工作者提供服务", 100, "ge", "scale_free"),
    ("stations_operating", "乡镇（街道）社工站全覆盖、规范运营", 17, "ge", "county"),
    ("stations_star_rated", "打造一批星级服务站点", {2023: 5, 2024: 8, 2025: 10, 2026: 12}, "ge", "county"),
    ("brand_projects", "按“一站一亮点”打造本土服务品牌", 8, "ge", "county"),
    ("community_worker_certified_share", "提高城乡社区工作者持有专业证书比例", None, "gt_baseline", "scale_free"),
    ("posts_new_this_year", "推进重点领域社会工作岗位开发设置", 15, "ge", "county"),
    ("exam_tutoring_sessions", "组织好每年考前公益辅导培训", 1, "ge", "county"),
    ("supervision_sessions", "为社工站提供专业督导", 24, "ge", "county"),
    ("training_sessions", "系统化开展社会工作理论和方法培训", 4, "ge", "county"),
    ("talent_cards_this_year", "发放“XX英才卡”", 20, "ge", "county"),
    ("awards_this_year", "社会工作人才遴选，每人0.15万元一次性奖励", 10, "ge", "county"),
    ("org_professional_staff_share", "提高社工机构持证和社工专业人员比例", 60, "ge", "scale_free"),
    ("purchase_budget_wan", "扩大政府购买社会工作服务范围和规模", 250, "ge", "county"),
]


# 责任单位: who answers for each target, as the plan's 组织保障 assigns the work (县民政局 leads, departments help).
RESPONSIBLE_UNITS = {
    "certified_net_increase": "县民政局、县人社局",
    "active_organisations": "县民政局",
    "certified_per_urban_community": "各街道办事处",
    "urban_communities_2plus_share": "各街道办事处",
    "townships_served_share": "各乡镇（街道）",
    "communities_served_share": "各乡镇（街道）",
    "stations_operating": "县民政局、各乡镇（街道）",
    "stations_star_rated": "县民政局",
    "brand_projects": "各乡镇（街道）",
    "community_worker_certified_share": "县民政局、各乡镇（街道）",
    "posts_new_this_year": "县委社会工作部、县人社局",
    "exam_tutoring_sessions": "县社会工作指导中心",
    "supervision_sessions": "县社会工作指导中心",
    "training_sessions": "县社会工作指导中心",
    "talent_cards_this_year": "县委人才办",
    "awards_this_year": "县委人才办、县财政局",
    "org_professional_staff_share": "县民政局",
    "purchase_budget_wan": "县财政局、县民政局",
}


def targets_frame() -> pd.DataFrame:
    rows = []
    for year in (2023, 2024, 2025, 2026):
        for key, label, goal, comparator, scope in TARGET_ROWS:
            value = goal[year] if isinstance(goal, dict) else goal
            rows.append(
                {
                    "plan_year": year,
                    "metric_key": key,
                    "target_label": label,
                    "goal_value": None if value is None else float(value),
                    "comparator": comparator,
                    "scope": scope,
                    "responsible_unit": RESPONSIBLE_UNITS[key],
                }
            )
    return pd.DataFrame(rows)


MILESTONE_ROWS = [  # id, title, kind, lead, start, due, done
    (
        "M01",
        "研究部署：制定实施方案，报送市民政局",
        "stage",
        "县民政局",
        date(2023, 8, 1),
        date(2023, 8, 10),
        date(2023, 8, 9),
    ),
    (
        "M02",
        "组织实施：按方案序时推进各项工作",
        "stage",
        "县民政局",
        date(2023, 8, 1),
        date(2023, 12, 31),
        date(2023, 12, 29),
    ),
    (
        "M03",
        "总结提升：形成书面总结报告，报送市民政局",
        "stage",
        "县民政局",
        date(2024, 1, 1),
        date(2024, 1, 20),
        date(2024, 1, 22),
    ),
    (
        "M04",
        "出台持证社会工作专业人才奖励津贴实施办法（试行）",
        "measure",
        "县民政局、县委组织部、县财政局、县人社局",
        date(2023, 8, 1),
        date(2023, 9, 30),
        date(2023, 11, 15),
    ),
    (
        "M05",
        "组建县级专业督导团队，聘请第三方督导",
        "measure",
        "县社会工作指导中心",
        date(2023, 8, 15),
        date(2023, 10, 31),
        date(2023, 9, 20),
    ),
    (
        "M06",
        "编制政府购买社会工作服务计划和项目预算",
        "measure",
        "县财政局、县民政局",
        date(2023, 9, 1),
        date(2023, 11, 30),
        date(2023, 11, 28),
    ),
    (
        "M07",
        "开展星级乡镇（街道）社工站评选",
        "measure",
        "县民政局",
        date(2023, 10, 1),
        date(2023, 12, 31),
        date(2023, 12, 20),
    ),
    (
        "M08",
        "发放“XX英才卡”，纳入H类人才管理",
        "measure",
        "县委人才办",
        date(2023, 9, 1),
        date(2023, 12, 31),
        date(2023, 12, 26),
    ),
    (
        "M09",
        "开展县级社会文旅人才遴选",
        "measure",
        "县委宣传部",
        date(2023, 9, 1),
        date(2023, 12, 31),
        date(2024, 1, 10),
    ),
    (
        "M10",
        "研究设立事业单位社工岗位职数",
        "measure",
        "县民政局、县人社局",
        date(2023, 9, 1),
        date(2023, 12, 31),
        date(2025, 6, 30),
    ),
    ("M11", "组织考前公益辅导培训", "measure", "县民政局", date(2024, 3, 1), date(2024, 5, 31), date(2024, 5, 20)),
    ("M12", "开展最美社会工作者评选", "measure", "县民政局", date(2024, 1, 15), date(2024, 3, 31), date(2024, 3, 15)),
    ("M13", "推进社会工作专业人才基地建设", "measure", "县民政局", date(2024, 1, 1), date(2024, 6, 30), None),
]


def milestones_at(on: date) -> pd.DataFrame:
    rows = []
    for mid, title, kind, lead, start, due, done in MILESTONE_ROWS:
        if done is not None and done <= on:
            status, done_date = "done", done
        else:
            status, done_date = ("not_started" if on < start else "in_progress"), None
        rows.append(
            {
                "milestone_id": mid,
                "title": title,
                "kind": kind,
                "lead_department": lead,
                "start_date": start,
                "due_date": due,
                "status": status,
                "done_date": done_date,
            }
        )
    return pd.DataFrame(rows)


# Two review meetings of 2026 and what they decided. At the last snapshot (2026-10-31) three items are done, two
# are overdue (马坪乡's star rating, the new posts), one is under way in time and one has not started.
DEMO_EDITOR = Editor("demo", "演示账号")
DEMO_MEETINGS = [  # date, title, reviewed snapshot
    (date(2026, 7, 10), "2026年上半年社会工作人才工作推进会", date(2026, 6, 30)),
    (date(2026, 9, 8), "2026年8月社会工作人才工作调度会", date(2026, 8, 31)),
]
# meeting (1-based), task, metric, township name (None: the county), lead unit, due date, then what happened:
# (day, status or None, progress note or None).
DEMO_ITEMS = [
    (1, "督促持证社工不足2名的城市社区制定配备计划，逐社区明确补齐时限", "urban_communities_2plus_share", None,
     "县民政局", date(2026, 8, 31), [(date(2026, 7, 24), "in_progress", "已向各街道印发通知，收集各社区配备计划"),
                                     (date(2026, 8, 28), "done", "各城市社区配备计划已全部报送并备案")]),
    (1, "马坪乡社工站对照星级标准整改，申报年度星级评定", "stations_star_rated", "马坪乡", "马坪乡",
     date(2026, 9, 30), [(date(2026, 8, 14), "in_progress", "已完成自评，正在补齐服务台账")]),
    (1, "组织下半年社会工作者职业水平考试考前公益辅导", "exam_tutoring_sessions", None, "县社会工作指导中心",
     date(2026, 9, 15), [(date(2026, 8, 20), "in_progress", None), (date(2026, 9, 12), "done", "举办线下辅导2场")]),
    (2, "在医务、残疾人等重点领域新开发社工岗位，年内新增不少于5个", "posts_new_this_year", None,
     "县民政局、县人社局", date(2026, 10, 15), [(date(2026, 9, 21), "in_progress", "已与县医院、县残联对接设岗")]),
    (2, "河口镇实现村（社区）社工服务全覆盖", "communities_served_share", "河口镇", "河口镇", date(2026, 11, 30),
     [(date(2026, 10, 9), "in_progress", "尚无社工服务的村已落实联系社工站")]),
    (2, "落实2027年政府购买社会工作服务预算", "purchase_budget_wan", None, "县财政局、县民政局",
     date(2026, 12, 31), []),
    (2, "城关街道社工站每月至少开展1次专业督导", "supervision_sessions", "城关街道", "城关街道",
     date(2026, 10, 31), [(date(2026, 9, 30), "done", "9月督导已开展，10月督导已排期")]),
]  # fmt: skip


class _DemoClock:
    """The time of the demo's entries: each at 10:00 Beijing time on its day, so the store is the same every run."""

    def __init__(self) -> None:
        self.day = FIRST_SNAPSHOT

    def __call__(self) -> datetime:
        return datetime.combine(self.day, time(10), BEIJING)


def write_demo_followups(path: Path, township_codes: dict[str, str]) -> SqlFollowups:
    """The demo's meetings and follow-up items, written in the order they happened."""
    clock = _DemoClock()
    store = SqlFollowups.sqlite(path, clock=clock)
    meetings = []
    for day, title, reviewed in DEMO_MEETINGS:
        clock.day = day
        meetings.append(store.add_meeting(day, title, reviewed, DEMO_EDITOR))
    for number, task, metric, township, lead, due, history in DEMO_ITEMS:
        meeting = meetings[number - 1]
        clock.day = meeting.meeting_date
        item = store.add_item(meeting.meeting_id, task, metric, township_codes.get(township), lead, due, DEMO_EDITOR)
        for day, status, note in history:
            clock.day = day
            if status:
                item = store.update_item(item, {"status": status}, DEMO_EDITOR)
            if note:
                store.add_note(item.item_id, day, note, DEMO_EDITOR)
                item = store.item(item.item_id)
    return store


def _with_columns(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the contract's columns, in order (empty tables keep their columns)."""
    return frame.reindex(columns=list(table.column_names))


def write_demo(out: Path) -> list[date]:
    """Write the demo county's snapshots into `out`, which must be empty or a previous demo."""
    if out.exists() and any(out.iterdir()) and not (out / DEMO_MARKER).exists():
        raise StoreError(f"目录 {out} 不是空目录，也不是演示数据目录；为免覆盖真实数据，已停止")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / DEMO_MARKER).write_text("Written by `python -m socialwork demo`; safe to regenerate.\n")
    identity.write(out, DEMO_COUNTY)
    county = DemoCounty()
    dates = month_ends(FIRST_SNAPSHOT, LAST_SNAPSHOT)
    for on in dates:
        write_snapshot(out, on, county.snapshot(on))
    write_demo_followups(out / FOLLOWUP_FILE, {t["name"]: t["code"] for t in county.townships})
    write_demo_boundaries(out, county.townships)
    return snapshot_dates(out)


def write_demo_boundaries(out: Path, townships: list[dict]) -> dict:
    """The demo's synthetic township outlines (demo_shapes), checked and stored as any county's are."""
    from socialwork.data.demo import shapes as demo_shapes
    from socialwork.data.maps import boundaries

    return boundaries.store(demo_shapes.demo_geojson(townships), out, COUNTY_CODE, "wgs84", "demo_shapes.py",
                            stamp=f"{LAST_SNAPSHOT.isoformat()}T00:00:00+00:00")  # fmt: skip
