"""会议督办, 变化对比 and 目标进度 in AppTest: viewers read, logged-in staff get the forms (the demo stays read-only),
items sit beside their targets and follow the township filter, stored text stays plain text.

AppTest does not deliver form submissions (see README): creating an item through the form is driven in
tests/browser/test_followups_browser.py; the store's behaviour is tested in tests/test_followups.py.
"""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server.followups import DEMO_READ_ONLY, Editor
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.figures import changes
from socialwork.present.staff.auth import load_users, save_user
from socialwork.present.tables.changes import summary_items
from socialwork.present.words.plaintext import markdown_text
from tests.accounts import sign_in
from tests.fixture_county import T1
from tests.markdown_text import shown

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
FORM_BUTTONS = {"新建督办事项", "保存修改", "保存进展", "保存会议"}
MARKUP_TASK = "[点我](http://evil.example) **粗** <b>x</b> :red[红]"


def container_keys(at: AppTest) -> list[str]:
    """The keys of the page's keyed containers (a block's id ends with its key)."""
    keys, nodes = [], [at._tree]
    while nodes:
        node = nodes.pop()
        block_id = getattr(getattr(node, "proto", None), "id", "")
        if isinstance(block_id, str) and "-" in block_id:
            keys.append(block_id.rsplit("-", 1)[-1])
        nodes.extend((getattr(node, "children", None) or {}).values())
    return keys


@pytest.fixture
def auth_file(tmp_path, monkeypatch):
    path = tmp_path / "auth" / "users.toml"
    save_user(path, "zhang", "数据员小张", "correct horse")
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(path))
    return path


@pytest.fixture
def meeting_store(tmp_path, fixture_store):
    """The fixture county with one meeting (reviewing 2024-06-30) and two items: one of 甲街道, one county-wide."""
    root = tmp_path / "store"
    shutil.copytree(fixture_store, root)
    store = SqlFollowups.sqlite(root / FOLLOWUP_FILE)
    li = Editor("li", "小李", "reviewer")
    meeting = store.add_meeting(date(2024, 7, 10), "2024年年中推进会", date(2024, 6, 30), li)
    store.add_item(meeting.meeting_id, MARKUP_TASK, "certified_per_urban_community", T1, "甲街道", date(2024, 9, 30),
                   li)  # fmt: skip
    store.add_item(meeting.meeting_id, "新培育社工机构1家", "active_organisations", None, "县民政局", date(2025, 6, 30),
                   li)  # fmt: skip
    return root


def open_page(page: str, data=None, monkeypatch=None, user=None, tmp_path=None, role="reviewer", **query) -> AppTest:
    if data is not None:
        monkeypatch.setenv("SOCIALWORK_DATA", str(data))
    at = AppTest.from_file(ENTRYPOINT, default_timeout=90)
    if user is not None:
        sign_in(at, monkeypatch, tmp_path, user, role)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button}


def test_a_viewer_reads_every_item_and_gets_no_form(monkeypatch):
    monkeypatch.delenv("SOCIALWORK_AUTH_FILE", raising=False)
    at = open_page("followups", asof="2026-10-31")
    assert len(at.dataframe[0].value) == 7
    assert not buttons(at) & FORM_BUTTONS
    assert "新建督办事项" not in [e.label for e in at.get("expander")]
    statuses = list(at.dataframe[0].value["状态"])
    assert statuses.count("已完成") == 3
    # Open items first, the soonest due first, each saying how late it is (due 2026-09-30 and 10-15).
    assert statuses[:2] == ["推进中（逾期 31 天）", "推进中（逾期 16 天）"]
    metrics = at.get("metric")
    assert [m.label for m in metrics[:2]] == ["督办事项", "逾期"] and metrics[1].value == "2项"
    assert any(key.startswith("sw_alert_") for key in container_keys(at)), "the overdue count is drawn in red"


def test_with_logins_a_viewer_is_offered_the_login_and_still_no_form(auth_file, meeting_store, monkeypatch):
    at = open_page("followups", meeting_store, monkeypatch, asof="2025-03-31")
    assert next(e.label for e in at.get("expander")).startswith("工作人员登录（")
    assert not buttons(at) & FORM_BUTTONS
    assert len(at.dataframe[0].value) == 2


