"""Viewing behind a login (SOCIALWORK_VIEW_LOGIN=required), sessions ending after their idle time, and the pages one
role may use (审计日志 for 管理员, 数据导入 for the roles that import), with the role read again on every action."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from socialwork.data import settings
from socialwork.data.contract.access_tables import COMMAND_LINE
from socialwork.data.server.access import Roles
from socialwork.present.staff import auth
from socialwork.present.staff.auth import load_users, save_user
from tests.accounts import sign_in

ENTRYPOINT = str(settings.REPO_ROOT / "dashboard.py")
PASSWORD = "Lantern-river-42"


@pytest.fixture
def county(tmp_path, monkeypatch, fixture_store):
    """The fixture county with two logins, its server database in this test's folder."""
    path = tmp_path / "users.toml"
    save_user(path, "kan", "查看员小康", PASSWORD)
    save_user(path, "guan", "管理员小关", PASSWORD)
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(path))
    monkeypatch.setenv("SOCIALWORK_DATA", str(fixture_store))
    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'server.sqlite'}")
    monkeypatch.delenv("SOCIALWORK_SESSION_IDLE_MINUTES", raising=False)
    return load_users(path)


def app() -> AppTest:
    return AppTest.from_file(ENTRYPOINT, default_timeout=90)


def asks_for_login(at: AppTest) -> bool:
    return [t.label for t in at.text_input] == ["用户名", "密码"]


def shows_overview(at: AppTest) -> bool:
    return bool(at.title) and at.title[0].value.endswith("· 总览")


def test_with_view_login_required_every_page_asks_for_a_login_first(county, monkeypatch):
    monkeypatch.setenv("SOCIALWORK_VIEW_LOGIN", "required")
    for page in ("pages/overview.py", "pages/targets.py", "pages/followups.py"):
        at = app()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert asks_for_login(at) and [t.value for t in at.title] == ["请先登录"]
        assert not at.metric and not at.dataframe, f"{page} showed something before the login"


def test_any_role_views_once_logged_in(county, monkeypatch, tmp_path):
    monkeypatch.setenv("SOCIALWORK_VIEW_LOGIN", "required")
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["kan"], "viewer")
    at.run()
    assert not at.exception and shows_overview(at) and not asks_for_login(at)


def test_without_the_setting_anyone_views_as_before(county):
    at = app().run()
    assert not at.exception and shows_overview(at) and not asks_for_login(at)


def test_an_unknown_setting_refuses_rather_than_opens(county, monkeypatch):
    monkeypatch.setenv("SOCIALWORK_VIEW_LOGIN", "yes")
    at = app().run()
    assert "SOCIALWORK_VIEW_LOGIN 的值“yes”无效" in at.error[0].value and not at.title and not at.metric


@pytest.mark.parametrize(("idle_setting", "idle_minutes", "expired"), [(None, 31, True), (None, 29, False),
                                                                       ("5", 6, True), ("5", 4, False)])  # fmt: skip
def test_the_next_action_after_the_idle_time_asks_for_the_login_again(
    county, monkeypatch, tmp_path, idle_setting, idle_minutes, expired
):
    monkeypatch.setenv("SOCIALWORK_VIEW_LOGIN", "required")
    if idle_setting:
        monkeypatch.setenv("SOCIALWORK_SESSION_IDLE_MINUTES", idle_setting)
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["kan"], "viewer")
    at.session_state["logged_in_last_active"] = time.time() - idle_minutes * 60
    at.run()
    assert not at.exception
    assert asks_for_login(at) == expired and shows_overview(at) != expired
    if expired:
        assert at.warning[0].value == f"登录已超时（{idle_setting or 30} 分钟无操作），请重新登录"
        newest = auth.audit_log().entries(limit=1)[0]
        assert (newest["username"], newest["action"]) == ("kan", "session_expired")
        at.run()  # the warning once; the form stays
        assert asks_for_login(at) and not at.warning


def test_an_idle_session_also_ends_where_viewing_is_open(county, monkeypatch, tmp_path):
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["guan"], "admin")
    at.session_state["logged_in_last_active"] = time.time() - 3600
    at.switch_page("pages/data_import.py").run()
    assert not at.exception and asks_for_login(at) and not at.get("file_uploader")


def test_the_audit_page_is_an_admins_and_exports_the_log(county, monkeypatch, tmp_path):
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["guan"], "admin")
    at.switch_page("pages/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "审计日志与账号角色"
    log = at.dataframe[0].value
    assert list(log.columns) == ["时间", "账号", "操作", "对象"] and log.iloc[0]["操作"] == "角色变更"
    roles = at.dataframe[1].value
    assert dict(zip(roles["账号"], roles["角色"], strict=True)) == {"guan": "管理员", "kan": "查看者"}
    assert {b.label for b in at.get("download_button")} >= {"下载 Excel（XLSX）", "下载 CSV"}


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_another_role_never_reaches_the_audit_page(county, monkeypatch, tmp_path, role):
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["kan"], role)
    at.switch_page("pages/audit.py").run()  # not in its navigation: the default page answers
    assert not at.exception and shows_overview(at) and not any(t.value == "审计日志与账号角色" for t in at.title)


def test_a_role_taken_away_holds_at_the_next_action(county, monkeypatch, tmp_path):
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["guan"], "admin")
    at.switch_page("pages/audit.py").run()
    assert at.title[0].value == "审计日志与账号角色"
    Roles(auth.server_url()).set_role("guan", "viewer", None, COMMAND_LINE)  # on another replica, say
    at.run()
    assert not at.exception and "审计日志与账号角色" not in [t.value for t in at.title]


def test_a_viewer_on_the_import_page_is_told_which_roles_import(county, monkeypatch, tmp_path):
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["kan"], "viewer")
    at.switch_page("pages/data_import.py").run()
    assert not at.exception
    assert at.error[0].value == "账号 kan 的角色是查看者，不能导入全县月度数据（需要审核员、管理员角色）"
    assert not at.get("file_uploader")


def test_a_logged_in_session_keeps_its_role_while_the_server_database_is_unreachable(county, monkeypatch, tmp_path):
    monkeypatch.setenv("SOCIALWORK_VIEW_LOGIN", "required")
    at = app()
    sign_in(at, monkeypatch, tmp_path, county["kan"], "viewer")
    monkeypatch.setenv("SOCIALWORK_DB", f"sqlite:///{tmp_path / 'no such folder' / 'server.sqlite'}")
    at.run()
    assert not at.exception and shows_overview(at), "the pages stay up; the role it logged in with holds"
