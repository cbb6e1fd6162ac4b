"""python -m socialwork: set up a county's store, import, print the plan's KPIs, export, build the demo county."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from socialwork import account_commands, backup_commands, county_setup, reporting_commands
from socialwork.bench import commands as bench_commands
from socialwork.cluster import commands as cluster_commands
from socialwork.data import settings
from socialwork.data.storage import identity
from socialwork.data.storage.layout import StoreError
from socialwork.data.storage.layout import exists as store_exists
from socialwork.data.storage.location import Bucket
from socialwork.figures import hierarchy
from socialwork.figures.choices import FilterError, parse_as_of, township_codes, township_names
from socialwork.figures.db import QueryError
from socialwork.figures.place_filter import Places

EXIT_USAGE = 2
SCOPE_HELP = "省、市、县的区划代码（2、4 或 6 位，多县数据目录），例如 530524；与 --township 同用时在其中找乡镇（街道）"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m socialwork",
        description="县域社会工作人才专项工作数据看板（县名、方案名称取自数据目录中的 county.json）",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    county_setup.add_parsers(sub)
    backup_commands.add_parsers(sub)

    demo = sub.add_parser("demo", help="生成内置演示县的全部月度快照")
    demo.add_argument("--out", type=Path, default=settings.DEMO_DATA_DIR, help="输出目录（默认 data/demo）")

    kpis = sub.add_parser("kpis", help="打印某期快照的全部年度目标及完成情况")
    kpis.add_argument("--as-of", required=True, help="快照日期 YYYY-MM-DD")
    kpis.add_argument("--township", action="append", default=[], help="乡镇（街道）名称或代码，可重复")
    kpis.add_argument("--scope", help=SCOPE_HELP)
    kpis.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")
    kpis.add_argument("--json", action="store_true", help="以 JSON 输出")

    changes = sub.add_parser("changes", help="两期快照之间的变化（变化对比，与看板同一计算）")
    changes.add_argument(
        "--from",
        dest="from_date",
        help="较早一期的快照日期 YYYY-MM-DD（默认：上次会议审议的数据，没有会议记录时为上一期）",
    )
    changes.add_argument("--to", dest="to_date", help="较晚一期的快照日期 YYYY-MM-DD（默认：最新一期）")
    changes.add_argument("--township", action="append", default=[], help="乡镇（街道）名称或代码，可重复")
    changes.add_argument("--scope", help=SCOPE_HELP)
    changes.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")
    changes.add_argument("--json", action="store_true", help="以 JSON 输出")

    serve = sub.add_parser("serve", help="启动看板（Streamlit）")
    serve.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    serve.add_argument("--address", default="localhost", help="监听地址（默认 localhost）")
    serve.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")

    load = sub.add_parser("import", help="导入一期数据（XLSX 模板，或每表一个 CSV）为新快照")
    load.add_argument("files", type=Path, nargs="+", help="XLSX 文件，或 CSV 文件/文件夹")
    load.add_argument("--as-of", required=True, help="数据日期 YYYY-MM-DD（通常为月末）")
    load.add_argument(
        "--replace", action="store_true", help="替换同一日期的已有快照（旧快照保留在 .replaced/ 或对象存储的旧版本中）"
    )
    load.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")
    load.add_argument("--county", help="多县数据目录中本期数据所属的县：6 位县级区划代码（只写入该县的文件夹）")

    export = sub.add_parser("export", help="导出会议材料：PPTX 演示文稿、PDF 报告、XLSX 数据表、DOCX 年度总结")
    export.add_argument("--format", required=True, choices=["pptx", "pdf", "xlsx", "docx"], help="导出格式")
    export.add_argument("--as-of", required=True, help="快照日期 YYYY-MM-DD")
    export.add_argument("--township", action="append", default=[], help="乡镇（街道）名称或代码，可重复")
    export.add_argument("--scope", help=SCOPE_HELP)
    export.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")
    export.add_argument("-o", "--out", type=Path, required=True, help="输出文件")

    aggregate = sub.add_parser("aggregate", help="重新生成每期快照的汇总文件（旧版本写入的数据目录）")
    aggregate.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")
    verify = sub.add_parser("verify", help="按写入时记录的校验和检查数据目录或对象存储中的每个快照文件")
    verify.add_argument("--data", type=str, help=f"数据目录或 s3://存储桶/前缀（默认 ${settings.DATA_DIR_ENV}）")
    verify.add_argument("--record", action="store_true", help="为旧版本写入、尚无校验和的快照记录当前文件的校验和")
    combine = sub.add_parser("combine", help="重新生成多县数据目录的月度合并文件（各县数据的只读汇编，可随时重建）")
    combine.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV}）")

    publish = sub.add_parser("publish", help="把本地数据目录的县域信息和全部快照发布到对象存储（s3://存储桶/前缀）")
    publish.add_argument("--to", required=True, help="对象存储地址 s3://存储桶/前缀（端点与密钥取自 AWS_* 环境变量）")
    publish.add_argument("--data", type=str, help=f"本地数据目录（默认 ${settings.DATA_DIR_ENV}）")
    publish.add_argument("--replace", action="store_true", help="对象存储中已有的日期也重新发布（旧版本保留）")

    docs = sub.add_parser("docs", help="由数据契约生成 docs/data.md")
    docs.add_argument("--out", type=Path, default=settings.REPO_ROOT / "docs" / "data.md")
    sub.add_parser("generate", help="由数据契约（数据表与指标声明）重新生成 docs/data.md 和 queries/ 中的生成查询")
    account_commands.add_parsers(sub)
    reporting_commands.add_parsers(sub)
    cluster_commands.add_parsers(sub)
    bench_commands.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (FilterError, StoreError, QueryError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"错误：无法读写文件 {err.filename or ''}：{err.strerror or err}", file=sys.stderr)
        return EXIT_USAGE


def _demo(args: argparse.Namespace) -> int:
    from socialwork.data.demo.writing import write_demo

    dates = write_demo(args.out.resolve())
    print(f"已生成演示数据：{args.out}，共 {len(dates)} 期快照（{dates[0]} 至 {dates[-1]}）")
    return 0


def _county(data: Path) -> identity.County:
    """The store's county; a store written before county.json gets the fallback and a warning on stderr."""
    county, warning = identity.load_or_fallback(data)
    if warning:
        print(f"提示：{warning}", file=sys.stderr)
    return county


