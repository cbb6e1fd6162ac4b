"""The built-in demo county: valid against the contract, realistic, and exactly what the generator writes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from socialwork.data.contract.tables import TABLES
from socialwork.data.demo.county import DemoCounty
from socialwork.data.demo.story import DEMO_COUNTY, FIRST_SNAPSHOT, LAST_SNAPSHOT, month_ends
from socialwork.data.importing.validate import check_snapshot
from socialwork.data.storage import identity
from socialwork.data.storage.store import read_table, snapshot_dates
from socialwork.figures import metrics
from socialwork.figures.place_filter import EVERYWHERE

DATES = month_ends(FIRST_SNAPSHOT, LAST_SNAPSHOT)


def read_snapshot(root, on):
    return {t.name: read_table(root, on, t) for t in TABLES}


def test_demo_has_every_month_from_december_2022_to_october_2026(demo_store):
    assert snapshot_dates(demo_store) == DATES
    assert len(DATES) == 47


@pytest.mark.parametrize("on", [*DATES[::4], DATES[-1]], ids=str)
def test_demo_snapshot_satisfies_the_contract(demo_store, on):
    problems = check_snapshot(read_snapshot(demo_store, on))
    assert problems == [], [str(p) for p in problems[:10]]


def test_committed_demo_equals_what_the_generator_writes(demo_store):
    assert identity.load(demo_store) == DEMO_COUNTY  # its identity is data in the store, like any county's
    county = DemoCounty()
    for on in DATES:
        generated = county.snapshot(on)
        committed = read_snapshot(demo_store, on)
        for table in TABLES:
            expected = generated[table.name]
            actual = committed[table.name]
            assert len(actual) == len(expected), (on, table.name)
            for column in table.columns:
                left = actual[column.name].astype(object).where(actual[column.name].notna(), None).tolist()
                right = expected[column.name].astype(object).where(expected[column.name].notna(), None).tolist()
                if column.type == "DATE":
                    right = [None if v is None else pd.Timestamp(v).date() for v in right]
                if column.type in ("INTEGER", "DOUBLE"):
                    right = [None if v is None else float(v) for v in right]
                    left = [None if v is None else float(v) for v in left]
                assert left == right, (on, table.name, column.name)


def test_demo_magnitudes_match_a_real_county(demo_store):
    frames = read_snapshot(demo_store, LAST_SNAPSHOT)
    kinds = frames["communities"]["community_kind"].value_counts()
    assert 15 <= len(frames["townships"]) <= 20
    assert 200 <= kinds["village"] <= 300
    assert 30 <= kinds["urban_community"] <= 60
    certified = frames["people"]["certificate_level"].value_counts()
    assert 100 <= certified.drop("none").sum() <= 500
    assert certified["assistant"] / certified.drop("none").sum() > 0.7
    assert certified.get("senior", 0) / certified.drop("none").sum() < 0.01


def test_demo_story_some_targets_met_some_not(demo_store):
    def status(on, key):
        return {k.metric_key: k for k in metrics.kpi_report(on, EVERYWHERE, demo_store).kpis}[key]

    assert status(date(2023, 12, 31), "certified_net_increase").status == "met"
    assert status(date(2024, 12, 31), "certified_net_increase").status == "missed"
    assert status(date(2023, 12, 31), "active_organisations").status == "missed"
    assert status(date(2024, 12, 31), "active_organisations").status == "met"
    latest = metrics.kpi_report(LAST_SNAPSHOT, EVERYWHERE, demo_store)
    statuses = {k.status for k in latest.kpis}
    assert "met" in statuses and statuses & {"behind", "missed"}
    assert status(LAST_SNAPSHOT, "urban_communities_2plus_share").value < 100


def test_the_demo_talent_card_label_comes_from_its_identity(demo_store):
    report = metrics.kpi_report(LAST_SNAPSHOT, EVERYWHERE, demo_store)
    assert {k.metric_key: k.label for k in report.kpis}["talent_cards_this_year"] == "本年发放“XX英才卡”"
