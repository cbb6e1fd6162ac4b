"""What changed between two snapshots (变化对比), for the county or chosen townships: each target's value and status
then and now, townships whose status changed on a target, urban communities crossing the plan's 2-certified
standard, villages and communities newly served or no longer served, stations and organisations, posts.

The same functions feed the 变化对比 page, the meeting's "自上次会议以来" slide and `python -m socialwork changes`.
Counts and place or organisation names only: no query here reads a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.enums import KPI_STATUS
from socialwork.data.contract.standards import URBAN_COMMUNITY_MIN_CERTIFIED
from socialwork.data.server.followups import Meeting, last_meeting_before
from socialwork.data.server.followups_sql import open_followups
from socialwork.data.server.serverdb import ServerDbUnavailable
from socialwork.figures import db, hierarchy, metrics
from socialwork.figures.choices import FilterError, available_dates
from socialwork.figures.metrics import KpiReport, TownshipScorecard
from socialwork.figures.parallel import together
from socialwork.figures.place_filter import EVERYWHERE, Places

# How good a status is, to say whether a change is for the better; other statuses (无目标, 乡镇贡献…) have no rank.
STATUS_RANK = {"missed": 0, "behind": 1, "on_track": 2, "met": 3}


@dataclass(frozen=True)
class Since:
    """Where a comparison up to a snapshot starts by default: the snapshot the last meeting reviewed, else the
    previous snapshot (None when there is none)."""

    from_date: date | None
    meeting: Meeting | None  # the last meeting before the snapshot, if one was recorded


@dataclass(frozen=True)
class Changes:
    """Every change between two snapshots, each list a frame (columns documented on the functions below)."""

    from_date: date
    to_date: date
    places: Places
    targets: pd.DataFrame
    township_statuses: pd.DataFrame
    communities: pd.DataFrame
    served: pd.DataFrame
    service_points: pd.DataFrame
    posts: pd.DataFrame
    place_level: str = "township"  # whose statuses township_statuses lists: a city's counties (ranking.py)
    # Which counties of the scope lack each end's month: a late county is compared from its latest earlier month.
    reporting_then: hierarchy.Reporting | None = None
    reporting_now: hierarchy.Reporting | None = None

    def count(self, frame: str, change: str) -> int:
        """Rows of one list with the given change code, e.g. count("communities", "reached_minimum")."""
        table = getattr(self, frame)
        return int((table["change"] == change).sum())

    @property
    def served_balance(self) -> dict[str, int]:
        return served_balance(self.served)

    @property
    def meeting_balance(self) -> dict[str, int]:
        return meeting_balance(self.communities)

    @property
    def targets_changed(self) -> pd.DataFrame:
        return self.targets[self.targets["status_changed"]]

    @property
    def posts_total(self) -> dict[str, int]:
        """Posts created, filled, vacated and removed in scope."""
        columns = ("created_posts", "filled_posts", "vacated_posts", "removed_posts")
        return {c.removesuffix("_posts"): int(self.posts[c].sum()) for c in columns}

    def as_dict(self) -> dict:
        """For `changes --json`: dates as ISO text, every list as records."""
        lists = ("targets", "township_statuses", "communities", "served", "service_points", "posts")
        return {
            "from_date": self.from_date.isoformat(),
            "to_date": self.to_date.isoformat(),
            "township_codes": self.places.bound(),  # the place filter's list form, as before it had a type
            "missing_then": self.reporting_then.note if self.reporting_then else "",
            "missing_now": self.reporting_now.note if self.reporting_now else "",
            **{name: _records(getattr(self, name)) for name in lists},
        }


def _counts(frame: pd.DataFrame, codes: tuple[str, ...]) -> dict[str, int]:
    return {code: int((frame["change"] == code).sum()) for code in codes}


def served_balance(served: pd.DataFrame) -> dict[str, int]:
    """How the count of villages and communities with a social worker moved, by cause; "net" is their sum and equals
    the count now minus the count then (queries/changes/communities_served_changes.sql)."""
    parts = _counts(served, ("newly_served", "no_longer_served", "gone_served"))
    return parts | {"net": parts["newly_served"] - parts["no_longer_served"] - parts["gone_served"]}


def meeting_balance(communities: pd.DataFrame) -> dict[str, int]:
    """How the count of urban communities meeting the minimum moved, by cause, and the net change."""
    parts = _counts(communities, ("reached_minimum", "fell_below_minimum", "gone_met", "reclassified_met"))
    lost = parts["fell_below_minimum"] + parts["gone_met"] + parts["reclassified_met"]
    return parts | {"net": parts["reached_minimum"] - lost}


@dataclass(frozen=True)
class Headline:
    """The comparison in the three counts the overview gives (targets better or worse, places served, urban
    communities meeting the standard): read without the rankings, stations and posts a full comparison reads."""

    from_date: date
    targets: pd.DataFrame  # target_changes
    served: dict[str, int]  # served_balance
    meeting: dict[str, int]  # meeting_balance

    @property
    def better_and_worse(self) -> tuple[int, int]:
        changed = self.targets[self.targets["status_changed"]]
        return int((changed["direction"] == "improved").sum()), int((changed["direction"] == "worsened").sum())


def headline(from_date: date, to_date: date, places: Places = EVERYWHERE, data: Path | None = None) -> Headline:
    """The overview's comparison from an earlier snapshot, its reads side by side."""
    report_then, report_now, communities, served = together(
        lambda: metrics.kpi_report_from(from_date, to_date, places, data),
        lambda: metrics.kpi_report(to_date, places, data),
        lambda: urban_communities_crossing(from_date, to_date, places, data),
        lambda: served_changes(from_date, to_date, places, data),
    )
    return Headline(from_date, target_changes(report_then, report_now), served_balance(served),
                    meeting_balance(communities))  # fmt: skip


