"""A goal on a chart: the dashed line and its label as layout entries, the column of values beside bars measured
against it, and the colour of a bar or a township against the goal."""

from __future__ import annotations

from collections.abc import Sequence

from socialwork.present.theme import GOAL_LINE, SMALL_FONT_SIZE, STATUS_COLOURS


def goal_line(value: float, text: str, axis: str = "x") -> dict:
    """A dashed goal line across the plot with its label, as layout entries (what add_vline/add_hline would add,
    at a tenth of their cost): vertical at x=value, labelled on top, or horizontal at y=value, labelled top left."""
    line = {"color": GOAL_LINE, "dash": "dash", "width": 3}
    font = {"color": GOAL_LINE, "size": SMALL_FONT_SIZE}
    if axis == "x":
        shape = {"type": "line", "x0": value, "x1": value, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
        note = {"x": value, "xanchor": "center", "xref": "x", "y": 1, "yanchor": "bottom", "yref": "y domain"}
    else:
        shape = {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": value, "y1": value, "yref": "y"}
        note = {"x": 0, "xanchor": "left", "xref": "x domain", "y": value, "yanchor": "bottom", "yref": "y"}
    note |= {"text": text, "showarrow": False, "font": font}
    return {"shapes": [{**shape, "line": line}], "annotations": [note]}


LABEL_COLUMN_PX = 150  # right margin holding the value labels of bars drawn against a goal line


def against_goal(goal: float, text: str, rows: Sequence[str], texts: Sequence[str]) -> dict:
    """Layout entries of horizontal bars against a vertical goal line, each bar's value written in a column right
    of the plot (margin r LABEL_COLUMN_PX), where no goal line can cross it (a label at the bar's end sits on the
    line whenever the bar ends near the goal)."""
    values = [
        {"x": 1, "xref": "paper", "xanchor": "left", "xshift": 8, "y": row, "yref": "y", "text": value,
         "showarrow": False, "font": {"size": SMALL_FONT_SIZE}, "align": "left"}
        for row, value in zip(rows, texts, strict=True)
    ]  # fmt: skip
    line = goal_line(goal, text)
    return {"shapes": line["shapes"], "annotations": line["annotations"] + values}


def goal_colour(value: float, goal: float) -> str:
    """A bar measured against its goal: green when it meets it, red when behind."""
    return STATUS_COLOURS["met"] if value >= goal else STATUS_COLOURS["behind"]


def township_colour(average: float, meeting: int, communities: int, goal: float) -> str:
    """A township is green only when every urban community meets the rule, amber when its average does but some
    communities do not (at risk), red when its average is below the goal."""
    if average < goal:
        return STATUS_COLOURS["behind"]
    return STATUS_COLOURS["met"] if meeting >= communities else STATUS_COLOURS["at_risk"]
