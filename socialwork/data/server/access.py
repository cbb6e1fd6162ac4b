"""The one permission check, and accounts' roles kept in the server database.

Every write path asks `require(account, action, unit)` before it writes (the import page's confirm, each follow-up
write, a role change; issue 31's drafts the same way), so a page that forgot to hide a button still cannot write.
The table of who may do what is data in the contract (`PERMISSIONS` in access_tables.py); docs/roles.md words it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from socialwork.data.contract.access_tables import PERMISSIONS, ROLE, UNIT_ROLES, VIEWER
from socialwork.data.server import audit, serverdb
from socialwork.data.server.serverdb import ACCOUNT_ROLES

UNIT_CODE = re.compile(r"^[0-9A-Za-z_-]{1,40}$")  # a township's division code, or a department's short code


class AccessDenied(Exception):
    """The account may not take this action (or not for this unit), worded in Chinese."""


class RoleError(Exception):
    """A role or unit that cannot be set, worded in Chinese."""


@dataclass(frozen=True)
class Account:
    """Who acts: a login of the users file with its role and, for a 填报员, its unit (never anyone on the registers)."""

    username: str
    display_name: str
    role: str
    unit_code: str | None = None

    @property
    def role_label(self) -> str:
        return ROLE.label_of(self.role)


def can(account: Account | None, action: str, unit: str | None = None) -> bool:
    """Whether the account may take the action; for a role bound to its unit, only on that unit (`unit`)."""
    permission = PERMISSIONS[action]  # an unknown action is a programming error, never a silent yes
    if account is None or account.role not in permission.roles:
        return False
    if account.role in permission.own_unit:
        return account.unit_code is not None and unit == account.unit_code
    return True


def refusal(account: Account | None, action: str, unit: str | None = None) -> str:
    """Why `can` said no, naming the account, its role and the action."""
    permission = PERMISSIONS[action]
    if account is None:
        return f"“{permission.label}”需要先登录"
    if account.role in permission.roles:
        return (f"账号 {account.username}（{account.role_label}，单位 {account.unit_code or '未指定'}）只能为本单位"
                f"{permission.label}，不能为单位 {unit or '（未指定）'}")  # fmt: skip
    allowed = "、".join(ROLE.label_of(role) for role in permission.roles)
    return f"账号 {account.username} 的角色是{account.role_label}，不能{permission.label}（需要{allowed}角色）"


def require(account: Account | None, action: str, unit: str | None = None) -> None:
    """AccessDenied unless `can`: the check every write path makes before it writes."""
    if not can(account, action, unit):
        raise AccessDenied(refusal(account, action, unit))


def role_code(text: str) -> str:
    """A role given as its code (reviewer) or its Chinese label (审核员)."""
    by_label = {label: code for code, label in ROLE.labels.items()}
    code = by_label.get(text.strip(), text.strip())
    if code not in ROLE.codes:
        choices = "、".join(f"{label}（{code}）" for code, label in ROLE.labels.items())
        raise RoleError(f"没有角色“{text}”，可选：{choices}")
    return code


def checked_unit(role: str, unit_code: str | None) -> str | None:
    """A 填报员 needs its unit; the county's roles act for every unit and take none."""
    unit = (unit_code or "").strip() or None
    if role in UNIT_ROLES and unit is None:
        raise RoleError(f"{ROLE.label_of(role)}必须指定所属单位（--unit 乡镇代码或部门代码）")
    if role not in UNIT_ROLES and unit is not None:
        raise RoleError(f"{ROLE.label_of(role)}面向全县，不属于某个单位，请去掉 --unit")
    if unit is not None and not UNIT_CODE.match(unit):
        raise RoleError(f"单位代码“{unit}”无效：只能包含字母、数字、下划线和连字符（最多 40 个字符）")
    return unit


class Roles:
    """The accounts' roles of one server database (an SQLAlchemy URL)."""

    def __init__(self, url: str, clock: Callable[[], datetime] = audit.now_in_beijing) -> None:
        self.url, self.clock = url, clock

    def role_of(self, username: str) -> tuple[str, str | None]:
        """(role, unit) of a login; a login without a role is a viewer."""
        with serverdb.transaction(self.url, writing=False, clock=self.clock) as con:
            row = con.execute(sa.select(ACCOUNT_ROLES).where(ACCOUNT_ROLES.c.username == username)).first()
        return (VIEWER, None) if row is None else (row.role, row.unit_code)

    def account(self, username: str, display_name: str) -> Account:
        role, unit = self.role_of(username)
        return Account(username, display_name, role, unit)

    def all(self) -> list[dict]:
        """Every login with a role, by user name."""
        with serverdb.transaction(self.url, writing=False, clock=self.clock) as con:
            rows = con.execute(sa.select(ACCOUNT_ROLES).order_by(ACCOUNT_ROLES.c.username)).mappings().all()
        return [dict(row) for row in rows]

    def set_role(self, username: str, role: str, unit_code: str | None, by: Account | str) -> str:
        """Give a login a role (and a 填报员 its unit), logged as a role change in the same transaction; `by` is an
        管理员's account (checked) or the command line's stand-in. Returns what changed, as the log words it."""
        if isinstance(by, Account):
            require(by, "manage_roles")
        code = role_code(role)
        unit = checked_unit(code, unit_code)
        actor = by.username if isinstance(by, Account) else by
        stamp = self.clock().isoformat(timespec="seconds")
        with serverdb.transaction(self.url, writing=True, clock=self.clock) as con:
            old = con.execute(sa.select(ACCOUNT_ROLES).where(ACCOUNT_ROLES.c.username == username)).first()
            values = {"role": code, "unit_code": unit, "changed_at": stamp, "changed_by": actor}
            con.execute(
                serverdb.upsert_insert(con, ACCOUNT_ROLES)
                .values(username=username, **values)
                .on_conflict_do_update(index_elements=["username"], set_=values)
            )
            before = _worded(old.role, old.unit_code) if old else _worded(VIEWER, None) + "（未设角色）"
            change = f"{username}：{before} → {_worded(code, unit)}"
            audit.record_in(con, stamp, actor, "role_change", change)
        return change


def _worded(role: str, unit: str | None) -> str:
    return ROLE.label_of(role) + (f"（单位 {unit}）" if unit else "")
