"""The demo county's plan: its targets and its steps and measures (milestones) as they stood at a date."""

from __future__ import annotations

from datetime import date

import pandas as pd

# The plan's goals; 2024 onwards carry them forward, with the star-rated goal raised each year.
TARGET_ROWS = [
    ("certified_net_increase", "全县持证社会工作者年度增量超过40人", 40, "gt", "county"),
    ("active_organisations", "培育社会工作服务机构达到7家", 7, "ge", "county"),
    ("certified_per_urban_community", "平均每个城市社区有2名以上社会工作专业人才", 2, "ge", "scale_free"),
    ("urban_communities_2plus_share", "每个城市社区都有2名以上持证社工", 100, "ge", "scale_free"),
    ("townships_served_share", "乡镇（街道）都有社会工作者提供服务", 100, "ge", "scale_free"),
    ("communities_served_share", "村（社区）都有社会工作者提供服务", 100, "ge", "scale_free"),
    ("stations_operating", "乡镇（街道）社工站全覆盖、规范运营", 17, "ge", "county"),
    ("stations_star_rated", "打造一批星级服务站点", {2023: 5, 2024: 8, 2025: 10, 2026: 12}, "ge", "county"),
    ("brand_projects", "按“一站一亮点”打造本土服务品牌", 8, "ge", "county"),
    ("community_worker_certified_share", "提高城乡社区工作者持有专业证书比例", None, "gt_baseline", "scale_free"),
    ("posts_new_this_year", "推进重点领域社会工作岗位开发设置", 15, "ge", "county"),
    ("exam_tutoring_sessions", "组织好每年考前公益辅导培训", 1, "ge", "county"),
    ("supervision_sessions", "为社工站提供专业督导", 24, "ge", "county"),
    ("training_sessions", "系统化开展社会工作理论和方法培训", 4, "ge", "county"),
    ("talent_cards_this_year", "发放“XX英才卡”", 20, "ge", "county"),
    ("awards_this_year", "社会工作人才遴选，每人0.15万元一次性奖励", 10, "ge", "county"),
    ("org_professional_staff_share", "提高社工机构持证和社工专业人员比例", 60, "ge", "scale_free"),
    ("purchase_budget_wan", "扩大政府购买社会工作服务范围和规模", 250, "ge", "county"),
]


# 责任单位: who answers for each target, as the plan's 组织保障 assigns the work (县民政局 leads, departments help).
RESPONSIBLE_UNITS = {
    "certified_net_increase": "县民政局、县人社局",
    "active_organisations": "县民政局",
    "certified_per_urban_community": "各街道办事处",
    "urban_communities_2plus_share": "各街道办事处",
    "townships_served_share": "各乡镇（街道）",
    "communities_served_share": "各乡镇（街道）",
    "stations_operating": "县民政局、各乡镇（街道）",
    "stations_star_rated": "县民政局",
    "brand_projects": "各乡镇（街道）",
    "community_worker_certified_share": "县民政局、各乡镇（街道）",
    "posts_new_this_year": "县委社会工作部、县人社局",
    "exam_tutoring_sessions": "县社会工作指导中心",
    "supervision_sessions": "县社会工作指导中心",
    "training_sessions": "县社会工作指导中心",
    "talent_cards_this_year": "县委人才办",
    "awards_this_year": "县委人才办、县财政局",
    "org_professional_staff_share": "县民政局",
    "purchase_budget_wan": "县财政局、县民政局",
}


def targets_frame() -> pd.DataFrame:
    rows = []
    for year in (2023, 2024, 2025, 2026):
        for key, label, goal, comparator, scope in TARGET_ROWS:
            value = goal[year] if isinstance(goal, dict) else goal
            rows.append(
                {
                    "plan_year": year,
                    "metric_key": key,
                    "target_label": label,
                    "goal_value": None if value is None else float(value),
                    "comparator": comparator,
                    "scope": scope,
                    "responsible_unit": RESPONSIBLE_UNITS[key],
                }
            )
    return pd.DataFrame(rows)


MILESTONE_ROWS = [  # id, title, kind, lead, start, due, done
    (
        "M01",
        "研究部署：制定实施方案，报送市民政局",
        "stage",
        "县民政局",
        date(2023, 8, 1),
        date(2023, 8, 10),
        date(2023, 8, 9),
    ),
    (
        "M02",
        "组织实施：按方案序时推进各项工作",
        "stage",
        "县民政局",
        date(2023, 8, 1),
        date(2023, 12, 31),
        date(2023, 12, 29),
    ),
    (
        "M03",
        "总结提升：形成书面总结报告，报送市民政局",
        "stage",
        "县民政局",
        date(2024, 1, 1),
        date(2024, 1, 20),
        date(2024, 1, 22),
    ),
    (
        "M04",
        "出台持证社会工作专业人才奖励津贴实施办法（试行）",
        "measure",
        "县民政局、县委组织部、县财政局、县人社局",
        date(2023, 8, 1),
        date(2023, 9, 30),
        date(2023, 11, 15),
    ),
    (
        "M05",
        "组建县级专业督导团队，聘请第三方督导",
        "measure",
        "县社会工作指导中心",
        date(2023, 8, 15),
        date(2023, 10, 31),
        date(2023, 9, 20),
    ),
    (
        "M06",
        "编制政府购买社会工作服务计划和项目预算",
        "measure",
        "县财政局、县民政局",
        date(2023, 9, 1),
        date(2023, 11, 30),
        date(2023, 11, 28),
    ),
    (
        "M07",
        "开展星级乡镇（街道）社工站评选",
        "measure",
        "县民政局",
        date(2023, 10, 1),
        date(2023, 12, 31),
        date(2023, 12, 20),
    ),
    (
        "M08",
        "发放“XX英才卡”，纳入H类人才管理",
        "measure",
        "县委人才办",
        date(2023, 9, 1),
        date(2023, 12, 31),
        date(2023, 12, 26),
    ),
    (
        "M09",
        "开展县级社会文旅人才遴选",
        "measure",
        "县委宣传部",
        date(2023, 9, 1),
        date(2023, 12, 31),
        date(2024, 1, 10),
    ),
    (
        "M10",
        "研究设立事业单位社工岗位职数",
        "measure",
        "县民政局、县人社局",
        date(2023, 9, 1),
        date(2023, 12, 31),
        date(2025, 6, 30),
    ),
    ("M11", "组织考前公益辅导培训", "measure", "县民政局", date(2024, 3, 1), date(2024, 5, 31), date(2024, 5, 20)),
    ("M12", "开展最美社会工作者评选", "measure", "县民政局", date(2024, 1, 15), date(2024, 3, 31), date(2024, 3, 15)),
    ("M13", "推进社会工作专业人才基地建设", "measure", "县民政局", date(2024, 1, 1), date(2024, 6, 30), None),
]


def milestones_at(on: date) -> pd.DataFrame:
    rows = []
    for mid, title, kind, lead, start, due, done in MILESTONE_ROWS:
        if done is not None and done <= on:
            status, done_date = "done", done
        else:
            status, done_date = ("not_started" if on < start else "in_progress"), None
        rows.append(
            {
                "milestone_id": mid,
                "title": title,
                "kind": kind,
                "lead_department": lead,
                "start_date": start,
                "due_date": due,
                "status": status,
                "done_date": done_date,
            }
        )
    return pd.DataFrame(rows)
