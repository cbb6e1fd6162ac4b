"""python -m socialwork: build the demo county, print the plan's KPIs, write the data docs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from socialwork import settings
from socialwork.db import QueryError
from socialwork.places import FilterError, parse_as_of, township_codes
from socialwork.store import StoreError

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m socialwork", description="XX县社会工作人才专项工作数据看板")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="生成演示县（XX县）的全部月度快照")
    demo.add_argument("--out", type=Path, default=settings.DEMO_DATA_DIR, help="输出目录（默认 data/demo）")

    kpis = sub.add_parser("kpis", help="打印某期快照的全部年度目标及完成情况")
    kpis.add_argument("--as-of", required=True, help="快照日期 YYYY-MM-DD")
    kpis.add_argument("--township", action="append", default=[], help="乡镇（街道）名称或代码，可重复")
    kpis.add_argument("--data", type=Path, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")
    kpis.add_argument("--json", action="store_true", help="以 JSON 输出")

    serve = sub.add_parser("serve", help="启动看板（Streamlit）")
    serve.add_argument("--port", type=int, default=8501, help="端口（默认 8501）")
    serve.add_argument("--address", default="localhost", help="监听地址（默认 localhost）")
    serve.add_argument("--data", type=Path, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")

    docs = sub.add_parser("docs", help="由数据契约生成 docs/data.md")
    docs.add_argument("--out", type=Path, default=settings.REPO_ROOT / "docs" / "data.md")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (FilterError, StoreError, QueryError) as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE


def _demo(args: argparse.Namespace) -> int:
    from socialwork.demo import write_demo

    dates = write_demo(args.out.resolve())
    print(f"已生成演示数据：{args.out}，共 {len(dates)} 期快照（{dates[0]} 至 {dates[-1]}）")
    return 0


def _kpis(args: argparse.Namespace) -> int:
    from socialwork.formatting import kpi_table_text
    from socialwork.metrics import kpi_report

    data = settings.data_dir(args.data)
    as_of = parse_as_of(args.as_of, data)
    codes = township_codes(args.township, as_of, data) if args.township else None
    report = kpi_report(as_of, codes, data)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(kpi_table_text(report, args.township))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from socialwork.datadoc import data_markdown

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(data_markdown(), encoding="utf-8")
    print(f"已写入 {args.out}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import os

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli as streamlit_cli

    if args.data:
        os.environ[settings.DATA_DIR_ENV] = str(args.data.resolve())
    settings.data_dir()  # fail early, in Chinese, on a bad data dir
    # Start in st.navigation mode: with a pages/ folder beside the entrypoint, Streamlit would
    # otherwise serve the first session through its legacy page discovery (see ui.ensure_entrypoint).
    PagesManager.uses_pages_directory = False
    entrypoint = str(settings.REPO_ROOT / "dashboard.py")
    sys.argv = ["streamlit", "run", entrypoint, "--server.port", str(args.port), "--server.address", args.address]
    return streamlit_cli.main()


COMMANDS = {"demo": _demo, "kpis": _kpis, "serve": _serve, "docs": _docs}
