"""What a review meeting sees: the same slides for presentation mode, the PPTX deck and the PDF report's charts.

Each slide is a title, a caption written from the figures, and a chart or a table, so the presentation view,
the deck and the report always say the same thing. The slides come from SECTIONS, in order: a section says how
many slides it takes (a long table continues on the next slide) and builds each. A new kind of slide is one more
Section in that list.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from socialwork.data import settings
from socialwork.data.contract.enums import METRIC_GROUP
from socialwork.data.contract.plan_figures import METRIC
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.data.reporting.records import Assembly
from socialwork.data.storage import identity
from socialwork.figures import changes, hierarchy, metrics, reporting_status, staffing
from socialwork.figures import maps as maps_figures
from socialwork.figures.metrics import Kpi, KpiReport
from socialwork.figures.parallel import together
from socialwork.figures.place_filter import Places
from socialwork.present.meeting.captions import UNMET, kpi_notes, meeting_title, part_title, stamp_text, unmet_text
from socialwork.present.meeting.group_charts import ChartData, group_chart
from socialwork.present.screen import maps
from socialwork.present.tables import changes as change_tables
from socialwork.present.tables import followups as followup_tables
from socialwork.present.tables.places import (
    PLACE_NOUN,
    reporting_text,
    scope_name,
    scorecard_frames,
    scorecard_goal_text,
    scorecard_order_text,
    scorecard_text_frame,
)
from socialwork.present.tables.topics import shortfall_table, uncovered_table
from socialwork.present.words.targets import (
    target_table,
)

ROWS_PER_SLIDE = 9  # table rows a slide holds in the large type, at 1024×768 as at 1920×1080
MAX_TABLE_SLIDES = 3  # a list longer than this many slides says where the rest is
# The targets slide: every answer a leader asks of a target, in the order read (targets.TARGET_COLUMNS).
SLIDE_TARGET_COLUMNS = ("指标", "当前值", "目标", "差距", "状态", "年末预测", "同比", "责任单位")
WIDE_ROWS_PER_SLIDE = 6  # eight columns or more wrap a row to two lines: six rows fill a 1024×768 slide
FOLLOWUP_ROWS_PER_SLIDE = 3  # an item's task and latest note wrap to four or five lines


@dataclass(frozen=True)
class Slide:
    key: str
    title: str
    caption: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    chart: ChartData | None = None  # the figure's numbers, for a native PowerPoint chart
    statuses: dict[str, list[str]] = field(default_factory=dict)  # table column -> status code per row
    notes: str = ""  # speaker notes: the figures behind the slide
    phone: tuple[str, ...] = ()  # the table's columns a phone shows (the rest one tap away); empty: every column


@dataclass(frozen=True)
class Outline:
    """The meeting without its slides' charts and tables: what the page lists and presentation mode pages
    through (slide() builds the one on screen)."""

    county: identity.County
    as_of: date
    scope: str
    places: Places
    data: Path | None
    summary: pd.Series  # staffing.staffing_summary: how long the gap lists are
    pages: tuple[tuple[str, int, int], ...]  # (section key, part, parts) for every slide
    reporting: hierarchy.Reporting | None = None  # which counties of the scope have the month
    level: str = "township"  # a view spanning counties ranks and lists them: "county" (hierarchy.spans_counties)
    assembly: Assembly | None = None  # how a reporting round assembled the month (reporting_status.assembly_at)

    @cached_property
    def report(self) -> KpiReport:
        """The KPI report, for the slides that show it: the page's list of slides needs none (the contract fixes how
        many targets and groups there are), and a township rerun of it is the quicker."""
        return metrics.kpi_report(self.as_of, self.places, self.data)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _, _ in self.pages)

    @property
    def title(self) -> str:
        return meeting_title(self.county)

    @property
    def titles(self) -> tuple[str, ...]:
        return tuple(part_title(SECTION_BY_KEY[key].title, part, parts) for key, part, parts in self.pages)

    @property
    def stamp(self) -> str:
        return stamp_text(self.as_of, self.scope, self.reporting, self.assembly)


@dataclass(frozen=True)
class Meeting:
    county: identity.County
    as_of: date
    scope: str
    slides: tuple[Slide, ...]
    report: KpiReport | None = None
    reporting: hierarchy.Reporting | None = None
    assembly: Assembly | None = None

    @property
    def title(self) -> str:
        return meeting_title(self.county)

    @property
    def stamp(self) -> str:
        return stamp_text(self.as_of, self.scope, self.reporting, self.assembly)


# ---------------------------------------------------------------- captions


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """Slides of one kind: how many it takes for an outline, and the one for a part (1 … parts)."""

    key: str
    title: str
    parts: Callable[[Outline], int]
    build: Callable[[Outline, int, int], Slide]


def _rows(part: int, per_slide: int = ROWS_PER_SLIDE) -> slice:
    return slice((part - 1) * per_slide, part * per_slide)


def _table_parts(rows: int, per_slide: int = ROWS_PER_SLIDE) -> int:
    return max(1, min(MAX_TABLE_SLIDES, math.ceil(rows / per_slide)))


def _rest_note(total: int, part: int, parts: int, noun: str) -> str:
    """On the last slide of a list cut at MAX_TABLE_SLIDES: how many are left out and where they are."""
    shown = min(total, parts * ROWS_PER_SLIDE)
    if part < parts or shown >= total:
        return ""
    return f"；另有 {total - shown:,} 个{noun}未列出，完整清单见报告（PDF）和数据表（XLSX）"


def _targets(plan: Outline, part: int, parts: int) -> Slide:
    kpis = list(plan.report.kpis)
    counts = metrics.status_counts(plan.report)
    caption = f"{plan.report.plan_year}年度 {len(kpis)} 项目标：" + "，".join(
        f"{label} {n} 项" for label, n in counts.values()
    )
    missing = reporting_text(plan.reporting) if plan.reporting is not None else ""
    caption += f"。{missing}" if missing else ""  # a sum that lacks a county says so where the sums are
    title = part_title(SECTION_BY_KEY[TARGETS_SLIDE].title, part, parts)
    return _target_slide(TARGETS_SLIDE, title, caption, kpis[_rows(part, WIDE_ROWS_PER_SLIDE)])


def _target_slide(key: str, title: str, caption: str, rows: list[Kpi]) -> Slide:
    return Slide(key, title, caption, table=target_table(rows, SLIDE_TARGET_COLUMNS),
                 statuses={"状态": [k.status for k in rows]}, notes=kpi_notes(rows),
                 phone=("指标", "当前值", "差距", "状态"))  # fmt: skip


def _group(group: str) -> Section:
    def build(plan: Outline, part: int, parts: int) -> Slide:
        kpis = metrics.kpis_in_groups(plan.report, group)
        drawn = group_chart(group, plan.report, plan.as_of, plan.places, plan.data, plan.county)
        if drawn is None:  # a group without a chart of its own (group_charts.GROUP_CHARTS): its targets as a table
            return _target_slide(group, METRIC_GROUP.label_of(group), unmet_text(kpis), kpis)
        caption = "。".join(text for text in (drawn.sentence, unmet_text(kpis)) if text)
        return Slide(group, METRIC_GROUP.label_of(group), caption, figure=drawn.figure, chart=drawn.chart,
                     notes=drawn.sentence + "\n" + kpi_notes(kpis))  # fmt: skip

    def parts(plan: Outline) -> int:  # a report has one KPI per metric of the contract
        return int(any(METRIC.groups[key] == group for key in metrics.SPECS))

    return Section(group, METRIC_GROUP.label_of(group), parts, build)


def _shortfall(plan: Outline, part: int, parts: int) -> Slide:
    summary = plan.summary
    below = int(summary["urban_communities_below_minimum"])
    rows = staffing.shortfall_list(plan.as_of, plan.places, plan.data, max_rows=parts * ROWS_PER_SLIDE)
    table = shortfall_table(rows.iloc[_rows(part)], counties=plan.level == "county")
    shortfall = int(summary["total_shortfall"])
    caption = (
        f"持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名的城市社区 {below} 个，合计缺口 {shortfall} 人"
        + _rest_note(below, part, parts, "城市社区")
    )
    lines = [f"{' '.join(map(str, r[:-2]))}：持证 {r[-2]} 人，缺 {r[-1]} 人" for r in table.itertuples(index=False)]
    notes = "\n".join([caption, *lines])
    return Slide(GAPS_SLIDE, part_title(SECTION_BY_KEY[GAPS_SLIDE].title, part, parts), caption, table=table,
                 notes=notes)  # fmt: skip


def _unserved(plan: Outline, part: int, parts: int) -> Slide:
    total = int(plan.summary["communities_without_social_worker"])
    rows = staffing.uncovered_list(plan.as_of, plan.places, plan.data, max_rows=parts * ROWS_PER_SLIDE)
    table = uncovered_table(rows.iloc[_rows(part)], counties=plan.level == "county")
    caption = f"尚无社会工作者服务的村（社区）{total} 个" + _rest_note(total, part, parts, "村（社区）")
    notes = caption + "\n" + "、".join("".join(map(str, r[:-1])) for r in table.itertuples(index=False))
    return Slide(UNSERVED_SLIDE, part_title(SECTION_BY_KEY[UNSERVED_SLIDE].title, part, parts), caption, table=table,
                 notes=notes)  # fmt: skip


def _ranking(plan: Outline, part: int, parts: int) -> Slide:
    """目标排名: every county of a city against its own goals, worst first, a late one last; or every township of a
    county on the targets that hold at its level, the most unmet first (each township answers for its own)."""
    card = metrics.place_scorecard(plan.as_of, plan.places, plan.data)
    values, statuses = scorecard_frames(card)
    shown, rows = scorecard_text_frame(card), _rows(part, WIDE_ROWS_PER_SLIDE)
    counties = card.level == "county"
    key = RANKING_SLIDE if counties else TOWNSHIP_RANKING_SLIDE
    unmet = int((values["未达标项"] > 0).sum())
    if counties:
        reported = int(card.frame["reporting"].sum())
        caption = (f"{len(values)} 个{PLACE_NOUN['county']}中，{unmet} 个有未达标项，{reported} 个已报送本月数据；"
                   f"{scorecard_order_text(card)}")  # fmt: skip
        notes = caption + "\n各县按本县目标比较：" + scorecard_goal_text(card)
    else:
        caption = (f"{len(values)} 个{PLACE_NOUN['township']}中，{unmet} 个有未达标项（{scorecard_order_text(card)}）；"
                   "各乡镇（街道）对本辖区的比例类目标负责")  # fmt: skip
        notes = caption + "\n目标：" + scorecard_goal_text(card)
    notes += "".join(f"\n{r[0]}（{r[1]}）：未达标 {r[2]} 项" for r in values.itertuples(index=False))
    return Slide(key, part_title(SECTION_BY_KEY[key].title, part, parts), caption,
                 table=shown.iloc[rows].reset_index(drop=True), notes=notes,
                 statuses={c: list(statuses[c].iloc[rows]) for c in values.columns[3:]},
                 phone=tuple(values.columns[:3]))  # fmt: skip


def _ranking_parts(plan: Outline) -> int:
    """The county ranking's slides: above the county only."""
    if plan.level != "county":
        return 0
    counties = hierarchy.counties_reporting(plan.as_of, plan.places.division, plan.data)
    return _table_parts(len(counties), WIDE_ROWS_PER_SLIDE)


