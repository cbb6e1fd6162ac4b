"""Where things are: paths relative to the package, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from socialwork.data.storage.location import Bucket, Location, parse

REPO_ROOT = Path(__file__).resolve().parents[2]  # socialwork/data/settings.py
QUERIES_DIR = REPO_ROOT / "queries"
DEMO_DATA_DIR = REPO_ROOT / "data" / "demo"
DATA_DIR_ENV = "SOCIALWORK_DATA"
CACHE_DIR_ENV = "SOCIALWORK_CACHE"  # where a server keeps its copy of a bucket's published files


def data_dir(override: str | Path | None = None) -> Location:
    """The snapshot store: the override, else $SOCIALWORK_DATA, else the built-in demo county; a folder, or a
    bucket prefix for s3://bucket/prefix."""
    return parse(override or os.environ.get(DATA_DIR_ENV) or DEMO_DATA_DIR)


def cache_dir(bucket: Bucket) -> Path:
    """This server's local copy of a bucket store: $SOCIALWORK_CACHE (default ~/.cache/socialwork)/bucket/prefix."""
    base = Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "socialwork").expanduser().resolve()
    # "=" would make DuckDB read a folder of the prefix as a hive partition column.
    return base / bucket.bucket / bucket.prefix.replace("=", "_")
