"""What a map of the level below a view shows: each township's (or, above the county, each county's) value and
status against one target, from the scorecard the 目标进度 page shows (metrics.place_scorecard), and the shapes to
draw them with: the county's stored boundaries (data/maps/boundaries.py) when they cover every township, else one square
per place (data/maps/tiles.py), laid out from stored centroids when there are some."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from socialwork.data import settings
from socialwork.data.maps import boundaries, geometry, tiles
from socialwork.data.storage.layout import county_folder
from socialwork.figures import hierarchy
from socialwork.figures.metrics import TownshipScorecard, place_scorecard
from socialwork.figures.metrics.registry import MetricSpec
from socialwork.figures.place_filter import Places


@dataclass(frozen=True)
class MapFrame:
    """One target by place: frame columns place_code, place_name, value, status (KPI_STATUS codes)."""

    frame: pd.DataFrame
    spec: MetricSpec
    label: str  # the target as shown (the local talent card's name)
    level: str  # "township" or "county"


@dataclass(frozen=True)
class Shapes:
    """A FeatureCollection whose feature ids are place codes, and where each place's label stands."""

    geojson: dict
    kind: str  # "boundaries" or "tiles"
    label_points: dict[str, tuple[float, float]]
    note: str | None = None  # why a county has tiles although it stored something

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of every place."""
        return geometry.bounds([polygon for feature in self.geojson["features"] for polygon in _polygons(feature)])


def map_targets(card: TownshipScorecard) -> dict[str, str]:
    """key -> label of every target the scorecard judges by place, in its order."""
    return {spec.key: card.label(spec) for spec in card.metrics}


def map_frame(card: TownshipScorecard, metric_key: str) -> MapFrame:
    """One target's value and status for every place of the scorecard."""
    spec = next(spec for spec in card.metrics if spec.key == metric_key)
    frame = pd.DataFrame(
        {
            "place_code": card.frame["township_code"].astype(str),
            "place_name": card.frame["township_name"].astype(str),
            "value": pd.to_numeric(card.frame[metric_key], errors="coerce"),
            "status": card.frame[f"{metric_key}__status"].astype(str),
        }
    ).reset_index(drop=True)
    return MapFrame(frame, spec, card.label(spec), card.level)


def place_map(as_of: date, places: Places, metric_key: str | None = None, data: Path | None = None
              ) -> tuple[MapFrame, Shapes] | None:  # fmt: skip
    """The map of a view's level below (its scope, without the township filter): a target's figures (the first the
    scorecard judges when metric_key is None) and the shapes; None when no target is judged by place, or no place
    has the month."""
    card = place_scorecard(as_of, places, data)
    if not card.metrics or card.frame.empty:
        return None
    frame = map_frame(card, metric_key if metric_key in map_targets(card) else card.metrics[0].key)
    return frame, shapes_for(frame.frame["place_code"].tolist(), frame.level, places, data)


def county_root(places: Places, data: Path | None = None) -> Path | None:
    """The single county's store a township map of the view reads its boundaries from (None above the county)."""
    root = data or settings.data_dir()
    if not hierarchy.many_counties(root):
        return root
    return county_folder(root, places.county) if places.county else None


def shapes_for(codes: list[str], level: str, places: Places, data: Path | None = None) -> Shapes:
    """The county's boundaries when they hold every township, else tiles (from stored centroids where given)."""
    stored = boundaries.load(root) if level == "township" and (root := county_root(places, data)) else None
    features = {f["id"]: f for f in (stored or {}).get("features", [])}
    missing = [code for code in codes if code not in features]
    kind = (stored or {}).get("socialwork", {}).get("kind")
    if stored and kind == "polygons" and not missing:
        chosen = {"type": "FeatureCollection", "features": [features[code] for code in codes]}
        return Shapes(chosen, "boundaries", label_points(chosen))
    centroids = {code: tuple(f["geometry"]["coordinates"]) for code, f in features.items() if kind == "centroids"}
    if kind == "polygons":
        centroids = label_points({"type": "FeatureCollection", "features": list(features.values())})
    layout = tiles.centroid_layout(codes, centroids) if centroids else tiles.grid_layout(codes)
    square = tiles.tile_geojson(layout)
    note = f"乡镇边界文件缺少 {len(missing)} 个乡镇（街道），暂以方块图显示" if stored and missing else None
    return Shapes(square, "tiles", label_points(square), note)


def label_points(collection: dict) -> dict[str, tuple[float, float]]:
    """Each feature's label point: the centroid of its largest outer ring."""
    out = {}
    for feature in collection["features"]:
        largest = max((p[0] for p in _polygons(feature)), key=lambda ring: abs(geometry.signed_area(ring)))
        out[feature["id"]] = geometry.centroid(largest)
    return out


def _polygons(feature: dict) -> list:
    geom = feature["geometry"]
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
