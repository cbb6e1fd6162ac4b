"""The data-staff login gate in front of the import page (users from $SOCIALWORK_AUTH_FILE, see auth.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from socialwork.present.plaintext import markdown_text

if TYPE_CHECKING:
    pass


_USER_KEY = "logged_in_user"


def logged_in_user():
    return st.session_state.get(_USER_KEY)


def login_gate() -> None:
    """Stop the page with a login form unless a data-staff user is logged in."""
    from socialwork.present.auth import AuthError, load_users, login

    if logged_in_user():
        user = logged_in_user()
        with st.sidebar:
            st.caption(f"已登录：{markdown_text(user.display_name)}")
            if st.button("退出登录", icon=":material/logout:"):
                del st.session_state[_USER_KEY]
                st.rerun()
        return
    st.subheader("数据员登录")
    with st.form("login"):
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            user = login(load_users(), username, password)
        except AuthError as err:
            st.error(str(err))
            st.stop()
        if user:
            st.session_state[_USER_KEY] = user
            st.rerun()
        st.error("用户名或密码不正确")
    st.stop()
