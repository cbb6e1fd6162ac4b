"""The report's outline, shared by the PDF and the DOCX report (exports.py makes every meeting document).

The PDF report and the DOCX report are written from one outline, REPORT_SECTIONS: each section is a heading and
blocks (paragraphs, lists, tables with status columns, charts, and the one marked space for what data cannot
say), written from the figures. A new section is one more ReportSectionSpec in that list; report_pdf.py and
report_docx.py draw any block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from socialwork.data import settings
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.data.reporting.records import Assembly
from socialwork.data.storage import identity
from socialwork.figures import changes, hierarchy, metrics, reporting_status, staffing
from socialwork.figures.metrics import KpiReport, TownshipScorecard
from socialwork.figures.parallel import together
from socialwork.figures.place_filter import Places
from socialwork.present.meeting.captions import stamp_text
from socialwork.present.meeting.slides import meeting
from socialwork.present.tables import changes as change_tables
from socialwork.present.tables import followups as followup_tables
from socialwork.present.tables.places import (
    PLACE_NOUN,
    reporting_text,
    scope_name,
    scorecard_frames,
    scorecard_goal_text,
)
from socialwork.present.tables.topics import milestone_counts_frame, milestone_frame, shortfall_table, uncovered_table
from socialwork.present.theme import MILESTONE_STATUS
from socialwork.present.words.formatting import date_stamp, format_value, names_text
from socialwork.present.words.targets import FORECAST_NOTE, goal_text, target_table

REPORT_MAX_ROWS = 5_000  # a gap list longer than this (a province's) stops with a note; the XLSX has them all
# Every target in the documents: the answers of targets.TARGET_COLUMNS, eight columns on an A4 page (the change
# since last month is the slides' and the workbook's).
DOCUMENT_TARGET_COLUMNS = ("指标", "当前值", "目标", "差距", "状态", "年末预测", "同比", "责任单位")


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    statuses: dict[str, list[str]] = field(default_factory=dict)  # column -> status code per row
    title: str = ""


@dataclass(frozen=True)
class Figure:
    figure: go.Figure
    caption: str


@dataclass(frozen=True)
class Narrative:
    """A marked space for staff to write what no figure can say (plans, causes, measures)."""

    prompt: str


Block = Paragraph | Bullets | Table | Figure | Narrative


@dataclass(frozen=True)
class ReportSection:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportData:
    """Everything the report is written from, read once for the snapshot and filter."""

    county: identity.County
    as_of: date
    scope: str
    report: KpiReport
    scorecard: TownshipScorecard
    steps: pd.DataFrame
    summary: pd.Series  # staffing.staffing_summary
    shortfalls: pd.DataFrame
    unserved: pd.DataFrame
    figures: tuple[Figure, ...] = ()  # each metric group's chart with its slide's caption (PDF only)
    since: tuple[str, pd.DataFrame] | None = None  # 自上次会议以来: caption and changed targets
    followups: tuple[str, pd.DataFrame] | None = None  # 上次会议督办事项: caption and the last meeting's items
    reporting: hierarchy.Reporting | None = None  # which counties of the scope have the month
    overdue_followups: tuple[str, ...] = ()  # the view's follow-up items past due, by name (followup_tables)
    townships_chosen: bool = False  # a township's document: the county's plan steps are not its own
    assembly: Assembly | None = None  # how a reporting round assembled the month (reporting_status.assembly_at)

    @property
    def by_counties(self) -> bool:
        """A city's report: its places are counties, its lists carry a county column."""
        return self.scorecard.level == "county"

    @property
    def missing(self) -> str:
        """报送情况：缺 1 个县数据（…）, or empty when every county and township of the scope reported."""
        return reporting_text(self.reporting) if self.reporting is not None else ""

    @property
    def complete_year(self) -> bool:
        """The snapshot closes its plan year (31 December): a year's summary; otherwise a progress report."""
        return (self.as_of.month, self.as_of.day) == (12, 31)

    @property
    def period(self) -> str:
        """2025年度, or 2026年1—10月 for a part of the year."""
        year = self.as_of.year
        return f"{year}年度" if self.complete_year else f"{year}年1—{self.as_of.month}月"

    @property
    def assembled(self) -> str:
        """本月数据由各单位上报汇总：已报 15 / 16 · 沿用上月 1（丙乡）, or empty for a month imported whole."""
        return self.assembly.text() if self.assembly is not None else ""

    @property
    def stamp(self) -> str:
        return stamp_text(self.as_of, self.scope, self.reporting, self.assembly)


