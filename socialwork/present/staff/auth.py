"""Login for data staff: users with bcrypt-hashed passwords in a TOML file kept outside the repository.

    [users.zhang]
    display_name = "数据员小张"
    password_hash = "$2b$12$..."

The file is named by $SOCIALWORK_AUTH_FILE; without it the import page is not offered at all.
`python -m socialwork add-user NAME --role 审核员` adds or changes a user; a weak password is refused
(password_problem). The file holds passwords only: a login's role and unit are kept in the server database
(access.Roles, docs/roles.md), and every login, failed login and role change goes to its audit log.
"""

from __future__ import annotations

import grp
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import bcrypt

from socialwork.data import settings
from socialwork.data.contract.access_tables import UNKNOWN_USER
from socialwork.data.server import lockouts, serverdb
from socialwork.data.server.access import Account, Roles
from socialwork.data.server.audit import AuditLog
from socialwork.data.server.lockouts import LockedOut, LoginAttempts
from socialwork.data.server.serverdb import UNREADABLE, ServerDbUnavailable
from socialwork.data.storage.layout import DEMO_USERS_FILE, is_demo

AUTH_FILE_ENV = "SOCIALWORK_AUTH_FILE"
USERNAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # a bare TOML key: no dots, no quotes
MAX_PASSWORD_BYTES = 72  # bcrypt's limit
MIN_PASSWORD_LENGTH = 10
# Passwords of 10 or more characters that are tried first when guessing (lists of leaked passwords, Chinese
# favourites, keyboard rows, this office's words); compared in lower case. Short ones fail the length rule.
COMMON_PASSWORDS = frozenset({
    "password12", "password123", "password1234", "passw0rd123", "p@ssw0rd123", "1234567890", "0123456789",
    "0987654321", "1234567890a", "123456789a", "a123456789", "a1234567890", "aa123456789", "abc1234567",
    "abcd123456", "abcd1234567", "123456789abc", "12345678910", "1111111111", "1234512345", "1122334455",
    "1314520520", "5201314520", "5211314521", "woaini1314", "woaini5201314", "iloveyou12", "iloveyou123",
    "qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "1q2w3e4r5t", "1qaz2wsx3edc", "1qaz2wsx3e",
    "qwer123456", "asdfghjkl1", "asdfghjkl123", "zxcvbnm123", "zxcvbnm1234", "admin12345", "admin123456",
    "admin@12345", "administrator", "root123456", "welcome123", "welcome1234", "changeme123", "letmein123",
    "test123456", "shegong123", "shegong1234", "shegong12345", "minzheng123", "minzhengju", "socialwork",
    "socialwork1", "socialwork123", "mingzheng123"
})  # fmt: skip


class AuthError(Exception):
    """A login configuration problem, worded in Chinese."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    password_hash: str


def auth_file() -> Path | None:
    """$SOCIALWORK_AUTH_FILE; for the built-in demo without it, the demo's own accounts (README: 演示账号)."""
    value = os.environ.get(AUTH_FILE_ENV)
    if value:
        return Path(value).expanduser()
    data = settings.data_dir()
    if is_demo(data) and (data / DEMO_USERS_FILE).exists():
        return data / DEMO_USERS_FILE
    return None


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


LOCKOUT_AFTER = lockouts.LOCKOUT_AFTER  # failed logins in a row for one username …
LOCKOUT_SECONDS = lockouts.LOCKOUT_SECONDS  # … lock it for this long, on every replica (read at each login)


def server_url(data_dir: str | None = None) -> str:
    """The server database of the store being served ($SOCIALWORK_DB, else SQLite beside the snapshots; beside the
    read-only demo a file in the temp folder): failed logins, roles and the audit log, shared by every replica."""
    data = settings.data_dir(data_dir)
    return serverdb.login_url(data, read_only=is_demo(data))


def login_attempts() -> LoginAttempts:
    """The failed-login counts of the store being served, so that every replica sees every attempt."""
    return LoginAttempts(server_url(), after=LOCKOUT_AFTER, seconds=LOCKOUT_SECONDS)


def roles() -> Roles:
    return Roles(server_url())


def audit_log() -> AuditLog:
    return AuditLog(server_url())


