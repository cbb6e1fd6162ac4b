"""The command line's reporting workflow (python -m socialwork units / round …), kept here so that cli.py stays short:
the units set from the plan's defaults or an XLSX sheet, a month's round opened, its board and reminder printed, and
the month published (docs/reporting.md). Whoever runs these on the server is trusted as the 管理员 is (they hold the
files): the command line acts as a 管理员 named （命令行）and the system user, as account_commands.py does."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from socialwork.data import settings
from socialwork.data.contract.access_tables import ADMIN, COMMAND_LINE
from socialwork.data.contract.enums import SECTOR
from socialwork.data.contract.tables import TABLES_BY_NAME
from socialwork.data.reporting.city import CityReporting
from socialwork.data.reporting.records import ReportingError, Round, clock_text
from socialwork.data.reporting.rounds import Reporting
from socialwork.data.reporting.units import SHEET_NAME, Unit, UnitError, read_units_sheet, units_sheet_bytes
from socialwork.data.server.access import AccessDenied, Account
from socialwork.data.server.serverdb import SchemaError, ServerDbUnavailable
from socialwork.figures.reporting_status import reporting_of, round_progress

EXIT_USAGE = 2
DATA_HELP = f"数据目录（默认 ${settings.DATA_DIR_ENV}）；上报任务保存在它的服务器数据库中"
REFUSALS = (ReportingError, UnitError, AccessDenied, ServerDbUnavailable, SchemaError)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写作 YYYY-MM-DD，例如 2026-11-30") from None


def add_parsers(sub) -> None:
    """The subcommands, on cli.py's subparsers."""
    units = sub.add_parser("units", help="列出上报单位；--default 或 --from 设置上报单位，--sheet 导出上报单位表")
    source = units.add_mutually_exclusive_group()
    source.add_argument("--default", action="store_true", help="设为默认单位：各乡镇（街道）、方案所列部门和县本级")
    source.add_argument("--from", dest="source", type=Path, metavar="FILE.xlsx", help="从上报单位表（XLSX）读入")
    units.add_argument("--sheet", type=Path, metavar="OUT.xlsx", help="把上报单位写成 XLSX 表，修改后用 --from 读回")
    units.add_argument("--data", type=str, help=DATA_HELP)

    rounds = sub.add_parser("round", help="月度上报任务：发起、查看进度、催报、发布")
    steps = rounds.add_subparsers(dest="round_command", required=True)
    opening = steps.add_parser("open", help="发起某月的上报任务（各单位从上期已发布数据开始填报）")
    opening.add_argument("--as-of", type=_day, required=True, help="数据日期（月末），YYYY-MM-DD")
    opening.add_argument("--deadline", type=_day, required=True, help="截止日期，YYYY-MM-DD")
    status = steps.add_parser("status", help="进行中任务的各单位状态，以及已发布月份的汇总方式")
    remind = steps.add_parser("remind", help="打印催报文字（逾期和被退回待重新提交的单位），可复制到工作群")
    publish = steps.add_parser("publish", help="发布进行中的任务：写入该月快照（与导入同一原子写入）")
    choice = publish.add_mutually_exclusive_group(required=True)
    choice.add_argument("--carry-forward", action="store_true", help="未通过审核的单位沿用上月数据，并在该月注明")
    choice.add_argument("--refuse-missing", action="store_true", help="有单位未通过审核时不发布")
    publish.add_argument("--replace", action="store_true", help="该月快照已存在时替换（原快照保留备份）")
    county = steps.add_parser(
        "submit-county", help="市级：把某县已发布的该月数据报送到市里的上报任务（--data 为市的数据目录）"
    )
    county.add_argument("county_store", type=str, help="该县自己的数据目录或 s3://存储桶/前缀（含其已发布的月份）")
    for step in (opening, status, remind, publish, county):
        step.add_argument("--data", type=str, help=DATA_HELP)


def operator() -> Account:
    """The command line as the trusted operator: a 管理员 named （命令行）and the system user."""
    return Account(f"{COMMAND_LINE}{getpass.getuser()}", "命令行", ADMIN)


def _flow(args: argparse.Namespace) -> Reporting:
    return reporting_of(settings.data_dir(args.data))


def _refused(err: Exception) -> int:
    print(f"错误：{err}", file=sys.stderr)
    return EXIT_USAGE


# ---------------------------------------------------------------- units


def unit_scope(unit: Unit) -> str:
    """What a unit reports, in words: its township's rows, its sectors' posts, its purchases, its whole tables."""
    parts = []
    if unit.kind == "township":
        parts.append("本乡镇（街道）各表数据")
    if unit.sectors:
        parts.append("岗位：" + "、".join(SECTOR.label_of(code) for code in unit.sectors))
    if unit.purchase_departments:
        parts.append("购买服务：" + "、".join(unit.purchase_departments))
    if unit.whole_tables:
        parts.append("整表：" + "、".join(TABLES_BY_NAME[name].label for name in unit.whole_tables))
    if unit.kind == "county_office":
        parts.append("其余各表数据（年度目标、实施步骤等）")
    return "；".join(parts)


