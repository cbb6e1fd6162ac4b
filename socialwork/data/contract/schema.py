"""The contract's building blocks: an enumeration, a column, a table, and the contract's version stamped into
every Parquet file."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# The contract's version, written into every Parquet file of a snapshot. Adding a column (or a plan figure) raises
# it and marks the column `since` the new version: snapshots written before read the column as missing (NULL), and
# a figure counting it shows 无数据 at their dates rather than 0 (docs/adding-a-figure.md).
CONTRACT_VERSION = 2  # 2: targets.responsible_unit
VERSION_KEY = "socialwork_contract_version"  # the Parquet files' key-value metadata holding it


@dataclass(frozen=True)
class Enum:
    """A closed set of codes (stored) with their Chinese labels (shown)."""

    name: str
    label: str
    labels: dict[str, str]
    groups: dict[str, str] = field(default_factory=dict)  # code -> group code, where codes group

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label_of(self, code: str) -> str:
        return self.labels[code]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type name: VARCHAR, DATE, INTEGER, DOUBLE, BOOLEAN
    label: str
    description: str
    nullable: bool = False
    enum: Enum | None = None
    references: str | None = None  # "table.column" that must hold this value
    minimum: float | None = None
    maximum: float | None = None
    past: bool = False  # a date that cannot lie after the snapshot's as-of date
    pattern: str | None = None  # a regular expression the whole text must match (the store's identity)
    since: int = 1  # the contract version that added the column: older snapshots read it as missing (NULL)


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required_rows: bool = False  # an import with this table empty is refused
    # A month's file may leave this table out: the import then copies it from the latest earlier snapshot.
    carried_forward: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def arrow_schema(self) -> pa.Schema:
        """The columns' Arrow types, stamped with the contract version (a file written with it records it)."""
        fields = [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in self.columns]
        return pa.schema(fields, metadata={VERSION_KEY: str(CONTRACT_VERSION)})


ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
}