def report_title(county: identity.County, as_of: date, kind: str) -> str:
    """The document's title: the PDF 推进情况报告; the DOCX a 年度总结 only for a complete plan year, else a
    阶段性进展报告 for the months so far."""
    if kind == "pdf":
        return f"{county.title}推进情况报告"
    if (as_of.month, as_of.day) == (12, 31):
        return f"{county.title}{as_of.year}年度总结"
    return f"{county.title}{as_of.year}年阶段性进展报告"


# ---------------------------------------------------------------- sections


def _status_counts_sentence(report: KpiReport) -> str:
    counts = metrics.status_counts(report)
    return f"{len(report.kpis)} 项目标中，" + "、".join(f"{label} {n} 项" for label, n in counts.values()) + "。"


def _unmet(report: KpiReport) -> list[metrics.Kpi]:
    return [k for k in report.kpis if k.status in ("behind", "missed")]


def _overdue(steps: pd.DataFrame) -> list[str]:
    if "counties" in steps:  # above the county: each step counted over the counties (metrics.milestone_counts)
        late = steps[steps["overdue"] > 0].sort_values("overdue", ascending=False, kind="stable")
        return [f"{r.title}（{int(r.overdue)} 个县逾期，最早截止 {date_stamp(r.due_date)}）" for r in late.itertuples()]
    late = steps[steps["timeline_status"] == "overdue"]
    return [
        f"{row.title}（{row.lead_department}，截止 {date_stamp(row.due_date)}，已逾期 {int(row.days_overdue)} 天）"
        for row in late.itertuples()
    ]


def _gap_sentence(data: ReportData) -> str:
    s = data.summary
    return (
        f"持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名的城市社区 {int(s['urban_communities_below_minimum'])} 个"
        f"（合计缺口 {int(s['total_shortfall'])} 人），无社会工作者服务的村（社区）"
        f"{int(s['communities_without_social_worker'])} 个。"
    )


def summary_section(data: ReportData) -> tuple[Block, ...]:
    """One page: how many targets stand where, the year-end projection of each annual target, what is overdue."""
    report = data.report
    base = f"（与 {date_stamp(report.baseline_date)} 的数据相比）" if report.baseline_date else ""
    blocks: list[Block] = [
        Paragraph(f"截至 {date_stamp(data.as_of)}，{data.scope}{report.plan_year}年度{base}"
                  + _status_counts_sentence(report), strong=True),
        *((Paragraph(data.missing, strong=True),) if data.missing else ()),  # the sums lack a county: said first
        *((Paragraph(data.assembled, strong=bool(data.assembly.carried)),) if data.assembled else ()),
    ]  # fmt: skip
    unmet = _unmet(report)
    if unmet:
        blocks.append(
            Paragraph(f"{'未达标' if data.complete_year else '滞后'}的目标：{names_text([k.label for k in unmet])}。")
        )
    annual = [k for k in report.kpis if k.projection is not None]
    if annual:
        end = "年末值" if data.complete_year else "年末预测"
        frame = target_table(annual, ("指标", "当前值", "目标", "差距", "年末预测", "状态")).rename(
            columns={"指标": "年度目标", "年末预测": end}
        )
        title = "年度目标完成情况" if data.complete_year else "年度目标的年末预测"
        blocks.append(Table(frame, {"状态": [k.status for k in annual]}, title))
    blocks += overdue_blocks(data)
    blocks.append(Paragraph("缺口：" + _gap_sentence(data)))
    return tuple(blocks)


def overdue_blocks(data: ReportData) -> list[Block]:
    """What is overdue, in the app's two meanings named apart: the meetings' follow-up items (督办事项) and the plan's
    steps (实施步骤与工作举措); a township's document lists only its own items (the steps are the county's)."""
    followups = data.overdue_followups
    blocks: list[Block] = [Paragraph(f"逾期的督办事项 {len(followups)} 项{'：' if followups else '。'}", strong=True)]
    if followups:
        blocks.append(Bullets(followups))
    if data.townships_chosen:
        blocks.append(Paragraph("实施步骤与工作举措为全县事项，其逾期情况见全县报告。"))
        return blocks
    steps = _overdue(data.steps)
    blocks.append(Paragraph(f"逾期的实施步骤与工作举措 {len(steps)} 项{'：' if steps else '。'}", strong=True))
    if steps:
        blocks.append(Bullets(tuple(steps)))
    return blocks


