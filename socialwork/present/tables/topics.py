"""Each topic page's tables worded in Chinese for display and export: the targets, staffing and its gaps, the plan's
steps, posts, stations, organisations, incentives, activities and purchases. A query's frame goes under Chinese
headers, its county first where a list spans counties; the words inside the cells come from words/."""

from __future__ import annotations

import pandas as pd

from socialwork.data.contract.enums import MILESTONE_TIMELINE
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED as MIN_CERTIFIED
from socialwork.figures.metrics import KpiReport
from socialwork.present.words.formatting import as_date, stars_text
from socialwork.present.words.targets import target_table


def kpi_frame(report: KpiReport) -> pd.DataFrame:
    """One row per target, every cell already worded for display: where it stands, how far from the goal, where the
    year may end, against last year and who answers for it (targets.TARGET_COLUMNS)."""
    return target_table(report.kpis)


def headed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The named columns of a query result, in order, under their Chinese headers."""
    return frame[list(headers)].rename(columns=headers)


COUNTY_COLUMN = "县（市、区）"


def with_county(table: pd.DataFrame, rows: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    """A list of places with its county first when its rows span more than one county, or always when the view is
    above the county (counties: a city's lists, even while one county alone reports): township names repeat."""
    if "county_name" not in rows or not (counties or rows["county_name"].nunique() > 1):
        return table
    return table.assign(**{COUNTY_COLUMN: rows["county_name"].to_numpy()})[[COUNTY_COLUMN, *table.columns]]


def shortfall_table(shortfall: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    headers = {"township_name": "乡镇（街道）", "community_name": "城市社区", "certified_workers": "持证社工（人）",
               "shortfall": "缺口（人）"}  # fmt: skip
    return with_county(headed(shortfall, headers), shortfall, counties)


def uncovered_table(uncovered: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    headers = {"township_name": "乡镇（街道）", "community_name": "村（社区）", "community_kind_label": "类型"}
    return with_county(headed(uncovered, headers), uncovered, counties)


def township_staffing_table(by_township: pd.DataFrame) -> pd.DataFrame:
    """Urban-community staffing of every township, furthest below the goal first, worded for display and export."""
    ordered = by_township.sort_values(
        ["average_certified_per_urban_community", "total_shortfall", "township_code"], ascending=[True, False, True],
        kind="stable", na_position="last",
    )  # fmt: skip
    headers = {"township_name": "乡镇（街道）", "urban_communities": "城市社区（个）",
               "average_certified_per_urban_community": "平均持证（人）",
               "urban_communities_meeting_minimum": f"达到{MIN_CERTIFIED}名的城市社区（个）",
               "total_shortfall": "持证缺口（人）", "communities": "村（社区）（个）",
               "communities_served": "有社工服务的村（社区）（个）"}  # fmt: skip
    return headed(ordered, headers).round({"平均持证（人）": 2})


def community_table(staffing: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    """Every village/community with its staffing, worded for display and export."""
    meets = staffing["meets_minimum"].map({True: "是", False: "否"})
    table = pd.DataFrame(
        {
            "乡镇（街道）": staffing["township_name"],
            "村（社区）": staffing["community_name"],
            "类型": staffing["community_kind_label"],
            "城乡分类": staffing["urban_rural_code"] + " " + staffing["urban_rural_label"],
            "持证社工（人）": staffing["certified_workers"],
            "社工总数（人）": staffing["social_workers"],
            f"达到{MIN_CERTIFIED}名（城市社区）": meets,
            "持证较上期变化（人）": certified_change(staffing),
        }
    )
    return with_county(table, staffing, counties)


def certified_change(staffing: pd.DataFrame) -> pd.Series:
    """The change since the previous snapshot; where the community's county has no previous snapshot (a county late
    with that month), why there is no number: 乙县无上期数据."""
    missing = staffing["county_has_previous"].eq(False)
    if not missing.any():
        return staffing["certified_change"]
    reason = staffing["county_name"].astype(str) + "无上期数据"
    return staffing["certified_change"].astype(object).where(~missing, reason)


def milestone_frame(steps: pd.DataFrame) -> pd.DataFrame:
    """The plan's steps and measures worded for display and export: dates stay dates."""
    return pd.DataFrame(
        {
            "事项": steps["title"],
            "类型": steps["kind_label"],
            "牵头部门": steps["lead_department"],
            "截止日期": steps["due_date"],
            "完成日期": steps["done_date"],
            "进度": steps["timeline_label"],
            "逾期天数（天）": steps["days_overdue"],
        }
    )


def milestone_counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Each step over the counties of a view above the county, worded for display: counties by where they stand."""
    labels = MILESTONE_TIMELINE.labels
    return pd.DataFrame(
        {
            "事项": counts["title"],
            "类型": counts["kind_label"],
            "最早截止日期": counts["due_date"],
            "县数": counts["counties"].astype(int),
            **{f"{labels[code]}（县）": counts[code].astype(int) for code in MILESTONE_TIMELINE.codes},
        }
    )


POST_COUNTS = {"posts": "岗位（个）", "filled_posts": "在岗（个）", "vacant_posts": "空缺（个）"}


def sector_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"sector_group_label": "类别", "sector_label": "领域", **POST_COUNTS,
               "new_this_year": "本年新设（个）", "new_since_previous": "较上期新设（个）",
               "main_professional_posts": "主体专业技术岗位（个）"}  # fmt: skip
    return headed(frame, headers)


def funding_table(frame: pd.DataFrame) -> pd.DataFrame:
    return headed(frame, {"funding_label": "经费来源", **POST_COUNTS})


def stations_table(frame: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "乡镇（街道）": frame["township_name"],
            "类型": frame["township_kind_label"],
            "社工站": frame["has_station"].map({True: "已建", False: "未建"}),
            "启用日期": frame["station_opened_date"].map(as_date),
            "星级": [stars_text(s) if has else "—" for s, has in zip(frame["station_stars"], frame["has_station"],
                                                                      strict=True)],
            "驻站社工（人）": frame["station_resident_workers"],
            "一站一亮点": frame["brand_project"].fillna("—"),
            "本年督导（场）": frame["supervision_sessions_this_year"],
        }
    )  # fmt: skip
    return with_county(table, frame, counties)


def star_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Operating stations per star rating, labelled 未评星, 1星 … 5星 (the stations page and the meeting)."""
    labels = frame["station_stars"].map(lambda s: "未评星" if s == 0 else f"{s}星")
    return pd.DataFrame({"星级": labels, "社工站": frame["stations"]})


def sessions_by_month(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """This year's activity sessions per month, a column per kind, and the series to stack (page and meeting)."""
    wide = frame.pivot(index="month", columns="activity_kind_label", values="sessions").reset_index()
    wide["month"] = wide["month"].astype(str) + "月"
    return wide, {kind: kind for kind in frame["activity_kind_label"].unique()}


def organisations_table(frame: pd.DataFrame, counties: bool = False) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "机构": frame["organisation_name"],
            "注册地": frame["township_name"].fillna("县级"),
            "登记日期": frame["registered_date"].map(as_date),
            "状态": frame["status_label"],
            "从业人员（人）": frame["staff"],
            "持证（人）": frame["certified_staff"],
            "社工专业学历（人）": frame["sw_educated_staff"],
            "持证或社工学历（人）": frame["professional_staff"],
            "专业人员占比（%）": frame["professional_share"].round(1),
            "评估等级": frame["evaluation_grade_label"],
        }
    )
    return with_county(table, frame, counties)


def incentives_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"year": "年度", "talent_cards_issued": "发放英才卡（张）", "awards": "奖励人数（人）",
               "award_sum_wan": "奖励金额（万元）"}  # fmt: skip
    return headed(frame.astype({"year": str}), headers)


def activity_kind_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"activity_kind_label": "活动类型", "mode_label": "形式", "sessions": "场次（场）",
               "attendees": "参加人次（人次）", "hours": "时长（小时）"}  # fmt: skip
    return headed(frame, headers)


def township_activity_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"township_name": "乡镇（街道）", "supervision_sessions": "督导（场）", "training_sessions": "培训（场）",
               "attendees": "参加人次（人次）", "hours": "时长（小时）"}  # fmt: skip
    return headed(frame, headers)


def purchase_tables(by_year: pd.DataFrame, by_department: pd.DataFrame, by_township: pd.DataFrame | None):
    """(by year, by department, by township) worded for display and export (no township table above the county)."""
    years = headed(by_year.astype({"plan_year": str}), {"plan_year": "年度", "projects": "项目数（个）",
                   "budget_wan": "预算（万元）", "county_wide_budget_wan": "其中县级统筹（万元）"})  # fmt: skip
    departments = headed(by_department, {"department": "购买部门", **PURCHASE_MONEY})
    return years, departments, None if by_township is None else purchase_township_table(by_township)


PURCHASE_MONEY = {"projects": "项目数（个）", "budget_wan": "预算（万元）"}


def purchase_township_table(by_township: pd.DataFrame) -> pd.DataFrame:
    return headed(by_township, {"township_name": "乡镇（街道）", **PURCHASE_MONEY})


def sector_group_table(frame: pd.DataFrame) -> pd.DataFrame:
    headers = {"sector_group_label": "类别", **POST_COUNTS, "main_professional_posts": "主体专业技术岗位（个）",
               "main_professional_share": "主体岗位占比（%）"}  # fmt: skip
    return headed(frame, headers).round({"主体岗位占比（%）": 1})
