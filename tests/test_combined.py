"""Combined months of a store of many counties (data/storage/combined.py): read in place of the county folders while
fresh, never when a county's snapshot changed since, rebuilt after a county's import, and refused when unsafe."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from socialwork import cli
from socialwork.data.contract.schema import VERSION_KEY
from socialwork.data.importing import importer
from socialwork.data.storage import checksums, combined, layout, store
from socialwork.figures import db
from tests.fixture_city import BOTH, COUNTY_A, COUNTY_B, MISSING_MONTH, county_snapshot, write_city_store


@pytest.fixture
def city(tmp_path: Path) -> Path:
    db.clear_cache()
    return write_city_store(tmp_path / "city")


def _certified(root: Path, on: date) -> dict[str, int]:
    """Certified social workers by county at a date, as the readers' county_figures view holds them."""
    db.clear_cache()
    rows = (
        db.connection(root)
        .execute(
            "select county_code, sum(certified_workers)::int from county_figures where snapshot_date = ? group by 1",
            [on],
        )
        .fetchall()
    )
    return dict(rows)


def _people(root: Path, on: date) -> int:
    db.clear_cache()
    return db.connection(root).execute("select count(*) from people where snapshot_date = ?", [on]).fetchall()[0][0]


def _read_from(root: Path, on: date) -> list[str]:
    """Where the readers read a month's people from: the combined month, or which counties' folders."""
    return [f.parent.parent.name for f in store.files_of_date(root, on, "people")]


def _fewer_certified(county: str, on: date) -> dict:
    """The county's snapshot with its first certified person's certificate gone: one certified fewer."""
    frames = county_snapshot(county, on)
    people = frames["people"]
    first = people.index[people["certificate_level"] != "none"][0]
    people.loc[first, ["certificate_level", "certificate_date", "first_certified_date"]] = ["none", None, None]
    return frames


def test_a_fresh_month_is_read_from_its_combined_files_with_the_same_figures(city, tmp_path):
    separate = write_city_store(tmp_path / "separate", combine=False)
    for on in store.snapshot_dates(city):
        assert _read_from(city, on) == ["combined"]
        assert _certified(city, on) == _certified(separate, on)
        assert _people(city, on) == _people(separate, on)
    # The month 乙县 missed: combined from 甲县 alone, and said so in its sources.
    sources = json.loads((combined.month_folder(city, MISSING_MONTH) / combined.SOURCES_FILE).read_text())
    assert set(sources) == {COUNTY_A}


def test_a_county_reimported_since_makes_its_month_stale_until_combined_again(city):
    before = _certified(city, BOTH)
    store.write_snapshot(layout.county_folder(city, COUNTY_B), BOTH, _fewer_certified(COUNTY_B, BOTH), replace=True)
    assert _read_from(city, BOTH) == [f"county={COUNTY_A}", f"county={COUNTY_B}"]
    assert _certified(city, BOTH) == {COUNTY_A: before[COUNTY_A], COUNTY_B: before[COUNTY_B] - 1}
    assert combined.rebuild(city, [BOTH]) == [BOTH]
    assert _read_from(city, BOTH) == ["combined"]
    assert _certified(city, BOTH) == {COUNTY_A: before[COUNTY_A], COUNTY_B: before[COUNTY_B] - 1}


def test_a_county_reporting_a_month_late_is_read_at_once(city):
    assert set(_certified(city, MISSING_MONTH)) == {COUNTY_A}
    store.write_snapshot(layout.county_folder(city, COUNTY_B), MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH))
    assert set(_certified(city, MISSING_MONTH)) == {COUNTY_A, COUNTY_B}


def test_an_import_into_a_county_combines_its_month(city, monkeypatch):
    frames = _fewer_certified(COUNTY_B, BOTH)
    checked = importer.CheckedImport(BOTH, frames, [], True, None, {}, 0, 0, [])
    result = importer.write_checked(checked, layout.county_folder(city, COUNTY_B), replace=True)
    assert result.warnings == []
    assert _read_from(city, BOTH) == ["combined"]
    # A combining that fails leaves the import standing, says so, and the month is read from the county folders.
    monkeypatch.setattr(combined, "_write_month", _fail)
    frames = county_snapshot(COUNTY_B, BOTH)
    result = importer.write_checked(importer.CheckedImport(BOTH, frames, [], True, None, {}, 0, 0, []),
                                    layout.county_folder(city, COUNTY_B), replace=True)  # fmt: skip
    assert len(result.warnings) == 1 and "python -m socialwork combine" in result.warnings[0]
    assert _read_from(city, BOTH) == [f"county={COUNTY_A}", f"county={COUNTY_B}"]


