"""A contract that grows: snapshots written before a column existed read it as missing (NULL), and a figure that
counts it is 无数据 at their dates, not 0; newer snapshots are read by column name, so nothing of theirs is lost.

The demo county is copied and split into two eras, as if the contract had gained `townships.station_stars` on
1 January 2025: its snapshots before that date are rewritten without the column, then `aggregate` rebuilds their
derived tables as it would for a real county's store.
"""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.cli import main
from socialwork.data import settings
from socialwork.data.contract.schema import CONTRACT_VERSION, VERSION_KEY
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.storage import checksums
from socialwork.data.storage.checksums import MANIFEST_FILE
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.store import read_table, snapshot_dates
from socialwork.figures import db, metrics
from socialwork.figures.place_filter import EVERYWHERE, Places

NEW_ERA = date(2025, 1, 1)
OLD_DATE, NEW_DATE = date(2024, 12, 31), date(2026, 10, 31)
STARS = "station_stars"


def _folder(store, on: date):
    return store / f"snapshot_date={on.isoformat()}"


@pytest.fixture(scope="module")
def two_eras(tmp_path_factory):
    store = tmp_path_factory.mktemp("eras") / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, store)
    (store / ".socialwork-demo").unlink(missing_ok=True)  # a county's store now, not the built-in demo
    for on in snapshot_dates(store):
        path = _folder(store, on) / "townships.parquet"
        table = pq.read_table(path)
        if on < NEW_ERA:  # written before the column existed
            table = table.drop_columns([STARS]).replace_schema_metadata({})
        else:  # and the newer era carries a column this version does not know yet, which must not break reading
            table = table.append_column("volunteer_hours", pq.read_table(path)[STARS])
        pq.write_table(table, path)
        (_folder(store, on) / MANIFEST_FILE).unlink()  # written by older software: no checksums either
    assert main(["aggregate", "--data", str(store)]) == 0
    db.clear_cache()
    yield store
    db.clear_cache()


def _report(store, on: date) -> dict[str, metrics.Kpi]:
    return {k.metric_key: k for k in metrics.kpi_report(on, EVERYWHERE, store).kpis}


def test_older_snapshots_read_the_new_column_as_missing_and_newer_ones_keep_theirs(two_eras):
    counted = (
        db.connection(two_eras)
        .execute(
            f"select snapshot_date >= $era as new_era, count({STARS}), count(volunteer_hours), count(*) "
            "from townships group by all order by all",
            {"era": NEW_ERA},
        )
        .fetchall()
    )
    (old, old_stars, old_hours, old_rows), (new, new_stars, new_hours, new_rows) = counted
    assert (old, old_stars, old_hours) == (False, 0, 0) and old_rows > 0
    assert (new, new_stars, new_hours) == (True, new_rows, new_rows)


def test_a_figure_on_the_new_column_is_no_data_before_it_and_counted_after(two_eras):
    before, original_before = _report(two_eras, OLD_DATE), _report(settings.DEMO_DATA_DIR, OLD_DATE)
    stars = before["stations_star_rated"]
    assert (stars.value, stars.status, stars.status_label) == (None, "no_data", "无数据")
    assert original_before["stations_star_rated"].value > 0  # the demo has star-rated stations: not a 0 by chance
    for key in ("stations_operating", "brand_projects", "certified_net_increase"):  # other figures unchanged
        assert before[key].value == original_before[key].value, key
    after, original_after = _report(two_eras, NEW_DATE), _report(settings.DEMO_DATA_DIR, NEW_DATE)
    assert after["stations_star_rated"].value == original_after["stations_star_rated"].value
    assert after["stations_star_rated"].previous_value == original_after["stations_star_rated"].previous_value


def test_the_trend_across_both_eras_has_gaps_not_zeros(two_eras):
    township = read_table(two_eras, NEW_DATE, TABLES_BY_NAME["townships"])["township_code"].iloc[0]
    for places in (EVERYWHERE, Places.townships([township])):
        trend = metrics.figures_by_snapshot(date(2024, 1, 31), NEW_DATE, places, two_eras)["stations_star_rated"]
        assert trend[trend.index < NEW_ERA].isna().all()
        assert trend[trend.index >= NEW_ERA].notna().all()


def test_aggregate_rebuilds_older_snapshots_with_the_figure_empty(two_eras):
    rebuilt = pd.read_parquet(_folder(two_eras, OLD_DATE) / "township_figures.parquet")
    original = pd.read_parquet(_folder(settings.DEMO_DATA_DIR, OLD_DATE) / "township_figures.parquet")
    assert rebuilt["stations_star_rated"].isna().all()
    pd.testing.assert_frame_equal(
        rebuilt.drop(columns="stations_star_rated"), original[rebuilt.columns].drop(columns="stations_star_rated")
    )
    county = pd.read_parquet(_folder(two_eras, OLD_DATE) / "county_figures.parquet")
    assert county["stations_star_rated"].isna().all() and county["stations_operating"].notna().all()


def test_an_older_snapshot_read_for_carrying_forward_has_the_new_column_empty(two_eras):
    townships = read_table(two_eras, OLD_DATE, TABLES_BY_NAME["townships"])
    assert list(townships.columns) == list(TABLES_BY_NAME["townships"].column_names)
    assert townships[STARS].isna().all()


def test_every_file_records_the_contract_version_it_was_written_under(fixture_store, two_eras):
    written = list(_folder(fixture_store, snapshot_dates(fixture_store)[-1]).glob("*.parquet"))
    rebuilt = [_folder(two_eras, OLD_DATE) / f"{name}.parquet" for name in ("township_figures", "county_figures")]
    assert len(written) == len(TABLES_BY_NAME) + 3
    for path in written + rebuilt:
        assert pq.read_schema(path).metadata[VERSION_KEY.encode()] == str(CONTRACT_VERSION).encode(), path.name


def test_a_snapshot_written_under_a_newer_contract_is_refused(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    path = _folder(store, snapshot_dates(store)[-1]) / "townships.parquet"
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({VERSION_KEY: str(CONTRACT_VERSION + 1)}), path)
    checksums.record(path.parent, snapshot_dates(store)[-1])  # written so by a newer software: its checksums agree
    db.clear_cache()
    with pytest.raises(StoreError, match=f"数据契约第 {CONTRACT_VERSION + 1} 版.*请先更新本软件"):
        db.connection(store)
    db.clear_cache()


@pytest.mark.parametrize("page", ["overview.py", "targets.py", "stations.py", "meeting.py"])
def test_pages_show_the_older_era_without_error(two_eras, monkeypatch, page):
    monkeypatch.setenv("SOCIALWORK_DATA", str(two_eras))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["asof"] = OLD_DATE.isoformat()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    if page == "stations.py":
        shown = {m.label: m.value for m in at.metric}
        assert shown["星级社工站"] == "—"
