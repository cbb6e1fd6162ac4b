"""Backups of the other kinds of store (issue 34, part 2): a store of many counties keeps its combined months fresh
through a restore (their folder times come back to the nanosecond), a store in a bucket is archived as the folder
store it restores into; a backup during an import, or with the server database unreachable, writes nothing."""

from __future__ import annotations

import pytest

from socialwork.cli import main
from socialwork.data.server import serverdb
from socialwork.data.storage import combined, layout, publishing
from socialwork.data.storage.store import snapshot_files
from tests.backup_helpers import folder_times, store_files
from tests.fixture_city import write_city_store


def test_a_store_of_many_counties_comes_back_with_its_combined_months_fresh(tmp_path):
    city = write_city_store(tmp_path / "city")
    archive = tmp_path / "city.tar"
    assert main(["backup", "--data", str(city), "-o", str(archive)]) == 0
    target = tmp_path / "restored"
    assert main(["restore", str(archive), "--data", str(target)]) == 0
    assert store_files(target) == store_files(city)
    assert "divisions.parquet" in store_files(target)
    assert folder_times(target) == folder_times(city)
    months = combined.county_snapshots(target)
    assert combined.fresh_months(target, months) == set(months) != set()  # read from the combined files, as before


@pytest.mark.objectstore
def test_a_store_in_a_bucket_is_archived_as_the_folder_store_it_restores_into(fixture_store, bucket_store, tmp_path,
                                                                              monkeypatch):  # fmt: skip
    import shutil

    from socialwork.data.maps import boundaries
    from tests.test_boundaries import county_file, good_features

    local = shutil.copytree(fixture_store, tmp_path / "county")
    boundaries.import_file(county_file(tmp_path, good_features()), local, "999999")
    list(publishing.publish_store(local, bucket_store))
    monkeypatch.setenv(serverdb.DB_ENV, f"sqlite:///{tmp_path / 'server.sqlite'}")  # the bucket's server database
    archive = tmp_path / "bucket.tar"
    assert main(["backup", "--data", str(bucket_store), "-o", str(archive)]) == 0
    monkeypatch.delenv(serverdb.DB_ENV)
    target = tmp_path / "restored"
    assert main(["restore", str(archive), "--data", str(target)]) == 0
    published = {
        on: {t: p.read_bytes() for t, p in tables.items()} for on, tables in snapshot_files(bucket_store).items()
    }
    restored = {on: {t: p.read_bytes() for t, p in tables.items()} for on, tables in snapshot_files(target).items()}
    assert restored == published and len(restored) > 1
    assert (target / "county.json").read_bytes() == (fixture_store / "county.json").read_bytes()
    assert (target / "boundaries.geojson").read_bytes() == (local / "boundaries.geojson").read_bytes()


def test_a_backup_during_an_import_is_refused_and_writes_nothing(fixture_store, tmp_path, capsys):
    out = tmp_path / "backups" / "county.tar"
    with layout.write_lock(fixture_store):
        assert main(["backup", "--data", str(fixture_store), "-o", str(out)]) == 2
    assert layout.BUSY in capsys.readouterr().err
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_an_unreachable_server_database_writes_no_archive(fixture_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(serverdb.DB_ENV, "postgresql://socialwork:secret-password@127.0.0.1:9/socialwork")
    out = tmp_path / "backups" / "county.tar"
    assert main(["backup", "--data", str(fixture_store), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "无法读写" in err and "备份未写成" in err and "secret-password" not in err
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
