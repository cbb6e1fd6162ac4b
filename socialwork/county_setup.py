"""The command line's setting up of a county (python -m socialwork init, template, example, boundaries), kept here
so that cli.py stays short.

Every file these commands write is named with its full path, and by default lands beside the county's store
(`/srv/socialwork/data` → `/srv/socialwork/…xlsx`), never in whatever folder the command was started from.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.county_files import DEFAULT_PLAN_TITLE
from socialwork.data.contract.tables import TABLES
from socialwork.data.storage import identity
from socialwork.data.storage.layout import StoreError, is_demo, is_multi_county
from socialwork.data.storage.layout import exists as store_exists
from socialwork.data.storage.location import Bucket, Location
from socialwork.data.storage.store import read_table, snapshot_dates
from socialwork.figures.choices import parse_as_of
from socialwork.figures.metrics.dates import baseline_date

EXIT_USAGE = 2
DATA_HELP = f"数据目录（默认 ${settings.DATA_DIR_ENV}）"


def add_parsers(sub) -> None:
    """The four subcommands, on cli.py's subparsers."""
    init = sub.add_parser("init", help="为本县新建数据目录（县名、区划代码等），并生成本县的导入模板")
    init.add_argument("--data", type=str, help=DATA_HELP)
    init.add_argument("--county", required=True, help="县（市、区）名称，例如 云溪县")
    init.add_argument("--code", required=True, help="6 位县级区划代码")
    init.add_argument("--plan-title", help=f"专项工作名称，不含县名（默认 {DEFAULT_PLAN_TITLE}）")
    init.add_argument("--talent-card", help="人才卡的本地名称（默认 县名去掉“县”加“英才卡”，例如 云溪英才卡）")
    init.add_argument("--issuer", help="发文单位（默认 县名加“民政局”）")
    init.add_argument("--replace", action="store_true", help="修改已初始化数据目录的县域信息（快照不受影响）")
    init.add_argument(
        "-o", "--template", type=Path, help="导入模板的保存位置（默认 数据目录旁的 <县名>社工人才数据导入模板.xlsx）"
    )
    init.add_argument(
        "--boundaries", type=Path, help="本县各乡镇（街道）边界的 GeoJSON 文件（可选，见 boundaries 命令）"
    )
    init.add_argument("--crs", choices=["wgs84", "gcj02"], default="wgs84", help="边界文件的坐标系（默认 wgs84）")

    shapes = sub.add_parser("boundaries", help="导入或替换本县各乡镇（街道）的边界（GeoJSON），供地图使用")
    shapes.add_argument("file", type=Path, help="GeoJSON 文件：每个乡镇一个要素，属性中有 9 位乡镇代码")
    shapes.add_argument("--crs", choices=["wgs84", "gcj02"], default="wgs84", help="坐标系（默认 wgs84）")
    shapes.add_argument("--data", type=str, help=DATA_HELP)
    shapes.add_argument("--county", help="多县数据目录中边界所属的县：6 位县级区划代码")

    template = sub.add_parser("template", help="生成数据导入模板（XLSX，封面写明本县名称）")
    template.add_argument(
        "-o", "--out", type=Path, help="输出文件（默认 当前目录下的 <县名>社工人才数据导入模板.xlsx）"
    )
    template.add_argument("--data", type=str, help=f"数据目录（默认 ${settings.DATA_DIR_ENV} 或内置演示数据）")

    example = sub.add_parser(
        "example", help="生成一份已填好的示例工作簿：演示县某期数据，代码改为本县的区划代码，可直接导入试用"
    )
    example.add_argument("--as-of", required=True, help="演示县的快照日期 YYYY-MM-DD（例如上年末 2025-12-31）")
    example.add_argument(
        "-o", "--out", type=Path, help="输出文件（默认 数据目录旁的 <县名>社工人才数据示例_日期.xlsx）"
    )
    example.add_argument("--data", type=str, help=f"本县数据目录，取其县名与区划代码（默认 ${settings.DATA_DIR_ENV}）")


def beside(data: Location, name: str) -> Path:
    """A file's default place: in the folder that holds the store (a store in a bucket: the current folder)."""
    if isinstance(data, Bucket):
        return Path(name).resolve()
    return Path(data).resolve().parent / name


def _write(out: Path, content: bytes) -> Path:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content)
    return out


def run_init(args: argparse.Namespace) -> int:
    from socialwork.data.importing.workbook import template_bytes, template_name

    data = settings.data_dir(args.data)
    if is_demo(data):
        raise StoreError(f"{data} 是内置演示数据目录；请用 --data 指定本县的数据目录")
    if is_multi_county(data):  # each county's county.json is made from the divisions table on its first import
        raise StoreError(f"{data} 是多县数据目录：不需要 init；用 import --county 县级区划代码 导入各县数据")
    county = identity.new_county(args.county, args.code, args.plan_title, args.talent_card, args.issuer)
    identity.write(data, county, replace=args.replace)
    dates = snapshot_dates(data)
    print(f"已初始化数据目录：{data}（{county.county_name}，区划代码 {county.county_code}）")
    print(f"  方案：{county.title}；人才卡：{county.talent_card}；发文单位：{county.issuer}")
    if dates:
        print(f"  目录中已有 {len(dates)} 期快照（{dates[0]} 至 {dates[-1]}），未作改动")
    if args.boundaries and _store_boundaries(args.boundaries, data, county.county_code, args.crs):
        print(f"县域信息已写入；改正边界文件后运行 python -m socialwork boundaries 文件 --data {data}", file=sys.stderr)
        return EXIT_USAGE
    out = _write(args.template or beside(data, template_name(county_name=county.county_name)), template_bytes(
        county.county_name))  # fmt: skip
    print(f"已写入导入模板：{out}")
    print("下一步：按模板填写数据（含“年度目标”），先导入上年 12 月 31 日的数据（年度增量从上年末算起），再导入本月：")
    print(f"  python -m socialwork import {out} --as-of YYYY-MM-DD --data {data}")
    print(f"填写格式可参照示例：python -m socialwork example --as-of 2025-12-31 --data {data}")
    return 0


