"""数据导入 in a real browser: log in, upload a month's workbook, see the preview, import, see the new date."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest

from socialwork.auth import save_user
from socialwork.contract import TABLES
from socialwork.demo import LAST_SNAPSHOT
from socialwork.store import read_table, snapshot_dates
from socialwork.workbook import workbook_bytes
from tests.browser.conftest import full_page_screenshot, settle

pytestmark = pytest.mark.browser


def test_login_upload_preview_and_import(fresh_server, browser, tmp_path, demo_store):
    store = tmp_path / "store"
    shutil.copytree(demo_store, store)
    (store / ".socialwork-demo").unlink()  # a real store: imports into the demo folder are refused
    auth = tmp_path / "users.toml"
    save_user(auth, "zhang", "数据员小张", "correct horse")
    upload = tmp_path / "2026-11.xlsx"
    upload.write_bytes(workbook_bytes({t.name: read_table(demo_store, LAST_SNAPSHOT, t) for t in TABLES}))
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(store), "SOCIALWORK_AUTH_FILE": str(auth)})

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/data_import")
    settle(page)
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=用户名或密码不正确")
    page.get_by_label("密码").fill("correct horse")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=已登录：数据员小张")
    settle(page)

    page.locator('input[type="file"]').set_input_files(str(upload))
    page.wait_for_selector("text=导入预览")
    settle(page)
    full_page_screenshot(page, "import_preview")
    # The date defaults to last month's end; when that snapshot exists, replacing it must be confirmed.
    month_end = date.today().replace(day=1) - timedelta(days=1)
    confirm = page.get_by_role("button", name="确认导入")
    if month_end in snapshot_dates(store):
        assert confirm.is_disabled()
        page.get_by_text("确认替换").click()
        settle(page)
    confirm.click()
    page.wait_for_selector("text=导入完成")
    assert month_end in snapshot_dates(store)
    if (store / ".replaced").exists():
        assert len(list((store / ".replaced").iterdir())) == 1
    page.context.close()
