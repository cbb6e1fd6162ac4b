"""The tables a page shows (present/tables/html.py writes each as one HTML block), read back as frames of what a
reader sees: numbers as numbers, a dash as missing, status pills as their text."""

from __future__ import annotations

import re
from html import unescape
from io import StringIO

import pandas as pd
from streamlit.testing.v1 import AppTest


def frames_in(html: str) -> list[pd.DataFrame]:
    """Every sw-table in an HTML string, cells parsed as a reader would read them."""
    if "<table" not in html:
        return []
    return pd.read_html(StringIO(html), flavor="lxml", thousands=",", na_values=["—"], keep_default_na=False)


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The page's tables in page order."""
    return [frame for element in at.get("html") for frame in frames_in(element.proto.body)]


def text_of(html: str) -> str:
    """What a reader sees of an HTML block: tags gone, entities decoded, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
