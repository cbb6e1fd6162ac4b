"""The data contract: every snapshot table, its columns, types and enumerations, defined once.

The import, the demo generator, the query layer, the docs (docs/data.md) and the tests all
read this module; nothing else spells out a column or an allowed value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# The contract's version, written into every Parquet file of a snapshot. Adding a column (or a plan figure) raises
# it and marks the column `since` the new version: snapshots written before read the column as missing (NULL), and
# a figure counting it shows 无数据 at their dates rather than 0 (docs/adding-a-figure.md).
CONTRACT_VERSION = 2  # 2: targets.responsible_unit
VERSION_KEY = "socialwork_contract_version"  # the Parquet files' key-value metadata holding it


@dataclass(frozen=True)
class Enum:
    """A closed set of codes (stored) with their Chinese labels (shown)."""

    name: str
    label: str
    labels: dict[str, str]
    groups: dict[str, str] = field(default_factory=dict)  # code -> group code, where codes group

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label_of(self, code: str) -> str:
        return self.labels[code]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type name: VARCHAR, DATE, INTEGER, DOUBLE, BOOLEAN
    label: str
    description: str
    nullable: bool = False
    enum: Enum | None = None
    references: str | None = None  # "table.column" that must hold this value
    minimum: float | None = None
    maximum: float | None = None
    past: bool = False  # a date that cannot lie after the snapshot's as-of date
    pattern: str | None = None  # a regular expression the whole text must match (the store's identity)
    since: int = 1  # the contract version that added the column: older snapshots read it as missing (NULL)


@dataclass(frozen=True)
class Table:
    name: str
    label: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required_rows: bool = False  # an import with this table empty is refused
    # A month's file may leave this table out: the import then copies it from the latest earlier snapshot.
    carried_forward: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def arrow_schema(self) -> pa.Schema:
        """The columns' Arrow types, stamped with the contract version (a file written with it records it)."""
        fields = [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in self.columns]
        return pa.schema(fields, metadata={VERSION_KEY: str(CONTRACT_VERSION)})


ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
}

# ---------------------------------------------------------------- enumerations

TOWNSHIP_KIND = Enum("township_kind", "乡镇类型", {"town": "镇", "xiang": "乡", "street": "街道"})

COMMUNITY_KIND = Enum(
    "community_kind",
    "村社类型",
    {"urban_community": "城市社区", "rural_community": "农村社区", "village": "村"},
)

# National statistical urban-rural classification; 1xx is urban, 2xx rural.
URBAN_RURAL_CODE = Enum(
    "urban_rural_code",
    "城乡分类代码",
    {
        "111": "主城区",
        "112": "城乡结合区",
        "121": "镇中心区",
        "122": "镇乡结合区",
        "123": "特殊区域",
        "210": "乡中心区",
        "220": "村庄",
    },
    groups={
        "111": "urban",
        "112": "urban",
        "121": "urban",
        "122": "urban",
        "123": "urban",
        "210": "rural",
        "220": "rural",
    },
)

EMPLOYER_TYPE = Enum(
    "employer_type",
    "工作单位类型",
    {
        "government": "机关事业单位",
        "community": "城乡社区",
        "station": "社工站",
        "social_org": "社会组织",
        "sw_org": "社工机构",
        "other": "其他",
    },
)

CERTIFICATE_LEVEL = Enum(
    "certificate_level",
    "证书等级",
    {"none": "无", "assistant": "助理社会工作师", "intermediate": "社会工作师", "senior": "高级社会工作师"},
)

SW_EDUCATION = Enum(
    "sw_education",
    "社会工作学历",
    {"none": "无", "vocational": "专科", "bachelor": "本科", "master": "硕士及以上"},
)

SECTOR_GROUP = Enum(
    "sector_group",
    "岗位领域类别",
    {"platform": "基层平台", "institution": "社工为主的机构", "key_sector": "重点领域"},
)

SECTOR = Enum(
    "sector",
    "岗位领域",
    {
        "community_service_center": "社区服务中心",
        "party_service_center": "党群服务中心(站)",
        "governance_center": "综治中心",
        "care_station": "关爱工作站(室)",
        "community_service_station": "社区综合服务站",
        "elderly_care": "养老服务机构",
        "child_welfare": "儿童福利机构",
        "social_assistance": "社会救助服务机构",
        "rescue_management": "救助管理机构",
        "drug_control": "禁毒",
        "community_correction": "社区矫正",
        "petition": "信访",
        "veterans": "退役军人事务",
        "emergency": "应急管理",
        "medical": "医务",
        "school": "学校",
        "trade_union": "工会",
        "youth": "青少年",
        "women": "妇女",
        "disability": "残疾人",
    },
    groups={
        **dict.fromkeys(
            [
                "community_service_center",
                "party_service_center",
                "governance_center",
                "care_station",
                "community_service_station",
            ],
            "platform",
        ),
        **dict.fromkeys(["elderly_care", "child_welfare", "social_assistance", "rescue_management"], "institution"),
        **dict.fromkeys(
            [
                "drug_control",
                "community_correction",
                "petition",
                "veterans",
                "emergency",
                "medical",
                "school",
                "trade_union",
                "youth",
                "women",
                "disability",
            ],
            "key_sector",
        ),
    },
)

