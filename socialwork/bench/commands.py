"""The benchmark's command line: `python -m socialwork bench` (queries at four scales), `--browser`, `--views`,
`--profile` and `--link` (pages of the demo county), `--import` and `--reporting` (a month's reporting round), each
writing its part of docs/performance.md."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from socialwork.data import settings

EXIT_USAGE = 2
BENCH_SCALES = "county,city,province,nation"


def add_parsers(sub) -> None:
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

    bench = sub.add_parser("bench", help="性能基准：县、市、省、全国四级规模，打印结果并写入 docs/performance.md")
    bench.add_argument("--scales", default=BENCH_SCALES, help=f"逗号分隔（默认 {BENCH_SCALES}）")
    bench.add_argument("--repeats", type=int, help="每页重复次数（默认：查询 20，--browser 与 --profile 5）")
    bench.add_argument("--data-root", type=Path, default=settings.REPO_ROOT / ".bench", help="合成数据目录")
    bench.add_argument("--regenerate", action="store_true", help="重新生成合成数据")
    bench.add_argument("--out", type=Path, default=settings.REPO_ROOT / "docs" / "performance.md")
    mode = bench.add_mutually_exclusive_group()
    mode.add_argument(
        "--browser", action="store_true", help="在无头 Chromium 中测量各页面首次渲染与切换乡镇，对照同样元素的空白页面"
    )
    mode.add_argument(
        "--profile",
        action="store_true",
        help="剖析各页面切换乡镇后的重新运行：查询、pandas、图表、Streamlit、本项目代码",
    )
    mode.add_argument(
        "--views",
        action="store_true",
        help="每次页面访问的服务器 CPU：本版本（文件监视开/关）、HAProxy 缓存静态文件、可选的旧版本对照",
    )
    mode.add_argument(
        "--link",
        action="store_true",
        help="县里的网络与手机：各页面首次与再次访问的传输字节和稳定时间（不限速、4 Mbps、手机），对照未压缩的服务",
    )
    mode.add_argument(
        "--import",
        dest="imports",
        action="store_true",
        help="导入的时间与内存峰值：10 万人的花名册，以及达到读取上限的文件（各在新进程中导入）",
    )
    mode.add_argument(
        "--reporting",
        action="store_true",
        help="月度上报：24 个乡镇（各约 300 人）保存并提交，审核员看变化、通过并发布，各步时间（默认重复 3 次）",
    )
    bench.add_argument(
        "--phone", action="store_true", help="与 --browser 一起用：在 390×844 手机上测量（CPU 降速 4 倍，4 Mbps 网络）"
    )
    bench.add_argument("--pages", help="与 --browser、--profile、--views、--link 一起用：逗号分隔的页面（默认全部）")
    bench.add_argument(
        "--data", type=Path, help="与 --browser、--link 一起用：测量的数据目录（默认内置示例县；如 .bench/province）"
    )
    bench.add_argument("--baseline-checkout", type=Path, help="与 --views 一起用：作对照的旧版本目录（git worktree）")


def _bench(args: argparse.Namespace) -> int:
    from socialwork.bench import report

    if args.browser or args.profile or args.views or args.link:
        return _bench_pages(args)
    if args.imports:
        return _bench_imports(args)
    if args.reporting:
        return _bench_reporting(args)
    scales = [s.strip() for s in args.scales.split(",") if s.strip()]
    unknown = [s for s in scales if s not in report.TARGETS_MS]
    if unknown:
        print(f"错误：未知规模 {'、'.join(unknown)}（可选 county、city、province、nation）", file=sys.stderr)
        return EXIT_USAGE
    results = report.run(scales, args.data_root.resolve(), args.repeats or 20, args.regenerate)
    command = "python -m socialwork bench" + ("" if args.scales == BENCH_SCALES else f" --scales {args.scales}")
    earlier = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    _write_performance(args.out, report.markdown(results, command, earlier))
    print("\n".join(report.summary_lines(results)))
    print(f"已写入 {args.out}")
    return 0


def _bench_pages(args: argparse.Namespace) -> int:
    """bench --browser or --profile: every page of the demo county, a section of docs/performance.md."""
    import os

    from socialwork.bench import browser, profiling, sections, views
    from socialwork.bench.runner import PAGES

    pages = [p.strip() for p in (args.pages or ",".join(PAGES)).split(",") if p.strip()]
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        print(f"错误：未知页面 {'、'.join(unknown)}（可选 {'、'.join(PAGES)}）", file=sys.stderr)
        return EXIT_USAGE
    print(f"开始时负载 {_load_text(os.getloadavg())}", file=sys.stderr)
    saved, repeats = args.data_root.resolve() / "results", args.repeats or 5
    if args.views:
        if args.baseline_checkout and not (args.baseline_checkout / "socialwork").is_dir():
            print(f"错误：{args.baseline_checkout} 不是本项目的版本目录（其中没有 socialwork 文件夹）", file=sys.stderr)
            return EXIT_USAGE
        result = views.run(pages, args.repeats or 3, args.baseline_checkout)
        command = "python -m socialwork bench --views" + (
            f" --baseline-checkout <{args.baseline_checkout.name}>" if args.baseline_checkout else ""
        )
        section, body = "views", views.markdown(result, command)
        print(views.table(result))
    elif args.link:
        from socialwork.bench import link

        store = _browser_store(args.data)
        if store is None:
            return EXIT_USAGE
        os.environ[settings.DATA_DIR_ENV] = str(store.data)  # every server the run starts reads this store
        result = link.run(pages, args.repeats or 3, store)
        saved.mkdir(parents=True, exist_ok=True)
        (saved / "link.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        command = "python -m socialwork bench --link" + (f" --data {args.data}" if args.data else "")
        section, body = "link", link.markdown(result, command)
        print(link.tables(result), "\n".join(link.goal_lines(result)), sep="\n")
    elif args.browser:
        store = _browser_store(args.data)
        if store is None:
            return EXIT_USAGE
        result = browser.run(pages, repeats, args.data_root.resolve() / "browser", saved, store, args.phone)
        command = "python -m socialwork bench --browser" + (f" --data {args.data}" if args.data else "")
        command += " --phone" if args.phone else ""
        section, body = browser.section_name(store, args.phone), browser.markdown(result, command)
        print(browser.timing_table(result), browser.cpu_table(result), "\n".join(browser.summary(result)), sep="\n")
    else:
        result = profiling.run(pages, repeats, saved)
        section, body = "profile", profiling.markdown(result)
        print(profiling.table(result), profiling.heaviest_table(result), sep="\n")
    print(f"结束时负载 {_load_text(os.getloadavg())}", file=sys.stderr)
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Performance\n"
    _write_performance(args.out, sections.put(old, section, body))
    print(f"已写入 {args.out}")
    return 0


def _bench_imports(args: argparse.Namespace) -> int:
    """bench --import: a large register and a file at the caps imported, each in a fresh process."""
    from socialwork.bench import imports, sections

    results = imports.run(args.data_root.resolve() / "import")
    print(imports.table(results))
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Performance\n"
    _write_performance(args.out, sections.put(old, "import", imports.markdown(results)))
    print(f"已写入 {args.out}")
    return 0


def _bench_reporting(args: argparse.Namespace) -> int:
    """bench --reporting: a month's reporting round of 24 townships, step by step, against its goal."""
    from socialwork.bench import reporting_round, sections

    result = reporting_round.run(args.data_root.resolve(), args.repeats or 3)
    print(reporting_round.table(result), reporting_round.verdict(result), sep="\n")
    old = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Performance\n"
    body = reporting_round.markdown(result, "python -m socialwork bench --reporting")
    _write_performance(args.out, sections.put(old, "reporting", body))
    print(f"已写入 {args.out}")
    return 0


