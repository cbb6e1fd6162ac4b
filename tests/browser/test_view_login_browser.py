"""Viewing behind a login in a real browser: the county's set-up (SOCIALWORK_VIEW_LOGIN=required) shows the login
form on a deep link, a wrong password is refused and logged, the right one opens the linked page, and the 管理员 reads
both on 审计日志."""

from __future__ import annotations

import shutil

import pytest

from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server.access import Roles
from socialwork.present.staff.auth import save_user
from tests.browser.conftest import settle

pytestmark = pytest.mark.browser
PASSWORD = "Lantern-river-42"


def log_in(page, username: str, password: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    settle(page)


def test_a_deep_link_asks_for_the_login_then_opens_and_the_admin_reads_the_log(fresh_server, browser, tmp_path,
                                                                                 demo_store):  # fmt: skip
    store = tmp_path / "store"
    shutil.copytree(demo_store, store)
    (store / ".socialwork-demo").unlink()
    auth = tmp_path / "users.toml"
    save_user(auth, "guan", "管理员小关", PASSWORD)
    Roles(f"sqlite:///{store / FOLLOWUP_FILE}").set_role("guan", "admin", None, COMMAND_LINE)
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(store), "SOCIALWORK_AUTH_FILE": str(auth),
                                 "SOCIALWORK_VIEW_LOGIN": "required"})  # fmt: skip
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()

    page.goto(f"{url}/targets?asof=2026-10-31")
    settle(page)
    assert page.get_by_text("请先登录").is_visible()
    assert page.get_by_text("目标进度").count() == 0 and page.locator('[data-testid="stMetric"]').count() == 0
    log_in(page, "guan", "wrong password!")
    assert page.get_by_text("用户名或密码不正确").is_visible()
    log_in(page, "guan", PASSWORD)
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)  # the linked page reruns once logged in
    assert page.get_by_text("已登录：管理员小关").is_visible() and page.locator('[data-testid="stMetric"]').count() > 0
    assert "/targets" in page.url

    page.get_by_role("link", name="审计日志").click()
    settle(page)
    log = page.locator('[data-testid="stDataFrame"]').first
    log.wait_for()
    assert page.get_by_text("审计日志与账号角色").is_visible()
    text = page.locator('[data-testid="stMain"]').inner_text()
    # The demo's 5 accounts' roles (the copied store's own log), the role given on the command line, the failed
    # login, the login.
    assert "共 8 条记录" in text
