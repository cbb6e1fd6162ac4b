"""The built-in demo county "XX县": a deterministic generator of monthly snapshots.

Every entity is given a life history first (when a person joins, leaves, is certified; when a
station opens or is rated; when an organisation registers), then each month-end snapshot is
what was true on that date. The story: the +40 certified goal is met in 2023 and 2025 but not
in 2024; the seventh organisation arrives only in 2024; a few remote villages and urban
communities stay short; the 2026 exam wave has not yet arrived by the last snapshot. Two review
meetings of 2026 are recorded with their follow-up items (followups.py), written to the store's
followups.sqlite.

The story's numbers are in story.py; the histories are built by people.py (places, people, incentives) and
services.py (posts, organisations, activities, purchases); the plan's targets and milestones by plan.py; writing.py
writes the whole demo store (`python -m socialwork demo`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd

from socialwork.data.contract.schema import Table
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.demo.people import PeopleHistory
from socialwork.data.demo.plan import milestones_at, targets_frame
from socialwork.data.demo.services import ServiceHistory
from socialwork.data.demo.story import SEED, Person


class DemoCounty(PeopleHistory, ServiceHistory):
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


def _with_columns(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the contract's columns, in order (empty tables keep their columns)."""
    return frame.reindex(columns=list(table.column_names))
