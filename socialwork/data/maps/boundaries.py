"""Township boundaries: a county's GeoJSON checked, simplified for the browser and kept beside county.json.

`python -m socialwork init --boundaries FILE` or `python -m socialwork boundaries FILE` reads a FeatureCollection
with one feature per township (Polygon or MultiPolygon; Points give only each township's centroid, for the tile
map), the township's 9-digit code in one of CODE_PROPERTIES. Everything is checked before anything is written: the
file's size before it is parsed, every feature's code (known, of this county, once), every ring closed and simple,
and, when the store holds a snapshot, every township of its latest one present. The outlines are simplified
(Douglas–Peucker) until the file fits SIZE_BUDGET and written atomically; a failed check leaves the file there was.
"""

from __future__ import annotations

import json
import math
import os
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from socialwork.data.contract.county_files import BOUNDARIES_FILE
from socialwork.data.contract.tables import TOWNSHIPS
from socialwork.data.maps import geometry
from socialwork.data.storage import objectstore
from socialwork.data.storage.layout import StoreError, announce_write
from socialwork.data.storage.location import Bucket, Location
from socialwork.data.storage.store import read_table, snapshot_dates

MAX_BYTES = 20 * 1024 * 1024  # a county's townships at survey precision are a few MB; more is the wrong file
SIZE_BUDGET = 300 * 1024  # what the browser receives with the page
# Property names that carry a township's code in files people have: ours, the statistics bureau's, Amap's/DataV's.
CODE_PROPERTIES = ("township_code", "code", "adcode", "XZQDM", "xzqdm", "XZDM", "gb", "乡镇代码", "区划代码", "id")
CRS_NAMES = {"wgs84": "WGS84（GPS、天地图）", "gcj02": "GCJ-02（高德、腾讯地图）"}
MAX_PROBLEMS = 20


class BoundaryError(StoreError):
    """Every problem found in a boundaries file, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = f"；另有 {len(problems) - MAX_PROBLEMS} 个问题" if len(problems) > MAX_PROBLEMS else ""
        super().__init__("乡镇边界文件未通过检查，原有边界未改动：" + "；".join(shown) + more)


def read_file(path: Path, limit: int = MAX_BYTES) -> dict:
    """The parsed GeoJSON; a file over the limit is refused before a byte of it is parsed."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise BoundaryError([f"无法读取文件 {path}（{err.strerror or err}）"]) from err
    if size > limit:
        raise BoundaryError([f"文件 {path.name} 有 {size / 1024 / 1024:.1f} MB，超过上限 {limit / 1024 / 1024:.0f} MB："
                             "请只保留本县各乡镇（街道）的边界，或先在 GIS 软件中简化"])  # fmt: skip
    try:
        collection = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as err:
        raise BoundaryError([f"文件 {path.name} 不是 UTF-8 编码的文本（第 {err.start} 字节）"]) from err
    except json.JSONDecodeError as err:
        raise BoundaryError(
            [f"文件 {path.name} 不是有效的 JSON：第 {err.lineno} 行第 {err.colno} 列（{err.msg}）"]
        ) from err
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BoundaryError([f"文件 {path.name} 应为 GeoJSON 的 FeatureCollection（每个乡镇一个要素）"])
    if not isinstance(collection.get("features"), list) or not collection["features"]:
        raise BoundaryError([f"文件 {path.name} 中没有任何要素（features）"])
    return collection


def _code_of(feature: dict) -> tuple[str | None, str | None]:
    """(the township code, the property it came from); a 12-digit code ending in 000 is its township's 9 digits."""
    properties = feature.get("properties") or {}
    candidates = [(name, properties.get(name)) for name in CODE_PROPERTIES] + [("id", feature.get("id"))]
    for name, value in candidates:
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if re.fullmatch(r"\d{12}", text) and text.endswith("000"):
            text = text[:9]
        if re.fullmatch(r"\d{9}", text):
            return text, name
    return None, None


def _rings(geometry_: dict) -> list[geometry.Polygon] | None:
    """The polygons of a Polygon or MultiPolygon, consecutive repeated points dropped; None for another type."""
    kind, coordinates = geometry_.get("type"), geometry_.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        return None
    out = []
    for polygon in polygons if isinstance(polygons, list) else []:
        rings = []
        for ring in polygon if isinstance(polygon, list) else []:
            if not isinstance(ring, list) or not all(isinstance(p, list) for p in ring):
                rings.append(ring if isinstance(ring, list) else [ring])  # _point_problems names it
                continue
            rings.append([list(p[:2]) for i, p in enumerate(ring) if i == 0 or p[:2] != ring[i - 1][:2]])
        out.append(rings)
    return out


