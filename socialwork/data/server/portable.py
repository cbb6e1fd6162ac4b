"""The server database's tables as a portable dump, the same whether it is SQLite or PostgreSQL: one JSON Lines text
per table (a row a line, its columns by name, in key order) and the schema version, so that a backup of one can be
restored into the other (`python -m socialwork backup` / `restore`).

Which tables: every table of serverdb.METADATA, in the order their foreign keys need, and `schema_version`; a table a
later migration adds to METADATA is dumped and restored with no change here. Rows are read and written through the
database's own table as reflected, so a database of an older schema version is dumped with the columns it has.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialwork.data.server import serverdb
from socialwork.data.server.serverdb import MIGRATIONS, SCHEMA_VERSION, SchemaError

VERSION_TABLE = SCHEMA_VERSION.name
BYTES_TAG = "$base64"  # bytes have no JSON form: written as {"$base64": "…"}


@dataclass(frozen=True)
class Dump:
    """A server database's schema version and each table's rows as JSON Lines text (tables in dependency order,
    `schema_version` first)."""

    dialect: str
    schema_version: int
    tables: dict[str, str]

    def row_counts(self) -> dict[str, int]:
        return {name: text.count("\n") for name, text in self.tables.items()}


def table_names() -> list[str]:
    """The tables a dump holds, in the order they are restored: the schema's history, then METADATA's by foreign key."""
    return [VERSION_TABLE, *(table.name for table in serverdb.METADATA.sorted_tables)]


def _portable(value: object) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _stored(value: object, column: sa.Column) -> object:
    """A dumped value as the column takes it (dates and times parsed back where the column's type wants them)."""
    if isinstance(value, dict) and BYTES_TAG in value:
        return base64.b64decode(value[BYTES_TAG])
    if not isinstance(value, str):
        return value
    try:
        wanted = column.type.python_type
    except NotImplementedError:
        return value
    for kind in (datetime, date, time):
        if wanted is kind:
            return kind.fromisoformat(value)
    return Decimal(value) if wanted is Decimal else value


def _reflected(con: Connection, name: str) -> sa.Table | None:
    if not sa.inspect(con).has_table(name):
        return None
    return sa.Table(name, sa.MetaData(), autoload_with=con)


def _ordered(table: sa.Table) -> list[sa.Column]:
    key = list(table.primary_key.columns)
    return key or list(table.columns)


def dump(url: str) -> Dump | None:
    """Every table of the server database at url, read in one transaction; None when there is no database there (an
    SQLite file never made). The database is read as it is: never migrated or written."""
    path = serverdb.sqlite_path(url)
    if path is not None and not path.is_file():
        return None
    eng = serverdb.engine(url)
    with eng.connect() as con, con.begin():
        version = serverdb.schema_version(con)
        if version > len(MIGRATIONS):
            raise SchemaError(f"督办事项数据库由更新版本的程序写入（结构版本 {version}），请升级本程序后再备份")
        tables = {}
        for name in table_names():
            table = _reflected(con, name)
            if table is None:
                continue
            rows = con.execute(sa.select(table).order_by(*_ordered(table))).mappings()
            lines = (json.dumps({k: _portable(v) for k, v in row.items()}, ensure_ascii=False) for row in rows)
            tables[name] = "".join(f"{line}\n" for line in lines)
    return Dump(eng.dialect.name, version, tables)


def emptiness_problem(url: str) -> str | None:
    """Why the database at url cannot take a restore (it holds rows, or a schema of another version), in Chinese;
    None when it is empty: no tables, or the tables of a replica that started on it and wrote nothing."""
    path = serverdb.sqlite_path(url)
    if path is not None and not path.is_file():
        return None
    with serverdb.engine(url).connect() as con:
        filled = []
        for name in table_names()[1:]:
            table = _reflected(con, name)
            if table is not None and con.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
                filled.append(name)
    if filled:
        return f"服务器数据库 {shown_url(url)} 不是空的（表 {'、'.join(filled)} 中已有数据）"
    return None


def shown_url(url: str) -> str:
    """A database's URL without its password."""
    return sa.make_url(url).render_as_string(hide_password=True)


def load(url: str, dumped: Dump) -> None:
    """Write a dump into the empty database at url in one transaction: its schema made by the migrations up to the
    dump's version (later ones run at the app's next start, as for any older database), then every row. PostgreSQL's
    id sequences are moved past the restored ids, so the next item gets a new number."""
    if dumped.schema_version > len(MIGRATIONS):
        raise SchemaError(f"备份中的督办事项数据库结构版本为 {dumped.schema_version}，本程序较旧，请升级后再恢复")
    problem = emptiness_problem(url)
    if problem:
        raise SchemaError(f"{problem}；恢复只写入空的数据库")
    eng = serverdb.engine(url)
    with eng.connect().execution_options(writing=True) as con, con.begin():
        current = serverdb.schema_version(con)
        if current not in (0, dumped.schema_version):
            raise SchemaError(
                f"服务器数据库 {shown_url(url)} 的结构版本为 {current}，备份为 {dumped.schema_version}；"
                "请恢复到空的数据库"
            )
        if current == 0:
            SCHEMA_VERSION.create(con, checkfirst=True)
            for step in MIGRATIONS[: dumped.schema_version]:
                step(con)
        for name in table_names():
            text = dumped.tables.get(name, "")
            if name == VERSION_TABLE and current:
                continue  # the empty database's own history, already the dump's version
            _insert(con, name, text)
        if not serverdb.is_sqlite(con):
            for name in table_names()[1:]:
                _move_sequences(con, name)


def _insert(con: Connection, name: str, text: str) -> None:
    rows = [json.loads(line) for line in text.splitlines() if line]
    if not rows:
        return
    table = _reflected(con, name)
    if table is None:
        raise SchemaError(f"备份中的表 {name} 在恢复后的数据库结构中不存在；备份文件可能由其他程序写入")
    con.execute(table.insert(), [{k: _stored(v, table.c[k]) for k, v in row.items()} for row in rows])


def _move_sequences(con: Connection, name: str) -> None:
    """After ids were written explicitly, PostgreSQL's sequence behind an id column still starts at 1."""
    table = _reflected(con, name)
    if table is None:
        return
    for column in table.primary_key.columns:
        sequence = con.execute(
            sa.text("select pg_get_serial_sequence(:table, :column)"), {"table": name, "column": column.name}
        ).scalar_one()
        if sequence:
            top = con.execute(sa.select(sa.func.max(column))).scalar_one()
            con.execute(
                sa.text("select setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": top or 1, "called": top is not None},
            )
