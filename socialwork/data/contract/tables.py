"""The snapshot's tables: the registers a month's import brings, the tables derived with each snapshot, and every
enumeration their columns use (ENUMS, in the order docs/data.md lists them)."""

from __future__ import annotations

from socialwork.data.contract.enums import (
    ACTIVITY_KIND,
    ACTIVITY_MODE,
    CERTIFICATE_LEVEL,
    COMMUNITY_CHANGE,
    COMMUNITY_KIND,
    COMPARATOR,
    DIVISION_LEVEL,
    EMPLOYER_TYPE,
    EVALUATION_GRADE,
    FOLLOWUP_ACTION,
    FOLLOWUP_STATUS,
    FUNDING,
    KPI_STATUS,
    METRIC_GROUP,
    MILESTONE_KIND,
    MILESTONE_STATUS,
    MILESTONE_TIMELINE,
    ORGANISATION_STATUS,
    PURCHASE_STATUS,
    SECTOR,
    SECTOR_GROUP,
    SERVICE_POINT_CHANGE,
    SW_EDUCATION,
    TARGET_SCOPE,
    TOWNSHIP_KIND,
    URBAN_RURAL_CODE,
)
from socialwork.data.contract.plan_figures import ADDITIVE_FIGURES, METRIC
from socialwork.data.contract.schema import Column, Enum, Table

TOWNSHIP_REF = "townships.township_code"
COMMUNITY_REF = "communities.community_code"

TOWNSHIPS = Table(
    "townships",
    "乡镇（街道）",
    "One row per township or street of the county, with its social-work station (社工站).",
    (
        Column("township_code", "VARCHAR", "乡镇区划代码", "9-digit statistical division code."),
        Column("township_name", "VARCHAR", "乡镇名称", "Name, unique within the county."),
        Column("township_kind", "VARCHAR", "类型", "镇, 乡 or 街道.", enum=TOWNSHIP_KIND),
        Column("has_station", "BOOLEAN", "是否建有社工站", "The township runs a social-work station."),
        Column("station_opened_date", "DATE", "社工站启用日期", "Empty without a station.", nullable=True, past=True),
        Column("station_stars", "INTEGER", "社工站星级", "0 (not rated) to 5 stars.", minimum=0, maximum=5),
        Column(
            "station_resident_workers", "INTEGER", "驻站社工人数", "Social workers resident at the station.", minimum=0
        ),
        Column(
            "brand_project", "VARCHAR", "一站一亮点项目", "The station's local brand project, if any.", nullable=True
        ),
    ),
    key=("township_code",),
    required_rows=True,
)

COMMUNITIES = Table(
    "communities",
    "村（社区）",
    "One row per village or community (village-level unit).",
    (
        Column("community_code", "VARCHAR", "村社区划代码", "12-digit statistical division code."),
        Column("township_code", "VARCHAR", "所属乡镇代码", "The township it belongs to.", references=TOWNSHIP_REF),
        Column("community_name", "VARCHAR", "村（社区）名称", "Name."),
        Column(
            "community_kind",
            "VARCHAR",
            "类型",
            "城市社区 counts for the 2-per-urban-community goal.",
            enum=COMMUNITY_KIND,
        ),
        Column("urban_rural_code", "VARCHAR", "城乡分类代码", "Statistical urban-rural code.", enum=URBAN_RURAL_CODE),
    ),
    key=("community_code",),
    required_rows=True,
)