def _kpis(args: argparse.Namespace) -> int:
    from socialwork.figures.metrics import kpi_report
    from socialwork.present.tables.places import scope_name
    from socialwork.present.words.formatting import kpi_table_text

    data = settings.data_dir(args.data)
    county = _county(data)
    as_of = parse_as_of(args.as_of, data)
    places, names = _places(args, as_of, data)
    report = kpi_report(as_of, places, data)
    if hierarchy.many_counties(data):  # the scope line names the county a township lies in (乙县甲街道), or the city
        names = [scope_name(as_of, places, names, data)]
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(kpi_table_text(report, names, county.title))
        if report.missing:
            print(f"注意：{report.missing}")
        if report.baseline_date is None and not hierarchy.many_counties(data):
            print(county_setup.year_start_hint(data, as_of), file=sys.stderr)
    return 0


def _places(args: argparse.Namespace, as_of, data: Path) -> tuple[Places, list[str] | None]:
    """The place filter of --scope (a city's or county's code) or --township (names or codes), and its names."""
    from socialwork.figures.choices import parse_scope

    if args.scope:
        scope = parse_scope(args.scope, as_of, data)
        if not args.township:
            return Places.within(scope), [hierarchy.name_of(scope, as_of, data)]
        # Townships named within the scope: a name two of its counties share is refused, naming both.
        codes = township_codes(args.township, as_of, data, county=scope)
    else:
        codes = township_codes(args.township, as_of, data) if args.township else []
    return Places.townships(codes), (township_names(codes, as_of, data) if codes else None)  # also for codes