FUNDING = Enum("funding", "经费来源", {"purchase": "政府购买服务", "establishment": "编制内", "other": "其他"})

ORGANISATION_STATUS = Enum(
    "organisation_status", "机构状态", {"active": "正常运营", "suspended": "暂停服务", "deregistered": "已注销"}
)

EVALUATION_GRADE = Enum(
    "evaluation_grade",
    "评估等级",
    {"none": "未评估", "1A": "1A", "2A": "2A", "3A": "3A", "4A": "4A", "5A": "5A"},
)

ACTIVITY_KIND = Enum(
    "activity_kind",
    "活动类型",
    {
        "exam_tutoring": "考前公益辅导",
        "supervision": "督导",
        "training": "培训",
        "case_contest": "案例评选",
        "publicity": "宣传活动",
    },
)

ACTIVITY_MODE = Enum("activity_mode", "活动形式", {"online": "线上", "offline": "线下"})

PURCHASE_STATUS = Enum(
    "purchase_status",
    "项目状态",
    {"planned": "计划中", "procuring": "采购中", "ongoing": "实施中", "completed": "已完成"},
)

COMPARATOR = Enum("comparator", "比较方式", {"gt": "超过", "ge": "达到", "gt_baseline": "高于上年末"})

TARGET_SCOPE = Enum(
    "target_scope",
    "目标范围",
    {"county": "全县总量（乡镇筛选时显示贡献）", "scale_free": "各级适用（县、乡镇均可比较）"},
)

MILESTONE_KIND = Enum("milestone_kind", "事项类型", {"stage": "实施步骤", "measure": "工作举措"})

MILESTONE_STATUS = Enum(
    "milestone_status", "事项状态", {"not_started": "未开始", "in_progress": "进行中", "done": "已完成"}
)

METRIC_GROUP = Enum(
    "metric_group",
    "目标类别",
    {
        "talent": "人才队伍",
        "coverage": "服务覆盖",
        "stations": "社工站与机构",
        "posts": "岗位开发",
        "training": "辅导、督导与培训",
        "incentives": "激励措施",
        "purchase": "政府购买服务",
    },
)

# The plan: 力争平均每个城市社区有2名以上社会工作专业人才. Queries take it as $min_certified;
# the derived table township_figures is written with it.
URBAN_COMMUNITY_MIN_CERTIFIED = 2

# The plan: 给予入选者每人0.15万元的一次性奖励. Queries take it as $award_wan.
AWARD_WAN_PER_PERSON = 0.15

# Resident social workers a township station usually has (two, bought through government purchase of services):
# the stations page counts the stations below it. Queries take it as $min_residents.
STATION_MIN_RESIDENT_WORKERS = 2

# ---------------------------------------------------------------- the plan's figures
# Every figure of the plan is declared here once. From these declarations come: the derived table
# township_figures and the query that writes it (queries/aggregates/township_figures.sql), the kpi queries
# (queries/kpi/plan_figures_by_snapshot*.sql, scale_free_figures_by_township.sql), the metrics a target can be
# set on (METRIC below) and how each is computed (socialwork/figures/metrics/registry.py), docs/data.md and the
# benchmark's inputs. `python -m socialwork generate` rewrites the generated files; docs/adding-a-figure.md
# walks through adding one.

# The township's own figures, summed: a figure whose source this is adds up other figures of its row.
OWN_FIGURES = "township_figures"


@dataclass(frozen=True)
class FigureSource:
    """A table whose rows the additive figures count per township, and which of its rows count."""

    table: str
    where: str | None = None  # an SQL condition on the rows, e.g. only this year's
    # A derived table's register columns (the benchmark's baselines read these instead; a register is read as is).
    reads: dict[str, tuple[str, ...]] = field(default_factory=dict)


FIGURE_SOURCES: dict[str, FigureSource] = {
    source.table: source
    for source in (
        FigureSource("people"),
        FigureSource(
            "community_staffing",
            reads={
                "people": ("community_code", "certificate_level"),
                "communities": ("community_code", "township_code", "community_kind"),
            },
        ),
        FigureSource("townships"),
        FigureSource("posts"),
        FigureSource("organisations", "status = 'active'"),
        FigureSource("activities", "activity_date between date_trunc('year', $snapshot_date::date) and $snapshot_date"),
        FigureSource("purchases", "plan_year = year($snapshot_date::date)"),
        FigureSource(OWN_FIGURES),
    )
}


