"""The tile map: one equal square per place, for a county without boundaries (and for the counties of a city or
province), laid out from the places' centroids when they are known, else in a compact grid ordered by code. The
squares are GeoJSON polygons, so that maps.township_map draws either kind of map the same way."""

from __future__ import annotations

import math

Cell = tuple[int, int]  # (column, row), row 0 at the top
GAP = 0.1  # share of a cell left between squares


def grid_layout(codes: list[str], aspect: float = 1.4) -> dict[str, Cell]:
    """Codes in order, row by row, in a grid about aspect times as wide as it is tall."""
    ordered = sorted(codes)
    columns = max(1, math.ceil(math.sqrt(len(ordered) * aspect)))
    return {code: (i % columns, i // columns) for i, code in enumerate(ordered)}


def centroid_layout(codes: list[str], centroids: dict[str, tuple[float, float]]) -> dict[str, Cell]:
    """Each place in the free cell nearest its centroid, scaled onto a grid a little larger than the places need;
    places are seated from the outside in (the crowded middle last, where cells are left), places without a
    centroid in the cells left over, by code."""
    known = sorted(code for code in codes if code in centroids)
    if not known:
        return grid_layout(codes)
    xs = [centroids[c][0] for c in known]
    ys = [centroids[c][1] for c in known]
    width, height = max(max(xs) - min(xs), 1e-9), max(max(ys) - min(ys), 1e-9)
    side = math.sqrt(width * height / (len(codes) * 1.3)) or 1.0  # a cell's side in coordinate units
    columns, rows = max(1, math.ceil(width / side) + 1), max(1, math.ceil(height / side) + 1)
    while columns * rows < len(codes):
        columns, rows = columns + 1, rows + 1
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    wanted = {c: ((centroids[c][0] - min(xs)) / side, (max(ys) - centroids[c][1]) / side) for c in known}
    seats = [(col, row) for row in range(rows) for col in range(columns)]
    taken: dict[Cell, str] = {}
    out: dict[str, Cell] = {}
    order = sorted(known, key=lambda c: (-math.hypot(centroids[c][0] - mid_x, centroids[c][1] - mid_y), c))
    for code in order:
        x, y = wanted[code]
        cell = min(
            (s for s in seats if s not in taken), key=lambda s: ((s[0] + 0.5 - x) ** 2 + (s[1] + 0.5 - y) ** 2, s)
        )
        taken[cell] = code
        out[code] = cell
    free = [s for s in seats if s not in taken]
    for code, cell in zip(sorted(c for c in codes if c not in out), free, strict=False):
        out[code] = cell
    return out


def tile_geojson(layout: dict[str, Cell]) -> dict:
    """A FeatureCollection of one square per place (id = its code), in degrees near the equator where a map's
    projection keeps squares square; the whole grid within about ten degrees."""
    if not layout:
        return {"type": "FeatureCollection", "features": []}
    span = max(max(col for col, _ in layout.values()), max(row for _, row in layout.values())) + 1
    size = min(1.0, 10.0 / span)
    features = []
    for code, (col, row) in layout.items():
        x0, y1 = col * size, -row * size
        x1, y0 = x0 + size * (1 - GAP), y1 - size * (1 - GAP)
        ring = [[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]  # clockwise, as plotly.js reads an outer ring
        square = {"type": "Polygon", "coordinates": [ring]}
        features.append({"type": "Feature", "id": code, "properties": {}, "geometry": square})
    return {"type": "FeatureCollection", "features": features}