def units_command(args: argparse.Namespace) -> int:
    flow = _flow(args)
    try:
        if args.default:
            units = flow.set_units(flow.default_units(), operator())
            print(f"已设为默认上报单位，共 {len(units)} 个")
        elif args.source is not None:
            units = read_units_sheet(args.source.read_bytes(), args.source.name)
            units = flow.set_units(units, operator())
            print(f"已从 {args.source} 读入上报单位，共 {len(units)} 个")
        else:
            units = flow.units()
        if args.sheet is not None:
            args.sheet.write_bytes(units_sheet_bytes(units or flow.default_units()))
            what = "上报单位" if units else "默认上报单位（尚未设置，修改后用 units --from 读入）"
            print(f"已写出{what}表：{args.sheet}（工作表“{SHEET_NAME}”）")
    except REFUSALS as err:
        return _refused(err)
    if not units:
        print("还没有设置上报单位：用 units --default 设为默认单位，或 units --from 上报单位表.xlsx 读入")
        return 0
    for unit in units:
        print("\t".join([unit.code, unit.name, unit.kind_label, unit_scope(unit)]))
    return 0


# ---------------------------------------------------------------- rounds


def _open_round(flow: Reporting) -> Round:
    current = flow.current_round()
    if current is None:
        raise ReportingError("没有进行中的上报任务：请先用 round open --as-of 日期 --deadline 日期 发起")
    return current


def round_open(args: argparse.Namespace) -> int:
    this = _flow(args).open_round(operator(), args.as_of, args.deadline)
    print(f"已发起 {this.as_of} 的上报任务（编号 {this.round_id}），截止 {this.deadline}；各单位从 {this.base_date} "
          "的已发布数据开始填报")  # fmt: skip
    return 0


def status_lines(flow: Reporting) -> list[str]:
    """The open round's board (unit, state, last update) and how each published month was assembled."""
    lines = []
    current = flow.current_round()
    if current is None:
        lines.append("没有进行中的上报任务")
    else:
        progress = round_progress(flow.data)
        lines.append(f"{current.as_of} 上报任务（编号 {current.round_id}，截止 {current.deadline}）")
        if progress is not None:
            lines.append(progress.text())
        for status in flow.board(current.round_id):
            updated = f"{clock_text(status.updated_at)} {status.updated_by}" if status.updated_at else "—"
            reason = f"\t退回原因：{status.return_reason}" if status.state == "returned" else ""
            lines.append("\t".join([status.unit.name, status.label, updated]) + reason)
    published = [r for r in flow.rounds() if not r.is_open]
    if published:
        lines += ["", "已发布的月份："]
        for this in sorted(published, key=lambda r: r.as_of):
            assembly = flow.assembly(this.as_of)
            how = assembly.text() if assembly is not None else ""
            lines.append(f"{this.as_of}（{clock_text(this.published_at)} 由 {this.published_by} 发布）\t{how}")
    return lines


def round_status(args: argparse.Namespace) -> int:
    print("\n".join(status_lines(_flow(args))))
    return 0


def round_remind(args: argparse.Namespace) -> int:
    flow = _flow(args)
    text = flow.overdue_reminder(_open_round(flow).round_id)
    print(text or "没有逾期或被退回待重新提交的单位，无需催报")
    return 0


def round_publish(args: argparse.Namespace) -> int:
    flow = _flow(args)
    this = _open_round(flow)
    published = flow.publish(operator(), this.round_id, carry_forward=args.carry_forward, replace=args.replace)
    print(f"已发布 {published.as_of} 快照：{sum(published.rows.values())} 行数据")
    assembly = flow.assembly(published.as_of)
    if assembly is not None:
        print(assembly.text())
    return 0


def round_submit_county(args: argparse.Namespace) -> int:
    flow = _flow(args)
    if not isinstance(flow, CityReporting):
        raise ReportingError(
            f"{flow.data} 不是多县数据目录：submit-county 把县的月份报送到市里，--data 应为市的数据目录"
        )
    this = _open_round(flow)
    status = flow.submit_county_month(operator(), this.round_id, settings.data_dir(args.county_store))
    print(f"已报送 {status.unit.name} {this.as_of} 的数据，等待市审核员审核")
    return 0


ROUND_STEPS = {"open": round_open, "status": round_status, "remind": round_remind, "publish": round_publish,
               "submit-county": round_submit_county}  # fmt: skip


def round_command(args: argparse.Namespace) -> int:
    try:
        return ROUND_STEPS[args.round_command](args)
    except REFUSALS as err:
        return _refused(err)


COMMANDS = {"units": units_command, "round": round_command}