@dataclass(frozen=True)
class Figure:
    """One figure of the plan, declared once.

    Additive (`source` and `expression`): an SQL aggregate over one township's rows of `source` (a register, the
    derived community_staffing, or OWN_FIGURES), stored per township in township_figures; it adds up over
    townships, so the county and any set of townships sum their rows. Otherwise it is computed from additive
    figures: `ratio` (numerator, denominator; × 100 when the unit is %) or `of` (another figure's value, e.g. net
    of the baseline). A figure with a `group` is a metric: a target can be set on it and it shows as a card.
    """

    key: str
    label: str
    description: str
    source: str | None = None
    expression: str | None = None
    ratio: tuple[str, str] | None = None
    of: str | None = None
    type: str = "INTEGER"  # of an additive figure's column: INTEGER or DOUBLE
    unit: str = ""
    decimals: int = 0
    annual: bool = False  # counts from zero each plan year (pace starts at 0)
    net_of_baseline: bool = False  # the value at the date minus the value at the baseline
    group: str | None = None  # METRIC_GROUP code: a metric, shown under that group
    short_label: str | None = None  # a wide table's column header
    local_label: str | None = None  # the label with the store's talent-card name, e.g. 本年发放“{talent_card}”
    gross: str | None = None  # an additive figure shown beside a net increase (first certificates this year)
    since: int = 1  # the contract version that added it

    @property
    def additive(self) -> bool:
        return self.expression is not None

    @property
    def is_metric(self) -> bool:
        return self.group is not None

    @property
    def parts(self) -> tuple[str, ...]:
        """The additive figures it is computed from (itself, if additive)."""
        return (self.key,) if self.additive else (self.ratio or (self.of,))


def _this_year(column: str) -> str:
    return f"{column} between date_trunc('year', $snapshot_date::date) and $snapshot_date"


_N = URBAN_COMMUNITY_MIN_CERTIFIED
_URBAN = "community_kind = 'urban_community'"

