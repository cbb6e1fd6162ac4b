"""The README's "Set up for your county", run as written (tests/readme_blocks.py): init, a clerk's login, the
previous year's end and the month imported, kpis, a backup, the dashboard served in the background (its first page
the login) and stopped from another shell by its pid file. Nothing is written into the repository."""

from __future__ import annotations

import asyncio
import re
import subprocess
import urllib.request
from datetime import date

import pytest
import websockets

from socialwork.cli import COMMANDS
from socialwork.cluster import load
from socialwork.county_setup import example_frames
from socialwork.data import settings
from socialwork.data.importing.workbook import workbook_bytes
from tests.readme_blocks import (
    README,
    answers,
    end,
    free_port,
    pids_in,
    run_block,
    scratch,
    section,
    shell_blocks,
    wait_gone,
)

# The clerks' workbooks the block imports: the example command's months of the demo in the county's codes (the
# demo's last month stands in for November).
WORKBOOKS = {"2025-12.xlsx": date(2025, 12, 31), "2026-11.xlsx": date(2026, 10, 31)}
COUNTY, CODE = "云溪县", "530524"


def repository_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=settings.REPO_ROOT, capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "srv"
    (home / "incoming").mkdir(parents=True)
    for name, day in WORKBOOKS.items():
        (home / "incoming" / name).write_bytes(workbook_bytes(example_frames(day, CODE), COUNTY))
    return home


async def first_run(port: int) -> load.Page:
    """What a new session's first run of the served dashboard shows."""
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        await ws.send(load.rerun_message(""))
        return await asyncio.wait_for(load.read_run(ws, load.Page()), load.RUN_TIMEOUT_S)


def test_set_up_for_your_county_runs_as_written(home):
    setup, stop = shell_blocks(section("Set up for your county"))
    port = free_port()
    replacements = {"/srv/socialwork": str(home)}
    before = repository_status()
    try:
        done = run_block(scratch(setup, replacements | {"--port 8501": f"--port {port}", "0.0.0.0": "127.0.0.1"}))
        assert (home / f"{COUNTY}社工人才数据导入模板.xlsx").exists(), "init writes its template beside the store"
        assert "已保存用户 zhang" in done.stdout and "上年末数据：2025-12-31" in done.stdout
        assert "持证社工年度净增\t" in done.stdout and "提示：数据目录中没有" not in done.stdout + done.stderr
        assert [p.suffix for p in (home / "backups").iterdir()] == [".tar"], "backup writes one dated archive"
        assert answers(f"http://127.0.0.1:{port}/_stcore/health", within_s=90), (home / "serve.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
        assert "export SOCIALWORK_VIEW_LOGIN=required" in setup
        first = asyncio.run(first_run(port))  # as a browser's first visit: the login, not the figures
        assert first.exceptions == [] and {"用户名", "密码"} <= set(first.inputs) and not first.metrics

        (pid,) = pids_in(home)
        run_block(scratch(stop, replacements))  # another shell than the one that started it
        assert wait_gone([pid], within_s=30) == [], "kill with the pid file stops the dashboard"
        assert not answers(f"http://127.0.0.1:{port}/_stcore/health", within_s=1)
    finally:
        end(pids_in(home))
    assert repository_status() == before, "the README's set-up wrote into the repository"


@pytest.mark.parametrize("page", ["README.md", *sorted(p.name for p in (settings.REPO_ROOT / "docs").glob("*.md"))])
def test_the_commands_and_pages_a_page_names_exist(page):
    path = settings.REPO_ROOT / page if page == "README.md" else settings.REPO_ROOT / "docs" / page
    text = path.read_text(encoding="utf-8")
    commands = set(re.findall(r"python -m socialwork ([a-z][a-z-]*)", text))
    assert commands <= set(COMMANDS), sorted(commands - set(COMMANDS))
    links = re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text)
    assert not [link for link in links if not (path.parent / link).exists()]


def test_the_readme_stays_a_guide():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    sections = [
        "Two commands",
        "Set up for your county",
        "Load a month",
        "The meeting: presenting, documents, follow-up",
    ]
    for title in [*sections, "Run for many users", "Command line", "Performance", "For developers"]:
        assert "](docs/" in section(title), f"the README's {title!r} links to its page in docs/"
