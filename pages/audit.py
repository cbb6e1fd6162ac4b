"""审计日志: who logged in, failed to, imported, exported or changed a role, and when; and the accounts' roles.
管理员 only."""

import streamlit as st

from socialwork.present.screen import filtering
from socialwork.present.staff import audit_page, login

filtering.ensure_entrypoint()
st.title("审计日志与账号角色")
admin = login.login_gate("audit_read")
st.header("审计日志")
audit_page.audit_section()
st.header("账号与角色")
audit_page.roles_section(admin)
