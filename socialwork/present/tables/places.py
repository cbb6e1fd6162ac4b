"""The level below a view as tables (figures.hierarchy.level_below): the township scorecard or the county ranking of
a city or province, and each page's table by province, city or county, worded in Chinese for display and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.enums import KPI_STATUS
from socialwork.data.contract.plan_figures import METRIC_SHORT_LABELS
from socialwork.data.storage import identity
from socialwork.figures import hierarchy
from socialwork.figures.metrics import TownshipScorecard
from socialwork.figures.place_filter import Places
from socialwork.present.words.formatting import scope_text

PLACE_NOUN = {"province": "省（区、市）", "city": "市（州）", "county": "县（市、区）", "township": "乡镇（街道）"}
# The same, short, for sheet and file names: 各市岗位, 各县社工站.
SHORT_NOUN = {"province": "省", "city": "市", "county": "县", "township": "乡镇"}


def scope_name(as_of: date, places: Places, township_names: list[str] | None, data: Path | None = None) -> str:
    """What a document covers, by name: 全县 or the chosen townships in a county's store; in a store of many counties
    the city's or county's name (the store's top division for the whole store), townships under their county's."""
    root = data or settings.data_dir()
    if not hierarchy.many_counties(root):
        return scope_text(township_names)
    if places.township_codes:
        return hierarchy.name_of(places.scope, as_of, data) + scope_text(township_names)
    if places.division:
        return hierarchy.name_of(places.division, as_of, data)
    return identity.load_or_fallback(root)[0].county_name


def reporting_text(reporting: hierarchy.Reporting) -> str:
    """报送情况：缺 1 个县数据（乙县：最新 2024-06-30），合计与目标只含已报送的 1 个县; empty when all reported."""
    return f"报送情况：{reporting.note}" if reporting.note else ""


def scorecard_title(card: TownshipScorecard) -> str:
    """The heading over the table, and the sheet's and the file's name."""
    return "各县（市、区）目标排名" if card.level == "county" else "各乡镇（街道）可比目标"


def scorecard_order_text(card: TownshipScorecard) -> str:
    """How the rows are ordered, for the caption."""
    if card.level == "county":
        return "未达标项多者在前，其次按各目标完成程度（现值 ÷ 本县目标）低者在前；未报送本月数据的县列在最后"
    return "未达标项多者在前"


def scorecard_frames(card: TownshipScorecard) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table for display (numbers, Chinese headers) and its status codes, cell for cell."""
    county = card.level == "county"
    values = pd.DataFrame(
        {
            PLACE_NOUN[card.level]: card.frame["township_name"],
            "报送情况" if county else "类型": card.frame["township_kind_label"],
            "未达标项": card.frame["unmet_targets"],
        }
    )
    statuses = pd.DataFrame(index=values.index, columns=values.columns, data="")
    for spec in card.metrics:
        header = scorecard_header(spec, card.label(spec))
        values[header] = card.frame[spec.key].round(spec.decimals)
        statuses[header] = card.frame[f"{spec.key}__status"]
    return values, statuses


def scorecard_text_frame(card: TownshipScorecard) -> pd.DataFrame:
    """The display table with each figure as text in its own decimals (1.67, 3), a dash where there is none: a slide
    shows numbers as the pages do."""
    values, _ = scorecard_frames(card)
    text = values.copy()
    text["未达标项"] = [("—" if pd.isna(n) else f"{int(n)}") for n in values["未达标项"]]
    for spec in card.metrics:
        header = scorecard_header(spec, card.label(spec))
        text[header] = [("—" if pd.isna(v) else f"{v:,.{spec.decimals}f}") for v in values[header]]
    return text


def scorecard_header(spec, label: str | None = None) -> str:
    """A short column header with the unit, e.g. 村社有社工（%）."""
    return f"{METRIC_SHORT_LABELS.get(spec.key, label or spec.label)}（{spec.unit}）"


def scorecard_export_frame(card: TownshipScorecard) -> pd.DataFrame:
    """The table with a worded status column after each figure (and, for counties, each one's own goal), for CSV
    and XLSX."""
    values, statuses = scorecard_frames(card)
    out = values[list(values.columns[:3])].copy()
    for spec in card.metrics:
        header = scorecard_header(spec, card.label(spec))
        out[header] = values[header]
        if card.level == "county":
            out[f"{card.label(spec)}·本县目标（{spec.unit}）"] = card.frame[f"{spec.key}__goal"].round(spec.decimals)
        out[f"{card.label(spec)}·状态"] = statuses[header].map(KPI_STATUS.label_of)
    return out


def scorecard_goal_text(card: TownshipScorecard) -> str:
    """The goals the table is judged against; for counties whose goals differ, that they do."""
    parts, differing = [], []
    own = "本县" if card.level == "county" else "本乡镇"
    for spec in card.metrics:
        goal, comparator = card.goals[spec.key]
        if comparator == "gt_baseline":
            parts.append(f"{card.label(spec)}：高于{own}上年末")
        elif goal is not None:
            parts.append(f"{card.label(spec)}：{'>' if comparator == 'gt' else '≥'}{goal:g}{spec.unit}")
        elif card.level == "county":
            differing.append(card.label(spec))
    if differing:
        parts.append(f"{'、'.join(differing)}：各县目标不同（见下载表“本县目标”列）")
    return "；".join(parts)


@dataclass(frozen=True)
class Breakdown:
    """A page's figures by the level below a province or city (levels.division_figures): the chart's column and
    subject, the table's columns."""

    subject: str  # 运营社工站: the title is 各县（市、区）运营社工站, 各市（州）运营社工站 …
    chart: str  # the figure each division's bar shows
    unit: str
    columns: dict[str, str]  # figure -> Chinese header with unit
    text_format: str = "{:,.0f}"

    def title_at(self, level: str) -> str:
        """The chart's and table's title at a level: 各市（州）运营社工站."""
        return f"各{PLACE_NOUN[level]}{self.subject}"

    def file_stem(self, level: str) -> str:
        """The download's name at a level: 各市运营社工站."""
        return f"各{SHORT_NOUN[level]}{self.subject}"

    @property
    def title(self) -> str:
        """The title at a city, by county."""
        return self.title_at("county")


BREAKDOWNS = {
    "stations": Breakdown(
        "运营社工站", "stations_operating", "个",
        {"townships": "乡镇（街道）（个）", "stations_operating": "运营社工站（个）",
         "stations_star_rated": "星级社工站（个）", "brand_projects": "品牌项目（个）",
         "station_resident_workers": "驻站社工（人）", "active_organisations": "社工机构（家）"},
    ),
    "training": Breakdown(
        "本年督导与培训场次", "supervision_sessions", "场",
        {"exam_tutoring_sessions": "考前辅导（场）", "exam_tutoring_attendees": "辅导人次",
         "supervision_sessions": "督导（场）", "training_sessions": "培训（场）",
         "talent_cards_this_year": "本年人才卡（张）", "awards_this_year": "本年奖励（人）"},
    ),
    "purchases": Breakdown(
        "本年购买服务预算", "purchase_budget_wan", "万元",
        {"purchase_projects": "项目（个）", "purchase_budget_wan": "预算（万元）"}, "{:,.1f}",
    ),
    "posts": Breakdown(
        "社会工作岗位", "posts", "个",
        {"posts": "岗位（个）", "posts_filled": "在岗（个）", "posts_new_this_year": "本年新设（个）"},
    ),
}  # fmt: skip


# Urban-community staffing by division, for the workbook (the staffing page draws its division bars itself).
COUNTY_STAFFING = Breakdown(
    "城市社区配备", "certified_in_urban_communities", "人",
    {"urban_communities": "城市社区（个）", "certified_in_urban_communities": "城市社区持证社工（人）",
     "urban_communities_2plus": "达到2名的城市社区（个）", "urban_shortfall": "持证缺口（人）",
     "communities": "村（社区）（个）", "communities_served": "有社工服务的村（社区）（个）"},
)  # fmt: skip


def division_staffing_table(figures: pd.DataFrame, level: str) -> pd.DataFrame:
    """Every division's urban-community staffing with its average per urban community, recomputed from its summed
    parts (a division where no county reports: no figures)."""
    table = division_table(figures, COUNTY_STAFFING, level)
    urban = table["城市社区（个）"]
    average = (table["城市社区持证社工（人）"] / urban.where(urban > 0)).round(2)
    return table.assign(**{"平均持证（人）": average})


def division_table(figures: pd.DataFrame, breakdown: Breakdown, level: str) -> pd.DataFrame:
    """One row per division of the level (levels.division_figures) with the breakdown's figures and whether its
    counties reported: a division lacking some says how many beside its partial sum, one lacking all has no figures
    (never zeros)."""
    out = pd.DataFrame({PLACE_NOUN[level]: figures["division_name"], "报送情况": reporting_labels(figures)})
    for column, header in breakdown.columns.items():
        out[header] = figures[column].astype("Float64")
    return out.reset_index(drop=True)


def reporting_labels(figures: pd.DataFrame) -> list[str]:
    """已报送; 缺 1 个县（乙县） where a division's sum lacks some of its counties; 未报送（最新 2024-06-30) where it
    lacks all."""
    return [
        hierarchy.division_reporting_label(row.counties, row.counties_reporting, row.latest_snapshot_date,
                                           row.missing_counties)
        for row in figures.itertuples(index=False)
    ]  # fmt: skip


def labelled_names(names: pd.Series, counties: pd.Series, reporting: pd.Series) -> pd.Series:
    """Each division's name for a chart's bar, with （缺 N 县） where its sum lacks some of its counties: a bar never
    passes a partial sum off as complete."""
    partial = (reporting > 0) & (reporting < counties)
    missing = (counties - reporting).astype(int).astype(str)
    return names.where(~partial, names + "（缺" + missing + "县）")
