"""The demo county's posts, organisations, activities and purchases, each with its history."""

from __future__ import annotations

import random
from datetime import date, timedelta

from socialwork.data.contract.enums import SECTOR
from socialwork.data.demo.story import LAGGING_TOWNSHIP, LAST_SNAPSHOT, Person, random_date


class ServiceHistory:
    """Posts, organisations, activities and purchases, built into a DemoCounty (county.py) after its people."""

    rng: random.Random
    townships: list[dict]
    communities: list[dict]
    people: list[Person]

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
                created = random_date(rng, date(2019, 6, 1), date(2026, 9, 30))
                if sector == "trade_union":
                    created = random_date(rng, date(2025, 3, 1), date(2025, 11, 30))
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
                    random_date(rng, date(year, 4, 1), date(year, 5, 31)),
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
                        random_date(rng, date(year, month, 1), date(year, month, 25)),
                        "supervision",
                        rng.choice(["online", "offline", "offline"]),
                        township,
                        "社工站专业督导",
                        rng.randint(6, 18),
                        rng.choice([2.0, 3.0, 4.0]),
                    )
            for quarter in range(4):
                add(
                    random_date(rng, date(year, 3 * quarter + 1, 1), date(year, 3 * quarter + 3, 25)),
                    "training",
                    rng.choice(["online", "offline"]),
                    rng.choice([None, None, *codes]),
                    f"基层社会工作人才培训（{year}年第{quarter + 1}季度）",
                    rng.randint(30, 120),
                    6.0,
                )
            add(
                random_date(rng, date(year, 3, 10), date(year, 3, 25)),
                "publicity",
                "offline",
                None,
                "国际社工日主题宣传",
                rng.randint(150, 400),
                3.0,
            )
            add(
                random_date(rng, date(year, 11, 1), date(year, 11, 28)),
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
                        random_date(rng, date(year, 1, 10), date(year, 6, 30)),
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
