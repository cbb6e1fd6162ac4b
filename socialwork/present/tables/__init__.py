"""Frames worded in Chinese for the screen and the files: by place, what changed, follow-ups, each page's tables; a
table as HTML and as a download. No Streamlit here."""
