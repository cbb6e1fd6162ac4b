"""A reporting round in three browser contexts: two township clerks submit their parts, the reviewer approves both
and publishes with the third township carried forward, and the overview then shows the new month."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest

from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server.access import Account, Roles
from socialwork.present.staff.auth import save_user
from tests import fixture_county as fx
from tests.browser.conftest import settle

pytestmark = pytest.mark.browser
PASSWORD = "Lantern-river-42"
MONTH = date(2025, 4, 30)


def _log_in(browser, url: str, username: str):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{url}/reporting")
    settle(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    settle(page)
    return page


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    settle(page)


def test_two_clerks_and_a_reviewer_complete_a_round(fresh_server, browser, tmp_path, fixture_store):
    store = tmp_path / "store"
    shutil.copytree(fixture_store, store)
    auth = tmp_path / "users.toml"
    url_db = f"sqlite:///{store / FOLLOWUP_FILE}"
    roles = Roles(url_db)
    for username, role, unit in (("jia", "reporter", fx.T1), ("yi", "reporter", fx.T2), ("shen", "reviewer", None)):
        save_user(auth, username, f"{username}账号", PASSWORD)
        roles.set_role(username, role, unit, COMMAND_LINE)
    flow = Reporting(url_db, store)
    flow.set_units(flow.default_units(), COMMAND_LINE)
    flow.open_round(Account("shen", "shen账号", "reviewer"), MONTH, date.today() + timedelta(days=5))
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(store), "SOCIALWORK_AUTH_FILE": str(auth)})

    for username in ("jia", "yi"):  # each in its own browser context, as two township offices would
        clerk = _log_in(browser, url, username)
        assert clerk.get_by_text("未填报").first.is_visible()
        _click(clerk, "与上月相同，一键提交")
        clerk.get_by_text("已提交，等待审核员审核").wait_for()

    reviewer = _log_in(browser, url, "shen")
    reviewer.get_by_text("已提交 2 /").first.wait_for()
    for _ in range(2):  # the unit chosen first is the next one waiting for review
        _click(reviewer, "通过")
    reviewer.get_by_text("已通过 2").first.wait_for()
    warning = reviewer.get_by_text("沿用 2025-03-31 的数据").first
    assert "丙乡（未填报）" in warning.inner_text()
    _click(reviewer, f"确认发布 {MONTH} 数据")
    reviewer.get_by_text(f"已发布 {MONTH}").wait_for()

    assembled = flow.assembly(MONTH)
    assert (assembled.reported, assembled.unit_count, assembled.carried[0]) == (2, 16, "丙乡")
    reviewer.goto(url)  # the overview, at the newest month, says how it was assembled
    settle(reviewer)
    main = reviewer.locator('[data-testid="stMain"]').inner_text()
    assert "数据截至 2025年4月30日" in main
    assert "已报 2 / 16 · 沿用上月 14（丙乡" in main
