"""Synthetic stores for the benchmark, in the contract's schema: one county, or a store of many counties with the
division hierarchy (a city of 10 counties, a province of 12 cities × 10, the nation of 31 provinces × 10 × 9).

Vectorised with NumPy and Arrow: every entity (township, community, person, post, ...) is drawn once,
with the snapshot at which it appears and, for people, when they gain a certificate; each snapshot
is then the entities present by its date, written through the store like any import (so the derived
tables are computed the same way). A store of many counties is written county by county, each into its own
county=<code>/ store as its imports would be, in as many worker processes as the machine has cores.
The figures are plausible, not realistic: the point is the volume.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from socialwork.data.contract.enums import (
    ACTIVITY_KIND,
    ACTIVITY_MODE,
    CERTIFICATE_LEVEL,
    COMMUNITY_KIND,
    EMPLOYER_TYPE,
    EVALUATION_GRADE,
    FUNDING,
    ORGANISATION_STATUS,
    PURCHASE_STATUS,
    SECTOR,
    SW_EDUCATION,
    TOWNSHIP_KIND,
)
from socialwork.data.contract.schema import Enum, Table
from socialwork.data.contract.tables import (
    ACTIVITIES,
    COMMUNITIES,
    MILESTONES,
    ORGANISATIONS,
    PEOPLE,
    POSTS,
    PURCHASES,
    TARGETS,
    TOWNSHIPS,
)
from socialwork.data.demo.plan import milestones_at, targets_frame
from socialwork.data.demo.story import month_ends
from socialwork.data.storage.store import to_arrow

FIRST_PROVINCE = 61  # a nation's provinces have the synthetic codes 61, 62, ...
LAST_SNAPSHOT = date(2026, 10, 31)
Progress = Callable[[int, int], None]  # (done, of): snapshots of one county, or counties of many


@dataclass(frozen=True)
class Scale:
    """A synthetic store's size: one county, or a store of many counties (provinces × cities × counties)."""

    name: str
    townships: int  # per county
    communities: int  # per county
    people: int  # per county, on the register at the last snapshot
    snapshots: int
    counties: int = 1  # per city; more than one (or more than one city): a store of many counties
    cities: int = 1  # per province
    provinces: int = 1  # more than one: a nation of provinces
    # Counties drawn and written through the import's write; the others are recoded copies of them (many_counties.py).
    # None: every county drawn.
    drawn_counties: int | None = None

    def __post_init__(self) -> None:
        # Each level's codes have two digits (a nation's provinces start at FIRST_PROVINCE), a township's three.
        too_many = self.county_count > 1 and self.townships > 999
        if too_many or max(self.counties, self.cities, self.provinces + FIRST_PROVINCE - 1) > 99:
            raise ValueError(f"{self} does not fit the division codes")

    @property
    def top(self) -> str:
        """The store's top level, which names its whole-store view: county, city, province or nation."""
        if self.provinces > 1:
            return "nation"
        if self.cities > 1:
            return "province"
        return "city" if self.counties > 1 else "county"

    @property
    def county_count(self) -> int:
        return self.provinces * self.cities * self.counties


SCALES = {
    "tiny": Scale("tiny", 12, 150, 1_500, 3),
    "city": Scale("city", 15, 190, 2_000, 36, counties=10),
    # 120 counties: 1,800 townships, 30,000 villages/communities, 300,000 people.
    "province": Scale("province", 15, 250, 2_500, 36, counties=10, cities=12),
    # 2,790 counties: 41,850 townships, 619,380 villages/communities, 1,501,020 people.
    # Drawing and writing 100,000 county-snapshots would take 1.5 hours on 2 cores: 120 are drawn, the rest copied.
    "nation": Scale("nation", 15, 222, 538, 36, counties=9, cities=10, provinces=31, drawn_counties=120),
}


def snapshot_dates(scale: Scale) -> list[date]:
    first = LAST_SNAPSHOT
    for _ in range(scale.snapshots - 1):
        first = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    return month_ends(first, LAST_SNAPSHOT)


