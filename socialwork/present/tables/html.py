"""Tables as one HTML block each: text wraps instead of being cut, numbers are right-aligned, a status is a solid
pill with its symbol, and on a phone only the columns that matter show, the rest one tap away.

Streamlit's data grid draws on a canvas: a column it cannot fit is scrolled out of sight or cut with "…", and
no status colour survives a projector. An HTML table lays out in the page, so a browser test can measure it.
Every cell is escaped: names come from the registers (plaintext.py).
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Mapping, Sequence
from datetime import date, datetime

import pandas as pd

from socialwork.present.theme import pill_class
from socialwork.present.words.targets import (
    STATUS_SYMBOL,
)

ROW_REM = 2.2  # the height of a table row, for the scroll box of a long table
PHONE_COLUMNS = 3  # columns a phone shows before the tap: name, value, status
SHORT_TEXT = 11  # characters of the longest value in a column kept on one line


def decimals_of(column: pd.Series) -> int:
    """How many decimals a float column needs (0 for whole numbers, at most 2); money (万元) and shares (%) keep
    at least one, as the app shows them, even when every value is whole."""
    present = pd.to_numeric(column, errors="coerce").dropna()
    least = 1 if isinstance(column.name, str) and ("万元" in column.name or "%" in column.name) else 0
    for places in (0, 1):
        if ((present * 10**places).round(6) % 1 == 0).all():
            return max(places, least)
    return 2


def cell_text(value: object, decimals: int = 0) -> str:
    """A value as the table shows it: a dash for nothing, thousands separators, ISO dates, 是/否."""
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and decimals == 0):
        return f"{round(float(value)):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.{decimals}f}"
    return str(value)


def _cells(opening: str, texts: list[str], statuses: Sequence[str] | None) -> list[str]:
    """One column's cells: escaped text, or a pill where the column has a status for the row."""
    if statuses is None:
        return [f"{opening}{html.escape(text)}</td>" for text in texts]
    return [
        f"{opening}{pill(text, status) if status and text != '—' else html.escape(text)}</td>"
        for text, status in zip(texts, statuses, strict=True)
    ]


def pill(text: str, status: str) -> str:
    """A status as a solid pill with its symbol (escaped text)."""
    symbol = STATUS_SYMBOL.get(status, "")
    shown = text if not symbol or text.startswith(symbol) else f"{symbol} {text}"
    return f'<span class="sw-pill {pill_class(status)}">{html.escape(shown)}</span>'


def _is_number(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def phone_columns(frame: pd.DataFrame, statuses: Mapping[str, Sequence[str]]) -> list[str]:
    """The columns a phone shows by default: the first (the name), a status column, the first number."""
    chosen = [frame.columns[0]]
    chosen += [c for c in frame.columns if c in statuses][:1]
    chosen += [c for c in frame.columns[1:] if _is_number(frame[c]) and c not in chosen][:1]
    return chosen[:PHONE_COLUMNS]


def table_html(
    frame: pd.DataFrame, *, phone: Sequence[str] | None = None, statuses: Mapping[str, Sequence[str]] | None = None,
    scroll_rows: int | None = 20, css_class: str = "",
) -> str:  # fmt: skip
    """The frame as an HTML table.

    statuses maps a column to one status code per row (KPI codes, "at_risk"): its cells become pills. phone
    names the columns a phone shows (default: phone_columns); the others are hidden there behind a
    「显示全部列」 toggle. Beyond scroll_rows rows the table scrolls inside its box, header kept in view.
    """
    statuses = statuses or {}
    shown = list(phone) if phone is not None else phone_columns(frame, statuses)
    columns = list(frame.columns)
    numeric = {c: _is_number(frame[c]) for c in columns}
    places = {c: decimals_of(frame[c]) if numeric[c] else 0 for c in columns}
    # tolist() and cells built a column at a time: iterating an Arrow-backed column boxes each value through pandas
    # (a nation's two 1,000-row lists of communities: 10 → 7 and 9 → 5 ms).
    texts = {c: [cell_text(v, places[c]) for v in frame[c].tolist()] for c in columns}
    # Short values (dates, 2.40人/社区, ≥ 250.0万元) stay on one line; names and sentences wrap.
    short = {c: not numeric[c] and max(map(len, texts[c]), default=0) <= SHORT_TEXT for c in columns}

    def classes(column: str) -> str:
        names = ["sw-num"] if numeric[column] else ["sw-short"] if short[column] else []
        return " ".join(names + ([] if column in shown else ["sw-x"]))

    opening = {c: f'<td class="{classes(c)}">' for c in columns}
    head = "".join(f'<th class="{classes(c)}">{html.escape(str(c))}</th>' for c in columns)
    cells_by_column = [_cells(opening[c], texts[c], statuses.get(c)) for c in columns]
    rows = ["<tr>" + "".join(cells) + "</tr>" for cells in zip(*cells_by_column, strict=True)]
    table = f'<table class="sw-table {css_class}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    hidden = len(columns) - len([c for c in columns if c in shown])
    toggle = f'<details class="sw-more"><summary>显示全部 {len(columns)} 列</summary></details>' if hidden else ""
    scrolls = scroll_rows is not None and len(frame) > scroll_rows
    height = f' style="max-height: {ROW_REM * (scroll_rows + 1):.1f}rem"' if scrolls else ""
    return f'<div class="sw-table-wrap">{toggle}<div class="sw-scroll"{height}>{table}</div></div>'
