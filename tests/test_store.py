"""The snapshot store: atomic writes, recoverable replacement, clear errors on damaged files."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from socialwork import db
from socialwork.contract import TABLES_BY_NAME
from socialwork.store import StoreError, read_table, snapshot_dates, store_version, write_snapshot
from tests.fixture_county import snapshot

DAY = date(2024, 11, 30)


def tree(root):
    return sorted((p.relative_to(root).as_posix(), p.read_bytes()) for p in root.rglob("*") if p.is_file())


def test_write_then_read_round_trip(tmp_path):
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    assert snapshot_dates(tmp_path) == [DAY]
    people = read_table(tmp_path, DAY, TABLES_BY_NAME["people"])
    assert sorted(people["person_id"]) == sorted(snapshot(DAY)["people"]["person_id"])


def test_existing_date_needs_replace_and_the_old_snapshot_is_kept(tmp_path):
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    before = tree(tmp_path)
    with pytest.raises(StoreError, match="已存在"):
        write_snapshot(tmp_path, DAY, snapshot(DAY))
    assert tree(tmp_path) == before
    write_snapshot(tmp_path, DAY, snapshot(DAY), replace=True)
    kept = list((tmp_path / ".replaced").iterdir())
    assert len(kept) == 1 and kept[0].name.startswith("snapshot_date=2024-11-30@")


def test_a_failed_write_leaves_the_store_unchanged(tmp_path):
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    before = tree(tmp_path)
    broken = snapshot(date(2024, 6, 30))
    broken["people"] = broken["people"].assign(award_year="not a year")
    with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises, nothing may be left behind
        write_snapshot(tmp_path, date(2024, 6, 30), broken)
    assert tree(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot_date=2024-11-30"]


def test_store_version_changes_when_a_snapshot_is_added(tmp_path):
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    version = store_version(tmp_path)
    write_snapshot(tmp_path, date(2025, 3, 31), snapshot(date(2025, 3, 31)))
    assert store_version(tmp_path) != version


def test_corrupt_parquet_gives_a_chinese_error_naming_the_query(tmp_path, fixture_store, monkeypatch):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    monkeypatch.setattr(db, "IN_MEMORY_MAX_ROWS", 0)  # as for a province's registers: read from the files per query
    db.connection(store)  # opened while sound; the file goes bad afterwards
    (store / "snapshot_date=2024-11-30" / "people.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(db.QueryError, match="查询 incentives/incentives_by_year 执行失败"):
        db.run(
            "incentives/incentives_by_year",
            data=store,
            snapshot_date=DAY,
            from_year=2024,
            townships=None,
            award_wan=0.15,
        )
    with pytest.raises(StoreError, match="无法读取快照文件"):
        read_table(store, DAY, TABLES_BY_NAME["people"])


@pytest.mark.parametrize("name", ["county_figures", "people"])
def test_corrupt_file_of_a_table_held_in_memory_is_reported_when_the_store_is_opened(tmp_path, fixture_store, name):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2024-11-30" / f"{name}.parquet").write_bytes(b"not parquet either")
    with pytest.raises(StoreError, match=r"无法读取数据目录 .* 中的快照文件（文件可能已损坏）"):
        db.run("kpi/plan_figures_by_snapshot", data=store, from_date=DAY, to_date=DAY)


def test_incomplete_snapshot_is_an_error_not_a_gap(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2023-12-31" / "people.parquet").unlink()
    with pytest.raises(StoreError, match="快照 snapshot_date=2023-12-31 不完整，缺少数据表文件：people"):
        snapshot_dates(store)


def test_corrupt_first_file_is_a_chinese_error(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2023-12-31" / "townships.parquet").write_bytes(b"garbage")
    with pytest.raises((StoreError, db.QueryError), match=r"无法读取|执行失败"):
        db.run("places/townships_at_snapshot", data=store, snapshot_date=DAY)


def test_empty_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="没有任何快照"):
        db.run("places/townships_at_snapshot", data=tmp_path, snapshot_date=DAY)
