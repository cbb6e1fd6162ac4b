"""A city's round into a bucket of many counties (issue 35): a county's published month submitted to the city whose
store is a bucket, approved and published there, each county's month through its own manifest, read back on another
server; a month published so is combined afterwards, never on the publication's path."""

from __future__ import annotations

import pandas as pd
import pytest

from socialwork.data.contract.tables import TABLES
from socialwork.data.reporting.city import CityReporting
from socialwork.data.storage import bucket_combined, combined, layout, objectstore, store
from socialwork.data.storage.location import Bucket
from socialwork.data.storage.publishing import publish_store
from socialwork.figures import hierarchy
from socialwork.figures.place_filter import Places
from tests.fixture_city import CITY, COUNTY_A, COUNTY_B, write_city_store, write_county_store
from tests.test_reporting import Clock
from tests.test_reporting_city import (
    CITY_REVIEWER,
    COUNTY_A_CLERK,
    DEADLINE,
    MONTH,
    publish_county_a,
    rows,
)

pytestmark = pytest.mark.objectstore


def test_a_citys_round_publishes_into_the_bucket(bucket_store: Bucket, tmp_path):
    list(publish_store(write_city_store(tmp_path / "city"), bucket_store))
    county_a = write_county_store(tmp_path / "county-a", COUNTY_A)
    publish_county_a(county_a, tmp_path)
    flow = CityReporting(f"sqlite:///{tmp_path / 'city.sqlite'}", bucket_store, clock=Clock())
    flow.set_units(flow.default_units(), CITY_REVIEWER)
    round_id = flow.open_round(CITY_REVIEWER, MONTH, DEADLINE).round_id
    assert flow.submit_county_month(COUNTY_A_CLERK, round_id, county_a).state == "submitted"
    changes = {c.label: c.delta for c in flow.changes(CITY_REVIEWER, round_id, COUNTY_A)}
    assert changes["持证社工人数"] == 1  # against 甲县's March month in the bucket
    flow.approve(CITY_REVIEWER, round_id, COUNTY_A)
    published = flow.publish(CITY_REVIEWER, round_id, carry_forward=True)
    assert published.carried == ("乙县",)

    county_bucket = layout.county_store(bucket_store, COUNTY_A)
    assert MONTH in objectstore.published(county_bucket, fresh=True).snapshots  # its own manifest
    assert MONTH not in objectstore.published(layout.county_store(bucket_store, COUNTY_B), fresh=True).snapshots
    for table in TABLES:
        pd.testing.assert_frame_equal(rows(county_bucket, MONTH, table), rows(county_a, MONTH, table), obj=table.name)
    status = hierarchy.reporting(MONTH, Places.within(CITY), bucket_store)
    assert status.reporting == (COUNTY_A,) and "乙县" in status.missing_names[0]
    assert flow.assembly(MONTH).text() == "本月数据由各县报送汇总：已报 1 / 2 个县 · 缺报 1 个县（乙县）"
    # Not combined on the publication's path: read from 甲县's files until a combiner runs.
    assert MONTH in bucket_combined.stale_months(bucket_store)
    assert bucket_combined.combine(bucket_store).written == [MONTH]
    store.snapshot_dates(bucket_store)
    assert MONTH in combined.listing(layout.local_root(bucket_store)).fresh
    assert flow.assembly(MONTH).text() == "本月数据由各县报送汇总：已报 1 / 2 个县 · 缺报 1 个县（乙县）"


def test_a_county_in_a_bucket_of_its_own_submits_from_the_command_line(bucket_store, tmp_path, monkeypatch, capsys):
    """甲县 publishes into a bucket prefix of its own; `round submit-county s3://… --data s3://…` submits its month to
    the city's round in the bucket of many counties."""
    from socialwork import cli
    from socialwork.data.server import serverdb

    city = Bucket(bucket_store.bucket, f"{bucket_store.prefix}-city")
    list(publish_store(write_city_store(tmp_path / "city"), city))
    county_a = write_county_store(tmp_path / "county-a", COUNTY_A)
    publish_county_a(county_a, tmp_path)
    list(publish_store(county_a, bucket_store))
    monkeypatch.setenv(serverdb.DB_ENV, f"sqlite:///{tmp_path / 'city.sqlite'}")
    assert cli.main(["units", "--default", "--data", str(city)]) == 0
    assert cli.main(["round", "open", "--as-of", str(MONTH), "--deadline", "2099-12-31", "--data", str(city)]) == 0
    assert cli.main(["round", "submit-county", str(bucket_store), "--data", str(city)]) == 0
    assert "已报送 甲县" in capsys.readouterr().out
