"""The login (users from $SOCIALWORK_AUTH_FILE, roles from the server database, see auth.py): the gate in front of
every page when viewing needs a login ($SOCIALWORK_VIEW_LOGIN=required), the gate in front of a page one role may use
(数据导入, 审计日志), and a panel on pages anyone may read and some roles may also write on (会议督办).

A session ends after $SOCIALWORK_SESSION_IDLE_MINUTES without an action (default 30): the next action finds it
expired and asks for the login again. Its role is read again on every action, so a role changed or taken away holds
at once, on every replica.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from socialwork.data.contract.access_tables import PERMISSIONS
from socialwork.data.server.access import Account, can, refusal
from socialwork.present.staff.auth import AuthError, audit_log, load_users, login, login_configured, roles
from socialwork.present.words.plaintext import markdown_text

VIEW_LOGIN_ENV = "SOCIALWORK_VIEW_LOGIN"  # "required": every page asks for a login first; unset or "off": no
IDLE_MINUTES_ENV = "SOCIALWORK_SESSION_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 30
_USER_KEY = "logged_in_user"
_ACTIVE_KEY = "logged_in_last_active"  # seconds since the epoch of the session's last action
_EXPIRED_KEY = "logged_in_expired"
_log = logging.getLogger(__name__)


class SettingError(Exception):
    """A login setting with a value the app does not know, worded in Chinese."""


def view_login_required() -> bool:
    value = os.environ.get(VIEW_LOGIN_ENV, "").strip().lower()
    if value in ("", "off"):
        return False
    if value == "required":
        return True
    raise SettingError(f"环境变量 {VIEW_LOGIN_ENV} 的值“{value}”无效：应为 required（查看需要登录）或 off")


def idle_minutes() -> float:
    value = os.environ.get(IDLE_MINUTES_ENV, "").strip()
    try:
        minutes = float(value) if value else DEFAULT_IDLE_MINUTES
    except ValueError:
        minutes = 0
    if minutes <= 0:
        raise SettingError(
            f"环境变量 {IDLE_MINUTES_ENV} 的值“{value}”无效：应为正数（分钟），默认 {DEFAULT_IDLE_MINUTES}"
        )
    return minutes


def logged_in_user() -> Account | None:
    """The session's account with its role as now stored; None when logged out or idle too long (which logs out)."""
    account = st.session_state.get(_USER_KEY)
    if account is None:
        return None
    now = time.time()
    if now - st.session_state.get(_ACTIVE_KEY, now) > idle_minutes() * 60:
        _end_session(account, "session_expired")
        st.session_state[_EXPIRED_KEY] = True
        return None
    st.session_state[_ACTIVE_KEY] = now
    try:
        fresh = roles().account(account.username, account.display_name)
    except SQLAlchemyError:  # the server database unreachable: the role it logged in with, and the pages stay up
        _log.warning("could not read the role of %s; keeping the session's", account.username, exc_info=True)
        return account
    st.session_state[_USER_KEY] = fresh
    return fresh


def current_editor() -> Account | None:
    """Who writes from this session: the logged-in account, None for a viewer."""
    return logged_in_user()


def _end_session(account: Account, action: str) -> None:
    for key in (_USER_KEY, _ACTIVE_KEY):
        st.session_state.pop(key, None)
    audit_log().record(account.username, action)


def _logged_in_sidebar(account: Account) -> None:
    with st.sidebar:
        st.caption(f"已登录：{markdown_text(account.display_name)}")
        st.caption(f"角色：{account.role_label}" + (f"（单位 {account.unit_code}）" if account.unit_code else ""))
        if st.button("退出登录", icon=":material/logout:"):
            _end_session(account, "logout")
            st.rerun()


def _login_form(key: str = "login") -> None:
    """The user name and password form; a right password logs the session in and reruns."""
    if st.session_state.pop(_EXPIRED_KEY, False):
        st.warning(f"登录已超时（{idle_minutes():g} 分钟无操作），请重新登录")
    with st.form(key):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            account = login(load_users(), username, password)
        except AuthError as err:
            st.error(str(err))
            return
        if account:
            st.session_state[_USER_KEY] = account
            st.session_state[_ACTIVE_KEY] = time.time()
            st.rerun()
        st.error("用户名或密码不正确")


def view_gate(keep_url: Callable[[], object]) -> Account | None:
    """Before any page: the session's account (its idle time checked, its name and logout in the sidebar); when
    viewing needs a login, a login form instead of the page until someone logs in. Called by dashboard.py on every
    run; `keep_url` names the site's pages without drawing one, so that a link's page opens after the login."""
    try:
        required = view_login_required()
        account = logged_in_user()
    except SettingError as err:
        st.error(str(err))
        st.stop()
    if account:
        _logged_in_sidebar(account)
    if account or not required:
        return account
    if not login_configured():
        st.error(f"本看板设置为登录后查看（{VIEW_LOGIN_ENV}=required），但没有可用的登录配置文件 SOCIALWORK_AUTH_FILE")
        st.stop()
    keep_url()
    st.title("请先登录")
    st.caption("本看板仅供本单位工作人员查看，请用分配给您的账号登录。")
    _login_form("view_login")
    st.stop()


def login_gate(action: str = "import") -> Account:
    """Stop the page with a login form unless an account is logged in, and with a refusal unless its role may take
    the page's action (the write itself checks again: access.require)."""
    account = logged_in_user()
    if account is None:
        st.subheader(f"登录后{PERMISSIONS[action].label}")
        _login_form()
        st.stop()
    if not can(account, action, account.unit_code):  # a 填报员's page action is for its own unit
        st.error(refusal(account, action, account.unit_code))
        st.stop()
    return account


def login_panel(purpose: str) -> Account | None:
    """The account of this session; for a viewer, when logins are configured, a folded login form saying what a
    login allows (`purpose`). The page goes on either way: viewers read."""
    account = logged_in_user()
    if account:
        return account
    if login_configured():
        with st.expander(f"工作人员登录（{purpose}）", icon=":material/login:"):
            _login_form("login_panel")
    return None


def audited_download(make: Callable[[], bytes], file_name: str) -> Callable[[], bytes]:
    """A download's maker that also logs the export, by the account of the run that drew the button (the maker
    runs later, outside the run). A log that cannot be written is reported and the download goes on: a file
    already on the screen is not withheld."""
    account = st.session_state.get(_USER_KEY)
    username = account.username if account else "（未登录）"

    def made() -> bytes:
        content = make()
        try:
            audit_log().record(username, "export", file_name)
        except Exception:
            _log.exception("could not log the export of %s", file_name)
        return content

    return made