def _point_problems(ring: list, where: str) -> list[str]:
    for point in ring:
        if not (isinstance(point, list) and len(point) >= 2 and all(isinstance(v, int | float) for v in point[:2])):
            return [f"{where}含有不是 [经度, 纬度] 的坐标：{json.dumps(point, ensure_ascii=False)[:40]}"]
        lon, lat = point[:2]
        if not (math.isfinite(lon) and math.isfinite(lat) and 73 <= lon <= 136 and 3 <= lat <= 54):
            return [f"{where}的坐标 [{lon}, {lat}] 不在中国境内的经纬度范围（应为经纬度，不是投影坐标）"]
    return []


def _ring_problems(ring: geometry.Ring, where: str) -> list[str]:
    problems = _point_problems(ring, where)
    if problems:
        return problems
    if not geometry.is_closed(ring):
        return [f"{where}没有闭合（首尾坐标不同）"]
    if len(ring) < 4:
        return [f"{where}少于 3 个不同的点"]
    crossed = geometry.crossing(ring)
    if crossed is not None:
        return [f"{where}自相交（第 {crossed + 1} 条边与另一条边相交）"]
    return []


def check(collection: dict, county_code: str, township_codes: dict[str, str] | None) -> dict[str, dict]:
    """code -> {"name", "polygons" or "point"} for every feature; BoundaryError with every problem otherwise.
    township_codes (code -> name, from the latest snapshot) may be None before the first import."""
    problems, shapes = [], {}
    kinds = set()
    for index, feature in enumerate(collection["features"], start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            problems.append(f"第 {index} 个要素没有几何图形（geometry）")
            continue
        code, _ = _code_of(feature)
        if code is None:
            names = "、".join(CODE_PROPERTIES)
            problems.append(f"第 {index} 个要素没有 9 位乡镇代码（属性名可为 {names}，或要素的 id）")
            continue
        where = f"第 {index} 个要素（乡镇代码 {code}）"
        if not code.startswith(county_code):
            problems.append(f"{where}不属于本县（区划代码 {county_code}）")
            continue
        if township_codes is not None and code not in township_codes:
            problems.append(f"{where}不是本县最新一期数据中的乡镇（街道）")
            continue
        if code in shapes:
            problems.append(f"{where}重复：每个乡镇只能有一个要素（多块飞地请用 MultiPolygon）")
            continue
        name = (township_codes or {}).get(code) or str((feature.get("properties") or {}).get("name") or code)
        geom = feature["geometry"]
        if geom.get("type") == "Point":
            point_problems = _point_problems([geom.get("coordinates")], where)
            problems += point_problems
            kinds.add("point")
            if not point_problems:
                shapes[code] = {"name": name, "point": list(geom["coordinates"][:2])}
            continue
        polygons = _rings(geom)
        if polygons is None or not polygons:
            problems.append(
                f"{where}的几何类型为 {geom.get('type')}，应为 Polygon 或 MultiPolygon（或只给中心点的 Point）"
            )
            continue
        kinds.add("polygon")
        found = []
        for p, polygon in enumerate(polygons, start=1):
            for r, ring in enumerate(polygon, start=1):
                part = f"第 {p} 块" if len(polygons) > 1 else ""
                kind = "外边界" if r == 1 else f"第 {r - 1} 个内洞"
                found += _ring_problems(ring, f"{where}{part}{kind}")
        problems += found
        shapes[code] = {"name": name, "polygons": polygons}
    if len(kinds) > 1:
        problems.append("文件中既有多边形又有点：边界文件的要素应全部为多边形，中心点文件应全部为点")
    if township_codes is not None:
        missing = [f"{name}（{code}）" for code, name in township_codes.items() if code not in shapes]
        if missing:
            problems.append(f"缺少 {len(missing)} 个乡镇（街道）的要素：{'、'.join(missing)}")
    if problems:
        raise BoundaryError(problems)
    return shapes


def simplified(shapes: dict[str, dict], budget: int = SIZE_BUDGET) -> dict:
    """The FeatureCollection to store: ids are township codes, outlines simplified with a growing tolerance until
    the text fits the budget; a ring that a tolerance would make cross itself keeps its last simple form."""
    tolerance, text, collection = 0.0, "", {}
    polygons = [s["polygons"] for s in shapes.values() if "polygons" in s]
    span = 0.0
    if polygons:
        x0, y0, x1, y1 = geometry.bounds([p for many in polygons for p in many])
        span = max(x1 - x0, y1 - y0)
    current = {code: s.get("polygons") for code, s in shapes.items()}
    for step in range(12):
        if step:
            tolerance = span * 0.0002 * 2 ** (step - 1)
            current = {code: _simplify_all(many, tolerance) if many else None for code, many in current.items()}
        collection = _collection(shapes, current)
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode("utf-8")) <= budget or not polygons:
            break
    return collection


