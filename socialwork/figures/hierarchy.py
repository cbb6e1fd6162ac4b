"""Places above the township: a scope (a province, city or county code), the divisions under it, and which of its
counties reported a month, so that no figure silently lacks a county.

A place filter is one `Places` everywhere (pages, figures, CLI; place_filter.py): the whole store, one division above
the township, or townships of one county. This module answers what about it needs the store: does a view sum county
rows, what does it break down into, does it span counties, which counties report. A division is matched as a code
prefix in the queries, never expanded into its townships.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.contract.enums import DIVISION_DIGITS
from socialwork.data.storage import layout
from socialwork.figures import db
from socialwork.figures.place_filter import Places

# The levels a view above the county may break down into, top down (level_below skips one that holds a single
# division: a store of one province is broken down by city).
ABOVE_COUNTY = ("province", "city")


def many_counties(data: Path | None = None) -> bool:
    """Whether the store holds many counties (a city's, a province's, the nation's), each in its own folder: the one
    place figures, present and the command line ask it (the store's own modules ask layout.is_multi_county)."""
    return layout.is_multi_county(data or settings.data_dir())


def scope_in_store(places: Places, data: Path | None = None) -> str | None:
    """The division a view lies in, as the queries of divisions and county-level rows take it ($scope): the places'
    division, or their townships' county in a store of many counties; None for the whole store, and for townships of
    a single county's store (the store is their county)."""
    if places.township_codes and not many_counties(data):
        return None
    return places.scope


def level_of(code: str | None) -> str | None:
    """province, city, county or township, by the code's length (None for the whole store)."""
    return next((level for level, digits in DIVISION_DIGITS.items() if code and len(code) == digits), None)


def by_counties(places: Places, data: Path | None = None) -> bool:
    """Whether a view sums county rows: a division, or the whole of a store of many counties."""
    if places.township_codes:
        return False
    return places.division is not None or many_counties(data)


def level_below(places: Places, data: Path | None = None) -> str:
    """What a view breaks down into on charts and tables: above the county in a store of many counties, the first
    level under the scope that holds more than one division (the whole of a store of provinces: "province"; a
    province, or a store of one province: "city"; a city: "county", also a province of one city); else "township"
    (a county's townships, or the chosen townships)."""
    if places.county is not None or not by_counties(places, data):
        return "township"
    counts = division_counts(places.division, data)
    under = [level for level in ABOVE_COUNTY if DIVISION_DIGITS[level] > len(places.division or "")]
    return next((level for level in under if counts.get(level, 0) > 1), "county")


def spans_counties(places: Places, data: Path | None = None) -> bool:
    """Whether a view holds several counties (a city, a province, the whole of a store of many counties): it ranks
    its counties, and its lists name each row's county."""
    return level_below(places, data) != "township"


def division_counts(scope: str | None, data: Path | None = None) -> dict[str, int]:
    """How many provinces, cities and counties lie within the scope (the scope itself at its own level)."""
    frame = db.run("places/divisions_by_level", data=data, scope=scope)
    return dict(zip(frame["division_level"], frame["divisions"].astype(int), strict=True))


def divisions(as_of: date, scope: str | None = None, data: Path | None = None) -> pd.DataFrame:
    """The scope and every division under it (townships from the snapshot), in code order."""
    return db.run("places/divisions_in_scope", data=data, snapshot_date=as_of, scope=scope)


def children(as_of: date, code: str | None, data: Path | None = None) -> pd.DataFrame:
    """The divisions one level below code (the top level of the store for None), in code order."""
    known = divisions(as_of, code, data)
    if code is None:
        top = known[~known["parent_code"].isin(known["division_code"])]
        # A store's top division (its city) is the scope; its children are what a leader picks from.
        return known[known["parent_code"].isin(top["division_code"])] if len(top) == 1 else top
    return known[known["parent_code"] == code].reset_index(drop=True)


LEVELS_ABOVE = ("province", "city", "county")


@dataclass(frozen=True)
class Above:
    """The store's provinces, cities and counties at a snapshot: shared by every session (db.cached), read only."""

    by_level: dict[str, pd.DataFrame]  # province, city, county: code, name, level and parent code
    names: dict[str, str]  # code -> name, every level above the township
    parents: dict[str, str | None]  # code -> its parent's code
    _codes_within: dict[tuple[str, str | None], list[str]] = field(default_factory=dict, compare=False, repr=False)

    def codes_within(self, level: str, code: str | None) -> list[str]:
        """The codes of a level under a division (all of them for None), in code order; kept, as the sidebar's boxes
        ask on every rerun (a nation's 2,800 counties filtered by prefix: 4 ms)."""
        key = (level, code)
        if key not in self._codes_within:
            codes = self.by_level[level]["division_code"]
            self._codes_within[key] = list(codes[codes.str.startswith(code)] if code else codes)
        return self._codes_within[key]


def divisions_above(as_of: date, data: Path | None = None) -> Above:
    """The divisions above the township, kept per store version: the sidebar's boxes and the breadcrumb ask on every
    rerun, and the nation's divisions are 45,000 rows with its townships (30 ms to split each time)."""
    return db.cached("divisions_above", (as_of,), lambda: _divisions_above(as_of, data), data)


def _divisions_above(as_of: date, data: Path | None) -> Above:
    known = divisions(as_of, None, data)
    above = known[known["division_level"] != "township"]
    codes = list(above["division_code"])
    return Above(
        by_level={level: above[above["division_level"] == level].reset_index(drop=True) for level in LEVELS_ABOVE},
        names=dict(zip(codes, above["division_name"], strict=True)),
        parents=dict(zip(codes, above["parent_code"].where(above["parent_code"].notna(), None), strict=True)),
    )


def name_of(code: str, as_of: date, data: Path | None = None) -> str:
    """A division's name (the code itself when the store does not know it)."""
    named = divisions_above(as_of, data).names.get(code)
    if named is not None:
        return named
    known = divisions(as_of, code, data)  # a township
    found = known[known["division_code"] == code]["division_name"]
    return str(found.iloc[0]) if len(found) else code


def path_to(code: str | None, as_of: date, data: Path | None = None) -> list[tuple[str, str]]:
    """(code, name) of every division from the store's top down to code, for a breadcrumb (none for a code the store
    does not know)."""
    above = divisions_above(as_of, data)
    path = []
    if code and code not in above.names:  # a township: named by its snapshot, under its county
        name = name_of(code, as_of, data)
        if name == code:
            return []
        path, code = [(code, name)], code[: DIVISION_DIGITS["county"]]
    while code in above.names:
        path.append((code, above.names[code]))
        code = above.parents[code]
    return path[::-1]


MAX_NAMED = 30  # missing counties named in a sentence, then counted (as lists of names are everywhere)
NAMED_MISSING = 3  # late counties named on a card, or beside a division's count in its status, up to this many


@dataclass(frozen=True)
class Reporting:
    """Which counties of a scope have the month's snapshot: a sum over the scope covers `reporting` only."""

    as_of: date
    counties: tuple[str, ...]  # codes, every county of the scope
    reporting: tuple[str, ...]  # codes of those with the snapshot
    missing_names: tuple[str, ...]  # names of those without, each with its latest snapshot
    missing_townships: tuple[str, ...] = ()  # townships listed in divisions but absent from their county's month
    within_county: bool = False  # the view lies within one county (the county, or townships of it)

    @property
    def complete(self) -> bool:
        return not self.missing_names and not self.missing_townships

    @property
    def note(self) -> str:
        """缺 2 个县数据（乙县：最新 2024-06-30；丙县：无数据）, said above every page of the scope (the first MAX_NAMED
        counties named)."""
        return self._note(named=True)

    @property
    def card_note(self) -> str:
        """The note on each card: the same while it names up to NAMED_MISSING counties; beyond, the count only (a
        province's card repeating a dozen names is a column of text on a phone; the page's note has them)."""
        return self._note(named=len(self.missing_names) <= NAMED_MISSING)

    @property
    def card_gaps(self) -> str:
        """The card's note without what the sums and goals cover (缺 1 个县数据（乙县：最新 2024-06-30）), for a note
        that says it otherwise (a division's own goal, metrics/notes.py)."""
        return self._note(named=len(self.missing_names) <= NAMED_MISSING, covered=False)

    def _note(self, named: bool, covered: bool = True) -> str:
        parts = []
        if self.missing_names and self.within_county:  # its figures are empty, not a part of a sum
            parts.append(f"本县缺该月数据（{self.missing_names[0]}）")
        elif self.missing_names:
            names = self.missing_names
            listed = "；".join(names[:MAX_NAMED]) + ("…" if len(names) > MAX_NAMED else "")
            listed = listed if named else "名单见报送情况"
            covers = f"，合计与目标只含已报送的 {len(self.reporting):,} 个县" if covered else ""
            parts.append(f"缺 {len(names):,} 个县数据（{listed}）{covers}")
        if self.missing_townships:
            parts.append(f"缺 {len(self.missing_townships)} 个乡镇（街道）数据（{'、'.join(self.missing_townships)}）")
        return "；".join(parts)

    @property
    def short_note(self) -> str:
        """缺 1 个县数据, for a stamp or a footer that has no room for the names (本县缺该月数据 within a county)."""
        if self.missing_names and self.within_county:
            return "本县缺该月数据"
        parts = [f"缺 {len(names)} 个{noun}数据" for names, noun in
                 ((self.missing_names, "县"), (self.missing_townships, "乡镇（街道）")) if names]  # fmt: skip
        return "，".join(parts)


def counties_reporting(as_of: date, scope: str | None, data: Path | None = None) -> pd.DataFrame:
    """Every county of the scope with whether it has the snapshot, and its latest one on or before it."""
    return db.run("places/counties_reporting", data=data, snapshot_date=as_of, scope=scope)


def missing_townships(as_of: date, scope: str | None, data: Path | None = None) -> pd.DataFrame:
    """Townships the divisions table lists under the scope that their county's snapshot lacks."""
    return db.run("places/townships_reporting", data=data, snapshot_date=as_of, scope=scope)


def reporting(as_of: date, places: Places, data: Path | None = None) -> Reporting:
    """The reporting status of a view's scope at a snapshot (every county reports in a single county's store); worked
    out once per store version (a page's header, cards and KPI report each ask)."""
    return db.cached("reporting", (as_of, places), lambda: _reporting(as_of, places, data), data)


def _reporting(as_of: date, places: Places, data: Path | None) -> Reporting:
    scope, townships = places.scope, places.township_codes
    counties = counties_reporting(as_of, scope, data)
    missing = counties[~counties["has_snapshot"]]
    names = tuple(f"{row.county_name}：{_latest(row.latest_snapshot_date)}" for row in missing.itertuples(index=False))
    absent = missing_townships(as_of, scope, data)
    absent = absent[absent["county_has_snapshot"]]  # a missing county is reported as a county
    if townships:
        absent = absent[absent["township_code"].isin(townships)]
    return Reporting(
        as_of=as_of,
        counties=tuple(counties["county_code"]),
        reporting=tuple(counties[counties["has_snapshot"]]["county_code"]),
        missing_names=names,
        missing_townships=tuple(absent["township_name"]),
        within_county=places.county is not None,
    )


def reporting_label(has_snapshot: bool, latest: object) -> str:
    """已报送, or 未报送（最新 2024-06-30） for a county in a table of counties."""
    return "已报送" if has_snapshot else f"未报送（{_latest(latest)}）"


def division_reporting_label(counties: int, reporting: int, latest: object, missing: object = None) -> str:
    """A province's, city's or county's status in a table of divisions: 已报送 when every county of it has the month,
    未报送（最新 2024-06-30） when none has, else 缺 1 个县（乙县） (its sum covers the others only)."""
    if reporting == 0:
        return reporting_label(False, latest)
    if reporting >= counties:
        return "已报送"
    names = str(missing).split("、") if isinstance(missing, str) else []
    named = f"（{'、'.join(names)}）" if 0 < len(names) <= NAMED_MISSING else ""
    return f"缺 {counties - reporting} 个县{named}"


def _latest(on: object) -> str:
    return "无数据" if on is None or pd.isna(on) else f"最新 {pd.Timestamp(on).date().isoformat()}"
