"""Date rules: the baseline B of a snapshot S (the latest on or before 31 December of the year before), the
previous snapshot, the share of the year gone, the first snapshot.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from socialwork.figures.places import available_dates


def baseline_date(as_of: date, dates: list[date]) -> date | None:
    """The latest snapshot on or before 31 December of the year before as_of's year."""
    candidates = [d for d in dates if d <= date(as_of.year - 1, 12, 31)]
    return candidates[-1] if candidates else None


def previous_date(as_of: date, dates: list[date]) -> date | None:
    earlier = [d for d in dates if d < as_of]
    return earlier[-1] if earlier else None


def year_fraction(as_of: date) -> float:
    """Share of the plan year elapsed at as_of (31 December is 1.0)."""
    start, end = date(as_of.year - 1, 12, 31), date(as_of.year, 12, 31)
    return (as_of - start).days / (end - start).days


def first_date(data: Path | None = None) -> date:
    return available_dates(data)[0]
