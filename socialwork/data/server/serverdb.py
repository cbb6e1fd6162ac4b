"""The server database: what the app writes interactively (meetings and follow-up items, failed logins, accounts'
roles and the audit log).

PostgreSQL when $SOCIALWORK_DB holds a `postgresql://…` URL (several app replicas share it), otherwise SQLite in one
file beside the snapshots, `<data dir>/followups.sqlite`. One schema, one list of migrations and one set of
statements serve both, through SQLAlchemy Core (psycopg 3 is the PostgreSQL driver): the dialect decides how an
id is generated, how RETURNING and row locks are spelled, and how a write transaction starts.

Writes: SQLite takes the database's write lock at BEGIN (`BEGIN IMMEDIATE`, the pysqlite recipe of SQLAlchemy's
docs), so writers queue; PostgreSQL runs READ COMMITTED and each write locks the rows it depends on first
(`SELECT … FOR NO KEY UPDATE`). SQLite opens a connection per use (no pool: a file replaced under a pooled
connection would be written to after its deletion); PostgreSQL keeps a small pool per process.

MIGRATIONS is the schema's history, one function per version, applied in order under a lock (SQLite's write
lock, PostgreSQL's advisory lock: two replicas starting at once migrate once) and recorded in `schema_version`.
Never edit a released step; append one. A step creates its tables from the definitions below while they are
unchanged; a step that changes a table spells its own DDL. The follow-up tables are derived from their declarations
in the contract (socialwork/data/contract/followup_tables.py), so a column is declared once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from socialwork.data.contract import access_tables, reporting_tables
from socialwork.data.contract import followup_tables as contract_tables
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.contract.schema import Column, Table
from socialwork.data.settings import cache_dir
from socialwork.data.storage.location import Bucket, Location

DB_ENV = "SOCIALWORK_DB"
BUSY_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 3  # a PostgreSQL that does not answer: a page waits this long, then shows its figures without it
UNREADABLE = "暂时无法读取（服务器数据库不可用）"
SQLITE_HEADER_BYTES = 100  # an SQLite file's header (sqlite_version reads its change counter)
MIGRATION_LOCK = 21_0001  # PostgreSQL advisory lock id held while migrating (any constant shared by every replica)

# What the contract's types are stored as: dates as ISO text (as SQLite would keep them anyway), so both databases
# hold the same text the app reads and writes.
_STORED_TYPES = {"INTEGER": sa.Integer, "VARCHAR": sa.Text, "DATE": sa.Text}


def _stored_column(table: Table, column: Column) -> sa.Column:
    """A contract column as the server database keeps it: the key an id it assigns, a reference a foreign key with an
    index, an enumeration a CHECK, except METRIC: its codes grow with the plan's figures, and a CHECK would need a
    migration for each new figure, so the program checks it."""
    constraints: list[sa.SchemaItem] = []
    if column.references:
        constraints.append(sa.ForeignKey(column.references))
    if column.enum is not None and column.enum.name != METRIC.name:
        codes = ", ".join(f"'{code}'" for code in column.enum.codes)
        constraints.append(sa.CheckConstraint(f"{column.name} in ({codes})"))
    if column.name in table.key:
        return sa.Column(column.name, _STORED_TYPES[column.type], *constraints, primary_key=True)
    return sa.Column(
        column.name,
        _STORED_TYPES[column.type],
        *constraints,
        nullable=column.nullable,
        index=True if column.references else None,
    )


def _stored_table(table: Table) -> sa.Table:
    return sa.Table(table.name, METADATA, *(_stored_column(table, column) for column in table.columns))


METADATA = sa.MetaData()
MEETINGS = _stored_table(contract_tables.MEETINGS)
ITEMS = _stored_table(contract_tables.FOLLOWUP_ITEMS)
NOTES = _stored_table(contract_tables.FOLLOWUP_NOTES)
CHANGES = _stored_table(contract_tables.FOLLOWUP_CHANGES)
ACCOUNT_ROLES = _stored_table(access_tables.ACCOUNT_ROLES)
AUDIT_LOG = _stored_table(access_tables.AUDIT_LOG)
REPORTING_UNITS = _stored_table(reporting_tables.REPORTING_UNITS)
REPORTING_ROUNDS = _stored_table(reporting_tables.REPORTING_ROUNDS)
ROUND_PARTS = _stored_table(reporting_tables.ROUND_PARTS)
ROUND_EVENTS = _stored_table(reporting_tables.ROUND_EVENTS)
LOGIN_FAILURES = sa.Table(
    "login_failures", METADATA,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.Float, nullable=False),  # seconds since the epoch: every replica's clock
)  # fmt: skip
SCHEMA_VERSION = sa.Table(
    "schema_version", sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.Text, nullable=False),
)  # fmt: skip


def _create(*tables: sa.Table) -> Callable[[Connection], None]:
    """A migration step creating tables (and their indexes) as defined above."""

    def step(con: Connection) -> None:
        for table in tables:
            table.create(con)

    return step


Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = [
    _create(MEETINGS, ITEMS, NOTES, CHANGES),  # 1: meetings, items, notes and the audit trail
    _create(LOGIN_FAILURES),  # 2: failed logins, counted for every replica
    _create(ACCOUNT_ROLES, AUDIT_LOG),  # 3: accounts' roles and the audit log (docs/roles.md)
    _create(
        REPORTING_UNITS, REPORTING_ROUNDS, ROUND_PARTS, ROUND_EVENTS
    ),  # 4: the reporting workflow (docs/reporting.md)
]


class SchemaError(Exception):
    """The database's schema cannot be used by this program, worded in Chinese."""


