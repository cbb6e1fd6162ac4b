"""The demo county's places and people: townships, communities and stations, then everyone's life history
(joining, certification, leaving) and the incentives they receive."""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from socialwork.data.contract.enums import SECTOR, SW_EDUCATION
from socialwork.data.demo.story import (
    CERTIFIED_LEAVERS,
    CERTIFIED_TRANSFERS_IN,
    COUNTY_CODE,
    GROSS_CERTIFIED,
    LAGGING_TOWNSHIP,
    LAST_SNAPSHOT,
    NAME_CHARS,
    NEW_VILLAGE_WORKERS,
    OTHER_JOINERS,
    STAR_QUALITY_BAR,
    TOWNSHIPS,
    Person,
    random_date,
    wave_date,
)


class PeopleHistory:
    """Places and people, built into a DemoCounty (county.py) in the order its constructor calls them."""

    rng: random.Random
    townships: list[dict]
    communities: list[dict]
    people: list[Person]

    # ------------------------------------------------------------ places
    def _build_places(self) -> None:
        rng = self.rng
        counters = {"street": 1, "town": 100, "xiang": 200}
        for name, kind in TOWNSHIPS:
            code = f"{COUNTY_CODE}{counters[kind]:03d}"
            counters[kind] += 1
            late = name == LAGGING_TOWNSHIP or rng.random() < 0.12
            opened = (
                random_date(rng, date(2023, 5, 1), date(2024, 6, 30))
                if late
                else random_date(rng, date(2021, 3, 1), date(2022, 10, 31))
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
            t["brand_from"] = random_date(rng, date(2023, 9, 1), date(2025, 12, 31))

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
            joined=random_date(rng, date(2016, 1, 1), before),
        )
        if certified:
            p.first_certified = random_date(rng, max(p.joined, date(2017, 1, 1)), before)
            if rng.random() < 0.15:
                p.upgraded = random_date(rng, p.first_certified, before)
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
            p.joined = random_date(rng, date(year, 1, 10), end - timedelta(days=5))
        for _ in range(OTHER_JOINERS[year]):
            self._joiner(year, end)
        for _ in range(CERTIFIED_TRANSFERS_IN[year]):
            p = self._person(None, None, "government", "机关事业单位社工", True, date(year, 1, 1))
            p.joined = random_date(rng, date(year, 2, 1), date(year, 8, 31))
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
        p.joined = random_date(rng, date(year, 1, 10), end - timedelta(days=5))

    def _served(self, community_code: str) -> bool:
        return any(p.community_code == community_code for p in self.people)

    def _certify(self, year: int, end: date) -> None:
        rng = self.rng
        for _ in range(GROSS_CERTIFIED[year]):
            for _attempt in range(200):
                when = wave_date(rng, year)
                if when > end:
                    continue
                candidates = [p for p in self.people if p.present(when) and p.first_certified is None]
                weights = [4 if p.community_code and p.community_code[9] == "0" else 1 for p in candidates]
                pick = rng.choices(candidates, weights)[0]
                pick.first_certified = when
                break
        for p in self.people:
            if p.certified(date(year - 1, 12, 31)) and p.upgraded is None and rng.random() < 0.06:
                p.upgraded = wave_date(rng, year)
                if p.upgraded > end:
                    p.upgraded = None
        if year == 2024:
            senior = next(p for p in self.people if p.upgraded and p.upgraded.year == 2023)
            senior.upgrade_level = "senior"

    def _leave(self, year: int, end: date) -> None:
        rng = self.rng
        for _ in range(CERTIFIED_LEAVERS[year]):
            when = random_date(rng, date(year, 1, 15), end - timedelta(days=3))
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
