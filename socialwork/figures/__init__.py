"""What is computed: DuckDB access over the store, the plan's metrics and the figures behind each page.
Uses data, never present.
"""