class ServerDbUnavailable(Exception):
    """The server database does not answer (PostgreSQL stopped, unreachable, restarting): what depends on it says so,
    the rest of the page does not. Nothing was written. The engine is kept: its pool pings before each use, so the
    next call after the database is back connects again, without a restart."""

    def __init__(self, url: str, writing: bool) -> None:
        where = sa.make_url(url).render_as_string(hide_password=True)
        what = "本次修改未保存，请稍后重试" if writing else "暂时无法读取"
        super().__init__(f"服务器数据库不可用（{where}）：{what}")
        self.writing = writing


@contextmanager
def answering(url: str, writing: bool) -> Iterator[None]:
    """Turn a lost or refused connection to PostgreSQL into ServerDbUnavailable; SQLite's own errors (a busy or
    unwritable file) stay what they are."""
    try:
        yield
    except (sa.exc.OperationalError, sa.exc.InterfaceError) as err:
        if sa.make_url(url).get_backend_name() == "sqlite":
            raise
        raise ServerDbUnavailable(url, writing) from err


def server_url(data: Location) -> str:
    """$SOCIALWORK_DB, else the SQLite file beside the snapshots (a bucket store's: in this server's local folder)."""
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    if isinstance(data, Bucket):
        folder = cache_dir(data)
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / FOLLOWUP_FILE}"
    return f"sqlite:///{data / FOLLOWUP_FILE}"


def login_url(data: Location, read_only: bool) -> str:
    """Where logins, roles, the audit log and the reporting workflow are written: the server database; beside a
    read-only store (the built-in demo, whose committed file is never written) without $SOCIALWORK_DB, this machine's
    own copy of the demo's file in the temp folder, so that a newcomer can log in as the demo's accounts and work its
    reporting round (named by the committed file's content: a regenerated demo starts a fresh copy)."""
    if os.environ.get(DB_ENV) or not read_only:
        return server_url(data)
    committed = Path(str(data)) / FOLLOWUP_FILE
    if not committed.exists():
        return f"sqlite:///{Path(tempfile.gettempdir()) / f'socialwork-logins-{os.getuid()}.sqlite'}"
    copy = (
        Path(tempfile.gettempdir())
        / f"socialwork-demo-{os.getuid()}-{_digest(committed, committed.stat().st_mtime_ns)}.sqlite"
    )
    if not copy.exists():
        partial = copy.with_name(f"{copy.name}.{os.getpid()}.partial")
        shutil.copyfile(committed, partial)
        os.replace(partial, copy)  # two sessions starting at once: one copy wins whole
    return f"sqlite:///{copy}"


