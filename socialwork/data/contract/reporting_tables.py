"""The reporting workflow (多级上报): the units that report their part of a month, the monthly rounds, each unit's part
in a round and what happened to it. Kept in the server database beside the follow-ups and the roles (serverdb.py
derives its tables from these declarations); a draft never reaches the snapshot store before the round is published.
docs/reporting.md explains the workflow.
"""

from __future__ import annotations

from socialwork.data.contract.schema import Column, Enum, Table

UNIT_KIND = Enum(
    "unit_kind",
    "单位类型",
    {
        "township": "乡镇（街道）",
        "department": "部门",
        "county_office": "县本级",
        "county": "县（市、区）",  # a county reporting its published month to its city's store (one level up)
    },
)
PART_STATE = Enum(
    "part_state",
    "填报状态",
    {
        "not_started": "未填报",
        "draft": "草稿",
        "submitted": "已提交",
        "returned": "已退回",
        "approved": "已通过",
    },
)
OVERDUE_LABEL = (
    "逾期"  # not a stored state: a part not yet submitted (or returned and not resubmitted) past the deadline
)
ROUND_STATE = Enum("round_state", "上报任务状态", {"open": "进行中", "published": "已发布"})
ROUND_EVENT = Enum(
    "round_event",
    "上报操作",
    {
        "opened": "发起上报任务",
        "saved": "保存草稿",
        "submitted": "提交",
        "same_as_base": "与上月相同并提交",
        "returned": "退回",
        "approved": "通过",
        "published": "发布",
        "carried": "沿用上月数据",
    },
)
COUNTY_OFFICE = "benji"  # the county-level unit: every row no township or department claims (targets, milestones…)
SEPARATOR = "、"  # between the codes of a unit's sectors, departments and tables

REPORTING_UNITS = Table(
    "reporting_units",
    "上报单位",
    "The units that report a part of the month: each township (its division code), each department that owns part "
    "of the registers (a short code, e.g. gongan), and the county office (benji), which reports every row no other "
    "unit claims. A row's unit: first a department claiming its whole table, its post's sector or its purchase's "
    "department; then the township of its township code; else the county office.",
    (
        Column("unit_code", "VARCHAR", "单位代码", "A township's 9-digit code, or a department's short code."),
        Column("unit_name", "VARCHAR", "单位名称", "e.g. 城关街道, 县公安局."),
        Column("unit_kind", "VARCHAR", "单位类型", "Township, department or the county office.", enum=UNIT_KIND),
        Column(
            "sectors",
            "VARCHAR",
            "负责岗位领域",
            "Sector codes of the posts it develops, separated by 、.",
            nullable=True,
        ),
        Column(
            "purchase_departments",
            "VARCHAR",
            "购买部门名称",
            "The purchases.department values it buys as, separated by 、.",
            nullable=True,
        ),
        Column("whole_tables", "VARCHAR", "负责整表", "Tables it reports whole, separated by 、.", nullable=True),
        Column("sort_order", "INTEGER", "排序", "Order on the board.", minimum=0),
    ),
    key=("unit_code",),
)

REPORTING_ROUNDS = Table(
    "reporting_rounds",
    "上报任务",
    "One month's reporting round: its as-of date, its deadline, the published month its parts start from, and "
    "when it was published.",
    (
        Column("round_id", "INTEGER", "任务编号", "Assigned by the store.", minimum=1),
        Column("as_of_date", "DATE", "数据日期", "The month-end the round assembles."),
        Column("deadline", "DATE", "截止日期", "Units report by this day (Beijing time)."),
        Column(
            "base_date", "DATE", "上期数据日期", "The published month each part starts as a copy of.", nullable=True
        ),
        Column("state", "VARCHAR", "状态", "Open or published.", enum=ROUND_STATE),
        Column("opened_at", "VARCHAR", "发起时间", "When it was opened."),
        Column("opened_by", "VARCHAR", "发起人账号", "The login that opened it."),
        Column("published_at", "VARCHAR", "发布时间", "When its snapshot was written.", nullable=True),
        Column("published_by", "VARCHAR", "发布人账号", "The login that published it.", nullable=True),
        Column(
            "carried_units",
            "VARCHAR",
            "沿用上月的单位",
            "Codes of the units whose part was carried forward at publication, separated by 、.",
            nullable=True,
        ),
        Column("unit_count", "INTEGER", "单位数", "How many units the round had when published.", nullable=True),
        Column(
            "published_files",
            "VARCHAR",
            "发布文件指纹",
            "SHA-256 over the checksums of the month's table files as published: a month imported whole later no "
            "longer matches, and no longer says it was assembled by this round.",
            nullable=True,
        ),
    ),
    key=("round_id",),
)

ROUND_PARTS = Table(
    "round_parts",
    "单位填报",
    "One unit's part in one round: its state, its version (each save adds one, so a save made on an older version "
    "is refused as a conflict) and its rows (JSON per table; none while it is the published month's copy).",
    (
        Column("round_id", "INTEGER", "任务编号", "The round.", references="reporting_rounds.round_id"),
        Column("unit_code", "VARCHAR", "单位代码", "The unit (a code of reporting_units when the round opened)."),
        Column("state", "VARCHAR", "状态", "Where the part stands.", enum=PART_STATE),
        Column("version", "INTEGER", "版本", "0 before the first save; one more at each save.", minimum=0),
        Column(
            "rows_json",
            "VARCHAR",
            "填报数据",
            "The part's rows by table, as JSON; empty: the base month's.",
            nullable=True,
        ),
        Column("updated_at", "VARCHAR", "最近修改时间", "When it last changed.", nullable=True),
        Column("updated_by", "VARCHAR", "最近修改人账号", "The login that last changed it.", nullable=True),
        Column("submitted_at", "VARCHAR", "提交时间", "When it was last submitted.", nullable=True),
        Column("return_reason", "VARCHAR", "退回原因", "Why the reviewer returned it (the last time).", nullable=True),
    ),
    key=("round_id", "unit_code"),
)

ROUND_EVENTS = Table(
    "round_events",
    "上报记录",
    "Every save, submission, return (with its reason), approval and publication, with who and when; never edited.",
    (
        Column("event_id", "INTEGER", "记录编号", "Assigned by the store.", minimum=1),
        Column("round_id", "INTEGER", "任务编号", "The round.", references="reporting_rounds.round_id"),
        Column("unit_code", "VARCHAR", "单位代码", "The unit; empty for the round itself.", nullable=True),
        Column("happened_at", "VARCHAR", "时间", "Beijing time, ISO text."),
        Column("username", "VARCHAR", "账号", "The login."),
        Column("action", "VARCHAR", "操作", "What was done.", enum=ROUND_EVENT),
        Column("detail", "VARCHAR", "说明", "A return's reason, a publication's summary.", nullable=True),
    ),
    key=("event_id",),
)

REPORTING_TABLES: tuple[Table, ...] = (REPORTING_UNITS, REPORTING_ROUNDS, ROUND_PARTS, ROUND_EVENTS)