def _township_ranking_parts(plan: Outline) -> int:
    """The township ranking's slides: a county's view, or several of its townships (one township has no ranking)."""
    # A county chosen in a store of many has none either (its view held a one-code list, like one township's).
    if plan.level == "county" or len(plan.places.township_codes) == 1 or plan.places.division is not None:
        return 0
    return _table_parts(len(metrics.place_scorecard(plan.as_of, plan.places, plan.data).frame), WIDE_ROWS_PER_SLIDE)


def map_places(plan: Outline) -> Places:
    """The places a view's map shows: its scope, or for a township filter the whole county (the chosen outlined)."""
    if not plan.places.township_codes:
        return plan.places
    return Places.within(hierarchy.scope_in_store(plan.places, plan.data))


def _map(plan: Outline, part: int, parts: int) -> Slide:
    """The map: each township (a city's counties) coloured by its status on service coverage, the plan's first
    question of place (乡镇、村（社区）都有社会工作者提供服务), else on the first target judged by place."""
    places, title = map_places(plan), SECTION_BY_KEY[MAP_SLIDE].title
    card = metrics.place_scorecard(plan.as_of, places, plan.data)
    targets = maps_figures.map_targets(card)
    metric = MAP_METRIC if MAP_METRIC in targets else next(iter(targets), None)
    chosen = plan.places.township_codes
    figure = maps.map_figure(plan.as_of, places, plan.data, metric, chosen=chosen) if metric else None
    if figure is None:
        return Slide(MAP_SLIDE, title, NO_MAP, notes=NO_MAP)
    mapped = maps_figures.map_frame(card, metric)
    behind = mapped.frame.loc[mapped.frame["status"].isin(UNMET), "place_name"].tolist()
    caption = f"{mapped.label}：{len(mapped.frame)} 个{PLACE_NOUN[card.level]}中 {len(behind)} 个未达标"
    caption += f"（{'、'.join(behind[:8])}{'等' if len(behind) > 8 else ''}）" if behind else ""
    return Slide(MAP_SLIDE, title, caption, figure=figure, notes=caption + "。" + "、".join(behind))