@cache
def _digest(path: Path, _mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL; None for another database."""
    made = sa.make_url(url)
    return Path(made.database) if made.get_backend_name() == "sqlite" and made.database else None


def sqlite_version(path: Path) -> tuple[int, ...] | None:
    """What tells one state of an SQLite file from the next: the header's file change counter, which every committed
    write transaction bumps in rollback-journal mode (the mode kept here), with the file's inode, size and mtime
    (a file replaced by a restore); None when it cannot be read here (missing, or refused: the read that follows
    meets the error and says it as every read does)."""
    try:
        with path.open("rb") as file:
            header = file.read(SQLITE_HEADER_BYTES)
            stat = os.fstat(file.fileno())
    except OSError:
        return None
    counter = int.from_bytes(header[24:28], "big") if len(header) == SQLITE_HEADER_BYTES else -1
    return (counter, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@cache
def engine(url: str) -> Engine:
    """One engine per database per process (PostgreSQL: a pool; SQLite: a connection per use)."""
    made = sa.make_url(url)
    if made.get_backend_name() == "sqlite":
        created = sa.create_engine(made, poolclass=NullPool, connect_args={"timeout": BUSY_TIMEOUT_S})
        sa.event.listen(created, "connect", _sqlite_connect)
        sa.event.listen(created, "begin", _sqlite_begin)
        return created
    if made.drivername == "postgresql":
        made = made.set(drivername="postgresql+psycopg")  # psycopg 3, not SQLAlchemy's default psycopg2
    return sa.create_engine(
        made, pool_size=5, max_overflow=20, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
    )


def _sqlite_connect(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # pysqlite's own BEGIN off: _sqlite_begin says which one
    dbapi_connection.execute("pragma foreign_keys = on")


def _sqlite_begin(con: Connection) -> None:
    con.exec_driver_sql("begin immediate" if con.get_execution_options().get("writing") else "begin")


def is_sqlite(con: Connection | Engine) -> bool:
    return con.dialect.name == "sqlite"


def upsert_insert(con: Connection, table: sa.Table):
    """The dialect's INSERT that can add ON CONFLICT clauses."""
    return (sqlite.insert if is_sqlite(con) else postgresql.insert)(table)


@contextmanager
def transaction(url: str, writing: bool, clock: Callable[[], datetime], read_only: bool = False) -> Iterator:
    """A connection in one transaction, the schema migrated first; a write transaction takes SQLite's write lock
    at its start. Committed at the end, rolled back on an exception."""
    eng = engine(url)
    with answering(url, writing):
        migrate(eng, clock, read_only)
        with eng.connect() as con:
            if writing:
                con.execution_options(writing=True)
            with con.begin():
                yield con


_migrated: set[tuple[str, int]] = set()  # PostgreSQL databases known current (a SQLite file may be replaced)


def migrate(eng: Engine, clock: Callable[[], datetime], read_only: bool = False, migrations=None) -> None:
    """Bring the database to the latest schema; one written by a newer program is refused, not touched."""
    steps = MIGRATIONS if migrations is None else migrations
    key = (eng.url.render_as_string(hide_password=False), len(steps))
    if key in _migrated:
        return
    with eng.connect() as con:
        if schema_version(con) == len(steps):
            _remember(eng, key)
            return
    if read_only and eng.dialect.name == "sqlite":
        raise SchemaError(f"督办事项数据库 {eng.url.database} 的结构不是当前版本，只读数据目录中无法升级")
    with eng.connect().execution_options(writing=True) as con, con.begin():
        if not is_sqlite(con):  # replicas starting together: one migrates, the others wait and find it done
            con.execute(sa.text("select pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
        SCHEMA_VERSION.create(con, checkfirst=True)
        current = schema_version(con)
        if current > len(steps):
            raise SchemaError(
                f"督办事项数据库 {eng.url.database} 由更新版本的程序写入（结构版本 {current}），请升级本程序"
            )
        for version in range(current + 1, len(steps) + 1):
            steps[version - 1](con)
            stamp = clock().isoformat(timespec="seconds")
            con.execute(SCHEMA_VERSION.insert().values(version=version, applied_at=stamp))
    _remember(eng, key)


def _remember(eng: Engine, key: tuple[str, int]) -> None:
    if eng.dialect.name != "sqlite":
        _migrated.add(key)


def schema_version(con: Connection) -> int:
    """The last migration applied; 0 for an empty database."""
    if not sa.inspect(con).has_table("schema_version"):
        return 0
    return con.execute(sa.select(sa.func.coalesce(sa.func.max(SCHEMA_VERSION.c.version), 0))).scalar_one()