PEOPLE = Table(
    "people",
    "社会工作人才",
    "The social-work talent register at the snapshot date: one row per person, no personal data.",
    (
        Column("person_id", "VARCHAR", "人员编号", "Stable pseudonymous id (keyed hash); never a name or ID number."),
        Column(
            "township_code",
            "VARCHAR",
            "服务乡镇代码",
            "Empty for county-level units.",
            nullable=True,
            references=TOWNSHIP_REF,
        ),
        Column(
            "community_code",
            "VARCHAR",
            "服务村（社区）代码",
            "Empty when not posted to a village/community.",
            nullable=True,
            references=COMMUNITY_REF,
        ),
        Column("employer_type", "VARCHAR", "工作单位类型", "Kind of employer.", enum=EMPLOYER_TYPE),
        Column("role", "VARCHAR", "岗位角色", "Free text, e.g. 驻站社工, 社区工作者.", nullable=True),
        Column(
            "certificate_level", "VARCHAR", "证书等级", "Highest national certificate held.", enum=CERTIFICATE_LEVEL
        ),
        Column(
            "certificate_date", "DATE", "证书取得日期", "Date the current level was obtained.", nullable=True, past=True
        ),
        Column(
            "first_certified_date",
            "DATE",
            "首次取证日期",
            "Date of the person's first certificate; gross increase counts these within the year.",
            nullable=True,
            past=True,
        ),
        Column("sw_education", "VARCHAR", "社会工作学历", "Highest social-work degree.", enum=SW_EDUCATION),
        Column("sector", "VARCHAR", "服务领域", "Sector served, if any.", nullable=True, enum=SECTOR),
        Column(
            "talent_card_date",
            "DATE",
            "英才卡发放日期",
            "Date the county's talent card (H类; its local name is `talent_card` in county.json) was issued.",
            nullable=True,
            past=True,
        ),
        Column(
            "award_year",
            "INTEGER",
            "获奖年度",
            "Year of the 0.15万元 one-off award.",
            nullable=True,
            minimum=2000,
            maximum=2100,
        ),
        Column("joined_date", "DATE", "入库日期", "Date the person entered the register.", past=True),
    ),
    key=("person_id",),
    required_rows=True,
)

POSTS = Table(
    "posts",
    "社会工作岗位",
    "Social-work posts developed in platforms, institutions and key sectors.",
    (
        Column("post_id", "VARCHAR", "岗位编号", "Stable id."),
        Column("sector", "VARCHAR", "岗位领域", "Platform, institution or key sector (see enumeration).", enum=SECTOR),
        Column("unit_name", "VARCHAR", "设岗单位", "Employing unit."),
        Column(
            "township_code",
            "VARCHAR",
            "所在乡镇代码",
            "Empty for county-level departments.",
            nullable=True,
            references=TOWNSHIP_REF,
        ),
        Column("funding", "VARCHAR", "经费来源", "How the post is paid for.", enum=FUNDING),
        Column("is_filled", "BOOLEAN", "是否在岗", "Filled (true) or vacant (false)."),
        Column("created_date", "DATE", "设岗日期", "Date the post was set up.", past=True),
        Column(
            "is_main_professional",
            "BOOLEAN",
            "是否主体专业技术岗位",
            "Social work is the unit's main professional post.",
        ),
    ),
    key=("post_id",),
)

ORGANISATIONS = Table(
    "organisations",
    "社工机构",
    "Social-work service organisations (社会工作服务机构) registered in the county.",
    (
        Column("organisation_id", "VARCHAR", "机构编号", "Stable id (e.g. unified social credit code)."),
        Column("organisation_name", "VARCHAR", "机构名称", "Registered name."),
        Column(
            "township_code",
            "VARCHAR",
            "注册地乡镇代码",
            "Empty when registered at county level.",
            nullable=True,
            references=TOWNSHIP_REF,
        ),
        Column("registered_date", "DATE", "登记日期", "Registration date.", past=True),
        Column("status", "VARCHAR", "机构状态", "Operating status.", enum=ORGANISATION_STATUS),
        Column("staff", "INTEGER", "从业人员", "Staff headcount.", minimum=0),
        Column("certified_staff", "INTEGER", "持证人员", "Staff holding a national certificate.", minimum=0),
        Column("sw_educated_staff", "INTEGER", "社工专业学历人员", "Staff with a social-work degree.", minimum=0),
        Column(
            "professional_staff",
            "INTEGER",
            "持证或社工学历人员",
            "Staff with a certificate or a social-work degree, each counted once.",
            minimum=0,
        ),
        Column(
            "evaluation_grade", "VARCHAR", "评估等级", "Social-organisation evaluation grade.", enum=EVALUATION_GRADE
        ),
    ),
    key=("organisation_id",),
)

ACTIVITIES = Table(
    "activities",
    "督导培训活动",
    "Exam tutoring, supervision, training, case contests and publicity events.",
    (
        Column("activity_id", "VARCHAR", "活动编号", "Stable id."),
        Column("activity_date", "DATE", "活动日期", "Date held.", past=True),
        Column("activity_kind", "VARCHAR", "活动类型", "Kind.", enum=ACTIVITY_KIND),
        Column("mode", "VARCHAR", "活动形式", "线上 or 线下.", enum=ACTIVITY_MODE),
        Column(
            "township_code",
            "VARCHAR",
            "举办乡镇代码",
            "Empty for county-level events.",
            nullable=True,
            references=TOWNSHIP_REF,
        ),
        Column("title", "VARCHAR", "活动名称", "Title."),
        Column("attendees", "INTEGER", "参加人次", "Attendance.", minimum=0),
        Column("hours", "DOUBLE", "时长（小时）", "Duration in hours.", minimum=0),
    ),
    key=("activity_id",),
)

