"""docs/data.md, written from the contract (a test checks the committed file is current)."""

from __future__ import annotations

from socialwork.data.contract.access_tables import ACCESS_TABLES, AUDIT_ACTION, ROLE
from socialwork.data.contract.county_files import (
    COUNTY,
    COUNTY_FILE,
    COUNTY_PARTITION,
    DIVISION_TARGETS,
    DIVISIONS,
    DIVISIONS_FILE,
)
from socialwork.data.contract.enums import METRIC_GROUP
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE, FOLLOWUP_TABLES
from socialwork.data.contract.plan_figures import FIGURE_SOURCES, METRIC_LOCAL_LABELS, PLAN_FIGURES, Figure
from socialwork.data.contract.reporting_tables import (
    PART_STATE,
    REPORTING_TABLES,
    ROUND_EVENT,
    ROUND_STATE,
    UNIT_KIND,
)
from socialwork.data.contract.schema import CONTRACT_VERSION, Column, Table
from socialwork.data.contract.tables import DERIVED_TABLES, ENUMS, SNAPSHOT_PARTITION, TABLES


def _allowed(column: Column) -> str:
    parts = []
    if column.enum:
        parts.append(f"[{column.enum.name}](#enum-{column.enum.name})")
    if column.references:
        parts.append(f"→ `{column.references}`")
    if column.minimum is not None or column.maximum is not None:
        low = "" if column.minimum is None else f"≥ {column.minimum:g}"
        high = "" if column.maximum is None else f"≤ {column.maximum:g}"
        parts.append(" ".join(p for p in (low, high) if p))
    if column.pattern:
        parts.append(f"`{column.pattern.replace('|', chr(92) + '|')}`")
    return "; ".join(parts)


def data_markdown() -> str:
    """The whole data reference as Markdown."""
    out = [
        "# Data contract",
        "",
        "Generated from `socialwork/data/contract/` by `python -m socialwork generate`; do not edit by hand.",
        "",
        f"Contract version {CONTRACT_VERSION}. Every Parquet file a snapshot holds records the version it was written "
        "under (a file from before versions were recorded counts as version 1). A column added later says since "
        "which version; snapshots written before read it as empty (NULL), and a plan figure counting it shows 无数据 "
        "at their dates rather than 0.",
        "",
        "## Snapshot store",
        "",
        "The county's identity file, and one folder per as-of date (monthly) with one Parquet file per table:",
        "",
        "```",
        f"<data dir>/{COUNTY_FILE}",
        f"<data dir>/{SNAPSHOT_PARTITION}=YYYY-MM-DD/<table>.parquet",
        "```",
        "",
        "The data dir is `data/demo` (the built-in demo county) unless `SOCIALWORK_DATA` or `--data` says "
        "otherwise. Every snapshot holds every table below. Enumerated columns store the code; pages show "
        "the Chinese label. No table holds a name, an ID-card number or a phone number.",
        "",
        "Tables marked *carried forward* hold the plan (its targets and its steps): a month's workbook or CSV set "
        "may leave them out, and the import then copies them from the latest snapshot dated before the new one "
        "(saying so in its preview), so that staff enter goals once and change them when the plan changes. For "
        "the first snapshot the targets are required; steps left out then start empty.",
        "",
        *_identity_section(),
    ]
    for table in TABLES:
        out += _table_section(table)
    out += [
        "# Derived tables",
        "",
        "Written by the store beside the tables above whenever a snapshot is written (import, demo, benchmark "
        "data), from that snapshot alone, by `queries/aggregates/<table>.sql`; never imported. Pages read "
        "these few rows per township instead of scanning every register at every date "
        "(see docs/performance.md). A store written before they existed is brought up to date with "
        "`python -m socialwork aggregate --data DIR`.",
        "",
    ]
    for table in DERIVED_TABLES:
        out += _table_section(table)
    out += _figures_section()
    out += [
        "# Meetings and follow-up items",
        "",
        f"Kept in the server database: one SQLite file beside the snapshots, `<data dir>/{FOLLOWUP_FILE}`, or "
        "PostgreSQL when `SOCIALWORK_DB` names one (socialwork/data/server/followups.py, backend followups_sql.py on "
        "serverdb.py), written by logged-in staff on the 会议督办 page; the snapshot files are never written to. The "
        "same database counts failed logins (`login_failures`). Its schema is created and migrated by the program "
        "(table `schema_version`, one row per applied "
        'step). Dates are ISO text; times are Beijing time as ISO text; "who" is a login of the auth file, never '
        "anyone on the registers. Items, notes and the audit trail are never deleted.",
        "",
    ]
    for table in FOLLOWUP_TABLES:
        out += _table_section(table)
    out += [
        "The same database keeps each login's role (the users file keeps only passwords) and the audit log of "
        "logins, imports, exports and role changes (docs/roles.md).",
        "",
    ]
    for table in ACCESS_TABLES:
        out += _table_section(table)
    out += [
        "The reporting workflow (多级上报, docs/reporting.md) keeps its units, monthly rounds, each unit's part and "
        "what happened to it in the same database; a part's rows reach the snapshot store only when a 审核员 "
        "publishes the round.",
        "",
    ]
    for table in REPORTING_TABLES:
        out += _table_section(table)
    out += [
        "# A store of many counties",
        "",
        f"A city's or province's store is a folder holding `{DIVISIONS_FILE}` and one complete single-county store "
        f"per county, `<root>/{COUNTY_PARTITION}=<6-digit code>/` (its own `{COUNTY_FILE}`, snapshots and write lock; "
        "`python -m socialwork import --county CODE` writes only there). Readers see every county's snapshots as one "
        "table with a `county_code` column (the folder's code; in a single county's store, its own code). A county "
        "has a month only when its folder holds that very date; a scope's figures at a date sum the counties that "
        "have it and name the others.",
        "",
    ]
    for table in (DIVISIONS, DIVISION_TARGETS):
        out += _table_section(table)
    out += ["## Enumerations", ""]
    for enum in (*ENUMS, ROLE, AUDIT_ACTION, UNIT_KIND, PART_STATE, ROUND_STATE, ROUND_EVENT):
        out += [f'<a id="enum-{enum.name}"></a>', f"### `{enum.name}` — {enum.label}", ""]
        grouped = bool(enum.groups)
        out.append("| code | 中文 |" + (" group |" if grouped else ""))
        out.append("|---|---|" + ("---|" if grouped else ""))
        for code, label in enum.labels.items():
            out.append(f"| `{code}` | {label} |" + (f" {enum.groups[code]} |" if grouped else ""))
        out.append("")
    return "\n".join(out)


