"""Where things are: paths relative to the package, overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # socialwork/data/settings.py
QUERIES_DIR = REPO_ROOT / "queries"
DEMO_DATA_DIR = REPO_ROOT / "data" / "demo"
DATA_DIR_ENV = "SOCIALWORK_DATA"


def data_dir(override: str | Path | None = None) -> Path:
    """The snapshot store: the override, else $SOCIALWORK_DATA, else the built-in demo county."""
    chosen = override or os.environ.get(DATA_DIR_ENV) or DEMO_DATA_DIR
    return Path(chosen).expanduser().resolve()