PURCHASES = Table(
    "purchases",
    "政府购买社工服务",
    "Government purchase of social-work services: one row per project.",
    (
        Column("purchase_id", "VARCHAR", "项目编号", "Stable id."),
        Column("plan_year", "INTEGER", "年度", "Budget year.", minimum=2000, maximum=2100),
        Column("department", "VARCHAR", "购买部门", "Purchasing department."),
        Column("project_name", "VARCHAR", "项目名称", "Project."),
        Column("budget_wan", "DOUBLE", "预算（万元）", "Budget in 万元 (10,000 yuan).", minimum=0),
        Column(
            "township_code",
            "VARCHAR",
            "服务乡镇代码",
            "Empty for county-wide projects.",
            nullable=True,
            references=TOWNSHIP_REF,
        ),
        Column("status", "VARCHAR", "项目状态", "Status.", enum=PURCHASE_STATUS),
    ),
    key=("purchase_id",),
)

TARGETS = Table(
    "targets",
    "年度目标",
    "Goals per plan year, entered by staff in the template's 年度目标 sheet; next year's plan changes them here, "
    "not in code. A metric without a row for the year still shows, with the status 无目标.",
    (
        Column("plan_year", "INTEGER", "年度", "Plan year.", minimum=2000, maximum=2100),
        Column("metric_key", "VARCHAR", "指标", "Which figure the goal is set on.", enum=METRIC),
        Column("target_label", "VARCHAR", "目标表述", "The plan's wording of the target."),
        Column(
            "goal_value", "DOUBLE", "目标值", "Goal; ignored for gt_baseline (the baseline is the goal).", nullable=True
        ),
        Column("comparator", "VARCHAR", "比较方式", "How value and goal compare.", enum=COMPARATOR),
        Column("scope", "VARCHAR", "目标范围", "County-wide total or scale-free.", enum=TARGET_SCOPE),
        Column(
            "responsible_unit",
            "VARCHAR",
            "责任单位",
            "The unit that answers for the target (e.g. 县民政局、县人社局); shown beside it on every surface. "
            "Optional: a workbook without the column imports as before.",
            nullable=True,
            since=2,
        ),
    ),
    key=("plan_year", "metric_key"),
    required_rows=True,
    carried_forward=True,
)

MILESTONES = Table(
    "milestones",
    "实施步骤与举措",
    "The plan's steps and measures with their state at the snapshot date, entered by staff in the template's "
    "实施步骤与举措 sheet.",
    (
        Column("milestone_id", "VARCHAR", "事项编号", "Stable id."),
        Column("title", "VARCHAR", "事项", "Step or measure."),
        Column("kind", "VARCHAR", "类型", "Step or measure.", enum=MILESTONE_KIND),
        Column("lead_department", "VARCHAR", "牵头部门", "Lead department."),
        Column("start_date", "DATE", "开始日期", "Planned start.", nullable=True),
        Column("due_date", "DATE", "截止日期", "Due date."),
        Column("status", "VARCHAR", "状态", "State at the snapshot date.", enum=MILESTONE_STATUS),
        Column("done_date", "DATE", "完成日期", "Set when done.", nullable=True, past=True),
    ),
    key=("milestone_id",),
    carried_forward=True,
)

