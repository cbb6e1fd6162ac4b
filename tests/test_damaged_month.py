"""A damaged or missing file in one month: the dashboard opens on the last intact month and names the damaged one,
which is refused as an as-of and left out of trends (never summed as zero); `verify` names every damaged file."""

from __future__ import annotations

import errno
import json
import random
import shutil
from datetime import date

import pandas as pd
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from socialwork.cli import main
from socialwork.data import settings
from socialwork.data.storage import checksums, store
from socialwork.data.storage.layout import snapshot_folder
from socialwork.figures import choices, db, metrics, posts, staffing
from socialwork.figures.place_filter import Places
from socialwork.present.meeting import group_charts
from socialwork.present.screen import charts

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
PAGES = sorted(p.name for p in (settings.REPO_ROOT / "pages").glob("*.py"))
LAST, BEFORE = date(2026, 10, 31), date(2026, 9, 30)
NOTICE = "2026-10-31 的数据文件损坏，已显示 2026-09-30；请恢复或重新导入"


def damage(path, at: int = 4, size: int = 100) -> None:
    """100 random bytes over the file, as the issue tried it."""
    body = bytearray(path.read_bytes())
    body[at : at + size] = random.Random(34).randbytes(size)
    path.write_bytes(bytes(body))


@pytest.fixture(scope="module")
def damaged_demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("damaged") / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    damage(snapshot_folder(root, LAST) / "community_staffing.parquet")
    return root


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_the_last_intact_month_and_names_the_damaged_one(damaged_demo, page, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(damaged_demo))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert NOTICE in [w.value for w in at.warning]


def test_the_damaged_month_is_refused_as_an_as_of_and_left_out_of_trends(damaged_demo):
    assert choices.available_dates(damaged_demo)[-1] == BEFORE
    assert LAST in db.damaged_snapshots(damaged_demo)
    with pytest.raises(choices.FilterError, match=r"2026-10-31 的数据文件损坏，不能作为数据日期.*community_staffing"):
        choices.parse_as_of("2026-10-31", damaged_demo)
    figures = metrics.figures_by_snapshot(date(2026, 1, 31), BEFORE, Places.everywhere(), damaged_demo)
    assert LAST not in set(figures.index)


