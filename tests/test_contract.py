"""The contract is the one source: docs, metrics and enumerations agree with it."""

from __future__ import annotations

import pytest

from socialwork.data import settings
from socialwork.data.contract.enums import METRIC_GROUP
from socialwork.data.contract.plan_figures import FIGURE_SOURCES, FIGURES, METRIC, PLAN_FIGURES
from socialwork.data.contract.schema import ARROW_TYPES
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.data.contract.tables import ENUMS, PERSONAL_COLUMNS, TABLES, TABLES_BY_NAME
from socialwork.data.generate.datadoc import data_markdown
from socialwork.data.generate.figure_sql import GENERATED_QUERIES, figure_reads
from socialwork.figures import metrics


def test_docs_data_md_is_generated_from_the_contract():
    committed = (settings.REPO_ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert committed == data_markdown(), "docs/data.md is stale: run `python -m socialwork generate`"


@pytest.mark.parametrize("name", GENERATED_QUERIES)
def test_generated_queries_are_current(name):
    committed = (settings.QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")
    assert committed == GENERATED_QUERIES[name](), f"queries/{name}.sql is stale: run `python -m socialwork generate`"


def test_every_declared_figure_is_documented():
    committed = (settings.REPO_ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    figures_section = committed.split("## Plan figures", 1)[1].split("\n## ", 1)[0]
    for figure in PLAN_FIGURES:
        row = next((line for line in figures_section.splitlines() if line.startswith(f"| `{figure.key}` |")), None)
        assert row, f"{figure.key} is missing from docs/data.md: run `python -m socialwork generate`"
        words = figure.description.split()
        assert len(words) >= 2 and figure.description.endswith("."), f"{figure.key}: describe it in a sentence"
        assert figure.description in row.replace("\\|", "|")


def test_figure_declarations_are_well_formed():
    keys = [f.key for f in PLAN_FIGURES]
    assert len(keys) == len(set(keys))
    for figure in PLAN_FIGURES:
        kinds = [figure.additive, figure.ratio is not None, figure.of is not None]
        assert sum(kinds) == 1, f"{figure.key}: additive, a ratio or `of` another figure, exactly one"
        for part in figure.parts:
            assert FIGURES[part].additive, f"{figure.key} is computed from {part}, which is not additive"
        if figure.additive:
            assert figure.source in FIGURE_SOURCES and figure.type in ("INTEGER", "DOUBLE")
            assert figure_reads(figure), f"{figure.key} reads nothing from the registers"
        if figure.is_metric:
            assert figure.group in METRIC_GROUP.codes and figure.unit, figure.key
        assert (figure.gross is None or FIGURES[figure.gross].additive) and figure.since >= 1


def test_labels_take_the_standard_from_the_contract():
    """No literal 2 in a label: the plan's standard per urban community is URBAN_COMMUNITY_MIN_CERTIFIED."""
    standard = str(URBAN_COMMUNITY_MIN_CERTIFIED)
    share = FIGURES["urban_communities_2plus_share"]
    assert standard in share.label and standard in share.short_label


def test_docs_describe_every_table_and_column():
    text = data_markdown()
    for table in TABLES:
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type} |" in text


def test_every_metric_has_a_computation_and_every_computation_a_metric():
    assert set(metrics.SPECS) == set(METRIC.codes)


def test_enumerations_are_well_formed():
    names = [e.name for e in ENUMS]
    assert len(names) == len(set(names))
    for enum in ENUMS:
        assert len(set(enum.labels.values())) == len(enum.labels), enum.name
        assert set(enum.groups) <= set(enum.codes)


def test_table_keys_and_references_name_real_columns():
    for table in TABLES:
        assert set(table.key) <= set(table.column_names)
        for column in table.columns:
            assert column.type in ARROW_TYPES
            if column.references:
                target, target_column = column.references.split(".")
                assert target_column in TABLES_BY_NAME[target].column_names


def test_no_personal_columns_in_the_contract():
    lowered = {p.lower() for p in PERSONAL_COLUMNS}
    for table in TABLES:
        for column in table.columns:
            assert column.name.lower() not in lowered and column.label not in lowered
