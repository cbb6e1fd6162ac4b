"""python -m socialwork backup / restore: the command line of socialwork/data/backup/ (dispatched from cli.py)."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from socialwork.data import settings
from socialwork.data.backup import restoring, taking
from socialwork.data.backup.archive import BackupError
from socialwork.data.server import portable, serverdb
from socialwork.data.server.serverdb import DB_ENV, SchemaError
from socialwork.data.storage.location import is_bucket_url

EXIT_USAGE = 2
ARCHIVE_PREFIX = "socialwork-backup-"
DATED_ARCHIVE = re.compile(rf"^{ARCHIVE_PREFIX}\d{{8}}-\d{{6}}\.tar$")
# What a backup killed before its rename leaves (archive.write's temporary name); an hour old, no backup is writing it.
DATED_PARTIAL = re.compile(rf"^\.{ARCHIVE_PREFIX}\d{{8}}-\d{{6}}\.tar\.[0-9a-f]{{32}}\.partial$")
STALE_PARTIAL_SECONDS = 3600
DATA_HELP = f"数据目录或 s3://存储桶/前缀（默认 ${settings.DATA_DIR_ENV}）"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser(
        "backup", help="备份：快照、县域信息、服务器数据库（督办事项、登录失败记录）写成一个归档文件（.tar）"
    )
    backup.add_argument("--data", type=str, help=DATA_HELP)
    where = backup.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--out", type=Path, help="归档文件路径，例如 /var/backups/socialwork/2026-11-30.tar")
    where.add_argument(
        "--into", type=Path, help=f"归档文件夹：写入带日期的 {ARCHIVE_PREFIX}YYYYMMDD-HHMMSS.tar（供定时备份）"
    )
    backup.add_argument("--keep", type=int, help="与 --into 同用：只保留最近 N 个带日期的归档，更早的删除")
    restore = sub.add_parser("restore", help="从 backup 的归档恢复到空的数据目录（及空的服务器数据库）")
    restore.add_argument("archive", type=Path, help="backup 写出的归档文件")
    restore.add_argument("--data", type=str, required=True, help="恢复到的数据目录：须为空文件夹或尚不存在")


def dated_name(now: datetime) -> str:
    """e.g. socialwork-backup-20261130-020000.tar: names sort as their times do."""
    return f"{ARCHIVE_PREFIX}{now.strftime('%Y%m%d-%H%M%S')}.tar"


def keep_newest(folder: Path, keep: int) -> list[Path]:
    """Remove the dated archives in folder beyond the newest `keep`, and what killed backups left there; what was
    removed. Other files are left alone."""
    dated = sorted(path for path in folder.iterdir() if DATED_ARCHIVE.match(path.name))
    removed = dated[: max(len(dated) - keep, 0)]
    removed += [path for path in folder.iterdir() if DATED_PARTIAL.match(path.name)
                and time.time() - path.stat().st_mtime > STALE_PARTIAL_SECONDS]  # fmt: skip
    for path in removed:
        path.unlink()
    return removed


def run_backup(args: argparse.Namespace) -> int:
    if args.keep is not None and (args.into is None or args.keep < 1):
        print("错误：--keep 须与 --into 同用，且至少为 1", file=sys.stderr)
        return EXIT_USAGE
    now = datetime.now().astimezone()
    out = args.out or args.into / dated_name(now)
    from socialwork.present.staff.auth import auth_file  # the users file is recorded, never copied (taking.py)

    data = settings.data_dir(args.data)
    try:
        manifest = taking.take(data, out, auth_file(), lambda: now)
    except (BackupError, SchemaError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    except sa.exc.SQLAlchemyError as err:
        print(f"错误：{_unreachable(serverdb.server_url(data), err)}；备份未写成，数据目录未改动", file=sys.stderr)
        return EXIT_USAGE
    files = [name for name in manifest["files"] if name.startswith("store/")]
    rows = (manifest["server"] or {}).get("rows", {})
    size = out.resolve().stat().st_size
    print(f"已写入备份 {out.resolve()}（{size // 1024} KB）：数据目录 {len(files)} 个文件，"
          f"服务器数据库 {len(rows)} 张表 {sum(rows.values())} 行")  # fmt: skip
    users_entry = manifest["users_file"]
    if users_entry:
        print(f"  登录配置文件（含密码哈希）未放入备份，只记录路径与校验和：{users_entry['path']}；请随 /etc 另行备份")
    if args.keep:
        for path in keep_newest(args.into.resolve(), args.keep):
            print(f"  已删除较早的备份：{path.name}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    if is_bucket_url(args.data):
        print(
            f"错误：restore 只恢复到本地的空文件夹；恢复后用 python -m socialwork publish --to {args.data} "
            "--data 该文件夹 发布到对象存储",
            file=sys.stderr,
        )
        return EXIT_USAGE
    db_url = os.environ.get(DB_ENV) or None
    try:
        restored = restoring.restore(args.archive, Path(args.data), db_url)
    except (BackupError, SchemaError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    except sa.exc.SQLAlchemyError as err:
        print(f"错误：{_unreachable(db_url or '', err)}；未恢复任何数据", file=sys.stderr)
        return EXIT_USAGE
    print(f"已从 {args.archive} 恢复 {restored.files} 个文件到 {restored.target}")
    print(f"  服务器数据库（{restored.database}）：{len(restored.rows)} 张表 {sum(restored.rows.values())} 行")
    if restored.users_file:
        print(f"  登录配置文件不在备份中：请确认 {restored.users_file} 存在，或用 add-user 重新添加用户")
    return 0


def _unreachable(url: str, err: sa.exc.SQLAlchemyError) -> str:
    """The server database failing, in Chinese, without its password or the driver's text (which may quote rows)."""
    where = portable.shown_url(url) if url else "服务器数据库"
    return f"服务器数据库 {where} 无法读写（{type(err.orig or err).__name__}），请检查它是否在运行、{DB_ENV} 是否正确"


COMMANDS = {"backup": run_backup, "restore": run_restore}
