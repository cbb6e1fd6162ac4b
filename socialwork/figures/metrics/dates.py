"""Date rules: the baseline B of a snapshot S (the latest on or before 31 December of the year before), the
previous snapshot, the share of the year gone, the first snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path

from socialwork.figures.choices import available_dates


def baseline_date(as_of: date, dates: Sequence[date]) -> date | None:
    """The latest snapshot on or before 31 December of the year before as_of's year."""
    return _last_up_to(date(as_of.year - 1, 12, 31), tuple(dates))


@lru_cache(maxsize=4096)
def _last_up_to(day: date, dates: tuple[date, ...]) -> date | None:
    """Kept: a nation's county ranking asks 60,000 times, of a few dozen lists of dates (most counties share one)."""
    candidates = [d for d in dates if d <= day]
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