def targets_section(data: ReportData) -> tuple[Block, ...]:
    """Every target with value, goal, status, change and year-end projection; then each group's chart."""
    kpis = data.report.kpis
    frame = target_table(kpis, DOCUMENT_TARGET_COLUMNS)
    note = FORECAST_NOTE + "“进度正常/滞后”按年末预测的同一方法判断。"
    return (Table(frame, {"状态": [k.status for k in kpis]}), Paragraph(note), *data.figures)


def milestones_section(data: ReportData) -> tuple[Block, ...]:
    """The plan's steps and measures, overdue ones first named; above the county, each step's counties by where they
    stand."""
    steps = data.steps
    if "counties" in steps:
        overdue = _overdue(steps)
        blocks = [Paragraph(f"各县方案共 {len(steps)} 项实施步骤与工作举措，有县逾期的 {len(overdue)} 项。")]
        return (*blocks, *([Bullets(tuple(overdue))] if overdue else []), Table(milestone_counts_frame(steps)))
    counts = steps["timeline_label"].value_counts()
    sentence = f"方案共 {len(steps)} 项实施步骤与工作举措：" + "、".join(
        f"{label} {n} 项" for label, n in counts.items()
    )
    overdue = _overdue(steps)
    blocks: list[Block] = [Paragraph(sentence + "。")]
    if overdue:
        blocks += [Paragraph("已逾期：", strong=True), Bullets(tuple(overdue))]
    statuses = {"进度": [MILESTONE_STATUS[s] for s in steps["timeline_status"]]}
    return (*blocks, Table(milestone_frame(steps).drop(columns=["类型"]), statuses))


def townships_section(data: ReportData) -> tuple[Block, ...]:
    """Every place of the level below (townships, or a city's counties) against its comparable targets, each cell
    with its status."""
    card = data.scorecard
    noun = PLACE_NOUN[card.level]
    values, statuses = scorecard_frames(card)
    if values.empty or len(values.columns) <= 3:
        return (Paragraph(f"本年度没有可在{noun}层面比较的目标。"),)
    unmet = int((values["未达标项"] > 0).sum())
    goals = scorecard_goal_text(card)
    sentence = f"{len(values)} 个{noun}中，{unmet} 个有未达标项（未达标项多者在前）。"
    if card.level == "county":
        late = int((~card.frame["reporting"]).sum())
        sentence += f"各县按本县目标比较：{goals}。" + (f"{late} 个县未报送本月数据，列在最后。" if late else "")
    else:
        sentence += f"可比目标：{goals}。全县总量目标（持证社工年度增量、机构数量等）不分解到乡镇。"
    pills = {column: list(statuses[column]) for column in values.columns[3:]}
    kept = values if card.level == "county" else values.drop(columns=["类型"])
    return (Paragraph(sentence), Table(kept, pills))


def gaps_section(data: ReportData) -> tuple[Block, ...]:
    """The complete gap lists: every urban community short of certified social workers, every unserved village."""
    shortfalls, unserved = data.shortfalls, data.unserved
    blocks: list[Block] = [Paragraph(_gap_sentence(data))]
    unmet = _unmet(data.report)
    if unmet:
        named = [f"{k.label}（{format_value(k.value, k.decimals, k.unit)}，目标 {goal_text(k)}）" for k in unmet]
        which = "未完成的目标：" if data.complete_year else "未达到进度的目标："
        blocks += [Paragraph(which, strong=True), Bullets(tuple(named))]
    below = int(data.summary["urban_communities_below_minimum"])
    blocks.append(
        Table(
            shortfall_table(shortfalls, data.by_counties),
            title=f"持证社工不足{URBAN_COMMUNITY_MIN_CERTIFIED}名的城市社区（{below} 个）",
        )
    )
    without = int(data.summary["communities_without_social_worker"])
    title = f"无社会工作者服务的村（社区）（{without} 个）"
    blocks.append(Table(uncovered_table(unserved, data.by_counties), title=title))
    if max(below, without) > REPORT_MAX_ROWS:
        blocks.append(Paragraph(f"清单各列出前 {REPORT_MAX_ROWS:,} 个；完整清单见数据表（XLSX）。"))
    return tuple(blocks)


def next_steps_section(data: ReportData) -> tuple[Block, ...]:
    """The one part only people can write: the measures planned for what is behind."""
    unmet = "、".join(k.label for k in _unmet(data.report)) or "各项目标"
    return (
        Narrative(
            f"【此处由工作人员填写：针对{unmet}及上述缺口清单拟采取的措施、责任单位和完成时限。"
            "本节内容无法由数据生成，请在报送前补充。】"
        ),
    )


