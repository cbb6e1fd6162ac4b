"""Who may do what: the roles, what each may do, and the server tables that keep accounts' roles and the audit log.

One role model for viewing, importing, follow-ups and (issue 31) the reporting workflow. Passwords stay in the users
file ($SOCIALWORK_AUTH_FILE, bcrypt); a role and its unit live in the server database (serverdb.py derives its tables
from the declarations below), so that every replica reads the same role at once, a change is logged in the same
transaction as the change, a backup's dump carries them, and issue 31's drafts can refer to the same unit codes.
docs/roles.md explains the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from socialwork.data.contract.schema import Column, Enum, Table

ROLE = Enum(
    "role",
    "角色",
    {"viewer": "查看者", "reporter": "填报员", "reviewer": "审核员", "admin": "管理员"},
)
VIEWER, REPORTER, REVIEWER, ADMIN = ROLE.codes
UNIT_ROLES = (REPORTER,)  # a role that belongs to one reporting unit (a township or a department) and acts for it


@dataclass(frozen=True)
class Permission:
    """An action, worded for a refusal, and the roles that may take it; `own_unit` roles only for their own unit."""

    label: str
    roles: tuple[str, ...]
    own_unit: tuple[str, ...] = ()


EVERYONE = ROLE.codes
# Actions marked (issue 31) have no page yet: they are declared so that the reporting workflow checks the same table.
PERMISSIONS: dict[str, Permission] = {
    "view": Permission("查看看板", EVERYONE),
    "export": Permission("下载和导出", EVERYONE),
    "import": Permission("导入全县月度数据", (REVIEWER, ADMIN)),
    "followup_write": Permission("记录会议和督办事项", (REVIEWER, ADMIN)),
    "part_read": Permission("查看单位填报数据", (REPORTER, REVIEWER, ADMIN), own_unit=(REPORTER,)),  # issue 31
    "part_write": Permission("填报和提交单位数据", (REPORTER, ADMIN), own_unit=(REPORTER,)),  # issue 31
    "part_review": Permission("审核、退回和发布上报数据", (REVIEWER, ADMIN)),  # issue 31
    "audit_read": Permission("查看和导出审计日志", (ADMIN,)),
    "manage_roles": Permission("修改账号角色", (ADMIN,)),
}

AUDIT_ACTION = Enum(
    "audit_action",
    "审计操作",
    {
        "login": "登录",
        "login_failed": "登录失败",
        "logout": "退出登录",
        "session_expired": "登录超时",
        "denied": "无权操作",
        "import": "导入数据",
        "export": "下载导出",
        "role_change": "角色变更",
    },
)
COMMAND_LINE = "（命令行）"  # who acts when a command is run on the server (whoever holds a shell there is trusted)
UNKNOWN_USER = "（不存在的用户名）"  # a failed login's typed name is kept only when it is an account's

ACCOUNT_ROLES = Table(
    "account_roles",
    "账号角色",
    "The role of each login of the users file, and its reporting unit for a 填报员. A login without a row is a viewer.",
    (
        Column("username", "VARCHAR", "账号", "The login's user name in the users file."),
        Column("role", "VARCHAR", "角色", "What the login may do (docs/roles.md).", enum=ROLE),
        Column(
            "unit_code", "VARCHAR", "单位代码", "A 填报员's unit: a township's or a department's code.", nullable=True
        ),
        Column("changed_at", "VARCHAR", "变更时间", "When the role was last set."),
        Column("changed_by", "VARCHAR", "变更人账号", "The login (or the command line) that set it."),
    ),
    key=("username",),
)

AUDIT_LOG = Table(
    "audit_log",
    "审计日志",
    "Who did what and when: logins, failed logins, imports, exports and role changes. The object names a snapshot "
    "date, a file or an account, never anyone on the registers.",
    (
        Column("audit_id", "INTEGER", "记录编号", "Assigned by the store.", minimum=1),
        Column("logged_at", "VARCHAR", "时间", "Beijing time, ISO text."),
        Column("username", "VARCHAR", "账号", "The login, or what stands for it (命令行, 不存在的用户名)."),
        Column("action", "VARCHAR", "操作", "What was done.", enum=AUDIT_ACTION),
        Column("object", "VARCHAR", "对象", "What it was done to: a date, a file name, an account.", nullable=True),
    ),
    key=("audit_id",),
)

ACCESS_TABLES: tuple[Table, ...] = (ACCOUNT_ROLES, AUDIT_LOG)