def test_a_damaged_month_in_the_middle_is_skipped_and_marked(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    middle = date(2025, 6, 30)
    (snapshot_folder(root, middle) / "people.parquet").unlink()
    dates = choices.available_dates(root)
    assert middle not in dates and dates[-1] == LAST
    assert choices.store_notices(root) == [
        "2025-06-30 的数据文件损坏，各趋势图中略去该月（不按零计）；请恢复或重新导入"
    ]
    assert "缺少数据表文件：people" in db.damaged_snapshots(root)[middle]


MIDDLE = date(2025, 6, 30)


@pytest.fixture(scope="module")
def middle_damaged(tmp_path_factory):
    root = tmp_path_factory.mktemp("middle") / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    (snapshot_folder(root, MIDDLE) / "people.parquet").unlink()
    return root


def _gap_and_mark(figure) -> tuple[bool, list]:
    """Whether every line has no value at the damaged month (a break in it), and the chart's 数据损坏 marks."""
    lines = [t for t in figure.data if "lines" in (getattr(t, "mode", None) or "")]
    gaps = [pd.isna(t.y[list(pd.to_datetime(t.x)).index(pd.Timestamp(MIDDLE))]) for t in lines]
    return bool(lines) and all(gaps), _marks(figure)


def _marks(figure) -> list[tuple]:
    return [(a.x, a.text) for a in figure.layout.annotations if a.text == "数据损坏"]


def test_a_damaged_month_in_the_middle_is_a_gap_marked_on_each_trend_chart(middle_damaged):
    root, places = middle_damaged, Places.everywhere()
    damaged = choices.damaged_dates(root)
    assert damaged == [MIDDLE]
    figures = metrics.figures_by_snapshot(metrics.first_date(root), LAST, places, root)
    built = [
        charts.certified_trend(figures, "持证", damaged),
        charts.share_trend(staffing.share_meeting_minimum_trend(LAST, places, root), 80, "占比", damaged),
        charts.posts_trend_lines(posts.posts_trend(LAST, places, root), "岗位", damaged),
    ]
    for figure in built:
        assert _gap_and_mark(figure) == (True, [("2025-06-30", "数据损坏")])
    # A month damaged after the trend's last one is no gap in it (the page's notice names it); none, no mark.
    trend = metrics.figures_by_snapshot(metrics.first_date(root), date(2025, 3, 31), places, root)
    assert _marks(charts.certified_trend(trend, "持证", damaged)) == []
    assert _marks(charts.certified_trend(figures, "持证")) == []


def test_the_generic_line_chart_and_the_decks_native_charts_mark_it_too(middle_damaged, tmp_path):
    root, places = middle_damaged, Places.everywhere()
    figures = metrics.figures_by_snapshot(metrics.first_date(root), LAST, places, root).reset_index()
    series = {"active_organisations": "机构"}
    assert _gap_and_mark(charts.line_chart(figures, "snapshot_date", series, "机构", "家", damaged=[MIDDLE])) == (
        True, [("2025-06-30", "数据损坏")],
    )  # fmt: skip
    report = metrics.kpi_report(LAST, places, root)
    for build in (group_charts.talent, group_charts.coverage):
        built = build(report, LAST, places, root)
        assert _gap_and_mark(built.figure)[1] == [("2025-06-30", "数据损坏")]
        at = built.chart.categories.index("2025年06月（数据损坏）")
        assert all(values[at] is None for _, values in built.chart.series)
    out = tmp_path / "deck.pptx"
    assert main(["export", "--format", "pptx", "--as-of", LAST.isoformat(), "--data", str(root), "-o", str(out)]) == 0
    assert out.stat().st_size > 0


def test_the_overview_pages_trend_marks_the_damaged_month(middle_damaged, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(middle_damaged))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    marked = [s for s in specs if any(a.get("text") == "数据损坏" for a in s["layout"].get("annotations", []))]
    assert len(marked) == 1 and "持证社会工作者人数" in marked[0]["layout"]["title"]["text"]


def test_damage_the_parquet_reader_would_not_see_is_found_by_the_checksum(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    file = snapshot_folder(root, BEFORE) / "townships.parquet"
    rows = pq.read_table(file)
    pq.write_table(rows.slice(1), file)  # a valid file, one township short
    assert "townships.parquet 损坏（校验和不符）" in db.damaged_snapshots(root)[BEFORE]


def test_verify_names_each_damaged_or_missing_file_and_fails(damaged_demo, tmp_path, capsys):
    assert main(["verify", "--data", str(damaged_demo)]) == 1
    out = capsys.readouterr().out
    assert "community_staffing.parquet：损坏（校验和不符）" in out
    assert "损坏或缺失 1 个文件" in out
    assert main(["verify", "--data", str(settings.DEMO_DATA_DIR)]) == 0
    assert "共检查 47 期快照、564 个文件：全部完好" in capsys.readouterr().out


def test_a_snapshot_without_checksums_is_said_so_and_recorded_on_request(tmp_path, capsys):
    root = tmp_path / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    (snapshot_folder(root, BEFORE) / checksums.MANIFEST_FILE).unlink()
    assert BEFORE in choices.available_dates(root)  # read as before checksums existed
    assert main(["verify", "--data", str(root)]) == 0
    assert "2026-09-30：未记录校验和" in capsys.readouterr().out
    assert main(["verify", "--data", str(root), "--record"]) == 0
    assert "2026-09-30：已记录校验和" in capsys.readouterr().out
    assert (snapshot_folder(root, BEFORE) / checksums.MANIFEST_FILE).is_file()


def test_aggregate_keeps_the_recorded_checksums_of_the_imported_tables(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    damage(snapshot_folder(root, BEFORE) / "milestones.parquet", at=200, size=8)  # aggregate does not read it
    assert main(["aggregate", "--data", str(root)]) == 0
    assert "milestones.parquet 损坏" in store.checked_snapshots(root)[1][BEFORE]


@pytest.mark.parametrize("step", ["tables", "derived", "checksums"])
def test_a_disk_full_during_an_import_leaves_the_store_as_it_was(tmp_path, monkeypatch, step):
    root = tmp_path / "demo"
    shutil.copytree(settings.DEMO_DATA_DIR, root)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    frames = {t.name: store.read_table(root, LAST, t) for t in store.TABLES}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    where = {"tables": (store.pq, "write_table"), "derived": (store.aggregates, "write_derived"),
             "checksums": (checksums, "record")}[step]  # fmt: skip  # the last: everything else was written
    monkeypatch.setattr(*where, full)
    with pytest.raises(OSError):
        store.write_snapshot(root, date(2026, 11, 30), frames)
    assert sorted(p.relative_to(root) for p in root.rglob("*") if ".write-lock" not in p.name) == [
        p for p in before if ".write-lock" not in p.name
    ]
    assert store.snapshot_dates(root)[-1] == LAST
