"""Reporting units and which rows of a month each one reports (its part).

A row's unit is decided by the contract's columns, in this order: a department reporting its whole table
(督导培训 by the county guidance centre), a post's sector (禁毒 posts by 公安), a purchase's buying department; then
the township of the row's township code; else the county office (`benji`), which also reports the plan's goals and
steps. So the units' parts never overlap and together hold every row: a month assembled from them is whole.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook, load_workbook

from socialwork.data.contract.enums import SECTOR
from socialwork.data.contract.reporting_tables import COUNTY_OFFICE, REPORTING_UNITS, SEPARATOR, UNIT_KIND
from socialwork.data.contract.tables import TABLES, TABLES_BY_NAME

COUNTY_OFFICE_NAME = "县民政局（本级）"
SHEET_NAME = "上报单位"
KINDS_TEXT = "、".join(UNIT_KIND.labels.values())


class UnitError(Exception):
    """A unit list that cannot be used, worded in Chinese and naming the row."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    sectors: tuple[str, ...] = ()
    purchase_departments: tuple[str, ...] = ()
    whole_tables: tuple[str, ...] = ()
    sort_order: int = 0

    @property
    def kind_label(self) -> str:
        return UNIT_KIND.label_of(self.kind)

    def row(self) -> dict[str, object]:
        """As the server database keeps it (reporting_units)."""
        joined = {
            k: SEPARATOR.join(getattr(self, k)) or None for k in ("sectors", "purchase_departments", "whole_tables")
        }
        return {
            "unit_code": self.code,
            "unit_name": self.name,
            "unit_kind": self.kind,
            **joined,
            "sort_order": self.sort_order,
        }

    @classmethod
    def from_row(cls, row) -> Unit:
        def split(text: object) -> tuple[str, ...]:
            return tuple(p.strip() for p in str(text or "").replace(",", SEPARATOR).split(SEPARATOR) if p.strip())

        return cls(
            row["unit_code"],
            row["unit_name"],
            row["unit_kind"],
            split(row["sectors"]),
            split(row["purchase_departments"]),
            split(row["whole_tables"]),
            int(row["sort_order"] or 0),
        )


# The departments the plan names (有关部门各司其职), with the key sectors whose posts each develops and the name it
# buys services under; the county edits the list (units sheet or `units --from`) to its own departments.
DEFAULT_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("gongan", "县公安局", ("drug_control",), ()),
    ("sifa", "县司法局", ("community_correction",), ()),
    ("xinfang", "县信访局", ("petition",), ()),
    ("tuiyijunren", "县退役军人事务局", ("veterans",), ()),
    ("yingji", "县应急管理局", ("emergency",), ()),
    ("weijian", "县卫健局", ("medical",), ()),
    ("jiaoyu", "县教育局", ("school",), ()),
    ("gonghui", "县总工会", ("trade_union",), ()),
    ("tuanwei", "团县委", ("youth",), ()),
    ("fulian", "县妇联", ("women",), ()),
    ("canlian", "县残联", ("disability",), ()),
)
GUIDANCE_CENTRE = ("zhidao", "县社会工作指导中心", ("activities",))


def default_units(townships: pd.DataFrame) -> list[Unit]:
    """Every township of the month (in code order), the plan's departments and the county office."""
    units = [
        Unit(str(code), str(name), "township", sort_order=i)
        for i, (code, name) in enumerate(
            townships.sort_values("township_code")[["township_code", "township_name"]].itertuples(index=False), start=1
        )
    ]
    order = len(units)
    for code, name, sectors, _ in DEFAULT_DEPARTMENTS:
        order += 1
        units.append(Unit(code, name, "department", sectors, (name,), (), order))
    code, name, tables = GUIDANCE_CENTRE
    units.append(Unit(code, name, "department", whole_tables=tables, sort_order=order + 1))
    units.append(Unit(COUNTY_OFFICE, COUNTY_OFFICE_NAME, "county_office", sort_order=order + 2))
    return units


