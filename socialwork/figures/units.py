"""A figure with its unit as Chinese text: the one formatter for cards, notes, documents and the command line."""

from __future__ import annotations


def format_value(value: float | None, decimals: int, unit: str) -> str:
    """A figure with its unit: 46人, 68.1%, 2.40人/社区, 126.31亿元 for a province's 1,263,147万元 (which a card
    cannot hold); a dash when there is no value."""
    if value is None:
        return "—"
    if unit == "万元" and abs(value) >= 10_000:
        return f"{value / 10_000:,.2f}亿元"
    return f"{value:,.{decimals}f}{unit}"