NO_MAP = "本期没有可按地区比较的目标或数据。"


def _since(plan: Outline, part: int, parts: int) -> Slide:
    """自上次会议以来: the changes from the snapshot the last meeting reviewed (or the previous one) to this one."""
    start = changes.since(plan.as_of, plan.data)
    compared = changes.compare(start.from_date, plan.as_of, plan.places, plan.data)
    full = change_tables.slide_caption(compared, start.meeting)  # every change named: the speaker notes
    counts = "，".join(f"{label} {value}" for label, value, _ in change_tables.summary_items(compared))
    caption = f"{full.split('对比')[0]}{change_tables.period_text(compared, None)}：{counts}"  # fits the slide
    table = change_tables.slide_table(compared)
    statuses = {"状态": change_tables.slide_statuses(compared)} if len(table) else {}
    phone = (table.columns[0], table.columns[2], "变化")  # the target, its value now and the change
    return Slide(SINCE_SLIDE, SECTION_BY_KEY[SINCE_SLIDE].title, caption, table=table if len(table) else None,
                 notes=full, statuses=statuses, phone=phone)  # fmt: skip


def _followups(plan: Outline, part: int, parts: int) -> Slide:
    """上次会议督办事项落实情况: the last meeting's items in the filter and every overdue one, overdue first, each
    status a pill (overdue in red)."""
    view = followup_tables.load(plan.as_of, plan.places, plan.data)
    caption, table = followup_tables.slide_parts(view) or ("尚未记录会议。", None)
    last = followup_tables.last_meeting(view)
    shown = followup_tables.slide_items(view, last)[: len(table)] if table is not None and last else []
    rows = _rows(part, FOLLOWUP_ROWS_PER_SLIDE)
    statuses = {"状态": followup_tables.item_statuses(shown[rows], plan.as_of)} if shown else {}
    table = table.iloc[rows].reset_index(drop=True) if table is not None and len(table) else None
    notes = "\n".join([caption, *followup_tables.overdue_lines(view)])  # every overdue item by name
    title = part_title(SECTION_BY_KEY[FOLLOWUPS_SLIDE].title, part, parts)
    return Slide(FOLLOWUPS_SLIDE, title, caption, table=table, notes=notes, statuses=statuses,
                 phone=("督办事项", "状态"))  # fmt: skip


