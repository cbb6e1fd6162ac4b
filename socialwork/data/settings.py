"""Where things are: paths relative to the package, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

from socialwork.data.storage.errors import StoreError
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


def seconds(name: str, default: float, meaning: str, environ: dict[str, str] | None = None,
            zero_allowed: bool = False) -> float:  # fmt: skip
    """A number of seconds from an environment variable, default when unset; anything but a finite number above 0
    (or 0, where zero_allowed) is refused in Chinese, naming the variable and what it sets (meaning)."""
    text = (environ if environ is not None else os.environ).get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= 0 if zero_allowed else value > 0) or value == float("inf"):
        least = "不小于 0 的" if zero_allowed else "正的"
        raise StoreError(f"环境变量 {name} 应为{least}秒数（{meaning}），现为“{text}”")
    return value
