"""What one page rerun may build: plotly figures and KPI reports, per page, in one place.

`tests/test_rerun_budget.py` fails when a page's township rerun builds more figures than its budget or computes
`metrics.kpi_report` more than once; docs/performance.md shows the same numbers (written from here by every
`python -m socialwork bench`). The figure budgets are what each page built when they were written down (issue 17):
lower one when a page builds fewer, never raise one without saying why in the commit. The rerun is a township picked
in the sidebar after the county view, so a figure shared by every township view
(socialwork/present/screen/snapshot_figures.py) is built at the county view and not again.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

TOWNSHIP = "河口镇"  # the township the budget test, the profile and the browser benchmark pick


@dataclass(frozen=True)
class Budget:
    figures: int  # outermost calls into socialwork.present.screen.charts' figure builders
    kpi_reports: int = 1  # calls of socialwork.figures.metrics.kpi_report


RERUN_BUDGET: dict[str, Budget] = {
    "overview": Budget(figures=1, kpi_reports=2),  # its changes since the last meeting: the report of each end
    "targets": Budget(figures=0),  # the milestone timeline is the snapshot's, shared by every township view
    "staffing": Budget(figures=3),
    "posts": Budget(figures=3),
    "stations": Budget(figures=2),
    "incentives": Budget(figures=3),
    "purchases": Budget(figures=2),
    "meeting": Budget(figures=0),
    "changes": Budget(figures=0, kpi_reports=2),  # compares two snapshots: the report of each
    "followups": Budget(figures=0, kpi_reports=0),
}


@dataclass
class Built:
    """What a run built: figures (outermost chart-builder calls, by builder) and KPI reports."""

    figures: dict[str, int] = field(default_factory=dict)
    kpi_reports: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _depth: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def figure_count(self) -> int:
        return sum(self.figures.values())

    def note_figure(self, builder: str) -> None:
        with self._lock:
            self.figures[builder] = self.figures.get(builder, 0) + 1

    def note_kpi_report(self) -> None:
        with self._lock:
            self.kpi_reports += 1


def figure_builders() -> dict[str, Callable]:
    """socialwork.present.screen.charts' public functions that return a plotly Figure, by name."""
    from socialwork.present.screen import charts

    return {
        name: function
        for name, function in vars(charts).items()
        if inspect.isfunction(function)
        and function.__module__ == charts.__name__
        and not name.startswith("_")
        and "Figure" in str(inspect.signature(function).return_annotation)
    }


def _counting_builder(built: Built, name: str, builder: Callable) -> Callable:
    @wraps(builder)
    def counted(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(built._depth, "value", 0)
        if depth == 0:  # a builder that calls another builds one figure
            built.note_figure(name)
        built._depth.value = depth + 1
        try:
            return builder(*args, **kwargs)
        finally:
            built._depth.value = depth

    return counted


def _counting_report(built: Built, report: Callable) -> Callable:
    @wraps(report)
    def counted(*args: Any, **kwargs: Any) -> Any:
        built.note_kpi_report()
        return report(*args, **kwargs)

    return counted


@contextmanager
def counting() -> Iterator[Built]:
    """Count figure builds and KPI reports while the block runs (pages call them as charts.x and metrics.x)."""
    from socialwork.figures import metrics
    from socialwork.present.screen import charts

    built, builders, report = Built(), figure_builders(), metrics.kpi_report
    for name, builder in builders.items():
        setattr(charts, name, _counting_builder(built, name, builder))
    metrics.kpi_report = _counting_report(built, report)
    try:
        yield built
    finally:
        for name, builder in builders.items():
            setattr(charts, name, builder)
        metrics.kpi_report = report


def markdown() -> str:
    """The budget table for docs/performance.md."""
    lines = [
        "## Rerun budget",
        "",
        f"What one township rerun ({TOWNSHIP} picked in the sidebar after the county view) of each page may build, "
        "kept in `socialwork/bench/budget.py` and checked by `tests/test_rerun_budget.py`: plotly figures "
        "(outermost calls into `socialwork.present.screen.charts`' builders) and `metrics.kpi_report` calls. A figure "
        "budget is what the page built when the budget was written (lower it when a page builds fewer): the targets "
        "page's went from 1 to 0 when its milestone timeline, the same for every township, became one figure per "
        "snapshot (`socialwork/present/screen/snapshot_figures.py`). One KPI report per rerun is the goal for "
        "every page (computed once per view and store version, `db.cached`), and a page over it is marked as "
        "an expected failure in the test until it is fixed.",
        "",
        "| page | figures | kpi_report |",
        "|---|--:|--:|",
    ]
    lines += [f"| {page} | {b.figures} | {b.kpi_reports} |" for page, b in RERUN_BUDGET.items()]
    return "\n".join(lines) + "\n"
