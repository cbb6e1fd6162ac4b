"""The reporting workflow (多级上报): units, each unit's part of a month's registers, monthly rounds, review and
publication through the import's atomic store write (docs/reporting.md)."""
