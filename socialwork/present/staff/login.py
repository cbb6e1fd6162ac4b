"""The data-staff login (users from $SOCIALWORK_AUTH_FILE, see auth.py): a gate in front of the import page, and a
panel on pages that anyone may read and logged-in staff may also write on (会议督办)."""

from __future__ import annotations

import streamlit as st

from socialwork.data.server.followups import Editor
from socialwork.present.staff.auth import AuthError, load_users, login, login_configured
from socialwork.present.words.plaintext import markdown_text

_USER_KEY = "logged_in_user"


def logged_in_user():
    return st.session_state.get(_USER_KEY)


def current_editor() -> Editor | None:
    """Who writes from this session: the logged-in user, None for a viewer."""
    user = logged_in_user()
    return None if user is None else Editor(user.username, user.display_name)


def _logged_in_sidebar(user) -> None:
    with st.sidebar:
        st.caption(f"已登录：{markdown_text(user.display_name)}")
        if st.button("退出登录", icon=":material/logout:"):
            del st.session_state[_USER_KEY]
            st.rerun()


def _login_form(key: str = "login") -> None:
    """The user name and password form; a right password logs the session in and reruns."""
    with st.form(key):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = login(load_users(), username, password)
        except AuthError as err:
            st.error(str(err))
            return
        if user:
            st.session_state[_USER_KEY] = user
            st.rerun()
        st.error("用户名或密码不正确")


def login_gate() -> None:
    """Stop the page with a login form unless a data-staff user is logged in."""
    user = logged_in_user()
    if user:
        _logged_in_sidebar(user)
        return
    st.subheader("数据员登录")
    _login_form()
    st.stop()


def login_panel(purpose: str) -> Editor | None:
    """The editor of this session; for a viewer, when logins are configured, a folded login form saying what a
    login allows (`purpose`). The page goes on either way: viewers read."""
    user = logged_in_user()
    if user:
        _logged_in_sidebar(user)
        return current_editor()
    if login_configured():
        with st.expander(f"工作人员登录（{purpose}）", icon=":material/login:"):
            _login_form("login_panel")
    return None
