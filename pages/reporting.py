"""月度上报: each township and department reports its own part of the month, the county reviews and publishes
(多级上报). A 填报员 sees its unit's part; a 审核员 or 管理员 the board."""

import streamlit as st

from socialwork.present.screen import filtering
from socialwork.present.staff import login, reporting_board

filtering.ensure_entrypoint()
workspace = filtering.current_workspace()
st.title("月度上报")
account = login.login_gate("part_read")
reporting_board.reporting_page(workspace.data, account)
