"""The store's identity: which county it belongs to, the plan's title and the local talent card's name.

Kept in `<data dir>/county.json` (schema: contract.COUNTY), beside the snapshots, so that `init` can give an
empty store its county before the first month is imported. Read on every page run (a small file); its mtime is
part of the store's version.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

from socialwork.data.contract.county_files import COUNTY, COUNTY_FILE, DEFAULT_PLAN_TITLE
from socialwork.data.contract.plan_figures import METRIC, METRIC_LOCAL_LABELS
from socialwork.data.storage import divisions, objectstore
from socialwork.data.storage.layout import StoreError, announce_write, county_store, is_multi_county
from socialwork.data.storage.location import Bucket, Location

COUNTY_SUFFIXES = ("自治县", "自治旗", "县", "市", "区", "旗")
FALLBACK_NAME = "本县"  # a store written before county.json existed


@dataclass(frozen=True)
class County:
    """One store's county (the fields of contract.COUNTY)."""

    county_name: str
    county_code: str
    plan_title: str
    talent_card: str
    issuer: str

    @property
    def title(self) -> str:
        """The plan's work with the county's name, e.g. 云溪县社会工作人才支持专项工作."""
        return f"{self.county_name}{self.plan_title}"

    @property
    def app_title(self) -> str:
        """The browser tab's title, e.g. 云溪县社会工作人才看板."""
        return f"{self.county_name}社会工作人才看板"

    def metric_label(self, key: str) -> str:
        """A metric's label as shown, with the local talent card's name where the label has one."""
        local = METRIC_LOCAL_LABELS.get(key)
        return local.format(talent_card=self.talent_card) if local else METRIC.label_of(key)


def short_name(county_name: str) -> str:
    """云溪县 -> 云溪; a two-character name keeps its suffix (e.g. 沛县)."""
    for suffix in COUNTY_SUFFIXES:
        if county_name.endswith(suffix) and len(county_name) - len(suffix) >= 2:
            return county_name.removesuffix(suffix)
    return county_name


def new_county(
    county_name: str, county_code: str, plan_title: str | None = None, talent_card: str | None = None,
    issuer: str | None = None,
) -> County:  # fmt: skip
    """An identity with the documented defaults for what is not given; raises StoreError when a field is invalid."""
    county_name = county_name.strip()
    county = County(
        county_name=county_name,
        county_code=normalised_code(county_code),
        plan_title=(plan_title or DEFAULT_PLAN_TITLE).strip(),
        talent_card=(talent_card or f"{short_name(county_name)}英才卡").strip(),
        issuer=(issuer or f"{county_name}民政局").strip(),
    )
    problems = check(asdict(county))
    if problems:
        raise StoreError("县域信息有误：" + "；".join(problems))
    return county


def normalised_code(text: str) -> str:
    """A division code as typed, compared and stored: NFKC (full-width ９９９９０１ -> 999901), no spaces around it;
    whether it is then ASCII digits of the right length is for the caller's pattern to say."""
    return unicodedata.normalize("NFKC", text).strip()


FALLBACK = County(FALLBACK_NAME, "", DEFAULT_PLAN_TITLE, "人才卡", "")