PLAN_FIGURES: tuple[Figure, ...] = (
    # 1 全县持证社会工作者年度增量超过40人
    Figure("social_workers", "社工人数", "People on the register.", "people", "count(*)"),
    Figure("certified_workers", "持证社工人数", "Holding any national certificate.",
           "people", "count(*) filter (where certificate_level <> 'none')"),
    *(
        Figure(f"certified_{code}", CERTIFICATE_LEVEL.label_of(code), f"Holding the {code} level.",
               "people", f"count(*) filter (where certificate_level = '{code}')")
        for code in CERTIFICATE_LEVEL.codes if code != "none"
    ),
    Figure("certified_gained_this_year", "本年新取证", "First certified this year.", "people",
           f"count(*) filter (where certificate_level <> 'none' and {_this_year('first_certified_date')})"),
    Figure("certified_net_increase", "持证社工年度净增",
           "Certified social workers at the snapshot minus at the baseline (the latest snapshot on or before 31 "
           "December of the year before); first certificates this year are shown beside it as the gross increase.",
           of="certified_workers", unit="人", annual=True, net_of_baseline=True, group="talent",
           gross="certified_gained_this_year"),
    # 2 培育社会工作服务机构达到7家
    Figure("active_organisations", "社工机构数量", "Active social-work service organisations.",
           "organisations", "count(*)", unit="家", group="stations"),
    # 3 力争平均每个城市社区有2名以上社会工作专业人才
    Figure("urban_communities", "城市社区数", "Urban communities.", "community_staffing",
           f"count(*) filter (where {_URBAN})"),
    Figure("certified_in_urban_communities", "城市社区持证社工", "Certified workers posted to urban communities.",
           "community_staffing", f"sum(certified_workers) filter (where {_URBAN})"),
    Figure("urban_communities_2plus", "达标城市社区", f"Urban communities with at least {_N} certified workers.",
           "community_staffing", f"count(*) filter (where {_URBAN} and certified_workers >= $min_certified)"),
    Figure("urban_communities_0_certified", "无持证社工的城市社区", "Urban communities with none certified.",
           "community_staffing", f"count(*) filter (where {_URBAN} and certified_workers = 0)"),
    Figure("urban_communities_1_certified", "1名持证社工的城市社区", "Urban communities with one certified.",
           "community_staffing", f"count(*) filter (where {_URBAN} and certified_workers = 1)"),
    Figure("urban_communities_3plus_certified", "3名以上持证社工的城市社区", "Urban communities with three or more.",
           "community_staffing", f"count(*) filter (where {_URBAN} and certified_workers >= 3)"),
    Figure("urban_shortfall", "城市社区持证社工缺口",
           f"Certified workers missing to give every urban community {_N}.", "community_staffing",
           f"sum(greatest($min_certified - certified_workers, 0)) filter (where {_URBAN})"),
    Figure("certified_per_urban_community", "城市社区平均持证社工",
           "Certified workers in urban communities per urban community.",
           ratio=("certified_in_urban_communities", "urban_communities"), unit="人/社区", decimals=2,
           group="talent", short_label="城市社区均持证"),
    Figure("urban_communities_2plus_share", f"持证社工≥{_N}名的城市社区占比",
           f"Share of urban communities with at least {_N} certified workers.",
           ratio=("urban_communities_2plus", "urban_communities"), unit="%", decimals=1, group="talent",
           short_label=f"社区≥{_N}名占比"),
    # 4 乡镇(街道)、村(社区)都有社会工作者提供服务
    Figure("townships", "乡镇数", "1 for a township, 0 for the county-level row.", "townships", "count(*)"),
    Figure("townships_served", "有社工的乡镇数", "1 when someone on the register serves the township.",
           OWN_FIGURES, "case when townships = 1 and social_workers > 0 then 1 else 0 end"),
    Figure("townships_served_share", "有社工服务的乡镇（街道）占比",
           "Share of townships that someone on the register serves.",
           ratio=("townships_served", "townships"), unit="%", decimals=1, group="coverage", short_label="乡镇有社工"),
    Figure("communities", "村（社区）数", "Villages and communities.", "community_staffing", "count(*)"),
    Figure("communities_served", "有社工的村（社区）", "With at least one social worker.",
           "community_staffing", "count(*) filter (where social_workers > 0)"),
    Figure("communities_served_share", "有社工服务的村（社区）占比",
           "Share of villages and communities with at least one social worker.",
           ratio=("communities_served", "communities"), unit="%", decimals=1, group="coverage",
           short_label="村社有社工"),
    # 5 乡镇(街道)社工站运营规范…打造一批星级服务站点; 一站一亮点
    Figure("stations_operating", "运营中的乡镇（街道）社工站", "Townships running a station.",
           "townships", "count(*) filter (where has_station)", unit="个", group="stations"),
    Figure("stations_star_rated", "星级社工站", "Stations with one star or more.",
           "townships", "count(*) filter (where has_station and station_stars > 0)", unit="个", group="stations"),
    Figure("brand_projects", "“一站一亮点”品牌项目", "Stations with a brand project.",
           "townships", "count(brand_project) filter (where has_station)", unit="个", group="stations"),
    Figure("station_resident_workers", "驻站社工", "Social workers resident at the station.",
           "townships", "sum(station_resident_workers)"),
    # 6 提高城乡社区工作者持有专业证书比例
    Figure("community_workers", "社区工作者", "Employed by a community.",
           "people", "count(*) filter (where employer_type = 'community')"),
    Figure("certified_community_workers", "持证社区工作者", "Community employees holding a certificate.",
           "people", "count(*) filter (where employer_type = 'community' and certificate_level <> 'none')"),
    Figure("community_worker_certified_share", "城乡社区工作者持证比例",
           "Share of community employees holding a certificate.",
           ratio=("certified_community_workers", "community_workers"), unit="%", decimals=1, group="talent",
           short_label="社区工作者持证率"),
    # 7 推进重点领域社会工作岗位开发设置
    Figure("posts", "岗位数", "Social-work posts, filled or vacant.", "posts", "count(*)"),
    Figure("posts_filled", "在岗岗位", "Filled posts.", "posts", "count(*) filter (where is_filled)"),
    Figure("posts_new_this_year", "本年新开发社工岗位", "Posts set up this year.",
           "posts", f"count(*) filter (where {_this_year('created_date')})", unit="个", annual=True, group="posts"),
    # 8 考前公益辅导; 督导; 培训 (this year's activities only: see FIGURE_SOURCES)
    Figure("exam_tutoring_sessions", "考前公益辅导场次", "Exam-tutoring sessions this year.",
           "activities", "count(*) filter (where activity_kind = 'exam_tutoring')", unit="场", annual=True,
           group="training"),
    Figure("exam_tutoring_attendees", "考前辅导人次", "Attendance at this year's exam tutoring.",
           "activities", "sum(attendees) filter (where activity_kind = 'exam_tutoring')"),
    Figure("supervision_sessions", "督导场次", "Supervision sessions this year.",
           "activities", "count(*) filter (where activity_kind = 'supervision')", unit="场", annual=True,
           group="training"),
    Figure("training_sessions", "培训场次", "Training sessions this year.",
           "activities", "count(*) filter (where activity_kind = 'training')", unit="场", annual=True,
           group="training"),
    # 9 "XX英才"H类人才卡, 0.15万元 one-off award
    Figure("talent_cards_this_year", "本年发放人才卡", "Talent cards issued this year.",
           "people", f"count(*) filter (where {_this_year('talent_card_date')})", unit="张", annual=True,
           group="incentives", local_label="本年发放“{talent_card}”"),
    Figure("talent_cards_total", "英才卡累计", "Holders of a talent card.", "people", "count(talent_card_date)"),
    Figure("awards_this_year", "本年社会工作人才奖励人数", "One-off awards of the snapshot's year.",
           "people", "count(*) filter (where award_year = year($snapshot_date::date))", unit="人", annual=True,
           group="incentives"),
    # 10 社工机构 staff share with certificate or social-work education
    Figure("organisation_staff", "机构从业人员", "Staff of active organisations.", "organisations", "sum(staff)"),
    Figure("organisation_professional_staff", "机构专业人员",
           "Staff of active organisations with a certificate or a social-work degree.",
           "organisations", "sum(professional_staff)"),
    Figure("org_professional_staff_share", "社工机构专业人员占比",
           "Share of active organisations' staff with a certificate or a social-work degree.",
           ratio=("organisation_professional_staff", "organisation_staff"), unit="%", decimals=1, group="stations",
           short_label="机构专业人员占比"),
    # 11 政府购买社会工作服务 (the snapshot's plan year: see FIGURE_SOURCES)
    Figure("purchase_projects", "购买服务项目", "Projects of the snapshot's plan year.", "purchases", "count(*)"),
    Figure("purchase_budget_wan", "本年政府购买社工服务预算", "Budget of those projects, in 万元.",
           "purchases", "sum(budget_wan)", type="DOUBLE", unit="万元", decimals=1, annual=True, group="purchase"),
)  # fmt: skip
FIGURES: dict[str, Figure] = {figure.key: figure for figure in PLAN_FIGURES}
ADDITIVE_FIGURES: tuple[Figure, ...] = tuple(figure for figure in PLAN_FIGURES if figure.additive)

