"""The snapshot store: atomic writes, recoverable replacement, clear errors on damaged files."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import threading
from datetime import date

import pytest

from socialwork import cli
from socialwork.data import settings
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.storage import store as store_module
from socialwork.data.storage.layout import StoreError, write_lock
from socialwork.data.storage.store import (
    read_table,
    remove_stale_staging,
    snapshot_dates,
    store_version,
    write_snapshot,
)
from socialwork.figures import db, store_views
from socialwork.figures.place_filter import EVERYWHERE
from tests.fixture_county import hostile_snapshot, snapshot

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
    assert sorted(p.name for p in tmp_path.iterdir()) == [".write-lock", "snapshot_date=2024-11-30"]


def test_store_version_changes_when_a_snapshot_is_added(tmp_path):
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    version = store_version(tmp_path)
    write_snapshot(tmp_path, date(2025, 3, 31), snapshot(date(2025, 3, 31)))
    assert store_version(tmp_path) != version


def test_corrupt_parquet_gives_a_chinese_error_naming_the_query(tmp_path, fixture_store, monkeypatch):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    monkeypatch.setattr(store_views, "IN_MEMORY_MAX_ROWS", 0)  # as for a province: registers read per query
    db.connection(store)  # opened while sound; the file goes bad afterwards
    (store / "snapshot_date=2024-11-30" / "people.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(db.QueryError, match="查询 incentives/incentives_by_year 执行失败"):
        db.run(
            "incentives/incentives_by_year",
            data=store,
            snapshot_date=DAY,
            from_year=2024,
            places=EVERYWHERE,
            award_wan=0.15,
        )
    with pytest.raises(StoreError, match="无法读取快照文件"):
        read_table(store, DAY, TABLES_BY_NAME["people"])


@pytest.mark.parametrize("name", ["county_figures", "people"])
def test_corrupt_file_is_found_by_its_checksum_and_its_month_left_out(tmp_path, fixture_store, name):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2024-11-30" / f"{name}.parquet").write_bytes(b"not parquet either")
    assert DAY not in snapshot_dates(store)
    assert f"{name}.parquet 损坏（校验和不符）" in db.damaged_snapshots(store)[DAY]
    assert db.run("kpi/plan_figures_by_snapshot", data=store, from_date=DAY, to_date=DAY).empty


@pytest.mark.parametrize("name", ["county_figures", "people"])
def test_corrupt_file_without_checksums_is_reported_when_the_store_is_opened(tmp_path, fixture_store, name):
    """A snapshot written before checksums existed: only the Parquet reader finds the damage."""
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2024-11-30" / "manifest.json").unlink()
    (store / "snapshot_date=2024-11-30" / f"{name}.parquet").write_bytes(b"not parquet either")
    with pytest.raises(StoreError, match=r"无法读取数据目录 .* 中的快照文件（文件可能已损坏）"):
        db.run("kpi/plan_figures_by_snapshot", data=store, from_date=DAY, to_date=DAY)


def test_incomplete_snapshot_is_left_out_and_named_not_read_as_zero(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2023-12-31" / "people.parquet").unlink()
    assert date(2023, 12, 31) not in snapshot_dates(store)
    assert (
        "快照 snapshot_date=2023-12-31 不完整，缺少数据表文件：people"
        in db.damaged_snapshots(store)[date(2023, 12, 31)]
    )


def test_corrupt_first_file_without_checksums_is_a_chinese_error(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / "snapshot_date=2023-12-31" / "manifest.json").unlink()
    (store / "snapshot_date=2023-12-31" / "townships.parquet").write_bytes(b"garbage")
    with pytest.raises((StoreError, db.QueryError), match=r"无法读取|执行失败"):
        db.run("places/townships_at_snapshot", data=store, snapshot_date=DAY)


def test_empty_store_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="没有任何快照"):
        db.run("places/townships_at_snapshot", data=tmp_path, snapshot_date=DAY)


def stamped_tree(root):
    """tree() with the time stamp of a replaced snapshot's folder name left out (it differs from run to run)."""
    return sorted((re.sub(r"@\d+T\d+", "@stamp", name), content) for name, content in tree(root))


def test_a_write_while_another_holds_the_lock_is_refused_and_changes_nothing(tmp_path):
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    before = tree(tmp_path)
    with write_lock(tmp_path):
        for day, replace in [(DAY, False), (DAY, True), (date(2025, 3, 31), False)]:
            with pytest.raises(StoreError) as refused:
                write_snapshot(tmp_path, day, snapshot(day), replace=replace)
            assert str(refused.value) == "另一个导入正在写入该数据目录，请稍后再试"
    assert tree(tmp_path) == before