def _browser_store(data: Path | None):
    """The store `bench --browser` measures: --data, or the demo county; None (said why) when it cannot be read."""
    from socialwork.bench import browser_store
    from socialwork.data.storage.layout import StoreError
    from socialwork.figures import choices

    root = data.resolve() if data else settings.data_dir()
    try:
        return browser_store.store_of(root, data is None, choices.available_dates(root)[-1])
    except (StoreError, OSError) as err:
        print(f"错误：无法读取数据目录 {root}：{err}", file=sys.stderr)
        return None


def _load(args: argparse.Namespace) -> int:
    """`load`: a crowd of sessions against the dashboard at args.url; with --measure, the load benchmark, which
    starts 1 and 2 replicas itself and writes docs/performance.md."""
    from socialwork.bench import replica_load
    from socialwork.cluster import load

    if args.measure:
        counts = [int(n) for n in args.replicas.split(",")]
        print(replica_load.measure(counts, args.sessions, args.reruns, args.think, args.ramp, args.visits, args.out))
        return 0
    results = load.run_crowd(args.url, args.sessions, args.page, args.reruns, args.think, args.ramp)
    s = load.summarise(results)
    ms = lambda v: "–" if v is None else f"{v * 1000:.0f} ms"  # noqa: E731
    print(f"会话 {s.sessions} 个，全程保持且无错误 {s.held} 个；错误 {s.errors} 个 {', '.join(s.error_kinds)}")
    print(f"首次渲染 p50 {ms(s.first_p50)}，p95 {ms(s.first_p95)}")
    print(f"重新运行 {s.reruns} 次：p50 {ms(s.rerun_p50)}，p95 {ms(s.rerun_p95)}")
    return 0 if s.errors == 0 else 1


def _write_performance(out: Path, text: str) -> None:
    """docs/performance.md: the new text, the last sections of the benchmarks not run kept, the rerun budget current."""
    from socialwork.bench import budget, sections

    old = out.read_text(encoding="utf-8") if out.exists() else ""
    out.write_text(sections.put(sections.carry(old, text), "budget", budget.markdown()), encoding="utf-8")


def _load_text(load: tuple[float, float, float]) -> str:
    return "（1、5、15 分钟平均）" + " / ".join(f"{v:.2f}" for v in load)


COMMANDS = {"bench": _bench, "load": _load}