# The figures a target can be set on, in the order cards show them (socialwork/figures/metrics/registry.py).
METRIC = Enum(
    "metric",
    "指标",
    {figure.key: figure.label for figure in PLAN_FIGURES if figure.is_metric},
    groups={figure.key: figure.group for figure in PLAN_FIGURES if figure.is_metric},
)

# Labels shown with the store's talent-card name (county.json's talent_card) filled in, e.g. 本年发放“云溪英才卡”.
METRIC_LOCAL_LABELS = {figure.key: figure.local_label for figure in PLAN_FIGURES if figure.local_label}

# Short column headers for wide tables (the full label shows in the header's tooltip and on cards).
METRIC_SHORT_LABELS = {figure.key: figure.short_label for figure in PLAN_FIGURES if figure.short_label}

# A plan step or measure against the as-of date (computed by the milestones query).
MILESTONE_TIMELINE = Enum(
    "milestone_timeline",
    "时间进度",
    {
        "done": "按期完成",
        "done_late": "逾期完成",
        "overdue": "已逾期",
        "on_time": "进行中（未到期）",
        "not_started": "未开始",
    },
)

# How a figure stands against its goal at the as-of date (computed, never stored).
KPI_STATUS = Enum(
    "kpi_status",
    "进度状态",
    {
        "met": "达标",
        "on_track": "进度正常",
        "behind": "滞后",
        "missed": "未达标",
        "contribution": "不单独考核",
        "no_goal": "无目标",
        "no_data": "无数据",
    },
)

# A follow-up item (督办事项) set by a review meeting: stored in the follow-up store, not in snapshots.
FOLLOWUP_STATUS = Enum(
    "followup_status", "督办状态", {"not_started": "未开始", "in_progress": "推进中", "done": "已完成"}
)

# How a village/community changed between two snapshots (queries/changes/).
COMMUNITY_CHANGE = Enum(
    "community_change",
    "村（社区）变化",
    {
        "reached_minimum": f"达到{URBAN_COMMUNITY_MIN_CERTIFIED}名以上持证社工",
        "fell_below_minimum": f"降至不足{URBAN_COMMUNITY_MIN_CERTIFIED}名持证社工",
        "gone_met": f"已撤并（原有{URBAN_COMMUNITY_MIN_CERTIFIED}名以上持证社工）",
        "reclassified_met": f"不再是城市社区（原有{URBAN_COMMUNITY_MIN_CERTIFIED}名以上持证社工）",
        "new_urban_unmet": f"新列为城市社区（持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名）",
        "gone_unmet": f"已撤并（原持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名）",
        "reclassified_unmet": f"不再是城市社区（原持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名）",
        "newly_served": "新有社工服务",
        "no_longer_served": "不再有社工服务",
        "gone_served": "已撤并（原有社工服务）",
        "new_unserved": "新设（尚无社工服务）",
        "gone_unserved": "已撤并（原无社工服务）",
    },
)

