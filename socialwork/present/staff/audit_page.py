"""The 审计日志 page's parts: the log as a Chinese table with its downloads, and the accounts' roles with the form an
管理员 changes one with (access.Roles.set_role checks the role again and logs the change)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from socialwork.data.contract.access_tables import ACCOUNT_ROLES, AUDIT_ACTION, AUDIT_LOG, ROLE, UNIT_ROLES
from socialwork.data.server.access import AccessDenied, Account, RoleError
from socialwork.present.staff.auth import audit_log, load_users, roles
from socialwork.present.staff.login import audited_download
from socialwork.present.tables.files import csv_bytes, xlsx_bytes

SHOWN_ENTRIES = 500  # the newest on screen; the downloads carry every entry
_LABELS = {column.name: column.label for column in AUDIT_LOG.columns}
_ROLE_LABELS = {column.name: column.label for column in ACCOUNT_ROLES.columns}


def audit_frame(entries: list[dict]) -> pd.DataFrame:
    """Entries with Chinese headers and actions; the id is left out (the time orders them)."""
    frame = pd.DataFrame(entries, columns=list(_LABELS))
    frame["action"] = [AUDIT_ACTION.label_of(action) for action in frame["action"]]
    return frame.drop(columns="audit_id").rename(columns=_LABELS)


def roles_frame(rows: list[dict], users: dict) -> pd.DataFrame:
    """Every login of the users file with its role (a login without one is a viewer) and unit."""
    by_name = {row["username"]: row for row in rows}
    table = []
    for name, user in sorted(users.items()):
        row = by_name.get(name, {})
        table.append({"账号": name, "显示名称": user.display_name,
                      _ROLE_LABELS["role"]: ROLE.label_of(row.get("role", "viewer")),
                      _ROLE_LABELS["unit_code"]: row.get("unit_code") or "",
                      _ROLE_LABELS["changed_at"]: row.get("changed_at", ""),
                      _ROLE_LABELS["changed_by"]: row.get("changed_by", "")})  # fmt: skip
    return pd.DataFrame(table)


def audit_section() -> None:
    """The log, newest first, and its CSV and XLSX (text never a formula: tables/files.py)."""
    every = audit_frame(audit_log().entries())
    st.caption(f"共 {len(every)} 条记录，下表为最新 {min(len(every), SHOWN_ENTRIES)} 条；下载包含全部记录。")
    st.dataframe(every.head(SHOWN_ENTRIES), hide_index=True, width="stretch")
    today, name = date.today(), f"审计日志_{date.today().isoformat()}"
    with st.container(horizontal=True):
        xlsx = audited_download(lambda: xlsx_bytes(every, today, "全部", "审计日志"), f"{name}.xlsx")
        st.download_button(
            "下载 Excel（XLSX）", xlsx,
            file_name=f"{name}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:", on_click="ignore",
        )  # fmt: skip
        st.download_button(
            "下载 CSV", audited_download(lambda: csv_bytes(every, today, "全部"), f"{name}.csv"),
            file_name=f"{name}.csv", mime="text/csv", icon=":material/download:", on_click="ignore",
        )  # fmt: skip


def roles_section(admin: Account) -> None:
    """The accounts and their roles, and the form that changes one."""
    users = load_users()
    st.dataframe(roles_frame(roles().all(), users), hide_index=True, width="stretch")
    with st.form("role_change"):
        username = st.selectbox("账号", sorted(users), index=None, placeholder="选择账号")
        role = st.selectbox("新角色", ROLE.codes, format_func=ROLE.label_of)
        unit = st.text_input("所属单位代码（仅填报员：乡镇代码或部门代码）")
        submitted = st.form_submit_button("修改角色", type="primary")
    if not submitted:
        return
    if username is None:
        st.error("请选择要修改角色的账号")
        return
    try:
        change = roles().set_role(username, role, unit if role in UNIT_ROLES else None, by=admin)
    except (AccessDenied, RoleError) as err:
        st.error(str(err))
        return
    st.success(f"已修改角色：{change}")
