"""Text from a URL, an upload or the registers kept as plain text wherever it is shown or written.

A township's name, a hand-edited `?township=` or a cell of a clerk's workbook would otherwise be read as
markup or code in three places, each with its one rule here:

- Streamlit's markdown elements (st.markdown, st.error, st.caption, titles, help texts): `markdown_text`;
- plotly, which renders <b>, <a href> and entities in titles, tick labels, bar text and hover text: `html_text`;
- spreadsheets: socialwork.data.importing.spreadsheet.
"""

from __future__ import annotations

import html
import re

# ---------------------------------------------------------------- Streamlit markdown

# CommonMark makes any ASCII punctuation character literal after a backslash: links []() and images !,
# emphasis * _ ~, HTML < &, headings #, tables |, code `, LaTeX $, directives :red[...] and :material/...:.
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM links bare URLs and e-mail addresses, and Streamlit swaps :shortcodes: and arrows such as -> , all in the
# text left after the escapes are resolved: an invisible word joiner before : . @ = > - breaks each pattern.
WORD_JOINER = "\u2060"
_TEXT_PATTERN_CHARACTERS = re.compile(r"([:.@=>-])")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


def markdown_text(text: object) -> str:
    """Text shown literally by any Streamlit element that renders markdown."""
    flat = _LINE_BREAKS.sub(" ", str(text))  # one line: a newline could start a list, a quote or a code block
    joined = _TEXT_PATTERN_CHARACTERS.sub(WORD_JOINER + r"\1", flat)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", joined)


# ---------------------------------------------------------------- plotly


def html_text(text: object) -> str:
    """Text shown literally in a plotly title, label or hover text (plotly decodes &lt; &gt; &amp;)."""
    return html.escape(str(text), quote=False)
