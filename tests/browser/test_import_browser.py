"""数据导入 in a real browser: log in, upload a month's workbook, see the preview, import, see the new date."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.contract.tables import TABLES
from socialwork.data.demo.story import LAST_SNAPSHOT
from socialwork.data.importing.workbook import workbook_bytes
from socialwork.data.server.access import Roles
from socialwork.data.storage.store import read_table, snapshot_dates
from socialwork.present.staff.auth import save_user
from tests.browser.conftest import full_page_screenshot, settle

pytestmark = pytest.mark.browser


def test_login_upload_preview_and_import(fresh_server, browser, tmp_path, demo_store):
    store = tmp_path / "store"
    shutil.copytree(demo_store, store)
    (store / ".socialwork-demo").unlink()  # a real store: imports into the demo folder are refused
    auth = tmp_path / "users.toml"
    save_user(auth, "zhang", "数据员小张", "correct horse")
    Roles(f"sqlite:///{store / FOLLOWUP_FILE}").set_role("zhang", "reviewer", None, COMMAND_LINE)  # imports, writes
    as_of = date(2026, 11, 30)  # the month after the demo's last snapshot (the import refuses a stale date)
    upload = tmp_path / f"{as_of:%Y-%m}.xlsx"
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

    for part, value in (("year", f"{as_of:%Y}"), ("month", f"{as_of:%m}"), ("day", f"{as_of:%d}")):
        page.get_by_role("spinbutton", name=f"{part}, 数据日期（通常为月末）").click()
        page.keyboard.type(value)
    page.keyboard.press("Escape")
    settle(page)
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.wait_for_selector("text=导入预览")
    settle(page)
    full_page_screenshot(page, "import_preview")
    confirm = page.get_by_role("button", name="确认导入")
    if as_of in snapshot_dates(store):
        assert confirm.is_disabled()
        page.get_by_text("确认替换").click()
        settle(page)
    confirm.click()
    page.wait_for_selector("text=导入完成")
    assert as_of in snapshot_dates(store)
    if (store / ".replaced").exists():
        assert len(list((store / ".replaced").iterdir())) == 1
    page.context.close()
