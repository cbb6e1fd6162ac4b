"""The leader's five questions, answered at the top of 总览 in one screen, each a link to the page that says more:
which targets are behind and by how much; which townships are worst (each answers for its own); what changed since
the last meeting and what is overdue; will the year's goals be met; how this compares with the same month last year.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from socialwork.figures import changes, metrics
from socialwork.figures.changes import Headline
from socialwork.figures.metrics import Kpi, KpiReport, TownshipScorecard
from socialwork.figures.parallel import together
from socialwork.figures.place_filter import Places
from socialwork.present.tables import followups as followup_tables
from socialwork.present.tables.followups import FollowupView
from socialwork.present.tables.places import PLACE_NOUN
from socialwork.present.words.formatting import date_stamp
from socialwork.present.words.targets import forecast_misses, forecast_text, gap_text, value_text

BEHIND = ("behind", "missed")
WORST_SHOWN = 3  # townships named on the overview; the ranking on 目标进度 lists all
LISTED = 3  # lines a box lists before "等 N 项"
TASK_CHARS = 18  # an overdue item's task, cut to fit its box (the whole on 会议督办)


@dataclass(frozen=True)
class Answers:
    """What the overview answers, read once for the view."""

    as_of: date
    report: KpiReport
    card: TownshipScorecard
    since: Headline | None  # None: no earlier snapshot to compare with
    meeting_title: str | None  # the last meeting the comparison starts from, if one was recorded
    followups: FollowupView  # .unreadable: the server database did not answer

    @property
    def behind(self) -> list[Kpi]:
        """Targets behind or missed, the furthest from their goal (as a share of it) first."""
        late = [k for k in self.report.kpis if k.status in BEHIND]
        return sorted(late, key=lambda k: -(k.gap or 0) / (abs(k.goal) if k.goal else 1))

    @property
    def forecast_misses(self) -> list[Kpi]:
        return [k for k in self.report.kpis if forecast_misses(k)]

    @property
    def worst(self) -> list[tuple[str, list[str]]]:
        """The worst places of the view (townships, or a city's counties) with the targets each misses."""
        rows = []
        for _, row in self.card.frame.head(WORST_SHOWN).iterrows():
            if pd.isna(row["unmet_targets"]) or not row["unmet_targets"]:  # none missed, or not reported (last)
                break
            unmet = [self.card.label(s) for s in self.card.metrics if row[f"{s.key}__status"] in BEHIND]
            rows.append((str(row["township_name"]), unmet))
        return rows

    @property
    def year_on_year(self) -> tuple[int, int, int]:
        """Targets better, worse and level against the same month last year (every goal asks for more)."""
        compared = [(k.value, k.last_year_value) for k in self.report.kpis if None not in (k.value, k.last_year_value)]
        better = sum(now > before for now, before in compared)
        worse = sum(now < before for now, before in compared)
        return better, worse, len(compared) - better - worse


def answers(as_of: date, places: Places, data: Path | None) -> Answers:
    """Everything the five answers need, read side by side."""
    start = changes.since(as_of, data)
    report, card, compared, view = together(
        lambda: metrics.kpi_report(as_of, places, data),
        lambda: metrics.place_scorecard(as_of, places, data),
        lambda: changes.headline(start.from_date, as_of, places, data) if _earlier(start.from_date, as_of) else None,
        lambda: followup_tables.load(as_of, places, data),
    )
    title = start.meeting.title if start.meeting is not None else None
    return Answers(as_of, report, card, compared, title, view)


def _earlier(start: date | None, as_of: date) -> bool:
    return start is not None and start < as_of


def _lines(items: list[str], more_noun: str = "项") -> str:
    shown = "".join(f"<li>{html.escape(item)}</li>" for item in items[:LISTED])
    more = f"<li>…等 {len(items)} {more_noun}</li>" if len(items) > LISTED else ""
    return f"<ul>{shown}{more}</ul>" if shown else ""


def _box(question: str, headline: str, tone: str, body: str, *links: tuple[str, str]) -> None:
    """One answer: the question, its answer in large type (coloured by tone), a few lines, links to its pages."""
    with st.container(border=True):  # st.html: names from the registers are never read as markdown
        st.html(
            f'<div class="sw-answer sw-{tone}"><div class="sw-q">{html.escape(question)}</div>'
            f'<div class="sw-a">{html.escape(headline)}</div>{body}</div>'
        )
        for page, label in links:
            st.page_link(page, label=label, icon=":material/arrow_forward:")


def draw(a: Answers) -> None:
    """The five answers as a grid of boxes (five in a row at 1366 px, two on a phone)."""
    with st.container(horizontal=True, key="sw_grid_answers"):
        _behind_box(a)
        _worst_box(a)
        _since_box(a)
        _forecast_box(a)
        _year_on_year_box(a)


def _tone(bad: bool) -> str:
    return "bad" if bad else "good"


def _behind_box(a: Answers) -> None:
    behind = a.behind
    headline = f"{len(behind)} 项落后" if behind else "没有落后目标"
    lines = [f"{k.label}：{value_text(k)}，{gap_text(k)}" for k in behind]
    _box("哪些目标落后，差多少", headline, _tone(bool(behind)), _lines(lines), ("pages/targets.py", "查看各项目标"))


def _worst_box(a: Answers) -> None:
    worst, noun = a.worst, PLACE_NOUN[a.card.level]
    headline = worst[0][0] if worst else f"各{noun}均达标"
    lines = [f"{name}：{len(unmet)} 项未达标" for name, unmet in worst]
    answers_for = worst and a.card.level == "township"  # each township answers for its own targets
    body = _lines(lines) + ('<div class="sw-who">各由本乡镇（街道）负责</div>' if answers_for else "")
    _box(f"哪些{noun}最需关注", headline, _tone(bool(worst)), body, ("pages/targets.py", "查看排名"))


def _forecast_box(a: Answers) -> None:
    misses = a.forecast_misses
    headline = f"{len(misses)} 项预计难以完成" if misses else "预计均可完成"
    lines = [f"{k.label}：年末预测 {forecast_text(k, brief=True)}" for k in misses]
    _box("年底能否完成", headline, _tone(bool(misses)), _lines(lines), ("pages/targets.py", "查看年末预测"))


def _year_on_year_box(a: Answers) -> None:
    better, worse, level = a.year_on_year
    total = better + worse + level
    headline = f"{better} 项好于去年" if total else "去年同期无数据"
    lines = [f"好于去年同期 {better} 项，不如 {worse} 项，持平 {level} 项"] if total else []
    _box("与去年同期相比", headline, _tone(worse > better), _lines(lines), ("pages/targets.py", "查看各目标同比"))


def since_lines(since: Headline) -> list[str]:
    """The comparison in three short lines: targets better or worse, and how the two place counts moved."""
    better, worse = since.better_and_worse
    served, meeting = since.served["net"], since.meeting["net"]
    return [
        f"目标状态好转 {better} 项，变差 {worse} 项",
        f"有社工服务的村（社区）{_moved(served)}",
        f"持证社工达标的城市社区{_moved(meeting)}",
    ]


def _moved(count: int) -> str:
    """增加 2 个, 减少 1 个, 持平."""
    return "持平" if count == 0 else f"{'增加' if count > 0 else '减少'} {abs(count)} 个"


def _since_box(a: Answers) -> None:
    """What changed since the last meeting, and the follow-up items overdue (in red, days overdue)."""
    lines: list[str] = []
    if a.since is not None:
        start = date_stamp(a.since.from_date)
        start = f"{a.meeting_title}（{start}）" if a.meeting_title else start
        lines = since_lines(a.since)
        since_html = f'<div class="sw-who">自{html.escape(start)}：</div>'
    else:
        since_html = ""
    if a.followups.unreadable:
        overdue_html, count = f'<div class="sw-overdue">{followup_tables.UNREADABLE_TEXT}</div>', 0
    else:
        late = followup_tables.overdue_items(a.followups)
        count = len(late)
        overdue_html = "".join(
            f'<div class="sw-overdue">逾期 {followup_tables.days_overdue(i, a.as_of)} 天：{html.escape(_cut(i.task))}'
            "</div>"
            for i in late[:2]
        )
    headline = f"逾期督办 {count} 项" if count else "无逾期督办事项"
    if a.followups.unreadable:
        headline = "督办事项暂时无法读取"
    links = (("pages/followups.py", "查看督办事项"), ("pages/changes.py", "查看变化"))
    _box("上次会议以来变化与逾期", headline, _tone(bool(count)), overdue_html + since_html + _lines(lines), *links)


def _cut(text: str) -> str:
    return text if len(text) <= TASK_CHARS else text[: TASK_CHARS - 1] + "…"