def _records(frame: pd.DataFrame) -> list[dict]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in clean.to_dict("records")]


def since(as_of: date, data: Path | None = None) -> Since:
    """The default start of a comparison ending at as_of (see Since)."""
    dates = available_dates(data)
    try:
        meeting = last_meeting_before(open_followups(data or settings.data_dir()).meetings(), as_of)
    except ServerDbUnavailable:  # without the meetings, a comparison starts at the month before
        meeting = None
    if meeting is not None:
        reviewed = [d for d in dates if d <= meeting.reviewed_snapshot]
        if reviewed:
            return Since(reviewed[-1], meeting)
    return Since(metrics.previous_date(as_of, dates), meeting)


def _direction(then: str, now: str) -> str | None:
    before, after = STATUS_RANK.get(then), STATUS_RANK.get(now)
    if before is None or after is None or before == after:
        return None
    return "improved" if after > before else "worsened"


def target_changes(then: KpiReport, now: KpiReport) -> pd.DataFrame:
    """Per metric: metric_key, label, unit, decimals, value_then, value_now, change, status_then(_label),
    status_now(_label), status_changed, direction (improved, worsened or None)."""
    earlier = {k.metric_key: k for k in then.kpis}
    rows = []
    for kpi in now.kpis:
        old = earlier[kpi.metric_key]
        change = None if kpi.value is None or old.value is None else kpi.value - old.value
        rows.append({
            "metric_key": kpi.metric_key, "label": kpi.label, "unit": kpi.unit, "decimals": kpi.decimals,
            "value_then": old.value, "value_now": kpi.value, "change": change,
            "status_then": old.status, "status_then_label": old.status_label,
            "status_now": kpi.status, "status_now_label": kpi.status_label,
            "status_changed": old.status != kpi.status, "direction": _direction(old.status, kpi.status),
        })  # fmt: skip
    return pd.DataFrame(rows)


