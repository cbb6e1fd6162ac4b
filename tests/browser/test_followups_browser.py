"""会议督办 in a real browser: log in, create a follow-up item, see it below its target on 目标进度 and in the deck."""

from __future__ import annotations

import io
import shutil

import pytest
from pptx import Presentation

from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server.access import Roles
from socialwork.data.server.followups import Editor
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.storage.layout import DEMO_MARKER
from socialwork.present.staff.auth import save_user
from tests.browser.conftest import full_page_screenshot, settle

pytestmark = pytest.mark.browser
TASK = "城北镇新培育1家社工机构，年底前完成登记"


def choose(page, form, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox in the form by typing it, then its entry in the list."""
    form.get_by_role("combobox", name=label).click()
    page.keyboard.type(option, delay=30)
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def test_log_in_create_an_item_and_see_it_by_its_target_and_in_the_deck(fresh_server, browser, tmp_path, demo_store):
    store = tmp_path / "store"
    shutil.copytree(demo_store, store)
    (store / DEMO_MARKER).unlink()  # a county's own store: the demo's meetings are read-only
    auth = tmp_path / "users.toml"
    save_user(auth, "zhang", "数据员小张", "correct horse")
    Roles(f"sqlite:///{store / FOLLOWUP_FILE}").set_role("zhang", "reviewer", None, COMMAND_LINE)  # imports, writes
    url = fresh_server("serve", {"SOCIALWORK_DATA": str(store), "SOCIALWORK_AUTH_FILE": str(auth)})
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()

    page.goto(f"{url}/followups?asof=2026-10-31")
    settle(page)
    assert page.get_by_role("button", name="新建督办事项").count() == 0  # a viewer reads only
    page.get_by_text("工作人员登录（登录后可记录会议、新建和更新督办事项）").click()
    page.get_by_label("用户名").fill("zhang")
    page.get_by_label("密码").fill("correct horse")
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("text=已登录：数据员小张")
    settle(page)

    page.get_by_text("为会议新建督办事项").click()
    task = page.get_by_placeholder("要办成什么事（不写个人姓名、电话）")
    form = page.locator('[data-testid="stForm"]').filter(has=task)
    task.fill(TASK)
    choose(page, form, "对应目标", "社工机构数量")
    choose(page, form, "乡镇（街道）", "城北镇")
    page.get_by_role("button", name="新建督办事项").click()
    page.wait_for_selector("text=已新建督办事项 #8")
    settle(page)
    full_page_screenshot(page, "followups_created")
    [item] = [i for i in SqlFollowups.sqlite(store / FOLLOWUP_FILE).items() if i.task == TASK]
    assert (item.metric_key, item.township_code, item.created_by, item.status) == (
        "active_organisations", "999901100", "zhang", "not_started"
    )  # fmt: skip

    # Another session changes the item while this page shows it: an edit of another field keeps both, an edit of
    # the same field is refused and says so (the form sends the item as it showed it).
    followups, li = SqlFollowups.sqlite(store / FOLLOWUP_FILE), Editor("li", "数据员小李", "reviewer")
    followups.update_item(item, {"status": "in_progress"}, li)
    edit = page.locator('[data-testid="stForm"]').filter(has_text="更新事项")
    edit.get_by_label("牵头单位").fill("XX县民政局、城北镇")
    edit.get_by_role("button", name="保存修改").click()
    page.wait_for_selector("text=已保存事项 #8 的修改")
    settle(page)
    merged = followups.item(item.item_id)
    assert (merged.status, merged.lead_unit) == ("in_progress", "XX县民政局、城北镇")
    followups.update_item(merged, {"status": "done"}, li)
    choose(page, edit, "状态", "未开始")
    edit.get_by_role("button", name="保存修改").click()
    page.wait_for_selector("text=已被其他人修改")
    assert followups.item(item.item_id).status == "done"

    page.get_by_role("link", name="目标进度").click()
    page.wait_for_url("**/targets**")
    settle(page)
    cells = page.locator('[data-testid="stVerticalBlock"]').filter(has_text="社工机构数量")
    card = cells.filter(has_text="督办事项 1 项").last  # the card's own cell of the grid, not the grid around it
    card.get_by_text("督办事项 1 项").click()
    assert card.get_by_text(TASK).is_visible()
    full_page_screenshot(page, "targets_with_followups")

    page.get_by_role("link", name="会议演示与导出").click()
    page.wait_for_url("**/meeting**")
    settle(page)
    page.get_by_role("button", name="生成演示文稿（PPTX）").click()
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="下载演示文稿（PPTX）").click(timeout=120_000)
    deck = Presentation(io.BytesIO(download.value.path().read_bytes()))
    texts = [" ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in deck.slides]
    followups = next(t for t in texts if t.startswith("上次会议督办事项落实情况"))
    tables = [s.table for slide in deck.slides for s in slide.shapes if s.has_table]
    cells = [c.text for t in tables for row in t.rows for c in row.cells]
    assert "确定督办事项 5 项" in followups and TASK in cells
    page.context.close()
