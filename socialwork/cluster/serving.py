"""Dashboard servers (started on a free port, healthy, stopped) and Debian's Chromium (no browser download): for the
replicas, the benchmarks and the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

from socialwork.data import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
VIEWPORT = {"width": 1280, "height": 720}
START_TIMEOUT_S = 60


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    command: list[str],
    port: int,
    env: dict[str, str] | None = None,
    output: int | IO = subprocess.PIPE,
    cwd: Path | None = None,
) -> subprocess.Popen:
    """Start a Streamlit server and wait until it answers its health check.

    `output` takes the server's log: a pipe by default (read on failure), a file for a long run, whose log
    would otherwise fill the pipe and stall the server.
    """
    env = os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {})
    process = subprocess.Popen(command, cwd=cwd or settings.REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    if wait_until_healthy(process, f"http://127.0.0.1:{port}", START_TIMEOUT_S):
        return process
    process.kill()
    log = process.stdout.read().decode(errors="replace")[-2000:] if process.stdout else "(see its log file)"
    raise RuntimeError(f"server did not start: {log}")


def wait_until_healthy(process: subprocess.Popen, base: str, timeout_s: float) -> bool:
    """Whether base/_stcore/health answered 200 within timeout_s (False at once if the process has ended)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def serve_command(port: int) -> list[str]:
    """The dashboard as run.sh serves it."""
    return [sys.executable, "-m", "socialwork", "serve", "--port", str(port), "--address", "127.0.0.1"]


def plain_streamlit_command(port: int) -> list[str]:
    """The dashboard under a plain `streamlit run` (legacy pages/ discovery on the first session)."""
    return [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.headless", "true"]  # fmt: skip


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process (every thread), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), counted from the state
    return (utime + stime) / os.sysconf("SC_CLK_TCK")