# How a township station or an organisation changed between two snapshots (queries/changes/).
SERVICE_POINT_CHANGE = Enum(
    "service_point_change",
    "社工站与机构变动",
    {
        "station_opened": "社工站启用",
        "station_closed": "社工站停用",
        "stars_up": "星级提升",
        "stars_down": "星级下降",
        "registered": "新登记机构",
        "deregistered": "机构注销",
        "suspended": "机构暂停服务",
        "resumed": "机构恢复运营",
        "grade_changed": "评估等级变化",
    },
    groups={
        **dict.fromkeys(["station_opened", "station_closed", "stars_up", "stars_down"], "station"),
        **dict.fromkeys(["registered", "deregistered", "suspended", "resumed", "grade_changed"], "organisation"),
    },
)

# The levels of the official division codes above the village (12 digits: 2+2+2+3+3), for a store of many counties.
DIVISION_LEVEL = Enum(
    "division_level", "区划级别", {"province": "省", "city": "市", "county": "县", "township": "乡镇（街道）"}
)
# How many leading digits of a village/community's code name its division at each level.
DIVISION_DIGITS: dict[str, int] = {"province": 2, "city": 4, "county": 6, "township": 9}

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
    COMMUNITY_CHANGE,
    SERVICE_POINT_CHANGE,
    DIVISION_LEVEL,
)

# ---------------------------------------------------------------- tables

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

# ---------------------------------------------------------------- how clerks spell things
# A register kept by a township office rarely uses the template's exact words. The import accepts
# these spellings too (compared after NFKC normalisation, without spaces), and nothing else.

# Sheet or CSV file names, besides the table's name and label.
TABLE_ALIASES: dict[str, tuple[str, ...]] = {
    "townships": ("乡镇", "乡镇街道", "乡镇(街道)基本情况", "乡镇社工站", "社工站"),
    "communities": ("村社区", "村(社区)名单", "村居", "村(居)"),
    "people": ("社工人才", "社会工作者", "社会工作者花名册", "社工花名册", "人才花名册", "社会工作人才花名册"),
    "posts": ("岗位", "社工岗位", "岗位开发"),
    "organisations": ("机构", "社会工作服务机构", "社工服务机构"),
    "activities": ("活动", "督导培训", "培训督导活动", "督导与培训"),
    "purchases": ("政府购买服务", "购买服务", "购买服务项目"),
    "targets": ("目标", "年度目标值"),
    "milestones": ("实施步骤", "工作举措", "实施步骤和举措"),
}

# Column headers, besides the column's name and label: {table: {column: aliases}}.
HEADER_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "townships": {
        "township_code": ("乡镇代码", "区划代码", "统计用区划代码", "乡镇(街道)代码"),
        "township_name": ("乡镇", "乡镇(街道)", "乡镇(街道)名称", "名称"),
        "township_kind": ("乡镇类型", "类别"),
        "has_station": ("是否建站", "建有社工站", "有无社工站", "社工站"),
        "station_opened_date": ("启用日期", "社工站成立日期", "建站日期", "挂牌日期"),
        "station_stars": ("星级", "站点星级"),
        "station_resident_workers": ("驻站社工", "驻站人数", "驻站社工数"),
        "brand_project": ("亮点项目", "一站一亮点", "品牌项目"),
    },
    "communities": {
        "community_code": ("区划代码", "统计用区划代码", "村(社区)代码", "村社代码"),
        "township_code": ("乡镇代码", "所属乡镇", "乡镇", "乡镇(街道)", "所属乡镇(街道)"),
        "community_name": ("村社名称", "名称", "村(居)名称", "村(社区)"),
        "community_kind": ("村社类型", "社区类型"),
        "urban_rural_code": ("城乡代码", "城乡分类"),
    },
    "people": {
        "person_id": ("编号", "人员代码"),
        "township_code": ("乡镇代码", "所属乡镇", "乡镇", "服务乡镇", "乡镇(街道)", "所在乡镇"),
        "community_code": ("村(社区)代码", "服务村(社区)", "村(社区)", "服务社区", "所在村(社区)"),
        "employer_type": ("单位类型", "工作单位性质"),
        "role": ("岗位", "职务", "岗位名称"),
        "certificate_level": ("证书级别", "职业资格等级", "持证等级", "持证情况", "职业资格"),
        "certificate_date": ("取证日期", "证书日期", "发证日期"),
        "first_certified_date": ("首次持证日期", "初次取证日期"),
        "sw_education": ("社工学历", "社会工作专业学历", "专业学历"),
        "sector": ("领域", "服务领域类别"),
        "talent_card_date": ("英才卡日期", "人才卡发放日期"),
        "award_year": ("奖励年度", "获奖年份"),
        "joined_date": ("入库时间", "登记日期", "纳入日期"),
    },
    "posts": {
        "post_id": ("编号",),
        "sector": ("领域",),
        "unit_name": ("单位名称", "设岗单位名称"),
        "township_code": ("乡镇代码", "所在乡镇", "乡镇"),
        "funding": ("经费渠道", "资金来源"),
        "is_filled": ("是否在岗人员", "在岗", "是否有人在岗"),
        "created_date": ("设岗时间", "设立日期"),
        "is_main_professional": ("是否主体专业岗位", "主体专业技术岗位"),
    },
    "organisations": {
        "organisation_id": ("统一社会信用代码", "信用代码", "编号"),
        "organisation_name": ("名称", "机构全称"),
        "township_code": ("乡镇代码", "注册地乡镇", "所在乡镇", "乡镇"),
        "registered_date": ("成立日期", "登记时间", "注册日期"),
        "status": ("状态", "运营状态"),
        "staff": ("从业人员数", "工作人员", "员工人数"),
        "certified_staff": ("持证人数", "持证社工"),
        "sw_educated_staff": ("社工学历人员", "社工专业人员"),
        "professional_staff": ("专业人员", "持证或社工学历人数"),
        "evaluation_grade": ("等级评估", "社会组织评估等级"),
    },
    "activities": {
        "activity_id": ("编号",),
        "activity_date": ("日期", "举办日期", "时间"),
        "activity_kind": ("类型", "活动类别"),
        "mode": ("形式", "方式"),
        "township_code": ("乡镇代码", "举办乡镇", "乡镇"),
        "title": ("名称", "活动主题", "主题"),
        "attendees": ("参加人数", "人次", "参训人次", "参加人员"),
        "hours": ("时长", "小时", "学时"),
    },
    "purchases": {
        "purchase_id": ("编号",),
        "plan_year": ("年份", "预算年度"),
        "department": ("购买单位", "采购单位", "购买主体"),
        "project_name": ("名称", "服务项目"),
        "budget_wan": ("预算(万元)", "金额(万元)", "项目金额(万元)", "资金(万元)"),
        "township_code": ("乡镇代码", "服务乡镇", "乡镇"),
        "status": ("状态", "实施状态"),
    },
    "milestones": {"lead_department": ("牵头单位", "责任单位")},
}