TABLES: tuple[Table, ...] = (
    TOWNSHIPS,
    COMMUNITIES,
    PEOPLE,
    POSTS,
    ORGANISATIONS,
    ACTIVITIES,
    PURCHASES,
    TARGETS,
    MILESTONES,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

# ---------------------------------------------------------------- derived tables
# Written with each snapshot from its contract tables (queries/aggregates/), never imported, so that
# pages read a few rows per township instead of scanning every register at every date.


def _count(name: str, label: str, description: str) -> Column:
    return Column(name, "INTEGER", label, description, minimum=0)


COMMUNITY_STAFFING = Table(
    "community_staffing",
    "村（社区）社工配备（汇总）",
    "Per village/community: the social workers serving it at the snapshot, with its name, so that the "
    "lists of communities read one small table instead of the communities register. Written in order of "
    "need_rank, so that the most-in-need lists read the first rows of the file only.",
    (
        Column("community_code", "VARCHAR", "村社区划代码", "The village/community."),
        Column("township_code", "VARCHAR", "所属乡镇代码", "Its township."),
        Column("community_name", "VARCHAR", "村（社区）名称", "As in communities."),
        Column("community_kind", "VARCHAR", "类型", "As in communities.", enum=COMMUNITY_KIND),
        Column("urban_rural_code", "VARCHAR", "城乡分类代码", "As in communities.", enum=URBAN_RURAL_CODE),
        _count("social_workers", "社工人数", "People on the register posted to it."),
        _count("certified_workers", "持证社工人数", "Of whom hold a national certificate."),
        Column(
            "need_rank",
            "INTEGER",
            "关注名次",
            "1 = most in need: urban communities by how many certified social workers they lack (the "
            "plan's 2), then villages/communities that no social worker serves, then township and "
            "community order.",
            minimum=1,
        ),
    ),
    key=("community_code",),
)

TOWNSHIP_FIGURES = Table(
    "township_figures",
    "乡镇指标（汇总）",
    "Per township, plus one row with an empty code for county-level units: every additive figure of the "
    "plan at the snapshot (declared in PLAN_FIGURES). “This year” means from 1 January of the snapshot's year to "
    "the snapshot date. A figure is empty (no data) at a snapshot whose registers lack a column it counts.",
    (
        Column("township_code", "VARCHAR", "乡镇区划代码", "Empty for county-level units.", nullable=True),
        *(
            Column(f.key, f.type, f.label, f.description, nullable=True, minimum=0, since=f.since)
            for f in ADDITIVE_FIGURES
        ),
    ),
    key=("township_code",),
)

COUNTY_FIGURES = Table(
    "county_figures",
    "全域指标（汇总）",
    "One row: township_figures summed over every township and the county-level row, so that the "
    "whole-county view reads one row per date.",
    tuple(column for column in TOWNSHIP_FIGURES.columns if column.name != "township_code"),
    key=(),
)

# In writing order: each is computed from the contract tables and the derived tables before it.
DERIVED_TABLES: tuple[Table, ...] = (COMMUNITY_STAFFING, TOWNSHIP_FIGURES, COUNTY_FIGURES)
# Certificate levels summed in township_figures, one column each (checked against CERTIFICATE_LEVEL by a test).
CERTIFIED_LEVEL_COLUMNS = {code: f"certified_{code}" for code in CERTIFICATE_LEVEL.codes if code != "none"}

# Columns a register may carry that must never be stored (matched on the header, any case).
PERSONAL_COLUMNS: tuple[str, ...] = (
    "姓名",
    "name",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "身份证",
    "id_number",
    "手机",
    "手机号",
    "手机号码",
    "电话",
    "联系电话",
    "联系方式",
    "移动电话",
    "办公电话",
    "phone",
    "出生日期",
    "家庭住址",
    "住址",
)
# Headers of a people sheet's ID-card number column, hashed into 人员编号 (never stored).
ID_NUMBER_HEADERS: tuple[str, ...] = ("身份证号", "身份证号码", "公民身份号码", "身份证")

SNAPSHOT_PARTITION = "snapshot_date"

# Every enumeration, in the order docs/data.md lists them (METRIC, from the plan's figures, among them).
ENUMS: tuple[Enum, ...] = (
    TOWNSHIP_KIND,
    COMMUNITY_KIND,
    URBAN_RURAL_CODE,
    EMPLOYER_TYPE,
    CERTIFICATE_LEVEL,
    SW_EDUCATION,
    SECTOR_GROUP,
    SECTOR,
    FUNDING,
    ORGANISATION_STATUS,
    EVALUATION_GRADE,
    ACTIVITY_KIND,
    ACTIVITY_MODE,
    PURCHASE_STATUS,
    COMPARATOR,
    TARGET_SCOPE,
    MILESTONE_KIND,
    MILESTONE_STATUS,
    METRIC_GROUP,
    METRIC,
    KPI_STATUS,
    MILESTONE_TIMELINE,
    FOLLOWUP_STATUS,
    FOLLOWUP_ACTION,
    COMMUNITY_CHANGE,
    SERVICE_POINT_CHANGE,
    DIVISION_LEVEL,
)