def _identity_section() -> list[str]:
    """county.json: the store's identity, with the fields of contract.COUNTY."""
    out = [
        f"## `{COUNTY_FILE}` — {COUNTY.label}",
        "",
        COUNTY.description,
        "",
        "| field | type | 中文 | allowed values | description |",
        "|---|---|---|---|---|",
    ]
    for col in COUNTY.columns:
        out.append(f"| `{col.name}` | {col.type} | {col.label} | {_allowed(col)} | {col.description} |")
    labels = "; ".join(f"`{key}` shows as {label}" for key, label in METRIC_LOCAL_LABELS.items())
    out += ["", f"Metric labels that carry the talent card's local name ({{talent_card}} filled in): {labels}.", ""]
    return out


def _table_section(table: Table) -> list[str]:
    out = [
        f"## `{table.name}` — {table.label}",
        "",
        table.description,
        "",
        f"Key: {', '.join(f'`{k}`' for k in table.key)}"
        + ("; *carried forward* when a month's file leaves it out" if table.carried_forward else ""),
        "",
        "| column | type | null | 中文 | allowed values | description |",
        "|---|---|---|---|---|---|",
    ]
    for col in table.columns:
        since = f" (since version {col.since})" if col.since > 1 else ""
        out.append(
            f"| `{col.name}` | {col.type} | {'yes' if col.nullable else 'no'} | {col.label} | "
            f"{_allowed(col)} | {col.description}{since} |"
        )
    out.append("")
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _computed(figure: Figure) -> str:
    """How a figure is computed, in a table cell."""
    if figure.additive:
        where = FIGURE_SOURCES[figure.source].where
        rows = f"`{figure.source}`" + (f" where `{where}`" if where else "")
        return _cell(f"`{figure.expression}` over {rows}")
    if figure.ratio:
        numerator, denominator = figure.ratio
        return f"`{numerator}` / `{denominator}`" + (" × 100" if figure.unit == "%" else "")
    return f"`{figure.of}`" + (", at the date minus at the baseline" if figure.net_of_baseline else "")


def _figures_section() -> list[str]:
    """Every figure of the plan as declared in contract.PLAN_FIGURES: the additive ones are township_figures'
    columns; those with a group are metrics a target can be set on."""
    out = [
        "## Plan figures",
        "",
        "Declared once in `PLAN_FIGURES` (see docs/adding-a-figure.md). An additive figure is summed per township "
        "into `township_figures` (over `township_figures` itself: from the township's other figures); the others "
        "are computed from additive figures. A figure with a group is a metric: the targets table can set a goal "
        "on it and it shows as a card. *Annual* figures count from 1 January of the snapshot's year.",
        "",
        "| figure | 中文 | computed as | unit | metric group | description |",
        "|---|---|---|---|---|---|",
    ]
    for figure in PLAN_FIGURES:
        group = METRIC_GROUP.label_of(figure.group) if figure.group else ""
        flags = (("annual", figure.annual), ("net of the baseline", figure.net_of_baseline))
        notes = [note for note, on in flags if on]
        description = figure.description + (f" *{', '.join(notes)}*" if notes else "")
        unit = f"{figure.unit} ({figure.decimals} dp)" if figure.unit else ""
        out.append(
            f"| `{figure.key}` | {figure.label} | {_computed(figure)} | {unit} | {group} | {_cell(description)} |"
        )
    out.append("")
    return out