def checked_units(
    units: Iterable[Unit], township_codes: set[str] | None = None, county_codes: set[str] | None = None
) -> list[Unit]:
    """The units, or UnitError naming each problem: codes unique, sectors/tables known, no sector or table claimed
    twice, exactly one county office, and (given the month's townships) township units that exist. In a city's store
    (`county_codes`: the counties of its divisions table) the units are its counties, each reporting its whole month:
    county units only, each a county of the table, and no county office."""
    units = list(units)
    if county_codes is not None:
        return _checked_counties(units, county_codes)
    problems: list[str] = []
    seen: dict[str, str] = {}
    claims: dict[tuple[str, str], str] = {}
    for unit in units:
        where = f"单位“{unit.name}”（{unit.code}）"
        if unit.code in seen:
            problems.append(f"{where}：单位代码与“{seen[unit.code]}”重复")
        seen[unit.code] = unit.name
        if unit.kind not in UNIT_KIND.codes:
            problems.append(f"{where}：单位类型“{unit.kind}”应为 {'、'.join(UNIT_KIND.labels.values())} 之一")
        for sector in unit.sectors:
            if sector not in SECTOR.codes:
                problems.append(f"{where}：岗位领域“{sector}”不存在（可选：{'、'.join(SECTOR.codes)}）")
        for table in unit.whole_tables:
            if table not in TABLES_BY_NAME:
                problems.append(f"{where}：数据表“{table}”不存在（可选：{'、'.join(t.name for t in TABLES)}）")
        for kind, values in (
            ("岗位领域", unit.sectors),
            ("购买部门", unit.purchase_departments),
            ("整表", unit.whole_tables),
        ):
            for value in values:
                other = claims.setdefault((kind, value), unit.name)
                if other != unit.name:
                    problems.append(f"{where}：{kind}“{value}”已由“{other}”负责")
        if township_codes is not None and unit.kind == "township" and unit.code not in township_codes:
            problems.append(f"{where}：本县最近一期数据中没有此乡镇代码")
    offices = [u for u in units if u.kind == "county_office"]
    if len(offices) != 1:
        problems.append(f"应有且只有一个县本级单位（类型“县本级”，负责其余各表数据），现有 {len(offices)} 个")
    if problems:
        raise UnitError("上报单位设置有误：\n" + "\n".join(problems))
    return sorted(units, key=lambda u: (u.sort_order, u.code))


def _checked_counties(units: list[Unit], county_codes: set[str]) -> list[Unit]:
    problems, seen = [], set()
    for unit in units:
        where = f"单位“{unit.name}”（{unit.code}）"
        if unit.code in seen:
            problems.append(f"{where}：单位代码重复")
        seen.add(unit.code)
        if unit.kind != "county":
            problems.append(f"{where}：多县数据目录的上报单位是各县（类型“{UNIT_KIND.label_of('county')}”）")
        elif unit.code not in county_codes:
            problems.append(f"{where}：行政区划表中没有此县级区划代码")
    if problems:
        raise UnitError("上报单位设置有误：\n" + "\n".join(problems))
    return sorted(units, key=lambda u: (u.sort_order, u.code))


# Frames of a round's base month, typed once and never changed (rounds._base_month): every check, change and
# publication of the round reads them, so their owners are worked out once per unit list, not once per part.
_BASE_FRAMES: dict[int, weakref.ref] = {}
_BASE_OWNERS: dict[tuple, pd.Series] = {}


