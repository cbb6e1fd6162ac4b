"""The demo county's review meetings and their follow-up items, written to its followups.sqlite."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from socialwork.data.demo.story import FIRST_SNAPSHOT
from socialwork.data.server.followups import Editor
from socialwork.data.server.followups_sql import BEIJING, SqlFollowups

# Two review meetings of 2026 and what they decided. At the last snapshot (2026-10-31) three items are done, two
# are overdue (马坪乡's star rating, the new posts), one is under way in time and one has not started.
DEMO_EDITOR = Editor("demo", "演示账号", "reviewer")
DEMO_MEETINGS = [  # date, title, reviewed snapshot
    (date(2026, 7, 10), "2026年上半年社会工作人才工作推进会", date(2026, 6, 30)),
    (date(2026, 9, 8), "2026年8月社会工作人才工作调度会", date(2026, 8, 31)),
]
# meeting (1-based), task, metric, township name (None: the county), lead unit, due date, then what happened:
# (day, status or None, progress note or None).
DEMO_ITEMS = [
    (1, "督促持证社工不足2名的城市社区制定配备计划，逐社区明确补齐时限", "urban_communities_2plus_share", None,
     "县民政局", date(2026, 8, 31), [(date(2026, 7, 24), "in_progress", "已向各街道印发通知，收集各社区配备计划"),
                                     (date(2026, 8, 28), "done", "各城市社区配备计划已全部报送并备案")]),
    (1, "马坪乡社工站对照星级标准整改，申报年度星级评定", "stations_star_rated", "马坪乡", "马坪乡",
     date(2026, 9, 30), [(date(2026, 8, 14), "in_progress", "已完成自评，正在补齐服务台账")]),
    (1, "组织下半年社会工作者职业水平考试考前公益辅导", "exam_tutoring_sessions", None, "县社会工作指导中心",
     date(2026, 9, 15), [(date(2026, 8, 20), "in_progress", None), (date(2026, 9, 12), "done", "举办线下辅导2场")]),
    (2, "在医务、残疾人等重点领域新开发社工岗位，年内新增不少于5个", "posts_new_this_year", None,
     "县民政局、县人社局", date(2026, 10, 15), [(date(2026, 9, 21), "in_progress", "已与县医院、县残联对接设岗")]),
    (2, "河口镇实现村（社区）社工服务全覆盖", "communities_served_share", "河口镇", "河口镇", date(2026, 11, 30),
     [(date(2026, 10, 9), "in_progress", "尚无社工服务的村已落实联系社工站")]),
    (2, "落实2027年政府购买社会工作服务预算", "purchase_budget_wan", None, "县财政局、县民政局",
     date(2026, 12, 31), []),
    (2, "城关街道社工站每月至少开展1次专业督导", "supervision_sessions", "城关街道", "城关街道",
     date(2026, 10, 31), [(date(2026, 9, 30), "done", "9月督导已开展，10月督导已排期")]),
]  # fmt: skip


class _DemoClock:
    """The time of the demo's entries: each at 10:00 Beijing time on its day, so the store is the same every run."""

    def __init__(self) -> None:
        self.day = FIRST_SNAPSHOT

    def __call__(self) -> datetime:
        return datetime.combine(self.day, time(10), BEIJING)


def write_demo_followups(path: Path, township_codes: dict[str, str]) -> SqlFollowups:
    """The demo's meetings and follow-up items, written in the order they happened."""
    clock = _DemoClock()
    store = SqlFollowups.sqlite(path, clock=clock)
    meetings = []
    for day, title, reviewed in DEMO_MEETINGS:
        clock.day = day
        meetings.append(store.add_meeting(day, title, reviewed, DEMO_EDITOR))
    for number, task, metric, township, lead, due, history in DEMO_ITEMS:
        meeting = meetings[number - 1]
        clock.day = meeting.meeting_date
        item = store.add_item(meeting.meeting_id, task, metric, township_codes.get(township), lead, due, DEMO_EDITOR)
        for day, status, note in history:
            clock.day = day
            if status:
                item = store.update_item(item, {"status": status}, DEMO_EDITOR)
            if note:
                store.add_note(item.item_id, day, note, DEMO_EDITOR)
                item = store.item(item.item_id)
    return store
