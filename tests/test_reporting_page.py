"""月度上报 on the demo's round in progress: the 审核员's board, a 填报员's own part, a viewer refused."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.present.staff.auth import User
from tests.accounts import sign_in

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
CHENGGUAN = "999901001"


def _page(monkeypatch, tmp_path, username: str, role: str, unit: str | None = None) -> AppTest:
    monkeypatch.delenv("SOCIALWORK_AUTH_FILE", raising=False)  # the demo's own accounts
    monkeypatch.delenv("SOCIALWORK_DATA", raising=False)
    at = AppTest.from_file(ENTRYPOINT, default_timeout=120)
    sign_in(at, monkeypatch, tmp_path, User(username, username, "x"), role, unit)
    at.switch_page("pages/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_reviewer_sees_every_unit_with_its_state_and_what_it_changes(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path, "shenhe", "reviewer")
    texts = [m.value for m in at.markdown]
    assert any("2026年11月上报进行中：已提交 26 / 30，已通过 23，已退回 1，逾期 3，截止 2026-12-04" in t for t in texts)
    board = at.dataframe[0].value
    assert len(board) == 30
    row = board.set_index("单位").loc["东城街道"]
    assert row["状态"] == "已通过" and row["本月变化（对比上月）"].startswith("持证社工人数 +2")
    assert board.set_index("单位").loc["马坪乡", "状态"] == "逾期"
    reminder = at.code[0].value
    assert "河口镇、马坪乡、县信访局" in reminder and "城关街道" in reminder
    assert any("沿用上月数据发布" in r.options for r in at.radio) or at.radio[0].options == [
        "沿用上月数据发布", "暂不发布，等待全部通过"]  # fmt: skip


def test_a_clerk_sees_its_own_part_and_the_reason_it_was_returned(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path, "chengguan", "reporter", CHENGGUAN)
    assert any("驻站社工人数与花名册不一致" in w.value for w in at.warning)
    assert any("城关街道" in m.value and "已退回" in m.value for m in at.markdown)
    grids = [d.value for d in at.dataframe]  # the part's tables as editable grids (AppTest calls them dataframes)
    assert len(grids) >= 3 and "township_code" in grids[0].columns and "单位" not in grids[0].columns  # not the board
    assert set(grids[0]["township_code"]) == {CHENGGUAN}  # its own township only
    assert [t.label for t in at.tabs][:3] == ["乡镇（街道）（1）", "村（社区）（7）", "社会工作人才（31）"]


def test_a_viewer_is_refused_by_name(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path, "kan", "viewer")
    assert any("不能查看单位填报数据" in e.value for e in at.error)