def since_section(data: ReportData) -> tuple[Block, ...]:
    """What changed since the snapshot the last meeting reviewed (or the previous one): the same as its slide."""
    if data.since is None:
        return (Paragraph("没有更早的快照可供对比。"),)
    caption, table = data.since
    return (Paragraph(caption), *((Table(table),) if len(table) else ()))


def followups_section(data: ReportData) -> tuple[Block, ...]:
    """The last meeting's follow-up items and how each stands, overdue and open ones first."""
    if data.followups is None:
        return (Paragraph("尚未记录会议，没有督办事项。"),)
    caption, table = data.followups
    return (Paragraph(caption), *((Table(table),) if table is not None and len(table) else ()))


@dataclass(frozen=True)
class ReportSectionSpec:
    heading: str
    build: Callable[[ReportData], tuple[Block, ...]]
    documents: frozenset[str] = frozenset({"pdf", "docx"})
    county_heading: str = ""  # the heading when the report's places are a city's counties (ranking.py)

    def heading_for(self, data: ReportData) -> str:
        return self.county_heading if self.county_heading and data.scorecard.level == "county" else self.heading


REPORT_SECTIONS: list[ReportSectionSpec] = [
    ReportSectionSpec("总体情况", summary_section),
    ReportSectionSpec("各项目标完成情况", targets_section),
    ReportSectionSpec("实施步骤推进情况", milestones_section),
    ReportSectionSpec("各乡镇（街道）目标完成情况", townships_section, county_heading="各县（市、区）目标完成情况"),
    ReportSectionSpec("存在问题与缺口清单", gaps_section),
    ReportSectionSpec("自上次会议以来", since_section),
    ReportSectionSpec("上次会议督办事项落实情况", followups_section),
    ReportSectionSpec("下一步工作打算", next_steps_section, frozenset({"docx"})),
]

CHINESE_NUMBERS = "一二三四五六七八九十"


def report_sections(data: ReportData, kind: str) -> list[ReportSection]:
    """The sections of one document (pdf or docx), numbered 一、二、… in order."""
    specs = [spec for spec in REPORT_SECTIONS if kind in spec.documents]
    numbered = enumerate(specs)
    return [ReportSection(f"{CHINESE_NUMBERS[i]}、{spec.heading_for(data)}", spec.build(data)) for i, spec in numbered]


def report_data(
    as_of: date, places: Places, township_names: list[str] | None, data: Path | None = None,
    with_figures: bool = False,
) -> ReportData:  # fmt: skip
    """The figures of the report, read side by side; with_figures adds each metric group's chart (the PDF)."""
    report, card, steps, summary, shortfalls, unserved = together(
        lambda: metrics.kpi_report(as_of, places, data),
        lambda: metrics.place_scorecard(as_of, places, data),
        lambda: (metrics.milestone_counts if hierarchy.spans_counties(places, data) else metrics.milestones)(
            as_of, data, places
        ),
        lambda: staffing.staffing_summary(as_of, places, data),
        lambda: staffing.shortfall_list(as_of, places, data, max_rows=REPORT_MAX_ROWS),
        lambda: staffing.uncovered_list(as_of, places, data, max_rows=REPORT_MAX_ROWS),
    )
    figures: tuple[Figure, ...] = ()
    if with_figures:
        slides = meeting(as_of, places, township_names, data).slides
        figures = tuple(Figure(s.figure, f"{s.title}：{s.caption}") for s in slides if s.figure is not None)
    county, _ = identity.load_or_fallback(data or settings.data_dir())
    scope = scope_name(as_of, places, township_names, data)
    since, view = _looking_back(as_of, places, data)
    return ReportData(county, as_of, scope, report, card, steps, summary, shortfalls, unserved, figures, since,
                      followup_tables.slide_parts(view), hierarchy.reporting(as_of, places, data),
                      tuple(followup_tables.overdue_lines(view)),
                      townships_chosen=bool(places.township_codes),
                      assembly=reporting_status.assembly_at(data, as_of))  # fmt: skip


def _looking_back(as_of: date, places: Places, data: Path | None) -> tuple:
    """(since, follow-ups) for the report: the changes since the last meeting (or None) and the view's items."""
    start = changes.since(as_of, data)
    since = None
    if start.from_date is not None:
        compared = changes.compare(start.from_date, as_of, places, data)
        since = (change_tables.slide_caption(compared, start.meeting), change_tables.slide_table(compared))
    return since, followup_tables.load(as_of, places, data)
