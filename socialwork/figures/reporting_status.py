"""The reporting workflow where leaders and staff look: how a published month was assembled by a round (已报 21 / 24 ·
沿用上月 3), and the open round's progress. Read from the server database; when it does not answer, None (a page,
a deck or a report never fails because of it: it just says nothing of the round)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import OperationalError

from socialwork.data import settings
from socialwork.data.reporting.city import workflow
from socialwork.data.reporting.records import Assembly
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.server import serverdb
from socialwork.data.server.serverdb import SchemaError, ServerDbUnavailable
from socialwork.data.storage.layout import is_demo
from socialwork.data.storage.location import Location
from socialwork.figures import db

log = logging.getLogger(__name__)

# A SQLite file that cannot be opened or read here (moved, refused, locked) raises SQLite's own error, not
# ServerDbUnavailable (serverdb.answering): for a page it is the same, the round is not said. A mistake in a
# statement (ProgrammingError) still fails loudly.
UNANSWERED = (ServerDbUnavailable, SchemaError, OperationalError)


def reporting_of(data: Location | None = None) -> Reporting:
    """The store's reporting workflow, in its server database (the read-only demo's: this machine's copy)."""
    root = data or settings.data_dir()
    return workflow(serverdb.login_url(root, read_only=is_demo(root)), root)


def assembly_at(data: Location | None, as_of: date) -> Assembly | None:
    """How the published month at `as_of` was assembled by a reporting round; None when it was imported whole, or
    when the server database does not answer. Worked out once per store version (publishing writes the store)."""
    try:
        return db.cached("reporting_assembly", (as_of,), lambda: reporting_of(data).assembly(as_of), data)
    except UNANSWERED as err:
        log.warning("the reporting status of %s could not be read: %s", as_of, err)
        return None


def assembly_short_text(assembly: Assembly) -> str:
    """已报 21 / 24 · 沿用上月 3, for a footer or a stamp with no room for the names (Assembly.text() has them)."""
    line = f"各单位上报：已报 {assembly.reported} / {assembly.unit_count}"
    return line + (f" · 沿用上月 {len(assembly.carried)}" if assembly.carried else "")


@dataclass(frozen=True)
class Progress:
    """The open round's progress, as 数据导入 shows it to staff during the month."""

    as_of: date
    deadline: date
    units: int
    submitted: int  # submitted or approved
    approved: int
    returned: int
    overdue: int

    def text(self) -> str:
        """11 月上报进行中：已提交 20 / 30，已通过 17，逾期 3，截止 2026-12-04"""
        line = f"{self.as_of.month} 月上报进行中：已提交 {self.submitted} / {self.units}，已通过 {self.approved}"
        line += f"，已退回 {self.returned}" if self.returned else ""
        return line + f"，逾期 {self.overdue}，截止 {self.deadline}"


def round_progress(data: Location | None = None) -> Progress | None:
    """The open round's progress, or None when no round is open or the server database does not answer."""
    try:
        flow = reporting_of(data)
        current = flow.current_round()
        if current is None:
            return None
        board = flow.board(current.round_id)
    except UNANSWERED as err:
        log.warning("the reporting round's progress could not be read: %s", err)
        return None
    states = [status.state for status in board]
    return Progress(
        current.as_of,
        current.deadline,
        len(board),
        sum(state in ("submitted", "approved") for state in states),
        states.count("approved"),
        states.count("returned"),
        sum(status.overdue for status in board),
    )
