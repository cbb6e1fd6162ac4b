"""An import checked against its as-of date and the store: a future date, a month the title or file name
contradicts, data that ended long ago, last month's file again, another county's codes, the plan carried
forward from the previous snapshot.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from socialwork.data.contract.plan_figures import METRIC, METRIC_LOCAL_LABELS
from socialwork.data.contract.spellings import OLD_METRIC_LABELS
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME
from socialwork.data.importing.cells import Local, normalised
from socialwork.data.importing.sheets import RawTable
from socialwork.data.storage import divisions, identity, layout, store
from socialwork.data.storage.location import Location

STALE_DAYS = 92  # newest date in the data this long before the as-of date: the date was probably mistyped


def as_of_problems(as_of: date, tables: dict[str, RawTable], frames: dict[str, pd.DataFrame],
                   today: date | None = None) -> list[str]:  # fmt: skip
    """A future date, or a month other than the one a title row or the file name names."""
    today = today or date.today()
    if as_of > today:
        return [f"数据日期 {as_of.isoformat()} 晚于今天（{today.isoformat()}）：不能导入未来日期的快照；请核对数据日期"]
    problems = []
    for raw in tables.values():
        months = set(raw.title_months)
        if months and (as_of.year, as_of.month) not in months:
            named = "、".join(f"{y}年{m}月" for y, m in sorted(months))
            problems.append(f"“{raw.sheet}”的标题或文件名写的是 {named}，与数据日期 {as_of.isoformat()} 不符；"
                            "请核对数据日期或文件")  # fmt: skip
    return sorted(set(problems), key=problems.index)


def stale_data_warning(as_of: date, frames: dict[str, pd.DataFrame]) -> list[str]:
    """A warning when the newest date the records carry lies long before the as-of date (a mistyped date?).

    Only a warning: a small county may go months without a new person, post or activity.
    """
    newest = _newest_date(frames)
    if newest is None or (as_of - newest[0]).days <= STALE_DAYS:
        return []
    return [f"数据中最近的日期是 {newest[0].isoformat()}（“{newest[1]}”），比数据日期 {as_of.isoformat()} "
            f"早 {(as_of - newest[0]).days} 天；请核对数据日期是否选错"]  # fmt: skip


def _newest_date(frames: dict[str, pd.DataFrame]) -> tuple[date, str] | None:
    """The latest date the records themselves carry (joined, certified, held, set up), and its column."""
    newest = None
    for table in TABLES:
        for column in table.columns:
            if column.past and table.name in frames and frames[table.name][column.name].notna().any():
                latest = max(v for v in frames[table.name][column.name] if isinstance(v, date))
                if newest is None or latest > newest[0]:
                    newest = (latest, f"{table.label}·{column.label}")
    return newest


def same_as_previous(frames: dict[str, pd.DataFrame], before: dict[str, pd.DataFrame], previous: date) -> list[str]:
    """A notice when every register equals the previous snapshot's: last month's file chosen again?"""
    registers = [t for t in TABLES if not t.carried_forward]
    if all(store.to_arrow(t, frames[t.name]).equals(store.to_arrow(t, before[t.name])) for t in registers):
        return [f"各数据表与 {previous.isoformat()} 快照完全相同：请确认没有重复导入上一期的文件"]
    return []


def carried_forward(
    tables: dict[str, RawTable], as_of: date, data: Location, existing: list[date]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables the file leaves out that the contract lets it (the plan), from the latest earlier snapshot."""
    earlier = max((d for d in existing if d < as_of), default=None)
    carried, notes = {}, []
    for table in TABLES:
        if not table.carried_forward or table.name in tables:
            continue
        if earlier is not None:
            carried[table.name] = store.read_table(data, earlier, table)
            notes.append(f"文件中没有“{table.label}”：沿用 {earlier.isoformat()} 快照中的{table.label}"
                         f"（{len(carried[table.name])} 行）")  # fmt: skip
        elif not table.required_rows:
            carried[table.name] = pd.DataFrame(columns=list(table.column_names))
            notes.append(f"文件中没有“{table.label}”，也没有更早的快照可沿用：本期{table.label}为空")
    return carried, notes


