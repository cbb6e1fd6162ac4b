"""The demo county's story in numbers: its townships, its dates, how many are certified, join and leave each
year, and a person's life history (Person), from which DemoCounty (county.py) cuts its snapshots.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta

from socialwork.data.contract.county_files import DEFAULT_PLAN_TITLE
from socialwork.data.storage import identity

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


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def wave_date(rng: random.Random, year: int) -> date:
    """A certificate date: most arrive in the wave after the national exam (Oct–Dec)."""
    if rng.random() < 0.85:
        return random_date(rng, date(year, 10, 10), date(year, 12, 20))
    return random_date(rng, date(year, 1, 5), date(year, 9, 30))


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
