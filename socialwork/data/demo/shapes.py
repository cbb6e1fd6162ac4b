"""The demo county's synthetic township boundaries: a Voronoi partition of an invented county outline, one cell per
township around a seeded point (streets near the centre, 乡 at the edge). Deterministic, every cell convex, so the
outlines are valid by construction; written through boundaries.import_file like any county's file."""

from __future__ import annotations

import math
import random

Point = tuple[float, float]

CENTRE = (104.80, 29.60)  # an invented place; the demo's division code (99…) is not a real one either
RADIUS = 0.30  # degrees, about 30 km
SEED = 36


def county_outline(sides: int = 11) -> list[Point]:
    """A convex, irregular polygon around CENTRE, counter-clockwise."""
    rng = random.Random(SEED)
    points = []
    for i in range(sides):
        angle = 2 * math.pi * i / sides + rng.uniform(-0.12, 0.12)
        radius = RADIUS * rng.uniform(0.85, 1.1)
        points.append((CENTRE[0] + radius * math.cos(angle) * 1.25, CENTRE[1] + radius * math.sin(angle)))
    return points


def sites(kinds: list[str]) -> list[Point]:
    """One seed point per township, in order: streets in a small ring round the centre, towns further out, 乡 at the
    edge; each ring's points spread evenly with a little jitter."""
    rng = random.Random(SEED + 1)
    distance = {"street": 0.07, "town": 0.17, "xiang": 0.25}
    out: list[Point] = [CENTRE] * len(kinds)
    for kind in ("street", "town", "xiang"):
        members = [i for i, k in enumerate(kinds) if k == kind]
        turn = rng.uniform(0, 2 * math.pi)
        for n, i in enumerate(members):
            angle = turn + 2 * math.pi * n / len(members) + rng.uniform(-0.15, 0.15)
            radius = distance[kind] * rng.uniform(0.9, 1.1)
            out[i] = (CENTRE[0] + radius * math.cos(angle) * 1.25, CENTRE[1] + radius * math.sin(angle))
    return out


def _clip(polygon: list[Point], site: Point, other: Point) -> list[Point]:
    """The part of a convex polygon nearer to site than to other (Sutherland–Hodgman against the bisector)."""
    mx, my = (site[0] + other[0]) / 2, (site[1] + other[1]) / 2
    nx, ny = other[0] - site[0], other[1] - site[1]

    def inside(p: Point) -> float:
        return (p[0] - mx) * nx + (p[1] - my) * ny  # <= 0: on site's side

    out = []
    for i, current in enumerate(polygon):
        previous = polygon[i - 1]
        a, b = inside(previous), inside(current)
        if (a <= 0) != (b <= 0):
            t = a / (a - b)
            out.append((previous[0] + t * (current[0] - previous[0]), previous[1] + t * (current[1] - previous[1])))
        if b <= 0:
            out.append(current)
    return out


def voronoi_cells(outline: list[Point], seeds: list[Point]) -> list[list[Point]]:
    """Each seed's Voronoi cell within the convex outline."""
    cells = []
    for i, site in enumerate(seeds):
        cell = list(outline)
        for j, other in enumerate(seeds):
            if i != j:
                cell = _clip(cell, site, other)
        cells.append(cell)
    return cells


def demo_geojson(townships: list[dict]) -> dict:
    """A FeatureCollection of the demo's townships (dicts with code, name, kind), closed rings rounded to 5 decimals."""
    cells = voronoi_cells(county_outline(), sites([t["kind"] for t in townships]))
    features = []
    for township, cell in zip(townships, cells, strict=True):
        ring = [[round(x, 5), round(y, 5)] for x, y in cell]
        ring.append(ring[0])
        features.append({"type": "Feature", "properties": {"township_code": township["code"], "name": township["name"]},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}
