"""Backups that are restored: one archive of a store, its server database's tables and a reference to the users file
(`taking.py`), checked whole and brought back into an empty place (`restoring.py`), in one format (`archive.py`)."""
