"""The contract's enumerations: the registers' closed sets of codes, and the computed ones (a figure's status,
a change between snapshots). METRIC, the figures a target can be set on, comes from plan_figures.py."""

from __future__ import annotations

from socialwork.data.contract.schema import Enum
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED

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
        "pending": "待报齐",  # a division's own goal while some of its counties lack the month: not judged
        "contribution": "不单独考核",
        "no_goal": "无目标",
        "no_data": "无数据",
    },
)

# A follow-up item (督办事项) set by a review meeting: stored in the follow-up store, not in snapshots.
FOLLOWUP_STATUS = Enum(
    "followup_status", "督办状态", {"not_started": "未开始", "in_progress": "推进中", "done": "已完成"}
)
# What an entry of a follow-up item's audit trail records.
FOLLOWUP_ACTION = Enum("followup_action", "督办操作", {"created": "创建", "updated": "修改", "note": "填写进展"})

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