RACES = [(False, (False, False)), (False, (True, True)), (False, (False, True)), (True, (True, True))]


@pytest.mark.parametrize(("existing", "replace"), RACES)
def test_two_imports_of_the_same_date_at_once_exactly_one_is_written(tmp_path, monkeypatch, existing, replace):
    store, reference = tmp_path / "store", tmp_path / "reference"
    frames = {"A": snapshot(DAY), "B": hostile_snapshot(DAY)}  # two different uploads for the same date
    for root in (store, reference) if existing else ():
        write_snapshot(root, DAY, snapshot(date(2024, 6, 30)))
    barrier, refused, outcomes = threading.Barrier(2), threading.Event(), {}
    write_derived = store_module._write_derived

    def slow_write_derived(folder, as_of):  # the winner is still writing when the other one asks
        refused.wait(timeout=5)
        write_derived(folder, as_of)

    def attempt(name: str, replace: bool) -> None:
        barrier.wait()
        try:
            write_snapshot(store, DAY, frames[name], replace=replace)
            outcomes[name] = "written"
        except StoreError as err:
            outcomes[name] = str(err)
            refused.set()

    monkeypatch.setattr(store_module, "_write_derived", slow_write_derived)
    threads = [threading.Thread(target=attempt, args=args) for args in zip("AB", replace, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert sorted(outcomes.values()) == ["written", "另一个导入正在写入该数据目录，请稍后再试"]
    [winner] = [name for name, outcome in outcomes.items() if outcome == "written"]
    write_snapshot(reference, DAY, frames[winner], replace=existing)
    assert stamped_tree(store) == stamped_tree(reference)


def test_the_lock_keeps_out_a_writer_in_another_process(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="另一个导入正在写入该数据目录"):
            write_snapshot(tmp_path, DAY, snapshot(DAY))
    finally:
        holder.communicate("")  # closing its stdin releases the lock
    write_snapshot(tmp_path, DAY, snapshot(DAY))
    assert snapshot_dates(tmp_path) == [DAY]


HOLD_LOCK = """
import sys
from pathlib import Path
from socialwork.data.storage.layout import write_lock
with write_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""
# An import killed while writing: its staging folder stays behind, and the lock goes with the process.
KILLED_WRITE = """
import sys, time
from datetime import date
from pathlib import Path
from socialwork.data.storage import store
from tests.fixture_county import snapshot
def stuck(folder, as_of):
    print("writing", flush=True)
    time.sleep(60)
store._write_derived = stuck
store.write_snapshot(Path(sys.argv[1]), date(2025, 6, 30), snapshot(date(2025, 6, 30)))
"""


def staging_folders(root):
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".staging-"))


def test_an_interrupted_import_leaves_no_staging_folder_after_the_next_opening(tmp_path, fixture_store, caplog):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / ".staging-leftover").mkdir()  # from an older crash
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITE, str(store)], stdout=subprocess.PIPE, text=True,
                              cwd=settings.REPO_ROOT)  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "writing"
        assert remove_stale_staging(store) == 0  # an import holds the lock: its folder is in use
        assert len(staging_folders(store)) == 1  # the older crash's, removed by this import under its lock
    finally:
        writer.kill()
        writer.wait()
    caplog.set_level(logging.INFO, logger="socialwork.data.storage.store")
    assert cli.main(["kpis", "--as-of", "2024-11-30", "--data", str(store)]) == 0  # the CLI opens the store
    assert staging_folders(store) == []
    assert [r.getMessage() for r in caplog.records if r.name == "socialwork.data.storage.store"] == [
        f"removed 1 staging folder(s) left by interrupted imports in {store}"
    ]
    assert snapshot_dates(store) == snapshot_dates(fixture_store)


def test_opening_a_store_without_leftovers_touches_nothing(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    (store / ".write-lock").unlink()
    before = tree(store)
    assert remove_stale_staging(store) == 0
    db.connection(store)
    assert tree(store) == before  # not even a lock file: a read-only store stays readable


def test_the_cli_refuses_an_import_while_another_is_writing(tmp_path, fixture_store, capsys):
    store, upload = tmp_path / "store", tmp_path / "2025-06.xlsx"
    shutil.copytree(fixture_store, store)
    upload.write_bytes(workbook_bytes(snapshot(date(2025, 6, 30))))
    command = ["import", str(upload), "--as-of", "2025-06-30", "--data", str(store)]
    with write_lock(store):
        assert cli.main(command) == 2
    assert "另一个导入正在写入该数据目录，请稍后再试" in capsys.readouterr().err
    assert date(2025, 6, 30) not in snapshot_dates(store)
    assert cli.main(command) == 0
    assert date(2025, 6, 30) in snapshot_dates(store)
