"""月度上报 on the demo's round in progress: the 审核员's board, a 填报员's own part, a viewer refused."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.demo.county import DemoCounty
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
    assert any("2026年11月上报进行中：已提交 27 / 30，已通过 24，已退回 1，逾期 2，截止 2026-12-04" in t for t in texts)
    board = at.dataframe[0].value
    assert len(board) == 30
    row = board.set_index("单位").loc["东城街道"]
    assert row["状态"] == "已通过" and row["本月变化（对比上月）"].startswith("持证社工人数 +2")
    assert board.set_index("单位").loc["马坪乡", "状态"] == "逾期"
    reminder = at.code[0].value
    assert "河口镇、马坪乡" in reminder and "城关街道" in reminder
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


def test_with_the_server_database_down_the_page_says_so(monkeypatch, tmp_path):
    import time

    from socialwork.data.server import serverdb
    from socialwork.data.server.access import Account

    monkeypatch.delenv("SOCIALWORK_AUTH_FILE", raising=False)
    monkeypatch.delenv("SOCIALWORK_DATA", raising=False)
    monkeypatch.setenv(serverdb.DB_ENV, "postgresql://socialwork@127.0.0.1:9/socialwork")  # refused at once
    at = AppTest.from_file(ENTRYPOINT, default_timeout=120)
    at.session_state["logged_in_user"] = Account("shenhe", "演示审核员", "reviewer")  # the role it logged in with
    at.session_state["logged_in_last_active"] = time.time()
    at.switch_page("pages/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("上报数据暂时无法读取（服务器数据库不可用）" in w.value for w in at.warning)


def test_the_reviewer_reads_a_part_but_is_offered_no_save(monkeypatch, tmp_path):
    at = _page(monkeypatch, tmp_path, "shenhe", "reviewer")
    maping = next(t["code"] for t in DemoCounty().townships if t["name"] == "马坪乡")
    at.selectbox(key="review_unit").set_value(maping).run()  # a part its clerk could still edit
    assert any("马坪乡" in m.value and "逾期" in m.value for m in at.markdown)
    labels = [b.label for b in at.button]
    assert "保存草稿" not in labels and "与上月相同，一键提交" not in labels and "通过" not in labels