# Spellings of enumeration values, besides their code and label: {enum: {spelling: code}}.
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "certificate_level": {
        "助理社工师": "assistant",
        "初级": "assistant",
        "初级社会工作师": "assistant",
        "助理社会工作者": "assistant",
        "社工师": "intermediate",
        "中级": "intermediate",
        "中级社会工作师": "intermediate",
        "高级社工师": "senior",
        "高级": "senior",
        "未持证": "none",
        "无证": "none",
    },
    "sw_education": {"大专": "vocational", "本科及以上": "bachelor", "研究生": "master", "硕士": "master"},
    "township_kind": {"乡镇": "town"},
    "community_kind": {"城镇社区": "urban_community", "行政村": "village"},
    "employer_type": {"社区": "community", "社会工作服务机构": "sw_org", "事业单位": "government"},
    "funding": {"购买服务": "purchase", "编制": "establishment"},
    "organisation_status": {"正常": "active", "运营": "active", "暂停": "suspended", "注销": "deregistered"},
    "activity_mode": {"网络": "online", "现场": "offline"},
    "purchase_status": {"实施": "ongoing", "完成": "completed", "招标中": "procuring"},
    "milestone_status": {"推进中": "in_progress", "完成": "done"},
}

# Metric labels earlier versions showed, accepted in 年度目标 with a note naming the label this store shows now: the
# demo county's card (XX英才卡) written into the label, and the label before the card had a local name. A store's own
# label (本年发放“云溪英才卡”, METRIC_LOCAL_LABELS with its talent_card) is accepted as it is.
OLD_METRIC_LABELS: dict[str, str] = {
    "本年发放“XX英才卡”": "talent_cards_this_year",
    "本年发放英才卡": "talent_cards_this_year",
}

# Cells that mean "nothing here" in a clerk's register: empty, never a value.
PLACEHOLDER_TEXTS: frozenset[str] = frozenset(
    {"无", "暂无", "空", "/", "\\", "-", "--", "—", "——", "#N/A", "N/A", "n/a", "NA", "不适用", "null", "NULL", "None"}
)

# Headers of columns a register may carry that the import reads past (reported in the preview).
IGNORED_HEADERS: frozenset[str] = frozenset({"序号", "No.", "NO.", "No", "#"})

# A row whose first filled cell is one of these is a total, not a record.
TOTAL_ROW_WORDS: frozenset[str] = frozenset({"合计", "总计", "小计", "合计:", "总计:", "共计"})

# A row starting with one of these, below the records, is the form's footer (who filled it in, notes).
FOOTER_PREFIXES: tuple[str, ...] = ("填表人", "制表人", "审核人", "填报人", "填报单位", "填报日期", "制表日期",
                                    "注:", "注：", "说明:", "说明：", "备注:", "备注：", "联系人")  # fmt: skip

# ---------------------------------------------------------------- the store's identity
# One per store, beside the snapshots (not inside one): `init` writes it before the first month is imported,
# and every page, export, file name and CLI line takes the county's name from it (socialwork/data/storage/identity.py).