def test_logged_in_staff_get_the_forms(auth_file, meeting_store, monkeypatch, tmp_path):
    at = open_page("followups", meeting_store, monkeypatch, load_users()["zhang"], tmp_path, asof="2025-03-31")
    assert any("已登录：数据员小张" in c.value for c in at.caption)
    assert buttons(at) >= FORM_BUTTONS
    trail = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any("小李（li）：新建事项" in shown(line) for line in trail)  # the audit trail, on the item


def test_logged_in_on_the_demo_says_it_is_read_only(auth_file, monkeypatch, tmp_path):
    at = open_page("followups", None, monkeypatch, load_users()["zhang"], tmp_path, asof="2026-10-31")
    assert shown(at.info[0].value) == DEMO_READ_ONLY
    assert not buttons(at) & FORM_BUTTONS


def test_a_township_filter_shows_its_own_items(monkeypatch):
    at = open_page("followups", asof="2026-10-31", township=["马坪乡"])
    assert list(at.dataframe[0].value["乡镇（街道）"]) == ["马坪乡"]


def test_an_item_named_in_the_link_is_shown_in_detail(monkeypatch):
    at = open_page("followups", asof="2026-10-31", item="5")
    assert at.selectbox(key="followup_item").value == 5
    assert "河口镇实现村（社区）社工服务全覆盖" in [shown(m.value).strip("*") for m in at.markdown]


def test_items_sit_below_their_targets_card(monkeypatch):
    at = open_page("targets", asof="2026-10-31")
    labels = {label: column for label, column in _expanders_by_card(at._tree)}
    assert labels["星级社工站"] == "督办事项 1 项（逾期 1 项）"
    assert labels["本年新开发社工岗位"] == "督办事项 1 项（逾期 1 项）"
    assert labels["督导场次"] == "督办事项 1 项"
    assert len(labels) == 7  # seven items, each on its own target
    at = open_page("targets", asof="2026-10-31", township=["马坪乡"])
    assert dict(_expanders_by_card(at._tree)) == {"星级社工站": "督办事项 1 项（逾期 1 项）"}


def _expanders_by_card(node):
    """(metric label, expander label as read) for every block of the card grid holding one KPI card and an expander
    of follow-ups (the overdue count is red: its markup is left out)."""
    for child in getattr(node, "children", {}).values():
        metrics = list(_elements(child, "metric"))
        expanders = [e for e in _elements(child, "expander") if e.label.startswith("督办事项")]
        if len(metrics) == 1 and expanders:
            yield metrics[0].label, re.sub(r":red\[\*\*(.*?)\*\*\]", r"\1", expanders[0].label)
        else:
            yield from _expanders_by_card(child)


def _elements(node, kind: str):
    if getattr(node, "type", None) == kind:
        yield node
    for child in getattr(node, "children", {}).values():
        yield from _elements(child, kind)


def test_stored_text_of_items_never_renders_as_markdown(meeting_store, monkeypatch):
    for page in ("followups", "targets"):
        at = open_page(page, meeting_store, monkeypatch, asof="2025-03-31", township=["甲街道"])
        sources = [m.value for m in at.markdown] + [c.value for c in at.caption]
        assert any(markdown_text(MARKUP_TASK) in s for s in sources), page
        for raw in ("[点我](", "**粗**", "<b>", ":red["):
            assert not [s for s in sources if re.search(r"(?<!\\)" + re.escape(raw), s)], (page, raw)


def test_the_changes_page_compares_with_the_last_meeting_by_default(monkeypatch):
    at = open_page("changes", asof="2026-10-31")
    assert at.selectbox[0].value == date(2026, 8, 31)
    expected = summary_items(changes.compare(date(2026, 8, 31), date(2026, 10, 31)))
    assert [(m.label, m.value) for m in at.metric] == [(label, value) for label, value, _ in expected]
    assert any(shown(m.value).startswith("对比 2026年8月31日（2026年8月社会工作人才工作调度会审议的数据）")
               for m in at.markdown)  # fmt: skip


def test_the_changes_page_takes_its_start_from_the_link(monkeypatch):
    at = open_page("changes", asof="2026-10-31", since="2025-12-31", township=["马坪乡"])
    assert at.selectbox[0].value == date(2025, 12, 31)
    assert any("两期数据不在同一年度" in c.value for c in at.caption)
    at = open_page("changes", asof="2022-12-31")
    assert "没有可对比的更早数据" in at.info[0].value
