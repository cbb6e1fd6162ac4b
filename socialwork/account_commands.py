"""The command line's accounts (python -m socialwork add-user / set-role / roles), kept here so that cli.py stays
short. The password goes to the users file; the role and unit to the server database, with the change in its
audit log (docs/roles.md). Whoever runs these on the server is trusted as the 管理员 is: they hold the files."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from socialwork.data import settings
from socialwork.data.contract.access_tables import COMMAND_LINE, ROLE
from socialwork.data.server.access import RoleError, Roles, checked_unit, role_code
from socialwork.data.server.audit import AuditLog
from socialwork.present.staff.auth import (
    MIN_PASSWORD_LENGTH,
    AuthError,
    auth_file,
    load_users,
    password_problem,
    save_user,
    server_url,
)

EXIT_USAGE = 2
ROLE_HELP = "角色：" + "、".join(f"{label}（{code}）" for code, label in ROLE.labels.items())


def add_parsers(sub) -> None:
    """The subcommands, on cli.py's subparsers."""
    user = sub.add_parser("add-user", help="添加用户或修改其密码（密码以 bcrypt 哈希保存；可同时设定角色）")
    user.add_argument("username", help="用户名（字母、数字、_.-）")
    user.add_argument("--display-name", help="显示名称")
    user.add_argument("--role", help=f"{ROLE_HELP}；新用户不指定时为查看者，已有用户不指定时角色不变")
    user.add_argument("--unit", help="填报员所属单位的代码（乡镇代码或部门代码）")
    user.add_argument("--auth-file", type=Path, help="登录配置文件（默认 $SOCIALWORK_AUTH_FILE）")
    user.add_argument("--group", help="让该用户组可读登录配置文件（0640），例如服务用户组 socialwork")
    user.add_argument("--data", type=str, help=f"数据目录，其服务器数据库保存角色（默认 ${settings.DATA_DIR_ENV}）")

    role = sub.add_parser("set-role", help="修改用户的角色（及填报员所属单位），记入审计日志")
    role.add_argument("username", help="用户名（须在登录配置文件中）")
    role.add_argument("role", help=ROLE_HELP)
    role.add_argument("--unit", help="填报员所属单位的代码（乡镇代码或部门代码）")
    role.add_argument("--auth-file", type=Path, help="登录配置文件（默认 $SOCIALWORK_AUTH_FILE）")
    role.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV}）")

    listing = sub.add_parser("roles", help="列出登录配置文件中的用户及其角色")
    listing.add_argument("--auth-file", type=Path, help="登录配置文件（默认 $SOCIALWORK_AUTH_FILE）")
    listing.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV}）")


def _auth_path(args: argparse.Namespace) -> Path | None:
    path = args.auth_file or auth_file()
    if path is None:
        print("错误：请用 --auth-file 指定登录配置文件，或设置环境变量 SOCIALWORK_AUTH_FILE", file=sys.stderr)
    return path


def _actor() -> str:
    return f"{COMMAND_LINE}{getpass.getuser()}"


def log_command(data: str | None, action: str, obj: str) -> None:
    """An import or export run on the server, in the audit log of its store's server database, as the command line
    and the system user."""
    AuditLog(server_url(data)).record(_actor(), action, obj)


def add_user(args: argparse.Namespace) -> int:
    path = _auth_path(args)
    if path is None:
        return EXIT_USAGE
    roles = Roles(server_url(args.data))
    if args.role is None and args.unit:
        print("错误：--unit 只能与 --role 填报员 一起使用", file=sys.stderr)
        return EXIT_USAGE
    password = getpass.getpass(f"密码（至少 {MIN_PASSWORD_LENGTH} 个字符，勿用常见密码）：")
    weak = password_problem(args.username, password)
    if weak:
        print(f"错误：{weak}", file=sys.stderr)
        return EXIT_USAGE
    if password != getpass.getpass("再次输入密码："):
        print("错误：两次输入的密码不一致", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.role is not None:  # checked before the password is saved: a wrong role leaves nothing half done
            checked_unit(role_code(args.role), args.unit)
        known = load_users(path).get(args.username) if path.exists() else None  # a new password keeps the name
        save_user(
            path,
            args.username,
            args.display_name or (known.display_name if known else args.username),
            password,
            group=args.group,
        )
        change = roles.set_role(args.username, args.role, args.unit, _actor()) if args.role else None
    except (AuthError, RoleError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    role, unit = roles.role_of(args.username)
    print(f"已保存用户 {args.username} 到 {path}；角色：{ROLE.label_of(role)}" + (f"（单位 {unit}）" if unit else ""))
    if change:
        print(f"已记入审计日志：{change}")
    return 0


def set_role(args: argparse.Namespace) -> int:
    path = _auth_path(args)
    if path is None:
        return EXIT_USAGE
    try:
        if args.username not in load_users(path):
            print(f"错误：登录配置文件 {path} 中没有用户“{args.username}”，请先用 add-user 添加", file=sys.stderr)
            return EXIT_USAGE
        change = Roles(server_url(args.data)).set_role(args.username, args.role, args.unit, _actor())
    except (AuthError, RoleError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    print(f"已修改角色并记入审计日志：{change}")
    return 0


def list_roles(args: argparse.Namespace) -> int:
    path = _auth_path(args)
    if path is None:
        return EXIT_USAGE
    try:
        users = load_users(path)
    except AuthError as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    roles = Roles(server_url(args.data))
    for name, user in sorted(users.items()):
        role, unit = roles.role_of(name)
        print("\t".join([name, user.display_name, ROLE.label_of(role), unit or ""]))
    return 0


COMMANDS = {"add-user": add_user, "set-role": set_role, "roles": list_roles}
