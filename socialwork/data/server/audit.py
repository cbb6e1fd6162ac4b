"""The audit log: logins, failed logins, imports, exports and role changes, with who and when, in the server
database (every replica writes to the same log; a backup's dump carries it). Never a person of the registers: an
entry's object is a date, a file name or an account, and text that looks like an ID or phone number is dropped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialwork.data.contract.access_tables import AUDIT_ACTION
from socialwork.data.importing.cells import looks_personal
from socialwork.data.server import serverdb
from socialwork.data.server.serverdb import AUDIT_LOG

log = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_OBJECT = 200
HIDDEN = "（疑似个人信息，已隐去）"


def now_in_beijing() -> datetime:
    return datetime.now(BEIJING)


def record_in(con: Connection, stamp: str, username: str, action: str, obj: str | None = None) -> None:
    """One entry, inside the caller's write transaction (a role change and its entry commit together)."""
    if action not in AUDIT_ACTION.codes:
        raise ValueError(f"unknown audit action {action!r}")
    text = None if obj is None else str(obj)[:MAX_OBJECT]
    if text is not None and looks_personal(text):
        text = HIDDEN
    con.execute(AUDIT_LOG.insert().values(logged_at=stamp, username=username, action=action, object=text))


class AuditLog:
    """The audit log of one server database (an SQLAlchemy URL)."""

    def __init__(self, url: str, clock: Callable[[], datetime] = now_in_beijing) -> None:
        self.url, self.clock = url, clock

    def record(self, username: str, action: str, obj: str | None = None) -> None:
        """One line; with the server database down the action it records still stands (a download, an export) and
        the server's log says the line is missing, since a reader's figures must not depend on the database."""
        try:
            with serverdb.transaction(self.url, writing=True, clock=self.clock) as con:
                record_in(con, self.clock().isoformat(timespec="seconds"), username, action, obj)
        except serverdb.ServerDbUnavailable as err:
            log.warning("audit line not written (%s %s): %s", username, action, err)

    def entries(self, limit: int | None = None) -> list[dict]:
        """The newest entries first, each with the contract's column names."""
        query = sa.select(AUDIT_LOG).order_by(AUDIT_LOG.c.audit_id.desc())
        if limit is not None:
            query = query.limit(limit)
        with serverdb.transaction(self.url, writing=False, clock=self.clock) as con:
            return [dict(row) for row in con.execute(query).mappings()]
