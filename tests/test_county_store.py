"""A county's own connection in a store of many counties (figures/db.py, county_store): every query within one county
gives the very frame the whole store gives, and the whole store's connection answers until the county's is open."""

from __future__ import annotations

import pandas as pd
import pytest

from socialwork.data.storage import divisions
from socialwork.data.storage.layout import county_folder
from socialwork.figures import db, hierarchy, store_views
from socialwork.figures.frames import frame_from_arrow
from socialwork.figures.place_filter import Places
from tests.fixture_city import BOTH, COUNTY_A, COUNTY_B, MISSING_MONTH, write_city_store
from tests.fixture_county import T1, T2
from tests.test_queries import SAMPLE_PARAMETERS

PLACED_QUERIES = [name for name in db.query_names() if db.query_parameters(name) & {"scope", "places"}]
A1, A2 = COUNTY_A + T1[6:], COUNTY_A + T2[6:]
B1 = COUNTY_B + T1[6:]


@pytest.fixture(scope="module", params=["combined", "county folders"])
def city(tmp_path_factory, request):
    return write_city_store(tmp_path_factory.mktemp("city"), combine=request.param == "combined")


@pytest.fixture
def files_only(monkeypatch):
    """The store read from its files, as a province's or the nation's is (their county views use county stores)."""
    monkeypatch.setattr(store_views, "IN_MEMORY_MAX_ROWS", 0)
    db.clear_cache()
    yield
    db.clear_cache()


def _on(opened: db.OpenStore, name: str, params: dict) -> pd.DataFrame:
    cursor = opened.con.cursor()
    try:
        result = cursor.execute(db.query_text(name), params)
        return frame_from_arrow(result.to_arrow_table()) if opened.through_arrow else result.df()
    finally:
        cursor.close()


@pytest.mark.parametrize("name", PLACED_QUERIES)
def test_every_query_within_a_county_gives_the_whole_stores_frame(city, files_only, name):
    whole = db.open_store(city)
    views = (Places.within(COUNTY_A), Places.townships([A1]), Places.townships([A1, A2]), Places.townships([B1]))
    for county, places in zip((COUNTY_A, COUNTY_A, COUNTY_A, COUNTY_B), views, strict=True):
        own = db.county_store(city, county)
        assert own is not None and not own.through_arrow
        # B has not reported MISSING_MONTH: its own store lacks the date the whole store has.
        for on in (MISSING_MONTH, BOTH):
            scope = hierarchy.scope_in_store(places, city)  # as figures pass it to a query of divisions
            given = SAMPLE_PARAMETERS | {"places": places, "scope": scope, "snapshot_date": on, "to_date": on}
            params = db.bind(name, given | {"plan_year": on.year})
            assert db.county_of(params) == county
            expected = _on(whole, name, params)
            pd.testing.assert_frame_equal(_on(own, name, params), expected, check_exact=True, obj=f"{name} {places}")


def test_a_query_within_one_county_runs_on_its_store_once_open(city, files_only):
    whole = db.open_store(city)
    assert whole.by_county
    assert db._store_for(city, {"scope": COUNTY_A}) is whole  # the first ask opens it in the background
    own = db.county_store(city, COUNTY_A)  # waits for it
    assert db._store_for(city, {"scope": COUNTY_A}).con is own.con
    assert db._store_for(city, {"places": [A1, A2]}).con is own.con
    assert db._store_for(city, {"scope": COUNTY_A[:4]}) is whole  # the city
    assert db._store_for(city, {"places": [A1, B1]}) is whole  # two counties
    assert db._store_for(city, {"snapshot_date": BOTH}) is whole  # no place filter


def test_a_store_held_in_memory_needs_no_county_stores(city):
    db.clear_cache()
    assert not db.open_store(city).by_county
    assert db._store_for(city, {"scope": COUNTY_A}) is db.open_store(city)


def test_the_county_a_place_filter_lies_in():
    assert db.county_of({"scope": COUNTY_A, "places": None}) == COUNTY_A
    assert db.county_of({"scope": COUNTY_A, "places": [A1, A2]}) == COUNTY_A
    assert db.county_of({"scope": None, "places": [A1, A2]}) is None  # the query reads beyond its townships
    assert db.county_of({"places": [A1, A2]}) == COUNTY_A
    assert db.county_of({"places": [COUNTY_A]}) == COUNTY_A
    assert db.county_of({"scope": COUNTY_A[:4]}) is None
    assert db.county_of({"places": [A1, B1]}) is None
    assert db.county_of({"scope": None, "places": None}) is None
    assert db.county_of({"places": []}) is None


def test_a_write_to_the_store_opens_the_county_again(tmp_path, files_only):
    root = write_city_store(tmp_path / "city")
    before = db.county_store(root, COUNTY_A)
    frame = divisions.read(root)
    divisions.write(root, frame)  # any write: a new store version
    after = db.county_store(root, COUNTY_A)
    assert after is not None and after.con is not before.con


def test_a_county_that_cannot_be_opened_leaves_the_whole_store_answering(tmp_path, files_only, caplog):
    root = write_city_store(tmp_path / "city", combine=True)
    whole = db.open_store(root)  # its combined months were made before the county's files broke
    for folder in county_folder(root, COUNTY_A).iterdir():
        for file in folder.glob("people.parquet"):
            file.write_bytes(b"not parquet")
    assert db.county_store(root, COUNTY_A) is None
    assert db._store_for(root, {"scope": COUNTY_A}) is whole
    assert "its own connection could not be opened" in caplog.text


def test_a_county_without_a_folder_is_answered_by_the_whole_store(city, files_only, caplog):
    assert db.county_store(city, "999903") is None  # listed nowhere, never imported
    assert "could not be opened" not in caplog.text
