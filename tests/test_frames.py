"""Results fetched through Arrow (large stores) are the very frames DuckDB's .df() gives (small stores)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from socialwork.data.storage.aggregates import AGGREGATES_FOLDER
from socialwork.figures import choices, db, store_views
from socialwork.figures.frames import among, as_dates, frame_from_arrow
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_city import EMPTY_IN_ONE_COUNTY
from tests.fixture_county import T1
from tests.test_queries import SAMPLE_PARAMETERS

PAGE_QUERIES = [name for name in db.query_names() if not name.startswith(f"{AGGREGATES_FOLDER}/")]


def _both_ways(store, name: str, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    bound = db.bind(name, params)
    cursor = db.connection(store).cursor()
    try:
        by_duckdb = cursor.execute(db.query_text(name), bound).df()
        through_arrow = frame_from_arrow(cursor.execute(db.query_text(name), bound).to_arrow_table())
    finally:
        cursor.close()
    return by_duckdb, through_arrow


@pytest.mark.parametrize("name", PAGE_QUERIES)
@pytest.mark.parametrize("places", [EVERYWHERE, Places.townships([T1])], ids=["county", "township"])
def test_every_query_gives_the_same_frame_either_way_on_the_fixture(fixture_store, name, places):
    params = SAMPLE_PARAMETERS | {"places": places}
    by_duckdb, through_arrow = _both_ways(fixture_store, name, params)
    pd.testing.assert_frame_equal(through_arrow, by_duckdb, check_exact=True)


@pytest.mark.parametrize("name", PAGE_QUERIES)
def test_every_query_gives_the_same_frame_either_way_on_the_demo(demo_store, name):
    dates = choices.available_dates(demo_store)
    params = SAMPLE_PARAMETERS | {
        "snapshot_date": dates[-1], "from_date": dates[0], "to_date": dates[-1], "plan_year": dates[-1].year,
        "snapshot_dates": dates[-3:], "previous_date": dates[-2], "from_year": dates[0].year,
    }  # fmt: skip
    by_duckdb, through_arrow = _both_ways(demo_store, name, params)
    assert len(by_duckdb) > 0 or name in EMPTY_IN_ONE_COUNTY
    pd.testing.assert_frame_equal(through_arrow, by_duckdb, check_exact=True)


MISSING_VALUES = """
    select * from (values
        (1::INTEGER, 1::BIGINT, true, date '2026-01-31', 3::HUGEINT, '甲', 1.5::DOUBLE),
        (NULL, 2, NULL, NULL, NULL, NULL, NULL)
    ) as t(count, whole, met, day, total, name, share)
"""


@pytest.mark.parametrize("rows", ["", "where false"])
def test_missing_values_and_empty_results_keep_duckdbs_types(rows):
    con = duckdb.connect()
    sql = f"select * from ({MISSING_VALUES}) {rows}"
    by_duckdb = con.execute(sql).df()
    through_arrow = frame_from_arrow(con.sql(sql).to_arrow_table())
    pd.testing.assert_frame_equal(through_arrow, by_duckdb, check_exact=True)
    if not rows:
        assert str(through_arrow["count"].dtype) == "Int32" and str(through_arrow["met"].dtype) == "boolean"


def test_a_store_read_from_its_files_answers_every_query_as_the_in_memory_one(fixture_store, monkeypatch):
    """A province's or the nation's store (registers left in their files) goes through Arrow: same frames."""
    params = {name: {p: SAMPLE_PARAMETERS[p] for p in db.query_parameters(name)} for name in PAGE_QUERIES}
    db.clear_cache()
    in_memory = {name: db.run(name, data=fixture_store, **params[name]) for name in PAGE_QUERIES}
    monkeypatch.setattr(store_views, "IN_MEMORY_MAX_ROWS", 0)
    db.clear_cache()
    assert db.open_store(fixture_store).through_arrow
    for name in PAGE_QUERIES:
        pd.testing.assert_frame_equal(db.run(name, data=fixture_store, **params[name]), in_memory[name], obj=name)
    db.clear_cache()


@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["610101", "610102", None, "620101"], dtype="str"),
        pd.Series(["610101", "610102", None, "620101"], dtype=object),
        pd.Series([None, None], dtype=object),  # no value at all
        pd.Series([], dtype="str"),
    ],
)
@pytest.mark.parametrize("codes", [{"610101", "620101"}, ["610102"], (), ["999999"]])
def test_among_is_isin(column, codes):
    assert among(column, codes).tolist() == column.isin(list(codes)).tolist()


def test_as_dates_is_dt_date():
    stamps = pd.Series(pd.to_datetime(["2024-01-31", "2024-02-29", None, "2024-01-31"]), index=[3, 1, 2, 0], name="d")
    for column in (stamps, stamps.iloc[:0]):
        pd.testing.assert_series_equal(as_dates(column), pd.to_datetime(column).dt.date)
