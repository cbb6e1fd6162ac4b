"""Login for data staff: users with bcrypt-hashed passwords in a TOML file kept outside the repository.

    [users.zhang]
    display_name = "数据员小张"
    password_hash = "$2b$12$..."

The file is named by $SOCIALWORK_AUTH_FILE; without it the import page is not offered at all.
`python -m socialwork add-user NAME` adds or changes a user.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import bcrypt

AUTH_FILE_ENV = "SOCIALWORK_AUTH_FILE"
USERNAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # a bare TOML key: no dots, no quotes
MAX_PASSWORD_BYTES = 72  # bcrypt's limit


class AuthError(Exception):
    """A login configuration problem, worded in Chinese."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    password_hash: str


def auth_file() -> Path | None:
    value = os.environ.get(AUTH_FILE_ENV)
    return Path(value).expanduser() if value else None


def load_users(path: Path | None = None) -> dict[str, User]:
    """Users of the auth file; empty when login is not configured."""
    path = path or auth_file()
    if path is None:
        return {}
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise AuthError(f"无法读取登录配置文件 {path}：{err}") from err
    users = {}
    entries = config.get("users", {})
    if not isinstance(entries, dict):
        raise AuthError(f"登录配置文件 {path} 格式错误：users 应为表")
    for name, entry in entries.items():
        if not isinstance(entry, dict) or "password_hash" not in entry:
            raise AuthError(f"登录配置文件 {path} 中用户“{name}”缺少 password_hash")
        users[name] = User(name, entry.get("display_name", name), entry["password_hash"])
    return users


def login_configured() -> bool:
    try:
        return bool(load_users())
    except AuthError:
        return False


@cache
def _dummy_hash() -> bytes:
    """A hash of the default cost, so an unknown user takes as long to refuse as a known one."""
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt())


def authenticate(users: dict[str, User], username: str, password: str) -> User | None:
    """The user when the password matches its bcrypt hash; None otherwise (same time either way)."""
    user = users.get(username.strip())
    secret = password.encode()[:MAX_PASSWORD_BYTES]
    try:
        matches = bcrypt.checkpw(secret, user.password_hash.encode() if user else _dummy_hash())
    except (ValueError, TypeError, AttributeError):  # a damaged hash in the file refuses, never crashes
        return None
    return user if user and matches else None


LOCKOUT_AFTER = 5  # failed logins in a row for one username …
LOCKOUT_SECONDS = 300  # … lock it for this long (per server process)
_failures: dict[str, tuple[int, float]] = {}
_failures_lock = threading.Lock()


def locked_for(username: str) -> int:
    """Seconds the username must still wait after too many failed logins (0 = may try)."""
    with _failures_lock:
        count, since = _failures.get(username.strip(), (0, 0.0))
    remaining = since + LOCKOUT_SECONDS - time.monotonic()
    return int(remaining) + 1 if count >= LOCKOUT_AFTER and remaining > 0 else 0


def login(users: dict[str, User], username: str, password: str) -> User | None:
    """authenticate, counting failures: after LOCKOUT_AFTER in a row the username waits LOCKOUT_SECONDS."""
    name = username.strip()
    if locked_for(name):
        raise AuthError(f"登录失败次数过多，请 {locked_for(name)} 秒后再试")
    user = authenticate(users, name, password)
    with _failures_lock:
        if user:
            _failures.pop(name, None)
        else:
            count, _ = _failures.get(name, (0, 0.0))
            _failures[name] = (count + 1, time.monotonic())
    return user


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def save_user(path: Path, username: str, display_name: str, password: str) -> None:
    """Add or replace a user in the auth file (created with owner-only permissions)."""
    if not USERNAME.match(username):
        raise AuthError("用户名只能包含字母、数字、下划线和连字符（最多 32 个字符）")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise AuthError(f"密码过长：最多 {MAX_PASSWORD_BYTES} 字节（约 24 个汉字）")
    users = load_users(path) if path.exists() else {}
    users[username] = User(username, display_name, hash_password(password))
    lines = []
    for user in users.values():  # json.dumps writes a valid TOML basic string, escapes included
        lines += [f"[users.{user.username}]", f"display_name = {json.dumps(user.display_name, ensure_ascii=False)}",
                  f"password_hash = {json.dumps(user.password_hash)}", ""]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    os.replace(temporary, path)
