"""A county small enough to work every figure out by hand (see the tables in each test).

Townships: T1 甲街道 (street, station, 3 stars, brand), T2 乙镇 (town, station, 0 stars), T3 丙乡 (no station).
Communities: C11, C12 urban (T1); C21 urban, C22 village (T2); C31, C32 villages (T3).
Snapshots: 2023-12-31, 2024-06-30, 2024-11-30, 2025-03-31 (there is no December 2024 snapshot).

People (community = employer 城乡社区 unless said):
  p1 T1/C11 certified 2020-05-01      p2 T1/C11 certified 2021-06-01
  p3 T1/C12 certified 2024-03-10      p4 T2/C21 intermediate (first 2019-09-01, upgraded 2022-11-01)
  p5 T2/C22 certified 2024-10-20      p6 county government, certified 2018-01-01, left 2024-02-01
  p7 T2 station worker, never certified
  p8 T3/C31 joined 2024-04-01, certified 2025-01-15
  p9 county government, joined 2024-05-01 with a certificate from 2015 (a transfer: net, not gross)
  p10 T1/C12 joined 2024-07-01, certified 2024-11-05, talent card 2024-11-20, award 2024
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.storage import identity
from socialwork.data.storage.store import write_snapshot

SNAPSHOTS = [date(2023, 12, 31), date(2024, 6, 30), date(2024, 11, 30), date(2025, 3, 31)]
T1, T2, T3 = "999999001", "999999101", "999999201"
C11, C12, C21, C22, C31, C32 = (f"{t}{n}" for t, n in [(T1, "001"), (T1, "002"), (T2, "001"), (T2, "200"),
                                                       (T3, "200"), (T3, "201")])  # fmt: skip

# id, township, community, employer, first certified, upgraded, joined, left, talent card, award date
PEOPLE = [
    ("p1", T1, C11, "community", date(2020, 5, 1), None, date(2019, 1, 1), None, None, None),
    ("p2", T1, C11, "community", date(2021, 6, 1), None, date(2019, 1, 1), None, None, None),
    ("p3", T1, C12, "community", date(2024, 3, 10), None, date(2020, 1, 1), None, None, None),
    ("p4", T2, C21, "community", date(2019, 9, 1), date(2022, 11, 1), date(2018, 1, 1), None, None, None),
    ("p5", T2, C22, "community", date(2024, 10, 20), None, date(2021, 1, 1), None, None, None),
    ("p6", None, None, "government", date(2018, 1, 1), None, date(2017, 1, 1), date(2024, 2, 1), None, None),
    ("p7", T2, None, "station", None, None, date(2022, 1, 1), None, None, None),
    ("p8", T3, C31, "community", date(2025, 1, 15), None, date(2024, 4, 1), None, None, None),
    ("p9", None, None, "government", date(2015, 1, 1), None, date(2024, 5, 1), None, None, None),
    ("p10", T1, C12, "community", date(2024, 11, 5), None, date(2024, 7, 1), None, date(2024, 11, 20),
     date(2024, 11, 25)),
]  # fmt: skip


# Every additive figure of the plan (contract.PLAN_FIGURES) for the whole county at 2024-11-30, worked out by hand
# from the rows in this file; a figure added to the contract fails tests/test_metrics.py until it has its value here.
NOV_2024 = date(2024, 11, 30)
COUNTY_FIGURES_NOV_2024 = {
    # On the register: p1-p5, p7-p10 (p6 left in February); certified: p1 p2 p3 p5 p9 p10 assistants, p4
    # intermediate (p7 never, p8 only in 2025); first certified this year: p3 p5 p10.
    "social_workers": 9, "certified_workers": 7, "certified_assistant": 6, "certified_intermediate": 1,
    "certified_senior": 0, "certified_gained_this_year": 3,
    "active_organisations": 2,  # O1, O2 (O3 deregistered)
    # Urban: C11 (p1 p2), C12 (p3 p10), C21 (p4): 2, 2 and 1 certified; C21 lacks one.
    "urban_communities": 3, "certified_in_urban_communities": 5, "urban_communities_2plus": 2,
    "urban_communities_0_certified": 0, "urban_communities_1_certified": 1, "urban_communities_3plus_certified": 0,
    "urban_shortfall": 1,
    "townships": 3, "townships_served": 3, "communities": 6, "communities_served": 5,  # C32 has no one
    "stations_operating": 2, "stations_star_rated": 1, "brand_projects": 1, "station_resident_workers": 3,
    "community_workers": 7, "certified_community_workers": 6,  # p1-p5 p8 p10; p8 not yet certified
    "posts": 3, "posts_filled": 2, "posts_new_this_year": 2,  # G1 G2 G3; G1 G3 filled; G2 G3 set up in 2024
    "exam_tutoring_sessions": 1, "exam_tutoring_attendees": 50, "supervision_sessions": 2, "training_sessions": 0,
    "talent_cards_this_year": 1, "talent_cards_total": 1, "awards_this_year": 1,  # p10
    "organisation_staff": 15, "organisation_professional_staff": 8,  # O1 10 and 6, O2 5 and 2
    "purchase_projects": 2, "purchase_budget_wan": 28.5,  # B1 8.0 and B2 20.5 of 2024
}  # fmt: skip


def people_at(on: date) -> pd.DataFrame:
    rows = []
    for pid, township, community, employer, first, upgraded, joined, left, card, award in PEOPLE:
        if joined > on or (left is not None and left <= on):
            continue
        certified = first is not None and first <= on
        level = "intermediate" if upgraded and upgraded <= on else ("assistant" if certified else "none")
        rows.append({
            "person_id": pid, "township_code": township, "community_code": community, "employer_type": employer,
            "role": None, "certificate_level": level,
            "certificate_date": (upgraded if level == "intermediate" else first) if certified else None,
            "first_certified_date": first if certified else None, "sw_education": "none", "sector": None,
            "talent_card_date": card if card and card <= on else None,
            "award_year": award.year if award and award <= on else None, "joined_date": joined,
        })  # fmt: skip
    return pd.DataFrame(rows)


def townships_at(on: date) -> pd.DataFrame:
    return pd.DataFrame([
        {"township_code": T1, "township_name": "甲街道", "township_kind": "street", "has_station": True,
         "station_opened_date": date(2022, 1, 1), "station_stars": 3, "station_resident_workers": 2,
         "brand_project": "亮点甲"},
        {"township_code": T2, "township_name": "乙镇", "township_kind": "town", "has_station": True,
         "station_opened_date": date(2022, 6, 1), "station_stars": 0, "station_resident_workers": 1,
         "brand_project": None},
        {"township_code": T3, "township_name": "丙乡", "township_kind": "xiang", "has_station": False,
         "station_opened_date": None, "station_stars": 0, "station_resident_workers": 0, "brand_project": None},
    ])  # fmt: skip


def communities() -> pd.DataFrame:
    rows = [(C11, T1, "甲一社区", "urban_community", "111"), (C12, T1, "甲二社区", "urban_community", "111"),
            (C21, T2, "乙一社区", "urban_community", "121"), (C22, T2, "乙二村", "village", "220"),
            (C31, T3, "丙一村", "village", "220"), (C32, T3, "丙二村", "village", "220")]  # fmt: skip
    columns = ["community_code", "township_code", "community_name", "community_kind", "urban_rural_code"]
    return pd.DataFrame(rows, columns=columns)


def posts_at(on: date) -> pd.DataFrame:
    rows = [
        ("G1", "community_service_center", T1, "purchase", date(2023, 5, 1), date(2023, 6, 1), False),
        ("G2", "elderly_care", None, "establishment", date(2024, 2, 1), None, True),
        ("G3", "drug_control", T2, "other", date(2024, 9, 1), date(2024, 9, 15), False),
    ]
    return pd.DataFrame([
        {"post_id": pid, "sector": sector, "unit_name": "单位", "township_code": township, "funding": funding,
         "is_filled": filled is not None and filled <= on, "created_date": created, "is_main_professional": main}
        for pid, sector, township, funding, created, filled, main in rows if created <= on
    ])  # fmt: skip


def organisations_at(on: date) -> pd.DataFrame:
    rows = [
        ("O1", T1, date(2020, 1, 1), "active", 10, 5, 3, 6),
        ("O2", None, date(2024, 3, 1), "active", 5, 1, 1, 2),
        ("O3", None, date(2019, 1, 1), "deregistered", 3, 3, 0, 3),
    ]
    return pd.DataFrame([
        {"organisation_id": oid, "organisation_name": f"机构{oid}", "township_code": township,
         "registered_date": registered, "status": status, "staff": staff, "certified_staff": cert,
         "sw_educated_staff": edu, "professional_staff": prof, "evaluation_grade": "none"}
        for oid, township, registered, status, staff, cert, edu, prof in rows if registered <= on
    ])  # fmt: skip


def activities_at(on: date) -> pd.DataFrame:
    rows = [
        ("A1", date(2024, 4, 10), "exam_tutoring", "offline", None, 50, 16.0),
        ("A2", date(2024, 5, 10), "supervision", "online", T1, 8, 2.0),
        ("A3", date(2024, 10, 10), "supervision", "offline", T2, 6, 3.0),
        ("A4", date(2023, 11, 1), "training", "offline", T1, 40, 6.0),
    ]
    return pd.DataFrame([
        {"activity_id": aid, "activity_date": day, "activity_kind": kind, "mode": mode, "township_code": township,
         "title": "活动", "attendees": attendees, "hours": hours}
        for aid, day, kind, mode, township, attendees, hours in rows if day <= on
    ])  # fmt: skip


def purchases_at(on: date) -> pd.DataFrame:
    rows = [
        ("B1", 2024, "县民政局", T1, 8.0), ("B2", 2024, "县司法局", None, 20.5), ("B3", 2023, "县民政局", T1, 8.0),
    ]  # fmt: skip
    return pd.DataFrame([
        {"purchase_id": pid, "plan_year": year, "department": dept, "project_name": "项目", "budget_wan": budget,
         "township_code": township, "status": "ongoing"}
        for pid, year, dept, township, budget in rows if year <= on.year
    ])  # fmt: skip


def targets() -> pd.DataFrame:
    """Targets for 2024 and 2025 only: 2023 has none."""
    rows = []
    for year in (2024, 2025):
        rows += [
            (year, "certified_net_increase", "年度净增超过40人", 40.0, "gt", "county"),
            (year, "active_organisations", "机构达到2家", 2.0, "ge", "county"),
            (year, "certified_per_urban_community", "每个城市社区2名", 2.0, "ge", "scale_free"),
            (year, "urban_communities_2plus_share", "全部城市社区2名以上", 100.0, "ge", "scale_free"),
            (year, "communities_served_share", "村社区全覆盖", 100.0, "ge", "scale_free"),
            (year, "community_worker_certified_share", "持证比例提高", None, "gt_baseline", "scale_free"),
        ]
    columns = ["plan_year", "metric_key", "target_label", "goal_value", "comparator", "scope"]
    return pd.DataFrame(rows, columns=columns)


def milestones_at(on: date) -> pd.DataFrame:
    rows = [
        ("M1", "方案报送", "stage", "县民政局", date(2023, 8, 1), date(2023, 8, 10), date(2023, 8, 9)),
        ("M2", "基地建设", "measure", "县民政局", date(2024, 1, 1), date(2024, 6, 30), None),
    ]
    out = []
    for mid, title, kind, lead, start, due, done in rows:
        is_done = done is not None and done <= on
        status = "done" if is_done else ("not_started" if on < start else "in_progress")
        out.append({"milestone_id": mid, "title": title, "kind": kind, "lead_department": lead, "start_date": start,
                    "due_date": due, "status": status, "done_date": done if is_done else None})  # fmt: skip
    return pd.DataFrame(out)


def snapshot(on: date) -> dict[str, pd.DataFrame]:
    frames = {
        "townships": townships_at(on), "communities": communities(), "people": people_at(on),
        "posts": posts_at(on), "organisations": organisations_at(on), "activities": activities_at(on),
        "purchases": purchases_at(on), "targets": targets(), "milestones": milestones_at(on),
    }  # fmt: skip
    return {name: frame.reindex(columns=list(TABLES_BY_NAME[name].column_names)) for name, frame in frames.items()}


FIXTURE_COUNTY = identity.new_county("测试县", "999999")


def write_fixture_store(root: Path) -> Path:
    identity.write(root, FIXTURE_COUNTY)
    for on in SNAPSHOTS:
        write_snapshot(root, on, snapshot(on))
    return root


# The same county with hostile text in every name a page, chart or export shows: formulas for Excel (= + - @,
# a leading tab or carriage return), markdown and HTML for the browser, and control characters Excel refuses.
HOSTILE_TOWNSHIPS = {
    T1: '=HYPERLINK("http://evil.example","点我")',
    T2: '+1 <a href="x">y</a>',
    T3: "-cmd [点我](http://evil.example) **粗** $x$ :red[红] :material/home: www.evil.example",
}
HOSTILE_COMMUNITIES = {C11: "@SUM(A1)", C12: "\t=1", C21: '<a href="x">y</a>', C22: "a\x00b",
                       C31: "[点我](http://evil.example)", C32: "\r=2"}  # fmt: skip
HOSTILE_ORGANISATIONS = {"O1": "=1+2", "O2": "<b>机构</b>", "O3": "机构\x07三"}
HOSTILE_TEXT = {
    ("townships", "brand_project"): "=cmd|' /C calc'!A0",
    ("purchases", "department"): "-2+3 <b>部门</b>",
    ("milestones", "title"): "@标题",
    ("milestones", "lead_department"): "=部门",
    ("targets", "target_label"): "=目标\x00",
}


def hostile_snapshot(on: date) -> dict[str, pd.DataFrame]:
    frames = snapshot(on)
    frames["townships"]["township_name"] = frames["townships"]["township_code"].map(HOSTILE_TOWNSHIPS)
    frames["communities"]["community_name"] = frames["communities"]["community_code"].map(HOSTILE_COMMUNITIES)
    organisations = frames["organisations"]
    organisations["organisation_name"] = organisations["organisation_id"].map(HOSTILE_ORGANISATIONS)
    for (table, column), text in HOSTILE_TEXT.items():
        frames[table][column] = text
    return frames


def write_hostile_store(root: Path) -> Path:
    for on in SNAPSHOTS:
        write_snapshot(root, on, hostile_snapshot(on))
    return root