def _simplify_all(polygons: list[geometry.Polygon], tolerance: float) -> list[geometry.Polygon]:
    out = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            thinner = geometry.simplify(ring, tolerance)
            rings.append(thinner if geometry.crossing(thinner) is None else ring)
        out.append(rings)
    return out


def _collection(shapes: dict[str, dict], current: dict[str, list | None]) -> dict:
    features = []
    for code, shape in shapes.items():
        if current[code] is None:
            geom = {"type": "Point", "coordinates": [round(v, 6) for v in shape["point"]]}
        else:
            rounded = [geometry.wound([[[round(x, 5), round(y, 5)] for x, y in ring] for ring in p])
                       for p in current[code]]  # fmt: skip
            geom = {"type": "MultiPolygon", "coordinates": rounded}
        features.append({"type": "Feature", "id": code, "properties": {"township_code": code, "name": shape["name"]},
                         "geometry": geom})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def latest_townships(root: Path) -> dict[str, str] | None:
    """code -> name of the latest snapshot's townships; None while the store holds none."""
    dates = snapshot_dates(root)
    if not dates:
        return None
    frame = read_table(root, dates[-1], TOWNSHIPS)
    return dict(zip(frame["township_code"], frame["township_name"], strict=True))


def import_file(source: Path, root: Location, county_code: str, crs: str = "wgs84") -> dict:
    """Check, simplify and store a boundaries file; the stored collection (its "socialwork" member says where it
    came from, its coordinate system and when)."""
    if isinstance(root, Bucket):
        raise StoreError("对象存储中的数据目录不能直接写入边界：请在本地数据目录导入后用 publish 发布")
    return store(read_file(source), root, county_code, crs, source.name)


def store(collection: dict, root: Path, county_code: str, crs: str, source: str, stamp: str | None = None) -> dict:
    """Check a parsed collection against the store's townships, simplify it and write it (see import_file)."""
    if crs not in CRS_NAMES:
        raise BoundaryError([f"坐标系“{crs}”无效，应为 {' 或 '.join(CRS_NAMES)}"])
    shapes = check(collection, county_code, latest_townships(root))
    out = simplified(shapes)
    kind = "centroids" if all("point" in s for s in shapes.values()) else "polygons"
    written_at = stamp or datetime.now(UTC).isoformat(timespec="seconds")
    out["socialwork"] = {"kind": kind, "crs": crs, "source": source, "written_at": written_at}
    write(root, out)
    return out


def write(root: Path, collection: dict) -> Path:
    """The collection written beside county.json: a temporary file renamed into place."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / BOUNDARIES_FILE
    staging = root / f".{BOUNDARIES_FILE}.{uuid.uuid4().hex}"
    try:
        staging.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    announce_write(root)
    return path


_loaded: dict[Path, tuple[int, dict | None]] = {}


def load(root: Location) -> dict | None:
    """The stored collection of a county's store (None without one); read again when it changes. A bucket's is read
    from this server's local copy, as published with the county (publishing.py)."""
    path = _local_path(root)
    if path is None:
        return None
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return None
    seen = _loaded.get(path)
    if seen is not None and seen[0] == stamp:
        return seen[1]
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        collection = None  # the map falls back to tiles; `boundaries` writes a good file again
    _loaded[path] = (stamp, collection)
    return collection


def _local_path(root: Location) -> Path | None:
    """Where the store's boundaries file is read: beside county.json, or a bucket's local copy (None when the bucket
    does not answer: the map falls back to tiles)."""
    if not isinstance(root, Bucket):
        return Path(root) / BOUNDARIES_FILE
    try:
        return objectstore.beside_path(root, BOUNDARIES_FILE)
    except StoreError:
        return None


def summary_text(collection: dict) -> str:
    """One line for the CLI: how many townships, which kind, the coordinate system, the size."""
    meta = collection["socialwork"]
    size = len(json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) / 1024
    what = "中心点（方块图按其排布）" if meta["kind"] == "centroids" else "边界"
    return (
        f"{len(collection['features'])} 个乡镇（街道）的{what}，坐标系 {CRS_NAMES[meta['crs']]}，简化后 {size:.0f} KB"
    )
