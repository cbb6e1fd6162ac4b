"""The plan's other measures: stations, organisations, incentives, supervision and training, purchases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data.contract.enums import CERTIFICATE_LEVEL
from socialwork.data.contract.standards import AWARD_WAN_PER_PERSON, STATION_MIN_RESIDENT_WORKERS
from socialwork.figures import db
from socialwork.figures.choices import available_dates
from socialwork.figures.metrics import figures_by_snapshot
from socialwork.figures.place_filter import Places


def stations_by_township(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("stations/stations_by_township", data=data, snapshot_date=as_of, places=places)


def stations_by_star_rating(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("stations/stations_by_star_rating", data=data, snapshot_date=as_of, places=places)


def station_summary(as_of: date, places: Places, data: Path | None = None) -> pd.Series:
    return db.run(
        "stations/station_summary", data=data, snapshot_date=as_of, places=places,
        min_residents=STATION_MIN_RESIDENT_WORKERS,
    ).iloc[0]  # fmt: skip


def organisations(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Registered organisations, active first and lowest professional share first."""
    return db.run("organisations/organisations_at_snapshot", data=data, snapshot_date=as_of, places=places)


def incentives_by_year(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Talent cards, awards and the award sum (万元) per year since the first snapshot's year."""
    return db.run(
        "incentives/incentives_by_year", data=data, snapshot_date=as_of, places=places,
        from_year=available_dates(data)[0].year, award_wan=AWARD_WAN_PER_PERSON,
    )  # fmt: skip


def certified_by_level(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Certified social workers per level at every snapshot up to as_of: snapshot_date, certificate_level,
    certificate_level_label, people. From the plan figures per snapshot (metrics.figures_by_snapshot), so a city's
    trend follows the rule of every multi-county trend: each reporting county with its latest snapshot on or before
    the date, never a dip at a month one county missed."""
    figures = figures_by_snapshot(available_dates(data)[0], as_of, places, data)
    levels = [code for code in CERTIFICATE_LEVEL.codes if code != "none"]
    rows = [
        {"snapshot_date": on, "certificate_level": code, "certificate_level_label": CERTIFICATE_LEVEL.label_of(code),
         "people": int(figures.loc[on, f"certified_{code}"])}
        for on in figures.index for code in levels if pd.notna(figures.loc[on, f"certified_{code}"])
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["snapshot_date", "certificate_level", "certificate_level_label", "people"])


def activities_by_kind_and_mode(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("activities/activities_by_kind_and_mode", data=data, snapshot_date=as_of, places=places)


def supervision_training_by_township(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    """Supervision and training per township this year, townships with none first."""
    return db.run("activities/supervision_training_by_township", data=data, snapshot_date=as_of, places=places)


def activities_by_month(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("activities/activities_by_month", data=data, snapshot_date=as_of, places=places)


def purchases_by_department(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("purchases/purchases_by_department", data=data, snapshot_date=as_of, places=places)


def purchase_budget_by_year(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("purchases/purchase_budget_by_year", data=data, snapshot_date=as_of, places=places)


def purchases_by_township(as_of: date, places: Places, data: Path | None = None) -> pd.DataFrame:
    return db.run("purchases/purchases_by_township", data=data, snapshot_date=as_of, places=places)
