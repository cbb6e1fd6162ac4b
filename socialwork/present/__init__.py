"""What people see: filters and URL state, cards and tables, login, presentation mode, charts, Chinese
wording, meeting slides, documents and downloads. Uses figures and data.
"""
