"""开始使用: shown instead of the dashboard while the store holds no snapshot (a store just made by `init`)."""

import streamlit as st

from socialwork.present import ui, uploads
from socialwork.present.auth import login_configured

ui.ensure_entrypoint()
workspace = ui.current_workspace()
county, initialised = workspace.county, workspace.warning is None
st.title(f"欢迎使用{county.app_title if initialised else ui.APP_TITLE}")
st.markdown(ui.welcome_text(workspace, login_configured()))
if initialised:
    template, template_file = uploads.template_download(county)
    st.download_button("下载本县导入模板（XLSX）", template, file_name=template_file, icon=":material/download:",
                       on_click="ignore")  # fmt: skip
    if login_configured():
        st.page_link("pages/data_import.py", label="前往“数据导入”页", icon=":material/upload_file:")
