"""The README's shell blocks, run as written (as datasette's docs tests keep its docs true).

A block is taken from the README's text, with only the places a scratch run cannot share with a real server
replaced (`SCRATCH`): the folders /srv/socialwork and /tmp/socialwork-trial become the test's own, the ports free
ones, and 0.0.0.0 loopback. Each block runs in its own `bash -eu` from the repository's root, as a new
administrator's shell would, without a terminal (so `add-user`'s password comes from standard input), and with none
of the project's settings inherited from the test's environment.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from socialwork.data import settings

README = settings.REPO_ROOT / "README.md"
PASSWORD = "Lantern-river-42"


def section(title: str) -> str:
    """The README's text from the heading `## title` to the next heading of that level."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else len(text)]


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```$", text, re.M | re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scratch(block: str, replacements: dict[str, str]) -> str:
    for written, scratch_value in replacements.items():
        assert written in block, f"the README's block no longer holds {written!r}: update the test with it"
        block = block.replace(written, scratch_value)
    return block


def run_block(block: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """One block in a fresh bash that stops at the first failing line; its output."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SOCIALWORK_", "AWS_"))}
    done = subprocess.run(
        ["bash", "-euc", block], cwd=settings.REPO_ROOT, env=environment, input=f"{PASSWORD}\n{PASSWORD}\n",
        capture_output=True, text=True, timeout=timeout, start_new_session=True,
    )  # fmt: skip
    assert done.returncode == 0, f"the README's block failed:\n{block}\n--- stdout\n{done.stdout}\n--- {done.stderr}"
    return done


def answers(url: str, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of nobody's that has exited but not been reaped (the block's bash is gone) is a zombie: not alive.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][0] != "Z"


def wait_gone(pids: list[int], within_s: float) -> list[int]:
    """The pids still running after within_s."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if alive(p)]


def pids_in(folder: Path) -> list[int]:
    return [int(p.read_text()) for p in sorted(folder.glob("*.pid"))]


def end(pids: list[int]) -> None:
    """After a failed test: what the README's stop did not stop."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, 15)
    for pid in wait_gone(pids, 20):
        os.kill(pid, 9)
