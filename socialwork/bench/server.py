"""The dashboard server of the browser benchmark: `python -m socialwork serve`, whose query results the benchmark
can forget between measurements.

    python -m socialwork.bench.server --port N --address 127.0.0.1     (with $SOCIALWORK_BENCH_FORGET set)

Each measurement is a person opening a page nobody has opened since the server last forgot: the benchmark
writes a new number into the file $SOCIALWORK_BENCH_FORGET names, and the next query the server runs first
empties the result cache (the connection, its in-memory tables and DuckDB's Parquet metadata stay, as on a
server that has run for a while). Without the variable this is exactly `python -m socialwork serve`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from socialwork.web import app

FORGET_ENV = "SOCIALWORK_BENCH_FORGET"


def forget_results_when_asked(marker: Path) -> None:
    """Wrap db.run and db.cached so that a change of the marker file's content empties the result caches first
    (query results and whole figures such as the KPI report; connections and snapshot lists stay)."""
    from socialwork.figures import db

    seen = {"generation": _generation(marker)}

    def forget_if_asked() -> None:
        generation = _generation(marker)
        if generation != seen["generation"]:
            db.forget_results()
            seen["generation"] = generation

    original_run, original_cached = db.run, db.cached

    def run(name: str, data: Path | None = None, **params: Any):
        forget_if_asked()
        return original_run(name, data, **params)

    def cached(kind: str, key: tuple, compute: Any, data: Path | None = None):
        forget_if_asked()
        return original_cached(kind, key, compute, data)

    db.run, db.cached = run, cached


def _generation(marker: Path) -> str:
    try:
        return marker.read_text(encoding="ascii")
    except FileNotFoundError:
        return ""


def ask_to_forget(marker: Path) -> None:
    """Make the server empty its result cache before its next query."""
    count = _generation(marker)
    marker.write_text(str(int(count or 0) + 1), encoding="ascii")


def main(argv: list[str] | None = None) -> int:
    """`python -m socialwork serve`'s options, and its server (web/app.py), forgetting when asked."""
    parser = argparse.ArgumentParser(prog="python -m socialwork.bench.server")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="localhost")
    parser.add_argument("--data", type=str)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    marker = os.environ.get(FORGET_ENV)
    if marker:
        forget_results_when_asked(Path(marker))
    app.serve(args.port, args.address, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
