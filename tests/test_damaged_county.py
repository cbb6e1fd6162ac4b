"""A store of many counties with one county's month damaged: that county reads as not reported that month and is named,
the other counties and months read as ever; combined months carry checksums, a damaged one is read from the county
folders instead, and `verify` names every damaged file, combined ones included."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.cli import main
from socialwork.data import settings
from socialwork.data.storage import checksums, combined, layout, store
from socialwork.figures import choices, db, hierarchy, metrics
from socialwork.figures.place_filter import Places
from tests.fixture_city import BOTH, CITY, COUNTY_A, COUNTY_B, MISSING_MONTH, write_city_store
from tests.test_damaged_month import damage

DAMAGED = "people.parquet 损坏（校验和不符）"


@pytest.fixture
def city(tmp_path: Path) -> Path:
    db.clear_cache()
    yield write_city_store(tmp_path / "city")
    db.clear_cache()


def _county_file(root: Path, county: str, name: str = "people") -> Path:
    return layout.snapshot_folder(layout.county_folder(root, county), BOTH) / f"{name}.parquet"


def _read_from(root: Path) -> list[str]:
    return [f.parent.parent.name for f in store.files_of_date(root, BOTH, "people")]


def _certified(root: Path) -> dict[str, int]:
    db.clear_cache()
    sql = "select county_code, sum(certified_workers)::int from county_figures where snapshot_date = ? group by 1"
    return dict(db.connection(root).execute(sql, [BOTH]).fetchall())


@pytest.mark.parametrize("combine", [False, True], ids=["county folders", "combined again after the damage"])
def test_a_damaged_county_month_reads_as_not_reported_and_is_named(tmp_path, combine):
    db.clear_cache()
    root = write_city_store(tmp_path / "city", combine=False)
    before = _certified(root)
    damage(_county_file(root, COUNTY_B))
    if combine:
        assert combined.rebuild(root, [BOTH]) == [BOTH]  # 甲县's rows alone: 乙县's damaged month left out
    db.clear_cache()
    assert BOTH in choices.available_dates(root) and BOTH not in db.damaged_snapshots(root)
    assert _read_from(root) == [f"county={COUNTY_A}"]
    assert _certified(root) == {COUNTY_A: before[COUNTY_A]}
    status = hierarchy.reporting(BOTH, Places.within(CITY), root)
    assert status.reporting == (COUNTY_A,) and status.missing_names[0].startswith("乙县：最新")
    notice = next(n for n in choices.store_notices(root) if n.startswith("乙县（999902）"))
    assert "2025-03-31 的数据文件损坏，该县该月按未报送处理（其他县照常显示）" in notice and DAMAGED in notice
    # Its other months, and the month 乙县 never reported, read as ever.
    assert metrics.kpi_report(MISSING_MONTH, Places.within(CITY), root).missing.startswith("缺 1 个县数据")
    earlier = min(choices.available_dates(root))
    assert hierarchy.reporting(earlier, Places.within(CITY), root).reporting == (COUNTY_A, COUNTY_B)


@pytest.mark.parametrize("page", ["overview", "targets", "staffing", "posts", "changes"])
def test_every_page_reads_the_month_without_the_damaged_county_and_names_it(tmp_path_factory, page, monkeypatch):
    root = tmp_path_factory.getbasetemp() / "damaged_city"
    if not root.exists():
        write_city_store(root)
        damage(_county_file(root, COUNTY_B))
        combined.rebuild(root, [BOTH])
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    at = AppTest.from_file(str(settings.REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["asof"] = BOTH.isoformat()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert any(w.value.startswith("乙县（999902）2025-03-31 的数据文件损坏") for w in at.warning)
    assert "缺 1 个县数据（乙县" in " ".join(str(e.value) for e in [*at.caption, *at.markdown, *at.info, *at.warning])


def test_combine_says_which_damaged_county_month_it_left_out(city, capsys):
    damage(_county_file(city, COUNTY_B))
    assert main(["combine", "--data", str(city)]) == 0
    out = capsys.readouterr().out
    assert f"提示：县 {COUNTY_B} 2025-03-31 未合并（按未报送处理）：" in out and DAMAGED in out
    assert _read_from(city) == [f"county={COUNTY_A}"]


def test_a_month_whose_every_county_is_damaged_is_left_out_naming_each(tmp_path):
    db.clear_cache()
    root = write_city_store(tmp_path / "city", combine=False)
    damage(_county_file(root, COUNTY_A))
    damage(_county_file(root, COUNTY_B, "townships"))
    assert BOTH not in choices.available_dates(root)
    problem = db.damaged_snapshots(root)[BOTH]
    assert f"县 {COUNTY_A}：" in problem and DAMAGED in problem and "townships.parquet 损坏" in problem


def test_combined_months_carry_checksums_and_a_damaged_one_is_read_from_the_county_folders(city):
    folder = combined.month_folder(city, BOTH)
    assert set(checksums.recorded(folder)) == set(checksums.SNAPSHOT_FILES)
    expected = _certified(city)
    assert _read_from(city) == ["combined"]
    damage(folder / "county_figures.parquet")
    assert _read_from(city) == [f"county={COUNTY_A}", f"county={COUNTY_B}"]
    assert _certified(city) == expected
    assert combined.rebuild(city, [BOTH]) == [BOTH]
    assert _read_from(city) == ["combined"]


def test_verify_names_a_damaged_combined_month_and_a_damaged_county_file(city, capsys):
    assert main(["verify", "--data", str(city)]) == 0
    assert "全部完好" in capsys.readouterr().out
    damage(combined.month_folder(city, BOTH) / "people.parquet")
    damage(_county_file(city, COUNTY_B, "townships"))
    assert main(["verify", "--data", str(city)]) == 1
    out = capsys.readouterr().out
    month = combined.month_folder(city, BOTH)
    assert f"合并文件 2025-03-31 {month / 'people.parquet'}：损坏（校验和不符）（合并文件可重新生成" in out
    assert f"{COUNTY_B} 2025-03-31 {_county_file(city, COUNTY_B, 'townships')}：损坏（校验和不符）" in out
    assert "损坏或缺失 2 个文件" in out
