"""The command line's `replicas` (python -m socialwork …), kept here so that cli.py stays short; `load`, which
measures them, is the benchmark's (bench/commands.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from socialwork.data import settings


def add_parsers(sub) -> None:
    """The subcommand, on cli.py's subparsers."""
    replicas = sub.add_parser("replicas", help="启动多个看板副本，并在前面启动 HAProxy（粘性会话、健康检查）")
    replicas.add_argument("--count", type=int, default=2, help="副本数（默认 2）")
    replicas.add_argument("--port", type=int, default=8500, help="HAProxy 的端口（默认 8500）")
    replicas.add_argument("--address", default="127.0.0.1", help="HAProxy 的监听地址（默认 127.0.0.1）")
    replicas.add_argument(
        "--data", type=str, help=f"数据目录或 s3://存储桶/前缀（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）"
    )
    replicas.add_argument("--no-cache", action="store_true", help="不在 HAProxy 中缓存静态文件")
    replicas.add_argument("--cert", type=Path, help="HTTPS 证书（PEM）：HAProxy 以 HTTPS 监听 --port，HTTP 转到 HTTPS")
    replicas.add_argument("--key", type=Path, help="HTTPS 证书的私钥（PEM），与 --cert 一起使用")
    replicas.add_argument(
        "--http-port", type=int, default=80, help="使用 --cert 时，转到 HTTPS 的 HTTP 端口（默认 80）"
    )


def run_replicas(args: argparse.Namespace) -> int:
    from socialwork.cluster import haproxy, replicas

    if args.data:
        settings.data_dir(args.data)  # fail early, in Chinese, on a bad data dir
    if (args.cert is None) != (args.key is None):
        print("错误：--cert 与 --key 须同时给出（HTTPS 证书及其私钥）", file=sys.stderr)
        return 2
    tls = None
    if args.cert is not None:
        problem = haproxy.tls_problem(args.cert, args.key)
        if problem:
            print(f"错误：{problem}", file=sys.stderr)
            return 2
        tls = haproxy.Tls(args.cert.resolve(), args.key.resolve(), args.http_port)
    return replicas.run(args.count, args.port, args.data, not args.no_cache, args.address, tls)


COMMANDS = {"replicas": run_replicas}