class _Draw:
    """Random choices returned as Arrow arrays."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def codes(self, enum: Enum, n: int, weights: list[float] | None = None, exclude: tuple[str, ...] = ()):
        options = np.array([code for code in enum.codes if code not in exclude], dtype=object)
        p = None if weights is None else np.array(weights) / np.sum(weights)
        return options[self.rng.choice(len(options), size=n, p=p)]

    def days_before(self, limits: np.ndarray, span_days: int) -> np.ndarray:
        """A date up to span_days before each limit (days since epoch)."""
        return limits - self.rng.integers(0, span_days, size=len(limits))

    def appearances(self, n: int, snapshots: int, present_at_start: float) -> np.ndarray:
        """The snapshot index at which each entity appears: most at the start, the rest spread out."""
        later = self.rng.integers(1, max(snapshots, 2), size=n)
        return np.where(self.rng.random(n) < present_at_start, 0, np.minimum(later, snapshots - 1))


def _days(values: list[date]) -> np.ndarray:
    return np.array([(d - date(1970, 1, 1)).days for d in values], dtype=np.int64)


def _date_array(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    mask = None if valid is None else ~valid
    return pa.array(days.astype(np.int32), type=pa.int32(), mask=mask).cast(pa.date32())


def _strings(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    return pa.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], type=pa.string())


def _nullable(values: np.ndarray | pa.Array, valid: np.ndarray) -> pa.Array:
    """Strings with nulls where not valid (pa.array ignores a mask when given an Arrow array)."""
    strings = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    return pc.if_else(pa.array(valid), strings, pa.scalar(None, pa.string()))


def _contract_table(table: Table, columns: dict) -> pa.Table:
    """The drawn columns in the contract's schema; a column not drawn here (added to the contract since) is empty,
    so that the benchmark runs on a grown contract before this file draws its values."""
    rows = len(next(iter(columns.values())))
    schema = table.arrow_schema()
    return pa.table({f.name: columns.get(f.name, pa.nulls(rows, f.type)) for f in schema}, schema=schema)


class SyntheticCounty:
    """Every entity of a synthetic store, drawn once; snapshot(i) cuts out one month."""

    def __init__(self, scale: Scale, seed: int = 20261125, county_code: str | None = None) -> None:
        self.scale = scale
        self.county_code = county_code  # a county of a city: its townships' codes begin with it
        self.dates = snapshot_dates(scale)
        self.date_days = _days(self.dates)
        self.draw = _Draw(seed)
        self._townships()
        self._communities()
        self._people()
        self._posts()
        self._organisations()
        self._activities()
        self._purchases()

    # ------------------------------------------------------------------ entities
    def _townships(self) -> None:
        n, draw = self.scale.townships, self.draw
        numbers = np.arange(n)
        self.township_codes = (
            _strings(self.county_code, numbers + 1, 3) if self.county_code else _strings("9", numbers + 10_000_000, 8)
        )
        has_station = draw.rng.random(n) < 0.9
        brand = has_station & (draw.rng.random(n) < 0.4)
        opened = draw.days_before(np.full(n, self.date_days[0]), 900)
        self.townships = _contract_table(
            TOWNSHIPS,
            {
                "township_code": self.township_codes,
                "township_name": _strings("乡镇", numbers + 1, 5),
                "township_kind": draw.codes(TOWNSHIP_KIND, n, [0.5, 0.3, 0.2]),
                "has_station": has_station,
                "station_opened_date": _date_array(opened, has_station),
                "station_stars": np.where(has_station, draw.rng.integers(0, 6, n), 0).astype(np.int32),
                "station_resident_workers": np.where(has_station, draw.rng.integers(1, 4, n), 0).astype(np.int32),
                "brand_project": _nullable(np.array([f"亮点项目{i + 1}" for i in range(n)], dtype=object), brand),
            },
        )

    def _communities(self) -> None:
        n, draw = self.scale.communities, self.draw
        township = np.sort(draw.rng.integers(0, self.scale.townships, n))
        within = np.arange(n) - np.searchsorted(township, township)  # 0, 1, 2 ... inside each township
        kind = draw.codes(COMMUNITY_KIND, n, [0.25, 0.15, 0.6])
        urban_rural = np.select([kind == "urban_community", kind == "rural_community"], ["111", "121"], "220")
        self.community_township = township
        self.community_codes = pa.array(
            [
                f"{self.township_codes[t].as_py()}{w + 1:03d}"
                for t, w in zip(township.tolist(), within.tolist(), strict=True)
            ],
            type=pa.string(),
        )
        self.communities = _contract_table(
            COMMUNITIES,
            {
                "community_code": self.community_codes,
                "township_code": self.township_codes.take(township),
                "community_name": _strings("村社区", np.arange(n) + 1, 7),
                "community_kind": kind,
                "urban_rural_code": urban_rural,
            },
        )

    def _people(self) -> None:
        n, draw, rng = self.scale.people, self.draw, self.draw.rng
        last = len(self.dates) - 1
        self.person_appears = draw.appearances(n, len(self.dates), 0.8)
        self.person_leaves = np.where(rng.random(n) < 0.03, rng.integers(1, last + 2, n), last + 1)
        self.person_leaves = np.maximum(self.person_leaves, self.person_appears + 1)
        placement = rng.random(n)
        community = rng.integers(0, self.scale.communities, n)
        in_community = placement < 0.7
        in_township = placement < 0.95
        township = np.where(in_community, self.community_township[community], rng.integers(0, self.scale.townships, n))
        appears_days = self.date_days[self.person_appears]
        # Certified at the start, or during the period (exam results land in one month each year).
        certified_at_start = rng.random(n) < 0.35
        later = rng.random(n) < 0.25
        self.certified_at = np.where(certified_at_start, 0, np.where(later, rng.integers(1, last + 2, n), last + 1))
        self.certified_at = np.maximum(self.certified_at, self.person_appears)
        certified_in_period = self.date_days[np.minimum(self.certified_at, last)]
        certified_days = np.where(certified_at_start, draw.days_before(appears_days, 2000), certified_in_period)
        card_at = np.where(rng.random(n) < 0.1, rng.integers(0, last + 1, n), last + 1)
        self.card_at = np.maximum(card_at, self.person_appears)
        award_at = np.where(rng.random(n) < 0.05, rng.integers(0, last + 1, n), last + 1)
        self.award_at = np.maximum(award_at, self.person_appears)
        self.person_level = draw.codes(CERTIFICATE_LEVEL, n, [0.7, 0.27, 0.03], exclude=("none",))
        self.person_certified_days = certified_days
        self.person_card_days = draw.days_before(self.date_days[np.minimum(self.card_at, last)], 25)
        self.person_award_year = np.array([d.year for d in self.dates])[np.minimum(self.award_at, last)]
        sector_valid = rng.random(n) < 0.6
        self.people = _contract_table(
            PEOPLE,
            {
                # The import's pseudonym shape (P and 16 hex digits): not taken for a phone number by a part's save.
                "person_id": _strings("P", np.arange(n), 16),
                "township_code": _nullable(self.township_codes.take(township), in_township),
                "community_code": _nullable(self.community_codes.take(community), in_community),
                "employer_type": np.where(
                    in_community & (rng.random(n) < 0.6), "community", draw.codes(EMPLOYER_TYPE, n)
                ),
                "role": _nullable(np.full(n, "社工", dtype=object), rng.random(n) < 0.5),
                "certificate_level": np.full(n, "none", dtype=object),  # set per snapshot
                "certificate_date": _date_array(np.zeros(n, np.int64), np.zeros(n, bool)),
                "first_certified_date": _date_array(np.zeros(n, np.int64), np.zeros(n, bool)),
                "sw_education": draw.codes(SW_EDUCATION, n, [0.6, 0.2, 0.15, 0.05]),
                "sector": _nullable(draw.codes(SECTOR, n), sector_valid),
                "talent_card_date": _date_array(np.zeros(n, np.int64), np.zeros(n, bool)),
                "award_year": pa.nulls(n, pa.int32()),
                "joined_date": _date_array(draw.days_before(appears_days, 1500)),
            },
        )

    def _posts(self) -> None:
        n, draw, rng = self.scale.people // 4, self.draw, self.draw.rng
        self.post_appears = draw.appearances(n, len(self.dates), 0.85)
        appears_days = self.date_days[self.post_appears]
        self.posts = _contract_table(
            POSTS,
            {
                "post_id": _strings("G", np.arange(n), 9),
                "sector": draw.codes(SECTOR, n),
                "unit_name": np.full(n, "设岗单位", dtype=object),
                "township_code": _nullable(
                    self.township_codes.take(rng.integers(0, self.scale.townships, n)), rng.random(n) >= 0.1
                ),
                "funding": draw.codes(FUNDING, n),
                "is_filled": rng.random(n) < 0.85,
                "created_date": _date_array(draw.days_before(appears_days, 25)),
                "is_main_professional": rng.random(n) < 0.3,
            },
        )

    def _organisations(self) -> None:
        n, draw, rng = max(self.scale.townships // 2, 1), self.draw, self.draw.rng
        self.organisation_appears = draw.appearances(n, len(self.dates), 0.8)
        staff = rng.integers(3, 30, n)
        certified = rng.integers(0, staff + 1)
        educated = rng.integers(0, staff + 1)
        professional = np.minimum(staff, np.maximum(certified, educated) + rng.integers(0, 3, n))
        self.organisations = _contract_table(
            ORGANISATIONS,
            {
                "organisation_id": _strings("52", np.arange(n), 16),
                "organisation_name": _strings("社会工作服务中心", np.arange(n) + 1, 6),
                "township_code": _nullable(
                    self.township_codes.take(rng.integers(0, self.scale.townships, n)), rng.random(n) >= 0.3
                ),
                "registered_date": _date_array(draw.days_before(self.date_days[self.organisation_appears], 25)),
                "status": draw.codes(ORGANISATION_STATUS, n, [0.85, 0.1, 0.05]),
                "staff": staff.astype(np.int32),
                "certified_staff": certified.astype(np.int32),
                "sw_educated_staff": educated.astype(np.int32),
                "professional_staff": professional.astype(np.int32),
                "evaluation_grade": draw.codes(EVALUATION_GRADE, n),
            },
        )

    def _activities(self) -> None:
        n, draw, rng = self.scale.townships * 8, self.draw, self.draw.rng
        first = self.date_days[0] - 365
        self.activity_days = np.sort(rng.integers(first, self.date_days[-1] + 1, n))
        self.activities = _contract_table(
            ACTIVITIES,
            {
                "activity_id": _strings("A", np.arange(n), 9),
                "activity_date": _date_array(self.activity_days),
                "activity_kind": draw.codes(ACTIVITY_KIND, n),
                "mode": draw.codes(ACTIVITY_MODE, n),
                "township_code": _nullable(
                    self.township_codes.take(rng.integers(0, self.scale.townships, n)), rng.random(n) >= 0.2
                ),
                "title": np.full(n, "社会工作活动", dtype=object),
                "attendees": rng.integers(5, 200, n).astype(np.int32),
                "hours": rng.integers(1, 17, n).astype(np.float64),
            },
        )

    def _purchases(self) -> None:
        n, draw, rng = self.scale.townships * 6, self.draw, self.draw.rng
        years = np.array(sorted({d.year for d in self.dates}))
        self.purchase_year = years[rng.integers(0, len(years), n)]
        self.purchases = _contract_table(
            PURCHASES,
            {
                "purchase_id": _strings("B", np.arange(n), 9),
                "plan_year": self.purchase_year.astype(np.int32),
                "department": draw.codes(Enum("department", "", {"县民政局": "", "县妇联": "", "团县委": ""}), n),
                "project_name": np.full(n, "社会工作服务项目", dtype=object),
                "budget_wan": rng.integers(2, 40, n).astype(np.float64),
                "township_code": _nullable(
                    self.township_codes.take(rng.integers(0, self.scale.townships, n)), rng.random(n) >= 0.2
                ),
                "status": draw.codes(PURCHASE_STATUS, n),
            },
        )

    # ------------------------------------------------------------------ snapshots
    def _people_at(self, i: int) -> pa.Table:
        present = (self.person_appears <= i) & (self.person_leaves > i)
        rows = np.flatnonzero(present)
        people = self.people.take(rows)
        certified = self.certified_at[rows] <= i
        level = np.where(certified, self.person_level[rows], "none")
        certified_dates = _date_array(self.person_certified_days[rows], certified)
        card = self.card_at[rows] <= i
        award = self.award_at[rows] <= i
        replaced = {
            "certificate_level": pa.array(level, type=pa.string()),
            "certificate_date": certified_dates,
            "first_certified_date": certified_dates,
            "talent_card_date": _date_array(self.person_card_days[rows], card),
            "award_year": pa.array(self.person_award_year[rows].astype(np.int32), mask=~award),
        }
        for name, values in replaced.items():
            people = people.set_column(people.schema.get_field_index(name), name, values)
        return people

    def snapshot(self, i: int) -> dict[str, pa.Table]:
        on = self.dates[i]
        return {
            "townships": self.townships,
            "communities": self.communities,
            "people": self._people_at(i),
            "posts": self.posts.filter(self.post_appears <= i),
            "organisations": self.organisations.filter(self.organisation_appears <= i),
            "activities": self.activities.filter(self.activity_days <= self.date_days[i]),
            "purchases": self.purchases.filter(self.purchase_year <= on.year),
            "targets": to_arrow(TARGETS, targets_frame()),
            "milestones": to_arrow(MILESTONES, milestones_at(on)),
        }