def locked_for(username: str) -> int:
    """Seconds the username must still wait after too many failed logins (0 = may try)."""
    return login_attempts().locked_for(username.strip())


def login(users: dict[str, User], username: str, password: str) -> Account | None:
    """The account (with its role) when the password is right, else None; every outcome goes to the audit log.

    Failures are counted: after LOCKOUT_AFTER in a row the username waits LOCKOUT_SECONDS, and during the wait even
    the right password is refused (AuthError). Each attempt is counted before its password is checked
    (lockouts.LoginAttempts.reserve). A failed login logs the typed name only when it is an account's (a clerk who
    types something else there, say a number, leaves no trace of it)."""
    name = username.strip()
    shown = name if name in users else UNKNOWN_USER
    try:
        login_attempts().reserve(name)
        user = authenticate(users, name, password)
        if user is None:
            audit_log().record(shown, "login_failed", "用户名或密码不正确")
            return None
        login_attempts().clear(name)
        account = roles().account(user.username, user.display_name)
    except LockedOut as err:
        audit_log().record(shown, "login_failed", "登录失败次数过多，已锁定")
        raise AuthError(str(err)) from err
    except ServerDbUnavailable as err:  # a login that cannot be counted is refused: a lockout must hold
        raise AuthError(f"暂时无法登录：失败登录次数{UNREADABLE}，请稍后重试") from err
    audit_log().record(account.username, "login", account.role_label)
    return account


def password_problem(username: str, password: str) -> str | None:
    """Why a data-staff password is too weak, in Chinese; None when it will do.

    Kept simple on purpose: at least MIN_PASSWORD_LENGTH characters, not one character repeated, not the
    username, and not in COMMON_PASSWORDS (ignoring case).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码太短：至少需要 {MIN_PASSWORD_LENGTH} 个字符"
    if len(set(password)) == 1:
        return "密码不能由同一个字符重复组成"
    if password.casefold() == username.casefold():
        return "密码不能与用户名相同"
    if password.casefold() in COMMON_PASSWORDS:
        return "密码过于常见，容易被猜中，请换一个"
    return None


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def save_user(path: Path, username: str, display_name: str, password: str, group: str | None = None) -> None:
    """Add or replace a user in the auth file; a weak password is refused. A new file is readable by its owner alone
    (0600), or also by `group` (0640: the service's group, so that the dashboard running as the service user reads
    it while only root writes it); a file rewritten keeps its mode and group unless `group` is given."""
    if not USERNAME.match(username):
        raise AuthError("用户名只能包含字母、数字、下划线和连字符（最多 32 个字符）")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise AuthError(f"密码过长：最多 {MAX_PASSWORD_BYTES} 字节（约 24 个汉字）")
    weak = password_problem(username, password)
    if weak:
        raise AuthError(weak)
    users = load_users(path) if path.exists() else {}
    users[username] = User(username, display_name, hash_password(password))
    lines = []
    for user in users.values():  # json.dumps writes a valid TOML basic string, escapes included
        lines += [f"[users.{user.username}]", f"display_name = {json.dumps(user.display_name, ensure_ascii=False)}",
                  f"password_hash = {json.dumps(user.password_hash)}", ""]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    mode, gid = _file_access(path, group)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
        try:
            if gid is not None:
                os.fchown(handle.fileno(), -1, gid)
            os.fchmod(handle.fileno(), mode)
        except OSError as err:
            os.unlink(temporary)
            raise AuthError(f"无法把登录配置文件 {path} 交给用户组 {group or gid} 读取：{err.strerror}") from err
    os.replace(temporary, path)


def _file_access(path: Path, group: str | None) -> tuple[int, int | None]:
    """The auth file's mode and group id to write it with: `group`'s (0640), else the existing file's, else the
    owner's alone (0600). Never readable or writable by others, whatever the file had."""
    if group is not None:
        try:
            return 0o640, grp.getgrnam(group).gr_gid
        except KeyError as err:
            raise AuthError(f"用户组 {group} 不存在；请先创建服务用户（见 docs/setup.md 的 Run as a service）") from err
    if path.exists():
        found = path.stat()
        return stat.S_IMODE(found.st_mode) & 0o640, found.st_gid
    return 0o600, None
