"""What is worked out once per store version and shared: the snapshot list and the KPI report (issue 17)."""

from __future__ import annotations

import shutil
from datetime import date

import numpy as np
import pandas as pd
import pytest

from socialwork.data.storage import store as store_module
from socialwork.data.storage.layout import StoreError, county_folder
from socialwork.data.storage.store import write_snapshot
from socialwork.figures import choices, db, metrics
from socialwork.figures.metrics import ranking as ranking_module
from socialwork.figures.metrics import report as report_module
from socialwork.figures.metrics.registry import SPECS, metric_value
from socialwork.figures.place_filter import EVERYWHERE, Places
from tests.fixture_county import SNAPSHOTS, T1, snapshot

NEW_DAY = date(2025, 6, 30)


@pytest.fixture
def store(tmp_path, fixture_store):
    """A copy of the fixture county that a test may write to."""
    copy = tmp_path / "store"
    shutil.copytree(fixture_store, copy)
    return copy


def counting(monkeypatch, module, name: str) -> list:
    """Count the calls of module.name (still calling it)."""
    calls, original = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_snapshot_list_is_read_once_per_store_version(store, monkeypatch):
    listings = counting(monkeypatch, store_module, "checked_snapshots")
    for _ in range(4):
        assert choices.available_dates(store) == SNAPSHOTS
    assert len(listings) == 1


def test_a_new_snapshot_is_listed_at_once_after_a_write(store):
    assert NEW_DAY not in choices.available_dates(store)
    write_snapshot(store, NEW_DAY, snapshot(NEW_DAY))  # the store announces the write: no second's wait
    assert choices.available_dates(store) == [*SNAPSHOTS, NEW_DAY]


def test_a_snapshot_damaged_later_is_left_out_when_the_version_is_looked_up_again(store, monkeypatch):
    choices.available_dates(store)
    (store / "snapshot_date=2023-12-31" / "people.parquet").unlink()  # changes the folder's mtime
    monkeypatch.setattr(db, "_VERSION_SECONDS", 0.0)  # as after a second
    assert date(2023, 12, 31) not in choices.available_dates(store)
    assert "不完整，缺少数据表文件：people" in db.damaged_snapshots(store)[date(2023, 12, 31)]


@pytest.mark.parametrize("townships", [[], [T1], ["999999999"]], ids=["county", "township", "no township"])
def test_values_by_date_equal_metric_value_for_every_metric_and_date(fixture_store, townships):
    figures = metrics.figures_by_snapshot(SNAPSHOTS[0], SNAPSHOTS[-1], Places.townships(townships), fixture_store)
    for spec in SPECS.values():
        values = report_module.values_by_date(spec, figures)
        expected = {d: metric_value(spec, figures, d) for d in figures.index}
        assert values.keys() == expected.keys()
        for day, value in values.items():
            assert same(value, expected[day]), (spec.key, day, value, expected[day])


def test_values_by_date_are_worked_out_row_by_row_where_a_figure_is_missing_or_divides_by_zero():
    days = [date(2023, 12, 31), date(2024, 6, 30), date(2024, 12, 31)]
    figures = pd.DataFrame(
        {"certified_in_urban_communities": [3.0, np.nan, 4.0], "urban_communities": [2.0, 2.0, 0.0],
         "certified_workers": [np.nan, 5.0, 7.0]},
        index=pd.Index(days, name="snapshot_date"),
    )  # fmt: skip
    for key in ("certified_per_urban_community", "certified_net_increase"):
        values = report_module.values_by_date(SPECS[key], figures)
        assert all(same(values[d], metric_value(SPECS[key], figures, d)) for d in days), key
    assert report_module.values_by_date(SPECS["certified_per_urban_community"], figures)[days[2]] is None


def same(a, b) -> bool:
    """Equal, both None, or both NaN."""
    if a is None or b is None:
        return a is b
    return (a != a and b != b) or a == b


def test_the_kpi_report_is_computed_once_per_view_and_store_version(store, monkeypatch):
    computed = counting(monkeypatch, report_module, "_kpi_report")
    day = SNAPSHOTS[-1]
    first = metrics.kpi_report(day, EVERYWHERE, store)
    assert metrics.kpi_report(day, EVERYWHERE, store) is first
    assert metrics.kpi_report(day, Places.townships([T1]), store) is not first  # another view, another report
    assert len(computed) == 2
    write_snapshot(store, NEW_DAY, snapshot(NEW_DAY))  # a new store version
    assert metrics.kpi_report(day, EVERYWHERE, store) == first
    assert len(computed) == 3
    db.forget_results()
    metrics.kpi_report(day, EVERYWHERE, store)
    assert len(computed) == 4


