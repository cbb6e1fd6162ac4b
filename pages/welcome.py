"""开始使用: shown instead of the dashboard while the store holds no snapshot (a store just made by `init`)."""

import streamlit as st

from socialwork.present.screen import filtering
from socialwork.present.staff import uploads
from socialwork.present.staff.auth import login_configured

filtering.ensure_entrypoint()
workspace = filtering.current_workspace()
county, initialised = workspace.county, workspace.warning is None
st.title(f"欢迎使用{county.app_title if initialised else filtering.APP_TITLE}")
st.markdown(filtering.welcome_text(workspace, login_configured()))
if initialised:
    template, template_file = uploads.template_download(county)
    st.download_button("下载本县导入模板（XLSX）", template, file_name=template_file, icon=":material/download:",
                       on_click="ignore")  # fmt: skip
    if login_configured():
        st.page_link("pages/data_import.py", label="前往“数据导入”页", icon=":material/upload_file:")
