"""Streamlit's frontend files compressed once (gzip and brotli at their highest levels) into a cache folder.

The files belong to the installed Streamlit wheel and change only with it, so they are compressed once per
Streamlit version and machine (`python -m socialwork.web.precompress`, run by scripts/venv.sh after an install;
a server that finds the cache incomplete starts it in the background). Brotli at quality 11 takes about 90 CPU-s
for the whole 26 MB frontend: too slow for a request or a server start, cheap once.

    <cache>/<relative path>.gz    <cache>/<relative path>.br    <cache>/COMPLETE

and, where Node.js is installed, Streamlit's plotly chunk cut down to the dashboard's trace types with its own
variants (socialwork/web/plotly_lite.py: `<chunk path>.lite`, `.lite.br`, `.lite.gz`), served in its place.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from socialwork.web import plotly_lite

STATIC_CACHE_ENV = "SOCIALWORK_STATIC_CACHE"  # overrides the cache folder (tests, or a shared disk)
COMPRESSIBLE = {".js", ".css", ".json", ".svg", ".html", ".map", ".txt"}  # woff2 and png are compressed already
MIN_BYTES = 1024  # below this, headers and framing eat most of the gain
KEEP_RATIO = 0.9  # a variant not 10 % smaller than the file is not worth a second representation
ENCODINGS = {"br": ".br", "gzip": ".gz"}
COMPLETE = "COMPLETE"


def static_dir() -> Path:
    """The installed Streamlit's frontend folder (the one its server mounts at /)."""
    from streamlit import file_util

    return Path(file_util.get_static_dir())


def cache_dir() -> Path:
    """$SOCIALWORK_STATIC_CACHE, else ~/.cache/socialwork/static/streamlit-<version>."""
    import streamlit

    default = Path.home() / ".cache" / "socialwork" / "static" / f"streamlit-{streamlit.__version__}"
    return Path(os.environ.get(STATIC_CACHE_ENV) or default).expanduser()


def compressible(root: Path) -> list[Path]:
    """The files worth compressing under root, largest first (so that a run cut short has done the most)."""
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in COMPRESSIBLE and p.stat().st_size >= MIN_BYTES]
    return sorted(files, key=lambda p: -p.stat().st_size)


def compress(data: bytes, encoding: str) -> bytes:
    """data in the given content coding, at its smallest (gzip without a timestamp, so reruns give equal bytes)."""
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    import brotli

    return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader sees the whole variant or none: a server may be serving from the folder while it is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".part-") as part:
        part.write(data)
    os.replace(part.name, path)


def _compress_one(source: str, root: str, out: str) -> int:
    """Write the missing variants of one file; the number written."""
    relative = Path(source).relative_to(root)
    data, written = Path(source).read_bytes(), 0
    for encoding, suffix in ENCODINGS.items():
        target = Path(out) / f"{relative}{suffix}"
        skipped = Path(out) / f"{relative}{suffix}.skip"  # compressed and found not worth it: not tried again
        if target.exists() or skipped.exists():
            continue
        packed = compress(data, encoding)
        if len(packed) <= KEEP_RATIO * len(data):
            _write_atomically(target, packed)
        else:
            _write_atomically(skipped, b"")
        written += 1
    return written


def precompress(root: Path | None = None, out: Path | None = None, workers: int | None = None) -> int:
    """Compress every compressible file of root into out, skipping variants already there; the number written.

    One run at a time per cache folder (a lock file): replicas started together wait for the first instead of
    compressing the same files side by side."""
    root, out = root or static_dir(), out or cache_dir()
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        write_lite(root, out)  # once; a chunk it was not checked for, or no Node.js: nothing
        if (out / COMPLETE).exists():
            return 0
        files = [str(p) for p in compressible(root)]
        with ProcessPoolExecutor(workers or os.cpu_count() or 1) as pool:
            written = sum(pool.map(_compress_one, files, [str(root)] * len(files), [str(out)] * len(files)))
        (out / COMPLETE).write_text(f"{len(files)} files\n", encoding="ascii")
    return written


def write_lite(root: Path, out: Path, log: Callable[[str], None] = print) -> Path | None:
    """The lite plotly chunk and its variants written into out (socialwork/web/plotly_lite.py), once: its path, or
    None where Streamlit's own chunk is served."""
    found, target = plotly_lite.chunk(root), plotly_lite.target(root, out)
    if found is None or target is None:
        return None
    if target.exists():
        return target
    data = plotly_lite.lite(found, log)
    failed = Path(f"{target}{plotly_lite.FAILED}")  # a server's background run does not try again at each start
    if data is None:
        if shutil.which("node"):  # without Node.js none tries; a server tries once it is installed
            _write_atomically(failed, b"")
        return None
    for encoding, suffix in ENCODINGS.items():  # the variants first, the plain file last: it switches serving
        _write_atomically(Path(f"{target}{suffix}"), compress(data, encoding))
    _write_atomically(target, data)
    failed.unlink(missing_ok=True)
    return target


def is_complete(out: Path | None = None) -> bool:
    """Whether the cache folder holds every variant."""
    return ((out or cache_dir()) / COMPLETE).exists()


def start_in_background() -> subprocess.Popen | None:
    """Fill an incomplete cache (or write the lite plotly chunk) in a low-priority process of its own (None when
    there is nothing to do); the server starts meanwhile and serves each file compressed as soon as its variant is
    written."""
    if is_complete() and not plotly_lite.pending(static_dir(), cache_dir()):
        return None
    with contextlib.suppress(OSError):
        return subprocess.Popen(
            ["nice", "-n", "10", sys.executable, "-m", "socialwork.web.precompress", "--workers", "1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with the server: a half-filled cache is finished, not redone
        )
    return None


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="预压缩 Streamlit 前端静态文件（gzip、brotli）")
    parser.add_argument("--workers", type=int, help="并行进程数（默认 CPU 核数）")
    args = parser.parse_args(argv)
    written = precompress(workers=args.workers)
    print(f"已预压缩静态文件：新写入 {written} 个，目录 {cache_dir()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
