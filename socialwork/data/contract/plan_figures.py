"""The plan's figures, each declared once (PLAN_FIGURES), and the metrics a target can be set on (METRIC)."""

from __future__ import annotations

from dataclasses import dataclass, field

from socialwork.data.contract.enums import CERTIFICATE_LEVEL
from socialwork.data.contract.schema import Enum
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED

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