def _followup_parts(plan: Outline) -> int:
    """The follow-ups' slides: none before the first meeting; three items to a slide (their tasks and notes wrap)."""
    view = followup_tables.load(plan.as_of, plan.places, plan.data)
    if view.unreadable:
        return 1  # one slide that says so: the meeting knows they exist
    last = followup_tables.last_meeting(view)
    if last is None:
        return 0
    items = len(followup_tables.slide_items(view, last)[: followup_tables.MAX_SLIDE_ROWS])
    return _table_parts(items, FOLLOWUP_ROWS_PER_SLIDE)


def _since_parts(plan: Outline) -> int:
    """One slide when there is an earlier snapshot to look back to."""
    return int(changes.since(plan.as_of, plan.data).from_date is not None)


TARGETS_SLIDE, RANKING_SLIDE, GAPS_SLIDE, UNSERVED_SLIDE = "targets", "ranking", "gaps", "unserved"
TOWNSHIP_RANKING_SLIDE, MAP_SLIDE = "township_ranking", "map"
MAP_METRIC = "communities_served_share"  # the map slide's target: every village and community served
SINCE_SLIDE, FOLLOWUPS_SLIDE = "since", "followups"  # from meeting to meeting, last in the deck
SECTIONS: list[Section] = [
    Section(TARGETS_SLIDE, "年度目标完成情况", lambda plan: _table_parts(len(metrics.SPECS), WIDE_ROWS_PER_SLIDE),
            _targets),
    *(_group(group) for group in METRIC_GROUP.codes),
    Section(RANKING_SLIDE, "各县（市、区）目标排名", _ranking_parts, _ranking),
    Section(TOWNSHIP_RANKING_SLIDE, "各乡镇（街道）目标排名", _township_ranking_parts, _ranking),
    Section(MAP_SLIDE, "地图：社会工作服务覆盖", lambda plan: 1, _map),
    Section(GAPS_SLIDE, "城市社区持证社工缺口清单",
            lambda plan: _table_parts(int(plan.summary["urban_communities_below_minimum"])), _shortfall),
    Section(UNSERVED_SLIDE, "无社工服务的村（社区）",
            lambda plan: _table_parts(int(plan.summary["communities_without_social_worker"])), _unserved),
    Section(SINCE_SLIDE, "自上次会议以来", _since_parts, _since),
    Section(FOLLOWUPS_SLIDE, "上次会议督办事项落实情况", _followup_parts, _followups),
]  # fmt: skip
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
SLIDE_TITLES = {section.key: section.title for section in SECTIONS}


