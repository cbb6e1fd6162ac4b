"""A city of three small counties (tests/fixture_city.py's two and 丙县, 999903, the fixture county once more under
its own codes), for the servers test of a bucket shared by many counties (tests/servers/test_bucket_counties_servers
.py). 丙县 reports every month 甲县 does.

`with_new_worker` is a county's month with one more certified worker: p11 joins 丙乡's village C32 (where nobody
works) on the first of the month before and is certified (an assistant) on the 20th, so the county's certified
workers gained this year go up by one, and its villages and communities with a social worker from 5 of 6 to 6 of 6.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from socialwork.data.storage import divisions, identity
from socialwork.data.storage.layout import county_folder
from socialwork.data.storage.store import write_snapshot
from tests import fixture_city, fixture_county
from tests.fixture_city import CITY, COUNTY_A, COUNTY_B, county_snapshot

COUNTY_C = "999903"
COUNTIES = (COUNTY_A, COUNTY_B, COUNTY_C)
NAMES = fixture_city.NAMES | {COUNTY_C: "丙县"}


def with_new_worker(county: str, on: date) -> dict[str, pd.DataFrame]:
    """The county's month `on` with p11 (see the module's docstring)."""
    tables = county_snapshot(county, on)
    people = tables["people"]
    joined = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    p11 = people[people["person_id"] == "p8"].assign(
        person_id="p11", community_code=county + fixture_county.C32[6:], joined_date=joined,
        certificate_level="assistant", certificate_date=joined.replace(day=20),
        first_certified_date=joined.replace(day=20),
    )  # fmt: skip
    tables["people"] = pd.concat([people, p11], ignore_index=True)
    return tables


def write_city3_store(root: Path) -> Path:
    """The three-county city as a folder store of many counties (its months not combined: publish_store combines
    them in the bucket)."""
    rows = fixture_city.divisions_frame()
    third = pd.DataFrame([(COUNTY_C, NAMES[COUNTY_C], "county", CITY)], columns=rows.columns)
    divisions.write(root, pd.concat([rows, third], ignore_index=True))
    for county in COUNTIES:
        folder = county_folder(root, county)
        identity.write(folder, identity.new_county(NAMES[county], county))
        for on in fixture_city.county_dates(county):
            write_snapshot(folder, on, county_snapshot(county, on))
    return root