def township_status_changes(then: TownshipScorecard, now: TownshipScorecard) -> pd.DataFrame:
    """Townships (a city's counties) whose status on a target changed: township_code, township_name, metric_key,
    label, value_then, value_now, status_then, status_now, direction; in township order, then the targets' order."""
    keys = [spec.key for spec in now.metrics if spec in then.metrics]
    before = then.frame.set_index("township_code")
    rows = []
    for _, row in now.frame.sort_values("township_code").iterrows():
        code = row["township_code"]
        if not row.get("reporting", True) or (code in before.index and not before.loc[code].get("reporting", True)):
            continue  # a county without the month at one end has no status to compare (its reporting status says so)
        for key in keys:
            old = before.loc[code, f"{key}__status"] if code in before.index else "no_data"
            new = row[f"{key}__status"]
            if old == new:
                continue
            spec = next(s for s in now.metrics if s.key == key)
            rows.append({
                "township_code": code, "township_name": row["township_name"], "metric_key": key,
                "label": now.label(spec), "value_then": before.loc[code, key] if code in before.index else None,
                "value_now": row[key], "status_then": old, "status_then_label": KPI_STATUS.label_of(old),
                "status_now": new, "status_now_label": KPI_STATUS.label_of(new), "direction": _direction(old, new),
            })  # fmt: skip
    columns = ["township_code", "township_name", "metric_key", "label", "value_then", "value_now", "status_then",
               "status_then_label", "status_now", "status_now_label", "direction"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def from_dates(from_date: date, places: Places, data: Path | None = None) -> list[date]:
    """The snapshots a comparison starts from: each county's latest on or before from_date (a county that missed
    that month is compared from its previous one, as levels.py counts it), [from_date] in a single county's store."""
    latest = hierarchy.counties_reporting(from_date, places.scope, data)["latest_snapshot_date"].dropna()
    return sorted({pd.Timestamp(on).date() for on in latest} | {from_date})


def _changes(name: str, from_date: date, to_date: date, places: Places, data: Path | None, **params):
    return db.run(
        name, data=data, from_date=from_date, from_dates=from_dates(from_date, places, data), to_date=to_date,
        places=places, **params,
    )  # fmt: skip


def urban_communities_crossing(
    from_date: date, to_date: date, places: Places, data: Path | None = None
) -> pd.DataFrame:
    """Urban communities that reached the plan's 2 certified social workers, and those that fell below."""
    return _changes("changes/urban_communities_crossing_minimum", from_date, to_date, places, data,
                    min_certified=URBAN_COMMUNITY_MIN_CERTIFIED)  # fmt: skip


def served_changes(from_date: date, to_date: date, places: Places, data: Path | None = None):
    """Villages and communities newly served by a social worker, and those no longer served."""
    return _changes("changes/communities_served_changes", from_date, to_date, places, data)


def service_point_changes(from_date: date, to_date: date, places: Places, data: Path | None = None):
    """Stations opened, closed or re-rated; organisations registered, closed, suspended, resumed or re-graded."""
    return _changes("changes/service_point_changes", from_date, to_date, places, data)


def post_changes(from_date: date, to_date: date, places: Places, data: Path | None = None):
    """Posts created, filled, vacated and removed, by township and employing unit."""
    return _changes("changes/post_changes_by_unit", from_date, to_date, places, data)


def compare(from_date: date, to_date: date, places: Places = EVERYWHERE, data: Path | None = None) -> Changes:
    """Every change from one snapshot to a later one, its reads side by side."""
    if from_date >= to_date:
        raise FilterError(f"对比的起点（{from_date.isoformat()}）应早于终点（{to_date.isoformat()}）")
    report_then, report_now, card_then, card_now, communities, served, points, posts, then, now = together(
        lambda: metrics.kpi_report_from(from_date, to_date, places, data),  # the same counties at both ends
        lambda: metrics.kpi_report(to_date, places, data),
        lambda: metrics.place_scorecard(from_date, places, data),  # a city: its counties
        lambda: metrics.place_scorecard(to_date, places, data),
        lambda: urban_communities_crossing(from_date, to_date, places, data),
        lambda: served_changes(from_date, to_date, places, data),
        lambda: service_point_changes(from_date, to_date, places, data),
        lambda: post_changes(from_date, to_date, places, data),
        lambda: hierarchy.reporting(from_date, places, data),
        lambda: hierarchy.reporting(to_date, places, data),
    )
    return Changes(
        from_date=from_date,
        to_date=to_date,
        places=places,
        targets=target_changes(report_then, report_now),
        township_statuses=township_status_changes(card_then, card_now),
        communities=communities,
        served=served,
        service_points=points,
        posts=posts,
        place_level=card_now.level,
        reporting_then=then,
        reporting_now=now,
    )
