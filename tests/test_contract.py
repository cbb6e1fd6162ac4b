"""The contract is the one source: docs, metrics and enumerations agree with it."""

from __future__ import annotations

from socialwork.data import contract, settings
from socialwork.data.datadoc import data_markdown
from socialwork.figures import metrics


def test_docs_data_md_is_generated_from_the_contract():
    committed = (settings.REPO_ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    assert committed == data_markdown(), "docs/data.md is stale: run `python -m socialwork docs`"


def test_docs_describe_every_table_and_column():
    text = data_markdown()
    for table in contract.TABLES:
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type} |" in text


def test_every_metric_has_a_computation_and_every_computation_a_metric():
    assert set(metrics.SPECS) == set(contract.METRIC.codes)


def test_enumerations_are_well_formed():
    names = [e.name for e in contract.ENUMS]
    assert len(names) == len(set(names))
    for enum in contract.ENUMS:
        assert len(set(enum.labels.values())) == len(enum.labels), enum.name
        assert set(enum.groups) <= set(enum.codes)


def test_table_keys_and_references_name_real_columns():
    for table in contract.TABLES:
        assert set(table.key) <= set(table.column_names)
        for column in table.columns:
            assert column.type in contract.ARROW_TYPES
            if column.references:
                target, target_column = column.references.split(".")
                assert target_column in contract.TABLES_BY_NAME[target].column_names


def test_no_personal_columns_in_the_contract():
    lowered = {p.lower() for p in contract.PERSONAL_COLUMNS}
    for table in contract.TABLES:
        for column in table.columns:
            assert column.name.lower() not in lowered and column.label not in lowered
