"""变化对比: what changed between two snapshots (by default since the last meeting), for the county or townships."""

import streamlit as st

from socialwork.figures import changes
from socialwork.present.screen import cards, changes_page, filtering

filtering.ensure_entrypoint()
filters = filtering.current_filters()
cards.page_header("变化对比", filters)
picked = changes_page.since_picker(filters)
if picked is None:
    st.stop()
since, default = picked
compared = changes.compare(since, filters.as_of, filters.places, filters.data)
changes_page.show(compared, filters, default)
