"""The snapshots and townships a user may choose, as users name them: validated, with errors in Chinese."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.importing.cells import CONTROL, INVISIBLE, looks_personal
from socialwork.data.storage import identity, objectstore, store
from socialwork.data.storage.layout import StoreError, county_folder
from socialwork.data.storage.location import Bucket
from socialwork.figures import db, hierarchy
from socialwork.figures.place_filter import DIVISION_LENGTHS, Places


class FilterError(ValueError):
    """A date or township the store does not know, worded in Chinese."""


ECHO_CHARACTERS = 100  # of a value a user gave (a URL parameter, a CLI argument) repeated in a message


def echoed(value: object, limit: int = ECHO_CHARACTERS) -> str:
    """A value a user gave as a message may repeat it: at most `limit` characters, a cut marked with the length;
    control characters dropped; one that looks like an ID-card or phone number not repeated at all. Every message
    that repeats a URL parameter or a CLI argument goes through here (a 20,000-character ?scope= was echoed whole)."""
    text = CONTROL.sub("", INVISIBLE.sub("", str(value)))
    if looks_personal(text[: limit * 2]):
        return "（疑似个人号码，不予显示）"
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 个字符，只显示前 {limit} 个）"


def echoed_list(values: Iterable[object], limit: int = 5) -> str:
    """Several values a user gave, each echoed, the first `limit` of them and then their count."""
    values = list(values)
    shown = "、".join(echoed(v) for v in values[:limit])
    return shown + (f" 等 {len(values):,} 个" if len(values) > limit else "")


def available_dates(data: Path | None = None) -> list[date]:
    """Every snapshot date of the store (listed once per store version); an empty store is an error."""
    root = data or settings.data_dir()
    dates = db.snapshot_dates(root)
    if not dates and db.damaged_snapshots(root):
        raise StoreError("；".join(db.damaged_snapshots(root).values()))
    if not dates:
        county = identity.load(root).county_name if identity.has_identity(root) else ""
        raise StoreError(
            f"{county}数据目录 {root} 中还没有任何快照；请先导入第一个月的数据："
            f"python -m socialwork import 文件.xlsx --as-of YYYY-MM-DD --data {root}"
        )
    return dates


def parse_as_of(text: str | date | None, data: Path | None = None) -> date:
    """The snapshot for an as-of date given as text; None means the latest."""
    dates = available_dates(data)
    if text is None:
        return dates[-1]
    try:
        wanted = text if isinstance(text, date) else date.fromisoformat(str(text).strip())
    except ValueError as err:
        raise FilterError(f"日期格式无效：“{echoed(text)}”，应为 YYYY-MM-DD，例如 {dates[-1].isoformat()}") from err
    damaged = db.damaged_snapshots(data or settings.data_dir())
    if wanted in damaged:
        raise FilterError(f"{wanted.isoformat()} 的数据文件损坏，不能作为数据日期：{damaged[wanted]}")
    if wanted not in dates:
        earlier = [d for d in dates if d <= wanted]
        hint = f"；最接近的较早快照是 {earlier[-1].isoformat()}" if earlier else ""
        raise FilterError(
            f"没有 {wanted.isoformat()} 的数据快照。现有快照：{dates[0].isoformat()} 至 {dates[-1].isoformat()}"
            f"（共 {len(dates)} 期）{hint}"
        )
    return wanted


def damaged_dates(data: Path | None = None) -> list[date]:
    """The months left out as damaged (store_notices names them), which trend charts mark where they would be."""
    return sorted(db.damaged_snapshots(data or settings.data_dir()))


def store_notices(data: Path | None = None) -> list[str]:
    """What every page says of the store: a bucket not answering (its local copy shown, with its date); damaged
    months: the latest ones name the month shown instead; an earlier one is missing from the trends (left out, never
    counted as zero); in a store of many counties, a county's damaged month read as not reported."""
    root = data or settings.data_dir()
    dates, damaged = db.snapshot_dates(root), db.damaged_snapshots(root)
    offline = objectstore.offline_notice(root) if isinstance(root, Bucket) else None
    notices = [offline] if offline else []
    for on in damaged:
        if dates and on > dates[-1]:
            notices.append(f"{on.isoformat()} 的数据文件损坏，已显示 {dates[-1].isoformat()}；请恢复或重新导入")
        else:
            notices.append(f"{on.isoformat()} 的数据文件损坏，各趋势图中略去该月（不按零计）；请恢复或重新导入")
    for on, counties in _left_out_counties(root):
        notices += [_left_out_notice(root, on, code, problem) for code, problem in counties]
    return notices