def test_the_township_scorecard_is_computed_once_per_view_and_store_version(store, monkeypatch):
    """The map reads the county's scorecard on every rerun, a township picked or not."""
    computed = counting(monkeypatch, ranking_module, "township_scorecard")
    day = SNAPSHOTS[-1]
    first = metrics.place_scorecard(day, EVERYWHERE, store)
    assert metrics.place_scorecard(day, EVERYWHERE, store) is first
    assert metrics.place_scorecard(day, Places.townships([T1]), store) is not first
    assert len(computed) == 2
    write_snapshot(store, NEW_DAY, snapshot(NEW_DAY))  # a new store version: read again, the same figures
    assert metrics.place_scorecard(day, EVERYWHERE, store).frame.equals(first.frame)
    assert len(computed) == 3


def test_an_error_is_not_remembered(store, monkeypatch):
    def failing(*args):
        raise StoreError("坏了")

    monkeypatch.setattr(report_module, "_kpi_report", failing)
    with pytest.raises(StoreError):
        metrics.kpi_report(SNAPSHOTS[-1], EVERYWHERE, store)
    monkeypatch.undo()
    assert metrics.kpi_report(SNAPSHOTS[-1], EVERYWHERE, store).as_of == SNAPSHOTS[-1]


def test_the_version_is_a_number_that_changes_with_the_store(store, monkeypatch):
    first = db.current_version(store)
    monkeypatch.setattr(db, "_VERSION_SECONDS", 0.0)  # as after a second
    assert db.current_version(store) == first  # listed again, unchanged
    (store / "snapshot_date=2023-12-31" / "people.parquet").rename(store / "people.parquet")
    assert db.current_version(store) != first


def test_a_store_of_many_counties_is_listed_again_in_the_background(tmp_path, monkeypatch):
    """Past the second, readers go on with the last listing while it is made again; past _VERSION_STALE_SECONDS, or
    after a write of this process, they wait for it."""
    from tests.fixture_city import COUNTY_A, write_city_store

    root = write_city_store(tmp_path / "city")
    first = db.current_version(root)
    listings = counting(monkeypatch, db, "store_version")
    monkeypatch.setattr(db, "_VERSION_SECONDS", 0.0)
    (county_folder(root, COUNTY_A) / "note.txt").write_text("a change", encoding="utf-8")
    assert db.current_version(root) == first  # the last listing, while the new one is made
    db._version_checker.submit(lambda: None).result()  # the listing done
    assert len(listings) == 1 and db.current_version(root) != first
    second = db.current_version(root)
    db._version_checker.submit(lambda: None).result()
    monkeypatch.setattr(db, "_VERSION_STALE_SECONDS", 0.0)
    (county_folder(root, COUNTY_A) / "note.txt").unlink()
    assert db.current_version(root) != second  # too old to go on with: listed while the reader waits


def test_a_write_of_this_process_is_seen_at_once_even_while_a_listing_is_under_way(tmp_path, monkeypatch):
    import threading

    from tests.fixture_city import write_city_store

    root = write_city_store(tmp_path / "city")
    first = db.current_version(root)
    release, original = threading.Event(), db.store_version

    def slow(location):
        listed = original(location)
        release.wait(5)
        return listed

    monkeypatch.setattr(db, "store_version", slow)
    monkeypatch.setattr(db, "_VERSION_SECONDS", 0.0)
    assert db.current_version(root) == first  # a background listing starts, made before the write below
    monkeypatch.setattr(db, "_VERSION_SECONDS", 60.0)
    db.forget_version(root)  # what the store calls after a write
    release.set()
    db._version_checker.submit(lambda: None).result()
    assert db.current_version(root) != first  # listed again, not the listing made before the write


def test_a_store_of_many_counties_is_listed_five_times_less_often(tmp_path, fixture_store, monkeypatch):
    """A nation's listing is 13 ms of CPU: a store of many counties is listed again after 5 s, a county's after 1 s."""
    import types

    from tests.fixture_city import write_city_store

    city = write_city_store(tmp_path / "city")
    now = [1000.0]
    monkeypatch.setattr(db, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    db.forget_version(city), db.forget_version(fixture_store)
    db.current_version(city), db.current_version(fixture_store)  # listed at 1000 s
    listings = counting(monkeypatch, db, "store_version")
    now[0] += 2.0
    db.current_version(city), db.current_version(fixture_store)
    db._version_checker.submit(lambda: None).result()
    assert [args[0] for args in listings] == [fixture_store]  # the county's listing was over a second old
    now[0] += 4.0  # the city's, 6 s old: listed again, in the background
    db.current_version(city)
    db._version_checker.submit(lambda: None).result()
    assert [args[0] for args in listings] == [fixture_store, city]