def check(values: dict) -> list[str]:
    """Every problem with an identity's fields, in Chinese (empty when valid)."""
    problems = []
    names = {f.name for f in fields(County)}
    unknown = sorted(set(values) - names)
    if unknown:
        problems.append(f"不认识的字段：{'、'.join(unknown)}")
    for column in COUNTY.columns:
        value = values.get(column.name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{column.label}（{column.name}）不能为空")
        elif column.pattern and not re.fullmatch(column.pattern, value):
            problems.append(f"{column.label}（{column.name}）“{value}”{_rule(column.name)}")
    return problems


def _rule(name: str) -> str:
    if name == "county_code":
        return "应为 6 位数字的县级区划代码"
    return "长度不合适，或含有空格、引号、斜杠等不能用于标题和文件名的字符"


def identity_path(root: Location) -> Path:
    """county.json of a folder store; of a bucket store, this server's copy of it as the bucket holds it now."""
    if isinstance(root, Bucket):
        return objectstore.county_path(root)
    return root / COUNTY_FILE


def has_identity(root: Location) -> bool:
    return identity_path(root).is_file()


def load(root: Location) -> County:
    """The store's county; a missing or invalid county.json is a StoreError naming how to fix it."""
    path = identity_path(root)
    if not path.is_file():
        raise StoreError(missing_message(root))
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:  # a file edited by hand: say where, and how to repair it
        raise StoreError(f"县域信息文件 {path} {_damage(err)}；请改正该处，或重写该文件：{_repair(root)}") from err
    except (OSError, UnicodeDecodeError) as err:
        raise StoreError(
            f"县域信息文件 {path} 无法读取（{type(err).__name__}）；请重写该文件：{_repair(root)}"
        ) from err
    if not isinstance(values, dict):
        raise StoreError(f"县域信息文件 {path} 格式错误：应为一个 JSON 对象；请重写该文件：{_repair(root)}")
    problems = check(values)
    if problems:
        raise StoreError(f"县域信息文件 {path} 有误：{'；'.join(problems)}；请改正，或重写该文件：{_repair(root)}")
    return County(**{f.name: values[f.name].strip() for f in fields(County)})


def load_or_fallback(root: Location) -> tuple[County, str | None]:
    """The store's county, or (FALLBACK, a warning naming `init`) for a store written before county.json; for a
    store of many counties, its top division (a city, a province) in the county's place."""
    if is_multi_county(root):
        return division_identity(root), None
    if not has_identity(root):
        return FALLBACK, (
            f"数据目录 {root} 中没有县域信息文件 {COUNTY_FILE}（可能由旧版本写入），"
            f"标题中暂以“{FALLBACK_NAME}”代替县名。请运行 python -m socialwork init --data {root} "
            "--county 县名 --code 县级区划代码（已有快照不受影响）。"
        )
    return load(root), None


NATION = County("全国", "", DEFAULT_PLAN_TITLE, "人才卡", "民政部")  # a store of several provinces


# root: (divisions file version, county)
_division_identities: dict[Location, tuple[tuple[int, ...] | None, County]] = {}


def division_identity(root: Location) -> County:
    """A store of many counties titled by its top division: 云岭市社会工作人才看板, documents from 云岭市民政局; a store
    of several provinces by the nation (全国, from 民政部: no one province names it). Kept while the divisions file
    stays the same: every page run asks."""
    version = divisions.file_version(root)
    seen = _division_identities.get(root)
    if seen is not None and version is not None and seen[0] == version:
        return seen[1]
    county = _top_division(root)
    _division_identities[root] = (version, county)
    return county


def _top_division(root: Location) -> County:
    tops = divisions.tops(divisions.read(root))
    if len(tops) > 1 and (tops["division_level"] == "province").all():
        return NATION
    top = tops.iloc[0]
    name = str(top["division_name"])
    return County(name, str(top["division_code"]), DEFAULT_PLAN_TITLE, f"{short_name(name)}英才卡", f"{name}民政局")


def county_identity(root: Location, county_code: str) -> County:
    """A county's identity in a store of many counties: its own county.json, else made from its divisions row (and
    written, so its store is complete before its first import; in a bucket, under the county's prefix)."""
    folder = county_store(root, county_code)
    if has_identity(folder):
        return load(folder)
    known = divisions.read(root)
    row = known[(known["division_code"] == county_code) & (known["division_level"] == "county")]
    if row.empty:
        raise StoreError(f"区划表中没有县级区划代码 {county_code}；请先在 {root} 的行政区划表中加入该县")
    county = new_county(str(row["division_name"].iloc[0]), county_code)
    write(folder, county)
    return county


def missing_message(root: Location) -> str:
    return f"数据目录 {root} 尚未初始化（没有县域信息文件 {COUNTY_FILE}）；{_fix(root)}"


def _fix(root: Location) -> str:
    return f"请运行 python -m socialwork init --data {root} --county 县名 --code 县级区划代码"


def _damage(err: json.JSONDecodeError) -> str:
    """Where a hand-edited JSON file is damaged, in Chinese: a comma before a closing brace named at the comma."""
    before = err.doc[: err.pos].rstrip()
    if before.endswith(",") and err.doc[err.pos : err.pos + 1] in ("}", "]"):
        line, column = before.count("\n") + 1, len(before) - 1 - before.rfind("\n")
        return f"第 {line} 行第 {column} 列有多余的逗号（最后一项后面不能有逗号）"
    return f"第 {err.lineno} 行第 {err.colno} 列格式错误（JSON：{err.msg}；常见原因是多余的逗号、缺少引号或括号）"


def _repair(root: Location) -> str:
    """The command that rewrites a damaged county.json (the old file kept under .replaced/)."""
    return (f"python -m socialwork init --data {root} --county 县名 --code 县级区划代码 --replace"
            "（原文件保留在 .replaced/ 下；快照不受影响）")  # fmt: skip


def write(root: Location, county: County, replace: bool = False) -> Path:
    """Write county.json atomically (a temporary file renamed into place, or one object); an existing one needs
    replace=True and is kept under .replaced/, as a replaced snapshot is."""
    path = identity_path(root)
    if path.exists() and not replace:
        raise StoreError(f"数据目录 {root} 已初始化为“{load(root).county_name}”；如需修改县域信息，请加 --replace")
    if isinstance(root, Path) and path.exists():  # kept as it was, even damaged, before it is replaced
        keep = root / ".replaced"
        keep.mkdir(exist_ok=True)
        shutil.copy2(path, keep / f"{COUNTY_FILE}@{datetime.now().strftime('%Y%m%dT%H%M%S%f')}")
    problems = check(asdict(county))
    if problems:
        raise StoreError("县域信息有误：" + "；".join(problems))
    text = json.dumps(asdict(county), ensure_ascii=False, indent=2) + "\n"
    if isinstance(root, Bucket):
        objectstore.write_county(root, text, replace=path.exists())
        announce_write(root)
        return identity_path(root)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{COUNTY_FILE}.{uuid.uuid4().hex}"
    try:
        staging.write_text(text, encoding="utf-8")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    announce_write(root)
    return path
