"""A damaged month on a trend chart (left out of the store, choices.store_notices): the line broken there rather than
drawn across it as if nothing were missing, and the month marked 数据损坏 on the chart itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from socialwork.present.theme import SMALL_FONT_SIZE, STATUS_COLOURS

MARK = "数据损坏"


def within(dates: pd.Series, damaged: Sequence[date]) -> list[pd.Timestamp]:
    """The damaged months between a trend's first and last month (one after its last is the page notice's)."""
    shown = pd.to_datetime(dates)
    if shown.empty:
        return []
    return sorted(pd.Timestamp(d) for d in damaged if shown.min() < pd.Timestamp(d) < shown.max())


def with_gaps(frame: pd.DataFrame, column: str, months: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """The frame, its date column as timestamps, with an empty row at each damaged month: a line breaks there (plotly
    joins no gap), and a bar is not drawn."""
    timed = frame.assign(**{column: pd.to_datetime(frame[column])})
    if not months:
        return timed
    gaps = pd.DataFrame({column: list(months)})
    return pd.concat([timed, gaps], ignore_index=True).sort_values(column, kind="stable").reset_index(drop=True)


def marks(months: Sequence[pd.Timestamp]) -> dict:
    """Layout entries: a dotted red line at each damaged month, labelled 数据损坏 above the plot."""
    colour = STATUS_COLOURS["behind"]
    at = [m.strftime("%Y-%m-%d") for m in months]
    shapes = [
        {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
         "line": {"color": colour, "dash": "dot", "width": 2}}
        for x in at
    ]  # fmt: skip
    notes = [
        {"x": x, "xref": "x", "xanchor": "center", "y": 1, "yref": "y domain", "yanchor": "bottom", "text": MARK,
         "showarrow": False, "font": {"color": colour, "size": SMALL_FONT_SIZE}}
        for x in at
    ]  # fmt: skip
    return {"shapes": shapes, "annotations": notes}


def marked(layout: dict, months: Sequence[pd.Timestamp]) -> dict:
    """The layout with the damaged months' marks added to its own shapes and annotations (a goal line's)."""
    if not months:
        return layout
    extra = marks(months)
    return {
        **layout,
        "shapes": [*layout.get("shapes", []), *extra["shapes"]],
        "annotations": [*layout.get("annotations", []), *extra["annotations"]],
    }
