"""What changed between two snapshots, in Chinese: tables for the 变化对比 page and its download, the headline
figures, the "自上次会议以来" slide and the `changes` command's text. No Streamlit here (the CLI imports it)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED as MINIMUM
from socialwork.data.server.followups import Meeting
from socialwork.figures.changes import Changes
from socialwork.present.tables.places import PLACE_NOUN
from socialwork.present.tables.topics import headed, with_county
from socialwork.present.words.formatting import date_stamp, format_value, names_text, stars_text
from socialwork.present.words.targets import change_decimals, signed_difference

COUNTY_LEVEL = "县直"  # posts and organisations without a township
MAX_SLIDE_ROWS = 14
ARROWS = {"improved": "↑ ", "worsened": "↓ "}


def short_date(day: date) -> str:
    """8月31日: a column header when both snapshots are of one year."""
    return f"{day.month}月{day.day}日"


def period_headers(changes: Changes) -> tuple[str, str]:
    """Headers for the two snapshots' columns: 8月31日 / 10月31日, with the year when the years differ."""
    then, now = changes.from_date, changes.to_date
    if then.year == now.year:
        return short_date(then), short_date(now)
    return date_stamp(then), date_stamp(now)


def status_change_text(then_label: str, now_label: str, direction: object) -> str:
    """滞后 → 达标 with an arrow for better or worse; the status alone when it stayed."""
    if then_label == now_label:
        return f"{now_label}（未变）"
    return f"{ARROWS.get(direction, '') if isinstance(direction, str) else ''}{then_label} → {now_label}"