def _left_out_counties(root: Path) -> tuple[tuple[date, tuple[tuple[str, str], ...]], ...]:
    """store.left_out_counties, listed once per store version (every page asks)."""

    def listed() -> tuple[tuple[date, tuple[tuple[str, str], ...]], ...]:
        return tuple((on, tuple(counties.items())) for on, counties in store.left_out_counties(root).items())

    return db.cached("left_out_counties", (), listed, root)


def _left_out_notice(root: Path, on: date, code: str, problem: str) -> str:
    """e.g. 乙县（999902）2025-03-31 的数据文件损坏，该县该月按未报送处理（其他县照常显示）：快照 …；请恢复或重新导入"""
    folder = county_folder(root, code)
    name = identity.load(folder).county_name if identity.has_identity(folder) else "县"
    return f"{name}（{code}）{on.isoformat()} 的数据文件损坏，该县该月按未报送处理（其他县照常显示）：{problem}"


def townships(as_of: date, data: Path | None = None) -> pd.DataFrame:
    """Code, name and kind of every township at the snapshot."""
    return db.run("places/townships_at_snapshot", data=data, snapshot_date=as_of)


def townships_of_county(as_of: date, county_code: str, data: Path | None = None) -> pd.DataFrame:
    """Code and name of every township of one county of a store of many at the snapshot (read within the county,
    db.county_store: not a nation's 41,000 filtered), kept per store version: the sidebar asks on every rerun."""
    key = (as_of, county_code)
    return db.cached("townships_of_county", key, lambda: _townships_of_county(as_of, county_code, data), data).copy()


def _townships_of_county(as_of: date, county_code: str, data: Path | None) -> pd.DataFrame:
    known = db.run("places/divisions_in_scope", data=data, snapshot_date=as_of, scope=county_code)
    known = known[known["division_level"] == "township"]
    columns = {"division_code": "township_code", "division_name": "township_name"}
    return known.rename(columns=columns)[list(columns.values())].reset_index(drop=True)


def township_codes(names: Iterable[str], as_of: date, data: Path | None = None, county: str | None = None) -> list[str]:
    """Division codes for township names (or codes), within `county` where given; an unknown name, or in a store of
    many counties one that two counties share, raises FilterError naming it (and both candidates)."""
    known = townships(as_of, data)
    if county:
        known = known[known["township_code"].str.startswith(county)]
    by_name: dict[str, list[str]] = {}
    for name, code in zip(known.township_name, known.township_code, strict=True):
        by_name.setdefault(name, []).append(code)
    by_code = set(known.township_code)
    codes, unknown, shared = [], [], []
    for name in names:
        name = identity.normalised_code(name) if identity.normalised_code(name) in by_code else name.strip()
        if name in by_code:
            codes.append(name)
        elif len(by_name.get(name, [])) == 1:
            codes.append(by_name[name][0])
        elif name in by_name:
            shared.append(name)
        else:
            unknown.append(name)
    if shared:
        raise FilterError(_shared_names(shared, by_name, as_of, data))
    late = _late_county(unknown, as_of, data, county) if unknown else None
    if late:
        raise FilterError(late)
    if unknown:
        listed = "、".join(list(dict.fromkeys(known.township_name))[:MAX_LISTED])
        more = f"…等 {known.township_name.nunique():,} 个" if known.township_name.nunique() > MAX_LISTED else ""
        raise FilterError(
            f"未知乡镇（街道）：{echoed_list(unknown)}。{as_of.isoformat()} 快照中的乡镇（街道）有：{listed}{more}"
            + _late_in_scope(as_of, data, county)
        )
    codes = sorted(set(codes))
    if len({code[:6] for code in codes}) > 1 and hierarchy.many_counties(data):
        counties = "、".join(hierarchy.name_of(c, as_of, data) for c in sorted({code[:6] for code in codes}))
        raise FilterError(f"所选乡镇（街道）属于不同的县（{counties}）：一次只能选一个县的乡镇（街道）；"
                          "几个县一起看，请用 --scope 指定它们所在的市")  # fmt: skip
    return codes


