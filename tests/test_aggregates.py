"""The derived tables written with each snapshot agree with counts taken straight from the registers."""

from __future__ import annotations

import re
import shutil
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest

from socialwork.cli import main
from socialwork.data.contract.tables import CERTIFIED_LEVEL_COLUMNS, TABLES_BY_NAME, TOWNSHIP_FIGURES
from socialwork.data.storage import aggregates
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.store import checked_snapshots, read_table, snapshot_dates
from socialwork.data.storage.store import write_snapshot as store_write_snapshot
from socialwork.figures import db
from socialwork.figures.place_filter import EVERYWHERE

DAY = date(2024, 11, 30)


def _derived(store, on: date, name: str) -> pd.DataFrame:
    return pd.read_parquet(store / f"snapshot_date={on.isoformat()}" / f"{name}.parquet")


def _raw(store, on: date, name: str) -> pd.DataFrame:
    return read_table(store, on, TABLES_BY_NAME[name])


@pytest.mark.parametrize("store_name", ["fixture_store", "demo_store"])
def test_township_figures_match_pandas_counts_of_the_register(store_name, request):
    store = request.getfixturevalue(store_name)
    for on in snapshot_dates(store)[-2:]:
        people, communities = _raw(store, on, "people"), _raw(store, on, "communities")
        figures = _derived(store, on, "township_figures").fillna({"township_code": ""}).set_index("township_code")
        certified = people[people["certificate_level"] != "none"].fillna({"township_code": ""})
        expected = certified.groupby("township_code").size()
        assert figures["certified_workers"][figures["certified_workers"] > 0].to_dict() == expected.to_dict()
        assert figures["social_workers"].sum() == len(people)
        per_community = certified.groupby("community_code").size()
        urban = communities[communities["community_kind"] == "urban_community"].copy()
        urban["certified"] = urban["community_code"].map(per_community).fillna(0)
        by_township = urban.groupby("township_code")
        for code, rows in by_township:
            assert figures.loc[code, "urban_communities"] == len(rows)
            assert figures.loc[code, "certified_in_urban_communities"] == rows["certified"].sum()
            assert figures.loc[code, "urban_communities_2plus"] == (rows["certified"] >= 2).sum()
        assert figures["townships"].sum() == len(_raw(store, on, "townships"))


def test_certificate_level_columns_add_up_to_certified_workers(fixture_store):
    assert set(CERTIFIED_LEVEL_COLUMNS.values()) <= set(TOWNSHIP_FIGURES.column_names)
    figures = _derived(fixture_store, DAY, "township_figures")
    assert (figures[list(CERTIFIED_LEVEL_COLUMNS.values())].sum(axis=1) == figures["certified_workers"]).all()


def test_community_staffing_counts_every_community_once(fixture_store):
    staffing = _derived(fixture_store, DAY, "community_staffing")
    people = _raw(fixture_store, DAY, "people")
    assert sorted(staffing["community_code"]) == sorted(_raw(fixture_store, DAY, "communities")["community_code"])
    assert staffing["social_workers"].sum() == people["community_code"].notna().sum()


def test_missing_derived_file_is_an_error_and_the_aggregate_command_restores_it(tmp_path, fixture_store, capsys):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    before = _derived(store, DAY, "township_figures")
    (store / f"snapshot_date={DAY.isoformat()}" / "township_figures.parquet").unlink()
    assert DAY not in snapshot_dates(store)
    assert re.search(
        r"缺少汇总文件：township_figures.*python -m socialwork aggregate", checked_snapshots(store)[1][DAY]
    )
    assert main(["aggregate", "--data", str(store)]) == 0
    assert "已重新生成" in capsys.readouterr().out
    pd.testing.assert_frame_equal(_derived(store, DAY, "township_figures"), before)
    db.clear_cache()


def test_derived_file_of_an_older_version_is_an_error_and_the_aggregate_command_restores_it(tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    before = _derived(store, DAY, "community_staffing")
    for folder in store.glob("snapshot_date=*"):  # as written before names were carried in community_staffing
        path = folder / "community_staffing.parquet"
        (folder / "manifest.json").unlink()  # nor were checksums recorded then
        pq.write_table(pq.read_table(path).drop_columns(["community_name", "urban_rural_code"]), path)
    db.clear_cache()
    message = r"community_staffing.parquet 缺少列：community_name、urban_rural_code.*python -m socialwork aggregate"
    with pytest.raises(StoreError, match=message):
        db.run("staffing/urban_communities_below_minimum", data=store, snapshot_date=DAY, places=EVERYWHERE,
               min_certified=2, max_rows=None)  # fmt: skip
    assert main(["aggregate", "--data", str(store)]) == 0
    pd.testing.assert_frame_equal(_derived(store, DAY, "community_staffing"), before)
    db.clear_cache()


def test_a_failed_aggregate_writes_nothing(tmp_path, fixture_store, monkeypatch):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    before = sorted(p.relative_to(store) for p in store.rglob("*"))
    frames = {name: _raw(store, DAY, name) for name in TABLES_BY_NAME}

    def broken(folder, as_of):
        raise db.QueryError("查询 aggregates/township_figures 执行失败")

    monkeypatch.setattr(aggregates, "write_derived", broken)
    with pytest.raises(db.QueryError):
        store_write_snapshot(store, DAY, frames, replace=True)
    assert sorted(p.relative_to(store) for p in store.rglob("*")) == before


@pytest.mark.parametrize("store_name", ["fixture_store", "demo_store"])
def test_community_staffing_is_written_in_need_order(store_name, request):
    store = request.getfixturevalue(store_name)
    on = snapshot_dates(store)[-1]
    staffing = _derived(store, on, "community_staffing")
    assert staffing["need_rank"].tolist() == list(range(1, len(staffing) + 1))
    urban = staffing["community_kind"] == "urban_community"
    shortfall = (2 - staffing["certified_workers"]).clip(lower=0).where(urban, 0)
    by_hand = staffing.assign(shortfall=shortfall, unserved=staffing["social_workers"] == 0).sort_values(
        ["shortfall", "unserved", "township_code", "community_code"], ascending=[False, False, True, True]
    )
    assert by_hand["community_code"].tolist() == staffing["community_code"].tolist()