def _changes(args: argparse.Namespace) -> int:
    from socialwork.figures.changes import compare, since
    from socialwork.present.tables.changes import changes_text
    from socialwork.present.tables.places import scope_name

    data = settings.data_dir(args.data)
    county = _county(data)
    to_date = parse_as_of(args.to_date, data)
    start = since(to_date, data)
    from_date = parse_as_of(args.from_date, data) if args.from_date else start.from_date
    if from_date is None:
        raise FilterError(f"{to_date.isoformat()} 是最早的一期快照，没有可对比的更早快照")
    places, names = _places(args, to_date, data)
    changes = compare(from_date, to_date, places, data)
    meeting = start.meeting if start.meeting and start.meeting.reviewed_snapshot == from_date else None
    scope = scope_name(to_date, places, names, data)
    if args.json:
        out = changes.as_dict() | {"scope": scope, "since_meeting": None if meeting is None else meeting.title}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(changes_text(changes, scope, f"{county.title} · 变化对比", meeting))
    return 0


def _import(args: argparse.Namespace) -> int:
    from datetime import date

    from socialwork.data.importing.importer import ImportFailed, import_snapshot, import_target

    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        print(f"错误：日期格式无效：“{args.as_of}”，应为 YYYY-MM-DD", file=sys.stderr)
        return EXIT_USAGE
    source = args.files if len(args.files) > 1 else args.files[0]
    data = import_target(settings.data_dir(args.data), args.county)
    try:
        result = import_snapshot(source, as_of, data, replace=args.replace)
    except ImportFailed as failure:
        print(f"导入失败，共 {len(failure.problems)} 个问题，未写入任何数据：", file=sys.stderr)
        for problem in failure.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_USAGE
    account_commands.log_command(
        args.data, "import", f"{as_of.isoformat()} 快照{'（替换原快照）' if args.replace else ''}"
    )
    kept = "对象存储中保留为旧版本" if isinstance(data, Bucket) else "保留在 .replaced/"
    print(import_summary_text(result, identity.load(data).county_name, kept))
    hint = county_setup.year_start_hint(data, as_of)
    if hint:
        print(hint)
    return 0


def import_summary_text(result, county_name: str = "", kept: str = "保留在 .replaced/") -> str:
    from socialwork.data.contract.tables import TABLES

    lines = [
        f"已导入{county_name} {result.as_of.isoformat()} 快照"
        + (f"（替换原快照，原快照{kept}）" if result.replaced else "")
    ]
    for table in TABLES:
        now, before = result.rows[table.name], result.previous_rows.get(table.name)
        change = "" if before is None else f"（较 {result.previous_date.isoformat()} {now - before:+d}）"
        lines.append(f"  {table.label}：{now} 行{change}")
    lines.append(f"  人员：新增 {result.people_joined} 人，减少 {result.people_left} 人")
    lines += [f"  提示：{w}" for w in result.warnings]
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    from socialwork.present.documents.exports import export_bytes
    from socialwork.present.documents.rendering import RenderError

    data = settings.data_dir(args.data)
    county = _county(data)
    as_of = parse_as_of(args.as_of, data)
    places, names = _places(args, as_of, data)
    try:
        content = export_bytes(args.format, as_of, places, names, data)
    except RenderError as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(content)
    account_commands.log_command(args.data, "export", args.out.name)
    print(f"已导出{county.county_name}材料 {args.out}（{len(content) // 1024} KB）")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from socialwork.data.storage.publishing import publish_store

    source, target = settings.data_dir(args.data), settings.data_dir(args.to)
    if isinstance(source, Bucket) or not isinstance(target, Bucket):
        raise StoreError("publish 把本地数据目录（--data）发布到对象存储（--to s3://存储桶/前缀）")
    for line in publish_store(source, target, replace=args.replace):
        print(line)
    return 0


