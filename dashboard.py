"""Entrypoint: page config, global filters, navigation. Nothing else."""

import streamlit as st

from socialwork.present.screen import filtering
from socialwork.present.staff import login
from socialwork.present.staff.auth import login_configured

workspace = filtering.page_config()  # the browser tab names the store's county
site = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/targets.py", title="目标进度", icon=":material/flag:", url_path="targets"),
    st.Page("pages/staffing.py", title="社区社工配备", icon=":material/groups:", url_path="staffing"),
    st.Page("pages/posts.py", title="岗位开发", icon=":material/work:", url_path="posts"),
    st.Page("pages/stations.py", title="社工站与机构", icon=":material/home_work:", url_path="stations"),
    st.Page("pages/incentives.py", title="激励与培训", icon=":material/school:", url_path="incentives"),
    st.Page("pages/purchases.py", title="政府购买服务", icon=":material/payments:", url_path="purchases"),
    st.Page("pages/meeting.py", title="会议演示与导出", icon=":material/slideshow:", url_path="meeting"),
    st.Page("pages/changes.py", title="变化对比", icon=":material/compare_arrows:", url_path="changes"),
    st.Page("pages/followups.py", title="会议督办", icon=":material/task_alt:", url_path="followups"),
]
data_import = st.Page("pages/data_import.py", title="数据导入", icon=":material/upload_file:", url_path="data_import")
audit = st.Page("pages/audit.py", title="审计日志", icon=":material/policy:", url_path="audit")
reporting = st.Page("pages/reporting.py", title="月度上报", icon=":material/assignment:", url_path="reporting")
# A login form instead of every page when viewing needs one (the linked page kept for after it); idle sessions end.
account = login.view_gate(lambda: st.navigation([*site, reporting, data_import, audit], position="hidden"))
filters = filtering.sidebar_filters(workspace)  # None while the store holds no snapshot yet
if filters is None:
    pages = [st.Page("pages/welcome.py", title="开始使用", icon=":material/waving_hand:", default=True)]
else:
    pages = site
if login_configured():  # data staff only: without a login file the import and reporting pages do not exist
    pages += [reporting, data_import] if filters is not None else [data_import]
if login.can(account, "audit_read"):
    pages.append(audit)
filtering.run_page(st.navigation(pages))