def _fail(*_args) -> None:
    raise OSError("磁盘已满")


def test_an_import_into_a_single_county_store_combines_nothing(tmp_path):
    from tests.fixture_city import write_county_store

    alone = write_county_store(tmp_path / "alone", COUNTY_A)
    assert combined.after_county_write(alone, BOTH) is None
    assert not (alone / combined.COMBINED_FOLDER).exists()
    with pytest.raises(layout.StoreError, match="不是多县数据目录"):
        combined.rebuild(alone)


def test_unreadable_sources_and_a_removed_combined_folder_lose_nothing(city):
    expected = _certified(city, BOTH)
    (combined.month_folder(city, BOTH) / combined.SOURCES_FILE).write_text("{not json", encoding="utf-8")
    assert _read_from(city, BOTH) == [f"county={COUNTY_A}", f"county={COUNTY_B}"]
    assert _certified(city, BOTH) == expected
    shutil.rmtree(city / combined.COMBINED_FOLDER)
    assert _certified(city, BOTH) == expected
    assert cli.main(["combine", "--data", str(city)]) == 0
    assert _read_from(city, BOTH) == ["combined"]


def test_a_copied_store_keeps_its_combined_months_fresh(city, tmp_path):
    copy = shutil.copytree(city, tmp_path / "copy")
    assert _read_from(copy, BOTH) == ["combined"]


def test_a_month_no_county_has_any_more_loses_its_combined_files(city):
    for county in (COUNTY_A, COUNTY_B):
        shutil.rmtree(layout.snapshot_folder(layout.county_folder(city, county), BOTH))
    combined.rebuild(city)
    assert not combined.month_folder(city, BOTH).exists()
    assert BOTH not in store.snapshot_dates(city)


def test_county_files_from_a_newer_version_are_not_combined(city):
    path = layout.snapshot_folder(layout.county_folder(city, COUNTY_B), BOTH) / "townships.parquet"
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata({VERSION_KEY: "999"}), path)
    checksums.record(path.parent, BOTH)  # as the newer version wrote it: not damaged, newer
    with pytest.raises(layout.StoreError, match="较新版本"):
        combined.rebuild(city, [BOTH])


def test_two_combinings_at_once_both_finish_and_the_last_is_fresh(city):
    store.write_snapshot(layout.county_folder(city, COUNTY_B), BOTH, _fewer_certified(COUNTY_B, BOTH), replace=True)
    errors = []

    def combine() -> None:
        try:
            combined.rebuild(city)
        except Exception as err:  # any failure of either thread fails the test
            errors.append(err)

    threads = [threading.Thread(target=combine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(_read_from(city, on) == ["combined"] for on in store.snapshot_dates(city))
    assert [c.name for c in (city / combined.COMBINED_FOLDER).iterdir() if c.name.startswith(".staging")] == []


def test_replaced_combined_months_are_removed_once_old(city, monkeypatch):
    combined.rebuild(city, [BOTH])
    old = [c for c in (city / combined.COMBINED_FOLDER).iterdir() if c.name.startswith(combined.OLD_PREFIX)]
    assert len(old) == 1  # kept a while: a reader may be planning a query on its files
    monkeypatch.setattr(combined, "OLD_SECONDS", -1)
    combined.rebuild(city, [BOTH])
    old_now = [c for c in (city / combined.COMBINED_FOLDER).iterdir() if c.name.startswith(combined.OLD_PREFIX)]
    assert len(old_now) == 1 and old_now != old


def test_the_stores_version_changes_with_a_countys_import_and_with_combining(city):
    versions = [store.store_version(city)]
    store.write_snapshot(layout.county_folder(city, COUNTY_B), MISSING_MONTH, county_snapshot(COUNTY_B, MISSING_MONTH))
    versions.append(store.store_version(city))
    combined.rebuild(city, [MISSING_MONTH])
    versions.append(store.store_version(city))
    assert len(set(versions)) == 3


def test_rewriting_one_countys_derived_files_combines_its_months_again(city):
    stamps = json.loads((combined.month_folder(city, BOTH) / combined.SOURCES_FILE).read_text())
    assert store.rewrite_derived(layout.county_folder(city, COUNTY_A))
    assert _read_from(city, BOTH) == ["combined"]
    now = json.loads((combined.month_folder(city, BOTH) / combined.SOURCES_FILE).read_text())
    assert now[COUNTY_A] != stamps[COUNTY_A] and now[COUNTY_B] == stamps[COUNTY_B]