def _docs(args: argparse.Namespace) -> int:
    from socialwork.data.generate.datadoc import data_markdown

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(data_markdown(), encoding="utf-8")
    print(f"已写入 {args.out}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    """Every file written from the contract: docs/data.md and the queries of the plan's figures."""
    from socialwork.data.generate.datadoc import data_markdown
    from socialwork.data.generate.figure_sql import write_queries

    docs = settings.REPO_ROOT / "docs" / "data.md"
    docs.write_text(data_markdown(), encoding="utf-8")
    for path in [docs, *write_queries(settings.QUERIES_DIR)]:
        print(f"已写入 {path.relative_to(settings.REPO_ROOT)}")
    return 0


def _aggregate(args: argparse.Namespace) -> int:
    from socialwork.data.storage.layout import county_folders
    from socialwork.data.storage.store import rewrite_derived

    root = settings.data_dir(args.data)
    if not store_exists(root):
        raise StoreError(f"数据目录不存在：{root}")
    written = rewrite_derived(root)  # in a store of many counties, every county's, then the months combined again
    counties = county_folders(root)
    print(f"已重新生成 {len(written)} 期快照的汇总文件{f'（{len(counties)} 个县）' if counties else ''}：{root}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    """Exit 1 when any file is damaged or missing, so that a timer or a monitor can tell."""
    from socialwork.data.storage.verify import verify

    report = verify(settings.data_dir(args.data), record=args.record)
    for line in report.lines():
        print(line)
    return 1 if report.problems else 0


def _combine(args: argparse.Namespace) -> int:
    from socialwork.data.storage.combined import rebuild
    from socialwork.data.storage.store import checked_snapshots, left_out_counties

    root = settings.data_dir(args.data)
    if isinstance(root, Bucket):
        return _combine_bucket(root)
    written = rebuild(root)
    print(f"已重新生成 {len(written)} 个月的多县合并文件：{root}")
    for on, counties in left_out_counties(root).items():  # damaged: left out of the combined month, as not reported
        for code, problem in counties.items():
            print(f"提示：县 {code} {on.isoformat()} 未合并（按未报送处理）：{problem}")
    for on, problem in checked_snapshots(root)[1].items():
        print(f"提示：{on.isoformat()} 各县的快照均已损坏，未合并：{problem}")
    return 0


def _combine_bucket(root: Bucket) -> int:
    """One combining pass over a bucket of many counties, if no other server is combining it now."""
    from socialwork.data.storage import bucket_combined, layout

    if not layout.is_multi_county(root):
        raise StoreError(f"{root} 不是多县数据（没有行政区划表），无需合并月度文件")
    done = bucket_combined.combine(root)
    if done.held_by is not None:
        print(f"另一处正在合并 {root}：{done.held_by.describe()}；本次未合并。其完成后各月即为最新，或稍后再运行")
        return 0
    print(f"已合并 {len(done.written)} 个月、{len(done.current)} 个月已是最新：{root}")
    if done.removed:
        print(f"已删除被取代的合并文件 {done.removed} 个")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from socialwork.web import app

    app.serve(args.port, args.address, args.data)
    return 0


COMMANDS = {
    "demo": _demo,
    "kpis": _kpis,
    "changes": _changes,
    "serve": _serve,
    "docs": _docs,
    "generate": _generate,
    "aggregate": _aggregate,
    "combine": _combine,
    "verify": _verify,
    "publish": _publish,
    "import": _import,
    "export": _export,
    **county_setup.COMMANDS,
    **account_commands.COMMANDS,
    **reporting_commands.COMMANDS,
    **backup_commands.COMMANDS,
    **cluster_commands.COMMANDS,
    **bench_commands.COMMANDS,
}