# ---------------------------------------------------------------- building


def outline(as_of: date, places: Places, township_names: list[str] | None, data: Path | None = None) -> Outline:
    """The meeting's slides by key and title, for the snapshot and filter."""
    summary = staffing.staffing_summary(as_of, places, data)
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    scope = scope_name(as_of, places, township_names, data)
    status = hierarchy.reporting(as_of, places, data)
    level = "county" if hierarchy.spans_counties(places, data) else "township"  # ranked and listed by county
    assembly = reporting_status.assembly_at(data, as_of)
    plan = Outline(county, as_of, scope, places, data, summary, (), status, level, assembly)
    pages = tuple((s.key, part, n) for s in SECTIONS for n in [s.parts(plan)] for part in range(1, n + 1))
    return replace(plan, pages=pages)


def slide(plan: Outline, index: int) -> Slide:
    """One slide of the outline, with its chart or table."""
    key, part, parts = plan.pages[index]
    return SECTION_BY_KEY[key].build(plan, part, parts)


def meeting(as_of: date, places: Places, township_names: list[str] | None, data: Path | None = None) -> Meeting:
    """Every slide of the meeting for the snapshot and filter (the exports), built side by side."""
    plan = outline(as_of, places, township_names, data)
    report = plan.report  # once, before the slides read it side by side
    slides = together(*(lambda i=i: slide(plan, i) for i in range(len(plan.pages))))
    return Meeting(plan.county, as_of, plan.scope, tuple(slides), report, plan.reporting, plan.assembly)
