"""Two provinces in one store, built from the city of tests/fixture_city.py: the levels above the city.

测试省 (99) holds 测试市 (9999: 甲县 999901 and 乙县 999902, exactly as in fixture_city) and 丙市 (9998: 丙县
999801); 另一省 (98) holds 丁市 (9801: 丁县 980101). 丙县 and 丁县 are the fixture county (tests/fixture_county.py)
under their own codes, like 甲县; 丁县, like 乙县, has not reported 2024-11-30. So at 2025-03-31 every county
reports (测试省 = 甲县 + 乙县 + 丙县 = two fixture counties and 乙县; 另一省 = one fixture county), and at 2024-11-30
测试省 lacks one county (乙县) and 另一省 has none reporting.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data.storage import combined, divisions, identity
from socialwork.data.storage.layout import county_folder
from socialwork.data.storage.store import write_snapshot
from tests import fixture_city, fixture_county
from tests.fixture_city import CITY, COUNTY_A, COUNTY_B, MISSING_MONTH

PROVINCE, OTHER_PROVINCE = "99", "98"
CITY_C, CITY_D = "9998", "9801"
COUNTY_C, COUNTY_D = "999801", "980101"
NAMES = fixture_city.NAMES | {
    PROVINCE: "测试省",
    OTHER_PROVINCE: "另一省",
    CITY_C: "丙市",
    CITY_D: "丁市",
    COUNTY_C: "丙县",
    COUNTY_D: "丁县",
}
COUNTIES = (COUNTY_D, COUNTY_C, COUNTY_A, COUNTY_B)  # in code order
LATE = {COUNTY_B, COUNTY_D}  # without MISSING_MONTH


def county_dates(county: str) -> list[date]:
    return [on for on in fixture_county.SNAPSHOTS if not (county in LATE and on == MISSING_MONTH)]


def divisions_frame() -> pd.DataFrame:
    """fixture_city's divisions under 测试省, and the other city and province."""
    city = fixture_city.divisions_frame()
    city.loc[city["division_code"] == CITY, "parent_code"] = PROVINCE
    rows = [
        (PROVINCE, NAMES[PROVINCE], "province", None),
        (OTHER_PROVINCE, NAMES[OTHER_PROVINCE], "province", None),
        (CITY_C, NAMES[CITY_C], "city", PROVINCE),
        (COUNTY_C, NAMES[COUNTY_C], "county", CITY_C),
        (CITY_D, NAMES[CITY_D], "city", OTHER_PROVINCE),
        (COUNTY_D, NAMES[COUNTY_D], "county", CITY_D),
    ]
    more = pd.DataFrame(rows, columns=list(city.columns))
    return pd.concat([more, city], ignore_index=True).sort_values("division_code", ignore_index=True)


def write_nation_store(root: Path, combine: bool = True) -> Path:
    """Both provinces: divisions.parquet, one county folder per county and (unless combine is False) the combined
    months."""
    divisions.write(root, divisions_frame())
    for county in COUNTIES:
        folder = county_folder(root, county)
        identity.write(folder, identity.new_county(NAMES[county], county))
        for on in county_dates(county):
            write_snapshot(folder, on, fixture_city.county_snapshot(county, on))
    if combine:
        combined.rebuild(root)
    return root
