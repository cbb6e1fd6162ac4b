"""Pages are thin: no SQL outside queries/, every page guarded and listed in the navigation."""

from __future__ import annotations

import re

from socialwork.data import settings

SQL = re.compile(r"\b(select|insert|update|delete|create)\b[^\n]*\b(from|into|set|table|view)\b", re.I)
PAGES = sorted((settings.REPO_ROOT / "pages").glob("*.py"))


def python_sources():
    yield settings.REPO_ROOT / "dashboard.py"
    yield from PAGES
    yield from (settings.REPO_ROOT / "socialwork").glob("*.py")


def test_no_sql_in_pages_or_entrypoint():
    for path in [settings.REPO_ROOT / "dashboard.py", *PAGES]:
        assert not SQL.search(path.read_text(encoding="utf-8")), path


def test_only_the_data_access_module_executes_sql():
    for path in python_sources():
        if path.name == "db.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text and "duckdb" not in text, path


def test_every_page_file_is_guarded_and_navigable():
    entry = (settings.REPO_ROOT / "dashboard.py").read_text(encoding="utf-8")
    for path in PAGES:
        assert "filtering.ensure_entrypoint()" in path.read_text(encoding="utf-8"), path
        assert f'"pages/{path.name}"' in entry, f"{path.name} is not in st.navigation"
        # url_path = file stem: Streamlit's legacy discovery and AppTest resolve pages by the stem
        assert f'url_path="{path.stem}"' in entry or "default=True" in entry.split(path.name)[1].split("\n")[0]
