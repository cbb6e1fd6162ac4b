"""The files beside a store's snapshots that say whose it is: the county (county.json) and, for a store of many
counties, its divisions and their own goals."""

from __future__ import annotations

from socialwork.data.contract.enums import DIVISION_LEVEL
from socialwork.data.contract.schema import Column, Table
from socialwork.data.contract.tables import TARGETS

# One per store, beside the snapshots (not inside one): `init` writes it before the first month is imported,
# and every page, export, file name and CLI line takes the county's name from it (socialwork/data/storage/identity.py).

COUNTY_FILE = "county.json"
BOUNDARIES_FILE = "boundaries.geojson"  # the townships' outlines for the map, beside county.json (data/maps/)
DEFAULT_PLAN_TITLE = "社会工作人才支持专项工作"

COUNTY = Table(
    "county",
    "县域信息",
    f"The county the store belongs to: one JSON object in `<data dir>/{COUNTY_FILE}`, every field a string. "
    "Written (validated, atomically) by `python -m socialwork init`, which with --replace keeps the previous file "
    "under `.replaced/`; the demo generator writes the demo county's. "
    "Titles read county_name + plan_title (云溪县社会工作人才支持专项工作 · 总览, …推进情况, …年度总结报告). "
    "A store without the file (written by an older version) still opens, titled 本县, with a warning naming "
    "`init`; the import refuses it until `init` has written the file.",
    (
        Column(
            "county_name",
            "VARCHAR",
            "县（市、区）名称",
            "As it appears in titles, documents and file names, e.g. 云溪县.",
            pattern=r"[^\s\\/:*?\"<>|]{2,20}",
        ),
        Column(
            "county_code",
            "VARCHAR",
            "县级区划代码",
            "6-digit statistical division code; township codes (9 digits) begin with it, else the import warns.",
            pattern=r"[0-9]{6}",
        ),
        Column(
            "plan_title",
            "VARCHAR",
            "专项工作名称",
            f"The plan's work without the county's name (default {DEFAULT_PLAN_TITLE}).",
            pattern=r"[^\s\\/:*?\"<>|]{2,40}",
        ),
        Column(
            "talent_card",
            "VARCHAR",
            "人才卡名称",
            "Local name of the plan's talent card (H类人才卡), shown as 本年发放“…” and in the incentives charts "
            "(default: the county's name without 县/市/区/旗, then 英才卡, e.g. 云溪英才卡).",
            pattern=r"[^\s\\/:*?\"<>|“”]{2,20}",
        ),
        Column(
            "issuer",
            "VARCHAR",
            "发文单位",
            "The body the documents come from, under the title of the deck, the PDF and the annual summary "
            "(default: county_name + 民政局).",
            pattern=r"[^\s\\/:*?\"<>|]{2,40}",
        ),
    ),
    key=(),
)

# ---------------------------------------------------------------- many counties in one store
# A city's or province's bureau sees its counties side by side. Such a store is a folder holding DIVISIONS_FILE and
# one complete single-county store per county, `<root>/county=<6-digit code>/` (its own county.json, snapshots, write
# lock), so a county's import never touches another's files (socialwork/data/storage/store.py, divisions.py).

COUNTY_PARTITION = "county"
DIVISIONS_FILE = "divisions.parquet"
DIVISION_TARGETS_FILE = "division_targets.parquet"

DIVISIONS = Table(
    "divisions",
    "行政区划",
    f"The divisions a store of many counties covers, in `<root>/{DIVISIONS_FILE}`: its province(s), cities and "
    "counties, and optionally their townships (a township listed here and absent from its county's snapshot is "
    "reported missing). A division's code is the leading digits of its villages' 12-digit codes: 2 for a province, "
    "4 a city, 6 a county, 9 a township. The store's title is its top division's name.",
    (
        Column(
            "division_code",
            "VARCHAR",
            "区划代码",
            "2, 4, 6 or 9 digits.",
            pattern=r"[0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}",
        ),
        Column("division_name", "VARCHAR", "区划名称", "As shown, e.g. 云溪县."),
        Column("division_level", "VARCHAR", "级别", "省, 市, 县 or 乡镇（街道）.", enum=DIVISION_LEVEL),
        Column("parent_code", "VARCHAR", "上级区划代码", "Empty for the top division.", nullable=True),
    ),
    key=("division_code",),
    required_rows=True,
)

DIVISION_TARGETS = Table(
    "division_targets",
    "上级区划目标",
    f"A city's or province's own goals, in `<root>/{DIVISION_TARGETS_FILE}` (optional). Where a division has no "
    "row for a metric and year, its goal is worked out from its counties' targets: the sum of their goals for a "
    "county-wide total (scope `county`), their common standard for a scale-free one.",
    (
        Column("division_code", "VARCHAR", "区划代码", "A province's or city's code (2 or 4 digits)."),
        *(column for column in TARGETS.columns),
    ),
    key=("division_code", "plan_year", "metric_key"),
)
