"""会议督办: recorded review meetings and the follow-up items they set; logged-in staff create and update them."""

import streamlit as st

from socialwork.present.meeting import followups_page
from socialwork.present.screen import cards, filtering
from socialwork.present.staff import login
from socialwork.present.tables import followups

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("会议督办", filters)
editor = login.login_panel("登录后可记录会议、新建和更新督办事项")
followups_page.flash()
view = followups.load(filters.as_of, filters.places, filters.data)
writable = followups_page.can_write(view, editor)

st.header("督办事项")
st.caption(followups_page.summary_caption(view))
followups_page.items_section(view, filters)
if writable:
    with st.expander("为会议新建督办事项", icon=":material/add_task:"):
        followups_page.new_item_form(view, editor, filters, filters.county.issuer)

if view.items:
    st.header("事项详情")
    item = followups_page.chosen_item(view)
    followups_page.item_detail(item, view, editor if writable else None, filters)

st.header("会议记录")
followups_page.meetings_section(view, editor if writable else None, filters)
