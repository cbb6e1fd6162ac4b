"""The command line's `replicas` and `load` (python -m socialwork …), kept here so that cli.py stays short."""

from __future__ import annotations

import argparse
from pathlib import Path

from socialwork.data import settings


def add_parsers(sub) -> None:
    """The two subcommands, on cli.py's subparsers."""
    replicas = sub.add_parser("replicas", help="启动多个看板副本，并在前面启动 HAProxy（粘性会话、健康检查）")
    replicas.add_argument("--count", type=int, default=2, help="副本数（默认 2）")
    replicas.add_argument("--port", type=int, default=8500, help="HAProxy 的端口（默认 8500）")
    replicas.add_argument("--address", default="127.0.0.1", help="HAProxy 的监听地址（默认 127.0.0.1）")
    replicas.add_argument(
        "--data", type=str, help=f"数据目录或 s3://存储桶/前缀（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）"
    )
    replicas.add_argument("--no-cache", action="store_true", help="不在 HAProxy 中缓存静态文件")

    load = sub.add_parser("load", help="协议级负载测试：不用浏览器，模拟多个会话切换乡镇筛选，测量重新运行延迟")
    load.add_argument("--url", default="http://127.0.0.1:8500", help="被测看板地址（默认 HAProxy 的 8500 端口）")
    load.add_argument("--sessions", type=int, default=40, help="同时打开的会话数（默认 40）")
    load.add_argument("--reruns", type=int, default=5, help="每个会话切换乡镇的次数（默认 5）")
    load.add_argument("--think", type=float, default=3.0, help="两次切换之间的平均间隔秒数（默认 3）")
    load.add_argument("--ramp", type=float, default=20.0, help="会话在多少秒内陆续打开（默认 20）")
    load.add_argument("--page", default="", help="打开的页面路径（默认首页）")
    load.add_argument(
        "--measure", action="store_true", help="自行启动 1 个和 2 个副本分别测量，并写入 docs/performance.md"
    )
    load.add_argument("--replicas", default="1,2", help="与 --measure 一起用：逗号分隔的副本数（默认 1,2）")
    load.add_argument("--visits", type=int, default=5, help="与 --measure 一起用：测量静态文件缓存的首次访问次数")
    load.add_argument("--out", type=Path, default=settings.REPO_ROOT / "docs" / "performance.md")


def run_replicas(args: argparse.Namespace) -> int:
    from socialwork.cluster import replicas

    if args.data:
        settings.data_dir(args.data)  # fail early, in Chinese, on a bad data dir
    return replicas.run(args.count, args.port, args.data, not args.no_cache, args.address)


def run_load(args: argparse.Namespace) -> int:
    """A crowd of sessions against the dashboard at args.url (`load --measure` is the benchmark's: cli.py)."""
    from socialwork.cluster import load

    results = load.run_crowd(args.url, args.sessions, args.page, args.reruns, args.think, args.ramp)
    s = load.summarise(results)
    ms = lambda v: "–" if v is None else f"{v * 1000:.0f} ms"  # noqa: E731
    print(f"会话 {s.sessions} 个，全程保持且无错误 {s.held} 个；错误 {s.errors} 个 {', '.join(s.error_kinds)}")
    print(f"首次渲染 p50 {ms(s.first_p50)}，p95 {ms(s.first_p95)}")
    print(f"重新运行 {s.reruns} 次：p50 {ms(s.rerun_p50)}，p95 {ms(s.rerun_p95)}")
    return 0 if s.errors == 0 else 1


COMMANDS = {"replicas": run_replicas}  # and `load`, which cli.py sends here or, with --measure, to the benchmark