def targets_table(changes: Changes, only_changed: bool = False) -> pd.DataFrame:
    """Every target: value then and now, the change, the status then → now."""
    frame = changes.targets_changed if only_changed else changes.targets
    then, now = period_headers(changes)
    rows = []
    for row in frame.itertuples(index=False):
        before, after = _value(row.value_then), _value(row.value_now)
        # Decimals at which both values and their change read apart: never 59.5% → 59.5%, 变化 −0.1个百分点.
        places = row.decimals if before is None or after is None else change_decimals(after, before, row.decimals)
        change = "—" if before is None or after is None else signed_difference(after - before, places, row.unit)
        rows.append({
            "指标": row.label, then: format_value(before, places, row.unit),
            now: format_value(after, places, row.unit), "变化": change,
            "状态": status_change_text(row.status_then_label, row.status_now_label, row.direction),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["指标", then, now, "变化", "状态"])


def _value(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def township_status_table(changes: Changes) -> pd.DataFrame:
    then, now = period_headers(changes)
    noun = PLACE_NOUN[changes.place_level]
    rows = [
        {noun: r.township_name, "目标": r.label, f"{then}状态": r.status_then_label,
         f"{now}状态": r.status_now_label, "变化": {"improved": "↑ 好转", "worsened": "↓ 变差"}.get(r.direction, "—")}
        for r in changes.township_statuses.itertuples(index=False)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=[noun, "目标", f"{then}状态", f"{now}状态", "变化"])


def _county_first(changes: Changes, table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """A list of a city's comparison with its county first (township names repeat across counties)."""
    return with_county(table, rows, counties=changes.place_level == "county")


def communities_table(changes: Changes) -> pd.DataFrame:
    then, now = period_headers(changes)
    headers = {"change_label": "变化", "township_name": "乡镇（街道）", "community_name": "城市社区",
               "certified_then": f"{then}持证社工", "certified_now": f"{now}持证社工"}  # fmt: skip
    return _county_first(changes, headed(changes.communities, headers), changes.communities)


def served_table(changes: Changes) -> pd.DataFrame:
    then, now = period_headers(changes)
    headers = {"change_label": "变化", "township_name": "乡镇（街道）", "community_name": "村（社区）",
               "community_kind_label": "类型", "social_workers_then": f"{then}社工",
               "social_workers_now": f"{now}社工"}  # fmt: skip
    return _county_first(changes, headed(changes.served, headers), changes.served)


def _rating(row) -> tuple[str, str]:
    if row.point_kind == "station":
        return tuple("—" if pd.isna(s) else stars_text(int(s)) for s in (row.stars_then, row.stars_now))
    return tuple("—" if g is None or pd.isna(g) else g for g in (row.grade_then_label, row.grade_now_label))


def service_points_table(changes: Changes) -> pd.DataFrame:
    """Stations and organisations that changed: what, where, the rating (stars or grade) then and now."""
    then, now = period_headers(changes)
    rows = []
    for row in changes.service_points.itertuples(index=False):
        rating_then, rating_now = _rating(row)
        station = row.point_kind == "station"
        rows.append({
            "类别": "社工站" if station else "社工机构", "变化": row.change_label,
            "名称": f"{row.point_name}社工站" if station else row.point_name,
            "乡镇（街道）": _township(row.township_name),
            f"{then}星级/等级": rating_then, f"{now}星级/等级": rating_now,
        })  # fmt: skip
    table = pd.DataFrame(rows, columns=["类别", "变化", "名称", "乡镇（街道）", f"{then}星级/等级", f"{now}星级/等级"])
    return _county_first(changes, table, changes.service_points)


def _township(name: object) -> str:
    return COUNTY_LEVEL if name is None or pd.isna(name) else str(name)


def posts_table(changes: Changes) -> pd.DataFrame:
    frame = changes.posts.assign(township_name=changes.posts["township_name"].fillna(COUNTY_LEVEL))
    headers = {"township_name": "乡镇（街道）", "unit_name": "设岗单位", "sector_label": "领域",
               "created_posts": "新设岗位", "filled_posts": "新上岗", "vacated_posts": "新空缺",
               "removed_posts": "撤销岗位"}  # fmt: skip
    return _county_first(changes, headed(frame, headers), frame)


def changes_sheets(changes: Changes) -> dict[str, pd.DataFrame]:
    """Every list of the comparison, one sheet each (the page's XLSX and CSV downloads)."""
    return {
        "目标": targets_table(changes),
        "县目标状态" if changes.place_level == "county" else "乡镇目标状态": township_status_table(changes),
        "城市社区达标变化": communities_table(changes),
        "村社区服务变化": served_table(changes),
        "社工站与机构": service_points_table(changes),
        "岗位": posts_table(changes),
    }


def summary_items(changes: Changes) -> list[tuple[str, str, str | None]]:
    """The headline counts as (label, value, help) for metric cards."""
    changed = changes.targets_changed
    better = int((changed["direction"] == "improved").sum())
    worse = int((changed["direction"] == "worsened").sum())
    posts = changes.posts_total
    return [
        ("目标状态变化", f"{len(changed)}项", f"好转 {better} 项，变差 {worse} 项"),
        ("城市社区新达标", f"{changes.count('communities', 'reached_minimum')}个", meeting_sentence(changes)),
        ("村（社区）新有社工服务", f"{changes.count('served', 'newly_served')}个", served_sentence(changes)),
        ("县目标状态变化" if changes.place_level == "county" else "乡镇目标状态变化",
         f"{changes.township_statuses['township_code'].nunique()}个",
         f"{'各县' if changes.place_level == 'county' else '比例类'}目标状态变化 {len(changes.township_statuses)} 项"),
        ("社工站与机构变动", f"{len(changes.service_points)}处", "启用、停用、星级或等级变化、新登记、注销等"),
        ("新设岗位", f"{posts['created']}个", f"新上岗 {posts['filled']} 个，新空缺 {posts['vacated']} 个"),
    ]  # fmt: skip


def _signed(count: int) -> str:
    return f"{count:+d}".replace("-", "−") if count else "0"


def served_sentence(changes: Changes) -> str:
    """有社工服务的村（社区）净变化 −1 个：新有 0 个，不再有 0 个，撤并 1 个 — the list's rows, adding up."""
    b = changes.served_balance
    return (
        f"有社工服务的村（社区）净变化 {_signed(b['net'])} 个：新有 {b['newly_served']} 个，"
        f"不再有 {b['no_longer_served']} 个，原有服务的已撤并 {b['gone_served']} 个"
    )


def meeting_sentence(changes: Changes) -> str:
    """达标城市社区净变化 +1 个：新达标 2 个，跌破 1 个，撤并 0 个，改为非城市社区 0 个 — adding up."""
    b = changes.meeting_balance
    return (
        f"持证社工{MINIMUM}名以上的城市社区净变化 {_signed(b['net'])} 个：新达标 {b['reached_minimum']} 个，"
        f"降至不足 {b['fell_below_minimum']} 个，原达标的已撤并 {b['gone_met']} 个、不再是城市社区 "
        f"{b['reclassified_met']} 个"
    )


def period_text(changes: Changes, meeting: Meeting | None) -> str:
    """对比 2026年8月31日（2026年8月社会工作人才工作调度会审议的数据）与 2026年10月31日."""
    reviewed = meeting is not None and meeting.reviewed_snapshot == changes.from_date
    since = f"（{meeting.title}审议的数据）" if reviewed else ""
    return f"对比 {date_stamp(changes.from_date)}{since}与 {date_stamp(changes.to_date)}"


def start_missing_text(changes: Changes) -> str:
    """2024年11月30日缺 1 个县数据（乙县：最新 2024-06-30），该县按其此前最新一期数据对比; empty when none lacks it."""
    then = changes.reporting_then
    if then is None or not then.missing_names:
        return ""
    count, names = len(then.missing_names), "；".join(then.missing_names)
    return f"{date_stamp(changes.from_date)}缺 {count} 个县数据（{names}），该县按其此前最新一期数据对比"


def reporting_sentence(changes: Changes) -> str:
    """Which counties lack either end's month, and how they are compared; empty when every county reported both."""
    now = changes.reporting_now
    end = f"{date_stamp(changes.to_date)}{now.note}" if now is not None and now.note else ""
    parts = [part for part in (end, start_missing_text(changes)) if part]
    return "报送情况：" + "；".join(parts) if parts else ""


def summary_sentence(changes: Changes) -> str:
    """The comparison in one sentence, for the slide's caption and the CLI."""
    changed = changes.targets_changed
    better = [r.label for r in changed.itertuples() if r.direction == "improved"]
    worse = [r.label for r in changed.itertuples() if r.direction == "worsened"]
    parts = [f"{len(changed)} 项目标状态变化"]
    if better:
        parts[-1] += f"（好转：{names_text(better, 5, '项')}"
        parts[-1] += f"；变差：{names_text(worse, 5, '项')}）" if worse else "）"
    elif worse:
        parts[-1] += f"（变差：{names_text(worse, 5, '项')}）"
    parts += [
        f"城市社区新达到{MINIMUM}名持证社工 {changes.count('communities', 'reached_minimum')} 个、"
        f"降至不足{MINIMUM}名 {changes.count('communities', 'fell_below_minimum')} 个",
        f"村（社区）新有社工服务 {changes.count('served', 'newly_served')} 个、"
        f"不再有社工服务 {changes.count('served', 'no_longer_served')} 个",
        f"社工站与机构变动 {len(changes.service_points)} 处",
        f"新设岗位 {changes.posts_total['created']} 个、新上岗 {changes.posts_total['filled']} 个",
    ]
    return "；".join(parts)


def slide_caption(changes: Changes, meeting: Meeting | None) -> str:
    """The "自上次会议以来" slide's caption: which meeting, which dates, the summary."""
    if meeting is not None:
        lead = f"上次会议：{meeting.title}（{date_stamp(meeting.meeting_date)}）。"
    else:
        lead = "尚未记录会议，与上一期数据对比。"
    return f"{lead}{period_text(changes, None)}：{summary_sentence(changes)}"


def slide_table(changes: Changes) -> pd.DataFrame:
    """The targets whose value or status changed, status changes first (at most MAX_SLIDE_ROWS)."""
    return _slide_rows(changes).drop(columns="_status").reset_index(drop=True)


def slide_statuses(changes: Changes) -> list[str]:
    """The status now of each row of slide_table, for its pills."""
    return list(_slide_rows(changes)["_status"])


def _slide_rows(changes: Changes) -> pd.DataFrame:
    targets = changes.targets
    moved = (targets["status_changed"] | (targets["change"].fillna(0) != 0)).to_numpy()
    later = (~targets["status_changed"]).to_numpy()[moved]  # sorts status changes first, keeping the plan's order
    picked = targets_table(changes)[moved].assign(_later=later, _status=targets["status_now"].to_numpy()[moved])
    return picked.sort_values("_later", kind="stable").drop(columns="_later").head(MAX_SLIDE_ROWS)


def changes_text(changes: Changes, scope: str, title: str, meeting: Meeting | None) -> str:
    """Every list of the comparison as tab-separated lines for a terminal (`python -m socialwork changes`)."""
    missing = reporting_sentence(changes)
    lines = [title, period_text(changes, meeting), f"范围：{scope}", *([missing] if missing else []), "",
             summary_sentence(changes)]  # fmt: skip
    for name, table in changes_sheets(changes).items():
        lines += ["", f"【{name}】（{len(table)} 行）"]
        if len(table):
            lines.append("\t".join(str(c) for c in table.columns))
            lines += ["\t".join("—" if pd.isna(v) else str(v) for v in row) for row in table.itertuples(index=False)]
    return "\n".join(lines)
