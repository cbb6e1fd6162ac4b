"""The error every module of the store raises, worded in Chinese for the person who sees it (below all of them:
layout.py, bucket_io.py and objectstore.py name it from here)."""

from __future__ import annotations


class StoreError(Exception):
    """A problem with the snapshot store, worded in Chinese for the person who sees it."""