COUNTY_FILE = "county.json"
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

# ---------------------------------------------------------------- meetings and their follow-up items
# What review meetings (推进会/调度会) decide is kept beside the snapshots, not in them: a small embedded database
# (`<data dir>/followups.sqlite`, socialwork/data/server/followups.py) that logged-in staff write to from the app while
# the snapshot files stay as imported. Times are Beijing time as ISO text (2026-11-05T14:03:12+08:00); "who" is
# the login's user name, never anyone on the registers.

FOLLOWUP_FILE = "followups.sqlite"

MEETINGS = Table(
    "meetings",
    "会议",
    "A review meeting: when it met, what it was called and which snapshot it reviewed.",
    (
        Column("meeting_id", "INTEGER", "会议编号", "Assigned by the store.", minimum=1),
        Column("meeting_date", "DATE", "会议日期", "The day the meeting was held."),
        Column("title", "VARCHAR", "会议名称", "e.g. 2026年第三季度社会工作人才工作推进会."),
        Column("reviewed_snapshot", "DATE", "审议数据日期", "The as-of date of the snapshot the meeting reviewed."),
        Column("created_at", "VARCHAR", "记录时间", "When it was recorded."),
        Column("created_by", "VARCHAR", "记录人账号", "The login that recorded it."),
    ),
    key=("meeting_id",),
)

FOLLOWUP_ITEMS = Table(
    "followup_items",
    "督办事项",
    "One decision of a meeting: what is to be done, for which target, where, by which unit (a department or a "
    "township, never a person), by when, and how far it has come. Overdue is derived: not done and due before "
    "the date it is looked at from.",
    (
        Column("item_id", "INTEGER", "事项编号", "Assigned by the store.", minimum=1),
        Column("meeting_id", "INTEGER", "会议编号", "The meeting that set it.", references="meetings.meeting_id"),
        Column("task", "VARCHAR", "督办事项", "What is to be done (no names or phone numbers)."),
        Column("metric_key", "VARCHAR", "对应目标", "The plan target it serves.", enum=METRIC),
        Column("township_code", "VARCHAR", "乡镇代码", "The township; empty for the whole county.", nullable=True),
        Column("lead_unit", "VARCHAR", "牵头单位", "A department or township, e.g. 县民政局、城关街道."),
        Column("due_date", "DATE", "完成时限", "When it is due."),
        Column("status", "VARCHAR", "状态", "How far it has come.", enum=FOLLOWUP_STATUS),
        Column("done_date", "DATE", "完成日期", "Set when the status becomes 已完成.", nullable=True),
        Column("created_at", "VARCHAR", "创建时间", "When it was created."),
        Column("created_by", "VARCHAR", "创建人账号", "The login that created it."),
        Column("updated_at", "VARCHAR", "最近修改时间", "When it last changed (a note counts)."),
        Column("updated_by", "VARCHAR", "最近修改人账号", "The login that last changed it."),
    ),
    key=("item_id",),
)

FOLLOWUP_NOTES = Table(
    "followup_notes",
    "督办进展",
    "A dated progress note on an item.",
    (
        Column("note_id", "INTEGER", "进展编号", "Assigned by the store.", minimum=1),
        Column("item_id", "INTEGER", "事项编号", "The item.", references="followup_items.item_id"),
        Column("note_date", "DATE", "进展日期", "The day the progress is reported for."),
        Column("note", "VARCHAR", "进展情况", "What was done (no names or phone numbers)."),
        Column("written_at", "VARCHAR", "填写时间", "When it was written."),
        Column("written_by", "VARCHAR", "填写人账号", "The login that wrote it."),
    ),
    key=("note_id",),
)

FOLLOWUP_CHANGES = Table(
    "followup_changes",
    "督办修改记录",
    "The audit trail: every creation, field change and note of an item, with who and when; never edited.",
    (
        Column("change_id", "INTEGER", "记录编号", "Assigned by the store.", minimum=1),
        Column("item_id", "INTEGER", "事项编号", "The item.", references="followup_items.item_id"),
        Column("changed_at", "VARCHAR", "时间", "When."),
        Column("changed_by", "VARCHAR", "账号", "The login."),
        Column("changed_by_name", "VARCHAR", "显示名称", "The login's display name at the time."),
        Column("action", "VARCHAR", "操作", "created, updated or note."),
        Column("field", "VARCHAR", "字段", "The column changed (updated only).", nullable=True),
        Column("old_value", "VARCHAR", "原值", "As stored before (updated only).", nullable=True),
        Column("new_value", "VARCHAR", "新值", "As stored after, or the note's text.", nullable=True),
    ),
    key=("change_id",),
)

FOLLOWUP_TABLES: tuple[Table, ...] = (MEETINGS, FOLLOWUP_ITEMS, FOLLOWUP_NOTES, FOLLOWUP_CHANGES)