def foreign_township_codes(townships: pd.DataFrame, county: identity.County) -> list[str]:
    """A notice when township codes do not begin with the county's code (another county's file?)."""
    foreign = sorted(c for c in townships["township_code"].dropna() if not str(c).startswith(county.county_code))
    if not foreign:
        return []
    return [f"{len(foreign)} 个乡镇（街道）的区划代码不以{county.county_name}的县级区划代码 {county.county_code} 开头"
            f"（如 {foreign[0]}）；请确认导入的是本县数据"]  # fmt: skip


def many_counties_root(data: Location) -> Location | None:
    """The store of many counties a county's store lies in (import --county), or None for a county's own store."""
    return layout.many_counties_of(data)


def townships_of_another_county(townships: pd.DataFrame, county: identity.County, root: Location) -> list[str]:
    """In a store of many counties a township belongs to the county its code begins with: a township whose code does
    not begin with this county's would be counted there, or nowhere. Refused, naming the county it belongs to."""
    codes = [str(c) for c in townships["township_code"].dropna()]
    foreign = sorted(c for c in codes if not c.startswith(county.county_code))
    if not foreign:
        return []
    known = divisions.read(root)
    names = dict(zip(known["division_code"], known["division_name"], strict=True))
    owners = sorted({c[:6] for c in foreign})
    named = "、".join(f"{names.get(code, '区划表中没有的县')}（{code}）" for code in owners[:5])
    shown = "、".join(foreign[:5]) + (f" 等 {len(foreign)} 个" if len(foreign) > 5 else "")
    whole = "全部" if len(foreign) == len(codes) else f"{len(foreign)} 个"
    return [f"文件中{whole}乡镇（街道）的区划代码（{shown}）不以{county.county_name}的县级区划代码 "
            f"{county.county_code} 开头，属于{named}：不能导入{county.county_name}（--county {county.county_code}）；"
            "请确认选择的县和文件"]  # fmt: skip


def local_spellings(county: identity.County) -> tuple[Local, dict[str, dict[str, str]]]:
    """Metric labels as this store shows them (本年发放“云溪英才卡”), accepted as written (also without the quotes or
    with straight ones), and the labels of earlier versions (OLD_METRIC_LABELS); and the labels to show, by code."""
    shown = {key: county.metric_label(key) for key in METRIC_LOCAL_LABELS}
    local = dict(OLD_METRIC_LABELS)
    for key, label in shown.items():
        for spelling in (label, label.replace("“", "").replace("”", ""), label.replace("“", '"').replace("”", '"')):
            local[spelling] = key
    return {METRIC.name: local}, {METRIC.name: shown}


def old_label_notes(tables: dict[str, RawTable], county: identity.County) -> list[str]:
    """A note for each old metric label a sheet still uses, naming its rows and the label it was read as."""
    old = {normalised(label): key for label, key in OLD_METRIC_LABELS.items()}
    own = {normalised(county.metric_label(key)) for key in METRIC_LOCAL_LABELS}
    notes = []
    for raw in tables.values():
        for column in TABLES_BY_NAME[raw.name].columns:
            if column.enum is not METRIC or column.name not in raw.columns:
                continue
            found: dict[str, list[int]] = {}
            for cells, row in zip(raw.rows, raw.row_numbers, strict=True):
                value = cells[raw.columns[column.name]]
                key = normalised(value) if isinstance(value, str) else ""
                if key in old and key not in own:
                    found.setdefault(value.strip(), []).append(row)
            for label, rows in found.items():
                now = county.metric_label(old[normalised(label)])
                listed = "、".join(map(str, rows[:10]))
                notes.append(f"{raw.place}第{listed}行：{column.label}“{label}”是旧版本（演示数据）的写法，"
                             f"已按本县看板显示的“{now}”导入；以后请写“{now}”")  # fmt: skip
    return notes