def remember_base(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark a frame as a base month's: typed and read-only from now on."""
    key = id(frame)
    _BASE_FRAMES[key] = weakref.ref(frame, lambda _ref: _forget(key))
    return frame


def _forget(key: int) -> None:
    _BASE_FRAMES.pop(key, None)
    for cached in [k for k in _BASE_OWNERS if k[0] == key]:
        del _BASE_OWNERS[cached]


def is_base(frame: pd.DataFrame) -> bool:
    ref = _BASE_FRAMES.get(id(frame))
    return ref is not None and ref() is frame


def owners(table_name: str, frame: pd.DataFrame, units: Iterable[Unit]) -> pd.Series:
    """The code of the unit that reports each row of one table of a month (see the module's docstring). Claims never
    overlap (checked_units), so each kind of claim is one lookup per row."""
    units = list(units)
    if is_base(frame):
        key = (id(frame), table_name, tuple(units))
        if key not in _BASE_OWNERS:
            _BASE_OWNERS[key] = _owners(table_name, frame, units)
        return _BASE_OWNERS[key]
    return _owners(table_name, frame, units)


def _owners(table_name: str, frame: pd.DataFrame, units: list[Unit]) -> pd.Series:
    office = next(u.code for u in units if u.kind == "county_office")
    whole = next((u.code for u in units if table_name in u.whole_tables), None)
    if whole is not None:
        return pd.Series(whole, index=frame.index, dtype=object)
    claimed = pd.Series(None, index=frame.index, dtype=object)
    if table_name == "posts":
        claimed = frame["sector"].map({s: u.code for u in units for s in u.sectors}).astype(object)
    elif table_name == "purchases":
        claimed = frame["department"].map({d: u.code for u in units for d in u.purchase_departments}).astype(object)
    if "township_code" in frame.columns:
        townships = {u.code: u.code for u in units if u.kind == "township"}
        claimed = claimed.where(claimed.notna(), frame["township_code"].map(townships).astype(object))
    return claimed.where(claimed.notna(), office)


def part_of(frames: dict[str, pd.DataFrame], unit_code: str, units: Iterable[Unit]) -> dict[str, pd.DataFrame]:
    """One unit's rows of every table of a month (empty tables where it reports none)."""
    units = list(units)
    return {
        name: frame[owners(name, frame, units) == unit_code].reset_index(drop=True) for name, frame in frames.items()
    }


# ---------------------------------------------------------------- the units sheet (XLSX), read and written

_SHEET_COLUMNS = [column for column in REPORTING_UNITS.columns]


def units_sheet_bytes(units: Iterable[Unit]) -> bytes:
    """The units as an XLSX sheet the county edits and loads back (`units --from`); text only, never a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    sheet.append([f"{c.label}" for c in _SHEET_COLUMNS])
    for unit in units:
        row = unit.row()
        row["unit_kind"] = UNIT_KIND.label_of(unit.kind)
        sheet.append([_text(row[c.name]) for c in _SHEET_COLUMNS])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # a value starting with "=" stays text
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: object) -> object:
    return "" if value is None else value


def read_units_sheet(content: bytes, name: str = "上报单位表") -> list[Unit]:
    """Units from an XLSX sheet: the header row (单位代码, 单位名称, 单位类型, …) may follow title rows; a kind is
    given by its Chinese label or code. UnitError names the row of each problem."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a file that is not XLSX
        raise UnitError(f"{name} 无法打开：不是有效的 XLSX 文件（{type(err).__name__}）") from err
    sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
    rows = [[_clean(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    labels = {c.label: c.name for c in _SHEET_COLUMNS} | {c.name: c.name for c in _SHEET_COLUMNS}
    header_at = next((i for i, row in enumerate(rows) if "单位代码" in row or "unit_code" in row), None)
    if header_at is None:
        raise UnitError(f"{name} 工作表“{sheet.title}”：找不到表头行（应有“单位代码”“单位名称”“单位类型”列）")
    header = [labels.get(v) for v in rows[header_at]]
    missing = [c.label for c in _SHEET_COLUMNS[:3] if c.name not in header]
    if missing:
        raise UnitError(f"{name} 工作表“{sheet.title}”第{header_at + 1}行：缺少列 {'、'.join(missing)}")
    kinds = {label: code for code, label in UNIT_KIND.labels.items()} | {code: code for code in UNIT_KIND.codes}
    units, problems = [], []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values = {key: row[i] if i < len(row) else None for i, key in enumerate(header) if key}
        if not any(values.values()):
            continue
        if not values.get("unit_code") or not values.get("unit_name"):
            problems.append(f"第{number}行：单位代码和单位名称不能为空")
            continue
        kind = kinds.get(str(values.get("unit_kind") or ""))
        if kind is None:
            problems.append(f"第{number}行：单位类型“{values.get('unit_kind') or ''}”应为 {KINDS_TEXT} 之一")
            continue
        values["unit_kind"] = kind
        values["unit_code"] = _code_text(values["unit_code"])
        values["sort_order"] = values.get("sort_order") or number
        try:
            units.append(Unit.from_row({c.name: values.get(c.name) for c in _SHEET_COLUMNS}))
        except ValueError:
            problems.append(f"第{number}行：排序“{values.get('sort_order')}”应为整数")
    if problems:
        raise UnitError(f"{name} 工作表“{sheet.title}”：\n" + "\n".join(problems))
    return units


def _code_text(value: object) -> str:
    """A code as text: a township's 9 digits typed as a number come back as 530524001, not 530524001.0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.replace("\u3000", " ").strip()
        return value or None
    return value
