"""What the backup tests share: a county store with something in its server database, and the comparisons of a
restored store with its original (every file byte for byte, every folder's time, every row)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

from socialwork.data import settings
from socialwork.data.backup.taking import _left_out
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server import portable
from socialwork.data.server.access import Roles
from socialwork.data.server.followups import Editor
from socialwork.data.server.followups_sql import BEIJING, SqlFollowups
from socialwork.data.server.lockouts import LOCKOUT_AFTER, LoginAttempts
from socialwork.data.storage.layout import DEMO_MARKER

ZHANG = Editor("zhang", "数据员小张", "reviewer")  # a 审核员 may write follow-ups (access.py)
TASK = "新开发社工岗位不少于5个"
LOCKED_USER = "li"


def demo_county_with_writes(folder: Path, db_url: str | None = None) -> Path:
    """The demo county as a county's own store (not marked as the demo, so it may be written), with a meeting, a
    follow-up item with a note, a role given (and its line in the audit log), and a login locked out after
    LOCKOUT_AFTER wrong passwords, in db_url (default the SQLite file beside the snapshots)."""
    store = folder / "store"
    shutil.copytree(settings.DEMO_DATA_DIR, store, ignore=shutil.ignore_patterns(DEMO_MARKER))
    url = db_url or f"sqlite:///{store / FOLLOWUP_FILE}"
    if db_url:  # the demo's meetings, copied into the server database the store's users write to
        source = portable.dump(f"sqlite:///{store / FOLLOWUP_FILE}")
        (store / FOLLOWUP_FILE).unlink()
        portable.load(url, source)
    followups = SqlFollowups(url, clock=lambda: datetime(2026, 11, 5, 14, 3, 12, tzinfo=BEIJING))
    meeting = followups.add_meeting(date(2026, 11, 5), "2026年10月调度会", date(2026, 10, 31), ZHANG)
    item = followups.add_item(meeting.meeting_id, TASK, "posts_new_this_year", None, "县民政局", date(2026, 12, 15),
                              ZHANG)  # fmt: skip
    followups.add_note(item.item_id, date(2026, 11, 20), "已开发3个岗位", ZHANG)
    Roles(url, clock=lambda: datetime(2026, 11, 5, 9, 0, tzinfo=BEIJING)).set_role("zhang", "reviewer", None, "命令行")
    attempts = LoginAttempts(url, clock=lambda: 1_790_000_000.25)
    for _ in range(LOCKOUT_AFTER):
        attempts.reserve(LOCKED_USER)
    return store


def store_files(root: Path) -> dict[str, str]:
    """Every file of a store that a backup holds, by its path in the store, as a SHA-256."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != FOLLOWUP_FILE and not any(_left_out(part) for part in path.parts)
    }


def folder_times(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_mtime_ns for path in root.rglob("*") if path.is_dir()}


def rows(url: str) -> dict[str, str]:
    dumped = portable.dump(url)
    assert dumped is not None
    return dumped.tables
