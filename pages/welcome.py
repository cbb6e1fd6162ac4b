"""开始使用: shown instead of the dashboard while the store holds no snapshot (a store just made by `init`)."""

import streamlit as st

from socialwork import ui
from socialwork.auth import login_configured
from socialwork.workbook import template_bytes, template_name

ui.ensure_entrypoint()
workspace = ui.current_workspace()
county, initialised = workspace.county, workspace.warning is None
st.title(f"欢迎使用{county.app_title if initialised else ui.APP_TITLE}")
st.markdown(ui.welcome_text(workspace, login_configured()))
if initialised:
    st.download_button("下载本县导入模板（XLSX）", template_bytes(county.county_name), icon=":material/download:",
                       file_name=template_name(county_name=county.county_name), on_click="ignore")  # fmt: skip
    if login_configured():
        st.page_link("pages/data_import.py", label="前往“数据导入”页", icon=":material/upload_file:")
