"""The README's one-machine trial of "Run for many users", run as written (tests/readme_blocks.py): a throwaway
SeaweedFS and PostgreSQL, a clerk's login, the demo published into the bucket, two replicas behind HAProxy given
SOCIALWORK_DB and SOCIALWORK_AUTH_FILE, all stopped from another shell by their pid files. Marker `servers`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.readme_blocks import answers, end, free_port, pids_in, run_block, scratch, section, shell_blocks, wait_gone

pytestmark = pytest.mark.servers


def said(log: Path, words: str, within_s: float = 10) -> str:
    """The log once it holds the words (HAProxy may answer a moment before replicas prints that it started)."""
    deadline = time.monotonic() + within_s
    while words not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    return log.read_text()


def trial_blocks() -> tuple[str, str]:
    """The two blocks after "To try it on one machine": starting everything, and stopping it."""
    text = section("Run for many users")
    start, stop = shell_blocks(text[text.index("To try it on one machine") :])[:2]
    return start, stop


def test_the_one_machine_trial_runs_as_written_and_stops_from_another_shell(tmp_path):
    start, stop = trial_blocks()
    trial, port = tmp_path / "trial", free_port()
    replacements = {"/tmp/socialwork-trial": str(trial)}
    try:
        run_block(scratch(start, replacements | {"--port 8500": f"--port {port}"}), timeout=600)
        assert answers(f"http://127.0.0.1:{port}/_stcore/health", within_s=120), (trial / "replicas.log").read_text()
        log = said(trial / "replicas.log", "已启动 2 个副本")
        assert "已启动 2 个副本" in log and "未设置 SOCIALWORK_DB" not in log, log  # writing goes to PostgreSQL
        assert "[users.zhang]" in (trial / "users.toml").read_text()
        pids = pids_in(trial)
        assert len(pids) == 3

        run_block(scratch(stop, replacements))  # another shell than the one that started them
        assert wait_gone(pids, within_s=60) == [], "kill with the pid files stops the replicas, PostgreSQL, SeaweedFS"
        assert not answers(f"http://127.0.0.1:{port}/_stcore/health", within_s=1), "HAProxy stopped with the replicas"
        assert "已停止" in said(trial / "replicas.log", "已停止")
    finally:
        end(pids_in(trial))


def test_replicas_started_in_the_background_stop_on_sigint_from_another_shell(tmp_path):
    """A shell starts a background job with SIGINT ignored; replicas sets its own handler, so `kill -INT` (as well
    as the README's plain `kill`) stops the replicas and HAProxy it started."""
    port = free_port()
    start = (
        f".venv/bin/python -m socialwork replicas --count 1 --port {port} > {tmp_path}/replicas.log 2>&1 &\n"
        f"echo $! > {tmp_path}/replicas.pid"
    )
    try:
        run_block(start)
        assert answers(f"http://127.0.0.1:{port}/_stcore/health", within_s=90), (tmp_path / "replicas.log").read_text()
        said(tmp_path / "replicas.log", "已启动 1 个副本")
        run_block(f'kill -INT "$(cat {tmp_path}/replicas.pid)"')
        assert wait_gone(pids_in(tmp_path), within_s=30) == []
        assert "已停止" in said(tmp_path / "replicas.log", "已停止")
        assert not answers(f"http://127.0.0.1:{port}/_stcore/health", within_s=1)
    finally:
        end(pids_in(tmp_path))
