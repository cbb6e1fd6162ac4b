"""Stations, organisations, incentives, activities and purchases on the fixture county, by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from socialwork.figures import measures
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_county import T1, T2, T3

NOV_2024 = date(2024, 11, 30)


def test_star_distribution_and_station_summary(fixture_store):
    stars = measures.stations_by_star_rating(NOV_2024, EVERYWHERE, fixture_store)
    assert dict(zip(stars["station_stars"], stars["stations"], strict=True)) == {0: 1, 1: 0, 2: 0, 3: 1, 4: 0, 5: 0}
    summary = measures.station_summary(NOV_2024, EVERYWHERE, fixture_store)
    assert summary[["townships", "stations_operating", "stations_star_rated", "brand_projects"]].tolist() == [
        3,
        2,
        1,
        1,
    ]
    assert summary["resident_workers"] == 3 and summary["resident_workers_per_station"] == 1.5
    assert summary["stations_below_resident_minimum"] == 1  # 乙镇 has one resident
    one = measures.station_summary(NOV_2024, Places.townships([T1]), fixture_store)
    assert one[["stations_operating", "stations_star_rated", "resident_workers"]].tolist() == [1, 1, 2]


def test_stations_by_township_with_supervision(fixture_store):
    frame = measures.stations_by_township(NOV_2024, EVERYWHERE, fixture_store).set_index("township_code")
    assert frame["supervision_sessions_this_year"].to_dict() == {T1: 1, T2: 1, T3: 0}
    assert frame.loc[T1, "brand_project"] == "亮点甲"
    assert not frame.loc[T3, "has_station"]


def test_organisations_active_first_and_staff_shares(fixture_store):
    frame = measures.organisations(NOV_2024, EVERYWHERE, fixture_store)
    assert list(frame["organisation_id"]) == ["O2", "O1", "O3"]  # active by share (40 %, 60 %), then deregistered
    assert frame["professional_share"].tolist() == pytest.approx([40.0, 60.0, 100.0])
    assert (frame["status"] == "active").sum() == 2
    assert list(measures.organisations(NOV_2024, Places.townships([T1]), fixture_store)["organisation_id"]) == ["O1"]


def test_incentives_and_award_sum_in_wan(fixture_store):
    frame = measures.incentives_by_year(NOV_2024, EVERYWHERE, fixture_store).set_index("year")
    assert frame.loc[2024, ["talent_cards_issued", "awards"]].tolist() == [1, 1]
    assert frame.loc[2024, "award_sum_wan"] == pytest.approx(0.15)
    assert frame.loc[2023, "awards"] == 0
    assert measures.incentives_by_year(NOV_2024, Places.townships([T2]), fixture_store)["awards"].sum() == 0


def test_certified_by_level(fixture_store):
    frame = measures.certified_by_level(NOV_2024, EVERYWHERE, fixture_store)
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.date
    at = frame[frame["snapshot_date"] == NOV_2024].set_index("certificate_level")["people"].to_dict()
    assert at == {"assistant": 6, "intermediate": 1, "senior": 0}


def test_activities_by_kind_and_mode(fixture_store):
    frame = measures.activities_by_kind_and_mode(NOV_2024, EVERYWHERE, fixture_store)
    held = frame.set_index(["activity_kind", "mode"])
    assert held.loc[("exam_tutoring", "offline"), ["sessions", "attendees"]].tolist() == [1, 50]
    assert held.loc[("supervision", "online"), ["sessions", "attendees", "hours"]].tolist() == [1, 8, 2.0]
    assert held.loc[("supervision", "offline"), ["sessions", "attendees", "hours"]].tolist() == [1, 6, 3.0]
    assert held.xs("training")["sessions"].sum() == 0  # the only training (A4) was in 2023
    assert len(frame) == 10  # five kinds × two modes, zeros included
    township = measures.activities_by_kind_and_mode(NOV_2024, Places.townships([T1]), fixture_store)
    assert township["sessions"].sum() == 1 and township["attendees"].sum() == 8


def test_supervision_by_township_and_month(fixture_store):
    frame = measures.supervision_training_by_township(NOV_2024, EVERYWHERE, fixture_store)
    assert list(frame["township_code"]) == [T3, T1, T2]  # none first
    assert frame.set_index("township_code")[["supervision_sessions", "attendees"]].loc[T2].tolist() == [1, 6]
    months = measures.activities_by_month(NOV_2024, EVERYWHERE, fixture_store)
    sessions = months.groupby("month")["sessions"].sum()
    assert sessions.to_dict() == {m: (1 if m in (4, 5, 10) else 0) for m in range(1, 12)}


def test_purchases(fixture_store):
    by_department = measures.purchases_by_department(NOV_2024, EVERYWHERE, fixture_store)
    assert dict(zip(by_department["department"], by_department["budget_wan"], strict=True)) == {
        "县司法局": 20.5, "县民政局": 8.0,
    }  # fmt: skip
    by_year = measures.purchase_budget_by_year(NOV_2024, EVERYWHERE, fixture_store).set_index("plan_year")
    assert by_year["budget_wan"].to_dict() == {2023: 8.0, 2024: 28.5}
    assert by_year.loc[2024, "county_wide_budget_wan"] == 20.5
    assert measures.purchase_budget_by_year(NOV_2024, Places.townships([T1]), fixture_store)["budget_wan"].tolist() == [
        8.0,
        8.0,
    ]
    by_township = measures.purchases_by_township(NOV_2024, EVERYWHERE, fixture_store).set_index("township_code")
    assert by_township["budget_wan"].to_dict() == {T1: 8.0, T2: 0.0, T3: 0.0}