def _store_boundaries(source: Path, data, county_code: str, crs: str) -> int:
    """Check and store a boundaries file; every problem on its own line, and the exit code."""
    from socialwork.data.maps.boundaries import BoundaryError, import_file, summary_text

    try:
        collection = import_file(source, data, county_code, crs)
    except BoundaryError as err:
        print(
            f"错误：乡镇边界文件 {source} 未通过检查，原有边界未改动（共 {len(err.problems)} 个问题）：",
            file=sys.stderr,
        )
        for problem in err.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(f"已写入乡镇边界：{summary_text(collection)}")
    return 0


def run_boundaries(args: argparse.Namespace) -> int:
    from socialwork.data.importing.importer import import_target

    data = import_target(settings.data_dir(args.data), args.county)
    if is_demo(data):
        raise StoreError(
            f"{data} 是内置演示数据目录（边界由 python -m socialwork demo 生成）；请用 --data 指定本县的数据目录"
        )
    return _store_boundaries(args.file, data, identity.load(data).county_code, args.crs)


def run_template(args: argparse.Namespace) -> int:
    from socialwork.data.importing.workbook import template_bytes, template_name

    data = settings.data_dir(args.data)
    county = _county_or_fallback(data)
    name = None if county is identity.FALLBACK else county.county_name
    out = _write(args.out or Path(template_name(county_name=name)), template_bytes(name))
    print(f"已写入{name or ''}导入模板：{out}")
    return 0


def _county_or_fallback(data: Location) -> identity.County:
    if not store_exists(data):
        return identity.FALLBACK
    county, warning = identity.load_or_fallback(data)
    if warning:
        print(f"提示：{warning}", file=sys.stderr)
    return county


def example_frames(as_of: date, county_code: str) -> dict[str, pd.DataFrame]:
    """The demo county's snapshot of as_of, every division code moved to county_code's: a month that imports into
    that county's store as it is (townships 9 digits, villages and communities 12, goals as the template wants)."""
    demo = settings.DEMO_DATA_DIR
    demo_code = identity.load(demo).county_code
    frames = {}
    for table in TABLES:
        frame = read_table(demo, as_of, table)
        for column in frame.columns:
            if column.endswith("_code") and column != "urban_rural_code":
                frame[column] = frame[column].map(
                    lambda code: county_code + code[len(demo_code) :] if isinstance(code, str) else code
                )
        frames[table.name] = frame
    return frames


def example_name(as_of: date, county_name: str | None) -> str:
    """e.g. 云溪县社工人才数据示例_2025-12-31.xlsx (the date in the name is the as-of date, as the import checks)."""
    return f"{county_name or ''}社工人才数据示例_{as_of.isoformat()}.xlsx"


def run_example(args: argparse.Namespace) -> int:
    from socialwork.data.importing.workbook import workbook_bytes

    as_of = parse_as_of(args.as_of, settings.DEMO_DATA_DIR)  # a month of the demo county, or a Chinese error
    data = settings.data_dir(args.data)
    county = _county_or_fallback(data) if not is_demo(data) else identity.load(settings.DEMO_DATA_DIR)
    if county is identity.FALLBACK:
        county = identity.load(settings.DEMO_DATA_DIR)
    frames = example_frames(as_of, county.county_code)
    out = _write(args.out or beside(data, example_name(as_of, county.county_name)), workbook_bytes(
        frames, county.county_name))  # fmt: skip
    rows = "，".join(f"{t.label} {len(frames[t.name])} 行" for t in TABLES)
    print(f"已写入示例工作簿（演示县 {as_of} 的数据，区划代码改为 {county.county_code}）：{out}")
    print(f"  {rows}")
    print(f"  导入试用：python -m socialwork import {out} --as-of {as_of} --data {data}")
    return 0


def year_start_hint(data: Location, as_of: date) -> str:
    """After an import: what the year's net increases lack when no snapshot on or before the previous 31 December
    exists, and how to supply it; empty when the year has its start, or when as_of is itself a year's end (the
    start of the next year, which is what a county loads first)."""
    if (as_of.month, as_of.day) == (12, 31) or baseline_date(as_of, snapshot_dates(data)) is not None:
        return ""
    year_end = date(as_of.year - 1, 12, 31)
    return (
        f"提示：数据目录中没有 {year_end} 或更早的数据（上年末），{as_of.year}年的“持证社工年度净增”等按上年末计算的"
        f"指标将显示为无数据。如有上年末的名册，请按模板填写后导入：\n"
        f"  python -m socialwork import 上年末数据.xlsx --as-of {year_end} --data {data}"
    )


COMMANDS = {"init": run_init, "boundaries": run_boundaries, "template": run_template, "example": run_example}
