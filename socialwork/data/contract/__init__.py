"""The data contract: every table, column, type, enumeration and plan figure, defined once.

The import, the demo generator, the query layer, the docs (docs/data.md) and the tests all read it; nothing
else spells out a column or an allowed value. Its rooms: schema.py (the building blocks), enums.py,
standards.py, plan_figures.py, tables.py (the snapshot's), spellings.py (how clerks write things),
county_files.py and followup_tables.py.
"""
