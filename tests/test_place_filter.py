"""The place filter as one value (figures/place_filter.py) and the one SQL macro that reads it (db.PLACES_MACRO)."""

from __future__ import annotations

import pytest

from socialwork.figures import db
from socialwork.figures.place_filter import EVERYWHERE, Places

COUNTY, T1, T2 = "999901", "999901001", "999901204"


def test_each_constructor_says_what_it_builds():
    assert Places.everywhere() == Places.within(None) == Places.townships([]) == EVERYWHERE
    assert (Places.within("99").division, Places.within("99").township_codes) == ("99", ())
    assert Places.townships([T2, T1]).township_codes == (T2, T1)  # the order chosen, as the report lists them
    with pytest.raises(ValueError):
        Places.within(T1)  # a township is chosen with Places.townships
    with pytest.raises(ValueError):
        Places(division=COUNTY, township_codes=(T1,))


@pytest.mark.parametrize(
    ("places", "scope", "county", "bound"),
    [
        (EVERYWHERE, None, None, None),
        (Places.within("99"), "99", None, ["99"]),
        (Places.within("9999"), "9999", None, ["9999"]),
        (Places.within(COUNTY), COUNTY, COUNTY, [COUNTY]),
        (Places.townships([T1, T2]), COUNTY, COUNTY, [T1, T2]),
    ],
)
def test_it_answers_where_it_lies_and_binds_as_one_list(places, scope, county, bound):
    assert (places.scope, places.county, places.bound()) == (scope, county, bound)
    assert db.bind("purchases/purchases_by_township", {"places": places, "snapshot_date": None})["places"] == bound


def test_it_is_a_cache_key():
    assert len({Places.townships([T1]), Places.townships((T1,)), Places.within(COUNTY), EVERYWHERE}) == 3


ROWS = """
    select * from (values ('999901001', '999901'), ('999901204', '999901'), ('999902001', '999902'),
                          (null, '999901'), (null, '999902')) as r(township_code, county_code)
"""


@pytest.mark.parametrize(
    ("places", "rows"),
    [
        (EVERYWHERE, 5),
        (Places.within("9999"), 5),
        (Places.within(COUNTY), 3),  # its townships and its county-level row
        (Places.townships([T1]), 1),  # a township filter leaves county-level rows out
        (Places.townships([T1, T2]), 2),
        (Places.within("98"), 0),
    ],
)
def test_the_macro_keeps_the_rows_in_the_places(places, rows):
    con = db._new_connection()
    found = con.execute(f"select count(*) from ({ROWS}) where in_places(township_code, county_code, $places)",
                        {"places": places.bound()}).fetchone()[0]  # fmt: skip
    assert found == rows
