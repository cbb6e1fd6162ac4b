"""Every SQL file runs on the fixture county and returns exactly the columns its header documents."""

from __future__ import annotations

import re
from datetime import date

import pytest

from socialwork.figures import db
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_city import EMPTY_IN_ONE_COUNTY
from tests.fixture_county import T1

SAMPLE_PARAMETERS = {
    "snapshot_date": date(2024, 11, 30),
    "from_date": date(2023, 12, 31),
    "from_dates": [date(2023, 12, 31)],
    "to_date": date(2024, 11, 30),
    "plan_year": 2024,
    "places": EVERYWHERE,
    "scope": None,
    "snapshot_dates": [date(2023, 12, 31), date(2024, 11, 30)],
    "previous_date": date(2024, 6, 30),
    "min_certified": 2,
    "from_year": 2023,
    "award_wan": 0.15,
    "max_rows": 1000,
    "min_residents": 2,
    "digits": 6,
}


def documented_columns(name: str) -> list[str]:
    header = "\n".join(line[2:].strip() for line in db.query_text(name).splitlines() if line.startswith("--"))
    match = re.search(r"Columns:(.*?)(?:\n[A-Z][a-z]+:|\Z)", header, re.S)
    assert match, f"queries/{name}.sql has no 'Columns:' line in its header"
    return [c.strip() for c in match.group(1).replace("\n", " ").split(",") if c.strip()]


@pytest.mark.parametrize("name", db.query_names())
def test_query_returns_documented_columns(fixture_store, name):
    params = {p: SAMPLE_PARAMETERS[p] for p in db.query_parameters(name)}
    frame = db.run(name, data=fixture_store, **params)
    assert list(frame.columns) == documented_columns(name)
    assert len(frame) > 0 or name in EMPTY_IN_ONE_COUNTY  # those are run on a city in tests/test_hierarchy.py


@pytest.mark.parametrize("name", db.query_names())
def test_query_runs_with_a_township_filter(fixture_store, name):
    params = {p: SAMPLE_PARAMETERS[p] for p in db.query_parameters(name)}
    if "places" in params:
        params["places"] = Places.townships([T1])
    db.run(name, data=fixture_store, **params)


@pytest.mark.parametrize("name", db.query_names())
def test_query_files_hold_no_paths_and_document_their_parameters(name):
    text = db.query_text(name)
    assert ".parquet" not in text and "read_parquet" not in text
    literals = re.findall(r"'([^']*)'", re.sub(r"--.*", "", text))
    assert not [x for x in literals if "/" in x or "\\" in x], "a string literal that looks like a path"
    header = "\n".join(line for line in text.splitlines() if line.startswith("--"))
    for parameter in db.query_parameters(name):
        assert f"${parameter}" in header, f"{name}: ${parameter} is not documented in the header"


def test_missing_parameter_is_a_clear_error(fixture_store):
    with pytest.raises(db.QueryError, match="缺少参数"):
        db.run("kpi/targets_for_year", data=fixture_store, snapshot_date=date(2024, 11, 30))


def test_results_are_cached_until_the_store_changes(fixture_store, tmp_path):
    import shutil

    from socialwork.data.storage.store import write_snapshot
    from tests.fixture_county import snapshot

    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    day = date(2024, 11, 30)
    first = db.run("places/townships_at_snapshot", data=store, snapshot_date=day)
    first.loc[0, "township_name"] = "被改动"
    again = db.run("places/townships_at_snapshot", data=store, snapshot_date=day)
    assert again.loc[0, "township_name"] == "甲街道"  # callers get copies, the cache is untouched
    renamed = snapshot(day)
    renamed["townships"].loc[0, "township_name"] = "甲新街道"
    write_snapshot(store, day, renamed, replace=True)  # a re-import changes the store version
    assert db.run("places/townships_at_snapshot", data=store, snapshot_date=day).loc[0, "township_name"] == "甲新街道"
