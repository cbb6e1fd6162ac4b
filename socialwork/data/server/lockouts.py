"""Failed logins counted in the server database, so that a lockout holds on every replica behind the load balancer.

An attempt is counted before its password is checked, in one transaction holding the username's row (SQLite: the
file's write lock at BEGIN; PostgreSQL: the row, FOR UPDATE, after an INSERT … ON CONFLICT DO NOTHING makes sure it
exists, and made again when a right password deleted it meanwhile): twenty guesses at once, on any mix of replicas, get
LOCKOUT_AFTER password checks at most.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from socialwork.data.server import serverdb
from socialwork.data.server.serverdb import LOGIN_FAILURES

LOCKOUT_AFTER = 5  # failed logins in a row for one username …
LOCKOUT_SECONDS = 300  # … lock it for this long, on every replica


class LockedOut(Exception):
    """Too many failed logins: `wait` seconds to go."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"登录失败次数过多，请 {wait} 秒后再试")
        self.wait = wait


def wait_after(count: int, since: float, now: float, after: int, seconds: float) -> int:
    """Seconds still to wait after `count` attempts, the last at `since` (0 = may try)."""
    remaining = since + seconds - now
    return int(remaining) + 1 if count >= after and remaining > 0 else 0


class LoginAttempts:
    """The failed-login counts of one database (an SQLAlchemy URL); `clock` gives seconds since the epoch."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time, after: int = LOCKOUT_AFTER,
                 seconds: float = LOCKOUT_SECONDS) -> None:  # fmt: skip
        self.url, self.clock, self.after, self.seconds = url, clock, after, seconds

    def _stamp(self) -> datetime:
        return datetime.fromtimestamp(self.clock()).astimezone()

    def locked_for(self, username: str) -> int:
        """Seconds the username must still wait (0 = may try)."""
        with serverdb.transaction(self.url, writing=False, clock=self._stamp) as con:
            row = con.execute(sa.select(LOGIN_FAILURES).where(LOGIN_FAILURES.c.username == username)).first()
        return 0 if row is None else wait_after(row.failures, row.last_failure_at, self.clock(), self.after,
                                                self.seconds)  # fmt: skip

    def reserve(self, username: str) -> None:
        """Count an attempt as failed before its password is checked; LockedOut (nothing counted) while locked.

        Counting after the (slow) bcrypt check would let twenty attempts sent at once all pass the check for a
        lockout before the first one is counted; reserved first, at most LOCKOUT_AFTER reach bcrypt.
        """
        with serverdb.transaction(self.url, writing=True, clock=self._stamp) as con:
            row = self._held_row(con, username)
            now = self.clock()
            wait = wait_after(row.failures, row.last_failure_at, now, self.after, self.seconds)
            if wait:
                raise LockedOut(wait)
            count = 1 if row.failures >= self.after else row.failures + 1  # a lockout over starts a new count
            con.execute(
                LOGIN_FAILURES.update()
                .where(LOGIN_FAILURES.c.username == username)
                .values(failures=count, last_failure_at=now)
            )

    @staticmethod
    def _held_row(con: sa.Connection, username: str, tries: int = 3):
        """The username's row, made if missing and held to the end of the transaction: every replica's attempt on
        the username waits here for the one before it. PostgreSQL's FOR UPDATE finds no row when the attempt it
        waited for was a right password, which deletes it (clear): the row is made again, a new count."""
        for _ in range(tries):
            con.execute(
                serverdb.upsert_insert(con, LOGIN_FAILURES)
                .values(username=username, failures=0, last_failure_at=0.0)
                .on_conflict_do_nothing()
            )
            row = con.execute(
                sa.select(LOGIN_FAILURES).where(LOGIN_FAILURES.c.username == username).with_for_update()
            ).first()
            if row is not None:
                return row
        raise RuntimeError(f"登录失败计数的记录在读取时连续 {tries} 次被同时删除，请重试登录")

    def clear(self, username: str) -> None:
        """A right password: the count starts again."""
        with serverdb.transaction(self.url, writing=True, clock=self._stamp) as con:
            con.execute(LOGIN_FAILURES.delete().where(LOGIN_FAILURES.c.username == username))
