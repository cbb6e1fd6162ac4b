"""Backups that are restored (issue 34, part 2): `backup` writes one archive of a store and its server database,
`restore` brings it back into an empty folder, every file byte for byte and every row; a damaged archive, a target
that is not empty and a full disk change nothing. Restoring into PostgreSQL: tests/servers/test_backup_servers.py."""

from __future__ import annotations

import errno
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from socialwork import backup_commands
from socialwork.cli import main
from socialwork.data.backup import archive
from socialwork.data.contract.followup_tables import FOLLOWUP_FILE
from socialwork.data.server.followups_sql import SqlFollowups
from socialwork.data.server.lockouts import LoginAttempts
from tests.backup_helpers import LOCKED_USER, TASK, ZHANG, demo_county_with_writes, folder_times, rows, store_files


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return demo_county_with_writes(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def backed_up(county, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backups") / "county.tar"
    assert main(["backup", "--data", str(county), "-o", str(out)]) == 0
    return out


def sqlite_url(store: Path) -> str:
    return f"sqlite:///{store / FOLLOWUP_FILE}"


def test_a_restore_brings_back_every_file_byte_for_byte_and_every_row(county, backed_up, tmp_path, capsys):
    target = tmp_path / "restored"
    assert main(["restore", str(backed_up), "--data", str(target)]) == 0
    assert "已从" in capsys.readouterr().out

    original = store_files(county)
    assert len(original) > 500 and "county.json" in original and "boundaries.geojson" in original
    assert store_files(target) == original
    assert folder_times(target) == folder_times(county)  # a combined month compares these
    before, after = rows(sqlite_url(county)), rows(sqlite_url(target))
    assert after == before
    assert {name: text.count("\n") for name, text in after.items() if name != "schema_version"} == {
        "meetings": 3,
        "followup_items": 8,
        "followup_notes": 8,
        "followup_changes": 24,
        "login_failures": 1,
        "account_roles": 6,
        "audit_log": 6,
        "reporting_units": 30,
        "reporting_rounds": 1,
        "round_parts": 30,
        "round_events": 62,
    }  # fmt: skip  (the demo's meetings, items, notes, 5 accounts with their roles' audit lines and its reporting
    # round of 30 units; this test's one more meeting, item and note, a role and its audit line)

    restored = SqlFollowups(sqlite_url(target))
    assert TASK in [item.task for item in restored.items()]
    assert LoginAttempts(sqlite_url(target), clock=lambda: 1_790_000_001.0).locked_for(LOCKED_USER) > 0


def test_a_restored_store_takes_new_items_after_the_restored_ones(backed_up, tmp_path):
    target = tmp_path / "restored"
    assert main(["restore", str(backed_up), "--data", str(target)]) == 0
    followups = SqlFollowups(sqlite_url(target))
    newest = max(item.item_id for item in followups.items())
    meeting = followups.meetings()[0]
    added = followups.add_item(meeting.meeting_id, "复查", "posts_new_this_year", None, "县民政局",
                               meeting.meeting_date, ZHANG)  # fmt: skip
    assert added.item_id == newest + 1


def test_the_archive_lists_every_member_with_its_checksum_and_holds_no_password_hash(backed_up, county, tmp_path):
    with tarfile.open(backed_up) as tar:
        names = tar.getnames()
    assert names[-1] == archive.MANIFEST
    checked = archive.verified(backed_up)
    assert set(checked.manifest["files"]) == {name for name in names if name.startswith(("store/", "server/"))
                                              and tar_is_file(backed_up, name)}  # fmt: skip
    assert checked.manifest["server"]["schema_version"] >= 2
    assert not any(name.endswith(FOLLOWUP_FILE) for name in names)  # the database goes in as its tables


def tar_is_file(path: Path, name: str) -> bool:
    with tarfile.open(path) as tar:
        return tar.getmember(name).isfile()


def test_the_users_file_is_referenced_not_copied(county, tmp_path, monkeypatch, capsys):
    users = tmp_path / "users.toml"
    users.write_text('[users.zhang]\ndisplay_name = "数据员小张"\npassword_hash = "$2b$12$secrethashsecrethash"\n')
    monkeypatch.setenv("SOCIALWORK_AUTH_FILE", str(users))
    out = tmp_path / "with-users.tar"
    assert main(["backup", "--data", str(county), "-o", str(out)]) == 0
    assert b"secrethash" not in out.read_bytes()
    entry = archive.verified(out).manifest["users_file"]
    assert entry == {"path": str(users), "sha256": archive.sha256_of(users)}
    assert "登录配置文件" in capsys.readouterr().out


def test_a_folder_that_is_not_empty_is_refused_in_chinese_and_left_alone(backed_up, tmp_path, capsys):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    assert main(["restore", str(backed_up), "--data", str(target)]) == 2
    assert "不是空文件夹" in capsys.readouterr().err
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["busy"]  # no staging folder left beside it


def test_a_damaged_archive_is_refused_before_anything_is_written(backed_up, tmp_path, capsys):
    damaged = tmp_path / "damaged.tar"
    content = bytearray(backed_up.read_bytes())
    with tarfile.open(backed_up) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("people.parquet"))
    content[member.offset_data + 100] ^= 0xFF
    damaged.write_bytes(bytes(content))
    target = tmp_path / "restored"
    assert main(["restore", str(damaged), "--data", str(target)]) == 2
    err = capsys.readouterr().err
    assert "校验和不符" in err and member.name in err and "未恢复任何数据" in err
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["damaged.tar"]


def test_a_cut_archive_is_refused(backed_up, tmp_path, capsys):
    cut = tmp_path / "cut.tar"
    cut.write_bytes(backed_up.read_bytes()[: backed_up.stat().st_size // 2])
    assert main(["restore", str(cut), "--data", str(tmp_path / "restored")]) == 2
    assert "未恢复任何数据" in capsys.readouterr().err
    assert not (tmp_path / "restored").exists()


def test_a_full_disk_leaves_no_archive_and_changes_nothing(county, tmp_path, monkeypatch, capsys):
    before, before_rows = store_files(county), rows(sqlite_url(county))
    written = []
    real_addfile = tarfile.TarFile.addfile

    def addfile_until_the_disk_is_full(self, tarinfo, fileobj=None):
        if len(written) == 40:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(tarinfo.name)
        return real_addfile(self, tarinfo, fileobj)

    monkeypatch.setattr(tarfile.TarFile, "addfile", addfile_until_the_disk_is_full)
    out = tmp_path / "backups" / "county.tar"
    assert main(["backup", "--data", str(county), "-o", str(out)]) == 2
    assert "磁盘空间不足" in capsys.readouterr().err
    assert list(out.parent.iterdir()) == []  # neither the archive nor its partial file
    assert store_files(county) == before and rows(sqlite_url(county)) == before_rows


def test_dated_archives_for_the_timer_keep_the_newest(county, tmp_path, capsys):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [folder / f"socialwork-backup-2026010{day}-020000.tar" for day in range(1, 5)]
    for path in old:
        path.write_bytes(b"old")
    (folder / "notes.txt").write_text("not an archive")
    killed = folder / f".socialwork-backup-20260104-020000.tar.{'0' * 32}.partial"  # a backup killed before its rename
    killed.write_bytes(b"half")
    os.utime(killed, (0, 0))
    assert main(["backup", "--data", str(county), "--into", str(folder), "--keep", "3"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names[:3] == ["notes.txt", old[2].name, old[3].name] and len(names) == 4
    assert backup_commands.DATED_ARCHIVE.match(names[3])
    assert "已删除较早的备份" in capsys.readouterr().out


def test_a_full_disk_during_a_restore_leaves_the_target_as_it_was(backed_up, tmp_path, monkeypatch, capsys):
    target = tmp_path / "restored"
    target.mkdir()
    real_copy = shutil.copyfileobj
    written = []

    def copy_until_the_disk_is_full(source, target, *args):
        if len(written) == 100:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(target)
        return real_copy(source, target, *args)

    monkeypatch.setattr(shutil, "copyfileobj", copy_until_the_disk_is_full)
    assert main(["restore", str(backed_up), "--data", str(target)]) == 2
    assert "磁盘空间不足" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["restored"] and list(target.iterdir()) == []


def test_a_bucket_is_not_a_restore_target(backed_up, capsys):
    assert main(["restore", str(backed_up), "--data", "s3://socialwork/yunxi"]) == 2
    assert "publish --to s3://socialwork/yunxi" in capsys.readouterr().err
