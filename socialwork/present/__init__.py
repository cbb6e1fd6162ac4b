"""What people see. Uses figures and data; its rooms:

- screen/: what a page draws (Streamlit): the filters and their URL, cards, charts, maps, the leader's answers.
- staff/: what data staff do: the users file, the login, the import page's steps.
- words/: figures as Chinese text, the same on every surface (no Streamlit).
- tables/: frames worded in Chinese for the screen and the files; a table as HTML and as a download (no Streamlit).
- meeting/: the review meeting's slides, presentation mode and the follow-up items' page.
- documents/: the files a meeting takes away: PPTX, PDF, DOCX and the XLSX of every table.

theme.py, one look for every screen and document, stays here: every room uses it.
"""
