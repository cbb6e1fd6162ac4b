"""A county's social-work talent plan dashboard: data contract, queries, metrics, charts, CLI."""
