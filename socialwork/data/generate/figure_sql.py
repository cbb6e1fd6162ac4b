"""The queries written from the plan's figure declarations (contract.PLAN_FIGURES), and what each figure reads.

`python -m socialwork generate` writes the files below under queries/; a test checks the committed files are
current, so the list of figures exists once, in the contract, and nowhere by hand.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

from socialwork.data.contract.plan_figures import (
    ADDITIVE_FIGURES,
    FIGURE_SOURCES,
    FIGURES,
    OWN_FIGURES,
    PLAN_FIGURES,
    Figure,
)
from socialwork.data.contract.tables import TABLES_BY_NAME

GENERATED_NOTE = (
    "Generated from the figures declared in socialwork/data/contract/plan_figures.py (PLAN_FIGURES) by `python -m "
    "socialwork generate`: change the declarations, not this file."
)
_WIDTH = 120
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_LITERAL = re.compile(r"'[^']*'|\$[a-z_][a-z0-9_]*")


def _comment(text: str, indent: str = "  ") -> list[str]:
    """Text as SQL comment lines within the line length, continuation lines indented."""
    lines = textwrap.wrap(text, _WIDTH - 3, subsequent_indent=indent, break_on_hyphens=False)
    return [f"-- {line}" for line in lines]


def _header(purpose: str, parameters: str, columns: Iterable[str]) -> list[str]:
    return [
        *_comment(purpose, indent=""),
        *_comment(GENERATED_NOTE, indent=""),
        *_comment(f"Parameters: {parameters}"),
        *_comment(f"Columns: {', '.join(columns)}"),
    ]


def _figure_keys() -> list[str]:
    return [figure.key for figure in ADDITIVE_FIGURES]


def _sources() -> list[str]:
    """The register and derived tables the additive figures count, in order of first use (OWN_FIGURES aside)."""
    return list(dict.fromkeys(f.source for f in ADDITIVE_FIGURES if f.source != OWN_FIGURES))


def township_figures_sql() -> str:
    """queries/aggregates/township_figures.sql: every additive figure per township, and a county-level row."""
    lines = _header(
        "Derived table township_figures for one snapshot: every additive figure of the plan per township, plus a "
        "row with an empty township_code for county-level units, so pages sum a few rows instead of scanning "
        "registers. Runs at write time over that snapshot's own files (no snapshot_date column), after the derived "
        "table community_staffing of the same snapshot; see socialwork/data/storage/aggregates.py.",
        '$snapshot_date DATE (the as-of date: "this year" runs from 1 January of its year to it), '
        "$min_certified INTEGER (certified social workers an urban community should have: the plan's standard).",
        ["township_code", *_figure_keys()],
    )
    lines += ["with scope as (", "    select township_code from townships", "    union all", "    select null", ")"]
    for source in _sources():
        where = FIGURE_SOURCES[source].where
        figures = [f for f in ADDITIVE_FIGURES if f.source == source]
        lines += [
            ",",
            f"{source}_figures as (",
            "    select",
            "        township_code,",
            *[
                line
                for i, f in enumerate(figures)
                for line in _aliased(f.expression, f.key, "        ", "," if i < len(figures) - 1 else "")
            ],
            f"    from {source}",
            *([f"    where {where}"] if where else []),
            "    group by township_code",
            ")",
        ]
    summed = [f for f in ADDITIVE_FIGURES if f.source != OWN_FIGURES]
    lines += [
        ",",
        "summed as (",
        "    -- A township without rows in a source counts 0 there; the county-level row is the one with no township.",
        "    select",
        "        s.township_code,",
        *[f"        coalesce({f.source}_figures.{f.key}, 0) as {f.key}," for f in summed],
    ]
    lines[-1] = lines[-1].rstrip(",")
    lines.append("    from scope s")
    lines += [
        f"    left join {source}_figures on {source}_figures.township_code is not distinct from s.township_code"
        for source in _sources()
    ]
    lines += [")", "", "select", "    township_code,"]
    keys = _figure_keys()
    for i, figure in enumerate(ADDITIVE_FIGURES):
        value = figure.expression if figure.source == OWN_FIGURES else figure.key
        alias = f" as {figure.key}" if figure.source == OWN_FIGURES else ""
        lines.append(f"    {value}{alias}{',' if i < len(keys) - 1 else ''}")
    lines += ["from summed", "order by township_code nulls last"]
    return _join(lines)


def _join(lines: list[str]) -> str:
    """Lines as a file within the line length; a lone comma line ends the CTE before it (`),` then a blank line)."""
    out: list[str] = []
    for line in lines:
        if line == ",":
            out[-1] += ","
            out.append("")
        else:
            out += _fit(line)
    return "\n".join(out) + "\n"


def _aliased(expression: str, alias: str, indent: str, end: str) -> list[str]:
    """`expression as alias`, or when too long the expression broken over lines and `as alias` on its own."""
    line = f"{indent}{expression} as {alias}{end}"
    if len(line) <= _WIDTH:
        return [line]
    return [*_fit(f"{indent}{expression}"), f"{indent}    as {alias}{end}"]


def _fit(line: str) -> list[str]:
    """A long line of SQL broken at spaces, continuation lines indented one step more (string literals here hold
    no spaces; a line with a comment is left whole)."""
    if len(line) <= _WIDTH or "--" in line:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()) + 4)
    return textwrap.wrap(line, _WIDTH, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


def _select_list(keys: list[str], expression: Callable[[str], str] = lambda key: key) -> list[str]:
    return [f"    {expression(key)}{',' if i < len(keys) - 1 else ''}" for i, key in enumerate(keys)]


def _rows_by_snapshot(place: str | None, table: str, conditions: list[str]) -> list[str]:
    """select snapshot_date (and place), every additive figure, from table between $from_date and $to_date."""
    columns = ["snapshot_date", *([place] if place else [])]
    lines = ["select", *(f"    {column}," for column in columns), *_select_list(_figure_keys()), f"from {table}"]
    lines += ["where snapshot_date between $from_date and $to_date", *(f"  and {c}" for c in conditions)]
    return [*lines, f"order by {', '.join(columns)}"]


def plan_figures_sql() -> str:
    """queries/kpi/plan_figures_by_snapshot.sql: every additive figure for the whole county, per snapshot."""
    keys = _figure_keys()
    lines = _header(
        "The plan's additive figures for the whole county, one row per snapshot between $from_date and $to_date, "
        "from county_figures, the derived table written with each snapshot (socialwork/data/storage/aggregates.py). "
        "County-level units (no township) count here. A filter on townships sums rows of "
        "plan_figures_by_snapshot_and_township instead.",
        "$from_date DATE, $to_date DATE.",
        ["snapshot_date", *keys],
    )
    return _join(lines + _rows_by_snapshot(None, "county_figures", []))


def plan_figures_by_township_sql() -> str:
    """queries/kpi/plan_figures_by_snapshot_and_township.sql: every additive figure per township and snapshot."""
    keys = _figure_keys()
    lines = _header(
        "The plan's additive figures of every township within $scope, one row per township and snapshot between "
        "$from_date and $to_date, from township_figures, the derived table written with each snapshot "
        "(data/storage/aggregates.py); county-level units (no township) left out. A township filter sums the "
        "chosen townships' rows at each of their county's snapshots (socialwork/figures/metrics/levels.py: a date "
        "where none of them has a row counts 0): read once per county, each township picked in it is a sum, not a "
        "query to plan. The whole county reads plan_figures_by_snapshot.",
        "$from_date DATE, $to_date DATE, $scope VARCHAR (a county's code; NULL in a single county's store).",
        ["snapshot_date", "township_code", *keys],
    )
    conditions = ["township_code is not null", "($scope is null or starts_with(township_code, $scope))"]
    return _join(lines + _rows_by_snapshot("township_code", "township_figures", conditions))


def plan_figures_by_county_sql() -> str:
    """queries/kpi/plan_figures_by_snapshot_and_county.sql: every additive figure per county and snapshot."""
    keys = _figure_keys()
    lines = _header(
        "The plan's additive figures of every county within $scope, one row per county and snapshot between "
        "$from_date and $to_date, from county_figures: a city's or province's figures are the sum over the counties "
        "that have the snapshot, worked out by socialwork/figures/metrics/report.py, which says which are missing "
        "rather than counting them as 0.",
        "$from_date DATE, $to_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = every county).",
        ["snapshot_date", "county_code", *keys],
    )
    conditions = ["($scope is null or starts_with(county_code, left($scope, 6)))"]
    return _join(lines + _rows_by_snapshot("county_code", "county_figures", conditions))


def plan_figures_by_division_sql() -> str:
    """queries/kpi/plan_figures_by_division.sql: every additive figure per division of one level, summed over its
    counties that have the month."""
    keys = _figure_keys()
    types = {figure.key: figure.type for figure in ADDITIVE_FIGURES}
    lines = _header(
        "The plan's additive figures of every division of one level within $scope (the provinces, cities or counties, "
        "whose codes have $digits digits), each the sum over its counties that have the snapshot $snapshot_date: "
        "the level below a province or a store of many counties (socialwork/figures/hierarchy.py). A division some "
        "of whose counties lack the month says how many (counties_reporting < counties) and which "
        "(missing_counties); one where none has it has empty figures, never zeros, and its counties' latest "
        "snapshot. A figure empty in a reporting county (its register column came later) is empty in the sum.",
        "$snapshot_date DATE, $scope VARCHAR (a division code, 2, 4 or 6 digits; NULL = the whole store), $digits "
        "INTEGER (the level's code length: 2 provinces, 4 cities, 6 counties).",
        ["division_code", "division_name", "counties", "counties_reporting", "latest_snapshot_date",
         "missing_counties", *keys],
    )  # fmt: skip
    lines += [
        "with places as (",
        "    select division_code, division_name",
        "    from divisions",
        "    where length(division_code) = $digits and division_level <> 'township'",
        "      and ($scope is null or starts_with(division_code, $scope))",
        ")",
        ",",
        "counties as (",
        "    select division_code as county_code, division_name as county_name, left(division_code, $digits) as "
        "place_code",
        "    from divisions",
        "    where division_level = 'county'",
        "      and ($scope is null or starts_with(division_code, $scope))",
        ")",
        ",",
        "latest as (",
        "    select county_code, max(snapshot_date) as latest_snapshot_date",
        "    from county_figures",
        "    where snapshot_date <= $snapshot_date",
        "    group by county_code",
        ")",
        ",",
        "reported as (",
        "    select *",
        "    from county_figures",
        "    where snapshot_date = $snapshot_date",
        ")",
        "",
        "select",
        "    p.division_code,",
        "    p.division_name,",
        "    count(c.county_code) as counties,",
        "    count(r.county_code) as counties_reporting,",
        "    max(l.latest_snapshot_date) as latest_snapshot_date,",
        "    string_agg(c.county_name, '、' order by c.county_code) filter (where c.county_code is not null and "
        "r.county_code is null) as missing_counties,",
        # Summed in the figure's own type, as county_figures holds it (a count stays a whole number).
        *_select_list(
            keys, lambda key: f"if(count(r.{key}) = count(r.county_code), sum(r.{key})::{types[key]}, null) as {key}"
        ),
        "from places p",
        "left join counties c on c.place_code = p.division_code",
        "left join reported r on r.county_code = c.county_code",
        "left join latest l on l.county_code = c.county_code",
        "group by p.division_code, p.division_name",
        "order by p.division_code",
    ]
    return _join(lines)


def scale_free_parts() -> list[str]:
    """The additive figures behind the ratio figures (which compare at any level), in township_figures order."""
    parts = {part for figure in PLAN_FIGURES if figure.ratio for part in figure.ratio}
    return [key for key in _figure_keys() if key in parts]


def scale_free_sql() -> str:
    """queries/kpi/scale_free_figures_by_township.sql: the parts of every ratio figure, per township."""
    parts = scale_free_parts()
    lines = _header(
        "The figures behind the scale-free targets (the parts of every ratio figure), one row per township and "
        "requested snapshot, read from the derived table township_figures (written with each snapshot; see "
        "socialwork/data/storage/aggregates.py).",
        "$snapshot_dates DATE[] (e.g. the as-of date and its baseline), $places VARCHAR[] (the place filter, read by "
        "in_places: NULL = everywhere, one division code, or township codes).",
        ["snapshot_date", "township_code", "township_name", "township_kind_label", *parts],
    )
    lines += [
        "select",
        "    f.snapshot_date,",
        "    f.township_code,",
        "    t.township_name,",
        "    k.label as township_kind_label,",
        *_select_list([f"f.{key}" for key in parts]),
        "from township_figures f",
        "join townships t",
        "    on list_contains($snapshot_dates, t.snapshot_date)  -- stated, so only those partitions are read",
        "    and t.snapshot_date = f.snapshot_date and t.township_code = f.township_code",
        "join enum_labels k on k.enum_name = 'township_kind' and k.code = t.township_kind",
        "where list_contains($snapshot_dates, f.snapshot_date)",
        "  and in_places(f.township_code, null, $places)  -- township rows only: the prefix reaches the scan",
        "order by f.snapshot_date, f.township_code",
    ]
    return _join(lines)


# Query name (as for db.run) -> its text.
GENERATED_QUERIES: dict[str, Callable[[], str]] = {
    "aggregates/township_figures": township_figures_sql,
    "kpi/plan_figures_by_snapshot": plan_figures_sql,
    "kpi/plan_figures_by_snapshot_and_township": plan_figures_by_township_sql,
    "kpi/plan_figures_by_snapshot_and_county": plan_figures_by_county_sql,
    "kpi/plan_figures_by_division": plan_figures_by_division_sql,
    "kpi/scale_free_figures_by_township": scale_free_sql,
}


def write_queries(queries_dir: Path) -> list[Path]:
    """Write every generated query under queries_dir; the files written."""
    written = []
    for name, text in GENERATED_QUERIES.items():
        path = queries_dir / f"{name}.sql"
        path.write_text(text(), encoding="utf-8")
        written.append(path)
    return written


def _columns_named(sql: str, table: str) -> set[str]:
    """The columns of a register an SQL expression names (string literals and $parameters aside)."""
    names = set(_IDENTIFIER.findall(_LITERAL.sub(" ", sql)))
    return names & set(TABLES_BY_NAME[table].column_names)


def figure_reads(figure: Figure) -> dict[str, set[str]]:
    """The register columns a figure is computed from, by table (township_code included: it adds up by township)."""
    reads: dict[str, set[str]] = {}
    if not figure.additive:
        for part in figure.parts:
            _merge(reads, figure_reads(FIGURES[part]))
        return reads
    source = FIGURE_SOURCES[figure.source]
    if figure.source == OWN_FIGURES:
        names = set(_IDENTIFIER.findall(_LITERAL.sub(" ", figure.expression)))
        for key in sorted(names & set(FIGURES)):
            _merge(reads, figure_reads(FIGURES[key]))
        return reads
    if source.reads:  # a derived table: the registers it is computed from
        return {table: set(columns) for table, columns in source.reads.items()}
    condition = f"{figure.expression} {source.where or ''}"
    return {figure.source: {"township_code"} | _columns_named(condition, figure.source)}


def _merge(into: dict[str, set[str]], more: dict[str, set[str]]) -> None:
    for table, columns in more.items():
        into.setdefault(table, set()).update(columns)


def reads_of(figures: Iterable[Figure], more: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """What a set of figures reads from the registers, by table (and `more` besides)."""
    reads: dict[str, set[str]] = {table: set(columns) for table, columns in (more or {}).items()}
    for figure in figures:
        _merge(reads, figure_reads(figure))
    return reads