def _late_county(unknown: list[str], as_of: date, data: Path | None, county: str | None) -> str | None:
    """Why townships are not in the month when their county lacks it (a code's first 6 digits, or the county given):
    乡镇（街道）999902001 属于乙县，本县缺 2024-11-30 的数据（最新 2024-06-30）; None when no county of theirs does."""
    if not hierarchy.many_counties(data):
        return None
    codes = {identity.normalised_code(name) for name in unknown}
    counties = sorted({code[:6] for code in codes if len(code) == 9 and code.isdigit()} | ({county} - {None}))
    for code in (c for c in counties if len(c) == 6):
        status = hierarchy.counties_reporting(as_of, code, data)
        late = status[(status["county_code"] == code) & ~status["has_snapshot"]]
        if len(late):
            row = late.iloc[0]
            latest, city = row["latest_snapshot_date"], row["city_code"]
            since = f"最新 {pd.Timestamp(latest).date().isoformat()}" if pd.notna(latest) else "尚无任何一期"
            above = f"，或用 --scope {city} 看其所在的市" if isinstance(city, str) and city else ""
            return (f"乡镇（街道）{echoed_list(unknown)} 属于{row['county_name']}，本县缺 {as_of.isoformat()} 的数据"
                    f"（{since}）；请换一期该县已报送的快照{above}")  # fmt: skip
    return None


def _late_in_scope(as_of: date, data: Path | None, scope: str | None) -> str:
    """；2 个县缺该月数据（乙县：最新 2024-06-30；…），其乡镇（街道）不在该期 for a scope above the county (its late
    counties' townships may be the ones asked for); empty otherwise."""
    if scope is None or len(scope) >= 6 or not hierarchy.many_counties(data):
        return ""
    late = hierarchy.reporting(as_of, Places.within(scope), data).missing_names
    return f"；{len(late)} 个县缺该月数据（{'；'.join(late[:MAX_LISTED])}），其乡镇（街道）不在该期" if late else ""


def _shared_names(shared: list[str], by_name: dict[str, list[str]], as_of: date, data: Path | None) -> str:
    """Township names several counties share, each with its candidates: 甲县甲街道（999901001）、乙县甲街道（…）."""
    parts = []
    for name in shared:
        candidates = "、".join(f"{hierarchy.name_of(code[:6], as_of, data)}{name}（{code}）" for code in by_name[name])
        parts.append(f"“{name}”有 {len(by_name[name])} 个：{candidates}")
    return (f"乡镇（街道）名称不唯一：{'；'.join(parts)}。请写乡镇（街道）区划代码，"
            "或用 --scope 县代码 指定县（如 --scope 县级区划代码 --township 名称）")  # fmt: skip


def township_names(codes: Iterable[str], as_of: date, data: Path | None = None) -> list[str]:
    """Township names for division codes, in the order given (a code the snapshot lacks stays a code)."""
    known = townships(as_of, data)
    by_code = dict(zip(known.township_code, known.township_name, strict=True))
    return [by_code.get(code, code) for code in codes]


MAX_LISTED = 30  # divisions named in an error, then counted (a nation has 3,000)


def parse_scope(code: str, as_of: date, data: Path | None = None) -> str:
    """A division code a user gave (2, 4 or 6 digits) that the store knows; FilterError naming it otherwise."""
    code = identity.normalised_code(code)
    known = db.run("places/divisions_in_scope", data=data, snapshot_date=as_of, scope=None)
    above = known[known["division_level"] != "township"]
    if len(code) not in DIVISION_LENGTHS or code not in set(above["division_code"]):
        code = echoed(code)
        named = [f"{c} {n}" for c, n in zip(above["division_code"], above["division_name"], strict=True)]
        listed = "、".join(named[:MAX_LISTED]) + (f"…等 {len(named):,} 个" if len(named) > MAX_LISTED else "")
        levels = "省、市、县" if (above["division_level"] == "province").any() else "市、县"
        raise FilterError(f"未知区划代码：{code}。本数据目录中的{levels}有：{listed or '（无）'}")
    return code
